# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""report: the quota report's marks, oversubscription sums and summary lines."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import re

import pytest

from ansible_collections.easystack.eos.plugins.plugin_utils import report as report_module
from ansible_collections.easystack.eos.plugins.module_utils.quota import format_value
from ansible_collections.easystack.eos.plugins.plugin_utils.report import (
    ReportError,
    anchor,
    build,
    classify,
    describe_item,
    distinct_domains,
    oversubscription,
    threshold_value,
)


def item(quota, allocated=None, used=None, unlimited=None):
    """An item of eos_domain_usage_info's summary, with its percentages as usage.py makes them."""
    def share(part):
        if part is None or quota in (None, -1) or quota <= 0:
            return None
        return round(100.0 * part / quota, 1)
    return {
        "quota": quota, "unlimited": quota == -1 if unlimited is None else unlimited, "limit": -1,
        "allocated": allocated, "used": used,
        "free": None if quota == -1 or allocated is None or quota is None else quota - allocated,
        "percent_allocated": share(allocated), "percent_used": share(used),
    }


def department(name, summary, ident=None):
    return {"domain": {"id": ident or "id-" + name, "name": name}, "summary": summary}


# -- threshold boundaries ---------------------------------------------------------------------

@pytest.mark.parametrize("allocated, above", [(79, False), (80, False), (81, True)])
def test_threshold_is_strictly_above(allocated, above):
    marks = classify(item(100, allocated), 80)
    assert marks["above_threshold"] is above
    assert marks["allocated_above"] is above
    assert marks["over_quota"] is False
    assert marks["peak"] == float(allocated)


def test_threshold_boundary_with_a_fraction():
    assert classify(item(1000, 800), 80.0)["above_threshold"] is False   # 80.0 %
    assert classify(item(1000, 801), 80.0)["above_threshold"] is True    # 80.1 %
    assert classify(item(1000, 801), "80.1")["above_threshold"] is False  # numeric text


def test_real_use_marks_the_platform_too():
    marks = classify(item(100, allocated=10, used=95), 80)
    assert marks["above_threshold"] is True and marks["peak"] == 95.0
    assert marks["allocated_above"] is False and marks["used_above"] is True


@pytest.mark.parametrize("allocated, over", [(100, False), (101, True)])
def test_over_quota_is_strictly_past_100(allocated, over):
    marks = classify(item(100, allocated), 80)
    assert marks["over_quota"] is over and marks["above_threshold"] is True


def test_threshold_above_100_still_reports_over_quota_only_past_it():
    assert classify(item(100, 120), 150)["above_threshold"] is False
    assert classify(item(100, 120), 150)["over_quota"] is True


def test_quota_zero_with_allocation_is_beyond_zero():
    marks = classify(item(0, allocated=3), 80)
    assert marks == dict(marks, beyond_zero=True, above_threshold=True, over_quota=True,
                         peak=None, idle=False)
    assert classify(item(0, allocated=0, used=2), 80)["beyond_zero"] is True


def test_quota_zero_with_nothing_taken_is_idle_not_marked():
    for allocated in (0, None):
        marks = classify(item(0, allocated=allocated), 80)
        assert marks["above_threshold"] is False and marks["beyond_zero"] is False
        assert marks["idle"] is True


def test_unlimited_is_never_marked():
    marks = classify(item(-1, allocated=10 ** 6, used=10 ** 6), 0)
    assert marks["above_threshold"] is False and marks["over_quota"] is False
    assert marks["idle"] is False and marks["peak"] is None
    # unlimited by flag, even if the quota were reported as 0
    assert classify({"quota": 0, "unlimited": True, "allocated": 5}, 80)["beyond_zero"] is False


def test_none_values_mark_nothing():
    marks = classify({"quota": None, "unlimited": False, "allocated": None, "used": None,
                      "percent_allocated": None, "percent_used": None}, 80)
    assert not any(marks[key] for key in ("above_threshold", "over_quota", "beyond_zero", "idle"))
    assert classify({}, 80)["above_threshold"] is False


