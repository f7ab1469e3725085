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
    PASSWORD, TOKEN, module_args, reply, run_module, serve)

ACME_ID = "a75d0759a1e543a1b8d0efb56d0239ab"
ROOT = "https://keystone.example:5000"
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


def fake_api(monkeypatch, quota_answers):
    """Route the module's HTTP to a fake Keystone whose catalog has no quota service."""
    def handler(request):
        if request.method == "POST" and request.url == ROOT + "/v3/auth/tokens":
            return reply(201, {"token": {"catalog": [{"type": "identity", "endpoints": [
                {"interface": "public", "region_id": "RegionOne", "url": ROOT + "/v3"}]}]}},
                {"X-Subject-Token": TOKEN})
        answers = quota_answers.get((request.method, request.url))
        if answers:
            return answers.pop(0) if len(answers) > 1 else answers[0]
        return reply(404, {"error": {"message": "no route"}})
    serve(monkeypatch, handler)


def test_main_platform_view(monkeypatch, capsys):
    fake_api(monkeypatch, {("GET", ROOT + "/v3/domain_usage"): [reply(200, {"domain": REGIONS})]})
    result = run_module(monkeypatch, capsys, module_args(), main=main)
    assert result["changed"] is False and result["view"] == "platform"
    assert result["summary"]["RegionOne"]["cores"]["quota"] == 72
    assert TOKEN not in json.dumps(result) and PASSWORD not in json.dumps(result)


def test_main_stale_token_and_refused_again(monkeypatch, capsys):
    unauthorized = reply(401, {"error": {"title": "Unauthorized", "message": "The request you have made requires "
                                         "authentication."}}, {"X-Openstack-Request-Id": "req-9"})
    fake_api(monkeypatch, {("GET", ROOT + "/v3/domain_usage"): [unauthorized]})
    result = run_module(monkeypatch, capsys, module_args(), main=main)
    assert result["failed"] is True
    assert (result["status"], result["request_id"], result["method"]) == (401, "req-9", "GET")
    assert result["url"] == ROOT + "/v3/domain_usage"
    assert "was refused too" in result["msg"]
    assert TOKEN not in json.dumps(result) and PASSWORD not in json.dumps(result)
