# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""eos_domain_quota's list form (domains): whole runs of main() against a faked Keystone and
quota API serving many departments, some of them broken or hostile."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.easystack.eos.plugins.modules.eos_domain_quota import main
from ansible_collections.easystack.eos.tests.unit.plugins.module_utils.eos_fakes import (
    PASSWORD, TOKEN, TOKEN2, UNAUTHORIZED, module_args, reply, run_module, warnings_of)
from ansible_collections.easystack.eos.tests.unit.plugins.module_utils.fake_eos import ROOT, department


def domain_id(index):
    return "%032x" % (index + 1)


def quota_path(index):
    return "/v3/domain_quotas/" + domain_id(index)


def apply_but_answer_nothing(fake, request):
    fake.answer(request)
    return reply(200, raw=b"")


def answer_the_old_values(fake, request):
    return fake.quota_answer(request.url.rsplit("/", 1)[-1])


def refuse_the_token_once(fake, request):
    del fake.faults[(request.method, request.url[len(ROOT):])]
    fake.revoke_token()  # every token in use is refused until a new login
    return reply(401, UNAUTHORIZED)


# What a department's PATCH does instead of applying (many_departments' hostile)
HOSTILE = {"500": reply(500, {"error": {"message": "backend down"}}, {"X-Openstack-Request-Id": "req-500"}),
           "empty": apply_but_answer_nothing, "echo": answer_the_old_values, "401": refuse_the_token_once}
BAD_GET = reply(200, {"domain": {"RegionOne": {"quotas": {"cores": "lots"}}}})
REGION = {"quotas": {"cores": 10, "ram": 1024}, "usage": {"cores": 2}, "limits": {"cores": 100, "ram": -1}}


def many_departments(fake_eos, count, hostile=None, bad_get=(), delay=0.0):
    """Keystone (login, paged domain listing, lookups; two tokens, then logins are refused) and
    the quota API for ``count`` departments ``dept-0``... Each has cores 10 (2 allocated, limit
    100) and ram 1024.

    ``hostile`` maps a department index to what its PATCH does instead of applying: ``"500"``,
    ``"empty"`` (200, no body), ``"echo"`` (answers other values), ``"401"`` (the token is
    refused once, then accepted); ``bad_get`` answers a string quota for that department.
    """
    faults = dict((("PATCH", quota_path(index)), HOSTILE[what]) for index, what in (hostile or {}).items())
    faults.update((("GET", quota_path(index)), BAD_GET) for index in bad_get)
    departments = dict((domain_id(i), department("dept-%d" % i, {"RegionOne": REGION})) for i in range(count))
    return fake_eos(departments=departments, tokens=[TOKEN, TOKEN2], check_tokens=True, faults=faults,
                    delay=delay)


def run(monkeypatch, capsys, **options):
    return run_module(monkeypatch, capsys, module_args(**options), main=main)


def entries(count, cores=20):
    return [{"domain": "dept-%d" % i, "quotas": {"cores": cores}} for i in range(count)]


def test_many_departments_one_login_one_listing_one_read_each_writes_in_parallel(
        monkeypatch, capsys, fake_eos):
    api = many_departments(fake_eos, 40, delay=0.01)
    result = run(monkeypatch, capsys, domains=entries(40), parallel=5)
    assert result["changed"] is True and "failed" not in result
    assert [e["domain"]["name"] for e in result["domains"]] == ["dept-%d" % i for i in range(40)]
    assert all(e["changed"] and e["quotas"]["cores"] == 20 for e in result["domains"])
    assert (api.count("POST"), api.count("GET", "/v3/domains?"), api.count("GET", "quotas/"),
            api.count("PATCH")) == (1, 1, 40, 40)
    assert 2 <= api.most_in_flight <= 5  # bounded, and parallel indeed

    api.clear()
    api.tokens.append(TOKEN)
    again = run(monkeypatch, capsys, domains=entries(40), parallel=5)
    assert again["changed"] is False and api.count("PATCH") == 0
    assert [e["changes"] for e in again["domains"]] == [{}] * 40


