# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""eos_domain_quota's plan, approve, apply: a check run's plan, and an apply run that writes
only when the live state still gives the same plan (both forms)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.easystack.eos.plugins.modules.eos_domain_quota import main
from ansible_collections.easystack.eos.tests.unit.plugins.module_utils.eos_fakes import (
    module_args, run_module)
from ansible_collections.easystack.eos.tests.unit.plugins.module_utils.fake_eos import department

ACME = "a75d0759a1e543a1b8d0efb56d0239ab"
GLOBEX = "5df4ae79648b4d7e954382da88cc69ef"


def region(cores, allocated=2):
    return {"RegionOne": {"quotas": {"cores": cores, "ram": 1024}, "usage": {"cores": allocated},
                          "limits": {"cores": 1000, "ram": -1}}}


def cloud(fake_eos):
    return fake_eos(departments={ACME: department("acme", region(10)),
                                 GLOBEX: department("globex", region(20))})


def run(monkeypatch, capsys, check_mode=False, **options):
    return run_module(monkeypatch, capsys, module_args(_ansible_check_mode=check_mode, **options),
                      main=main)


LIST = [{"domain": "acme", "quotas": {"cores": 30}}, {"domain": "globex", "quotas": {"cores": 20}}]


@pytest.mark.parametrize("form", [{"domain": "acme", "quotas": {"cores": 30}}, {"domains": LIST}],
                         ids=["single", "list"])
def test_the_planned_change_is_applied(monkeypatch, capsys, fake_eos, form):
    api = cloud(fake_eos)
    planned = run(monkeypatch, capsys, check_mode=True, **form)
    assert planned["changed"] is True and planned["plan"].startswith("sha256:")
    assert planned["drift"] == [{"domain": "acme", "domain_id": ACME, "region": "RegionOne",
                                 "item": "cores", "live": 10, "desired": 30,
                                 "line": "acme RegionOne cores: live 10, desired 30"}]
    assert api.patches() == []
    # allocation moves all day: it is no part of the plan
    api.departments[ACME]["regions"]["RegionOne"]["usage"]["cores"] = 7
    applied = run(monkeypatch, capsys, expect_plan=planned["plan"], **form)
    assert applied["changed"] is True and applied["plan"] == planned["plan"]
    assert api.patches() == [{"domain": {"cores": 30, "region": "RegionOne"}}]


@pytest.mark.parametrize("form", [{"domain": "acme", "quotas": {"cores": 30}}, {"domains": LIST}],
                         ids=["single", "list"])
def test_a_change_since_the_plan_writes_nothing_and_says_what_it_would_do_now(
        monkeypatch, capsys, fake_eos, form):
    api = cloud(fake_eos)
    planned = run(monkeypatch, capsys, check_mode=True, **form)
    # someone sets acme's quotas outside Ansible (or globex's, which this plan leaves alone)
    api.quotas(ACME)["cores"] = 12
    api.quotas(GLOBEX)["cores"] = 25
    result = run(monkeypatch, capsys, expect_plan=planned["plan"], **form)
    assert result["failed"] is True and result["changed"] is False
    assert api.patches() == []
    assert "changed since the plan" in result["msg"] and planned["plan"] in result["msg"]
    assert "acme RegionOne cores 12 -> 30" in result["msg"]
    assert result["plan"] != planned["plan"] and result["plan"] in result["msg"]
    if "domains" in form:
        assert "globex RegionOne cores 25 -> 20" in result["msg"]


def test_the_same_plan_from_another_run_with_the_same_state(monkeypatch, capsys, fake_eos):
    cloud(fake_eos)
    first = run(monkeypatch, capsys, check_mode=True, domains=LIST)["plan"]
    assert run(monkeypatch, capsys, check_mode=True, domains=LIST)["plan"] == first
    # another desired state is another plan, on the same live state
    other = [dict(LIST[0], quotas={"cores": 31}), LIST[1]]
    assert run(monkeypatch, capsys, check_mode=True, domains=other)["plan"] != first


@pytest.mark.parametrize("bad", ["", "  ", "sha256:abc", "5b1c" * 16, "sha256:" + "G" * 64])
def test_a_bad_expected_plan_fails_before_anything_is_sent(monkeypatch, capsys, fake_eos, bad):
    api = cloud(fake_eos)
    for form in ({"domain": "acme", "quotas": {"cores": 30}}, {"domains": LIST}):
        result = run(monkeypatch, capsys, expect_plan=bad, **form)
        assert result["failed"] is True and "expect_plan must be the plan" in result["msg"]
        assert "Nothing was sent" in result["msg"]
    assert api.sent == []


def test_check_mode_with_a_stale_plan_fails_too(monkeypatch, capsys, fake_eos):
    api = cloud(fake_eos)
    planned = run(monkeypatch, capsys, check_mode=True, domain="acme", quotas={"cores": 30})
    api.quotas(ACME)["ram"] = 2048  # an item the task does not manage: still the live state
    result = run(monkeypatch, capsys, check_mode=True, expect_plan=planned["plan"], domain="acme",
                 quotas={"cores": 30})
    assert result["failed"] is True and "changed since the plan" in result["msg"]
