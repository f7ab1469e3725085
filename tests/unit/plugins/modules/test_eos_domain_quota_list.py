# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""eos_domain_quota's list form (domains): whole runs of main() against a faked Keystone and
quota API serving many departments, some of them broken or hostile."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import threading
import time

from ansible_collections.easystack.eos.plugins.modules.eos_domain_quota import main
from ansible_collections.easystack.eos.tests.unit.plugins.module_utils.eos_fakes import (
    PASSWORD, TOKEN, module_args, reply, run_module, serve, warnings_of)

ROOT = "https://keystone.example:5000"
TOKEN2 = "gAAAAA-second-token-9876543210"
UNAUTHORIZED = {"error": {"code": 401, "title": "Unauthorized", "message": "The request you "
                          "have made requires authentication."}}


def domain_id(index):
    return "%032x" % (index + 1)


class ManyDepartments:
    """Keystone (login, paged domain listing, lookups) and the quota API for ``count``
    departments ``dept-0``... Each has cores 10 (2 allocated, limit 100) and ram 1024.

    ``hostile`` maps a department index to what its PATCH does instead of applying: ``"500"``,
    ``"empty"`` (200, no body), ``"echo"`` (answers other values), ``"401"`` (the token is
    refused once, then accepted); ``bad_get`` answers a string quota for that department.
    """

    def __init__(self, monkeypatch, count, hostile=None, bad_get=(), delay=0.0):
        self.quotas = dict((domain_id(i), {"cores": 10, "ram": 1024}) for i in range(count))
        self.names = dict((domain_id(i), "dept-%d" % i) for i in range(count))
        self.hostile = dict(hostile or {})
        self.bad_get = set(domain_id(i) for i in bad_get)
        self.delay = delay
        self.sent = []
        self.tokens = [TOKEN, TOKEN2]
        self.valid = None
        self.in_flight = self.most_in_flight = 0
        self.lock = threading.Lock()
        serve(monkeypatch, self.handle)

    def region(self, ident):
        return {"RegionOne": {"quotas": dict(self.quotas[ident]), "usage": {"cores": 2},
                              "limits": {"cores": 100, "ram": -1}}}

    def handle(self, request):
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            self.sent.append((request.method, request.url))
        try:
            if self.delay:
                time.sleep(self.delay)
            return self.answer(request)
        finally:
            with self.lock:
                self.in_flight -= 1

    def answer(self, request):
        method, url = request.method, request.url
        if method == "POST" and url == ROOT + "/v3/auth/tokens":
            if not self.tokens:
                return reply(401, UNAUTHORIZED)
            self.valid = self.tokens.pop(0)
            endpoints = [{"interface": "public", "region_id": "RegionOne", "url": ROOT + "/v3"}]
            return reply(201, {"token": {"catalog": [{"type": "identity", "endpoints": endpoints}]}},
                         {"X-Subject-Token": self.valid})
        if request.headers.get("X-Auth-Token") != self.valid:
            return reply(401, UNAUTHORIZED)
        if method == "GET" and url == ROOT + "/v3/domains?limit=1000":
            return reply(200, {"domains": [{"id": ident, "name": name}
                                           for ident, name in sorted(self.names.items())],
                               "links": {"next": None}})
        ident = url.rsplit("/", 1)[-1]
        if not url.startswith(ROOT + "/v3/domain_quotas/") or ident not in self.quotas:
            return reply(404, {"error": {"message": "no route for %s %s" % (method, url)}})
        if method == "GET":
            if ident in self.bad_get:
                return reply(200, {"domain": {"RegionOne": {"quotas": {"cores": "lots"}}}})
            return reply(200, {"domain": self.region(ident)})
        what = self.hostile.get(int(ident, 16) - 1)
        if what == "401":
            del self.hostile[int(ident, 16) - 1]
            self.valid = "expired"  # every token in use is refused until a new login
            return reply(401, UNAUTHORIZED)
        if what == "500":
            return reply(500, {"error": {"message": "backend down"}},
                         {"X-Openstack-Request-Id": "req-500"})
        if what == "empty":
            self.quotas[ident].update(self.changes(request))
            return reply(200, raw=b"")
        if what == "echo":
            return reply(200, {"domain": self.region(ident)})
        self.quotas[ident].update(self.changes(request))
        return reply(200, {"domain": self.region(ident)})

    @staticmethod
    def changes(request):
        body = dict(json.loads(request.body)["domain"])
        body.pop("region")
        return body

    def count(self, method, fragment=""):
        return len([1 for m, url in self.sent if m == method and fragment in url])


def run(monkeypatch, capsys, **options):
    return run_module(monkeypatch, capsys, module_args(**options), main=main)


