"""The "EasyStack EOS" custom credential type (docs/awx.md): it passes the port of AWX's save-time
checks (awx_credentials.py, held to AWX's own cases in test_awx_rules.py), AWX's own injection code
(awx-plugins) turns a credential of it into exactly the settings the user filled in, and the docs
show these very files. No test bed needed: the settings are resolved by the collection's own
options.py."""
import ast
import copy
import importlib
import sys
from pathlib import Path

import pytest

from awx_credentials import CredentialTypeError, inject_custom, inject_openstack, validate_credential_type

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]

SECRET_FIELDS = {"password", "application_credential_secret"}
INJECTED = {
    "OS_AUTH_URL", "OS_AUTH_TYPE", "OS_USERNAME", "OS_PASSWORD", "OS_PROJECT_NAME",
    "OS_USER_DOMAIN_NAME", "OS_PROJECT_DOMAIN_NAME", "OS_APPLICATION_CREDENTIAL_ID",
    "OS_APPLICATION_CREDENTIAL_SECRET", "OS_REGION_NAME", "OS_INTERFACE", "OS_CACERT",
}


@pytest.fixture(scope="module")
def options(collections):
    """The collection's plugins/module_utils/options.py, imported from the collections path."""
    sys.path.insert(0, str(collections))
    try:
        yield importlib.import_module("ansible_collections.easystack.eos.plugins.module_utils.options")
    finally:
        sys.path.remove(str(collections))


@pytest.fixture()
def private_data_dir(tmp_path):
    (tmp_path / "env").mkdir()
    return str(tmp_path)


def test_credential_type_passes_the_port_of_awx_save_checks(credential_type):
    validate_credential_type(*credential_type)


def test_port_rejects_an_undefined_field_in_our_type(credential_type):
    """The check above is real: a template naming an unknown field fails as in AWX."""
    inputs, injectors = copy.deepcopy(credential_type)
    injectors["env"]["OS_PROJECT_ID"] = "{{ project_id }}"
    with pytest.raises(CredentialTypeError, match="undefined field"):
        validate_credential_type(inputs, injectors)


def test_secrets_are_secret_fields(credential_type):
    inputs, _injectors = credential_type
    assert {f["id"] for f in inputs["fields"] if f.get("secret")} == SECRET_FIELDS
    assert inputs["required"] == ["auth_url"]


def test_injected_variables_are_the_modules_own(credential_type):
    """Every injected variable is one options.py reads (parsed, not imported)."""
    _inputs, injectors = credential_type
    tree = ast.parse((REPO / "plugins" / "module_utils" / "options.py").read_text())
    read = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and node.targets[0].id in ("ENV_AUTH", "ENV_TOP"):
            read |= set(ast.literal_eval(node.value))
    assert set(injectors["env"]) == INJECTED
    assert INJECTED <= read


def test_awx_injected_password_credential_resolves_to_the_users_login(credential_type, options, private_data_dir, tmp_path):
    values = {"auth_url": "https://eos.example.com:5000/v3", "username": "ops", "password": "pw-1",
              "project_name": "admin", "user_domain_name": "acme", "region_name": "RegionTwo",
              "interface": "internal", "cacert": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"}
    env, safe_env, _extra = inject_custom(*credential_type, values, private_data_dir)
    settings = options.resolve_connection({}, environ=env, cwd=str(tmp_path), home=str(tmp_path))
    assert settings.source == "the OS_* environment variables"
    assert settings.auth_type == "password"
    assert settings.auth == {"auth_url": values["auth_url"], "username": "ops", "password": "pw-1",
                             "project_name": "admin", "user_domain_name": "acme",
                             "project_domain_name": "acme"}
    assert (settings.region_name, settings.interface) == ("RegionTwo", "internal")
    with open(settings.verify) as handle:  # the CA file AWX wrote into the private data dir
        assert handle.read() == values["cacert"]
    assert "pw-1" not in str(safe_env)


def test_awx_injected_application_credential_resolves_to_it(credential_type, options, private_data_dir, tmp_path):
    values = {"auth_url": "https://eos.example.com:5000/v3", "application_credential_id": "app-1",
              "application_credential_secret": "s3cret"}
    env, safe_env, _extra = inject_custom(*credential_type, values, private_data_dir)
    settings = options.resolve_connection({}, environ=env, cwd=str(tmp_path), home=str(tmp_path))
    assert settings.auth_type == "v3applicationcredential"
    assert settings.auth == {"auth_url": values["auth_url"], "application_credential_id": "app-1",
                             "application_credential_secret": "s3cret",
                             "user_domain_name": "Default", "project_domain_name": "Default"}
    assert settings.verify is True and settings.interface == "public" and settings.region_name is None
    assert "s3cret" not in str(safe_env)


def test_awx_builtin_openstack_credential_resolves(options, private_data_dir, tmp_path):
    """AWX's OpenStack credential: its one cloud, 'domain' naming the user's and project's domain."""
    inputs = {"host": "https://eos.example.com:5000/v3", "username": "ops", "password": "pw-2",
              "project": "admin", "domain": "acme", "region": "RegionOne", "verify_ssl": False}
    env, _safe_env, _extra = inject_openstack(inputs, private_data_dir)
    settings = options.resolve_connection({}, environ=env, cwd=str(tmp_path), home=str(tmp_path))
    assert settings.source == "cloud 'devstack' in %s" % env["OS_CLIENT_CONFIG_FILE"]
    assert settings.auth == {"auth_url": "https://eos.example.com:5000/v3", "username": "ops",
                             "password": "pw-2", "project_name": "admin",
                             "user_domain_name": "acme", "project_domain_name": "acme"}
    assert (settings.region_name, settings.verify) == ("RegionOne", False)


def test_docs_show_these_files_verbatim():
    doc = (REPO / "docs" / "awx.md").read_text()
    for name in ("credential_type_inputs.yml", "credential_type_injectors.yml"):
        assert (HERE / name).read_text() in doc, "docs/awx.md must contain tests/awx/%s verbatim" % name
    for role in ("easystack.eos.domain_quotas", "easystack.eos.quota_report", "eos_domain_quotas"):
        assert role in doc
