# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""eos_quota_metrics: whole runs against the fake cloud, the file on a temporary directory."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import stat

import pytest

from prometheus_client.parser import text_string_to_metric_families

from ansible_collections.easystack.eos.plugins.modules.eos_quota_metrics import main
from ansible_collections.easystack.eos.plugins.module_utils.metrics_tasks import file_mode
from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
from ansible_collections.easystack.eos.tests.unit.plugins.module_utils.eos_fakes import (
    PASSWORD, TOKEN, module_args, reply, run_module, warnings_of)
from ansible_collections.easystack.eos.tests.unit.plugins.module_utils.fake_eos import department

USAGE = {"RegionOne": {"quotas": {"cores": 72, "pods": -1}, "allocated": {"cores": 52, "pods": 1},
                       "usage": {"cores": 37, "pods": 0}, "limits": {"cores": -1}}}
ACME = {"RegionOne": {"quotas": {"cores": 40, "pods": -1}, "usage": {"cores": 20, "pods": 1},
                      "limits": {"cores": -1}}}
GLOBEX = {"RegionOne": {"quotas": {"cores": 40, "gpu": 1}, "usage": {"cores": 41}}}
DEPARTMENTS = {"%032x" % 1: department("acme", ACME), "%032x" % 2: department("globex", GLOBEX),
               "%032x" % 3: department("Default", {"RegionOne": {"quotas": {"cores": 72},
                                                                 "usage": {"cores": 0}}})}


def samples(text):
    return dict(((sample.name, tuple(sorted(sample.labels.items()))), sample.value)
                for family in text_string_to_metric_families(text) for sample in family.samples)


def run(monkeypatch, capsys, **options):
    return run_module(monkeypatch, capsys, module_args(**options), main=main)


@pytest.fixture
def prom(tmp_path):
    return str(tmp_path / "eos_quota.prom")


def test_writes_platform_and_every_department(monkeypatch, capsys, fake_eos, prom):
    api = fake_eos(departments=DEPARTMENTS, usage=USAGE)
    result = run(monkeypatch, capsys, path=prom, all_domains=True)
    assert result["changed"] is True and result["read_success"] is True, result
    assert result["path"] == prom and result["departments"] == 3
    with open(prom) as handle:
        assert handle.read() == result["metrics"]
    assert stat.S_IMODE(os.stat(prom).st_mode) == 0o644
    found = samples(result["metrics"])
    assert found[("eos_platform_quota_limit", (("item", "pods"), ("region", "RegionOne")))] == float("inf")
    assert found[("eos_domain_quota_allocated", (("domain", "acme"), ("domain_id", "%032x" % 1),
                                                 ("item", "cores"), ("region", "RegionOne")))] == 20
    assert found[("eos_region_oversubscription_ratio", (("item", "cores"), ("region", "RegionOne")))] == 80 / 72
    assert result["series"] == len(found)
    assert [entry["item"] for entry in result["inconsistencies"]["overused"]] == ["cores"]
    assert [entry["item"] for entry in result["inconsistencies"]["unknown_items"]] == ["gpu"]
    assert api.count("GET", "/v3/domain_usage") == 1 and api.count("GET", "/v3/domain_quotas/") == 3
    assert os.listdir(os.path.dirname(prom)) == ["eos_quota.prom"]  # no temporary file left
    assert TOKEN not in json.dumps(result) and PASSWORD not in json.dumps(result)


def test_platform_only_without_domains(monkeypatch, capsys, fake_eos, prom):
    api = fake_eos(departments=DEPARTMENTS, usage=USAGE)
    result = run(monkeypatch, capsys, path=prom)
    assert result["departments"] == 0 and result["changed"] is True
    assert "eos_domain_quota_limit{" not in result["metrics"]
    assert "eos_region_oversubscription_ratio{" not in result["metrics"]
    assert api.count("GET", "/v3/domain_quotas/") == 0 and api.count("GET", "/v3/domains") == 0


