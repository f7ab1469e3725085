# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``write`` key of eos_domain_quota and eos_user_password: present exactly when the task
sent a write, with the request id of its answer and the module's own outcome (what the
quota_audit callback records). Whole runs of main() against the fake cloud."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest
import requests
from urllib3.exceptions import ProtocolError

from ansible_collections.easystack.eos.plugins.modules import eos_domain_quota, eos_user_password
from ansible_collections.easystack.eos.tests.unit.plugins.module_utils.eos_fakes import (
    TOKEN, UNAUTHORIZED, module_args, reply, run_module)
from ansible_collections.easystack.eos.tests.unit.plugins.module_utils.fake_eos import department

ACME_ID = "a75d0759a1e543a1b8d0efb56d0239ab"
GLOBEX_ID = "b75d0759a1e543a1b8d0efb56d0239ab"
BOB_ID = "5df4ae79648b4d7e954382da88cc69ef"
BOB = {"id": BOB_ID, "name": "bob", "domain_id": ACME_ID, "enabled": True,
       "password_expires_at": None, "options": {}}
OLD_PASSWORD, NEW_PASSWORD = "Old-b0b-Passw0rd", "N3w-b0b-Pa55w0rd!"
REGION = {"quotas": {"cores": 10, "ram": 1024}, "usage": {"cores": 2}, "limits": {"cores": 100}}
PATCH_ACME = ("PATCH", "/v3/domain_quotas/" + ACME_ID)
PATCH_GLOBEX = ("PATCH", "/v3/domain_quotas/" + GLOBEX_ID)
PATCH_BOB = ("PATCH", "/v3/users/" + BOB_ID)
LOST = requests.exceptions.ConnectionError(ProtocolError(
    "Connection aborted.", ConnectionResetError("Remote end closed connection without response")))


def with_request_id(request_id):
    """A fault that lets the server answer normally, with a request id header."""
    def answer(fake, request):
        status, headers, raw, reason = fake.answer(request)
        return status, dict(headers, **{"X-Openstack-Request-Id": request_id}), raw, reason
    return answer


def apply_then_lose(fake, request):
    fake.answer(request)
    return LOST


def cloud(fake_eos, faults=None, **config):
    return fake_eos(departments={ACME_ID: department("acme", {"RegionOne": dict(REGION)}),
                                 GLOBEX_ID: department("globex", {"RegionOne": dict(REGION)})},
                    users={BOB_ID: dict(BOB)}, passwords={BOB_ID: OLD_PASSWORD},
                    faults=faults or {}, **config)


def quota(monkeypatch, capsys, check=False, **options):
    args = module_args(**options)
    if check:
        args["_ansible_check_mode"] = True
    return run_module(monkeypatch, capsys, args, main=eos_domain_quota.main)


def password(monkeypatch, capsys, check=False, **options):
    options.setdefault("user", "bob")
    options.setdefault("domain", "acme")
    options.setdefault("password", NEW_PASSWORD)
    args = module_args(**options)
    if check:
        args["_ansible_check_mode"] = True
    return run_module(monkeypatch, capsys, args, main=eos_user_password.main)


# -- eos_domain_quota, single form -------------------------------------------------------------

def test_a_write_names_its_request_id_and_success(monkeypatch, capsys, fake_eos):
    cloud(fake_eos, faults={PATCH_ACME: with_request_id("req-acme-1")})
    result = quota(monkeypatch, capsys, domain="acme", quotas={"cores": 20})
    assert result["changed"] is True
    assert result["write"] == {"request_id": "req-acme-1", "outcome": "success"}


def test_no_write_no_key_unchanged_or_check_mode(monkeypatch, capsys, fake_eos):
    api = cloud(fake_eos)
    unchanged = quota(monkeypatch, capsys, domain="acme", quotas={"cores": 10})
    assert unchanged["changed"] is False and "write" not in unchanged
    predicted = quota(monkeypatch, capsys, check=True, domain="acme", quotas={"cores": 20})
    assert predicted["changed"] is True and "write" not in predicted
    assert api.patches() == []


def test_an_answer_without_request_id_is_still_a_write(monkeypatch, capsys, fake_eos):
    cloud(fake_eos)
    result = quota(monkeypatch, capsys, domain="acme", quotas={"cores": 20})
    assert result["write"] == {"request_id": None, "outcome": "success"}


def test_a_refused_write_is_a_failure_with_the_department(monkeypatch, capsys, fake_eos):
    cloud(fake_eos, faults={PATCH_ACME: reply(409, {"error": {"message": "quota conflict"}},
                                              {"X-Openstack-Request-Id": "req-409"})})
    result = quota(monkeypatch, capsys, domain="acme", quotas={"cores": 20})
    assert result["failed"] is True and not result.get("changed")
    assert result["write"] == {"request_id": "req-409", "outcome": "failure"}
    assert result["domain"] == {"id": ACME_ID, "name": "acme"} and result["region"] == "RegionOne"
    assert result["changes"] == {"cores": {"before": 10, "after": 20}}
    assert result["quotas"]["cores"] == 10  # what was read before the write


def test_a_lost_answer_is_unknown(monkeypatch, capsys, fake_eos):
    cloud(fake_eos, faults={PATCH_ACME: apply_then_lose})
    result = quota(monkeypatch, capsys, domain="acme", quotas={"cores": 20})
    assert result["failed"] is True and result["changed"] is True
    assert result["write"] == {"request_id": None, "outcome": "unknown"}


