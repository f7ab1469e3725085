# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Connection options shared by every easystack.eos module."""

    DOCUMENTATION = r"""
options:
  cloud:
    description:
      - Name of a cloud in C(clouds.yaml), or a dict in the shape of one cloud entry.
      - Defaults to the E(OS_CLOUD) environment variable.
      - Without O(cloud) and E(OS_CLOUD), the E(OS_*) environment variables are used when
        E(OS_AUTH_URL) is set, else the only cloud in C(clouds.yaml) (unless O(auth.auth_url) is
        given). Two sources are never mixed; the task's options override the chosen one key by key.
      - C(clouds.yaml) is looked for like the OpenStack tools do, in E(OS_CLIENT_CONFIG_FILE),
        C(./clouds.yaml), C(~/.config/openstack/clouds.yaml) and C(/etc/openstack/clouds.yaml),
        with C(secure.yaml) merged in where present.
    type: raw
  auth:
    description:
      - Keystone v3 credentials and scope. Keys given here override those of the chosen cloud.
      - A C(clouds.yaml) C(auth.domain_name) names the user's and the project's domain when those
        are not given.
    type: dict
    suboptions:
      auth_url:
        description: Keystone (EOS identity) URL, with or without the trailing C(/v3). E(OS_AUTH_URL).
        type: str
      username:
        description: User name. E(OS_USERNAME).
        type: str
      user_id:
        description: User ID, instead of O(auth.username). E(OS_USER_ID).
        type: str
      password:
        description: The user's password. E(OS_PASSWORD). Never shown in any output.
        type: str
      user_domain_name:
        description: Domain of O(auth.username). E(OS_USER_DOMAIN_NAME).
        type: str
      user_domain_id:
        description: Domain ID of O(auth.username). E(OS_USER_DOMAIN_ID).
        type: str
      project_name:
        description: Project to scope the token to. E(OS_PROJECT_NAME).
        type: str
      project_id:
        description: Project ID to scope the token to. E(OS_PROJECT_ID).
        type: str
      project_domain_name:
        description: Domain of O(auth.project_name). E(OS_PROJECT_DOMAIN_NAME).
        type: str
      project_domain_id:
        description: Domain ID of O(auth.project_name). E(OS_PROJECT_DOMAIN_ID).
        type: str
      domain_name:
        description:
          - With a project, the default for the user's and the project's domain; without one,
            a domain scope. E(OS_DOMAIN_NAME).
        type: str
      domain_id:
        description: Like O(auth.domain_name), by ID. E(OS_DOMAIN_ID).
        type: str
      token:
        description: An existing token (O(auth_type=token)). E(OS_TOKEN). Never shown in any output.
        type: str
      application_credential_id:
        description: Application credential ID (O(auth_type=v3applicationcredential)).
          E(OS_APPLICATION_CREDENTIAL_ID).
        type: str
      application_credential_secret:
        description: Application credential secret. E(OS_APPLICATION_CREDENTIAL_SECRET). Never
          shown in any output.
        type: str
  auth_type:
    description:
      - How to authenticate. E(OS_AUTH_TYPE).
      - Inferred when not given - V(v3applicationcredential) with an application credential,
        V(token) with a token and no password, else V(password).
      - C(v3password) and C(v3token) are accepted as the openstacksdk spellings.
    type: str
  region_name:
    description:
      - Region whose catalog endpoints are used; also the default quota region.
        E(OS_REGION_NAME).
    type: str
  interface:
    description:
      - Catalog interface. E(OS_INTERFACE). Defaults to the cloud's setting, else V(public).
    type: str
    choices: [public, internal, admin]
  service_type:
    description:
      - Catalog service type whose endpoint serves C(/v3/domain_quotas) and C(/v3/domain_usage).
    type: str
    default: identity
  endpoint_override:
    description:
      - URL of the quota API, skipping the catalog (with or without the trailing C(/v3)).
    type: str
  validate_certs:
    description:
      - Verify TLS certificates. Defaults to the cloud's C(verify), else V(true).
      - V(false) is insecure and warns.
    type: bool
  ca_cert:
    description:
      - CA bundle to verify the server's certificate with. E(OS_CACERT).
      - Without it, the system's CA store is used (OpenSSL's default paths, which
        E(SSL_CERT_FILE) and E(SSL_CERT_DIR) override).
    type: path
    aliases: [cacert]
  client_cert:
    description: Client certificate for TLS client authentication. E(OS_CERT).
    type: path
  client_key:
    description: Key of O(client_cert). E(OS_KEY).
    type: path
  api_timeout:
    description: Seconds to wait for each HTTP answer. Defaults to the cloud's, else 30.
    type: float
  token_cache:
    description:
      - Reuse a still-valid token across tasks and runs instead of logging in for every task.
        Defaults to the E(EOS_TOKEN_CACHE) environment variable (V(1)/V(true)), else V(false).
      - The token, its catalog and expiry are kept in a 0600 file inside a 0700 directory,
        C($XDG_CACHE_HOME/easystack.eos/tokens) (else C(~/.cache/easystack.eos/tokens)), named by a
        hash of the auth URL, identity and scope (never of a secret). A token within five minutes
        of expiry is not reused; a token the cloud rejects (HTTP 401) is dropped and a new login
        made. Not used with O(auth_type=token).
      - Use it where many tasks run as the same identity on one host (AWX jobs over many
        departments); anyone who can read the file as this OS user can use the token until it
        expires.
    type: bool
requirements:
  - python >= 3.7 (the standard library only; no Python packages to install on the target)
notes:
  - Authentication is Keystone v3 (C(POST /v3/auth/tokens)); the quota endpoint comes from the
    token's catalog.
  - Calls are retried (up to 3 times, with backoff) on connection errors, timeouts, HTTP 429
    (honouring C(Retry-After)), 502, 503 and 504 when they are safe to repeat.
  - "Proxies come from the environment as curl and requests read them: E(https_proxy),
    E(http_proxy), E(all_proxy) (lower or upper case; an C(http://) proxy, optionally with
    C(user:password@)) and E(no_proxy) (hosts, C(.domain) suffixes, C(host:port), address ranges
    such as C(10.0.0.0/8) for servers named by an IP address, or C(*))."
  - "All modules are in the action group C(easystack.eos.eos): set O(cloud) or O(auth) once per
    play under C(module_defaults) with the key C(group/easystack.eos.eos)."
"""
