# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every server string that reaches output goes through one function (``untrusted.shown``).

A fake EOS answers with hostile names everywhere (department, user, region and item names with
terminal escapes, BEL, CR, LF, bidi overrides; error texts of 100,000 characters), and every
module runs through the paths that put server text into words: messages, warnings, diff headers,
summary lines, the password check. Whatever the path, the words carry no control character and
no server string longer than ``shown``'s bound. (Data fields - a department's name in
``domains[].domain.name``, the quota maps - carry the server's values as they are: they are
data, JSON-encoded wherever Ansible prints them.)
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from urllib.parse import quote

import pytest

from ansible_collections.easystack.eos.plugins.modules import (
    eos_domain_quota, eos_domain_usage_info, eos_user_password)
from ansible_collections.easystack.eos.tests.unit.plugins.module_utils.eos_fakes import (
    module_args, reply, run_module, warnings_of)
from ansible_collections.easystack.eos.tests.unit.plugins.module_utils.fake_eos import department

DOMAIN_ID = "a75d0759a1e543a1b8d0efb56d0239ab"
USER_ID = "5df4ae79648b4d7e954382da88cc69ef"
# (No NUL in what a task also gives: Ansible refuses a NUL in a module argument itself.)
ESCAPES = "\x1b[2J\x1b]0;pwned\x07\r\nok: [localhost]\u202e\x9b"
DEPARTMENT = "acme" + ESCAPES
USER = "bob" + ESCAPES
REGION = "Region\x00" + ESCAPES
ITEM = "gpu" + ESCAPES
LONG_RUN = "Z" * 100000  # in error texts: a run this long must never reach the words whole
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e]")
REGIONS = {REGION: {"quotas": {"cores": 72, ITEM: 50}, "usage": {"cores": 20, ITEM: 20},
                    "allocated": {"cores": 20, ITEM: 20}, "limits": {"cores": 1000, ITEM: -1}}}
ASKED = "N3w-Pa55"  # the password the password tasks ask for
UNFILTERED = DEPARTMENT + "y"  # a name whose lookup answers every department (a filter ignored)
ERROR = reply(400, {"error": {"code": 400, "title": "Bad" + ESCAPES, "message": ESCAPES + "\x00" + LONG_RUN}},
              {"X-Openstack-Request-Id": "req-" + ESCAPES})


def hostile_eos(fake_eos, writes="ok", check="refused", enabled=True):
    """Keystone and the quota API of one department and one user, hostile names throughout.

    ``writes``: what a PATCH answers - ``"ok"``, or ``"error"`` (a 400 whose message is the
    escapes and 100,000 characters). ``check``: the user's login with the asked password -
    ``"match"``, ``"refused"``, ``"expired"`` (Keystone's words, escapes appended), ``"mfa"`` (a
    receipt).
    """
    user = {"id": USER_ID, "name": USER, "domain_id": DOMAIN_ID, "enabled": enabled}
    failing = [("PATCH", "/v3/users/" + USER_ID), ("PATCH", "/v3/domain_quotas/" + DOMAIN_ID)] \
        if writes == "error" else []
    faults = dict((write, ERROR) for write in failing)
    faults[("GET", "/v3/domains?name=" + quote(UNFILTERED, safe=""))] = lambda fake, request: fake.domains_named({})
    return fake_eos(departments={DOMAIN_ID: department(DEPARTMENT, REGIONS)}, usage=REGIONS,
                    users={USER_ID: user}, passwords={USER_ID: "another" if check == "refused" else ASKED},
                    expired=[USER_ID] if check == "expired" else [], mfa=[USER_ID] if check == "mfa" else [],
                    words={"refused": "Refused" + ESCAPES + LONG_RUN,
                           "expired": "The password is expired" + ESCAPES + LONG_RUN},
                    faults=faults)


def words_of(result):
    """Everything a result says in words."""
    diffs = result.get("diff") or []
    diffs = diffs if isinstance(diffs, list) else [diffs]
    return ([result.get("msg") or ""] + warnings_of(result) + list(result.get("summary") or [])
            + [diff.get(side) or "" for diff in diffs
               for side in ("before_header", "after_header")]
            + [str(result.get(key) or "") for key in ("password_check", "password_state")])


def assert_inert(result):
    words = words_of(result)
    assert [text for text in words if text], result
    for text in words:
        assert not CONTROL.search(text), repr(text)
        assert "Z" * 400 not in text, "a server text reached the words unbounded: %d" % len(text)