def test_the_same_numbers_again_change_nothing_and_keep_the_text_but_touch_the_file(
        monkeypatch, capsys, fake_eos, prom):
    fake_eos(departments=DEPARTMENTS, usage=USAGE)
    first = run(monkeypatch, capsys, path=prom, domains=["acme", "globex"])
    os.utime(prom, (1000000000, 1000000000))
    inode = os.stat(prom).st_ino
    second = run(monkeypatch, capsys, path=prom, domains=["acme", "globex"])
    assert second["changed"] is False, second
    assert second["metrics"] == first["metrics"]  # the first run's duration stays
    with open(prom) as handle:
        assert handle.read() == first["metrics"]
    assert os.stat(prom).st_ino == inode  # not replaced
    assert os.stat(prom).st_mtime > 1000000000  # node_textfile_mtime_seconds: read just now


def test_a_changed_number_rewrites_the_file(monkeypatch, capsys, fake_eos, prom):
    api = fake_eos(departments=DEPARTMENTS, usage=USAGE)
    run(monkeypatch, capsys, path=prom, all_domains=True)
    api.departments["%032x" % 1]["regions"]["RegionOne"]["usage"]["cores"] = 30
    result = run(monkeypatch, capsys, path=prom, all_domains=True)
    assert result["changed"] is True
    assert 'domain="acme",domain_id="%032x",item="cores"} 30\n' % 1 in result["metrics"]
    with open(prom) as handle:
        assert handle.read() == result["metrics"]


def test_check_mode_reads_and_writes_nothing(monkeypatch, capsys, fake_eos, prom):
    fake_eos(departments=DEPARTMENTS, usage=USAGE)
    result = run(monkeypatch, capsys, path=prom, all_domains=True, _ansible_check_mode=True)
    assert result["changed"] is True and "eos_domain_quota_limit{" in result["metrics"]
    assert os.listdir(os.path.dirname(prom)) == []
    run(monkeypatch, capsys, path=prom, all_domains=True)
    os.utime(prom, (1000000000, 1000000000))
    result = run(monkeypatch, capsys, path=prom, all_domains=True, _ansible_check_mode=True)
    assert result["changed"] is False
    assert os.stat(prom).st_mtime == 1000000000  # not even touched


def test_mode_is_applied_and_a_new_mode_alone_is_a_change(monkeypatch, capsys, fake_eos, prom):
    fake_eos(usage=USAGE)
    run(monkeypatch, capsys, path=prom, mode="0600")
    assert stat.S_IMODE(os.stat(prom).st_mode) == 0o600
    result = run(monkeypatch, capsys, path=prom, mode="0640", _ansible_check_mode=True)
    assert result["changed"] is True and stat.S_IMODE(os.stat(prom).st_mode) == 0o600
    result = run(monkeypatch, capsys, path=prom, mode="0640")
    assert result["changed"] is True and stat.S_IMODE(os.stat(prom).st_mode) == 0o640
    assert run(monkeypatch, capsys, path=prom, mode=0o640)["changed"] is False


def test_a_failed_read_fails_the_task_and_the_file_says_read_success_0(monkeypatch, capsys, fake_eos, prom):
    fake_eos(departments=DEPARTMENTS, usage=USAGE)
    run(monkeypatch, capsys, path=prom, all_domains=True)
    broken = reply(503, {"error": {"message": "quota service down"}}, {"X-Openstack-Request-Id": "req-7"})
    fake_eos(departments=DEPARTMENTS, usage=USAGE, faults={("GET", "/v3/domain_quotas/%032x" % 2): broken})
    result = run(monkeypatch, capsys, path=prom, all_domains=True)
    assert result["failed"] is True and result["status"] == 503 and result["request_id"] == "req-7"
    assert result["read_success"] is False and result["changed"] is True and result["path"] == prom
    with open(prom) as handle:
        text = handle.read()
    assert text == result["metrics"]
    found = samples(text)
    assert found[("eos_quota_read_success", ())] == 0
    assert [name for name, labels in found] == ["eos_quota_read_success", "eos_quota_read_duration_seconds"]
    # failing again: the same text, no change
    again = run(monkeypatch, capsys, path=prom, all_domains=True)
    assert again["failed"] is True and again["changed"] is False
    # read again: the numbers are back
    fake_eos(departments=DEPARTMENTS, usage=USAGE)
    back = run(monkeypatch, capsys, path=prom, all_domains=True)
    assert back["changed"] is True and samples(back["metrics"])[("eos_quota_read_success", ())] == 1


