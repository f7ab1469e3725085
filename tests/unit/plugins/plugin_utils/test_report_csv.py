# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""report_csv: the quota report's CSV keeps every name in its cell and no cell is a formula.

Every check parses the output back with csv.reader, as a spreadsheet would, rather than
comparing text: the question is what a reader gets."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import io

import pytest

from ansible_collections.easystack.eos.plugins.plugin_utils.report import build
from ansible_collections.easystack.eos.plugins.plugin_utils.report_csv import (
    COLUMNS,
    ReportCsvError,
    cell,
    needs_guard,
    report_csv,
)

HOSTILE_NAMES = [
    "x\r=cmd|' /C calc'!A0",          # a bare CR: the old CSV split the row here
    "x\n=cmd|' /C calc'!A0",          # LF
    "x\r\n@SUM(1+1)*cmd|' /C calc'!A0",
    'say "hi", then =1+1',            # quote and comma
    "a,b",
    "=cmd|' /C calc'!A0",             # the classic
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=HYPERLINK(\"http://evil\",\"x\")",   # a leading TAB before = passed the old guard
    "\r=1+1",                         # a leading CR
    "   =1+1",                        # spaces before =
    " \t =1+1",
    "\u00a0\u3000=1+1",               # no-break and ideographic space
    "\u200b=1+1",                     # zero-width space (format character)
    "\x00=1+1",                       # a control character
    "\uff1d1+1",                      # full-width =
    "\t",
    "\r",
    "研发部",
    "销售部",
    "a.b",
    "plain",
]
BLANKS = " \t\r\n\x0b\x0c\u00a0\u3000\u200b\x00"
FORMULA = tuple("=+-@\t\r\uff1d\uff0b\uff0d\uff20")


def item(quota, allocated=None, used=None):
    def share(part):
        if part is None or quota in (None, -1) or quota <= 0:
            return None
        return round(100.0 * part / quota, 1)
    return {"quota": quota, "unlimited": quota == -1, "limit": -1, "allocated": allocated,
            "used": used,
            "free": None if quota == -1 or allocated is None else quota - allocated,
            "percent_allocated": share(allocated), "percent_used": share(used)}


def department(index, name, summary):
    return {"domain": {"id": "id%d" % index, "name": name}, "summary": summary}


def parse(text):
    return list(csv.reader(io.StringIO(text, newline="")))


def dangerous(text):
    """A reader's view: the first character, or the first after blanks, starts a formula."""
    return text[:1] in ("\t", "\r") or text.lstrip(BLANKS)[:1] in FORMULA


def report_of(names, platform=None, all_domains=False):
    domains = [department(index, name, {"RegionOne": {"cores": item(72, 30), "ram": item(-1, 5)}})
               for index, name in enumerate(names)]
    return build(platform, domains, all_domains=all_domains)


def test_hostile_names_stay_in_their_cells_and_are_guarded():
    report = report_of(HOSTILE_NAMES)
    text = report_csv(report)
    rows = parse(text)
    assert rows[0] == list(COLUMNS)
    assert len(rows) == 1 + len(report["rows"]) == 1 + 2 * len(HOSTILE_NAMES)
    assert all(len(row) == len(COLUMNS) for row in rows)
    for row, source in zip(rows[1:], report["rows"]):
        name = row[COLUMNS.index("name")]
        # the exact name comes back, behind a ' when a spreadsheet could evaluate it
        assert name in (source["name"], "'" + source["name"]), (name, source["name"])
        assert name.startswith("'") == dangerous(source["name"]), repr(source["name"])
    # no cell anywhere starts a formula unless guarded (numbers are numbers)
    for row in rows:
        for value in row:
            if dangerous(value):
                float(value)  # a number such as -5 is fine; anything else fails here
    # every CR and LF of a name is inside a quoted field
    assert text.count("\r\n") == len(rows) + sum(row["name"].count("\r\n") for row in report["rows"])


@pytest.mark.parametrize("text", ["=1", "+1", "-1", "@x", "\t=1", "\r=1", "  =1", "\n=1", "\t",
                                  "\r", "\tplain", " \rplain", "\uff1d1", "\u200b@x"])
def test_guarded(text):
    assert needs_guard(text)
    assert cell(text) == "'" + text


@pytest.mark.parametrize("text", ["", "plain", "a=b", "研发部", " plain", "\nplain", "1-2",
                                  "'=already quoted", "e-mail"])
def test_not_guarded(text):
    assert not needs_guard(text)
    assert cell(text) == text


def test_numbers_stay_numbers_and_unlimited_reads_unlimited():
    platform = {"RegionOne": {"cores": item(72, 80, 9), "ram": item(-1, 5), "gpu": item(0.3)}}
    domains = [department(0, "acme", {"RegionOne": {"cores": item(-1), "gpu": item(0.2)}}),
               department(1, "globex", {"RegionOne": {"gpu": item(0.2, 0.1)}})]
    rows = parse(report_csv(build(platform, domains)))
    by = dict(((row[1], row[2], row[3]), dict(zip(COLUMNS, row))) for row in rows[1:])
    cores = by[("platform", "platform", "cores")]
    assert (cores["quota"], cores["allocated"], cores["used"], cores["free"]) == ("72", "80", "9", "-8")
    assert (cores["percent_allocated"], cores["percent_used"], cores["limit"]) == ("111.1", "12.5", "-1")
    assert cores["above_threshold"] == "yes" and cores["oversubscribed"] == "yes"
    assert cores["departments_quota"] == "unlimited" and cores["departments_unlimited"] == "acme"
    assert cores["departments_cover"] == "listed"
    ram = by[("platform", "platform", "ram")]
    assert ram["quota"] == "unlimited" and ram["free"] == "" and ram["percent_allocated"] == ""
    # no department has ram: the sum is 0 and nothing is oversubscribed
    assert (ram["departments_quota"], ram["departments_unlimited"], ram["oversubscribed"]) == ("0", "", "no")
    gpu = by[("platform", "platform", "gpu")]
    # 0.2 + 0.2 > 0.3, exactly; fractional numbers as written
    assert (gpu["quota"], gpu["departments_quota"], gpu["oversubscribed"]) == ("0.3", "0.4", "yes")
    assert by[("domain", "globex", "gpu")]["allocated"] == "0.1"
    # a department's row has no departments' columns
    acme = by[("domain", "acme", "cores")]
    assert acme["quota"] == "unlimited"
    assert [acme[key] for key in ("departments_quota", "departments_unlimited",
                                  "departments_cover", "oversubscribed")] == ["", "", "", ""]


def test_unlimited_departments_are_one_guarded_cell():
    platform = {"RegionOne": {"cores": item(72, 5)}}
    domains = [department(0, "=evil", {"RegionOne": {"cores": item(-1)}}),
               department(1, "b;c,d", {"RegionOne": {"cores": item(-1)}})]
    rows = parse(report_csv(build(platform, domains, all_domains=True)))
    platform_row = dict(zip(COLUMNS, rows[1]))
    assert platform_row["departments_unlimited"] == "'=evil;b;c,d"
    assert platform_row["departments_cover"] == "all"


def test_shape_header_and_line_ends():
    text = report_csv(report_of(["acme"]))
    assert text.startswith(",".join(COLUMNS) + "\r\n") and text.endswith("\r\n")
    assert text.count("\r\n") == 3
    assert report_csv(build(None, [])) == ",".join(COLUMNS) + "\r\n"
    # the same report, the same bytes (the role's second run changes nothing)
    assert report_csv(report_of(HOSTILE_NAMES)) == report_csv(report_of(HOSTILE_NAMES))


@pytest.mark.parametrize("bad", [None, [], {"rows": None}, {"rows": ["x"]},
                                 {"rows": [{"departments_unlimited": "acme",
                                            "oversubscribed": True}]}])
def test_not_a_report(bad):
    with pytest.raises(ReportCsvError):
        report_csv(bad)