@pytest.mark.parametrize("bad", [True, None, "eighty", float("nan"), float("inf"), [80], -1,
                                 "-0.5", 1000.5, "1e300"])
def test_threshold_must_be_a_number(bad):
    with pytest.raises(ReportError):
        threshold_value(bad)


# -- items, anchors, numbers ------------------------------------------------------------------

def test_describe_item():
    assert describe_item("cores") == ("Compute", "vCPUs", "")
    assert describe_item("gigabytes_ssd") == ("Block storage", "Volume capacity (ssd)", "GiB")
    assert describe_item("backup_gigabytes") == ("Block storage", "Backup capacity", "GiB")
    assert describe_item("volumes") == ("Block storage", "Volumes", "")
    assert describe_item("routers_x") == ("Other", "routers_x", "")


def test_anchor_and_numbers():
    ident = anchor("Region One", "domain", "a.b", "cores")
    assert re.match(r"^Region_One-domain-a_b-cores-[0-9a-f]{10}$", ident), ident
    assert format_value(31146.0) == "31146" and format_value(20.5) == "20.5" and format_value(72) == "72"


HTML_ID = re.compile(r"^[A-Za-z0-9_-]+$")


@pytest.mark.parametrize("names", [
    [u"研发部", u"销售部", u"市场部", u"部"],                 # CJK only: the slug is the same
    ["a.b", "a b", "a_b", "a__b", "a-b", "a\tb", "a\rb"],  # punctuation and blanks
    ["!", "?", ".", " ", "", u"\u00e9", u"\u00e8"],           # nothing readable at all
])
def test_anchors_never_collide_for_different_parts(names):
    ids = [anchor("RegionOne", "domain", name, "cores") for name in names]
    assert len(set(ids)) == len(names), ids
    assert all(HTML_ID.match(ident) for ident in ids), ids
    # parts are kept apart: joining them differently is not the same id
    assert anchor("a-b", "c") != anchor("a", "b-c")
    # a key (a department's ID) tells apart what the shown parts do not
    assert anchor("R", "domain", "acme", "cores", key="1") != anchor("R", "domain", "acme", "cores", key="2")
    assert anchor("R", "domain", "acme", "cores", key="1") != anchor("R", "domain", "acme", "cores")


def test_anchors_are_stable_and_bounded():
    first = anchor("RegionOne", "domain", u"研发部", "cores", key="63bd1945")
    assert first == anchor("RegionOne", "domain", u"研发部", "cores", key="63bd1945")
    assert first == anchor(u"RegionOne", u"domain", u"研发部", u"cores", key=u"63bd1945")
    # the hash is of the exact parts (the JSON list of their text), the slug readable ASCII
    digest = hashlib.sha1(json.dumps(["RegionOne", "domain", u"研发部", "cores", "63bd1945"])
                          .encode("utf-8")).hexdigest()[:10]
    assert first == "RegionOne-domain-_-cores-" + digest
    long_name = anchor("R", "domain", "x" * 500, "cores")
    assert len(long_name) <= 64 + 11 and HTML_ID.match(long_name)
    with pytest.raises(TypeError):
        anchor("R", slug="x")


def test_anchors_are_unique_within_a_report_even_if_hashes_collide(monkeypatch):
    """Two different parts with one hash never happens with SHA-1; if it did, the second id
    gets a suffix: the page's ids stay unique and every link still lands on its row."""
    monkeypatch.setattr(report_module, "anchor", lambda *parts, **kwargs: "same")
    domains = [department(u"研发部", {"R": {"cores": item(10, 9)}}),
               department(u"销售部", {"R": {"cores": item(10, 9)}})]
    report = build({"R": {"cores": item(10, 5), "ram": item(5)}}, domains)
    ids = [row["anchor"] for row in report["rows"]] + [s["anchor"] for s in report["regions"]]
    assert ids == ["same", "same-2", "same-3", "same-4", "same-5"]
    assert len(set(ids + ["oversubscription"])) == len(ids) + 1
    # the oversubscription entries link to their platform row
    rows = dict(((row["scope"], row["region"], row["item"]), row["anchor"]) for row in report["rows"])
    for entry in report["oversubscription"]:
        assert entry["anchor"] == rows[("platform", entry["region"], entry["item"])]
    # the page's own id is never a row's
    monkeypatch.setattr(report_module, "anchor", lambda *parts, **kwargs: "oversubscription")
    report = build({"R": {"cores": item(10, 5)}}, domains)
    assert "oversubscription" not in [row["anchor"] for row in report["rows"]]


