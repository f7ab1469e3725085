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
        description:
          - Keystone (EOS identity) URL, with or without the trailing C(/v3). E(OS_AUTH_URL).
          - Use C(https://). A plain C(http://) URL to anything but this machine (C(localhost),
            C(127.0.0.0/8), C(::1)) warns that the credentials travel unencrypted.
          - Credentials written into the URL (C(https://user:password@host)) are sent as HTTP
            Basic auth and masked in every message.
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
      - Like every API root, it must have no query string or fragment.
    type: str
  allow_http_endpoints:
    description:
      - Accept catalog endpoints on plain C(http://) although O(auth.auth_url) is C(https://).
      - By default such an endpoint is refused before anything is sent to it - the token and a
        user's new password would travel unencrypted.
    type: bool
    default: false
  validate_certs:
    description:
      - Verify TLS certificates. Defaults to the cloud's C(verify), else V(true).
      - V(false) is insecure and warns.
    type: bool
  ca_cert:
    description:
      - CA bundle to verify the server's certificate with. E(OS_CACERT).
      - Without it, the CA store requests uses - E(REQUESTS_CA_BUNDLE) or E(CURL_CA_BUNDLE) when
        set, else the certifi bundle. O(ca_cert) and O(validate_certs=false) always win over
        those variables.
    type: path
    aliases: [cacert]
  client_cert:
    description: Client certificate for TLS client authentication. E(OS_CERT).
    type: path
  client_key:
    description: Key of O(client_cert). E(OS_KEY).
    type: path
  api_timeout:
    description:
      - Seconds one HTTP request may take as a whole - connecting, the headers and the whole body.
        A server that answers slowly, byte by byte, is cut off at this deadline.
      - Defaults to the cloud's, else 30. A request that is retried gets the full time for each
        attempt.
      - Above 0 and at most 3600 (an hour); anything else (V(inf), V(nan), V(0)) fails the task
        before anything is sent.
    type: float
  token_cache:
    description:
      - Reuse a still-valid token across tasks and runs instead of logging in for every task.
        Defaults to the E(EOS_TOKEN_CACHE) environment variable (V(1)/V(true)), else V(false).
      - The token, its catalog and expiry are kept in a 0600 file inside a 0700 directory,
        C($XDG_CACHE_HOME/easystack.eos/tokens) (else C(~/.cache/easystack.eos/tokens)), named by an
        HMAC (under a random key kept 0600 beside the files) of the auth URL, identity, scope and
        secret, so a wrong password never gets a cached token; no symlink, and no file or
        directory that is not the user's or that others can read or write, is used. A token
        within five minutes of expiry is not reused; a token the cloud rejects (HTTP 401) is
        dropped and a new login made. Not used with O(auth_type=token).
      - Use it where many tasks run as the same identity on one host (AWX jobs over many
        departments); anyone who can read the file as this OS user can use the token until it
        expires.
    type: bool
requirements:
  - python >= 3.10
  - requests >= 2.25 (on the host that runs the module)
notes:
  - Authentication is Keystone v3 (C(POST /v3/auth/tokens)); the quota endpoint comes from the
    token's catalog.
  - Calls are retried (up to 3 times, with backoff) on connection errors, timeouts, HTTP 429
    (honouring C(Retry-After)), 502, 503 and 504 when they are safe to repeat. A password change
    is never resent - when its answer is lost, one login as the user tells whether it took.
  - Redirects are not followed (a 3xx fails, naming its C(Location)); C(~/.netrc) is never read;
    an answer larger than 4 MiB (after decompression) is refused.
  - "On the host that runs the module, the compiled code of the collection's module_utils is kept
    in a private cache, so that later tasks do not compile it again: C($XDG_CACHE_HOME/easystack.eos/bytecode)
    (else C(~/.cache/easystack.eos/bytecode)), one 0600 file per Python in a 0700 directory, used
    only when it is the user's own and private. E(EOS_NO_BYTECODE_CACHE=1) turns it off; nothing is
    written when Python is told not to write bytecode (E(PYTHONDONTWRITEBYTECODE))."
  - "Proxies come from the environment as requests reads them: E(https_proxy), E(http_proxy),
    E(all_proxy) (lower or upper case, optionally with C(user:password@)) and E(no_proxy) (hosts,
    domain suffixes, C(host:port), address ranges such as C(10.0.0.0/8) for servers named by an IP
    address, or C(*))."
  - "All modules are in the action group C(easystack.eos.eos): set O(cloud) or O(auth) once per
    play under C(module_defaults) with the key C(group/easystack.eos.eos)."
"""
