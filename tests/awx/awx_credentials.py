"""What AWX does with a credential before it starts a job, for the tests.

Two parts, of different standing:

**Injection is AWX's own code**, installed from PyPI (requirements/dev.in):

- ``awx_plugins.interfaces._temporary_private_inject_api.inject_credential`` (package
  ``awx-plugins.interfaces``): AWX's ``CredentialType.inject_credential``
  (``awx/main/models/credential.py``) calls it for every credential of a job: it renders a custom
  type's ``file``, ``env`` and ``extra_vars`` injectors, and runs a built-in type's injector;
- ``awx_plugins.credentials.plugins.openstack`` (package ``awx-plugins-core``): the built-in
  OpenStack credential type, with its injector ``awx_plugins.credentials.injectors.openstack``.

**The checks made when a credential type or a credential is saved are a port.** They are Django
model fields and serializers inside AWX itself (``awx/main/fields.py``: ``CredentialTypeInputField``,
``CredentialTypeInjectorField``, ``CredentialInputField``; ``awx/api/serializers.py``:
``CredentialTypeSerializer.validate``; ``awx/main/models/unified_jobs.py``: ``UnifiedJob.pre_start``),
and no registry ships them: AWX is not on PyPI (the PyPI project ``awx`` is an unrelated satellite
data reader; ``awxkit`` is the CLI client). ``test_awx_rules.py`` holds the port to AWX's own test
cases for these checks.

- ``validate_credential_type(inputs, injectors)``: saving a custom credential type;
- ``validate_credential_inputs(inputs, values)``: saving a credential of a type;
- ``check_required(inputs, values, name)``: starting a job with the credential;
- ``inject_custom(inputs, injectors, values, private_data_dir)``: all three, then AWX's injection;
- ``inject_openstack(values, private_data_dir)``: the same for AWX's built-in OpenStack credential.

Files go to ``<private_data_dir>/env/`` as AWX writes them. AWX runs the job in a container with
the private data directory mounted at ``/runner`` and hands the files' in-container paths
(``/runner/env/...``); the tests' jobs run without a container, so ``host_path`` maps those paths
back to the files, as the mount would.
"""
import copy
import os

import jsonschema
import yaml
from awx_plugins.credentials import plugins as awx_builtin_types
from awx_plugins.interfaces._temporary_private_api import ManagedCredentialType
from awx_plugins.interfaces._temporary_private_container_api import CONTAINER_ROOT
from awx_plugins.interfaces._temporary_private_credential_api import Credential
from awx_plugins.interfaces._temporary_private_inject_api import (
    ENV_BLOCKLIST, HIDDEN_PASSWORD, inject_credential)
from jinja2 import StrictUndefined, sandbox
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError

# awx/main/fields.py, CredentialTypeInputField.schema
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

# awx/main/fields.py, CredentialTypeInjectorField.schema
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
            "patternProperties": {
                r"^[a-zA-Z_\{\}]+[a-zA-Z0-9_\{\}]*$": {"anyOf": [
                    {"type": "string"}, {"type": "array"}, {"$ref": "#/properties/extra_vars"}]},
            },
            "additionalProperties": False,
        },
    },
}

SECRET_MASK = HIDDEN_PASSWORD  # what AWX stores in place of a secret field's value


class CredentialTypeError(ValueError):
    """What AWX would answer when the credential type or credential is saved, or a job started."""


def load_credential_type(inputs_path, injectors_path):
    with open(inputs_path) as handle:
        inputs = yaml.safe_load(handle)
    with open(injectors_path) as handle:
        injectors = yaml.safe_load(handle)
    return inputs, injectors


def _schema_check(schema, value, what):
    # AWX validates with Draft4Validator (JSONSchemaField.validate) and reports every error.
    errors = [error.message for error in jsonschema.Draft4Validator(schema).iter_errors(value)]
    if errors:
        raise CredentialTypeError("%s: %s" % (what, "; ".join(errors)))


