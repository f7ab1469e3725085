"""eos_user_password on the real Keystone running with [security_compliance] settings.

The module-scoped fixture restarts the bed's Keystone with the rules EOS clouds commonly enforce
(``bed.py compliance``) and back without them afterwards. What Keystone 30 does, found here and
asserted below: it checks a login's lockout, then the password, then ``enabled``, then expiry;
only the expiry refusal is worded apart ("The password is expired ..."): a locked or disabled
account answers like a wrong password. An admin reset applies ``password_regex``, not
``unique_last_password_count``, marks the password expired under
``change_password_upon_first_use``, and clears a lockout.
"""
import time
import uuid

import pytest

MODULE = "eos_user_password"
DESCRIPTION = "at least 8 characters, one digit and one capital letter"
RULES = {
    "lockout_failure_attempts": 2,
    "lockout_duration": 600,
    "change_password_upon_first_use": True,
    "unique_last_password_count": 3,
    "password_expires_days": 90,
    "password_regex": r"^(?=.*\d)(?=.*[A-Z]).{8,}$",
    "password_regex_description": DESCRIPTION,
}
SETTLE = 1.1  # Keystone's revocation events have one-second granularity


@pytest.fixture(scope="module")
def compliant(bed):
    bed.compliance(**RULES)
    yield bed
    bed.compliance()


@pytest.fixture()
def user(compliant):
    """A fresh user of acme, created by the admin (so its first password is already expired)."""
    name = "sc-" + uuid.uuid4().hex[:8]
    password = "Old-Passw0rd-" + uuid.uuid4().hex[:6]
    created = compliant.api("POST", "/v3/users", json={"user": {
        "name": name, "domain_id": compliant.domains["acme"], "password": password}})
    assert created.status_code == 201, created.text
    yield {"id": created.json()["user"]["id"], "name": name, "password": password}
    compliant.api("DELETE", "/v3/users/" + created.json()["user"]["id"])


def login(bed, user_id, password):
    """(status, Keystone's message) of an unscoped login as the user, straight at the bed."""
    response = bed.http.post(bed.auth_url + "/auth/tokens", json={"auth": {"identity": {
        "methods": ["password"], "password": {"user": {"id": user_id, "password": password}}}}},
        timeout=10)
    message = response.json().get("error", {}).get("message", "") if response.status_code != 201 \
        else ""
    return response.status_code, message


def expired(bed, user_id, password):
    """The password is the right one and expired (what a first-use reset leaves)."""
    return login(bed, user_id, password) == (
        401, "The password is expired and needs to be changed for user: %s." % user_id)


def run(ansible, user, password, **options):
    args = dict({"user": user["name"], "domain": "acme", "password": password}, **options)
    return ansible.module(MODULE, args, env=ansible.os_env(), diff=True)


def requests_of(bed, mark, method):
    return [r for r in bed.requests_since(mark) if r["method"] == method]


def test_first_use_expiry_is_a_match_not_an_endless_rewrite(ansible, compliant, user):
    """change_password_upon_first_use: the reset leaves the password expired; the next run's
    check login is refused as expired, which the old module took for a mismatch (a rewrite on
    every run)."""
    new = "New-Passw0rd-" + uuid.uuid4().hex[:6]
    first = run(ansible, user, new)
    assert first.rc == 0 and first.last["changed"] is True, first.stdout + first.stderr
    assert first.last["user"]["password_expires_at"]  # set by the rules, returned to the user
    time.sleep(SETTLE)
    assert expired(compliant, user["id"], new)
    mark = compliant.log_mark()
    second = run(ansible, user, new)
    assert second.rc == 0 and second.last["changed"] is False, second.stdout + second.stderr
    assert second.last["password_state"] == "unchanged"
    assert second.last["password_check"] == "is the requested one, but has expired"
    assert requests_of(compliant, mark, "PATCH") == []
    assert len([r for r in requests_of(compliant, mark, "POST") if r["status"] == 401]) == 1


def test_a_locked_account_is_reset_once_and_the_reset_clears_the_lock(ansible, compliant, user):
    """Locked answers like a wrong password, so the module cannot tell: it writes, the admin
    reset clears the lockout on Keystone, and the next run finds the password: no loop."""
    for attempt in range(RULES["lockout_failure_attempts"]):
        assert login(compliant, user["id"], "Wrong-Passw0rd-%d" % attempt)[0] == 401
    # locked: even the right password is refused, in the words of a wrong one
    assert login(compliant, user["id"], user["password"]) == (
        401, "The request you have made requires authentication.")
    first = run(ansible, user, user["password"])  # the password it already has
    assert first.rc == 0 and first.last["changed"] is True, first.stdout + first.stderr
    assert "or the account is locked" in first.last["password_check"]
    time.sleep(SETTLE)
    assert expired(compliant, user["id"], user["password"])  # unlocked by the reset
    mark = compliant.log_mark()
    second = run(ansible, user, user["password"])
    assert second.rc == 0 and second.last["changed"] is False, second.stdout + second.stderr
    assert requests_of(compliant, mark, "PATCH") == []


def test_a_password_the_regex_refuses_fails_with_keystones_description(ansible, compliant, user):
    refused = run(ansible, user, "weakpassword", update_password="always")
    message = refused.assert_clean_failure()["msg"]
    assert message.startswith("Keystone refused the new password of user %s: The password does "
                              "not match the requirements: %s" % (user["name"], DESCRIPTION))
    assert "weakpassword" not in refused.stdout + refused.stderr
    time.sleep(SETTLE)
    assert expired(compliant, user["id"], user["password"])  # nothing was changed


def test_an_admin_reset_to_a_previous_password_is_allowed(ansible, compliant, user):
    """unique_last_password_count applies to a user's own change, not to an admin reset."""
    second = "Second-Passw0rd-" + uuid.uuid4().hex[:6]
    assert run(ansible, user, second, update_password="always").rc == 0
    back = run(ansible, user, user["password"], update_password="always")
    assert back.rc == 0 and back.last["changed"] is True, back.stdout + back.stderr
    time.sleep(SETTLE)
    assert expired(compliant, user["id"], user["password"])


def test_check_mode_logs_in_once_per_task_and_that_counts_towards_the_lockout(
        ansible, compliant, user):
    """Documented: check mode's login is real. With a differing password each check-mode run is
    one failed login; lockout_failure_attempts of them lock the account (nothing is written)."""
    other = "Other-Passw0rd-" + uuid.uuid4().hex[:6]
    for dummy in range(RULES["lockout_failure_attempts"]):
        mark = compliant.log_mark()
        checked = ansible.module(MODULE, {"user": user["name"], "domain": "acme",
                                          "password": other},
                                 env=ansible.os_env(), check=True)
        assert checked.rc == 0 and checked.last["password_state"] == "would_update"
        logins = [r for r in requests_of(compliant, mark, "POST") if r["status"] == 401]
        assert len(logins) == 1 and requests_of(compliant, mark, "PATCH") == []
    assert login(compliant, user["id"], user["password"]) == (
        401, "The request you have made requires authentication.")  # locked now
    checked = ansible.module(MODULE, {"user": user["name"], "domain": "acme", "password": other,
                                      "update_password": "always"},
                             env=ansible.os_env(), check=True)
    assert checked.rc == 0 and checked.last["password_state"] == "would_update"
