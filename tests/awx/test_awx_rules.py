"""The port of AWX's save-time checks (awx_credentials.py) held to AWX's own test cases, and the
injection path (AWX's own inject_credential from awx-plugins, plus the tests' mapping of
container paths and extra-vars files) held to AWX's own injection cases.

The cases are copied from ansible/awx (commit e21dd0a0933fd544d1fe2513c54fe41203775eb5), file and
test function named above each table; only the expected outcome is kept (accepted or refused,
and AWX's message where its test checks one). No test bed needed.
"""
import pytest

from awx_credentials import (
    SECRET_MASK, CredentialTypeError, check_required, inject_custom, inject_openstack,
    validate_credential_inputs, validate_credential_type)

# awx/main/tests/unit/test_fields.py: test_cred_type_input_schema_validity (a managed type there)
INPUT_CASES = [
    ({}, True),
    ({'fields': []}, True),
    ({'fields': {}}, False),
    ({'fields': 123}, False),
    ({'fields': [{'id': 'username', 'label': 'Username', 'foo': 'bar'}]}, False),
    ({'fields': [{'id': 'username', 'label': 'Username'}]}, True),
    ({'fields': [{'id': 'username', 'label': 'Username', 'type': 'string'}]}, True),
    ({'fields': [{'id': 'username', 'label': 'Username', 'help_text': 1}]}, False),
    ({'fields': [{'id': 'username', 'label': 'Username', 'help_text': 'Help Text'}]}, True),
    ({'fields': [{'id': 'username', 'label': 'Username'}, {'id': 'username', 'label': 'Username 2'}]}, False),
    ({'fields': [{'id': '$invalid$', 'label': 'Invalid', 'type': 'string'}]}, False),
    ({'fields': [{'id': 'password', 'label': 'Password', 'type': 'invalid-type'}]}, False),
    ({'fields': [{'id': 'ssh_key', 'label': 'SSH Key', 'type': 'string', 'format': 'ssh_private_key'}]}, True),
    ({'fields': [{'id': 'flag', 'label': 'Some Flag', 'type': 'boolean'}]}, True),
    ({'fields': [{'id': 'flag', 'label': 'Some Flag', 'type': 'boolean', 'choices': ['a', 'b']}]}, False),
    ({'fields': [{'id': 'flag', 'label': 'Some Flag', 'type': 'boolean', 'secret': True}]}, False),
    ({'fields': [{'id': 'certificate', 'label': 'Cert', 'multiline': True}]}, True),
    ({'fields': [{'id': 'certificate', 'label': 'Cert', 'multiline': True, 'type': 'boolean'}]}, False),
    ({'fields': [{'id': 'certificate', 'label': 'Cert', 'multiline': 'bad'}]}, False),
    ({'fields': [{'id': 'token', 'label': 'Token', 'secret': True}]}, True),
    ({'fields': [{'id': 'token', 'label': 'Token', 'secret': 'bad'}]}, False),
    ({'fields': [{'id': 'token', 'label': 'Token', 'ask_at_runtime': True}]}, True),
    ({'fields': [{'id': 'token', 'label': 'Token', 'ask_at_runtime': 'bad'}]}, False),
    ({'fields': [{'id': 'become_method', 'label': 'Become', 'choices': 'not-a-list'}]}, False),
    ({'fields': [{'id': 'become_method', 'label': 'Become', 'choices': []}]}, False),
    ({'fields': [{'id': 'become_method', 'label': 'Become', 'choices': ['su', 'sudo']}]}, True),
    ({'fields': [{'id': 'become_method', 'label': 'Become', 'choices': ['dup', 'dup']}]}, False),
    ({'fields': [{'id': 'tower', 'label': 'Reserved!'}]}, False),
]

# awx/main/tests/unit/test_fields.py: test_cred_type_injectors_schema (its four input fields)
INJECTOR_FIELDS = {'fields': [{'id': name, 'type': 'string', 'label': '_'}
                              for name in ('username', 'pass', 'awx_secret', 'host')]}