def entries(count, cores=20):
    return [{"domain": "dept-%d" % i, "quotas": {"cores": cores}} for i in range(count)]


def test_many_departments_one_login_one_listing_one_read_each_writes_in_parallel(
        monkeypatch, capsys):
    api = ManyDepartments(monkeypatch, 40, delay=0.01)
    result = run(monkeypatch, capsys, domains=entries(40), parallel=5)
    assert result["changed"] is True and "failed" not in result
    assert [e["domain"]["name"] for e in result["domains"]] == ["dept-%d" % i for i in range(40)]
    assert all(e["changed"] and e["quotas"]["cores"] == 20 for e in result["domains"])
    assert (api.count("POST"), api.count("GET", "/v3/domains?"), api.count("GET", "quotas/"),
            api.count("PATCH")) == (1, 1, 40, 40)
    assert 2 <= api.most_in_flight <= 5  # bounded, and parallel indeed

    api.sent[:] = []
    api.tokens.append(TOKEN)
    again = run(monkeypatch, capsys, domains=entries(40), parallel=5)
    assert again["changed"] is False and api.count("PATCH") == 0
    assert [e["changes"] for e in again["domains"]] == [{}] * 40


def test_only_changed_entries_are_written(monkeypatch, capsys):
    api = ManyDepartments(monkeypatch, 3)
    many = entries(3, cores=10)
    many[1]["quotas"] = {"cores": 30}
    result = run(monkeypatch, capsys, domains=many)
    assert [e["changed"] for e in result["domains"]] == [False, True, False]
    assert [url for method, url in api.sent if method == "PATCH"] == [
        ROOT + "/v3/domain_quotas/" + domain_id(1)]


def test_a_broken_answer_in_planning_means_no_write_at_all(monkeypatch, capsys):
    api = ManyDepartments(monkeypatch, 5, bad_get=[3])
    result = run(monkeypatch, capsys, domains=entries(5))
    assert result["failed"] is True and result.get("changed") is None
    assert result["msg"].startswith("1 of 5 entries of domains have problems, so nothing was "
                                    "written: domains[4] dept-3: ")
    assert "the answer's RegionOne quotas.cores is str 'lots', not a number" in result["msg"]
    assert api.count("PATCH") == 0


def test_failed_writes_are_named_and_the_others_are_written_and_reported(monkeypatch, capsys):
    api = ManyDepartments(monkeypatch, 6, hostile={1: "500", 3: "empty", 4: "echo"})
    result = run(monkeypatch, capsys, domains=entries(6), parallel=3)
    assert result["failed"] is True
    assert result["changed"] is True
    assert result["msg"].startswith("3 of 6 entries of domains failed to write (the others were "
                                    "written; every entry is in domains): domains[2] dept-1")
    by_name = dict((e["domain"]["name"], e) for e in result["domains"])
    assert [by_name["dept-%d" % i].get("failed", False) for i in range(6)] == [
        False, True, False, True, True, False]
    # the 500 certainly did nothing; an unreadable or wrong answer may have applied
    assert [by_name["dept-%d" % i]["changed"] for i in range(6)] == [
        True, False, True, True, True, True]
    assert "backend down (request id req-500)" in by_name["dept-1"]["msg"]
    assert "may have been applied" in by_name["dept-3"]["msg"]
    assert "answered other values for: cores (asked 20, got 10)" in by_name["dept-4"]["msg"]
    assert by_name["dept-1"]["quotas"]["cores"] == 10  # what was read: the write failed
    assert [api.quotas[domain_id(i)]["cores"] for i in range(6)] == [20, 10, 20, 20, 10, 20]


def test_a_token_refused_while_writing_in_parallel_is_renewed_once(monkeypatch, capsys):
    api = ManyDepartments(monkeypatch, 12, hostile={2: "401"}, delay=0.01)
    result = run(monkeypatch, capsys, domains=entries(12), parallel=4)
    assert "failed" not in result, result["msg"]
    assert api.count("POST") == 2  # the first login and one renewal, whatever the threads saw
    assert all(api.quotas[domain_id(i)]["cores"] == 20 for i in range(12))


def test_check_mode_plans_everything_and_writes_nothing(monkeypatch, capsys):
    api = ManyDepartments(monkeypatch, 4)
    result = run(monkeypatch, capsys, domains=entries(4), _ansible_check_mode=True,
                 _ansible_diff=True)
    assert result["changed"] is True and api.count("PATCH") == 0
    assert [e["quotas"]["cores"] for e in result["domains"]] == [20] * 4
    assert [d["before_header"] for d in result["diff"]] == ["dept-%d (RegionOne)" % i
                                                            for i in range(4)]
    assert result["diff"][0]["before"] == {"cores": 10} and result["diff"][0]["after"] == {
        "cores": 20}


