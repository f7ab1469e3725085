# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where connection settings come from: task options, clouds.yaml, OS_* variables."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

import pytest
import yaml

from ansible_collections.easystack.eos.plugins.module_utils.auth import token_request
from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
from ansible_collections.easystack.eos.plugins.module_utils.options import (
    AUTH_KEYS, SECRET_AUTH_KEYS, clouds_file_candidates, connection_argument_spec, resolve_connection,
    variable_options)
from ansible_collections.easystack.eos.tests.unit.plugins.module_utils.eos_fakes import (
    APP_SECRET, PASSWORD, TOKEN, assert_no_secret)

pytestmark = pytest.mark.usefixtures("no_etc_openstack")

AUTH_URL = "https://keystone.example:5000/v3"


def cloud(username="alice", password=PASSWORD, **top):
    """A clouds.yaml entry with a complete password login."""
    entry = {"auth": {"auth_url": AUTH_URL, "username": username, "password": password,
                      "user_domain_name": "Default", "project_name": "admin",
                      "project_domain_name": "Default"}}
    entry.update(top)
    return entry


def task(**options):
    """Module params as AnsibleModule hands them over: every option present, None when unset."""
    params = dict((name, None) for name in connection_argument_spec())
    params["service_type"] = "identity"
    auth = options.pop("auth", None)
    if auth is not None:
        assert set(auth) <= set(AUTH_KEYS)
        params["auth"] = dict((key, auth.get(key)) for key in AUTH_KEYS)
    params.update(options)
    return params


class Places:
    """A fake cwd and home under tmp_path, and files written there."""

    def __init__(self, root):
        self.root = str(root)
        self.cwd = os.path.join(self.root, "cwd")
        self.home = os.path.join(self.root, "home")
        self.user_dir = os.path.join(self.home, ".config", "openstack")
        for directory in (self.cwd, self.user_dir):
            os.makedirs(directory)

    def write(self, path, data):
        path = os.path.join(self.root, path)
        if not os.path.isdir(os.path.dirname(path)):
            os.makedirs(os.path.dirname(path))
        mode = "wb" if isinstance(data, bytes) else "w"
        with open(path, mode) as handle:
            if isinstance(data, (bytes, str)):
                handle.write(data)
            elif path.endswith(".json"):
                json.dump(data, handle)
            else:
                yaml.safe_dump(data, handle)
        return path

    def clouds(self, clouds, where="cwd/clouds.yaml"):
        return self.write(where, {"clouds": clouds})

    def resolve(self, params=None, environ=None):
        return resolve_connection(params if params is not None else task(), environ=environ or {},
                                  cwd=self.cwd, home=self.home)

    def error(self, params=None, environ=None):
        with pytest.raises(EosError) as info:
            self.resolve(params, environ)
        assert_no_secret(info.value)
        return info.value


@pytest.fixture
def places(tmp_path):
    return Places(tmp_path)


# -- choosing the source --------------------------------------------------------------------------


def test_task_options_override_the_cloud_key_by_key(places):
    path = places.clouds({"prod": cloud(region_name="R1", interface="internal", api_timeout=12)})
    settings = places.resolve(task(cloud="prod", region_name="R2",
                                   auth={"password": "task-pw", "project_name": "other"}))
    assert settings.auth["username"] == "alice"
    assert settings.auth["password"] == "task-pw"
    assert settings.auth["project_name"] == "other"
    assert settings.auth["project_domain_name"] == "Default"
    assert settings.region_name == "R2"
    assert settings.interface == "internal"
    assert settings.api_timeout == 12.0
    assert settings.source == "cloud 'prod' in %s" % path