def test_report_ids_unique_with_hostile_department_names():
    names = [u"研发部", u"销售部", "a.b", "a b", "a_b", "x\r=cmd|' /C calc'!A0", "\t=HYPERLINK(1)"]
    domains = [department(name, {"R": {"cores": item(10, 9)}}, ident="id%d" % index)
               for index, name in enumerate(names)]
    # two departments may share a display name: their IDs tell them apart
    domains.append(department("a.b", {"R": {"cores": item(10, 1)}}, ident="other-a.b"))
    report = build({"R": {"cores": item(100, 5)}}, domains)
    ids = [row["anchor"] for row in report["rows"]] + [s["anchor"] for s in report["regions"]]
    assert len(set(ids)) == len(ids) == len(names) + 3
    by_id = dict((row["anchor"], row) for row in report["rows"])
    # each marked row (the page's links) is the department it names
    assert sorted(by_id[row["anchor"]]["domain_id"] for row in report["above"]) == sorted(
        "id%d" % index for index in range(len(names)))
    # both departments named a.b have their own table
    tables = [(scope["name"], scope["domain_id"]) for scope in report["regions"][0]["scopes"]]
    assert ("a.b", "id2") in tables and ("a.b", "other-a.b") in tables
    again = build({"R": {"cores": item(100, 5)}}, domains)
    assert [row["anchor"] for row in again["rows"]] == [row["anchor"] for row in report["rows"]]


# -- oversubscription -------------------------------------------------------------------------

PLATFORM = {
    "RegionOne": {"cores": item(72, 50, 9), "ram": item(1000, 10), "gpu": item(-1),
                  "volumes_ssd": item(0), "gigabytes": item(0.3)},
    "RegionTwo": {"cores": item(40, 0)},
}


def over(domains, complete=True, regions=None):
    entries = oversubscription(PLATFORM, distinct_domains(domains), complete, regions)
    return dict(((entry["region"], entry["item"]), entry) for entry in entries)


def test_sum_per_region_and_item():
    entries = over([
        department("acme", {"RegionOne": {"cores": item(96), "ram": item(500)},
                            "RegionTwo": {"cores": item(16)}}),
        department("globex", {"RegionOne": {"cores": item(48), "ram": item(500)},
                              "RegionTwo": {"cores": item(24)}}),
    ])
    cores = entries[("RegionOne", "cores")]
    assert cores["departments_quota"] == 144 and cores["platform_quota"] == 72
    assert cores["oversubscribed"] is True and cores["over_by"] == 72 and cores["departments"] == 2
    # equal is not more
    assert entries[("RegionOne", "ram")]["departments_quota"] == 1000
    assert entries[("RegionOne", "ram")]["oversubscribed"] is False
    # RegionTwo on its own: 16 + 24 = 40, not more than 40
    assert entries[("RegionTwo", "cores")]["departments_quota"] == 40
    assert entries[("RegionTwo", "cores")]["oversubscribed"] is False


def test_one_more_in_another_region_only_oversubscribes_that_region():
    entries = over([department("acme", {"RegionOne": {"cores": item(72)},
                                        "RegionTwo": {"cores": item(41)}})])
    assert entries[("RegionOne", "cores")]["oversubscribed"] is False
    assert entries[("RegionTwo", "cores")]["oversubscribed"] is True
    assert entries[("RegionTwo", "cores")]["over_by"] == 1


