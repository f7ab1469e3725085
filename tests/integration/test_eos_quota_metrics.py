"""eos_quota_metrics against the real Keystone + simulator: the file node_exporter reads, and
the alert rules of docs/metrics.md checked and run by promtool on the series the module writes.

promtool is Debian's (package ``prometheus``): on PATH, or EOS_PROMTOOL, or taken out of the
package (``apt-get download``, no install: the package would start a Prometheus server) into
.cache/promtool/promtool; the promtool tests skip, saying so, where none of these works.
"""
import glob
import json
import math
import os
import re
import shutil
import stat
import subprocess

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from bedkit import writes
from playbook_runner import REPO

MODULE = "eos_quota_metrics"
PROMTOOL_CACHE = REPO / ".cache" / "promtool"


def samples(text):
    """``{(name, frozenset of labels): value}``, by the reference parser (a repeated series
    fails)."""
    found = {}
    for family in text_string_to_metric_families(text):
        assert family.type == "gauge" and family.documentation, family.name
        for sample in family.samples:
            key = (sample.name, frozenset(sample.labels.items()))
            assert key not in found, key
            found[key] = sample.value
    return found


def of(found, name, **labels):
    return found[(name, frozenset(labels.items()))]


def series(found, name):
    return [(dict(labels), number) for (each, labels), number in found.items() if each == name]


def find_promtool():
    """promtool, or None: EOS_PROMTOOL, on PATH, in .cache/promtool/, else taken out of Debian's
    prometheus package (downloaded, extracted, not installed)."""
    if os.environ.get("EOS_PROMTOOL"):
        return os.environ["EOS_PROMTOOL"]
    cached = PROMTOOL_CACHE / "promtool"
    for found in (shutil.which("promtool"), str(cached) if cached.exists() else None):
        if found:
            return found
    if not (shutil.which("apt-get") and shutil.which("dpkg-deb")):
        return None
    PROMTOOL_CACHE.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    download = ["apt-get", "download", "-qq", "prometheus"]
    done = subprocess.run(download, cwd=str(PROMTOOL_CACHE), env=env, capture_output=True, timeout=900, check=False)
    if done.returncode != 0 and os.geteuid() == 0:  # no package lists yet
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=900, check=False)
        done = subprocess.run(download, cwd=str(PROMTOOL_CACHE), env=env, capture_output=True, timeout=900,
                              check=False)
    packages = glob.glob(str(PROMTOOL_CACHE / "prometheus_*.deb"))
    if done.returncode != 0 or not packages:
        return None
    unpacked = PROMTOOL_CACHE / "unpacked"
    subprocess.run(["dpkg-deb", "-x", packages[0], str(unpacked)], check=True, timeout=300)
    if (unpacked / "usr" / "bin" / "promtool").exists():
        os.replace(str(unpacked / "usr" / "bin" / "promtool"), str(cached))  # only promtool is kept
    shutil.rmtree(str(unpacked))
    os.unlink(packages[0])
    return str(cached) if cached.exists() else None


@pytest.fixture(scope="module")
def promtool():
    found = find_promtool()
    if not found:
        pytest.skip("no promtool: apt-get install -y prometheus (Debian), or set EOS_PROMTOOL to a "
                    "promtool binary; taking it out of the package failed here")
    return found


