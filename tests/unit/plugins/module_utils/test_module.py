# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""EosModule: connection options cannot be shadowed; failures are clean and masked."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
from ansible_collections.easystack.eos.plugins.module_utils.module import EosModule
from ansible_collections.easystack.eos.plugins.module_utils.options import connection_argument_spec
from ansible_collections.easystack.eos.tests.unit.plugins.module_utils.eos_fakes import (
    AUTH_URL, PASSWORD, TOKEN, module_args, patch_module_args, run_module)


@pytest.mark.parametrize("name", sorted(connection_argument_spec()))
def test_module_options_must_not_shadow_connection_options(name):
    with pytest.raises(ValueError) as info:
        EosModule(argument_spec={name: dict(type="str"), "domain": dict(type="str")})
    assert "shadow connection options: ['%s']" % name in str(info.value)


def test_a_failure_is_clean_and_masks_secrets(monkeypatch, capsys):
    def action(module):
        assert module.settings.auth["password"] == PASSWORD
        module.client.on_secret(TOKEN)
        raise EosError("GET %s failed; echoed %s and %s" % (AUTH_URL, PASSWORD, TOKEN), status=500,
                       request_id="req-1", method="GET", url=AUTH_URL)

    result = run_module(monkeypatch, capsys, module_args(domain="acme"), action)
    assert result["failed"] is True
    assert (result["status"], result["request_id"], result["method"], result["url"]) == (500, "req-1", "GET", AUTH_URL)
    assert PASSWORD not in json.dumps(result) and TOKEN not in json.dumps(result)
    assert "********" in result["msg"]


def test_success_exits_with_the_result_and_warns_without_tls_verification(monkeypatch, capsys):
    result = run_module(monkeypatch, capsys, module_args(validate_certs=False),
                        lambda module: {"changed": False, "value": module.params["domain"],
                                        "verify": module.settings.verify})
    assert result["changed"] is False and result["value"] is None and result["verify"] is False
    # ansible-core 2.19+ reports warnings as structured summaries
    assert "validate_certs: false" in json.dumps(result["warnings"])


def test_settings_errors_become_failures(monkeypatch, capsys):
    result = run_module(monkeypatch, capsys, module_args(api_timeout=-1), lambda module: module.settings)
    assert result["failed"] is True and "api_timeout must be a number of seconds above 0" in result["msg"]


@pytest.mark.parametrize("auth_url, warned", [
    ("http://keystone.example:5000/v3", True),
    ("http://svc:S3cret@10.0.0.5:5000/v3", True),
    ("http://127.0.0.1:5000/v3", False),
    ("http://localhost:5000/v3", False),
    ("https://keystone.example:5000/v3", False),
])
def test_a_plain_http_auth_url_off_this_machine_warns(monkeypatch, capsys, auth_url, warned):
    args = module_args()
    args["auth"]["auth_url"] = auth_url
    result = run_module(monkeypatch, capsys, args,
                        lambda module: {"changed": False, "s": bool(module.settings)})
    text = json.dumps(result.get("warnings") or [])
    assert ("travel unencrypted" in text) is warned
    assert "S3cret" not in json.dumps(result)


def test_without_requests_the_module_fails_saying_how_to_install_it(monkeypatch, capsys):
    monkeypatch.setattr("ansible_collections.easystack.eos.plugins.module_utils.module."
                        "REQUESTS_IMPORT_ERROR", "Traceback: No module named 'requests'")
    result = run_module(monkeypatch, capsys, module_args(), lambda module: pytest.fail("ran"))
    assert result["failed"] is True
    assert "Failed to import the required Python library (requests)" in result["msg"]
    assert "pip install requests" in result["msg"]


@pytest.mark.parametrize("value", ["", "   ", "\t\n"])
def test_an_empty_required_text_option_fails_before_anything_is_sent(monkeypatch, capsys, value):
    spec = {"user": dict(type="str"), "domain": dict(type="str")}
    args = module_args(user=value, domain="acme")

    def action(module):
        pytest.fail("the action ran")

    for variable in [v for v in __import__("os").environ if v.startswith("OS_")]:
        monkeypatch.delenv(variable)
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            EosModule(argument_spec=spec, supports_check_mode=True,
                      required_text=("user", "domain")).run(action)
    result = json.loads(capsys.readouterr().out)
    assert result["failed"] is True
    assert result["msg"].startswith("Option 'user' is empty")
    assert "Nothing was sent" in result["msg"]


def test_an_omitted_required_text_option_is_not_empty(monkeypatch, capsys):
    with patch_module_args(module_args(domain="acme")):
        with pytest.raises(SystemExit):
            EosModule(argument_spec={"user": dict(type="str"), "domain": dict(type="str")},
                      required_text=("user",)).run(lambda module: {"changed": False})
    assert json.loads(capsys.readouterr().out)["changed"] is False


@pytest.mark.parametrize("secret", ['S3cr"\u00e9\t!x', "pa ss/wo+rd&=?", "plain-Secret-1"])
def test_a_secret_echoed_back_escaped_is_masked_too(monkeypatch, capsys, secret):
    """A server that echoes the request body returns the password JSON- or URL-escaped."""
    echoes = [json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1],
              __import__("urllib.parse").parse.quote(secret, safe=""),
              __import__("urllib.parse").parse.quote_plus(secret)]

    def action(module):
        raise EosError("PATCH failed; the server said: " + " | ".join(echoes))

    spec = {"password": dict(type="str", no_log=True)}
    result = run_module(monkeypatch, capsys, module_args(password=secret), action,
                        argument_spec=spec)
    for form in echoes + [secret]:
        assert form not in json.dumps(result, ensure_ascii=False), form
