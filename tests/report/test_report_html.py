"""The quota report of easystack.eos.quota_report, rendered by a real headless Chromium.

The role runs (ansible-playbook in a subprocess) against the test bed for the platform and the
seeded departments acme and globex. Chromium then renders the page: its DOM must carry the
numbers the bed's API gives (read here straight from the API, not through the collection, and
put in the page's units here), the marks must follow the threshold, the page must run no script
but its own (pinned by the page's Content-Security-Policy) and load nothing, the console must
stay quiet, and the screenshot (tests/output/report/report.png) must show the report's colours.

The fleet page at 1,000 departments (rendered by the collection's own code from generated
numbers): at most 5 MB, painted within 2 s, departments collapsed, the filter box (filled from
``?filter=``) hiding the others, a link to a department opening it.

Chromium is Debian's ``chromium`` package (``apt-get install -y chromium``), or EOS_CHROMIUM.
"""
import csv
import html
import html.parser
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
from reportkit import run_playbook

REPO = Path(__file__).resolve().parents[2]
OUTPUT = REPO / "tests" / "output" / "report"
DOMAINS = ("acme", "globex")
THRESHOLD = 80.0
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-dev-shm-usage", "--hide-scrollbars",
                  "--enable-logging=stderr", "--v=0"]
PLAYBOOK = """
- name: Quota report for the browser test
  hosts: localhost
  gather_facts: false
  roles:
    - role: easystack.eos.quota_report
      eos_quota_report_domains: %s
      eos_quota_report_dir: %s
      eos_quota_report_threshold: %s
"""


def chromium_binary():
    """Chromium: EOS_CHROMIUM, else on PATH, else installed from Debian's archive when root."""
    if os.environ.get("EOS_CHROMIUM"):
        return os.environ["EOS_CHROMIUM"]
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, timeout=900, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, timeout=1800,
                       env=env, stdout=subprocess.DEVNULL)
        if shutil.which("chromium"):
            return shutil.which("chromium")
    pytest.fail("no Chromium: install Debian's package (apt-get install -y chromium) or set "
                "EOS_CHROMIUM to a Chromium binary", pytrace=False)
    return None


def row_id(region, scope, name, item):
    """How the tests name a row: its region, scope, department (or platform) and item. The page's
    tables say the first three (section data-region, data-scope, data-name), its rows the item;
    the CSV has them as columns. The row's HTML id is the collection's business, checked only for
    being unique and the target of the links."""
    return (region, scope, name, item)


def number(value):
    """How the page writes a number: thousands separators, at most two decimals."""
    if value == int(value):
        return "{:,}".format(int(value))
    return "{:,}".format(round(value, 2))


# What the page shows a unit as: RAM (MiB in the API) in GiB; capacities (GiB) in TiB from
# 10 TiB on, judged by the row's largest number.
MIB_ITEMS = ("ram",)
GIB_ITEMS = ("gigabytes", "backup_gigabytes")


def divisor(item, numbers):
    largest = max([abs(value) for value in numbers if value not in (None, -1)] or [0])
    if item in MIB_ITEMS:
        return 1024.0
    if item.startswith(GIB_ITEMS) and largest >= 10 * 1024:
        return 1024.0
    return 1.0


def shown_number(value, scale):
    return "\u2014" if value is None else number(value / scale if scale != 1.0 else value)


def percent(part, whole):
    if part is None or whole in (None, -1) or whole <= 0:
        return None
    return round(100.0 * part / whole, 1)


