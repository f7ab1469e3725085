"""eos_user_password against the real Keystone: idempotence, check mode, diff, no secret."""
import time
import uuid

import pytest

from bedkit import can_log_in, throwaway_user
from playbook_runner import localhost_play

MODULE = "eos_user_password"


@pytest.fixture()
def user(bed):
    """A throwaway user in acme, so tests never disturb the seeded ones."""
    with throwaway_user(bed, "pw-") as created:
        yield created


def patches(records):
    return [r for r in records if r["method"] == "PATCH"]


def test_changes_once_then_never(ansible, bed, user):
    new = "New-" + uuid.uuid4().hex
    args = {"user": user["name"], "domain": "acme", "password": new}
    mark = bed.log_mark()
    first = ansible.module(MODULE, args, env=ansible.os_env(), diff=True)
    assert first.rc == 0, first.stdout + first.stderr
    result = first.last
    assert result["changed"] is True and result["password_state"] == "updated"
    assert result["user"]["id"] == user["id"] and result["user"]["name"] == user["name"]
    assert set(result["user"]) == {"id", "name", "domain_id", "enabled", "password_expires_at",
                                   "options"}
    assert result["diff"]["before"]["password"] == "differs from the requested one"
    assert result["diff"]["after"]["password"] == "set to the requested one"
    # login, domain lookup, user lookup, the check login, the PATCH
    assert [(r["method"], r["path"].split("?")[0]) for r in bed.requests_since(mark)] == [
        ("POST", "/v3/auth/tokens"), ("GET", "/v3/domains"), ("GET", "/v3/users"),
        ("POST", "/v3/auth/tokens"), ("PATCH", "/v3/users/" + user["id"])]
    for text in (first.stdout, first.stderr):
        assert new not in text and user["password"] not in text

    time.sleep(1.1)  # Keystone's revocation events have one-second granularity
    assert can_log_in(bed, user["id"], new)
    assert not can_log_in(bed, user["id"], user["password"])

    mark = bed.log_mark()
    second = ansible.module(MODULE, args, env=ansible.os_env(), diff=True)
    assert second.rc == 0 and second.last["changed"] is False
    assert second.last["password_state"] == "unchanged"
    assert second.last["diff"]["before"] == second.last["diff"]["after"]
    assert patches(bed.requests_since(mark)) == []


def test_check_mode_checks_but_never_writes(ansible, bed, user):
    mark = bed.log_mark()
    run = ansible.module(MODULE, {"user": user["id"], "password": "Other-secret-1"},
                         env=ansible.os_env(), check=True, diff=True)
    assert run.rc == 0, run.stdout
    assert run.last["changed"] is True and run.last["password_state"] == "would_update"
    records = bed.requests_since(mark)
    assert patches(records) == []
    # A user given by ID needs no domain lookup: login, user by ID, the check login.
    assert [(r["method"], r["path"]) for r in records] == [
        ("POST", "/v3/auth/tokens"), ("GET", "/v3/users/" + user["id"]),
        ("POST", "/v3/auth/tokens")]
    assert can_log_in(bed, user["id"], user["password"])


def test_always_writes_without_checking(ansible, bed, user):
    mark = bed.log_mark()
    run = ansible.module(MODULE, {"user": user["name"], "domain": bed.domains["acme"],
                                  "password": user["password"], "update_password": "always"},
                         env=ansible.os_env())
    assert run.rc == 0 and run.last["changed"] is True
    records = bed.requests_since(mark)
    # The domain was given as an ID: no domain lookup, no check login.
    assert [(r["method"], r["path"].split("?")[0]) for r in records] == [
        ("POST", "/v3/auth/tokens"), ("GET", "/v3/users"), ("PATCH", "/v3/users/" + user["id"])]


def test_disabled_user_is_always_written_with_a_warning(ansible, bed, user):
    bed.api("PATCH", "/v3/users/" + user["id"], json={"user": {"enabled": False}})
    run = ansible.module(MODULE, {"user": user["id"], "password": user["password"]},
                         env=ansible.os_env())
    assert run.rc == 0 and run.last["changed"] is True
    assert any("is disabled" in warning for warning in run.last["warnings"])


def test_mfa_rules_a_right_password_is_not_rewritten(ansible, bed, user):
    """Keystone answers a right password of a user with MFA rules by 401 and a receipt
    (Openstack-Auth-Receipt, a Fernet secret), a wrong one by a plain 401: the first is a match
    (no rewrite, a warning), the second is written once, and the next run finds it set."""
    bed.api("PATCH", "/v3/users/" + user["id"], json={"user": {"options": {
        "multi_factor_auth_enabled": True, "multi_factor_auth_rules": [["password", "token"]]}}})
    args = {"user": user["name"], "domain": "acme", "password": user["password"]}
    mark = bed.log_mark()
    run = ansible.module(MODULE, args, env=ansible.os_env(), diff=True, verbosity=4)
    assert run.rc == 0, run.stdout + run.stderr
    result = run.last
    assert result["changed"] is False and result["password_state"] == "unchanged", result
    assert result["password_check"] == ("is the requested one, but the user's MFA rules ask for "
                                        "another factor"), result
    assert any("MFA rules" in warning for warning in result["warnings"]), result
    assert patches(bed.requests_since(mark)) == []
    assert "gAAAAA" not in run.stdout + run.stderr  # no token, no receipt (both Fernet)

    new = "New-" + uuid.uuid4().hex
    mark = bed.log_mark()
    changed = ansible.module(MODULE, dict(args, password=new), env=ansible.os_env())
    assert changed.rc == 0 and changed.last["changed"] is True, changed.stdout + changed.stderr
    assert len(patches(bed.requests_since(mark))) == 1
    time.sleep(1.1)  # Keystone's revocation events have one-second granularity
    again = ansible.module(MODULE, dict(args, password=new), env=ansible.os_env())
    assert again.rc == 0 and again.last["changed"] is False, again.stdout + again.stderr


def test_errors_are_clean_and_secret_free(ansible, bed, user):
    secret = "Never-shown-" + uuid.uuid4().hex
    cases = [
        ({"user": "ghost", "domain": "acme", "password": secret}, ansible.os_env(),
         "User 'ghost' not found by name in domain 'acme'"),
        ({"user": user["name"], "domain": "no-such-domain", "password": secret}, ansible.os_env(),
         "Domain 'no-such-domain' not found"),
        ({"user": user["name"], "domain": "acme", "password": secret}, ansible.os_env("alice"),
         "HTTP 403"),
    ]
    for args, env, words in cases:
        run = ansible.module(MODULE, args, env=env, verbosity=4)
        result = run.assert_clean_failure()
        assert words in result["msg"], result
        assert secret not in run.stdout + run.stderr


def test_module_defaults_group_with_app_credential(ansible, bed, user):
    app = bed.state["application_credential"]
    playbook = localhost_play([
        {"name": "reset", "no_log": False, "easystack.eos.eos_user_password": {
            "user": user["name"], "domain": "acme", "password": "{{ new_password }}"}},
    ], group_defaults={"auth_type": "v3applicationcredential", "auth": {
        "auth_url": bed.auth_url, "application_credential_id": app["id"],
        "application_credential_secret": app["secret"]}})
    run = ansible.playbook(playbook, extra_vars={"new_password": "Via-appcred-1"}, verbosity=3)
    assert run.rc == 0, run.stdout + run.stderr
    assert run.task("reset")["changed"] is True
    assert "Via-appcred-1" not in run.stdout + run.stderr
    assert app["secret"] not in run.stdout + run.stderr