def test_an_answer_with_other_values_is_unknown_and_names_its_request_id(monkeypatch, capsys,
                                                                         fake_eos):
    def answer_old_values(fake, request):
        status, headers, raw, reason = fake.quota_answer(ACME_ID)
        return status, dict(headers, **{"X-Openstack-Request-Id": "req-echo"}), raw, reason
    cloud(fake_eos, faults={PATCH_ACME: answer_old_values})
    result = quota(monkeypatch, capsys, domain="acme", quotas={"cores": 20})
    assert result["failed"] is True and result["changed"] is True
    assert result["write"] == {"request_id": "req-echo", "outcome": "unknown"}
    assert "req-echo" in result["msg"]


def test_a_failure_before_the_write_has_no_write(monkeypatch, capsys, fake_eos):
    api = cloud(fake_eos)
    result = quota(monkeypatch, capsys, domain="acme", quotas={"cores": 1000000})  # above limit
    assert result["failed"] is True and "write" not in result and api.patches() == []


def test_the_request_id_is_server_text_bounded_and_cleaned(monkeypatch, capsys, fake_eos):
    cloud(fake_eos, faults={PATCH_ACME: with_request_id("req-\x1b[31m" + "x" * 500)})
    request_id = quota(monkeypatch, capsys, domain="acme", quotas={"cores": 20})["write"][
        "request_id"]
    assert "\x1b" not in request_id and len(request_id) < 150


# -- eos_domain_quota, list form ---------------------------------------------------------------

def test_each_entry_has_its_own_write_and_only_those_written(monkeypatch, capsys, fake_eos):
    cloud(fake_eos, faults={
        PATCH_ACME: with_request_id("req-acme"),
        PATCH_GLOBEX: reply(500, {"error": {"message": "backend down"}},
                            {"X-Openstack-Request-Id": "req-500"})})
    result = quota(monkeypatch, capsys, parallel=1, domains=[
        {"domain": "acme", "quotas": {"cores": 20}}, {"domain": "globex", "quotas": {"cores": 30}}])
    acme, globex = result["domains"]
    assert acme["write"] == {"request_id": "req-acme", "outcome": "success"}
    assert globex["write"] == {"request_id": "req-500", "outcome": "failure"}
    unchanged = quota(monkeypatch, capsys, domains=[{"domain": "acme", "quotas": {"cores": 20}}])
    assert "write" not in unchanged["domains"][0]


def test_entries_not_attempted_have_no_write(monkeypatch, capsys, fake_eos):
    def refuse_the_token(fake, request):
        del fake.faults[PATCH_ACME]
        fake.revoke_token()
        return reply(401, UNAUTHORIZED)
    api = cloud(fake_eos, faults={PATCH_ACME: refuse_the_token}, tokens=[TOKEN],
                check_tokens=True)
    result = quota(monkeypatch, capsys, parallel=1, domains=[
        {"domain": "acme", "quotas": {"cores": 20}}, {"domain": "globex", "quotas": {"cores": 30}}])
    acme, globex = result["domains"]
    assert acme["write"]["outcome"] == "failure"  # sent, refused (401): nothing written
    assert globex.get("not_attempted") is True and "write" not in globex
    assert api.count("PATCH") == 1


# -- eos_user_password -------------------------------------------------------------------------

def test_a_reset_names_its_request_id_never_the_password(monkeypatch, capsys, fake_eos):
    cloud(fake_eos, faults={PATCH_BOB: with_request_id("req-bob")})
    result = password(monkeypatch, capsys)
    assert result["write"] == {"request_id": "req-bob", "outcome": "success"}
    assert NEW_PASSWORD not in json.dumps(result) and OLD_PASSWORD not in json.dumps(result)


def test_no_reset_no_write(monkeypatch, capsys, fake_eos):
    cloud(fake_eos)
    assert "write" not in password(monkeypatch, capsys, check=True)
    assert "write" not in password(monkeypatch, capsys, password=OLD_PASSWORD)


@pytest.mark.parametrize("fault, outcome", [
    (reply(403, {"error": {"message": "forbidden"}}, {"X-Openstack-Request-Id": "req-403"}),
     "failure"),
    (reply(400, {"error": {"message": "rules"}}, {"X-Openstack-Request-Id": "req-400"}),
     "failure"),
    (LOST, "unknown"),
], ids=["403", "400-rules", "lost-not-applied"])
def test_a_failed_reset_reports_its_write_and_the_user(monkeypatch, capsys, fake_eos, fault,
                                                       outcome):
    cloud(fake_eos, faults={PATCH_BOB: fault})
    result = password(monkeypatch, capsys)
    assert result["failed"] is True
    assert result["write"]["outcome"] == outcome
    assert result["user"]["id"] == BOB_ID and result["user"]["name"] == "bob"
    assert NEW_PASSWORD not in json.dumps(result)


def test_a_lost_answer_verified_by_a_login_is_a_success(monkeypatch, capsys, fake_eos):
    cloud(fake_eos, faults={PATCH_BOB: apply_then_lose})
    result = password(monkeypatch, capsys)
    assert result.get("failed") is not True
    assert result["write"] == {"request_id": None, "outcome": "success"}