def quota(monkeypatch, capsys, check_mode=False, **options):
    args = module_args(_ansible_diff=True, _ansible_check_mode=check_mode, **options)
    return run_module(monkeypatch, capsys, args, main=eos_domain_quota.main)


@pytest.mark.parametrize("check_mode", [False, True])
def test_the_single_form_shrinking_a_hostile_item_in_a_hostile_region(monkeypatch, capsys, fake_eos,
                                                                      check_mode):
    hostile_eos(fake_eos)
    result = quota(monkeypatch, capsys, check_mode, domain=DEPARTMENT,
                   quotas={ITEM: 10, "cores": 80}, force=True)
    assert result.get("changed") and warnings_of(result), result
    assert_inert(result)


@pytest.mark.parametrize("check_mode", [False, True])
def test_the_list_form_with_a_forced_shrink_summary_and_diff(monkeypatch, capsys, fake_eos, check_mode):
    hostile_eos(fake_eos)
    result = quota(monkeypatch, capsys, check_mode,
                   domains=[{"domain": DEPARTMENT, "quotas": {ITEM: 10}, "force": True}])
    assert result["summary"] and result["diff"] and warnings_of(result), result
    assert_inert(result)


@pytest.mark.parametrize("options", [
    {"domain": DEPARTMENT, "quotas": {"gpus": 1}},  # the unknown item lists the server's items
    {"domain": DEPARTMENT, "quotas": {"cores": 1}},  # below what is allocated
    {"domain": DEPARTMENT, "region": "nowhere", "quotas": {"cores": 80}},  # lists the regions
    {"domain": DEPARTMENT + "x", "quotas": {"cores": 80}},  # not found, a close name
    {"domain": UNFILTERED, "quotas": {"cores": 80}},  # the lookup answers another name
    {"domains": [{"domain": DEPARTMENT, "quotas": {"gpus": 1, "cores": "x" + ESCAPES}},
                 {"domain": "nope" + ESCAPES, "region": REGION, "quotas": {"cores": 1}}]},
], ids=["unknown-item", "below-allocated", "unknown-region", "not-found", "another-name", "list-problems"])
def test_problems_naming_hostile_names(monkeypatch, capsys, fake_eos, options):
    hostile_eos(fake_eos)
    result = quota(monkeypatch, capsys, **options)
    assert result["failed"], result
    assert_inert(result)


@pytest.mark.parametrize("form", ["single", "list"])
def test_a_hostile_error_text_on_the_write(monkeypatch, capsys, fake_eos, form):
    hostile_eos(fake_eos, writes="error")
    if form == "single":
        result = quota(monkeypatch, capsys, domain=DEPARTMENT, quotas={"cores": 80})
    else:
        result = quota(monkeypatch, capsys, domains=[{"domain": DEPARTMENT,
                                                      "quotas": {"cores": 80}}])
        assert "FAILED" in result["summary"][0]
    assert result["failed"], result
    assert_inert(result)


@pytest.mark.parametrize("options", [
    {"domain": DEPARTMENT}, {}, {"domains": [DEPARTMENT, "gone" + ESCAPES]},
    {"domain": DEPARTMENT, "region": "nowhere" + ESCAPES}, {"all_domains": True},
], ids=["domain", "platform", "list-with-unknown", "unknown-region", "all"])
def test_usage_reports(monkeypatch, capsys, fake_eos, options):
    hostile_eos(fake_eos)
    result = run_module(monkeypatch, capsys, module_args(**options),
                        main=eos_domain_usage_info.main)
    result.pop("summary", None)  # per region and item: data (numbers), not words
    if not result.get("failed"):
        result["msg"] = "read"  # a report's words are its message only
    assert_inert(result)


@pytest.mark.parametrize("check, enabled, writes", [
    ("refused", True, "ok"), ("expired", True, "ok"), ("mfa", True, "ok"), ("match", True, "ok"),
    ("refused", False, "ok"), ("refused", True, "error"),
])
def test_password_paths(monkeypatch, capsys, fake_eos, check, enabled, writes):
    hostile_eos(fake_eos, writes=writes, check=check, enabled=enabled)
    args = module_args(_ansible_diff=True, user=USER, domain=DEPARTMENT, password=ASKED)
    result = run_module(monkeypatch, capsys, args, main=eos_user_password.main)
    assert_inert(result)
