# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""eos_domain_quota: whole runs of main() against a faked Keystone and quota API."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.easystack.eos.plugins.modules.eos_domain_quota import main
from ansible_collections.easystack.eos.tests.unit.plugins.module_utils.eos_fakes import (
    PASSWORD, TOKEN, module_args, run_module, warnings_of)
from ansible_collections.easystack.eos.tests.unit.plugins.module_utils.fake_eos import ROOT, department

ACME_ID = "a75d0759a1e543a1b8d0efb56d0239ab"
QUOTA_URL = ROOT + "/v3/domain_quotas/" + ACME_ID
ONE_REGION = {
    "RegionOne": {
        "quotas": {"cores": 72, "ram": 204800, "network": 5, "backup_gigabytes": 156.5, "floatingip": -1},
        "usage": {"cores": 20, "ram": 10240, "network": 2},
        "limits": {"cores": 1000, "ram": -1, "network": 100, "backup_gigabytes": 1000, "floatingip": -1},
    },
}
TWO_REGIONS = dict(ONE_REGION, RegionTwo={"quotas": {"cores": 10}, "usage": {"cores": 1}, "limits": {"cores": 50}})


def acme(regions):
    """The departments of these tests: acme alone, with these quota regions."""
    return {ACME_ID: department("acme", regions)}


def run(monkeypatch, capsys, **options):
    options.setdefault("domain", "acme")
    return run_module(monkeypatch, capsys, module_args(**options), main=main)


def test_first_run_patches_only_differing_items(monkeypatch, capsys, fake_eos):
    api = fake_eos(departments=acme(ONE_REGION))
    result = run(monkeypatch, capsys, quotas={"cores": 100, "ram": "204800", "networks": 8, "backup_gigabytes": 156.5,
                                              "floatingip": "unlimited"})
    assert result["changed"] is True
    assert api.patches() == [{"domain": {"cores": 100, "network": 8, "region": "RegionOne"}}]
    assert [(method, url) for method, url, body in api.sent] == [
        ("POST", ROOT + "/v3/auth/tokens"), ("GET", ROOT + "/v3/domains?name=acme"),
        ("GET", QUOTA_URL), ("PATCH", QUOTA_URL)]
    assert result["changes"] == {"cores": {"before": 72, "after": 100}, "network": {"before": 5, "after": 8}}
    assert result["domain"] == {"id": ACME_ID, "name": "acme"}
    assert result["region"] == "RegionOne"
    assert result["quotas"] == dict(ONE_REGION["RegionOne"]["quotas"], cores=100, network=8)
    assert result["usage"] == ONE_REGION["RegionOne"]["usage"]
    assert result["limits"] == ONE_REGION["RegionOne"]["limits"]
    assert "diff" not in result
    output = json.dumps(result)
    assert TOKEN not in output and PASSWORD not in output


def test_identical_request_sends_no_patch(monkeypatch, capsys, fake_eos):
    api = fake_eos(departments=acme(ONE_REGION))
    quotas = {"cores": 100, "networks": "8", "backup_gigabytes": "156.5"}
    assert run(monkeypatch, capsys, quotas=quotas)["changed"] is True
    api.clear()
    result = run(monkeypatch, capsys, quotas=quotas)
    assert result["changed"] is False
    assert result["changes"] == {}
    assert api.patches() == []
    assert [method for method, url, body in api.sent] == ["POST", "GET", "GET"]
    assert result["quotas"]["cores"] == 100 and result["quotas"]["network"] == 8


def test_request_equal_to_the_server_as_float_is_no_change(monkeypatch, capsys, fake_eos):
    api = fake_eos(departments=acme(ONE_REGION))
    result = run(monkeypatch, capsys, quotas={"cores": 72.0, "ram": "204800.0", "floatingip": -1})
    assert result["changed"] is False and api.patches() == []


def test_check_mode_sends_no_patch_and_predicts(monkeypatch, capsys, fake_eos):
    api = fake_eos(departments=acme(ONE_REGION))
    result = run(monkeypatch, capsys, quotas={"cores": 100, "networks": 9},
                 _ansible_check_mode=True)
    assert result["changed"] is True
    assert api.patches() == []
    assert result["quotas"] == dict(ONE_REGION["RegionOne"]["quotas"], cores=100, network=9)
    assert result["changes"] == {"cores": {"before": 72, "after": 100}, "network": {"before": 5, "after": 9}}
    assert api.regions == ONE_REGION


def test_diff_mode_shows_managed_items(monkeypatch, capsys, fake_eos):
    fake_eos(departments=acme(ONE_REGION))
    result = run(monkeypatch, capsys, quotas={"cores": 100, "networks": 5, "backup_gigabytes": "200.5"},
                 _ansible_diff=True)
    assert result["diff"] == {"before": {"backup_gigabytes": 156.5, "cores": 72, "network": 5},
                              "after": {"backup_gigabytes": 200.5, "cores": 100, "network": 5}}


def test_diff_in_check_mode_and_without_change(monkeypatch, capsys, fake_eos):
    api = fake_eos(departments=acme(ONE_REGION))
    result = run(monkeypatch, capsys, quotas={"cores": 80}, _ansible_diff=True, _ansible_check_mode=True)
    assert result["diff"] == {"before": {"cores": 72}, "after": {"cores": 80}} and api.patches() == []
    result = run(monkeypatch, capsys, quotas={"cores": 72}, _ansible_diff=True)
    assert result["changed"] is False and result["diff"] == {"before": {"cores": 72}, "after": {"cores": 72}}


