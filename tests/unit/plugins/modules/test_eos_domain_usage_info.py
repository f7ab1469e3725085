# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""eos_domain_usage_info: the module's logic, and whole runs against a faked API."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
from ansible_collections.easystack.eos.plugins.modules.eos_domain_usage_info import main
from ansible_collections.easystack.eos.plugins.module_utils.usage import run as read_usage
from ansible_collections.easystack.eos.tests.unit.plugins.module_utils.eos_fakes import (
    PASSWORD, TOKEN, module_args, reply, run_module)
from ansible_collections.easystack.eos.tests.unit.plugins.module_utils.fake_eos import ROOT, department

ACME_ID = "a75d0759a1e543a1b8d0efb56d0239ab"
REGIONS = {
    "RegionOne": {"quotas": {"cores": 72}, "usage": {"cores": 20}, "limits": {"cores": -1},
                  "quota_fake": {"cores": 1000}},
    "RegionTwo": {"quotas": {"cores": -1}, "usage": {"cores": 5}, "limits": {"cores": -1}},
}


class FakeClient:
    def __init__(self, answers):
        self.answers = answers
        self.calls = []

    def get(self, path, service="quota", expected=(200,)):
        self.calls.append((service, path))
        return self.answers[path]

    def root(self, service):
        return ROOT


class FakeModule:
    def __init__(self, answers, **params):
        self.client = FakeClient(answers)
        self.params = dict({"domain": None, "region": None, "domains": None, "all_domains": None}, **params)


def test_platform_view():
    module = FakeModule({"/v3/domain_usage": {"domain": REGIONS}})
    result = read_usage(module)
    assert result["view"] == "platform" and result["changed"] is False
    assert "quota_fake" not in result["regions"]["RegionOne"]
    assert result["regions"]["RegionTwo"] == REGIONS["RegionTwo"]
    assert result["summary"]["RegionOne"]["cores"]["allocated"] is None
    assert result["summary"]["RegionOne"]["cores"]["used"] == 20
    assert result["summary"]["RegionTwo"]["cores"]["unlimited"] is True
    assert module.client.calls == [("quota", "/v3/domain_usage")]
    assert "quota_fake" in REGIONS["RegionOne"]


def test_domain_view_with_region():
    module = FakeModule({"/v3/domains?name=acme": {"domains": [{"id": ACME_ID, "name": "acme", "enabled": True}]},
                         "/v3/domain_quotas/" + ACME_ID: {"domain": REGIONS}}, domain="acme", region="RegionOne")
    result = read_usage(module)
    assert result["view"] == "domain"
    assert result["domain"] == {"id": ACME_ID, "name": "acme"}
    assert list(result["regions"]) == ["RegionOne"] and list(result["summary"]) == ["RegionOne"]
    assert result["summary"]["RegionOne"]["cores"]["allocated"] == 20
    assert result["summary"]["RegionOne"]["cores"]["percent_allocated"] == 27.8
    assert module.client.calls == [("identity", "/v3/domains?name=acme"), ("quota", "/v3/domain_quotas/" + ACME_ID)]


def test_unknown_region_lists_the_regions():
    module = FakeModule({"/v3/domain_usage": {"domain": REGIONS}}, region="RegionNine")
    with pytest.raises(EosError) as info:
        read_usage(module)
    assert str(info.value) == "Region 'RegionNine' is not reported by the quota API; regions: RegionOne, RegionTwo"


@pytest.mark.parametrize("body", [None, {}, {"domain": []}, {"error": "x"}])
def test_answer_without_regions(body):
    with pytest.raises(EosError) as info:
        read_usage(FakeModule({"/v3/domain_usage": body}))
    assert "without a 'domain' object" in str(info.value)


def test_main_platform_view(monkeypatch, capsys, fake_eos):
    fake_eos(usage=REGIONS)  # a Keystone whose catalog has no quota service
    result = run_module(monkeypatch, capsys, module_args(), main=main)
    assert result["changed"] is False and result["view"] == "platform"
    assert result["summary"]["RegionOne"]["cores"]["quota"] == 72
    assert TOKEN not in json.dumps(result) and PASSWORD not in json.dumps(result)


def test_main_stale_token_and_refused_again(monkeypatch, capsys, fake_eos):
    unauthorized = reply(401, {"error": {"title": "Unauthorized", "message": "The request you have made requires "
                                         "authentication."}}, {"X-Openstack-Request-Id": "req-9"})
    fake_eos(faults={("GET", "/v3/domain_usage"): unauthorized})
    result = run_module(monkeypatch, capsys, module_args(), main=main)
    assert result["failed"] is True
    assert (result["status"], result["request_id"], result["method"]) == (401, "req-9", "GET")
    assert result["url"] == ROOT + "/v3/domain_usage"
    assert "was refused too" in result["msg"]
    assert TOKEN not in json.dumps(result) and PASSWORD not in json.dumps(result)


def test_parallel_reads_overlap_and_keep_the_order(monkeypatch, capsys, fake_eos):
    departments = dict(("%032x" % (index + 1), department("dept-%d" % index, REGIONS))
                       for index in range(12))
    results = {}
    for parallel in (1, 6):
        api = fake_eos(departments=departments, delay=0.02)
        result = run_module(monkeypatch, capsys, module_args(all_domains=True, parallel=parallel),
                            main=main)
        assert result["changed"] is False, result
        results[parallel] = result["domains"]
        assert api.count("GET", "/v3/domain_quotas/") == 12
        assert api.most_in_flight == (1 if parallel == 1 else 6)
    assert results[6] == results[1]
    assert [entry["domain"]["name"] for entry in results[6]] == sorted(
        "dept-%d" % index for index in range(12))


def test_a_failed_read_among_parallel_ones_fails_the_task_naming_it(monkeypatch, capsys, fake_eos):
    departments = dict(("%032x" % (index + 1), department("dept-%d" % index, REGIONS))
                       for index in range(8))
    broken = ("GET", "/v3/domain_quotas/%032x" % 5)
    fake_eos(departments=departments, faults={broken: reply(500, {"error": {"message": "down"}})})
    result = run_module(monkeypatch, capsys, module_args(all_domains=True, parallel=4), main=main)
    assert result["failed"] is True and result["status"] == 500
    assert result["url"].endswith(broken[1]), result
