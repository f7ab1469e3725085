# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The metrics' text (module_utils/metrics.py) and the consistency rules (quota_checks.py),
parsed back with prometheus-client's own parser (and ``promtool check metrics`` when it is
installed)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import shutil
import subprocess

import pytest

from prometheus_client.parser import text_string_to_metric_families

from ansible_collections.easystack.eos.plugins.module_utils import metrics
from ansible_collections.easystack.eos.plugins.module_utils.metrics import (
    FAMILIES, build, label_value, number, read_failed, render, without_duration)
from ansible_collections.easystack.eos.plugins.module_utils.quota_checks import (
    departments_total, overused, oversubscription_ratio, unknown_items)

PLATFORM = {
    "RegionOne": {"quotas": {"cores": 72, "ram": 31146.0, "pods": -1, "gigabytes_ssd": 2048.5},
                  "allocated": {"cores": 52, "ram": 1024, "pods": 3, "gigabytes_ssd": 100},
                  "usage": {"cores": 37, "ram": 512, "pods": 0, "gigabytes_ssd": 20.25},
                  "limits": {"cores": -1}},
    "RegionTwo": {"quotas": {"cores": 10}, "allocated": {"cores": 0}, "usage": {"cores": 0}},
}


def domain(ident, name, regions):
    return {"domain": {"id": ident, "name": name}, "regions": regions}


DOMAINS = [
    domain("d-acme", "acme", {"RegionOne": {"quotas": {"cores": 40, "ram": -1, "gigabytes_ssd": 1000.5},
                                            "usage": {"cores": 20, "ram": 100, "gigabytes_ssd": 1}}}),
    domain("d-default", "Default", {"RegionOne": {"quotas": {"cores": 72}, "usage": {"cores": 2}}}),
    domain("d-globex", "globex", {"RegionOne": {"quotas": {"cores": 40, "gigabytes_ssd": 1000},
                                                "usage": {"cores": 41, "gigabytes_ssd": 0}},
                                  "RegionTwo": {"quotas": {"cores": 5, "gpu": 2}, "usage": {"cores": 0}}}),
]


def parsed(text):
    """``{(name, labels as a sorted tuple): value}`` of an exposition text, by the reference
    parser; every family a gauge."""
    found = {}
    for family in text_string_to_metric_families(text):
        assert family.type == "gauge", family
        for sample in family.samples:
            key = (sample.name, tuple(sorted(sample.labels.items())))
            assert key not in found, key
            found[key] = sample.value
    return found


def value(found, name, **labels):
    return found[(name, tuple(sorted(labels.items())))]