def test_an_unlimited_department_oversubscribes_a_limited_platform_quota():
    entries = over([department("acme", {"RegionOne": {"cores": item(-1), "volumes_ssd": item(-1),
                                                      "gpu": item(-1)}}),
                    department("globex", {"RegionOne": {"cores": item(8)}})])
    cores = entries[("RegionOne", "cores")]
    assert cores["oversubscribed"] is True and cores["departments_unlimited"] == ["acme"]
    assert cores["departments_quota"] == 8 and cores["over_by"] is None
    # a platform quota of 0 with an unlimited department
    assert entries[("RegionOne", "volumes_ssd")]["oversubscribed"] is True
    # an unlimited platform quota is never oversubscribed
    assert entries[("RegionOne", "gpu")]["oversubscribed"] is False


def test_zero_platform_quota_and_zero_departments_is_not_oversubscribed():
    entries = over([department("acme", {"RegionOne": {"volumes_ssd": item(0)}})])
    assert entries[("RegionOne", "volumes_ssd")]["oversubscribed"] is False
    entries = over([department("acme", {"RegionOne": {"volumes_ssd": item(1)}})])
    assert entries[("RegionOne", "volumes_ssd")]["oversubscribed"] is True


def test_decimal_quotas_sum_exactly():
    # 0.1 + 0.2 is 0.30000000000000004 in floats: it must not oversubscribe 0.3
    entries = over([department("a", {"RegionOne": {"gigabytes": item(0.1)}}),
                    department("b", {"RegionOne": {"gigabytes": item(0.2)}})])
    assert entries[("RegionOne", "gigabytes")]["oversubscribed"] is False
    assert entries[("RegionOne", "gigabytes")]["departments_quota"] == 0.3
    entries = over([department("a", {"RegionOne": {"gigabytes": item(0.1)}}),
                    department("b", {"RegionOne": {"gigabytes": item(0.21)}})])
    assert entries[("RegionOne", "gigabytes")]["oversubscribed"] is True
    assert entries[("RegionOne", "gigabytes")]["over_by"] == 0.01


def test_missing_and_none_department_values_add_nothing():
    entries = over([department("acme", {"RegionOne": {"cores": {"quota": None, "unlimited": False}}}),
                    department("globex", {"RegionTwo": {"cores": item(50)}}),
                    department("initech", {})])
    cores = entries[("RegionOne", "cores")]
    assert cores["departments_quota"] == 0 and cores["departments"] == 0
    assert cores["oversubscribed"] is False
    assert entries[("RegionTwo", "cores")]["oversubscribed"] is True


def test_department_read_twice_counts_once():
    acme = department("acme", {"RegionOne": {"cores": item(40)}})
    assert over([acme, acme])[("RegionOne", "cores")]["oversubscribed"] is False
    assert over([acme, department("acme", {"RegionOne": {"cores": item(40)}}, "other-id")])[
        ("RegionOne", "cores")]["oversubscribed"] is True


def test_platform_domains_are_not_counted():
    default = department("Default", {"RegionOne": {"cores": item(72)}}, "default")
    acme = department("acme", {"RegionOne": {"cores": item(10)}})
    assert over([default, acme])[("RegionOne", "cores")]["departments_quota"] == 10
    by_id = distinct_domains([default, acme], ["default"])
    assert [entry["platform_domain"] for entry in by_id] == [True, False]
    counted = oversubscription(PLATFORM, distinct_domains([default, acme], []), True)
    assert [e for e in counted if e["item"] == "cores" and e["region"] == "RegionOne"][0][
        "departments_quota"] == 82


def test_regions_filter():
    entries = over([department("acme", {"RegionTwo": {"cores": item(99)}})], regions=["RegionOne"])
    assert set(region for region, _item in entries) == {"RegionOne"}


def test_bad_departments_are_refused():
    with pytest.raises(ReportError):
        distinct_domains({"domain": {}})
    with pytest.raises(ReportError):
        distinct_domains([{"summary": {}}])
    with pytest.raises(ReportError):
        distinct_domains([{"domain": {"id": "x", "name": "x"}, "summary": ["RegionOne"]}])