def test_a_task_name_replaces_the_clouds_id_for_the_same_thing(places):
    entry = cloud()
    entry["auth"].update(user_id="cloud-user-id", project_id="cloud-project-id")
    del entry["auth"]["username"], entry["auth"]["project_name"]
    places.clouds({"prod": entry})
    settings = places.resolve(task(cloud="prod", auth={"username": "bob", "project_name": "p2"}))
    assert "user_id" not in settings.auth and "project_id" not in settings.auth
    identity = token_request(settings)["auth"]["identity"]["password"]["user"]
    assert identity["name"] == "bob"
    assert token_request(settings)["auth"]["scope"]["project"]["name"] == "p2"
    # And the other way round: a task's ID replaces the cloud's name.
    places.clouds({"prod": cloud()})
    settings = places.resolve(task(cloud="prod", auth={"user_id": "u-1"}))
    assert settings.auth["user_id"] == "u-1" and "username" not in settings.auth


def test_os_cloud_chooses_among_several(places):
    places.clouds({"a": cloud("user-a"), "b": cloud("user-b")})
    assert places.resolve(environ={"OS_CLOUD": "b"}).auth["username"] == "user-b"


def test_cloud_option_beats_os_cloud(places):
    places.clouds({"a": cloud("user-a"), "b": cloud("user-b")})
    assert places.resolve(task(cloud="a"), {"OS_CLOUD": "b"}).auth["username"] == "user-a"


def test_cloud_as_dict_needs_no_file(places):
    settings = places.resolve(task(cloud=cloud("dict-user", region_name="R9")))
    assert settings.auth["username"] == "dict-user"
    assert settings.region_name == "R9"
    assert settings.source == "the task's cloud dict"


def test_cloud_of_another_type_is_an_error(places):
    error = places.error(task(cloud=["prod"]))
    assert "cloud must be the name" in str(error)


def test_named_cloud_not_in_file_lists_the_clouds_there(places):
    path = places.clouds({"a": cloud(), "b": cloud()})
    error = places.error(task(cloud="zzz"))
    assert "'zzz'" in str(error) and path in str(error) and "a, b" in str(error)


def test_named_cloud_without_any_file_lists_where_it_looked(places):
    error = places.error(environ={"OS_CLOUD": "prod"})
    assert "no clouds.yaml was found" in str(error)
    assert os.path.join(places.cwd, "clouds.yaml") in str(error)
    assert os.path.join(places.user_dir, "clouds.yaml") in str(error)


def test_environment_source(places):
    environ = {
        "OS_AUTH_URL": AUTH_URL, "OS_USERNAME": "envuser", "OS_PASSWORD": PASSWORD,
        "OS_USER_DOMAIN_NAME": "UD", "OS_PROJECT_NAME": "proj", "OS_TENANT_NAME": "tenant",
        "OS_PROJECT_DOMAIN_ID": "pdid", "OS_REGION_NAME": "RegionTwo",
        "OS_ENDPOINT_TYPE": "internalURL", "OS_CACERT": "/etc/ssl/eos-ca.pem",
    }
    settings = places.resolve(environ=environ)
    assert settings.source == "the OS_* environment variables"
    assert settings.auth == {
        "auth_url": AUTH_URL, "username": "envuser", "password": PASSWORD, "user_domain_name": "UD",
        "project_name": "proj", "project_domain_id": "pdid"}
    assert settings.region_name == "RegionTwo"
    assert settings.interface == "internal"
    assert settings.verify == "/etc/ssl/eos-ca.pem"
    assert settings.auth_type == "password"


def test_environment_old_names_and_task_overrides(places):
    environ = {"OS_AUTH_URL": AUTH_URL, "OS_USER_ID": "uid", "OS_PASSWORD": PASSWORD,
               "OS_TENANT_ID": "tid", "OS_INTERFACE": "admin", "OS_REGION_NAME": "RegionTwo"}
    settings = places.resolve(task(region_name="RegionOne", interface="public"), environ)
    assert settings.auth["project_id"] == "tid"
    assert settings.region_name == "RegionOne"
    assert settings.interface == "public"


