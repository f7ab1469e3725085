"""What AWX does with a credential before it starts a job, re-implemented for the tests.

Ported from AWX (``awx/main/models/credential.py``: ``CredentialType.inject_credential``;
``awx/main/fields.py``: ``CredentialTypeInputField``, ``CredentialTypeInjectorField``;
``awx/main/models/credential/injectors.py``: ``openstack``), so the tests can check a custom
credential type the way AWX validates it when it is saved, and give a job exactly the files and
environment variables AWX would inject:

- ``validate_credential_type(inputs, injectors)``: AWX's checks of a custom credential type;
- ``inject_custom(inputs, injectors, values, private_data_dir)``: a credential of that type;
- ``inject_openstack(values, private_data_dir)``: AWX's built-in OpenStack credential.

Files go to ``<private_data_dir>/env/`` as AWX writes them. AWX then runs the job in a container
and hands the files' in-container paths (``/runner/env/...``); without a container (process
isolation off) the paths are the files' own.
"""
import os
import stat
import tempfile

import jsonschema
import yaml
from jinja2 import StrictUndefined, sandbox
from jinja2.exceptions import UndefinedError

INPUTS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "required": {"type": "array", "items": {"type": "string"}},
        "fields": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "type": {"enum": ["string", "boolean"]},
                    "format": {"enum": ["ssh_private_key", "url"]},
                    "choices": {"type": "array", "minItems": 1, "items": {"type": "string"},
                                "uniqueItems": True},
                    "id": {"type": "string", "pattern": "^[a-zA-Z_]+[a-zA-Z0-9_]*$"},
                    "label": {"type": "string"},
                    "help_text": {"type": "string"},
                    "multiline": {"type": "boolean"},
                    "secret": {"type": "boolean"},
                    "ask_at_runtime": {"type": "boolean"},
                    "default": {},
                },
                "additionalProperties": False,
                "required": ["id", "label"],
            },
        },
    },
}

INJECTORS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "file": {
            "type": "object",
            "patternProperties": {r"^template(\.[a-zA-Z_]+[a-zA-Z0-9_]*)?$": {"type": "string"}},
            "additionalProperties": False,
        },
        "env": {
            "type": "object",
            "patternProperties": {
                "^[a-zA-Z_]+[a-zA-Z0-9_]*$": {"type": "string", "pattern": "^[\x00-\x7F]*$"},
            },
            "additionalProperties": False,
        },
        "extra_vars": {
            "type": "object",
            "patternProperties": {"^[a-zA-Z_]+[a-zA-Z0-9_]*$": {"type": "string"}},
            "additionalProperties": False,
        },
    },
}

# Variables AWX sets itself and refuses in a credential (ANSIBLE_* too), from awx/main/constants.py.
ENV_BLOCKLIST = frozenset((
    "VIRTUAL_ENV", "PATH", "PYTHONPATH", "JOB_ID", "INVENTORY_ID", "INVENTORY_SOURCE_ID",
    "INVENTORY_UPDATE_ID", "AD_HOC_COMMAND_ID", "REST_API_URL", "REST_API_TOKEN", "MAX_EVENT_RES",
    "CALLBACK_QUEUE", "CALLBACK_CONNECTION", "CACHE", "JOB_CALLBACK_DEBUG", "INVENTORY_HOSTVARS",
    "AWX_HOST", "PROJECT_REVISION", "SUPERVISOR_CONFIG_PATH",
))

SECRET_MASK = "**********"


class CredentialTypeError(ValueError):
    """What AWX would answer when the credential type (or a credential) is saved."""


class _Namespace:
    """AWX's ``tower`` namespace: ``tower.filename`` or ``tower.filename.<label>``."""


def load_credential_type(inputs_path, injectors_path):
    with open(inputs_path) as handle:
        inputs = yaml.safe_load(handle)
    with open(injectors_path) as handle:
        injectors = yaml.safe_load(handle)
    return inputs, injectors


def validate_credential_type(inputs, injectors):
    """AWX's checks when a custom credential type is saved; raises CredentialTypeError."""
    for schema, value, what in ((INPUTS_SCHEMA, inputs, "inputs"),
                                (INJECTORS_SCHEMA, injectors, "injectors")):
        try:
            jsonschema.validate(value, schema)
        except jsonschema.ValidationError as exc:
            raise CredentialTypeError("%s: %s" % (what, exc.message)) from exc
    ids = []
    for field in inputs.get("fields", []):
        if field["id"] == "tower":
            raise CredentialTypeError('"tower" is a reserved field name')
        if field["id"] in ids:
            raise CredentialTypeError("field IDs must be unique (%s)" % field["id"])
        ids.append(field["id"])
        kind = field.get("type", "string")
        if "default" in field and not isinstance(field["default"], {"string": str, "boolean": bool}[kind]):
            raise CredentialTypeError("%s is not a %s" % (field["default"], kind))
        for key in ("choices", "multiline", "format", "secret"):
            if key in field and kind != "string":
                raise CredentialTypeError("%s not allowed for %s type (%s)" % (key, kind, field["id"]))
    for name in inputs.get("required", []):
        if name not in ids:
            raise CredentialTypeError("required field %s is not defined" % name)

    # Every template must render with only the defined fields (StrictUndefined), as in AWX.
    namespace = dict((field_id, "EXAMPLE") for field_id in ids)
    namespace["tower"] = _Namespace()
    labels = [label for label in injectors.get("file", {}) if label.startswith("template")]
    if "template" in labels:
        if len(labels) > 1:
            raise CredentialTypeError("Must use multi-file syntax when injecting multiple files")
        namespace["tower"].filename = "EXAMPLE_FILENAME"
    elif labels:
        namespace["tower"].filename = _Namespace()
        for label in labels:
            setattr(namespace["tower"].filename, label.split(".")[1], "EXAMPLE_FILENAME")
    for env_var in injectors.get("env", {}):
        if env_var.startswith("ANSIBLE_") or env_var in ENV_BLOCKLIST:
            raise CredentialTypeError("Environment variable %s is not allowed in credentials" % env_var)
    environment = sandbox.ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    for kind, templates in injectors.items():
        for key, template in templates.items():
            try:
                environment.from_string(template).render(namespace)
            except UndefinedError as exc:
                raise CredentialTypeError("%s uses an undefined field (%s)" % (key, exc)) from exc