# -- the whole report -------------------------------------------------------------------------

SEEDED_PLATFORM = {"RegionOne": {"cores": item(72, 52, 9), "ram": item(31146.0, 40000, 512),
                                 "volumes_ssd": item(0, 0), "cpu": item(-1, 4)}}
SEEDED = [
    department("Default", {"RegionOne": {"cores": item(72, 2), "ram": item(31146.0, 2048)}}, "default"),
    department("acme", {"RegionOne": {"cores": item(72, 20), "ram": item(31146.0, 10240),
                                      "volumes_ssd": item(-1, 0)}}),
    department("globex", {"RegionOne": {"cores": item(32, 30), "ram": item(8192, 2048),
                                        "volumes_ssd": item(0, 2)}}),
]


def test_build_rows_and_summary_for_listed_departments():
    report = build(SEEDED_PLATFORM, SEEDED[1:], threshold=80)
    rows = dict(((row["scope"], row["name"], row["item"]), row) for row in report["rows"])
    assert [row["scope"] for row in report["rows"]][:4] == ["platform"] * 4
    assert rows[("platform", "platform", "ram")]["above_threshold"] is True     # 128.4 %
    assert rows[("platform", "platform", "ram")]["over_quota"] is True
    assert rows[("domain", "globex", "cores")]["above_threshold"] is True       # 93.8 %
    assert rows[("domain", "globex", "volumes_ssd")]["beyond_zero"] is True
    assert rows[("platform", "platform", "cores")]["oversubscribed"] is True
    assert rows[("platform", "platform", "cores")]["departments_quota"] == 104
    assert rows[("domain", "acme", "cores")]["oversubscribed"] is None
    summary = report["summary"]
    assert summary["oversubscribed"] == [
        "RegionOne cores: listed departments 104 > platform 72 vCPU",
        "RegionOne ram: listed departments 39338 > platform 31146 MiB",
        "RegionOne volumes_ssd: listed departments unlimited (acme) > platform 0",
    ]
    assert summary["oversubscription"] == {
        "checked": True, "cover": "listed", "departments": 2,
        "note": "only the 2 listed departments' quotas against the platform's: a lower bound"}
    assert summary["items_above_threshold"] == [
        "RegionOne platform ram: 128.4 % (40000 of 31146 MiB allocated)",
        "RegionOne globex cores: 93.8 % (30 of 32 vCPU allocated)",
        "RegionOne globex volumes_ssd: over a quota of 0 (2 allocated)",
    ]
    assert summary["above_threshold"] == {"platform": 1, "domains": {"acme": 0, "globex": 2}}
    assert summary["departments"] == ["acme", "globex"] and summary["regions"] == ["RegionOne"]
    assert [(scope["name"], scope["above"], scope["limited"]) for scope in report["scopes"]] == [
        ("platform", 1, 3), ("acme", 0, 2), ("globex", 2, 3)]


def test_build_for_every_department_leaves_default_out_of_the_sum():
    report = build(SEEDED_PLATFORM, SEEDED, threshold=80, all_domains=True)
    summary = report["summary"]
    assert summary["departments"] == "all"
    assert summary["oversubscription"]["cover"] == "all"
    assert summary["oversubscription"]["departments"] == 2
    assert summary["oversubscribed"][0] == "RegionOne cores: departments 104 > platform 72 vCPU"
    assert [scope["platform_domain"] for scope in report["scopes"]] == [False, True, False, False]
    assert summary["above_threshold"]["domains"] == {"Default": 0, "acme": 0, "globex": 2}


def test_build_without_platform_or_departments_does_not_check():
    report = build(None, SEEDED[1:], threshold=80)
    assert report["oversubscription"] == [] and report["summary"]["oversubscribed"] == []
    assert report["summary"]["oversubscription"]["checked"] is False
    assert report["summary"]["oversubscription"]["note"] == "not checked: no platform view"
    assert all(row["scope"] == "domain" for row in report["rows"])
    report = build(SEEDED_PLATFORM, [], threshold=80)
    assert report["summary"]["oversubscription"]["note"] == "not checked: no department read"
    assert all(row["oversubscribed"] is None for row in report["rows"])