def test_environment_is_ignored_when_a_cloud_is_named(places):
    places.clouds({"prod": cloud("clouduser", password="cloud-pw")})
    environ = {"OS_AUTH_URL": "https://env.example/v3", "OS_USERNAME": "envuser",
               "OS_PASSWORD": "env-pw", "OS_PROJECT_ID": "envproject", "OS_REGION_NAME": "EnvRegion",
               "OS_INTERFACE": "admin"}
    for params, env in ((task(cloud="prod"), environ), (task(), dict(environ, OS_CLOUD="prod"))):
        settings = places.resolve(params, env)
        assert settings.auth["auth_url"] == AUTH_URL
        assert settings.auth["username"] == "clouduser"
        assert "project_id" not in settings.auth
        assert "env-pw" not in settings.auth.values()
        assert settings.region_name is None
        assert settings.interface == "public"


def test_clouds_yaml_is_ignored_when_os_auth_url_is_set(places):
    places.clouds({"only": cloud("clouduser", region_name="CloudRegion")})
    settings = places.resolve(environ={"OS_AUTH_URL": AUTH_URL, "OS_USER_ID": "uid",
                                       "OS_PASSWORD": PASSWORD, "OS_PROJECT_ID": "pid"})
    assert settings.auth == {"auth_url": AUTH_URL, "user_id": "uid", "password": PASSWORD,
                             "project_id": "pid"}
    assert settings.region_name is None


def test_the_only_cloud_is_used(places):
    path = places.clouds({"only": cloud("onlyuser")})
    settings = places.resolve()
    assert settings.auth["username"] == "onlyuser"
    assert settings.source == "cloud 'only' in %s" % path


def test_the_only_cloud_is_not_used_when_the_task_has_an_auth_url(places):
    places.clouds({"only": cloud("onlyuser", region_name="CloudRegion")})
    settings = places.resolve(task(auth={"auth_url": AUTH_URL, "user_id": "uid", "password": PASSWORD,
                                         "project_id": "pid"}))
    assert settings.source == "the task's options"
    assert "username" not in settings.auth
    assert settings.region_name is None


def test_several_clouds_and_none_chosen(places):
    path = places.clouds({"beta": cloud(), "alpha": cloud()})
    error = places.error()
    assert path in str(error) and "alpha, beta" in str(error) and "OS_CLOUD" in str(error)


def test_no_credentials_lists_where_it_looked(places):
    error = places.error(environ={"OS_CLIENT_CONFIG_FILE": "/nowhere/clouds.yaml"})
    text = str(error)
    assert text.startswith("No credentials")
    for where in ("/nowhere/clouds.yaml", os.path.join(places.cwd, "clouds.yaml"),
                  os.path.join(places.user_dir, "clouds.yaml"), "/etc/openstack/clouds.yaml",
                  "OS_AUTH_URL", "OS_CLOUD"):
        assert where in text


def test_no_auth_url_in_the_cloud(places):
    entry = cloud()
    del entry["auth"]["auth_url"]
    places.clouds({"prod": entry})
    error = places.error(task(cloud="prod"))
    assert "No auth_url" in str(error) and "cloud 'prod'" in str(error)


# -- clouds.yaml discovery ------------------------------------------------------------------------


def test_clouds_file_candidates_order():
    assert clouds_file_candidates({"OS_CLIENT_CONFIG_FILE": "/x/my.yaml"}, "/cwd", "/home/u") == [
        "/x/my.yaml",
        "/cwd/clouds.yaml", "/cwd/clouds.yml", "/cwd/clouds.json",
        "/home/u/.config/openstack/clouds.yaml", "/home/u/.config/openstack/clouds.yml",
        "/home/u/.config/openstack/clouds.json",
        "/etc/openstack/clouds.yaml", "/etc/openstack/clouds.yml", "/etc/openstack/clouds.json",
    ]
    secure = clouds_file_candidates({"OS_CLIENT_CONFIG_FILE": "/x/my.yaml", "OS_CLIENT_SECURE_FILE": "/s.yaml"},
                                    "/cwd", "/home/u", ("secure.yaml",), "OS_CLIENT_SECURE_FILE")
    assert secure == ["/s.yaml", "/cwd/secure.yaml", "/home/u/.config/openstack/secure.yaml",
                      "/etc/openstack/secure.yaml"]