def promtool_check(path):
    """``promtool check metrics`` on the file, when promtool is at hand (the promtool tests
    below fetch it)."""
    found = shutil.which("promtool") or (find_promtool() if PROMTOOL_CACHE.exists() else None)
    if found:
        done = subprocess.run([found, "check", "metrics"], stdin=open(path, "rb"),
                              capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture()
def textfile(tmp_path):
    """node_exporter's textfile directory (empty)."""
    directory = tmp_path / "textfile"
    directory.mkdir()
    return directory


def test_platform_and_all_domains_written_whole_with_mode(ansible, bed, textfile):
    path = textfile / "eos_quota.prom"
    mark = bed.log_mark()
    run = ansible.module(MODULE, {"all_domains": True, "path": str(path), "mode": "0640"},
                         env=ansible.os_env())
    assert run.rc == 0, run.stdout + run.stderr
    records = bed.requests_since(mark)
    result = run.last
    assert result["changed"] is True and result["read_success"] is True
    assert path.read_text(encoding="utf-8") == result["metrics"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert os.listdir(textfile) == ["eos_quota.prom"]  # no temporary file left behind
    promtool_check(path)
    found = samples(result["metrics"])
    assert of(found, "eos_quota_read_success") == 1
    assert 0 < of(found, "eos_quota_read_duration_seconds") < 300
    # the platform's numbers are the server's, both regions (unlimited as +Inf)
    platform = bed.api("GET", "/v3/domain_usage").json()["domain"]
    assert set(platform) == {"RegionOne", "RegionTwo"}
    for region, data in platform.items():
        for item, quota in data["quotas"].items():
            written = of(found, "eos_platform_quota_limit", region=region, item=item)
            assert written == (float("inf") if quota == -1 else quota), (region, item)
            assert of(found, "eos_platform_quota_allocated", region=region, item=item) == data["allocated"][item]
            assert of(found, "eos_platform_quota_used", region=region, item=item) == data["usage"][item]
    assert of(found, "eos_platform_quota_limit", region="RegionOne", item="cores") == 72
    # every department, each with its ID; acme's numbers are the server's
    acme = bed.api("GET", "/v3/domain_quotas/" + bed.domains["acme"]).json()["domain"]
    for region, data in acme.items():
        for item, quota in data["quotas"].items():
            labels = dict(region=region, domain="acme", domain_id=bed.domains["acme"], item=item)
            assert of(found, "eos_domain_quota_limit", **labels) == (float("inf") if quota == -1 else quota)
            assert of(found, "eos_domain_quota_allocated", **labels) == data["usage"][item]
    names = {labels["domain"] for labels, dummy in series(found, "eos_domain_quota_limit")}
    assert {"acme", "globex", "Default"} <= names and len(names) == result["departments"]
    assert series(found, "eos_domain_quota_used") == []
    # the ratio is the departments' quotas (Default's is the platform's own) over the platform's
    for region in platform:
        limited = [(labels, number) for labels, number in series(found, "eos_domain_quota_limit")
                   if labels["region"] == region and labels["item"] == "cores" and labels["domain"] != "Default"]
        if all(number != float("inf") for dummy, number in limited):
            expected = sum(number for dummy, number in limited) / platform[region]["quotas"]["cores"]
            assert of(found, "eos_region_oversubscription_ratio", region=region,
                      item="cores") == pytest.approx(expected)
    # one login, the platform view, the listing, one read per department; nothing written
    assert writes(records) == []
    assert [r["path"] for r in records].count("/v3/domain_usage") == 1
    assert len([r for r in records if r["path"].startswith("/v3/domain_quotas/")]) == result["departments"]


def test_a_second_run_with_the_same_numbers_changes_nothing(ansible, bed, textfile):
    path = textfile / "eos_quota.prom"
    args = {"domains": ["acme", "globex"], "path": str(path)}
    first = ansible.module(MODULE, args, env=ansible.os_env())
    assert first.rc == 0, first.stdout + first.stderr
    os.utime(path, (1000000000, 1000000000))
    inode = path.stat().st_ino
    second = ansible.module(MODULE, args, env=ansible.os_env())
    assert second.rc == 0, second.stdout + second.stderr
    assert second.last["changed"] is False
    assert second.last["metrics"] == first.last["metrics"] == path.read_text(encoding="utf-8")
    assert path.stat().st_ino == inode  # not rewritten
    assert path.stat().st_mtime > 1000000000  # but marked as read now (node_textfile_mtime_seconds)
    # a number changes: the file is rewritten, the flag raised
    bed.set_domain_values(bed.domains["acme"], "RegionOne", allocated={"cores": 80})
    third = ansible.module(MODULE, args, env=ansible.os_env())
    assert third.rc == 0 and third.last["changed"] is True
    found = samples(path.read_text(encoding="utf-8"))
    labels = dict(region="RegionOne", domain="acme", domain_id=bed.domains["acme"], item="cores")
    assert of(found, "eos_domain_quota_allocated", **labels) == 80
    assert of(found, "eos_domain_quota_overused", **labels) == 1
    assert [(entry["domain"], entry["item"]) for entry in third.last["inconsistencies"]["overused"]] == [
        ("acme", "cores")]


def test_check_mode_reads_and_writes_nothing(ansible, bed, textfile):
    path = textfile / "eos_quota.prom"
    run = ansible.module(MODULE, {"path": str(path)}, env=ansible.os_env(), check=True)
    assert run.rc == 0, run.stdout + run.stderr
    assert run.last["changed"] is True and "eos_platform_quota_limit{" in run.last["metrics"]
    assert os.listdir(textfile) == []


def test_a_failed_read_fails_the_task_and_the_file_says_read_success_0(ansible, bed, textfile):
    path = textfile / "eos_quota.prom"
    assert ansible.module(MODULE, {"path": str(path)}, env=ansible.os_env()).rc == 0
    bed.fault("^/v3/domain_usage", count=50, status=503, message="quota service down")
    run = ansible.module(MODULE, {"path": str(path), "api_timeout": 5}, env=ansible.os_env())
    result = run.assert_clean_failure()
    assert result["status"] == 503 and "quota service down" in result["msg"]
    assert result["read_success"] is False and result["changed"] is True
    found = samples(path.read_text(encoding="utf-8"))
    assert of(found, "eos_quota_read_success") == 0
    assert sorted(name for name, dummy in found) == ["eos_quota_read_duration_seconds", "eos_quota_read_success"]
    promtool_check(path)
    bed.clear_faults()
    run = ansible.module(MODULE, {"path": str(path)}, env=ansible.os_env())
    assert run.rc == 0 and run.last["changed"] is True
    assert of(samples(path.read_text(encoding="utf-8")), "eos_quota_read_success") == 1


def test_a_missing_directory_fails_before_anything_is_sent(ansible, bed, textfile):
    mark = bed.log_mark()
    run = ansible.module(MODULE, {"path": str(textfile / "no-such" / "eos.prom")}, env=ansible.os_env())
    result = run.assert_clean_failure()
    assert "does not exist on this host" in result["msg"] and "Nothing was read" in result["msg"]
    assert bed.requests_since(mark) == []


def test_no_secret_in_the_output_at_vvvv(ansible, bed, textfile):
    env = ansible.os_env()
    run = ansible.module(MODULE, {"path": str(textfile / "eos.prom"), "domains": ["acme"]}, env=env,
                         verbosity=4)
    assert run.rc == 0, run.stdout + run.stderr
    assert env["OS_PASSWORD"] not in run.stdout + run.stderr
    assert env["OS_PASSWORD"] not in (textfile / "eos.prom").read_text(encoding="utf-8")


def docs_rules():
    """The alert rules block of docs/metrics.md (the one YAML block with ``groups:``)."""
    text = (REPO / "docs" / "metrics.md").read_text(encoding="utf-8")
    blocks = [block for block in re.findall(r"^```ya?ml\n(.*?)^```", text, re.M | re.S)
              if "groups" in (yaml.safe_load(block) or {})]
    assert len(blocks) == 1, blocks
    return blocks[0]


def test_the_docs_alert_rules_pass_promtool_check_rules(promtool, tmp_path):
    rules = tmp_path / "eos-quota-rules.yml"
    rules.write_text(docs_rules(), encoding="utf-8")
    done = subprocess.run([promtool, "check", "rules", str(rules)], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS: 8 rules found" in done.stdout + done.stderr


def series_text(name, labels):
    return "%s{%s}" % (name, ",".join('%s="%s"' % (key, labels[key].replace("\\", "\\\\").replace('"', '\\"'))
                                      for key in sorted(labels)))


def test_the_docs_alert_rules_fire_on_what_the_module_writes(ansible, bed, promtool, textfile, tmp_path):
    """``promtool test rules``: the module's own series (acme over its cores quota, the bed's
    globex at 30 of 32) held for 4 hours, the file's mtime 4 hours old; every alert that fires
    is the one the numbers call for. Annotations are left out of this copy (``check rules``
    checks their templates above)."""
    bed.set_domain_values(bed.domains["acme"], "RegionOne", allocated={"cores": 80})
    path = textfile / "eos_quota.prom"
    run = ansible.module(MODULE, {"domains": ["acme", "globex"], "path": str(path)}, env=ansible.os_env())
    assert run.rc == 0, run.stdout + run.stderr
    found = [(sample.name, sample.labels, sample.value)
             for family in text_string_to_metric_families(path.read_text(encoding="utf-8"))
             for sample in family.samples]
    held = "x48"  # 4 hours at 5 minutes
    inputs = [{"series": series_text(name, labels),
               "values": "%s+0%s" % ("+Inf" if value == math.inf else repr(value), held)}
              for name, labels, value in found]
    inputs.append({"series": 'node_textfile_mtime_seconds{file="%s"}' % path, "values": "0+0" + held})
    groups = yaml.safe_load(docs_rules())
    for rule in groups["groups"][0]["rules"]:
        rule.pop("annotations", None)
    rules = tmp_path / "rules.yml"
    rules.write_text(yaml.safe_dump(groups), encoding="utf-8")

    def numbers(name):
        return dict((tuple(sorted(labels.items())), value) for each, labels, value in found if each == name)

    def alerts(ratios, threshold, severity="warning"):
        return [{"exp_labels": dict(key, severity=severity)} for key, value in ratios.items() if value > threshold]

    def over(top, bottom):
        tops, bottoms = numbers(top), numbers(bottom)
        return dict((key, tops[key] / bottoms[key] if bottoms[key] else math.inf if tops[key] else math.nan)
                    for key in tops if key in bottoms)

    departments = alerts(over("eos_domain_quota_allocated", "eos_domain_quota_limit"), 0.8)
    platform = over("eos_platform_quota_allocated", "eos_platform_quota_limit")
    for key, value in over("eos_platform_quota_used", "eos_platform_quota_limit").items():
        platform[key] = platform[key] if platform.get(key, 0) > 0.8 else value
    labels_of = [alert["exp_labels"] for alert in departments]
    assert dict(region="RegionOne", domain="acme", domain_id=bed.domains["acme"], item="cores",
                severity="warning") in labels_of
    assert dict(region="RegionOne", domain="globex", domain_id=bed.domains["globex"], item="cores",
                severity="warning") in labels_of
    expected = {
        "EosQuotaReadFailed": [],
        "EosQuotaMetricsStale": [{"exp_labels": {"file": str(path), "severity": "warning"}}],
        "EosDepartmentQuotaAbove80Percent": departments,
        "EosPlatformQuotaAbove80Percent": alerts(platform, 0.8),
        "EosRegionOversubscribed": alerts(numbers("eos_region_oversubscription_ratio"), 1, "info"),
        "EosDepartmentOverQuota": [{"exp_labels": dict(region="RegionOne", domain="acme",
                                                       domain_id=bed.domains["acme"], item="cores",
                                                       severity="warning")}],
        "EosDepartmentUnknownQuotaItem": [],
    }
    failed = {"interval": "5m", "input_series": [
        {"series": "eos_quota_read_success", "values": "0+0x12"},
        {"series": series_text("eos_domain_quota_unknown_item", dict(
            region="RegionOne", domain='a "quoted" name', domain_id="d1", item="gpu")), "values": "1+0x24"}],
        "alert_rule_test": [
            {"eval_time": "20m", "alertname": "EosQuotaReadFailed", "exp_alerts": []},
            {"eval_time": "35m", "alertname": "EosQuotaReadFailed",
             "exp_alerts": [{"exp_labels": {"severity": "warning"}}]},
            {"eval_time": "65m", "alertname": "EosDepartmentUnknownQuotaItem", "exp_alerts": [
                {"exp_labels": dict(region="RegionOne", domain='a "quoted" name', domain_id="d1",
                                    item="gpu", severity="info")}]}]}
    tests = {"rule_files": [str(rules)], "evaluation_interval": "5m", "tests": [
        {"interval": "5m", "input_series": inputs,
         "alert_rule_test": [{"eval_time": "4h", "alertname": name, "exp_alerts": exp}
                             for name, exp in expected.items()]},
        failed]}
    unit = tmp_path / "rules_test.yml"
    unit.write_text(json.dumps(tests, indent=1), encoding="utf-8")
    done = subprocess.run([promtool, "test", "rules", str(unit)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
