# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""eos_user_password: whole runs of main() against a faked Keystone; the password never shows."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json

import pytest
import requests
from urllib3.exceptions import ProtocolError

from ansible_collections.easystack.eos.plugins.modules.eos_user_password import main
from ansible_collections.easystack.eos.plugins.module_utils.password_tasks import USER_FIELDS
from ansible_collections.easystack.eos.tests.unit.plugins.module_utils.eos_fakes import (
    PASSWORD, TOKEN, module_args, reply, run_module, serve)

ROOT = "https://keystone.example:5000"
ACME_ID = "a75d0759a1e543a1b8d0efb56d0239ab"
BOB_ID = "5df4ae79648b4d7e954382da88cc69ef"
OLD_PASSWORD = "Old-b0b-Passw0rd"
NEW_PASSWORD = "N3w-b0b-Pa55w0rd!"
CHECK_TOKEN = "gAAAAA-bobs-own-probe-token-987"
BOB = {"id": BOB_ID, "name": "bob", "domain_id": ACME_ID, "enabled": True, "password_expires_at": None,
       "options": {}, "links": {"self": ROOT + "/v3/users/" + BOB_ID}, "extra_field": "x"}
MASK = "********"


class FakeKeystone:
    """The admin's login, bob's login (checked against ``password``), domain and user lookups, the PATCH."""

    def __init__(self, monkeypatch, user=None, password=OLD_PASSWORD):
        self.user = copy.deepcopy(user or BOB)
        self.password = password
        self.sent = []
        serve(monkeypatch, self.handle)

    def handle(self, request):
        body = json.loads(request.body) if request.body else None
        self.sent.append((request.method, request.url, body))
        route = (request.method, request.url)
        if route == ("POST", ROOT + "/v3/auth/tokens"):
            login = body["auth"]["identity"]["password"]["user"]
            if "scope" in body["auth"]:  # the administrator
                return reply(201, {"token": {"catalog": [{"type": "identity", "endpoints": [
                    {"interface": "public", "region_id": "RegionOne", "url": ROOT + "/v3"}]}]}},
                    {"X-Subject-Token": TOKEN})
            if login == {"id": self.user["id"], "password": self.password} and self.user["enabled"]:
                return reply(201, {"token": {"user": {"id": self.user["id"]}}}, {"X-Subject-Token": CHECK_TOKEN})
            return reply(401, {"error": {"code": 401, "title": "Unauthorized",
                                         "message": "The request you have made requires authentication."}})
        if route == ("GET", ROOT + "/v3/domains?name=acme"):
            return reply(200, {"domains": [{"id": ACME_ID, "name": "acme", "enabled": True}]})
        if request.method == "GET" and request.url.startswith(ROOT + "/v3/users?"):
            found = request.url == ROOT + "/v3/users?name=bob&domain_id=" + ACME_ID
            return reply(200, {"users": [self.user] if found else []})
        if route == ("GET", ROOT + "/v3/users/" + BOB_ID):
            return reply(200, {"user": self.user})
        if route == ("PATCH", ROOT + "/v3/users/" + BOB_ID):
            self.password = body["user"]["password"]
            self.user["password_expires_at"] = "2031-01-01T00:00:00.000000"
            return reply(200, {"user": self.user})
        return reply(404, {"error": {"code": 404, "message": "no route for %s %s" % route}})

    def patches(self):
        return [body for method, url, body in self.sent if method == "PATCH"]

    def checks(self):
        """The logins as the user (not as the administrator)."""
        return [body for method, url, body in self.sent
                if method == "POST" and "scope" not in body["auth"]]

    def routes(self):
        return [(method, url[len(ROOT):]) for method, url, body in self.sent if method != "POST"]


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