def test_clouds_file_discovery_order(places):
    env_file = places.clouds({"c": cloud("from-env-file")}, "elsewhere/my-clouds.yaml")
    cwd_file = places.clouds({"c": cloud("from-cwd")}, "cwd/clouds.yaml")
    places.clouds({"c": cloud("from-cwd-yml")}, "cwd/clouds.yml")
    user_file = places.clouds({"c": cloud("from-home")}, "home/.config/openstack/clouds.yaml")
    environ = {"OS_CLIENT_CONFIG_FILE": env_file}
    assert places.resolve(environ=environ).auth["username"] == "from-env-file"
    os.remove(env_file)
    assert places.resolve(environ=environ).auth["username"] == "from-cwd"
    os.remove(cwd_file)
    assert places.resolve(environ=environ).auth["username"] == "from-cwd-yml"
    os.remove(os.path.join(places.cwd, "clouds.yml"))
    settings = places.resolve(environ=environ)
    assert settings.auth["username"] == "from-home"
    assert user_file in settings.source


def test_clouds_json(places):
    places.clouds({"j": cloud("json-user")}, "cwd/clouds.json")
    assert places.resolve().auth["username"] == "json-user"


def test_secure_yaml_is_merged(places):
    entry = cloud()
    del entry["auth"]["password"]
    places.clouds({"prod": entry, "other": cloud()})
    places.write("cwd/secure.yaml", {"clouds": {"prod": {"auth": {"password": "from-secure"}}}})
    settings = places.resolve(task(cloud="prod"))
    assert settings.auth["password"] == "from-secure"
    assert settings.auth["username"] == "alice"
    assert settings.secrets == ["from-secure"]


def test_secure_file_from_environment_wins(places):
    entry = cloud()
    del entry["auth"]["password"]
    places.clouds({"prod": entry})
    places.write("cwd/secure.yaml", {"clouds": {"prod": {"auth": {"password": "cwd-secure"}}}})
    secure = places.write("vault/s.yaml", {"clouds": {"prod": {"auth": {"password": "env-secure"}}}})
    settings = places.resolve(environ={"OS_CLOUD": "prod", "OS_CLIENT_SECURE_FILE": secure})
    assert settings.auth["password"] == "env-secure"


@pytest.mark.parametrize("content", [
    "clouds: [unclosed",
    "- just\n- a list\n",
    "clouds:\n  - a\n  - b\n",
    b"\xff\xfe\x00clouds",
    "clouds:\n  prod: just-a-string\n",
    "clouds:\n  prod:\n    auth: not-a-mapping\n",
    "clouds:\n  prod:\n    auth:\n      auth_url: [\n",
], ids=["bad-yaml", "list", "clouds-list", "not-text", "cloud-string", "auth-string", "truncated"])
def test_malformed_clouds_yaml_is_an_eos_error(places, content):
    places.write("cwd/clouds.yaml", content)
    error = places.error(task(cloud="prod"))
    assert "clouds.yaml" in str(error) or "cloud 'prod'" in str(error)


def test_malformed_clouds_json_is_an_eos_error(places):
    places.write("cwd/clouds.json", "{not json")
    error = places.error()
    assert "clouds.json is not valid YAML/JSON" in str(error)


def test_malformed_secure_yaml_is_an_eos_error(places):
    places.clouds({"prod": cloud()})
    places.write("cwd/secure.yaml", "clouds: [")
    assert "secure.yaml" in str(places.error(task(cloud="prod")))


def test_unknown_auth_keys_are_an_error(places):
    entry = cloud()
    entry["auth"].update(tenant_nme="typo", passwrd="x")
    places.clouds({"prod": entry})
    error = places.error(task(cloud="prod"))
    assert "Unknown auth keys passwrd, tenant_nme" in str(error)
    assert "cloud 'prod'" in str(error) and "project_name" in str(error)