INJECTOR_CASES = [
    ({}, True),
    ({'invalid-injector': {}}, False),
    ({'file': 123}, False),
    ({'file': {}}, True),
    ({'file': {'template': '{{username}}'}}, True),
    ({'file': {'template.username': '{{username}}'}}, True),
    ({'file': {'template.username': '{{username}}', 'template.password': '{{pass}}'}}, True),
    ({'file': {'template': '{{username}}', 'template.password': '{{pass}}'}}, False),
    ({'env': {'FROM_FILE': "{{tower.filename.cert}}"}}, False),
    ({'env': {'FROM_FILE': "{{tower.filename}}"}}, False),
    ({'env': {'FROM_FILE': "{{tower}}"}}, False),
    ({'file': {'template.cert': '{{awx_secret}}'}, 'env': {'FROM_FILE': "{{tower.filename.cert}}"}}, True),
    ({'file': {'template.cert': '{{awx_secret}}'}, 'env': {'FROM_FILE': "{{tower.filename}}"}}, False),
    ({'file': {'template': '{{awx_secret}}'}, 'env': {'THE_FILENAME': "{{tower.filename}}"}}, True),
    ({'file': {'foo': 'bar'}}, False),
    ({'env': 123}, False),
    ({'env': {}}, True),
    ({'env': {'AWX_SECRET': '{{awx_secret}}'}}, True),
    ({'env': {'AWX_SECRET_99': '{{awx_secret}}'}}, True),
    ({'env': {'99': '{{awx_secret}}'}}, False),
    ({'env': {'AWX_SECRET=': '{{awx_secret}}'}}, False),
    ({'env': {'ANSIBLE_SETTING': '{{awx_secret}}'}}, False),
    ({'env': {'DRAGON': u'\U0001f409'}}, False),
    ({'env': {u'\U0001f409': 'DRAGON'}}, False),
    ({'extra_vars': 123}, False),
    ({'extra_vars': {}}, True),
    ({'extra_vars': {'hostname': '{{host}}'}}, True),
    ({'extra_vars': {'hostname_99': '{{host}}'}}, True),
    ({'extra_vars': {'99': '{{host}}'}}, False),
    ({'extra_vars': {'99=': '{{host}}'}}, False),
    # awx/main/tests/functional/api/test_credential_type.py: test_create_with_invalid_injectors_xfail
    (True, False), (100, False), ([1, 2, 3, 4], False), ('malformed', False),
    ({'mal': 'formed'}, False), ({'env': {'ENV_VAR': 123}, 'mal': 'formed'}, False),
    ({'env': True}, False), ({'env': [1, 2, 3]}, False), ({'file': True}, False),
    ({'file': [1, 2, 3]}, False), ({'extra_vars': True}, False), ({'extra_vars': [1, 2, 3]}, False),
    # awx/main/tests/unit/test_tasks.py: test_custom_environment_injectors_with_nested_extra_vars,
    # _with_templated_extra_vars_key (types AWX runs, so it saved them)
    ({'extra_vars': {'auth': {'host': '{{host}}'}}}, True),
    ({'extra_vars': {'{{username}}_auth': {'host': '{{host}}'}}}, True),
    # awx/main/fields.py CredentialTypeInjectorField.validate: ENV_BLOCKLIST (awx/main/constants.py),
    # a template syntax error, unsafe code and an undefined field in an extra_vars key are refused
    ({'env': {'JOB_ID': '{{host}}'}}, False),
    ({'env': {'AWX_HOST_NAME': '{{host'}}, False),
    ({'env': {'AWX_X': '{{ host.__class__.__mro__ }}'}}, False),
    ({'extra_vars': {'{{nope}}_auth': '{{host}}'}}, False),
]


@pytest.mark.parametrize("inputs, valid", INPUT_CASES)
def test_port_input_checks_agree_with_awx(inputs, valid):
    if valid:
        validate_credential_type(inputs, {}, managed=True)
    else:
        with pytest.raises(CredentialTypeError):
            validate_credential_type(inputs, {}, managed=True)


@pytest.mark.parametrize("injectors, valid", INJECTOR_CASES)
def test_port_injector_checks_agree_with_awx(injectors, valid):
    if valid:
        validate_credential_type(INJECTOR_FIELDS, injectors, managed=True)
    else:
        with pytest.raises(CredentialTypeError):
            validate_credential_type(INJECTOR_FIELDS, injectors, managed=True)


# awx/main/tests/functional/api/test_credential_type.py: test_create_with_invalid_inputs_xfail
@pytest.mark.parametrize("inputs", [
    True, 100, [1, 2, 3, 4], 'malformed', {'feelds': {}}, {'fields': [123, 234, 345]},
    {'fields': [{'id': 'one', 'label': 'One'}, 234]},
    {'feelds': {}, 'fields': [{'id': 'one', 'label': 'One'}, 234]},
])
def test_port_refuses_awx_invalid_inputs(inputs):
    with pytest.raises(CredentialTypeError):
        validate_credential_type(inputs, {})