def _validate_inputs(inputs, managed):
    """awx/main/fields.py CredentialTypeInputField.validate, and for custom types
    awx/api/serializers.py CredentialTypeSerializer.validate (ask_at_runtime)."""
    if isinstance(inputs, dict) and "dependencies" in inputs and not managed:
        raise CredentialTypeError("'dependencies' is not supported for custom credentials.")
    _schema_check(INPUTS_SCHEMA, inputs, "inputs")
    ids = []
    for field in inputs.get("fields", []):
        if field["id"] == "tower":
            raise CredentialTypeError('"tower" is a reserved field name')
        if field["id"] in ids:
            raise CredentialTypeError("field IDs must be unique (%s)" % field["id"])
        ids.append(field["id"])
        field.setdefault("type", "string")  # AWX stores a field without type as a string
        if "default" in field:
            wanted = {"string": str, "boolean": bool}[field["type"]]
            if type(field["default"]) is not wanted:  # pylint: disable=unidiomatic-typecheck
                raise CredentialTypeError("%s is not a %s" % (field["default"], field["type"]))
        for key in ("choices", "multiline", "format", "secret"):
            if key in field and field["type"] != "string":
                raise CredentialTypeError("%s not allowed for %s type (%s)" % (key, field["type"], field["id"]))
        if field.get("ask_at_runtime", False) and not managed:
            raise CredentialTypeError("'ask_at_runtime' is not supported for custom credentials.")
    return ids


class _ExplodingNamespace:
    """``tower.filename`` when no unnamed file injector is defined (fields.py)."""

    def __str__(self):
        raise UndefinedError("Must define unnamed file injector in order to reference `tower.filename`.")


class _TowerNamespace:
    """The reserved ``tower`` namespace of the templates (fields.py)."""

    def __init__(self):
        self.filename = _ExplodingNamespace()

    def __str__(self):
        raise UndefinedError("Cannot directly reference reserved `tower` namespace container.")


def _env_var_allowed(env_var):
    """awx/main/fields.py CredentialTypeInjectorField.validate_env_var_allowed."""
    if env_var.startswith("ANSIBLE_"):
        raise CredentialTypeError("Environment variable %s may affect Ansible configuration so its use "
                                  "is not allowed in credentials." % env_var)
    if env_var in ENV_BLOCKLIST:
        raise CredentialTypeError("Environment variable %s is not allowed to be used in credentials." % env_var)


def _validate_injectors(injectors, ids):
    """awx/main/fields.py CredentialTypeInjectorField.validate: the schema, then every template
    rendered with only the defined fields (StrictUndefined) and AWX's ``tower`` namespace."""
    _schema_check(INJECTORS_SCHEMA, injectors, "injectors")
    namespace = dict((field_id, "EXAMPLE") for field_id in ids)
    namespace["tower"] = _TowerNamespace()
    names = [name for name in injectors.get("file", {}) if name.startswith("template")]
    if "template" in names:
        namespace["tower"].filename = "EXAMPLE_FILENAME"
        if len(names) > 1:
            raise CredentialTypeError("Must use multi-file syntax when injecting multiple files")
    else:
        for name in names:
            setattr(namespace["tower"].filename, name.split(".")[1], "EXAMPLE_FILENAME")
    environment = sandbox.ImmutableSandboxedEnvironment(undefined=StrictUndefined)

    def template(kind, key, text):
        try:
            environment.from_string(text).render(namespace)
        except UndefinedError as exc:
            raise CredentialTypeError("%s uses an undefined field (%s)" % (key, exc)) from exc
        except SecurityError as exc:
            raise CredentialTypeError("Encountered unsafe code execution: %s" % exc) from exc
        except TemplateSyntaxError as exc:
            raise CredentialTypeError("Syntax error rendering template for %s inside of %s (%s)"
                                      % (key, kind, exc)) from exc

    def extra_vars(key, node):
        if isinstance(node, dict):
            for sub, value in node.items():
                template("extra_vars", "a key" if key is None else key, sub)
                extra_vars(sub if key is None else "%s.%s" % (key, sub), value)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                extra_vars("%s[%d]" % (key, index), value)
        else:
            template("extra_vars", key, node)

    for kind, injector in injectors.items():
        if kind == "env":
            for key in injector:
                _env_var_allowed(key)
        if kind == "extra_vars":
            extra_vars(None, injector)
        else:
            for key, text in injector.items():
                template(kind, key, text)