def test_empty_auth_values_are_ignored(places):
    entry = cloud()
    entry["auth"].update(user_domain_id="", project_id=None)
    places.clouds({"prod": entry})
    settings = places.resolve(task(cloud="prod"))
    assert "user_domain_id" not in settings.auth and "project_id" not in settings.auth


def test_values_become_strings(places):
    entry = cloud()
    entry["auth"]["project_id"] = 12345
    places.clouds({"prod": entry})
    assert places.resolve(task(cloud="prod")).auth["project_id"] == "12345"


# -- AWX ------------------------------------------------------------------------------------------


def test_awx_credential_shape(places):
    awx = places.write("awx/tmp/clouds.yaml", {"clouds": {"devstack": {
        "auth": {"auth_url": AUTH_URL, "username": "awxuser", "password": PASSWORD,
                 "project_name": "ops", "project_domain_name": "ProjDomain", "domain_name": "UserDomain"},
        "verify": False, "region_name": "RegionOne"}}})
    settings = places.resolve(task(), {"OS_CLIENT_CONFIG_FILE": awx})
    assert settings.auth_type == "password"
    assert settings.verify is False
    assert settings.region_name == "RegionOne"
    assert settings.interface == "public"
    assert settings.auth["user_domain_name"] == "UserDomain"
    assert settings.auth["project_domain_name"] == "ProjDomain"
    assert "domain_name" not in settings.auth
    body = token_request(settings)
    assert body["auth"]["identity"]["password"]["user"] == {
        "name": "awxuser", "domain": {"name": "UserDomain"}, "password": PASSWORD}
    assert body["auth"]["scope"] == {"project": {"name": "ops", "domain": {"name": "ProjDomain"}}}


# -- auth details ---------------------------------------------------------------------------------


def test_domain_name_fills_user_and_project_domain(places):
    settings = places.resolve(task(auth={"auth_url": AUTH_URL, "username": "u", "password": PASSWORD,
                                         "project_name": "p", "domain_name": "D"}))
    assert settings.auth["user_domain_name"] == "D"
    assert settings.auth["project_domain_name"] == "D"
    assert "domain_name" not in settings.auth


def test_domain_id_fills_only_missing_domains(places):
    settings = places.resolve(task(auth={"auth_url": AUTH_URL, "username": "u", "password": PASSWORD,
                                         "project_id": "p", "user_domain_name": "UD", "domain_id": "did"}))
    assert settings.auth["user_domain_name"] == "UD"
    assert "user_domain_id" not in settings.auth
    assert settings.auth["project_domain_id"] == "did"
    assert "domain_id" not in settings.auth


def test_domain_name_without_project_stays_the_scope(places):
    settings = places.resolve(task(auth={"auth_url": AUTH_URL, "user_id": "u", "password": PASSWORD,
                                         "domain_name": "D"}))
    assert settings.auth["domain_name"] == "D"
    assert "user_domain_name" not in settings.auth
    assert token_request(settings)["auth"]["scope"] == {"domain": {"name": "D"}}


@pytest.mark.parametrize("auth, expected", [
    ({"application_credential_id": "acid", "application_credential_secret": APP_SECRET},
     "v3applicationcredential"),
    ({"token": TOKEN, "project_id": "p"}, "token"),
    ({"token": TOKEN, "password": PASSWORD, "user_id": "u", "project_id": "p"}, "password"),
    ({"user_id": "u", "password": PASSWORD, "project_id": "p"}, "password"),
])
def test_auth_type_is_inferred(places, auth, expected):
    settings = places.resolve(task(auth=dict(auth, auth_url=AUTH_URL)))
    assert settings.auth_type == expected


