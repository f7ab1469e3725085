# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""eos_user_password: whole runs of main() against a faked Keystone; the password never shows."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest
import requests
from urllib3.exceptions import ProtocolError

from ansible_collections.easystack.eos.plugins.modules.eos_user_password import main
from ansible_collections.easystack.eos.plugins.module_utils.password_tasks import USER_FIELDS
from ansible_collections.easystack.eos.tests.unit.plugins.module_utils.eos_fakes import (
    PASSWORD, TOKEN, module_args, reply, run_module)
from ansible_collections.easystack.eos.tests.unit.plugins.module_utils.fake_eos import (
    ROOT, USER_TOKEN as CHECK_TOKEN, department)

ACME_ID = "a75d0759a1e543a1b8d0efb56d0239ab"
BOB_ID = "5df4ae79648b4d7e954382da88cc69ef"
OLD_PASSWORD = "Old-b0b-Passw0rd"
NEW_PASSWORD = "N3w-b0b-Pa55w0rd!"
BOB = {"id": BOB_ID, "name": "bob", "domain_id": ACME_ID, "enabled": True, "password_expires_at": None,
       "options": {}, "links": {"self": ROOT + "/v3/users/" + BOB_ID}, "extra_field": "x"}
MASK = "********"
PATCH_BOB = ("PATCH", "/v3/users/" + BOB_ID)  # a fault there replaces the answer to the write


def keystone_of(fake_eos, user=None, password=OLD_PASSWORD, **config):
    """The fake cloud of these tests: acme and its user bob (``user``), whose password is
    ``password``."""
    user = user or BOB
    return fake_eos(departments={ACME_ID: department("acme")}, users={user["id"]: user},
                    passwords={user["id"]: password}, **config)


def run(monkeypatch, capsys, **options):
    options.setdefault("user", "bob")
    options.setdefault("domain", "acme")
    options.setdefault("password", NEW_PASSWORD)
    return run_module(monkeypatch, capsys, module_args(**options), main=main)


def assert_nothing_secret(result):
    output = json.dumps(result)
    for secret in (NEW_PASSWORD, OLD_PASSWORD, PASSWORD, TOKEN, CHECK_TOKEN):
        assert secret not in output
    # nothing even had to be masked: the module never put a secret in its result
    assert MASK not in output
    assert sorted(key for key in result if "password" in key) == ["password_check", "password_state"]
    if "user" in result:
        assert sorted(result["user"]) == sorted(USER_FIELDS)