def _validate_values(inputs, values):
    """What AWX checks when a credential of the type is saved."""
    known = dict((field["id"], field) for field in inputs.get("fields", []))
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise CredentialTypeError("unknown inputs: %s" % ", ".join(unknown))
    for name in inputs.get("required", []):
        if not values.get(name):
            raise CredentialTypeError("%s required" % name)
    for name, value in values.items():
        choices = known[name].get("choices")
        if choices and value not in choices:
            raise CredentialTypeError("%s: %r is not one of %s" % (name, value, choices))


def _write_private_file(private_data_dir, text):
    handle, path = tempfile.mkstemp(dir=os.path.join(private_data_dir, "env"))
    with os.fdopen(handle, "w") as stream:
        stream.write(text)
    os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
    return path


def inject_custom(inputs, injectors, values, private_data_dir):
    """``(env, safe_env, extra_vars)`` of a credential of a custom type, as AWX computes them.

    ``values`` holds what the user filled in (fields left empty are absent, as in AWX); files
    of the ``file`` injector are written to ``<private_data_dir>/env/``. ``safe_env`` is what AWX
    stores with the job (secrets masked).
    """
    _validate_values(inputs, values)
    secret_fields = set(f["id"] for f in inputs.get("fields", []) if f.get("secret"))
    tower = _Namespace()
    namespace, safe_namespace = {"tower": tower}, {"tower": tower}
    for name, value in values.items():
        if isinstance(value, bool):
            namespace[name] = safe_namespace[name] = value
            continue
        if name in secret_fields:
            safe_namespace[name] = SECRET_MASK
        elif len(value):
            safe_namespace[name] = value
        if len(value):
            namespace[name] = value
    for field in inputs.get("fields", []):
        if field.get("type") == "boolean" and field["id"] not in values:
            namespace[field["id"]] = safe_namespace[field["id"]] = False

    environment = sandbox.ImmutableSandboxedEnvironment()
    for label, template in injectors.get("file", {}).items():
        path = _write_private_file(private_data_dir, environment.from_string(template).render(**namespace))
        if "." not in label:
            tower.filename = path
        else:
            if not hasattr(tower, "filename"):
                tower.filename = _Namespace()
            setattr(tower.filename, label.split(".")[1], path)

    env, safe_env = {}, {}
    for env_var, template in injectors.get("env", {}).items():
        env[env_var] = environment.from_string(template).render(**namespace)
        safe_env[env_var] = environment.from_string(template).render(**safe_namespace)
    extra_vars = dict((name, environment.from_string(template).render(**namespace))
                      for name, template in injectors.get("extra_vars", {}).items())
    return env, safe_env, extra_vars


OPENSTACK_FIELDS = ("username", "password", "host", "project", "project_domain_name", "domain",
                    "region", "verify_ssl")
OPENSTACK_REQUIRED = ("username", "password", "host", "project")


def inject_openstack(values, private_data_dir):
    """The env of AWX's built-in OpenStack credential: a clouds.yaml and OS_CLIENT_CONFIG_FILE.

    ``values`` uses the credential's input names: host (the auth URL), username, password,
    project, and optionally project_domain_name, domain, region and verify_ssl.
    """
    unknown = sorted(set(values) - set(OPENSTACK_FIELDS))
    missing = [name for name in OPENSTACK_REQUIRED if not values.get(name)]
    if unknown or missing:
        raise CredentialTypeError("unknown inputs %s, missing %s" % (unknown, missing))
    auth = dict(auth_url=values["host"], username=values["username"],
                password=values["password"], project_name=values["project"])
    if "project_domain_name" in values:
        auth["project_domain_name"] = values["project_domain_name"]
    if "domain" in values:
        auth["domain_name"] = values["domain"]
    cloud = {"auth": auth, "verify": bool(values.get("verify_ssl", True))}
    if "region" in values:
        cloud["region_name"] = values["region"]
    text = yaml.safe_dump({"clouds": {"devstack": cloud}}, default_flow_style=False,
                          allow_unicode=True)
    return {"OS_CLIENT_CONFIG_FILE": _write_private_file(private_data_dir, text)}