def test_a_failed_read_in_check_mode_writes_nothing(monkeypatch, capsys, fake_eos, prom):
    fake_eos(usage=USAGE, faults={("GET", "/v3/domain_usage"): reply(500, {"error": {"message": "x"}})})
    result = run(monkeypatch, capsys, path=prom, _ansible_check_mode=True)
    assert result["failed"] is True and not os.path.exists(prom)


@pytest.mark.parametrize("where, words", [
    ("missing/eos.prom", "does not exist on this host"),
    ("", "it is a directory"),
])
def test_a_path_that_cannot_be_written_fails_before_anything_is_read(monkeypatch, capsys, fake_eos,
                                                                     tmp_path, where, words):
    api = fake_eos(usage=USAGE)
    result = run(monkeypatch, capsys, path=str(tmp_path / where) if where else str(tmp_path))
    assert result["failed"] is True and words in result["msg"] and "Nothing was read" in result["msg"]
    assert api.sent == []


def test_an_unwritable_directory_fails_cleanly(monkeypatch, capsys, fake_eos, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes anywhere")
    directory = tmp_path / "ro"
    directory.mkdir()
    directory.chmod(0o555)
    fake_eos(usage=USAGE)
    result = run(monkeypatch, capsys, path=str(directory / "eos.prom"))
    assert result["failed"] is True and "Cannot write the metrics to" in result["msg"]


def test_a_write_that_fails_fails_cleanly_and_leaves_no_temporary_file(monkeypatch, capsys, fake_eos, prom):
    fake_eos(usage=USAGE)

    def refused(*args):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(os, "replace", refused)
    result = run(monkeypatch, capsys, path=prom)
    assert result["failed"] is True
    assert result["msg"].startswith("Cannot write the metrics to %s: Permission denied (errno 13)" % prom)
    assert os.listdir(os.path.dirname(prom)) == []


def test_a_name_without_prom_is_warned_about(monkeypatch, capsys, fake_eos, tmp_path):
    fake_eos(usage=USAGE)
    result = run(monkeypatch, capsys, path=str(tmp_path / "eos.txt"))
    assert result["changed"] is True
    assert any("reads only *.prom" in warning for warning in warnings_of(result))


def test_options_are_checked_before_anything_is_sent(monkeypatch, capsys, fake_eos, prom):
    api = fake_eos(usage=USAGE)
    assert "mutually exclusive" in run(monkeypatch, capsys, path=prom, domains=["a"], all_domains=True)["msg"]
    assert "octal file mode" in run(monkeypatch, capsys, path=prom, mode="rw-r--r--")["msg"]
    refused = run(monkeypatch, capsys, path=prom, all_domains=True, parallel=0)
    assert "parallel must be between 1 and 16" in refused["msg"]
    assert "empty" in run(monkeypatch, capsys, path=" ")["msg"]
    assert api.sent == [] and not os.path.exists(prom)


def test_unknown_departments_fail_before_any_quota_is_read(monkeypatch, capsys, fake_eos, prom):
    api = fake_eos(departments=DEPARTMENTS, usage=USAGE)
    result = run(monkeypatch, capsys, path=prom, domains=["acme", "no-such", ""])
    assert result["failed"] is True and "no-such" in result["msg"] and "domains[3]" in result["msg"]
    assert api.count("GET", "/v3/domain_quotas/") == 0 and api.count("GET", "/v3/domain_usage") == 0
    with open(prom) as handle:  # the quotas were not read: the file says so
        assert "eos_quota_read_success 0\n" in handle.read()


@pytest.mark.parametrize("given, mode", [("0644", 0o644), ("644", 0o644), (0o600, 0o600), ("0750", 0o750)])
def test_file_mode(given, mode):
    assert file_mode(given) == mode


@pytest.mark.parametrize("given", ["u=rw", "0999", "01777", True, "-1"])
def test_file_mode_refused(given):
    with pytest.raises(EosError):
        file_mode(given)