def test_password_already_set_is_no_change(monkeypatch, capsys, fake_eos):
    keystone = keystone_of(fake_eos, password=NEW_PASSWORD)
    result = run(monkeypatch, capsys)
    assert result["changed"] is False and result["password_state"] == "unchanged"
    assert keystone.patches() == []
    assert keystone.checks() == [{"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "id": BOB_ID, "password": NEW_PASSWORD}}}}}]
    assert result["user"] == dict((key, BOB.get(key)) for key in USER_FIELDS)
    assert_nothing_secret(result)


def test_password_differs_is_written(monkeypatch, capsys, fake_eos):
    keystone = keystone_of(fake_eos)
    result = run(monkeypatch, capsys)
    assert result["changed"] is True and result["password_state"] == "updated"
    assert len(keystone.checks()) == 1
    assert keystone.patches() == [{"user": {"password": NEW_PASSWORD}}]
    assert keystone.password == NEW_PASSWORD
    assert result["user"]["password_expires_at"] == "2031-01-01T00:00:00.000000"
    assert_nothing_secret(result)


def test_second_run_is_no_change(monkeypatch, capsys, fake_eos):
    keystone = keystone_of(fake_eos)
    assert run(monkeypatch, capsys)["changed"] is True
    result = run(monkeypatch, capsys)
    assert result["changed"] is False and len(keystone.patches()) == 1


def test_always_writes_without_checking(monkeypatch, capsys, fake_eos):
    keystone = keystone_of(fake_eos, password=NEW_PASSWORD)
    result = run(monkeypatch, capsys, update_password="always")
    assert result["changed"] is True and result["password_state"] == "updated"
    assert keystone.checks() == []
    assert keystone.patches() == [{"user": {"password": NEW_PASSWORD}}]
    assert_nothing_secret(result)


def test_check_mode_checks_but_does_not_write(monkeypatch, capsys, fake_eos):
    keystone = keystone_of(fake_eos)
    result = run(monkeypatch, capsys, _ansible_check_mode=True)
    assert result["changed"] is True and result["password_state"] == "would_update"
    assert len(keystone.checks()) == 1
    assert keystone.patches() == [] and keystone.password == OLD_PASSWORD
    assert_nothing_secret(result)


def test_check_mode_when_the_password_matches(monkeypatch, capsys, fake_eos):
    keystone = keystone_of(fake_eos, password=NEW_PASSWORD)
    result = run(monkeypatch, capsys, _ansible_check_mode=True)
    assert result["changed"] is False and result["password_state"] == "unchanged"
    assert len(keystone.checks()) == 1 and keystone.patches() == []


def test_check_mode_always(monkeypatch, capsys, fake_eos):
    keystone = keystone_of(fake_eos)
    result = run(monkeypatch, capsys, _ansible_check_mode=True, update_password="always")
    assert result["changed"] is True and result["password_state"] == "would_update"
    assert keystone.checks() == [] and keystone.patches() == []


def test_disabled_user_is_written_with_a_warning(monkeypatch, capsys, fake_eos):
    keystone = keystone_of(fake_eos, user=dict(BOB, enabled=False), password=NEW_PASSWORD)
    result = run(monkeypatch, capsys)
    assert result["changed"] is True and result["password_state"] == "updated"
    assert keystone.checks() == []
    assert keystone.patches() == [{"user": {"password": NEW_PASSWORD}}]
    # a list of strings before ansible-core 2.19, of warning summaries after
    assert "User bob is disabled, so whether its password already matches cannot be checked" in json.dumps(
        result["warnings"])
    assert result["user"]["enabled"] is False
    assert_nothing_secret(result)


def test_user_by_id_skips_the_domain_lookup(monkeypatch, capsys, fake_eos):
    keystone = keystone_of(fake_eos)
    result = run(monkeypatch, capsys, user=BOB_ID)
    assert result["changed"] is True
    assert keystone.routes() == [("GET", "/v3/users/" + BOB_ID), ("PATCH", "/v3/users/" + BOB_ID)]


def test_user_by_id_with_the_default_domain(monkeypatch, capsys, fake_eos):
    keystone = keystone_of(fake_eos, password=NEW_PASSWORD)
    options = module_args(user=BOB_ID, password=NEW_PASSWORD)
    result = run_module(monkeypatch, capsys, options, main=main)
    assert result["changed"] is False
    assert not any("/v3/domains" in url for method, url in keystone.routes())


def test_user_name_with_a_domain_name(monkeypatch, capsys, fake_eos):
    keystone = keystone_of(fake_eos)
    run(monkeypatch, capsys)
    assert keystone.routes() == [("GET", "/v3/domains?name=acme"), ("GET", "/v3/users?name=bob&domain_id=" + ACME_ID),
                                 ("PATCH", "/v3/users/" + BOB_ID)]


def test_unknown_user_fails(monkeypatch, capsys, fake_eos):
    keystone = keystone_of(fake_eos)
    result = run(monkeypatch, capsys, user="alice")
    assert result["failed"] is True
    assert result["msg"] == "User 'alice' not found by name in domain 'acme'"
    assert keystone.routes()[-1] == ("GET", "/v3/users?name=alice&domain_id=" + ACME_ID)  # no by-ID try
    assert keystone.patches() == [] and keystone.checks() == []
    assert NEW_PASSWORD not in json.dumps(result)


@pytest.mark.parametrize("check_mode", [False, True])
@pytest.mark.parametrize("stored", [OLD_PASSWORD, NEW_PASSWORD])
@pytest.mark.parametrize("update_password", ["on_mismatch", "always"])
def test_diff_and_output_never_show_the_password(monkeypatch, capsys, fake_eos, check_mode, stored, update_password):
    keystone_of(fake_eos, password=stored)
    result = run(monkeypatch, capsys, _ansible_diff=True, _ansible_check_mode=check_mode,
                 update_password=update_password)
    assert_nothing_secret(result)
    assert set(result["diff"]) == {"before", "after"}
    for side in result["diff"].values():
        assert sorted(side) == ["domain_id", "password", "password_expires_at", "user"]
        assert side["user"] == "bob" and side["domain_id"] == ACME_ID
    if update_password == "on_mismatch" and stored == NEW_PASSWORD:
        assert result["diff"]["before"]["password"] == "is the requested one"
        assert result["diff"]["before"] == result["diff"]["after"]
    elif update_password == "on_mismatch":
        assert result["diff"]["before"]["password"] == "differs from the requested one"
    else:
        assert result["diff"]["before"]["password"] == "not checked (update_password=always)"
    if result["changed"]:
        expected = "would be set to the requested one" if check_mode else "set to the requested one"
        assert result["diff"]["after"]["password"] == expected


def test_patch_answer_without_a_user_fails(monkeypatch, capsys, fake_eos):
    keystone_of(fake_eos, faults={PATCH_BOB: reply(200, {"unexpected": True})})
    result = run(monkeypatch, capsys)
    assert result["failed"] is True
    assert result["msg"] == (
        "PATCH https://keystone.example:5000/v3/users/%s: the answer's user is null, not an object, "
        "so the answer cannot be used (is the endpoint an EOS API?). The server accepted the PATCH, "
        "so the password may have been set" % BOB_ID)
    assert result["changed"] is True  # a write the server took is never hidden
    assert NEW_PASSWORD not in json.dumps(result)


LOST = requests.exceptions.ConnectionError(ProtocolError(
    "Connection aborted.", ConnectionResetError("Remote end closed connection without response")))


@pytest.mark.parametrize("applied", [True, False], ids=["applied", "not-applied"])
def test_a_lost_answer_to_the_patch_is_never_resent_and_is_verified_by_one_login(
        monkeypatch, capsys, fake_eos, applied):
    def lose_the_answer(fake, request):
        fake.answer(request)  # the server applies it (or not) ...
        if not applied:
            fake.password = OLD_PASSWORD
        return LOST  # ... and the answer never arrives

    keystone = keystone_of(fake_eos, faults={PATCH_BOB: lose_the_answer})
    result = run(monkeypatch, capsys)
    assert len(keystone.patches()) == 1
    assert len(keystone.checks()) == 2  # the on_mismatch check, then the verification
    assert result["changed"] is True
    if applied:
        assert result.get("failed") is not True and result["password_state"] == "updated"
        assert "a login with the new password then succeeded" in json.dumps(result["warnings"])
        assert_nothing_secret(dict(result, warnings=None))
    else:
        assert result["failed"] is True
        assert "the write may have been applied" in result["msg"]
        assert "did not succeed afterwards, so it was most likely not set" in result["msg"]
    for secret in (NEW_PASSWORD, OLD_PASSWORD, PASSWORD, TOKEN, CHECK_TOKEN):
        assert secret not in json.dumps(result)


def test_a_lost_answer_for_a_disabled_user_says_no_login_can_tell(monkeypatch, capsys, fake_eos):
    keystone = keystone_of(fake_eos, user=dict(BOB, enabled=False), faults={PATCH_BOB: LOST})
    result = run(monkeypatch, capsys)
    assert result["failed"] is True and result["changed"] is True
    assert "The user is disabled, so no login can tell" in result["msg"]
    assert keystone.checks() == []


def test_the_user_id_from_the_server_is_quoted_into_the_patch_path(monkeypatch, capsys, fake_eos):
    keystone = keystone_of(fake_eos, user=dict(BOB, id="../../domain_quotas/default"))
    result = run(monkeypatch, capsys, update_password="always")
    patched = [url for method, url, body in keystone.sent if method == "PATCH"]
    assert patched == [ROOT + "/v3/users/..%2F..%2Fdomain_quotas%2Fdefault"], patched
    assert result["failed"] is True  # the fake answers 404 there: what matters is where it went


def test_an_expired_but_matching_password_is_left_as_it_is(monkeypatch, capsys, fake_eos):
    """change_password_upon_first_use: after a reset Keystone marks the password expired; the
    check login then says 'expired' (it checks the password first), which is a match."""
    keystone = keystone_of(fake_eos, password=NEW_PASSWORD, expired=[BOB_ID])
    result = run(monkeypatch, capsys)
    assert result["changed"] is False and result["password_state"] == "unchanged"
    assert result["password_check"] == "is the requested one, but has expired"
    assert "has expired" in json.dumps(result["warnings"])
    assert keystone.patches() == [] and len(keystone.checks()) == 1


def test_a_password_the_rules_refuse_is_a_clean_failure_with_keystones_reason(monkeypatch, capsys, fake_eos):
    keystone_of(fake_eos, faults={PATCH_BOB: reply(400, {"error": {
        "code": 400, "title": "Bad Request", "message": "The password does not match the requirements: at least "
        "8 characters, one digit and one capital letter."}})})
    result = run(monkeypatch, capsys)
    assert result["failed"] is True and result.get("changed") is not True
    assert result["msg"].startswith("Keystone refused the new password of user bob: The password "
                                    "does not match the requirements: at least 8 characters, one "
                                    "digit and one capital letter")
    assert NEW_PASSWORD not in json.dumps(result)