# awx/main/tests/functional/api/test_credential_type.py: test_create_with_default_string,
# test_create_with_default_bool ("{} is not a string" / "{} is not a boolean")
@pytest.mark.parametrize("kind, default, valid", [
    ('string', 'some default string', True), ('string', None, False), ('string', True, False),
    ('string', False, False), ('boolean', 'some default string', False), ('boolean', None, False),
    ('boolean', True, True), ('boolean', False, True)])
def test_port_checks_defaults_as_awx(kind, default, valid):
    inputs = {'fields': [{'id': 'api_token', 'label': 'API Token', 'type': kind, 'default': default}],
              'required': ['api_token']}
    if valid:
        validate_credential_type(inputs, {})
    else:
        with pytest.raises(CredentialTypeError, match="%s is not a %s" % (default, kind)):
            validate_credential_type(inputs, {})


def test_port_custom_type_rules_as_awx():
    """awx/main/tests/functional/api/test_credential_type.py: test_create_dependencies_not_supported,
    test_ask_at_runtime_xfail (custom types only), test_create_with_undefined_template_variable_xfail,
    test_create_with_valid_injectors, test_create_with_required_inputs."""
    token = {'id': 'api_token', 'label': 'API Token', 'type': 'string', 'secret': True}
    with pytest.raises(CredentialTypeError, match="'dependencies' is not supported for custom credentials."):
        validate_credential_type({'dependencies': {'foo': ['bar']}}, {})
    # (AWX's test injects ANSIBLE_MY_CLOUD_TOKEN, refused anyway: here only ask_at_runtime can refuse)
    with pytest.raises(CredentialTypeError, match="'ask_at_runtime' is not supported for custom credentials."):
        validate_credential_type({'fields': [dict(token, ask_at_runtime=True)]},
                                 {'env': {'AWX_MY_CLOUD_TOKEN': '{{api_token}}'}})
    with pytest.raises(CredentialTypeError, match="'api_tolkien' is undefined"):
        validate_credential_type({'fields': [token]}, {'env': {'AWX_MY_CLOUD_TOKEN': '{{api_tolkien}}'}})
    validate_credential_type({'fields': [token]}, {'env': {'AWX_MY_CLOUD_TOKEN': '{{api_token}}'}})
    validate_credential_type({'fields': [token], 'required': ['api_token']}, {})
    # a field saved without a type is stored as a string (CredentialTypeInputField.validate)
    assert validate_credential_type({'fields': [{'id': 'x', 'label': 'X'}]}, {})['fields'][0]['type'] == 'string'


# awx/main/tests/unit/test_fields.py: test_credential_creation_validation_failure
@pytest.mark.parametrize("values", [
    ['must-be-a-dict'], {'user': 'wrong-key'}, {'username': 1}, {'username': 1.5},
    {'username': ['a', 'b', 'c']}, {'username': {'a': 'b'}}, {'flag': 1}, {'flag': 1.5},
    {'flag': ['a', 'b', 'c']}, {'flag': {'a': 'b'}}, {'flag': 'some-string'},
])
def test_port_credential_value_checks_as_awx(values):
    inputs = {'fields': [{'id': 'username', 'label': 'Username for SomeCloud', 'type': 'string'},
                         {'id': 'flag', 'label': 'Some Boolean Flag', 'type': 'boolean'}]}
    validate_credential_inputs(inputs, {'username': 'bob', 'flag': True})
    with pytest.raises(CredentialTypeError):
        validate_credential_inputs(inputs, values)


def test_port_credential_choices_as_awx():
    """awx/main/tests/functional/test_credential.py: test_choices_validity (choices become an enum)."""
    inputs = {'fields': [{'id': 'become_method', 'label': 'Become', 'type': 'string', 'choices': ['su', 'sudo']}]}
    validate_credential_inputs(inputs, {'become_method': 'sudo'})
    with pytest.raises(CredentialTypeError):
        validate_credential_inputs(inputs, {'become_method': 'not-a-choice'})