def expected_rows(api):
    """What the page must show for each scope, region and item, from the raw API answers."""
    rows = {}
    for scope, name, regions in api:
        for region, data in regions.items():
            quotas = data.get("quotas") or {}
            if scope == "platform":
                allocated, used = data.get("allocated") or {}, data.get("usage") or {}
            else:  # a department's view: the API's usage is the allocation; no real use
                allocated, used = data.get("usage") or {}, {}
            for item, quota in quotas.items():
                alloc = allocated.get(item)
                use = used.get(item) if scope == "platform" else None
                shares = [p for p in (percent(alloc, quota), percent(use, quota)) if p is not None]
                marked = (bool(shares) and max(shares) > THRESHOLD) or (
                    quota == 0 and ((alloc or 0) > 0 or (use or 0) > 0))
                # the page leaves out rows of zeros, and names a department's unlimited items
                # with nothing allocated on one line
                zeros = quota == 0 and not alloc and not use
                unused = scope == "domain" and quota == -1 and not alloc
                rows[row_id(region, scope, name, item)] = {
                    "scope": scope, "name": name, "region": region, "item": item,
                    "quota": quota, "allocated": alloc, "used": use, "marked": marked,
                    "percent_allocated": percent(alloc, quota),
                    "percent_used": percent(use, quota),
                    "on_page": "unused" if unused else ("no" if zeros else "row"),
                }
    return rows


def expected_oversubscription(api):
    """Per platform row: the listed departments' quotas added up (None: an unlimited one), and
    whether that is more than the platform's quota."""
    platform = api[0][2]
    expected = {}
    for region, data in platform.items():
        for item, quota in (data.get("quotas") or {}).items():
            total, unlimited, counted = 0, False, 0
            for _scope, _name, regions in api[1:]:
                theirs = (regions.get(region) or {}).get("quotas") or {}
                if item in theirs:
                    counted += 1
                    if theirs[item] == -1:
                        unlimited = True
                    else:
                        total += theirs[item]
            over = quota != -1 and counted > 0 and (unlimited or round(total, 6) > quota)
            expected[row_id(region, "platform", "platform", item)] = {
                "total": None if unlimited else round(total, 6), "over": over}
    return expected


