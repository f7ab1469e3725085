# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal to easystack.eos, not a public API: no compatibility promise (docs/development.md).
"""Connection options: the argument spec every module shares, and where their values come from.

The OpenStack tools' convention, so existing ``module_defaults``, clouds.yaml files and AWX
credentials work unchanged:

1. One *source* gives the base settings: the cloud named by ``cloud`` / ``OS_CLOUD`` (or a
   ``cloud`` dict), else the ``OS_*`` environment when ``OS_AUTH_URL`` is set, else (when the
   task gives no ``auth.auth_url`` of its own) the only cloud in clouds.yaml. Two sources are
   never mixed.
2. The task's options (``module_defaults`` included) override that base key by key.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, Type, Union

import json
import math
import os

from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
from ansible_collections.easystack.eos.plugins.module_utils.secrets import SECRET_AUTH_KEYS, of_settings
from ansible_collections.easystack.eos.plugins.module_utils.untrusted import shown
from ansible_collections.easystack.eos.plugins.module_utils.urls import checked_url

AUTH_KEYS = (
    "auth_url", "username", "user_id", "password", "user_domain_name", "user_domain_id",
    "project_name", "project_id", "project_domain_name", "project_domain_id", "domain_name",
    "domain_id", "token", "application_credential_id", "application_credential_secret",
)
# Two ways to name the same thing; the task naming one of them replaces the cloud's other one.
ID_NAME_PAIRS = (
    ("username", "user_id"), ("project_name", "project_id"),
    ("user_domain_name", "user_domain_id"), ("project_domain_name", "project_domain_id"),
    ("domain_name", "domain_id"),
)
AUTH_TYPES = ("password", "token", "v3applicationcredential")
# Spellings openstacksdk and keystoneauth accept for the same three methods.
AUTH_TYPE_ALIASES = {
    "v3password": "password", "v3token": "token", "application_credential": "v3applicationcredential",
    "v3applicationcredential": "v3applicationcredential", "password": "password", "token": "token",
}
INTERFACES = ("public", "internal", "admin")

# OS_* variables of the environment source, as keystoneauth and the openstack CLI read them.
ENV_AUTH = {
    "OS_AUTH_URL": "auth_url", "OS_USERNAME": "username", "OS_USER_ID": "user_id",
    "OS_PASSWORD": "password", "OS_USER_DOMAIN_NAME": "user_domain_name",
    "OS_USER_DOMAIN_ID": "user_domain_id", "OS_PROJECT_NAME": "project_name",
    "OS_TENANT_NAME": "project_name", "OS_PROJECT_ID": "project_id", "OS_TENANT_ID": "project_id",
    "OS_PROJECT_DOMAIN_NAME": "project_domain_name", "OS_PROJECT_DOMAIN_ID": "project_domain_id",
    "OS_DOMAIN_NAME": "domain_name", "OS_DOMAIN_ID": "domain_id", "OS_TOKEN": "token",
    "OS_APPLICATION_CREDENTIAL_ID": "application_credential_id",
    "OS_APPLICATION_CREDENTIAL_SECRET": "application_credential_secret",
}
ENV_TOP = {
    "OS_AUTH_TYPE": "auth_type", "OS_REGION_NAME": "region_name", "OS_INTERFACE": "interface",
    "OS_ENDPOINT_TYPE": "interface", "OS_CACERT": "cacert", "OS_CERT": "cert", "OS_KEY": "key",
}

CLOUDS_FILE_NAMES = ("clouds.yaml", "clouds.yml", "clouds.json")
SECURE_FILE_NAMES = ("secure.yaml", "secure.yml", "secure.json")


def connection_argument_spec() -> Dict[str, Any]:
    """The options every module accepts (documented in the ``connection`` doc fragment)."""
    return dict(
        cloud=dict(type="raw"),
        auth=dict(type="dict", options=dict(
            (key, dict(type="str", no_log=key in SECRET_AUTH_KEYS)) for key in AUTH_KEYS)),
        auth_type=dict(type="str"),
        region_name=dict(type="str"),
        interface=dict(type="str", choices=list(INTERFACES)),
        service_type=dict(type="str", default="identity"),
        endpoint_override=dict(type="str"),
        validate_certs=dict(type="bool"),
        ca_cert=dict(type="path", aliases=["cacert"]),
        client_cert=dict(type="path"),
        client_key=dict(type="path", no_log=True),
        api_timeout=dict(type="float"),
        token_cache=dict(type="bool"),
        allow_http_endpoints=dict(type="bool", default=False),
    )


# Roles take the connection options as variables with this prefix (eos_cloud, eos_auth, ...).
VARIABLE_PREFIX = "eos_"


def variable_options() -> Dict[str, str]:
    """``{variable name: option name}`` for every connection option (``eos_cloud``: ``cloud``)."""
    return dict((VARIABLE_PREFIX + option, option) for option in connection_argument_spec())


class ConnectionSettings:
    """Everything needed to reach and authenticate to the cloud, resolved from all sources."""

    def __init__(self, auth: Dict[str, str], auth_type: str, region_name: Optional[str],
                 interface: str, service_type: str, endpoint_override: Optional[str],
                 verify: Union[bool, str], client_cert: Optional[str], client_key: Optional[str],
                 api_timeout: float, source: str, token_cache: bool = False,
                 allow_http_endpoints: bool = False) -> None:
        self.auth = auth
        self.auth_type = auth_type
        self.region_name = region_name
        self.interface = interface
        self.service_type = service_type
        self.endpoint_override = endpoint_override
        self.verify = verify  # True (system CA store), False, or a CA bundle path
        self.client_cert = client_cert
        self.client_key = client_key
        self.api_timeout = api_timeout
        self.source = source  # where the base settings came from, for error messages
        self.token_cache = token_cache  # reuse tokens across tasks (never for auth_type token)
        # accept catalog endpoints on http:// although auth_url is https://
        self.allow_http_endpoints = allow_http_endpoints

    @property
    def secrets(self) -> List[str]:
        """Every secret of the settings, the password part of a URL's credentials included."""
        return of_settings(self)

    def describe_identity(self) -> str:
        """Who is logging in, for error messages: names and IDs, never a secret."""
        auth = self.auth
        if self.auth_type == "v3applicationcredential":
            who = "application credential %s" % auth.get("application_credential_id")
        elif self.auth_type == "token":
            who = "a token"
        else:
            who = "user %s" % (auth.get("username") or auth.get("user_id"))
            domain = auth.get("user_domain_name") or auth.get("user_domain_id")
            if domain and auth.get("username"):
                who += " (domain %s)" % domain
        project = auth.get("project_name") or auth.get("project_id")
        if project and self.auth_type != "v3applicationcredential":
            who += ", project %s" % project
            domain = auth.get("project_domain_name") or auth.get("project_domain_id")
            if domain and auth.get("project_name"):
                who += " (domain %s)" % domain
        return "%s at %s" % (who, auth.get("auth_url"))