def test_server_answering_another_value_fails_naming_the_item(monkeypatch, capsys, fake_eos):
    api = fake_eos(departments=acme(ONE_REGION), ignore=("cores",))
    result = run(monkeypatch, capsys, quotas={"cores": 100, "networks": 8})
    assert result["failed"] is True
    assert result["msg"] == ("The server accepted the PATCH of acme in RegionOne but answered other values for: "
                             "cores (asked 100, got 72)")
    assert len(api.patches()) == 1


def test_unknown_item_fails_before_writing(monkeypatch, capsys, fake_eos):
    api = fake_eos(departments=acme(ONE_REGION))
    result = run(monkeypatch, capsys, quotas={"cores": 100, "volumes_sdd": 1})
    assert result["failed"] is True
    assert "unknown quota item 'volumes_sdd'" in result["msg"]
    assert "Valid items here: backup_gigabytes, cores, floatingip, network, ram" in result["msg"]
    assert api.patches() == []


def test_bad_value_fails_naming_the_item(monkeypatch, capsys, fake_eos):
    api = fake_eos(departments=acme(ONE_REGION))
    result = run(monkeypatch, capsys, quotas={"ram": "lots"})
    assert result["failed"] is True and result["msg"].startswith("Quota 'ram': 'lots' is not a number")
    assert api.patches() == []


def test_region_defaults_to_region_name(monkeypatch, capsys, fake_eos):
    api = fake_eos(departments=acme(TWO_REGIONS), catalog_regions=("RegionOne", "RegionTwo"))
    result = run(monkeypatch, capsys, quotas={"cores": 20}, region_name="RegionTwo")
    assert result["region"] == "RegionTwo" and result["changed"] is True
    assert api.patches() == [{"domain": {"cores": 20, "region": "RegionTwo"}}]
    assert result["quotas"] == {"cores": 20}


def test_region_option_wins_over_region_name(monkeypatch, capsys, fake_eos):
    api = fake_eos(departments=acme(TWO_REGIONS), catalog_regions=("RegionOne", "RegionTwo"))
    result = run(monkeypatch, capsys, quotas={"cores": 20}, region_name="RegionOne", region="RegionTwo")
    assert result["region"] == "RegionTwo"
    assert api.patches() == [{"domain": {"cores": 20, "region": "RegionTwo"}}]


def test_the_only_region_is_the_default(monkeypatch, capsys, fake_eos):
    api = fake_eos(departments=acme(ONE_REGION))
    result = run(monkeypatch, capsys, quotas={"cores": 90})
    assert result["region"] == "RegionOne"
    assert api.patches() == [{"domain": {"cores": 90, "region": "RegionOne"}}]


@pytest.mark.parametrize("regions, options, message", [
    (ONE_REGION, {"quotas": {"cores": 2000}, "_ansible_check_mode": True},
     "Nothing was changed in region RegionOne: 'cores': 2000 is above its limit 1000"),
    (TWO_REGIONS, {"quotas": {"cores": 20}},
     "The quota API reports several regions (RegionOne, RegionTwo): choose one with region (or region_name)"),
    (TWO_REGIONS, {"quotas": {"cores": 20}, "region": "RegionNine"},
     "Region 'RegionNine' is not reported by the quota API; regions: RegionOne, RegionTwo"),
], ids=["check-mode-still-checks-the-rules", "several-regions-and-none-chosen", "unknown-region"])
def test_fails_before_writing(monkeypatch, capsys, fake_eos, regions, options, message):
    api = fake_eos(departments=acme(regions))
    result = run(monkeypatch, capsys, **options)
    assert result["failed"] is True
    assert result["msg"] == message
    assert api.patches() == []


def test_below_allocation_needs_force(monkeypatch, capsys, fake_eos):
    api = fake_eos(departments=acme(ONE_REGION))
    result = run(monkeypatch, capsys, quotas={"cores": 8})
    assert result["failed"] is True
    assert result["msg"] == ("Nothing was changed in region RegionOne: 'cores': 8 is below what is already allocated "
                             "(20); set force: true to shrink it anyway")
    assert api.patches() == []
    result = run(monkeypatch, capsys, quotas={"cores": 8}, force=True)
    assert result["changed"] is True
    assert api.patches() == [{"domain": {"cores": 8, "region": "RegionOne"}}]
    assert result["quotas"]["cores"] == 8
    assert warnings_of(result) == [
        "acme: 'cores' in region RegionOne: 8 is below what is already allocated (20); set "
        "anyway (force: true)"]
    again = run(monkeypatch, capsys, quotas={"cores": 8}, force=True)
    assert again["changed"] is False and warnings_of(again) == []  # nothing shrunk this time


def test_domain_by_id(monkeypatch, capsys, fake_eos):
    api = fake_eos(departments=acme(ONE_REGION))
    result = run(monkeypatch, capsys, domain=ACME_ID, quotas={"cores": 72})
    assert result["changed"] is False and result["domain"] == {"id": ACME_ID, "name": "acme"}
    assert ("GET", ROOT + "/v3/domains/" + ACME_ID, None) in api.sent


def test_answer_without_regions(monkeypatch, capsys, fake_eos):
    api = fake_eos(departments=acme(ONE_REGION))
    api.regions = []
    result = run(monkeypatch, capsys, quotas={"cores": 72})
    assert result["failed"] is True and "without a 'domain' object of regions" in result["msg"]