def test_a_long_list_of_problems_is_capped_and_counted(monkeypatch, capsys):
    api = ManyDepartments(monkeypatch, 60)
    many = [{"domain": "dept-%d" % i, "quotas": {"cores": -5}} for i in range(60)]
    result = run(monkeypatch, capsys, domains=many)
    assert result["msg"].startswith("60 of 60 entries of domains have problems, so nothing was "
                                    "written")
    assert result["msg"].endswith("; and 10 more")
    assert result["msg"].count("is negative") == 50
    assert api.count("PATCH") == 0


def test_every_class_of_problem_is_named_in_one_run(monkeypatch, capsys):
    """Offline (a bad value, an empty name), lookup (an unknown department) and item problems
    (an item the server lacks, one above its limit) of different entries: one run names them
    all, and writes nothing, not even the good entry's change."""
    api = ManyDepartments(monkeypatch, 4)
    result = run(monkeypatch, capsys, domains=[
        {"domain": "dept-0", "quotas": {"cores": "lots"}},
        {"domain": " ", "quotas": {"cores": 20}},
        {"domain": "dept-404", "quotas": {"cores": 20}},
        {"domain": "dept-1", "quotas": {"corse": 20}},
        {"domain": "dept-2", "quotas": {"cores": 5000}},
        {"domain": "dept-3", "quotas": {"cores": 20}},
        {"domain": "dept-0", "region": "RegionOne", "quotas": {"cores": 1, "gpus": 2}},
    ])
    message = result["msg"]
    assert message.startswith("6 of 7 entries of domains have problems"), message
    for words in ("domains[1] dept-0: Quota 'cores': 'lots' is not a number",
                  "domains[2] '': domain is empty", "domains[3] dept-404: not found",
                  "domains[4] dept-1: unknown quota item 'corse' (did you mean 'cores'?)",
                  "domains[5] dept-2: Nothing was changed in region RegionOne: 'cores': 5000 is "
                  "above its limit 100", "domains[7] dept-0 (RegionOne): unknown quota item "
                  "'gpus'"):
        assert words in message, (words, message)
    assert "dept-3" not in message
    assert api.count("PATCH") == 0


def test_a_refused_relogin_stops_the_task_and_the_rest_is_not_attempted(monkeypatch, capsys):
    """The token is revoked mid-run and every login is refused from then on: one re-login for
    the whole task (never one per department: a lockout), and the departments not yet written
    are reported as not attempted, not as failed writes."""
    api = ManyDepartments(monkeypatch, 10, hostile={0: "401"})
    api.tokens = [TOKEN]  # the one login works; any later one is refused
    result = run(monkeypatch, capsys, domains=entries(10), parallel=1)
    assert api.count("POST") == 2, api.sent  # the login and the one re-login
    assert api.count("PATCH") == 1
    assert result["failed"] and not result["changed"]
    assert "9 of 10 writes were not attempted, because the task stopped" in result["msg"], \
        result["msg"]
    not_attempted = [entry for entry in result["domains"] if entry.get("not_attempted")]
    assert len(not_attempted) == 9
    assert all("NOT ATTEMPTED" in line for line in result["summary"][1:]), result["summary"]


def test_no_secret_in_any_output(monkeypatch, capsys):
    ManyDepartments(monkeypatch, 3, hostile={0: "500", 1: "echo"})
    result = run(monkeypatch, capsys, domains=entries(3))
    text = json.dumps(result)
    assert PASSWORD not in text and TOKEN not in text and TOKEN2 not in text


def test_a_forced_shrink_warns_naming_the_entry(monkeypatch, capsys):
    ManyDepartments(monkeypatch, 2)
    result = run(monkeypatch, capsys, domains=[{"domain": "dept-0", "quotas": {"cores": 1}},
                                               {"domain": "dept-1", "quotas": {"cores": 1},
                                                "force": False}], force=True)
    assert result["failed"] is True and "domains[2] dept-1: Nothing was changed" in result["msg"]
    assert warnings_of(result) == []  # nothing was set, so no "set anyway" for dept-0
    result = run(monkeypatch, capsys, domains=[{"domain": "dept-0", "quotas": {"cores": 1}},
                                               {"domain": "dept-1", "quotas": {"cores": 10}}],
                 force=True)
    assert "failed" not in result, result
    assert warnings_of(result) == [
        "domains[1] dept-0: 'cores' in region RegionOne: 1 is below what is already allocated "
        "(2); set anyway (force: true)"]