def clouds_file_candidates(environ: Mapping[str, str], cwd: str, home: str,
                           names: Tuple[str, ...] = CLOUDS_FILE_NAMES,
                           env_key: str = "OS_CLIENT_CONFIG_FILE") -> List[str]:
    """Where the OpenStack tools look for clouds.yaml (or secure.yaml), in order."""
    candidates = []
    if environ.get(env_key):
        candidates.append(environ[env_key])
    for directory in (cwd, os.path.join(home, ".config", "openstack"), "/etc/openstack"):
        candidates.extend(os.path.join(directory, name) for name in names)
    return candidates


def _load_file(path: str) -> Dict[str, Any]:
    try:
        with open(path) as handle:
            text = handle.read()
    except (IOError, OSError) as exc:
        raise EosError("Cannot read %s: %s" % (path, exc.strerror or exc))
    except ValueError as exc:  # UnicodeDecodeError: not a text file
        raise EosError("%s is not valid YAML/JSON: %s" % (path, exc))
    parse: Callable[[str], Any]
    errors: Tuple[Type[Exception], ...]
    if path.endswith(".json"):
        parse, errors = json.loads, (ValueError,)
    else:
        try:  # here, not at the top: most runs read no clouds.yaml and PyYAML costs ~12 ms
            import yaml
        except ImportError:
            raise EosError("Reading %s needs PyYAML, which is not installed on this host" % path)
        parse, errors = yaml.safe_load, (ValueError, yaml.YAMLError)
    try:
        data = parse(text)
    except errors as exc:
        raise EosError("%s is not valid YAML/JSON: %s (the text there is not shown: a line of a "
                       "clouds or secure file may hold a secret)" % (path, _where(exc)))
    if data is None:
        data = {}
    if not isinstance(data, dict) or not isinstance(data.get("clouds", {}), dict):
        raise EosError("%s must hold a mapping with a 'clouds' mapping" % path)
    return data