def test_password_already_set_is_no_change(monkeypatch, capsys):
    keystone = FakeKeystone(monkeypatch, password=NEW_PASSWORD)
    result = run(monkeypatch, capsys)
    assert result["changed"] is False and result["password_state"] == "unchanged"
    assert keystone.patches() == []
    assert keystone.checks() == [{"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "id": BOB_ID, "password": NEW_PASSWORD}}}}}]
    assert result["user"] == dict((key, BOB.get(key)) for key in USER_FIELDS)
    assert_nothing_secret(result)


def test_password_differs_is_written(monkeypatch, capsys):
    keystone = FakeKeystone(monkeypatch)
    result = run(monkeypatch, capsys)
    assert result["changed"] is True and result["password_state"] == "updated"
    assert len(keystone.checks()) == 1
    assert keystone.patches() == [{"user": {"password": NEW_PASSWORD}}]
    assert keystone.password == NEW_PASSWORD
    assert result["user"]["password_expires_at"] == "2031-01-01T00:00:00.000000"
    assert_nothing_secret(result)


def test_second_run_is_no_change(monkeypatch, capsys):
    keystone = FakeKeystone(monkeypatch)
    assert run(monkeypatch, capsys)["changed"] is True
    result = run(monkeypatch, capsys)
    assert result["changed"] is False and len(keystone.patches()) == 1


def test_always_writes_without_checking(monkeypatch, capsys):
    keystone = FakeKeystone(monkeypatch, password=NEW_PASSWORD)
    result = run(monkeypatch, capsys, update_password="always")
    assert result["changed"] is True and result["password_state"] == "updated"
    assert keystone.checks() == []
    assert keystone.patches() == [{"user": {"password": NEW_PASSWORD}}]
    assert_nothing_secret(result)


def test_check_mode_checks_but_does_not_write(monkeypatch, capsys):
    keystone = FakeKeystone(monkeypatch)
    result = run(monkeypatch, capsys, _ansible_check_mode=True)
    assert result["changed"] is True and result["password_state"] == "would_update"
    assert len(keystone.checks()) == 1
    assert keystone.patches() == [] and keystone.password == OLD_PASSWORD
    assert_nothing_secret(result)


def test_check_mode_when_the_password_matches(monkeypatch, capsys):
    keystone = FakeKeystone(monkeypatch, password=NEW_PASSWORD)
    result = run(monkeypatch, capsys, _ansible_check_mode=True)
    assert result["changed"] is False and result["password_state"] == "unchanged"
    assert len(keystone.checks()) == 1 and keystone.patches() == []


def test_check_mode_always(monkeypatch, capsys):
    keystone = FakeKeystone(monkeypatch)
    result = run(monkeypatch, capsys, _ansible_check_mode=True, update_password="always")
    assert result["changed"] is True and result["password_state"] == "would_update"
    assert keystone.checks() == [] and keystone.patches() == []


def test_disabled_user_is_written_with_a_warning(monkeypatch, capsys):
    keystone = FakeKeystone(monkeypatch, user=dict(BOB, enabled=False), password=NEW_PASSWORD)
    result = run(monkeypatch, capsys)
    assert result["changed"] is True and result["password_state"] == "updated"
    assert keystone.checks() == []
    assert keystone.patches() == [{"user": {"password": NEW_PASSWORD}}]
    # a list of strings before ansible-core 2.19, of warning summaries after
    assert "User bob is disabled, so whether its password already matches cannot be checked" in json.dumps(
        result["warnings"])
    assert result["user"]["enabled"] is False
    assert_nothing_secret(result)


def test_user_by_id_skips_the_domain_lookup(monkeypatch, capsys):
    keystone = FakeKeystone(monkeypatch)
    result = run(monkeypatch, capsys, user=BOB_ID)
    assert result["changed"] is True
    assert keystone.routes() == [("GET", "/v3/users/" + BOB_ID), ("PATCH", "/v3/users/" + BOB_ID)]


def test_user_by_id_with_the_default_domain(monkeypatch, capsys):
    keystone = FakeKeystone(monkeypatch, password=NEW_PASSWORD)
    options = module_args(user=BOB_ID, password=NEW_PASSWORD)
    result = run_module(monkeypatch, capsys, options, main=main)
    assert result["changed"] is False
    assert not any("/v3/domains" in url for method, url in keystone.routes())


def test_user_name_with_a_domain_name(monkeypatch, capsys):
    keystone = FakeKeystone(monkeypatch)
    run(monkeypatch, capsys)
    assert keystone.routes() == [("GET", "/v3/domains?name=acme"), ("GET", "/v3/users?name=bob&domain_id=" + ACME_ID),
                                 ("PATCH", "/v3/users/" + BOB_ID)]


def test_unknown_user_fails(monkeypatch, capsys):
    keystone = FakeKeystone(monkeypatch)
    result = run(monkeypatch, capsys, user="alice")
    assert result["failed"] is True
    assert result["msg"] == "User 'alice' not found by name in domain 'acme'"
    assert keystone.routes()[-1] == ("GET", "/v3/users?name=alice&domain_id=" + ACME_ID)  # no by-ID try
    assert keystone.patches() == [] and keystone.checks() == []
    assert NEW_PASSWORD not in json.dumps(result)


@pytest.mark.parametrize("check_mode", [False, True])
@pytest.mark.parametrize("stored", [OLD_PASSWORD, NEW_PASSWORD])
@pytest.mark.parametrize("update_password", ["on_mismatch", "always"])
def test_diff_and_output_never_show_the_password(monkeypatch, capsys, check_mode, stored, update_password):
    FakeKeystone(monkeypatch, password=stored)
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


def test_patch_answer_without_a_user_fails(monkeypatch, capsys):
    keystone = FakeKeystone(monkeypatch)
    original = keystone.handle

    def handle(request):
        if request.method == "PATCH":
            keystone.sent.append((request.method, request.url, json.loads(request.body)))
            return reply(200, {"unexpected": True})
        return original(request)

    serve(monkeypatch, handle)
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
        monkeypatch, capsys, applied):
    keystone = FakeKeystone(monkeypatch)
    original = keystone.handle

    def handle(request):
        if request.method == "PATCH":
            answer = original(request)  # the server applies it (or not) ...
            if not applied:
                keystone.password = OLD_PASSWORD
            return LOST  # ... and the answer never arrives
        return original(request)

    serve(monkeypatch, handle)
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


def test_a_lost_answer_for_a_disabled_user_says_no_login_can_tell(monkeypatch, capsys):
    keystone = FakeKeystone(monkeypatch, user=dict(BOB, enabled=False))
    original = keystone.handle
    serve(monkeypatch, lambda request: LOST if request.method == "PATCH" else original(request))
    result = run(monkeypatch, capsys)
    assert result["failed"] is True and result["changed"] is True
    assert "The user is disabled, so no login can tell" in result["msg"]
    assert keystone.checks() == []


def test_the_user_id_from_the_server_is_quoted_into_the_patch_path(monkeypatch, capsys):
    keystone = FakeKeystone(monkeypatch, user=dict(BOB, id="../../domain_quotas/default"))
    result = run(monkeypatch, capsys, update_password="always")
    patched = [url for method, url, body in keystone.sent if method == "PATCH"]
    assert patched == [ROOT + "/v3/users/..%2F..%2Fdomain_quotas%2Fdefault"], patched
    assert result["failed"] is True  # the fake answers 404 there: what matters is where it went


def test_an_expired_but_matching_password_is_left_as_it_is(monkeypatch, capsys):
    """change_password_upon_first_use: after a reset Keystone marks the password expired; the
    check login then says 'expired' (it checks the password first), which is a match."""
    keystone = FakeKeystone(monkeypatch, password=NEW_PASSWORD)
    original = keystone.handle

    def handle(request):
        answer = original(request)
        body = json.loads(request.body) if request.body else {}
        if request.method == "POST" and "scope" not in body.get("auth", {}) and answer[0] == 201:
            return reply(401, {"error": {"code": 401, "title": "Unauthorized", "message":
                                         "The password is expired and needs to be changed for "
                                         "user: %s." % BOB_ID}})
        return answer

    serve(monkeypatch, handle)
    result = run(monkeypatch, capsys)
    assert result["changed"] is False and result["password_state"] == "unchanged"
    assert result["password_check"] == "is the requested one, but has expired"
    assert "has expired" in json.dumps(result["warnings"])
    assert keystone.patches() == [] and len(keystone.checks()) == 1


def test_a_password_the_rules_refuse_is_a_clean_failure_with_keystones_reason(monkeypatch, capsys):
    keystone = FakeKeystone(monkeypatch)
    original = keystone.handle

    def handle(request):
        if request.method == "PATCH":
            return reply(400, {"error": {"code": 400, "title": "Bad Request", "message":
                                         "The password does not match the requirements: at least "
                                         "8 characters, one digit and one capital letter."}})
        return original(request)

    serve(monkeypatch, handle)
    result = run(monkeypatch, capsys)
    assert result["failed"] is True and result.get("changed") is not True
    assert result["msg"].startswith("Keystone refused the new password of user bob: The password "
                                    "does not match the requirements: at least 8 characters, one "
                                    "digit and one capital letter")
    assert NEW_PASSWORD not in json.dumps(result)