@pytest.mark.parametrize("given, expected", [
    ("v3password", "password"), ("Password", "password"), ("v3token", "token"), ("token", "token"),
    ("application_credential", "v3applicationcredential"),
    ("V3ApplicationCredential", "v3applicationcredential"),
])
def test_auth_type_aliases(places, given, expected):
    places.clouds({"prod": cloud(auth_type=given)})
    assert places.resolve(task(cloud="prod")).auth_type == expected
    assert places.resolve(task(cloud="prod", auth_type=given)).auth_type == expected


def test_task_auth_type_overrides_the_cloud(places):
    places.clouds({"prod": cloud(auth_type="v3token")})
    assert places.resolve(task(cloud="prod", auth_type="password")).auth_type == "password"


def test_unsupported_auth_type(places):
    places.clouds({"prod": cloud(auth_type="v3oidcpassword")})
    error = places.error(task(cloud="prod"))
    assert "v3oidcpassword" in str(error)
    assert "password, token, v3applicationcredential" in str(error)


# -- interface, TLS, timeout ----------------------------------------------------------------------


def test_interface_from_clouds_yaml_kept_unless_set(places):
    places.clouds({"prod": cloud(interface="internal")})
    assert places.resolve(task(cloud="prod")).interface == "internal"
    assert places.resolve(task(cloud="prod", interface="admin")).interface == "admin"


def test_invalid_interface_in_clouds_yaml(places):
    places.clouds({"prod": cloud(interface="private")})
    error = places.error(task(cloud="prod"))
    assert "interface 'private'" in str(error) and "public, internal, admin" in str(error)


@pytest.mark.parametrize("top, params, expected", [
    ({}, {}, True),
    ({"verify": False}, {}, False),
    ({"verify": "no"}, {}, False),
    ({"verify": "yes"}, {}, True),
    ({"verify": False}, {"validate_certs": True}, True),
    ({}, {"validate_certs": False}, False),
    ({"cacert": "/ca/cloud.pem"}, {}, "/ca/cloud.pem"),
    ({"cacert": "/ca/cloud.pem"}, {"ca_cert": "/ca/task.pem"}, "/ca/task.pem"),
    ({}, {"ca_cert": "/ca/task.pem", "validate_certs": False}, False),
    ({"verify": False, "cacert": "/ca/cloud.pem"}, {}, False),
    ({"verify": True}, {"ca_cert": "/ca/task.pem"}, "/ca/task.pem"),
], ids=["default", "cloud-false", "cloud-no", "cloud-yes", "task-beats-cloud", "task-false", "cloud-cacert",
        "task-cacert", "false-beats-cacert", "cloud-false-beats-cacert", "cacert-with-true"])
def test_verify_and_ca_cert(places, top, params, expected):
    places.clouds({"prod": cloud(**top)})
    assert places.resolve(task(cloud="prod", **params)).verify == expected


def test_client_cert_and_key(places):
    places.clouds({"prod": cloud(cert="/c/cloud.crt", key="/c/cloud.key")})
    settings = places.resolve(task(cloud="prod"))
    assert (settings.client_cert, settings.client_key) == ("/c/cloud.crt", "/c/cloud.key")
    settings = places.resolve(task(cloud="prod", client_cert="/c/task.crt"))
    assert (settings.client_cert, settings.client_key) == ("/c/task.crt", "/c/cloud.key")


@pytest.mark.parametrize("cloud_value, task_value, expected", [
    (None, None, 30.0), (12, None, 12.0), ("7.5", None, 7.5), (12, 3.0, 3.0),
])
def test_api_timeout(places, cloud_value, task_value, expected):
    top = {} if cloud_value is None else {"api_timeout": cloud_value}
    places.clouds({"prod": cloud(**top)})
    assert places.resolve(task(cloud="prod", api_timeout=task_value)).api_timeout == expected


@pytest.mark.parametrize("value, words", [
    ("soon", "must be a number"), ([1], "must be a number"), (0, "above 0"), (-5, "above 0"),
])
def test_api_timeout_validation(places, value, words):
    places.clouds({"prod": cloud(api_timeout=value)})
    assert words in str(places.error(task(cloud="prod")))