def promtool_check(text):
    """``promtool check metrics`` on the text, when promtool is installed (Debian's
    ``prometheus`` package)."""
    promtool = shutil.which("promtool")
    if not promtool:
        return None
    done = subprocess.run([promtool, "check", "metrics"], input=text.encode("utf-8"),
                          capture_output=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_every_family_has_help_and_type_in_order_and_the_names_are_the_contract():
    text = render(build(PLATFORM, DOMAINS, 0.5)["samples"])
    families = list(text_string_to_metric_families(text))
    assert [family.name for family in families] == [name for name, dummy, dummy in FAMILIES] == [
        "eos_quota_read_success", "eos_quota_read_duration_seconds",
        "eos_platform_quota_limit", "eos_platform_quota_allocated", "eos_platform_quota_used",
        "eos_region_oversubscription_ratio",
        "eos_domain_quota_limit", "eos_domain_quota_allocated", "eos_domain_quota_used",
        "eos_domain_quota_overused", "eos_domain_quota_unknown_item"]
    for family in families:
        assert family.documentation and family.type == "gauge"
        labels = set().union(*(sample.labels for sample in family.samples)) if family.samples else set()
        if family.name.startswith("eos_domain_"):
            assert labels in (set(), {"region", "domain", "domain_id", "item"}), family.name
        elif family.name.startswith(("eos_platform_", "eos_region_")):
            assert labels == {"region", "item"}, family.name
        else:
            assert labels == set(), family.name
    assert text.endswith("\n")
    promtool_check(text)


def test_platform_and_department_numbers_and_unlimited_is_inf_never_minus_one():
    built = build(PLATFORM, DOMAINS, 0.4567, complete=True)
    text = render(built["samples"])
    found = parsed(text)
    assert value(found, "eos_quota_read_success") == 1
    assert value(found, "eos_quota_read_duration_seconds") == 0.457
    assert value(found, "eos_platform_quota_limit", region="RegionOne", item="cores") == 72
    assert value(found, "eos_platform_quota_limit", region="RegionOne", item="pods") == math.inf
    assert value(found, "eos_platform_quota_allocated", region="RegionOne", item="pods") == 3
    assert value(found, "eos_platform_quota_used", region="RegionOne", item="gigabytes_ssd") == 20.25
    acme = dict(region="RegionOne", domain="acme", domain_id="d-acme")
    assert value(found, "eos_domain_quota_limit", item="ram", **acme) == math.inf
    assert value(found, "eos_domain_quota_allocated", item="ram", **acme) == 100
    assert value(found, "eos_domain_quota_limit", item="gigabytes_ssd", **acme) == 1000.5
    assert " -1\n" not in text and "-1}" not in text
    # numbers as the API wrote them: 31146.0 as 31146, 2048.5 as 2048.5
    assert 'eos_platform_quota_limit{region="RegionOne",item="ram"} 31146\n' in text
    assert 'eos_platform_quota_limit{region="RegionOne",item="gigabytes_ssd"} 2048.5\n' in text
    # the department view has no real use: declared, no samples
    assert not [key for key in found if key[0] == "eos_domain_quota_used"]
    assert "# TYPE eos_domain_quota_used gauge\n" in text
    assert built["departments"] == 3


def test_flags_overused_unknown_items_and_oversubscription():
    built = build(PLATFORM, DOMAINS, 0.1, complete=True)
    found = parsed(render(built["samples"]))
    flagged = [(key[0], dict(key[1])["domain"], dict(key[1])["region"], dict(key[1])["item"])
               for key, number_ in found.items() if key[0].endswith(("_overused", "_unknown_item"))]
    assert sorted(flagged) == [
        ("eos_domain_quota_overused", "globex", "RegionOne", "cores"),  # 41 of 40
        ("eos_domain_quota_unknown_item", "globex", "RegionTwo", "gpu")]
    assert all(found[key] == 1 for key in found if key[0].endswith(("_overused", "_unknown_item")))
    # cores: acme 40 + globex 40 of 72 (Default is the platform's own: not added)
    assert value(found, "eos_region_oversubscription_ratio", region="RegionOne", item="cores") == 80 / 72
    # ram: acme is unlimited under a limited platform quota
    assert value(found, "eos_region_oversubscription_ratio", region="RegionOne", item="ram") == math.inf
    # gigabytes_ssd: 1000.5 + 1000 of 2048.5, exactly
    assert value(found, "eos_region_oversubscription_ratio", region="RegionOne",
                 item="gigabytes_ssd") == 2000.5 / 2048.5
    # pods: the platform is unlimited, nothing to oversubscribe: no sample
    assert ("eos_region_oversubscription_ratio", (("item", "pods"), ("region", "RegionOne"))) not in found
    assert value(found, "eos_region_oversubscription_ratio", region="RegionTwo", item="cores") == 0.5
    inconsistencies = built["inconsistencies"]
    assert inconsistencies["overused"] == [{"region": "RegionOne", "domain": "globex",
                                            "domain_id": "d-globex", "item": "cores", "quota": 40,
                                            "allocated": 41}]
    assert inconsistencies["unknown_items"] == [{"region": "RegionTwo", "domain": "globex",
                                                 "domain_id": "d-globex", "item": "gpu", "quota": 2}]
    over = inconsistencies["oversubscribed"]
    assert [(entry["item"], entry["ratio"], entry["departments_quota"]) for entry in over] == [
        ("cores", 80 / 72, 80), ("ram", None, 0)]
    assert over[1]["departments_unlimited"] == ["acme"] and over[0]["complete"] is True


def test_without_departments_there_is_no_ratio_and_platform_domains_is_an_option():
    found = parsed(render(build(PLATFORM, [], 0.1)["samples"]))
    assert not [key for key in found if key[0].startswith(("eos_domain_", "eos_region_"))]
    # Default counted too when it is not named a platform domain: 40 + 72 + 40 of 72
    found = parsed(render(build(PLATFORM, DOMAINS, 0.1, platform_domains=[])["samples"]))
    assert value(found, "eos_region_oversubscription_ratio", region="RegionOne", item="cores") == 152 / 72
    # by ID as well as by name
    found = parsed(render(build(PLATFORM, DOMAINS, 0.1, platform_domains=["d-default"])["samples"]))
    assert value(found, "eos_region_oversubscription_ratio", region="RegionOne", item="cores") == 80 / 72


def test_a_department_listed_twice_is_written_once():
    built = build(PLATFORM, DOMAINS + [DOMAINS[0]], 0.1)
    text = render(built["samples"])
    parsed(text)  # asserts no series twice
    assert built["departments"] == 3
    assert text.count('eos_domain_quota_limit{region="RegionOne",domain="acme",domain_id="d-acme",item="cores"}') == 1
    promtool_check(text)


@pytest.mark.parametrize("name", [
    'quote " inside', "back\\slash", "new\nline", "both \\\" and \\n", "研发部", "tab\tand\rreturn",
    "trailing backslash \\", '"', "{brace}=,", "emoji \U0001F600",
])
def test_server_text_in_labels_is_escaped_and_reads_back_the_same(name):
    regions = {"RegionOne": {"quotas": {"cores": 1}, "usage": {"cores": 2}}}
    text = render(build(PLATFORM, [domain(name + "-id", name, regions)], 0.1)["samples"])
    found = parsed(text)
    acme = dict(region="RegionOne", domain=name, domain_id=name + "-id", item="cores")
    assert value(found, "eos_domain_quota_limit", **acme) == 1
    assert value(found, "eos_domain_quota_overused", **acme) == 1
    # every sample on one line of its own: a line feed in a name never breaks a line
    assert all(line.startswith(("#", "eos_")) for line in text.split("\n")[:-1])
    promtool_check(text)


def test_label_value_escaping_rules():
    assert label_value('a"b') == 'a\\"b'
    assert label_value("a\\b") == "a\\\\b"
    assert label_value("a\nb") == "a\\nb"
    assert label_value("\\n") == "\\\\n"  # a backslash then n: not a line feed
    assert label_value("plain") == "plain"
    assert label_value("lone \udc80 surrogate") == "lone \ufffd surrogate"
    assert label_value(42) == "42"


def test_a_lone_surrogate_in_a_name_still_gives_utf8_text():
    regions = {"RegionOne": {"quotas": {"cores": 1}, "usage": {}}}
    text = render(build(PLATFORM, [domain("d1", "bad \ud800 name", regions)], 0.1)["samples"])
    text.encode("utf-8")
    assert parsed(text)


@pytest.mark.parametrize("given, written", [
    (72, "72"), (31146.0, "31146"), (156.5, "156.5"), (0.1, "0.1"), (0, "0"), (2 ** 53, "9007199254740992"),
    (float("inf"), "+Inf"), (float("-inf"), "-Inf"), (float("nan"), "NaN"), (True, "1"), (1e300, "1e+300"),
])
def test_number(given, written):
    assert number(given) == written


def test_a_failed_read_says_so_with_no_quota_series():
    text = read_failed(2.34567)
    found = parsed(text)
    assert found == {("eos_quota_read_success", ()): 0, ("eos_quota_read_duration_seconds", ()): 2.346}
    assert len(list(text_string_to_metric_families(text))) == len(FAMILIES)
    promtool_check(text)


def test_the_duration_is_left_out_of_the_comparison_only():
    one = render(build(PLATFORM, DOMAINS, 0.1)["samples"])
    two = render(build(PLATFORM, DOMAINS, 9.9)["samples"])
    assert one != two and without_duration(one) == without_duration(two)
    assert "eos_quota_read_duration_seconds 0.1\n" not in without_duration(one)
    assert "# HELP eos_quota_read_duration_seconds" in without_duration(one)
    changed = [dict(entry) for entry in DOMAINS]
    changed[0] = domain("d-acme", "acme", {"RegionOne": {"quotas": {"cores": 41}, "usage": {}}})
    assert without_duration(render(build(PLATFORM, changed, 0.1)["samples"])) != without_duration(one)


def test_the_same_numbers_give_the_same_text_whatever_the_order_of_keys():
    shuffled = {"RegionTwo": PLATFORM["RegionTwo"],
                "RegionOne": dict(reversed(list(PLATFORM["RegionOne"].items())))}
    assert render(build(PLATFORM, DOMAINS, 0.1)["samples"]) == render(build(shuffled, DOMAINS, 0.1)["samples"])


# -- the rules --

@pytest.mark.parametrize("quota, taken, over", [
    (72, 72, False), (72, 72.5, True), (72, 73, True), (0, 1, True), (0, 0, False),
    (-1, 10 ** 9, False), (72, None, False), (None, 5, False), (20.5, 20.499999, False),
])
def test_overused_is_exact(quota, taken, over):
    assert overused(quota, taken) is over


def test_unknown_items():
    platform = {"R1": {"cores": 1, "ram": 2}}
    assert unknown_items(platform, {"R1": {"cores": 1, "gpu": 1, "aaa": 1}}) == [("R1", "aaa"), ("R1", "gpu")]
    assert unknown_items(platform, {"R9": {"cores": 1}}) == [("R9", "cores")]
    assert unknown_items(platform, {"R1": {"cores": 1}}) == []


def test_departments_total_and_ratio():
    total, unlimited, counted = departments_total([("a", 20.1), ("b", 20.2), ("c", -1), ("d", "x")])
    assert (str(total), unlimited, counted) == ("40.3", ["c"], 3)
    assert oversubscription_ratio(total, False, 40.3) == 1.0
    assert oversubscription_ratio(total, True, 1000) == math.inf
    assert oversubscription_ratio(total, False, -1) is None
    assert oversubscription_ratio(total, True, -1) is None
    assert oversubscription_ratio(total, False, 0) == math.inf
    assert oversubscription_ratio(departments_total([])[0], False, 0) is None
    assert oversubscription_ratio(departments_total([])[0], False, 10) == 0


def test_the_report_uses_the_same_rules():
    from ansible_collections.easystack.eos.plugins.plugin_utils import report
    from ansible_collections.easystack.eos.plugins.module_utils import quota_checks
    assert report.is_unlimited is quota_checks.is_unlimited
    assert report.PLATFORM_DOMAINS is quota_checks.PLATFORM_DOMAINS is metrics.PLATFORM_DOMAINS