class ReportDom(html.parser.HTMLParser):
    """The parts of the rendered DOM the tests read: item rows and their cells by column, the
    unused-unlimited lines, departments, cards, tags, ids and links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows = {}
        self.unused = set()
        self.ids = {}
        self.cards = {}
        self.departments = {}
        self.tags = set()
        self.references = []
        self.scripts = []
        self.policy = None
        self._scope = None
        self._region = None
        self._columns = []
        self._row = None
        self._cell = None
        self._in_head_cell = False
        self._unused_region = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.add(tag)
        if attrs.get("id"):
            self.ids[attrs["id"]] = self.ids.get(attrs["id"], 0) + 1
        for key in ("src", "href", "srcset", "action", "data"):
            if attrs.get(key):
                self.references.append((tag, key, attrs[key]))
        classes = (attrs.get("class") or "").split()
        if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy":
            self.policy = attrs["content"]
        if tag == "script":
            self.scripts.append(attrs)
        if tag == "div" and attrs.get("data-scope") == "platform":
            self._scope = ("platform", "platform")
        elif tag == "details" and "department" in classes:
            self._scope = ("domain", attrs["data-name"])
            self.departments[attrs["data-name"]] = attrs
        elif tag == "a" and "card" in classes:
            self.cards[attrs["data-scope"]] = (int(attrs["data-count"]), "hot" in classes,
                                               attrs.get("data-name"), attrs["href"])
        elif tag == "table":
            self._region, self._columns = attrs.get("data-region"), []
        elif tag == "p" and "unused" in classes:
            self._unused_region = attrs["data-region"]
        elif tag == "span" and attrs.get("data-item") and self._unused_region:
            self.unused.add(row_id(self._unused_region, self._scope[0], self._scope[1],
                                   attrs["data-item"]))
        elif tag == "tr" and attrs.get("data-item"):
            key = row_id(self._region, self._scope[0], self._scope[1], attrs["data-item"])
            assert key not in self.rows, "two rows of %r" % (key,)
            self._row = {"attrs": attrs, "cells": {}, "cell_attrs": {}, "classes": classes,
                         "head": ""}
            self.rows[key] = self._row
            self._cell = "head"
        elif tag == "th" and self._row is None:
            self._columns.append("")
            self._in_head_cell = True
        elif tag == "td" and self._row is not None:
            self._cell = self._columns[len(self._row["cells"]) + 1]
            self._row["cells"][self._cell] = ""
            self._row["cell_attrs"][self._cell] = attrs

    def handle_endtag(self, tag):
        if tag in ("tr", "tbody", "table"):
            self._row = self._cell = None
        if tag == "th":
            self._in_head_cell = False
        if tag == "p":
            self._unused_region = None

    def handle_data(self, data):
        if self._in_head_cell:
            self._columns[-1] += data
        elif self._row is not None and self._cell == "head":
            self._row["head"] += data
        elif self._row is not None and self._cell is not None:
            self._row["cells"][self._cell] += data


def read_png(path):
    """Width, height and rows of RGB(A) pixels of an 8-bit, non-interlaced PNG (Chromium's)."""
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    width, height, depth, color_type, interlace = header[0], header[1], header[2], header[3], header[6]
    assert depth == 8 and color_type in (2, 6) and interlace == 0, header
    bpp = 3 if color_type == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    rows, previous, offset = [], bytearray(stride), 0
    for _row in range(height):
        kind, line = raw[offset], bytearray(raw[offset + 1:offset + 1 + stride])
        offset += 1 + stride
        if kind == 1:
            for x in range(bpp, stride):
                line[x] = (line[x] + line[x - bpp]) & 255
        elif kind == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, previous))
        elif kind == 3:
            for x in range(stride):
                left = line[x - bpp] if x >= bpp else 0
                line[x] = (line[x] + (left + previous[x]) // 2) & 255
        elif kind == 4:
            for x in range(stride):
                a = line[x - bpp] if x >= bpp else 0
                b = previous[x]
                c = previous[x - bpp] if x >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        previous = line
    return width, height, [[tuple(row[x:x + 3]) for x in range(0, stride, bpp)] for row in rows]


@pytest.fixture(scope="module")
def report(bed, collections, tmp_path_factory):
    """The role's files, from a run against the bed, and the API's numbers right after it."""
    bed.reset_quotas()
    work = tmp_path_factory.mktemp("report")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    playbook = work / "report.yml"
    playbook.write_text(PLAYBOOK % (list(DOMAINS), OUTPUT, THRESHOLD))
    run = run_playbook(bed, collections, work, playbook)
    assert run.returncode == 0, run.stdout + run.stderr
    api = [("platform", "platform", bed.api("GET", "/v3/domain_usage").json()["domain"])]
    for name in DOMAINS:
        answer = bed.api("GET", "/v3/domain_quotas/%s" % bed.domains[name])
        api.append(("domain", name, answer.json()["domain"]))
    expected, oversubscription = expected_rows(api), expected_oversubscription(api)
    for ident, want in oversubscription.items():  # linked from "needs action": never left out
        if want["over"]:
            expected[ident]["on_page"] = "row"
    return {"html": OUTPUT / "eos-quota-report.html", "csv": OUTPUT / "eos-quota-report.csv",
            "expected": expected, "oversubscription": oversubscription,
            "output": run.stdout}


@pytest.fixture(scope="module")
def browser(report, tmp_path_factory):
    """The page rendered by Chromium: its DOM, a screenshot, and what Chromium logged."""
    binary = chromium_binary()
    url = report["html"].resolve().as_uri()
    profile = tmp_path_factory.mktemp("chromium-profile")
    flags = [binary] + CHROMIUM_FLAGS + ["--user-data-dir=%s" % profile]
    dom = subprocess.run(flags + ["--dump-dom", url], capture_output=True, text=True,
                         timeout=120, check=False)
    assert dom.returncode == 0 and "</html>" in dom.stdout, dom.stderr[-3000:]
    screenshot = OUTPUT / "report.png"
    if screenshot.exists():
        screenshot.unlink()
    shot = subprocess.run(flags + ["--window-size=1280,1600", "--screenshot=%s" % screenshot, url],
                          capture_output=True, text=True, timeout=120, check=False)
    assert shot.returncode == 0 and screenshot.exists(), shot.stderr[-3000:]
    # a quarter-scale copy keeps the pixel checks fast
    small = tmp_path_factory.mktemp("small") / "small.png"
    subprocess.run(flags + ["--window-size=1280,1600", "--force-device-scale-factor=0.25",
                            "--screenshot=%s" % small, url],
                   capture_output=True, text=True, timeout=120, check=True)
    parsed = ReportDom()
    parsed.feed(dom.stdout)
    return {"dom": dom.stdout, "parsed": parsed, "screenshot": screenshot, "small": small,
            "log": dom.stderr + shot.stderr}


def test_every_item_shows_the_api_numbers(report, browser):
    parsed = browser["parsed"]
    expected = report["expected"]
    rows = dict((ident, want) for ident, want in expected.items() if want["on_page"] == "row")
    assert set(parsed.rows) == set(rows), "rows differ: missing %s, extra %s" % (
        sorted(set(rows) - set(parsed.rows))[:10], sorted(set(parsed.rows) - set(rows))[:10])
    assert parsed.unused == set(ident for ident, want in expected.items()
                                if want["on_page"] == "unused")
    # the seeded bed has unlimited items nothing is allocated of (rows of zeros: the unit tests)
    assert parsed.unused
    problems = []
    for ident, want in rows.items():
        cells = dict((key, text.strip()) for key, text in parsed.rows[ident]["cells"].items())
        scale = divisor(want["item"], (want["quota"], want["allocated"], want["used"]))
        unlimited = want["quota"] == -1
        shown = {
            "Quota": "unlimited" if unlimited else shown_number(want["quota"], scale),
            "Allocated": shown_number(want["allocated"], scale),
            "Free": ("unlimited" if unlimited else "\u2014" if want["allocated"] is None
                     else shown_number(want["quota"] - want["allocated"], scale)),
            "% allocated": "\u2014" if want["percent_allocated"] is None
            else "%.1f\u00a0%%" % want["percent_allocated"],
        }
        if want["scope"] == "platform":
            shown["Used"] = shown_number(want["used"], scale)
            shown["% used"] = ("\u2014" if want["percent_used"] is None
                               else "%.1f\u00a0%%" % want["percent_used"])
        elif "Used" in cells or "% used" in cells:
            problems.append("%s: a department's table has a Used column" % (ident,))
        for key, text in shown.items():
            if cells.get(key) != text:
                problems.append("%s %s: page %r, API %r" % (ident, key, cells.get(key), text))
        unit = {1024.0: "GiB" if want["item"] in MIB_ITEMS else "TiB"}.get(scale)
        if unit and unit not in parsed.rows[ident]["head"]:
            problems.append("%s: no unit %s in %r" % (ident, unit, parsed.rows[ident]["head"]))
    assert not problems, "\n".join(problems[:40])


def test_unlimited_items_have_no_bar_and_others_do(report, browser):
    for ident, row in browser["parsed"].rows.items():
        want = report["expected"][ident]
        style = row["cell_attrs"]["% allocated"].get("style")
        if want["quota"] == -1 or want["percent_allocated"] is None:
            assert style is None or want["quota"] == 0, ident
        else:
            width = min(max(want["percent_allocated"], 0), 100)
            assert style == "--w:%g%%" % round(width), (ident, style)


def test_marks_follow_the_threshold(report, browser):
    parsed = browser["parsed"]
    for ident, row in parsed.rows.items():
        assert ("h" in row["classes"]) == report["expected"][ident]["marked"], ident
    counts = {}
    for want in report["expected"].values():
        key = (want["scope"], want["name"])
        counts[key] = counts.get(key, 0) + int(want["marked"])
    for name in DOMAINS:
        assert int(parsed.departments[name]["data-above"]) == counts[("domain", name)], name
    needing = sum(1 for name in DOMAINS if counts[("domain", name)])
    assert parsed.cards["needs-action"][:2] == (needing, needing > 0)
    assert parsed.cards["platform"][:2] == (counts[("platform", "platform")], True)
    # the seeded bed has some: globex allocated 30 of 32 vCPUs, the platform over its RAM quota
    assert counts[("domain", "globex")] >= 1 and counts[("platform", "platform")] >= 1
    assert "above 80\u00a0%" in browser["dom"] or "above 80&nbsp;%" in browser["dom"]
    # cards that call for action come before the calm ones, and each is a link on the page
    hot = [card[1] for card in parsed.cards.values()]
    assert hot == sorted(hot, reverse=True)
    assert all(parsed.ids.get(card[3][1:]) == 1 for card in parsed.cards.values())


def test_oversubscription_follows_the_departments_quotas(report, browser):
    """acme and globex are listed: their quotas added up against the platform's, as a lower bound
    (the seeded bed: 72 + 32 vCPUs against 72)."""
    parsed = browser["parsed"]
    expected = report["oversubscription"]
    problems = []
    for ident, want in expected.items():
        if ident not in parsed.rows:  # a row of zeros, left out
            assert report["expected"][ident]["on_page"] == "no", ident
            continue
        row = parsed.rows[ident]
        scale = divisor(ident[3], (report["expected"][ident]["quota"],
                                   report["expected"][ident]["allocated"],
                                   report["expected"][ident]["used"]))
        shown = row["cells"].get("Listed departments", "").strip()
        wanted = "unlimited" if want["total"] is None else shown_number(want["total"], scale)
        if not shown.startswith(wanted):
            problems.append("%s: departments' quotas shown %r, API %r" % (ident, shown, wanted))
        if ("oversubscribed" in row["head"]) != want["over"]:
            problems.append("%s: oversubscribed mark does not match %r" % (ident, want))
    assert not problems, "\n".join(problems[:40])
    over = sum(1 for want in expected.values() if want["over"])
    assert parsed.cards["oversubscription"][:3] == (over, over > 0, "listed")
    assert expected[row_id("RegionOne", "platform", "platform", "cores")]["over"]
    dom = re.sub(r"\s+", " ", browser["dom"])
    assert "the sum covers only the 2 listed departments: a lower bound" in dom
    for row in csv_rows(report["csv"]):
        ident = row_id(row["region"], row["scope"], row["name"], row["item"])
        if row["scope"] != "platform":
            assert row["oversubscribed"] == row["departments_quota"] == row["departments_cover"] == ""
            continue
        assert row["oversubscribed"] == ("yes" if expected[ident]["over"] else "no"), ident
        assert row["departments_cover"] == "listed", ident


def test_page_is_self_contained_and_quiet(browser):
    parsed = browser["parsed"]
    assert not parsed.tags & {"link", "img", "iframe", "object", "embed"}, parsed.tags
    # one script, inline (no src), allowed by its hash and nothing else
    assert parsed.scripts == [{}]
    assert "default-src 'none'" in parsed.policy and "script-src 'sha256-" in parsed.policy
    external = [ref for ref in parsed.references if not ref[2].startswith("#")]
    assert not external, external
    # every id once; every link on the page lands on exactly one of them
    assert [ident for ident, count in parsed.ids.items() if count > 1] == []
    dangling = [ref for ref in parsed.references
                if ref[2].startswith("#") and parsed.ids.get(ref[2][1:]) != 1]
    assert not dangling, dangling
    assert len([ref for ref in parsed.references if ref[2].startswith("#")]) > 1
    assert not re.search(r"@import|url\(", browser["dom"], re.I)
    console = [line for line in browser["log"].splitlines()
               if "CONSOLE" in line or "Uncaught" in line or "net::ERR" in line
               or "Content Security Policy" in line]
    assert not console, console


def csv_rows(path):
    """The CSV's rows as dicts by column, read as a spreadsheet would (RFC 4180)."""
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_csv_has_the_same_numbers(report):
    rows = {}
    for row in csv_rows(report["csv"]):
        rows[row_id(row["region"], row["scope"], row["name"], row["item"])] = row
    assert set(rows) == set(report["expected"])
    for ident, want in report["expected"].items():
        row = rows[ident]
        if want["quota"] == -1:
            assert row["quota"] == "unlimited", ident
        else:  # a number, equal to the API's (not merely "whatever the CSV says")
            assert row["quota"] != "unlimited" and float(row["quota"]) == float(want["quota"]), ident
            # whole numbers as whole numbers: 31146, not 31146.0
            assert (row["quota"].isdigit()) == (want["quota"] == int(want["quota"])), ident
        for key in ("allocated", "used", "percent_allocated", "percent_used"):
            if want[key] is None:
                assert row[key] == "", (ident, key)
            else:
                assert abs(float(row[key]) - float(want[key])) < 1e-6, (ident, key, row[key])
        assert row["above_threshold"] == ("yes" if want["marked"] else "no"), ident


def test_screenshot_shows_the_report(browser):
    header = browser["screenshot"].read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", header[16:24]) == (1280, 1600)
    width, height, pixels = read_png(browser["small"])
    colours = {}
    for row in pixels:
        for pixel in row:
            colours[pixel] = colours.get(pixel, 0) + 1

    def near(target, tolerance=24):
        return sum(count for colour, count in colours.items()
                   if all(abs(a - b) <= tolerance for a, b in zip(colour, target)))

    area = width * height
    assert near((15, 23, 42)) > area * 0.02, "no dark header"          # #0f172a
    assert near((200, 30, 30), 40) > 20, "no red mark"                 # #c81e1e: marks, hot bars
    assert near((147, 197, 253), 30) > 5, "no bars"                    # #93c5fd: bars
    assert len(colours) > 50, "a blank or nearly blank page"


# -- the fleet page at 1,000 departments --------------------------------------------------------

FLEET = 1000
PAINT_BUDGET = 2.0
SIZE_BUDGET = 5 * 1000 * 1000


def fleet_usage(count):
    """eos_domain_usage_info's ``domains`` for ``count`` departments shaped like the bed's (two
    regions, ~40 items each), every 7th with its vCPUs above 80 %, every 50th over quota."""
    items = ["instances", "cores", "ram", "backup_gigabytes", "backups", "network", "subnet",
             "floatingip", "router", "security_group", "security_group_rule", "port",
             "loadbalancer", "volumes_hdd", "volumes_ssd", "gigabytes_hdd", "gigabytes_ssd",
             "snapshots_hdd", "snapshots_ssd"]
    domains = []
    for index in range(count):
        summary = {}
        for region in ("RegionOne", "RegionTwo"):
            summary[region] = {}
            for position, item in enumerate(items):
                quota = 20 + position
                allocated = (index + position) % (quota // 2)  # below 50 %
                if item == "cores" and index % 7 == 0:
                    allocated = quota - 1
                if item == "cores" and index % 50 == 0:
                    allocated = quota + 5
                summary[region][item] = {
                    "quota": quota, "unlimited": False, "limit": -1, "allocated": allocated,
                    "used": None, "free": quota - allocated,
                    "percent_allocated": round(100.0 * allocated / quota, 1), "percent_used": None}
            for item in ("cpu", "pods"):
                summary[region][item] = {"quota": -1, "unlimited": True, "limit": -1,
                                         "allocated": 0, "used": None, "free": None,
                                         "percent_allocated": None, "percent_used": None}
        domains.append({"domain": {"id": "%032x" % (index + 1), "name": "dept-%04d" % index},
                        "summary": summary})
    return domains


@pytest.fixture(scope="module")
def fleet(collections, tmp_path_factory):
    """A 1,000-department page written by the collection's own code (report.build, then
    report_files.write_report as the module does), and a one-department page to compare."""
    work = tmp_path_factory.mktemp("fleet")
    script = work / "write.py"
    script.write_text(
        "import json, sys\n"
        "from ansible_collections.easystack.eos.plugins.plugin_utils.report import build\n"
        "from ansible_collections.easystack.eos.plugins.plugin_utils.report_files import write_report\n"
        "domains = json.load(open(sys.argv[1]))\n"
        "for name, chosen in (('fleet', domains), ('one', domains[:1])):\n"
        "    write_report(build(None, chosen), sys.argv[2], name, 0o644, 'Fleet')\n")
    data = work / "domains.json"
    data.write_text(json.dumps(fleet_usage(FLEET)))
    env = dict(os.environ, PYTHONPATH=str(collections))
    subprocess.run([sys.executable, str(script), str(data), str(work)], env=env, check=True,
                   timeout=120)
    return {"page": work / "fleet.html", "one": work / "one.html", "work": work}


def dump_dom(url, profile, extra=()):
    """Chromium's DOM of ``url`` after its script ran, and the seconds it took."""
    flags = [chromium_binary()] + CHROMIUM_FLAGS + ["--user-data-dir=%s" % profile] + list(extra)
    started = time.monotonic()
    run = subprocess.run(flags + ["--dump-dom", url], capture_output=True, text=True, timeout=120,
                         check=False)
    seconds = time.monotonic() - started
    assert run.returncode == 0 and "</html>" in run.stdout, run.stderr[-3000:]
    return run.stdout, seconds, run.stderr


def details_of(dom):
    """``{name: attributes}`` of the department details in a DOM."""
    found = {}
    for match in re.finditer(r"<details ([^>]*)>", dom):
        attrs = dict(re.findall(r'([\w-]+)(?:="([^"]*)")?', match.group(1)))
        if "department" in attrs.get("class", ""):
            found[html.unescape(attrs["data-name"])] = attrs
    return found


def test_the_fleet_page_is_small_and_paints_in_time(fleet, tmp_path):
    size = fleet["page"].stat().st_size
    assert size <= SIZE_BUDGET, "the page of %d departments is %d bytes" % (FLEET, size)
    # first paint: Chromium's whole load of the big page (parse, style, layout, script, paint
    # of the first screen) beyond its load of a one-department page, best of three
    profile = tmp_path / "profile"
    big = min(dump_dom(fleet["page"].as_uri(), profile)[1] for dummy in range(3))
    small = min(dump_dom(fleet["one"].as_uri(), profile)[1] for dummy in range(3))
    print("fleet page: %d bytes, %.2f s beyond a one-department page (%.2f s vs %.2f s)"
          % (size, big - small, big, small))
    assert big - small < PAINT_BUDGET, (big, small)


def test_the_fleet_page_opens_collapsed_and_every_link_lands(fleet, tmp_path):
    dom, dummy, log = dump_dom(fleet["page"].as_uri(), tmp_path / "profile")
    departments = details_of(dom)
    assert len(departments) == FLEET
    assert not [name for name, attrs in departments.items() if "open" in attrs or "hidden" in attrs]
    parsed = ReportDom()
    parsed.feed(dom)
    assert [ident for ident, count in parsed.ids.items() if count > 1] == []
    links = [ref[2] for ref in parsed.references if ref[2].startswith("#")]
    assert links and all(parsed.ids.get(link[1:]) == 1 for link in links)
    # "needs action" links every department above the threshold (every 7th, the over-quota
    # every 50th among them first), each to its own details
    section = dom[dom.index('id="needs-action"'):dom.index('id="departments"')]
    named = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a>', section)
    wanted = sorted("dept-%04d" % index for index in range(FLEET) if index % 7 == 0 or index % 50 == 0)
    assert sorted(name for dummy, name in named) == wanted
    assert [name for dummy, name in named][:3] == ["dept-0000", "dept-0050", "dept-0100"]
    for anchor, name in named:
        assert departments[name]["id"] == anchor
    assert "CONSOLE" not in log and "Content Security Policy" not in log


def test_the_filter_hides_the_other_departments(fleet, tmp_path):
    dom, dummy, log = dump_dom(fleet["page"].as_uri() + "?filter=DEPT-012", tmp_path / "profile")
    departments = details_of(dom)
    shown = sorted(name for name, attrs in departments.items() if "hidden" not in attrs)
    assert shown == ["dept-%04d" % index for index in range(120, 130)]
    assert re.search(r'<span id="filter-count">10 of 1000 departments</span>', dom)
    assert "CONSOLE" not in log


def test_a_link_to_a_department_opens_it(fleet, tmp_path):
    anchor = details_of(fleet["page"].read_text(encoding="utf-8"))["dept-0777"]["id"]
    dom, dummy, log = dump_dom(fleet["page"].as_uri() + "#" + anchor, tmp_path / "profile")
    opened = [name for name, attrs in details_of(dom).items() if "open" in attrs]
    assert opened == ["dept-0777"]