def _where(exc: Exception) -> str:
    """Line and column of a YAML or JSON parse error; the parser's own text quotes the line."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        return "error at line %d, column %d" % (mark.line + 1, mark.column + 1)
    if getattr(exc, "lineno", None):  # a json.JSONDecodeError (ignored for mypy: not narrowed)
        return "error at line %d, column %d" % (exc.lineno, exc.colno)  # type: ignore[attr-defined]
    return "a %s" % type(exc).__name__


def _deep_merge(base: Dict[str, Any], extra: Dict[str, Any]) -> Dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_clouds(environ: Mapping[str, str], cwd: str,
                home: str) -> Tuple[Optional[str], Dict[str, Any]]:
    """``(path, clouds)`` of the first clouds file found, secure.yaml merged in; else (None, {})."""
    for path in clouds_file_candidates(environ, cwd, home):
        if os.path.isfile(path):
            clouds = _load_file(path).get("clouds") or {}
            for secure in clouds_file_candidates(environ, cwd, home, SECURE_FILE_NAMES,
                                                 "OS_CLIENT_SECURE_FILE"):
                if os.path.isfile(secure):
                    clouds = _deep_merge(clouds, _load_file(secure).get("clouds") or {})
                    break
            return path, clouds
    return None, {}


def _environment_cloud(environ: Mapping[str, str]) -> Dict[str, Any]:
    cloud: Dict[str, Any] = {"auth": {}}
    for variable, key in ENV_AUTH.items():
        if environ.get(variable) and key not in cloud["auth"]:
            cloud["auth"][key] = environ[variable]
    for variable, key in ENV_TOP.items():
        if environ.get(variable) and key not in cloud:
            cloud[key] = environ[variable]
    return cloud


def _base_cloud(params: Dict[str, Any], environ: Mapping[str, str], cwd: str,
                home: str) -> Tuple[Any, str]:
    """The one source of base settings, and a description of it for messages."""
    cloud = params.get("cloud")
    if isinstance(cloud, dict):
        return cloud, "the task's cloud dict"
    if cloud is not None and not isinstance(cloud, str):
        raise EosError("cloud must be the name of a clouds.yaml entry or a dict, not %s"
                       % type(cloud).__name__)
    name = cloud or environ.get("OS_CLOUD")
    if name:
        path, clouds = load_clouds(environ, cwd, home)
        if path is None:
            raise EosError("Cloud '%s' was asked for, but no clouds.yaml was found (looked in: %s)"
                           % (name, ", ".join(clouds_file_candidates(environ, cwd, home))))
        if name not in clouds:
            raise EosError("Cloud '%s' is not in %s; clouds there: %s"
                           % (name, path, ", ".join(sorted(clouds)) or "none"))
        return clouds[name] or {}, "cloud '%s' in %s" % (name, path)
    if environ.get("OS_AUTH_URL"):
        return _environment_cloud(environ), "the OS_* environment variables"
    if (params.get("auth") or {}).get("auth_url"):
        return {}, "the task's options"
    path, clouds = load_clouds(environ, cwd, home)
    if path is not None and len(clouds) == 1:
        name = next(iter(clouds))
        return clouds[name] or {}, "cloud '%s' in %s" % (name, path)
    if path is not None and clouds:
        raise EosError("%s has several clouds (%s): choose one with the cloud option or OS_CLOUD"
                       % (path, ", ".join(sorted(clouds))))
    raise EosError(
        "No credentials: set the auth option (with auth_url), cloud or OS_CLOUD, the OS_* "
        "environment variables (OS_AUTH_URL, ...), or provide a clouds.yaml (looked in: %s)"
        % ", ".join(clouds_file_candidates(environ, cwd, home)))


def _as_bool_or_path(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if str(value).lower() in ("true", "yes", "1", "on"):
        return True
    if str(value).lower() in ("false", "no", "0", "off"):
        return False
    return value


def resolve_connection(params: Dict[str, Any], environ: Optional[Mapping[str, str]] = None,
                       cwd: Optional[str] = None,
                       home: Optional[str] = None) -> ConnectionSettings:
    """Resolve the module's connection options into ``ConnectionSettings`` (or raise EosError).

    The task's options win over the cloud (``cloud``, ``OS_CLOUD`` and clouds.yaml, or the
    ``OS_*`` variables); each setting is resolved and checked by one function below.
    """
    environ = os.environ if environ is None else environ
    cwd = os.getcwd() if cwd is None else cwd
    home = os.path.expanduser("~") if home is None else home
    base, source = _base_cloud(params, environ, cwd, home)
    if not isinstance(base, dict) or not isinstance(base.get("auth", {}) or {}, dict):
        raise EosError("The settings from %s must be a mapping with an 'auth' mapping" % source)
    auth = _auth(params, base, source)
    if params.get("endpoint_override") is not None:
        checked_url(params["endpoint_override"], "endpoint_override", api_root=True)
    auth_type = _auth_type(_pick(params, base, "auth_type"), auth)
    return ConnectionSettings(
        token_cache=_token_cache(params, environ) and auth_type != "token",
        auth=auth,
        auth_type=auth_type,
        region_name=_pick(params, base, "region_name"),
        interface=_interface(_pick(params, base, "interface", default="public"), source),
        service_type=params.get("service_type") or "identity",
        endpoint_override=params.get("endpoint_override"),
        verify=_verify(params, base),
        client_cert=params.get("client_cert") or base.get("cert"),
        client_key=params.get("client_key") or base.get("key"),
        api_timeout=_api_timeout(_pick(params, base, "api_timeout")),
        source=source,
        allow_http_endpoints=bool(params.get("allow_http_endpoints")),
    )


def _pick(params: Dict[str, Any], base: Dict[str, Any], option: str, default: Any = None) -> Any:
    """The task's option, else the cloud's setting of the same name, else ``default``."""
    value = params.get(option)
    if value is None:
        value = base.get(option)
    return default if value is None else value


def _auth(params: Dict[str, Any], base: Dict[str, Any], source: str) -> Dict[str, str]:
    """The cloud's auth merged with the task's, checked: known keys, an auth_url that reads."""
    auth = dict((k, v) for k, v in (base.get("auth") or {}).items() if v not in (None, ""))
    unknown = sorted(set(auth) - set(AUTH_KEYS))
    if unknown:
        raise EosError("Unknown auth keys %s in %s; known: %s"
                       % (", ".join(unknown), source, ", ".join(AUTH_KEYS)))
    task_auth = dict((k, v) for k, v in (params.get("auth") or {}).items() if v is not None)
    # A task's name overrides the cloud's ID for the same thing (and the other way round):
    # otherwise the cloud's ID would silently win when the request is built.
    for pair in ID_NAME_PAIRS:
        for given, other in (pair, pair[::-1]):
            if given in task_auth and other not in task_auth:
                auth.pop(other, None)
    auth.update(task_auth)
    auth = dict((k, str(v)) for k, v in auth.items())
    if not auth.get("auth_url"):
        raise EosError("No auth_url in %s or the task's auth option" % source)
    checked_url(auth["auth_url"], "auth_url (from %s)" % source, api_root=True)
    _share_domain(auth)
    return auth


def _share_domain(auth: Dict[str, str]) -> None:
    """clouds.yaml's auth.domain_name/_id name the user's and the project's domain when those
    are not given and a project is the scope; without a project it is the (domain) scope."""
    if not (auth.get("project_name") or auth.get("project_id")):
        return
    for kind in ("name", "id"):
        shared = auth.get("domain_" + kind)
        if shared:
            for owner in ("user", "project"):
                if not auth.get("%s_domain_name" % owner) and not auth.get("%s_domain_id" % owner):
                    auth["%s_domain_%s" % (owner, kind)] = shared
            del auth["domain_" + kind]


def _auth_type(asked: Any, auth: Dict[str, str]) -> str:
    """The auth type asked for (aliases allowed), else what the credentials are."""
    if asked is None:
        if auth.get("application_credential_id") or auth.get("application_credential_secret"):
            asked = "v3applicationcredential"
        elif auth.get("token") and not auth.get("password"):
            asked = "token"
        else:
            asked = "password"
    if str(asked).lower() not in AUTH_TYPE_ALIASES:
        raise EosError("auth_type '%s' is not supported; use one of: %s"
                       % (asked, ", ".join(AUTH_TYPES)))
    return AUTH_TYPE_ALIASES[str(asked).lower()]


def _interface(interface: str, source: str) -> str:
    if interface.endswith("URL"):  # OS_ENDPOINT_TYPE=publicURL, the old spelling
        interface = interface[:-3]
    if interface not in INTERFACES:
        raise EosError("interface '%s' (from %s) is not one of: %s"
                       % (interface, source, ", ".join(INTERFACES)))
    return interface


def _verify(params: Dict[str, Any], base: Dict[str, Any]) -> Union[bool, str]:
    """requests' ``verify``: False, True, or the CA bundle's path."""
    verify = params.get("validate_certs")
    if verify is None:
        verify = _as_bool_or_path(base.get("verify", True))
    ca_cert = params.get("ca_cert") or base.get("cacert")
    if verify is not False and ca_cert:
        verify = ca_cert
    return verify


# api_timeout's bounds (documented in the connection doc fragment): a request that needs more
# than an hour is a hung server, and timer code cannot take inf or 1e300 seconds.
MAX_API_TIMEOUT = 3600


def _api_timeout(value: Any) -> float:
    seconds = None
    if not isinstance(value, bool):
        try:
            seconds = float(value) if value is not None else 30.0
        except (TypeError, ValueError, OverflowError):
            pass
    if seconds is None or not math.isfinite(seconds) or not 0 < seconds <= MAX_API_TIMEOUT:
        raise EosError("api_timeout must be a number of seconds above 0 and at most %d, not %s. "
                       "Nothing was sent" % (MAX_API_TIMEOUT, shown(repr(value), 40)))
    return seconds


def _token_cache(params: Dict[str, Any], environ: Mapping[str, str]) -> bool:
    token_cache = params.get("token_cache")
    if token_cache is None:
        return str(environ.get("EOS_TOKEN_CACHE", "")).lower() in ("1", "true", "yes", "on")
    return bool(token_cache)