def test_port_required_fields_stop_the_job_as_awx(tmp_path):
    """awx/main/tests/functional/api/test_credential.py: test_openstack_create_fail_required_fields:
    AWX saves an OpenStack credential without inputs, the job does not start (UnifiedJob.pre_start)."""
    (tmp_path / "env").mkdir()
    with pytest.raises(CredentialTypeError, match=r"required fields \(host, password, project, username\)"):
        inject_openstack({}, str(tmp_path))
    check_required({'fields': [{'id': 'a', 'label': 'A'}], 'required': ['a', 'not_a_field']}, {'a': 'x'})
    with pytest.raises(CredentialTypeError, match=r"required fields \(a\)"):
        check_required({'fields': [{'id': 'a', 'label': 'A'}], 'required': ['a']}, {'a': ''})


def _custom(fields, injectors, values, tmp_path):
    (tmp_path / "env").mkdir(exist_ok=True)
    inputs = {'fields': [dict(field, label=field['id']) for field in fields]}
    return inject_custom(inputs, injectors, values, str(tmp_path))


# awx/main/tests/unit/test_tasks.py: TestJobCredentials.test_custom_environment_injectors*
def test_injection_env_and_secret_as_awx(tmp_path):
    env, safe_env, _extra = _custom(
        [{'id': 'api_token', 'type': 'string'}, {'id': 'password', 'type': 'string', 'secret': True},
         {'id': 'turbo_button', 'type': 'boolean'}],
        {'env': {'MY_CLOUD_API_TOKEN': '{{api_token}}', 'MY_CLOUD_PRIVATE_VAR': '{{password}}',
                 'TURBO_BUTTON': '{{turbo_button}}'}},
        {'api_token': 'ABC123', 'password': 'SUPER-SECRET-123', 'turbo_button': True}, tmp_path)
    assert env == {'MY_CLOUD_API_TOKEN': 'ABC123', 'MY_CLOUD_PRIVATE_VAR': 'SUPER-SECRET-123',
                   'TURBO_BUTTON': 'True'}
    assert safe_env['MY_CLOUD_PRIVATE_VAR'] == SECRET_MASK and 'SUPER-SECRET-123' not in safe_env.values()


def test_injection_extra_vars_as_awx(tmp_path):
    _env, _safe, extra = _custom(
        [{'id': 'environment', 'type': 'string'}, {'id': 'host', 'type': 'string'},
         {'id': 'turbo_button', 'type': 'boolean'}],
        {'extra_vars': {'{{environment}}_auth': {'host': '{{host}}'},
                        'turbo_button': '{% if turbo_button %}FAST!{% else %}SLOW!{% endif %}'}},
        {'environment': 'test', 'host': 'example.com', 'turbo_button': True}, tmp_path)
    assert extra == {'test_auth': {'host': 'example.com'}, 'turbo_button': 'FAST!'}


def test_injection_files_as_awx(tmp_path):
    env, safe_env, _extra = _custom(
        [{'id': 'cert', 'type': 'string'}, {'id': 'key', 'type': 'string'}],
        {'file': {'template.cert': '[mycert]\n{{cert}}', 'template.key': '[mykey]\n{{key}}'},
         'env': {'MY_CERT_INI_FILE': '{{tower.filename.cert}}', 'MY_KEY_INI_FILE': '{{tower.filename.key}}'}},
        {'cert': 'CERT123', 'key': 'KEY123'}, tmp_path)
    with open(env['MY_CERT_INI_FILE']) as cert, open(env['MY_KEY_INI_FILE']) as key:
        assert (cert.read(), key.read()) == ('[mycert]\nCERT123', '[mykey]\nKEY123')
    # AWX hands the job the paths inside the EE (/runner is the private data directory there)
    assert safe_env['MY_CERT_INI_FILE'].startswith('/runner/env/')
    assert env['MY_CERT_INI_FILE'] == str(tmp_path / safe_env['MY_CERT_INI_FILE'][len('/runner/'):])

    env, _safe_env, _extra = _custom([], {'file': {'template': u'I\xf1t\xebrn\xe2ti\xf4n\xe0liz\xe6ti\xf8n'},
                                          'env': {'MY_CLOUD_INI_FILE': '{{tower.filename}}'}}, {}, tmp_path)
    with open(env['MY_CLOUD_INI_FILE']) as handle:
        assert handle.read() == u'I\xf1t\xebrn\xe2ti\xf4n\xe0liz\xe6ti\xf8n'