def test_build_many_unlimited_names_are_cut():
    names = ["d%d" % n for n in range(5)]
    report = build({"R": {"cores": item(1)}}, [department(n, {"R": {"cores": item(-1)}}) for n in names],
                   all_domains=True)
    assert report["summary"]["oversubscribed"] == [
        "R cores: departments unlimited (d0, d1, d2 and 2 more) > platform 1 vCPU"]


def test_build_regions_and_input_checks():
    report = build({"RegionOne": {"cores": item(1)}, "RegionTwo": {"cores": item(1, 5)}},
                   [department("acme", {"RegionTwo": {"cores": item(2)}})], regions=["RegionOne"])
    assert set(row["region"] for row in report["rows"]) == {"RegionOne"}
    assert report["summary"]["oversubscribed"] == []
    with pytest.raises(ReportError):
        build(["RegionOne"], [])
    with pytest.raises(ReportError):
        build({}, [], regions="RegionOne")


def test_sections_group_by_region_scope_and_category():
    platform = {"RegionTwo": {"cores": item(1)},
                "RegionOne": {"port": item(5), "ram": item(8), "cores": item(4), "zz": item(1)}}
    report = build(platform, [department("acme", {"RegionOne": {"cores": item(2)}})])
    assert [section["region"] for section in report["regions"]] == ["RegionOne", "RegionTwo"]
    assert re.match(r"^region-RegionOne-[0-9a-f]{10}$", report["regions"][0]["anchor"])
    one = report["regions"][0]["scopes"]
    assert [(scope["scope"], scope["name"]) for scope in one] == [("platform", "platform"), ("domain", "acme")]
    assert [(category["category"], [report["rows"][i]["item"] for i in category["row_indexes"]])
            for category in one[0]["categories"]] == [
        ("Compute", ["cores", "ram"]), ("Network", ["port"]), ("Other", ["zz"])]
    # acme has nothing in RegionTwo: no table for it there
    assert [scope["name"] for scope in report["regions"][1]["scopes"]] == ["platform"]


def test_fingerprint_follows_the_numbers_only():
    first = build(SEEDED_PLATFORM, SEEDED[1:], threshold=80)
    again = build(dict(reversed(list(SEEDED_PLATFORM.items()))), SEEDED[1:], threshold=80)
    assert first["fingerprint"] == again["fingerprint"] and len(first["fingerprint"]) == 40
    changed = build(SEEDED_PLATFORM, SEEDED[1:], threshold=90)
    assert changed["fingerprint"] != first["fingerprint"]
    more = [department("acme", {"RegionOne": {"cores": item(73, 20)}})] + SEEDED[2:]
    assert build(SEEDED_PLATFORM, more, threshold=80)["fingerprint"] != first["fingerprint"]


def test_inconsistencies_over_quota_exactly_and_items_the_platform_does_not_offer():
    platform = {"RegionOne": {"cores": item(100)}}
    report = build(platform, [
        department("acme", {"RegionOne": {"cores": item(10, allocated=10.5),
                                          "gpu": item(2)}}),
        department("globex", {"RegionOne": {"cores": item(10, allocated=10)}}),
    ])
    assert report["summary"]["inconsistencies"] == {
        "over_quota": ["RegionOne acme cores: 10.5 allocated > quota 10 vCPU"],
        "unknown_items": ["RegionOne acme gpu: a quota for an item the platform does not offer "
                          "in RegionOne"]}
    rows = dict(((row["name"], row["item"]), row) for row in report["rows"])
    assert rows[("acme", "gpu")]["unknown_item"] is True
    assert rows[("acme", "cores")]["unknown_item"] is False
    # without a platform view nothing is "not offered"
    assert build(None, [department("acme", {"RegionOne": {"gpu": item(2)}})])[
        "summary"]["inconsistencies"]["unknown_items"] == []