def test_only_changed_entries_are_written(monkeypatch, capsys, fake_eos):
    api = many_departments(fake_eos, 3)
    many = entries(3, cores=10)
    many[1]["quotas"] = {"cores": 30}
    result = run(monkeypatch, capsys, domains=many)
    assert [e["changed"] for e in result["domains"]] == [False, True, False]
    assert [url for method, url, body in api.sent if method == "PATCH"] == [
        ROOT + "/v3/domain_quotas/" + domain_id(1)]


def test_a_broken_answer_in_planning_means_no_write_at_all(monkeypatch, capsys, fake_eos):
    api = many_departments(fake_eos, 5, bad_get=[3])
    result = run(monkeypatch, capsys, domains=entries(5))
    assert result["failed"] is True and result.get("changed") is None
    assert result["msg"].startswith("1 of 5 entries of domains have problems, so nothing was "
                                    "written: domains[4] dept-3: ")
    assert "the answer's RegionOne quotas.cores is str 'lots', not a number" in result["msg"]
    assert api.count("PATCH") == 0


def test_failed_writes_are_named_and_the_others_are_written_and_reported(monkeypatch, capsys, fake_eos):
    api = many_departments(fake_eos, 6, hostile={1: "500", 3: "empty", 4: "echo"})
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
    assert [api.quotas(domain_id(i))["cores"] for i in range(6)] == [20, 10, 20, 20, 10, 20]


def test_a_token_refused_while_writing_in_parallel_is_renewed_once(monkeypatch, capsys, fake_eos):
    api = many_departments(fake_eos, 12, hostile={2: "401"}, delay=0.01)
    result = run(monkeypatch, capsys, domains=entries(12), parallel=4)
    assert "failed" not in result, result["msg"]
    assert api.count("POST") == 2  # the first login and one renewal, whatever the threads saw
    assert all(api.quotas(domain_id(i))["cores"] == 20 for i in range(12))


def test_check_mode_plans_everything_and_writes_nothing(monkeypatch, capsys, fake_eos):
    api = many_departments(fake_eos, 4)
    result = run(monkeypatch, capsys, domains=entries(4), _ansible_check_mode=True,
                 _ansible_diff=True)
    assert result["changed"] is True and api.count("PATCH") == 0
    assert [e["quotas"]["cores"] for e in result["domains"]] == [20] * 4
    assert [d["before_header"] for d in result["diff"]] == ["dept-%d (RegionOne)" % i
                                                            for i in range(4)]
    assert result["diff"][0]["before"] == {"cores": 10} and result["diff"][0]["after"] == {
        "cores": 20}


def test_a_long_list_of_problems_is_capped_and_counted(monkeypatch, capsys, fake_eos):
    api = many_departments(fake_eos, 60)
    many = [{"domain": "dept-%d" % i, "quotas": {"cores": -5}} for i in range(60)]
    result = run(monkeypatch, capsys, domains=many)
    assert result["msg"].startswith("60 of 60 entries of domains have problems, so nothing was "
                                    "written")
    assert result["msg"].endswith("; and 10 more")
    assert result["msg"].count("is negative") == 50
    assert api.count("PATCH") == 0


def test_every_class_of_problem_is_named_in_one_run(monkeypatch, capsys, fake_eos):
    """Offline (a bad value, an empty name), lookup (an unknown department) and item problems
    (an item the server lacks, one above its limit) of different entries: one run names them
    all, and writes nothing, not even the good entry's change."""
    api = many_departments(fake_eos, 4)
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


def test_a_refused_relogin_stops_the_task_and_the_rest_is_not_attempted(monkeypatch, capsys, fake_eos):
    """The token is revoked mid-run and every login is refused from then on: one re-login for
    the whole task (never one per department: a lockout), and the departments not yet written
    are reported as not attempted, not as failed writes."""
    api = many_departments(fake_eos, 10, hostile={0: "401"})
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


def test_no_secret_in_any_output(monkeypatch, capsys, fake_eos):
    many_departments(fake_eos, 3, hostile={0: "500", 1: "echo"})
    result = run(monkeypatch, capsys, domains=entries(3))
    text = json.dumps(result)
    assert PASSWORD not in text and TOKEN not in text and TOKEN2 not in text


def test_a_forced_shrink_warns_naming_the_entry(monkeypatch, capsys, fake_eos):
    many_departments(fake_eos, 2)
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