def validate_credential_type(inputs, injectors, managed=False):
    """AWX's checks when a credential type is saved; returns the inputs as AWX stores them
    (``type`` filled in). Raises CredentialTypeError. ``managed``: a built-in type."""
    inputs = copy.deepcopy(inputs)
    ids = _validate_inputs(inputs, managed)
    _validate_injectors(injectors, ids)
    return inputs


def validate_credential_inputs(inputs, values):
    """awx/main/fields.py CredentialInputField.validate: a credential's values against the fields
    of its type (type, choices, no unknown keys). Required fields are not checked here (AWX saves
    a credential without them, see check_required)."""
    properties = {}
    for field in inputs.get("fields", []):
        field = dict(field)
        properties[field["id"]] = field
        if field.get("choices", []):
            field["enum"] = list(field["choices"])
    schema = {"type": "object", "properties": properties,
              "dependencies": inputs.get("dependencies", {}), "additionalProperties": False}
    _schema_check(schema, values, "inputs")


def check_required(inputs, values, name="EasyStack EOS"):
    """awx/main/models/unified_jobs.py UnifiedJob.pre_start: a job does not start while one of its
    credentials lacks a required field (a value of '' or None counts as missing:
    Credential.has_input)."""
    defined = [field.get("id") for field in inputs.get("fields", [])]
    missing = [required for required in inputs.get("required", [])
               if required in defined and values.get(required) in ("", None)]
    if missing:
        raise CredentialTypeError("Job cannot start because Credential %s does not provide one or more "
                                  "required fields (%s)." % (name, ", ".join(sorted(missing))))


def host_path(path, private_data_dir):
    """The file behind an in-container path ``/runner/...`` (the EE's mount of the directory)."""
    if isinstance(path, str) and path.startswith(CONTAINER_ROOT + "/"):
        return os.path.join(private_data_dir, path[len(CONTAINER_ROOT) + 1:])
    return path


def _inject(cred_type, values, private_data_dir):
    """AWX's inject_credential; ``(env, safe_env, extra_vars)`` with the container paths mapped."""
    env, safe_env, args = {}, {}, []
    inject_credential(cred_type, Credential(dict(values)), env, safe_env, args, private_data_dir)
    extra_vars = {}
    for flag, value in zip(args[::2], args[1::2]):
        assert flag == "-e" and value.startswith("@"), args
        with open(host_path(value[1:], private_data_dir)) as handle:
            extra_vars.update(yaml.safe_load(handle))
    env = dict((key, host_path(value, private_data_dir)) for key, value in env.items())
    return env, safe_env, extra_vars


def custom_type(inputs, injectors):
    """A custom credential type as AWX holds it once saved (checked first)."""
    return ManagedCredentialType(namespace="easystack_eos", name="EasyStack EOS", kind="cloud",
                                 inputs=validate_credential_type(inputs, injectors),
                                 injectors=injectors, managed=False)


def inject_custom(inputs, injectors, values, private_data_dir):
    """``(env, safe_env, extra_vars)`` of a credential of a custom type, from AWX's own code.

    ``values`` holds what the user filled in (fields left empty are absent, as in AWX); files of
    the ``file`` injector are written to ``<private_data_dir>/env/``. ``safe_env`` is what AWX
    stores with the job (secret fields masked).
    """
    cred_type = custom_type(inputs, injectors)
    validate_credential_inputs(cred_type.inputs, values)
    check_required(cred_type.inputs, values)
    return _inject(cred_type, values, private_data_dir)


def inject_openstack(values, private_data_dir):
    """``(env, safe_env, extra_vars)`` of AWX's built-in OpenStack credential, from AWX's own
    type and injector: a clouds.yaml and OS_CLIENT_CONFIG_FILE.

    ``values`` uses the credential's input names: host (the auth URL), username, password,
    project, and optionally project_domain_name, domain, region and verify_ssl.
    """
    cred_type = awx_builtin_types.openstack
    validate_credential_inputs(cred_type.inputs, values)
    check_required(cred_type.inputs, values, name=cred_type.name)
    return _inject(cred_type, values, private_data_dir)