# -- secrets --------------------------------------------------------------------------------------


def test_secret_options_are_no_log():
    spec = connection_argument_spec()
    suboptions = spec["auth"]["options"]
    assert sorted(key for key, option in suboptions.items() if option.get("no_log")) == sorted(SECRET_AUTH_KEYS)
    assert spec["client_key"]["no_log"] is True


def test_secrets_and_describe_identity(places):
    settings = places.resolve(task(auth={"auth_url": AUTH_URL, "username": "u", "password": PASSWORD,
                                         "token": TOKEN, "user_domain_name": "UD", "project_name": "p",
                                         "project_domain_name": "PD"}))
    assert sorted(settings.secrets) == sorted([PASSWORD, TOKEN])
    who = settings.describe_identity()
    assert who == "user u (domain UD), project p (domain PD) at %s" % AUTH_URL
    assert PASSWORD not in who and TOKEN not in who
    app = places.resolve(task(auth={"auth_url": AUTH_URL, "application_credential_id": "acid",
                                    "application_credential_secret": APP_SECRET}))
    assert app.secrets == [APP_SECRET]
    assert app.describe_identity() == "application credential acid at %s" % AUTH_URL


@pytest.mark.parametrize("option, value, words", [
    ("auth_url", "https://keystone.example/v3?x=1", "query string or fragment"),
    ("auth_url", "https://keystone.example/v3#x", "query string or fragment"),
    ("auth_url", "keystone.example:5000/v3", "must start with https://"),
    ("auth_url", "https://svc:S3cret@key stone/v3", "contains a space"),
    ("endpoint_override", "https://eos.example/v3?q=1", "query string or fragment"),
    ("endpoint_override", "", "is empty"),
])
def test_urls_are_checked_before_any_request(places, option, value, words):
    params = task(auth={"auth_url": "https://keystone.example/v3", "username": "admin",
                        "password": "pw", "user_domain_name": "Default", "project_name": "admin",
                        "project_domain_name": "Default"})
    if option == "auth_url":
        params["auth"]["auth_url"] = value
    else:
        params[option] = value
    with pytest.raises(EosError) as info:
        places.resolve(params)
    assert words in str(info.value) and "S3cret" not in str(info.value)


def test_a_url_password_is_a_secret_of_the_settings(places):
    params = task(auth={"auth_url": "https://svc:S3cret@keystone.example/v3", "username": "admin",
                        "password": "pw", "user_domain_name": "Default", "project_name": "admin",
                        "project_domain_name": "Default"})
    assert "S3cret" in places.resolve(params).secrets


@pytest.mark.parametrize("name, text, secret", [
    ("clouds.yaml", 'clouds:\n  prod:\n    auth:\n      password: "devstacker" x\n', "devstacker"),
    ("clouds.yaml", "clouds:\n  prod:\n    auth:\n      application_credential_secret: abc: def\n",
     "abc: def"),
    ("clouds.json", '{"clouds": {"prod": {"auth": {"password": "Json-Secret-1\\x"}}}}', "Json-Secret-1"),
])
def test_a_config_file_that_does_not_parse_names_line_and_column_never_its_text(
        places, name, text, secret):
    path = os.path.join(places.cwd, name)
    with open(path, "w") as handle:
        handle.write(text)
    error = places.error(task(cloud="prod"))
    assert "is not valid YAML/JSON: error at line" in str(error) and ", column " in str(error)
    assert secret not in str(error) and "abc" not in str(error)


def test_roles_variables_are_the_connection_options_with_the_eos_prefix():
    mapping = variable_options()
    assert mapping["eos_cloud"] == "cloud" and mapping["eos_auth"] == "auth"
    assert mapping["eos_allow_http_endpoints"] == "allow_http_endpoints"
    assert sorted(mapping.values()) == sorted(connection_argument_spec())
