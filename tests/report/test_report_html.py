"""The quota report of easystack.eos.quota_report, rendered by a real headless Chromium.

The role runs (ansible-playbook in a subprocess) against the test bed for the platform and the
seeded departments acme and globex. Chromium then renders the page: its DOM must carry the
numbers the bed's API gives (read here straight from the API, not through the collection), the
marks must follow the threshold, the page must hold no script and load nothing, the console must
stay quiet, and the screenshot (tests/output/report/report.png) must show the report's colours.

Chromium is Debian's ``chromium`` package (``apt-get install -y chromium``), or EOS_CHROMIUM.
"""
import csv
import html.parser
import os
import re
import shutil
import struct
import subprocess
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
                rows[row_id(region, scope, name, item)] = {
                    "scope": scope, "name": name, "region": region, "item": item,
                    "quota": quota, "allocated": alloc, "used": use, "marked": marked,
                    "percent_allocated": percent(alloc, quota),
                    "percent_used": percent(use, quota),
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
    """The parts of the rendered DOM the test reads: item rows and their cells, cards, tags."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows = {}
        self.ids = {}
        self.cards = {}
        self.oversubscribed = None
        self.tags = set()
        self.references = []
        self._row = None
        self._cell = None
        self._section = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.add(tag)
        if attrs.get("id"):
            self.ids[attrs["id"]] = self.ids.get(attrs["id"], 0) + 1
        for key in ("src", "href", "srcset", "action", "data"):
            if attrs.get(key):
                self.references.append((tag, key, attrs[key]))
        if tag == "section":
            self._section = attrs
        elif tag == "tr" and attrs.get("data-item"):
            self._row = {"attrs": attrs, "cells": {}, "classes": (attrs.get("class") or "").split()}
            key = row_id(self._section["data-region"], self._section["data-scope"],
                         self._section["data-name"], attrs["data-item"])
            assert key not in self.rows, "two rows of %r" % (key,)
            self.rows[key] = self._row
        elif tag == "td" and self._row is not None:
            self._cell = (attrs.get("class") or "").split()
            self._row["cells"][" ".join(self._cell)] = ""
        elif tag == "div" and "card" in (attrs.get("class") or "").split():
            if attrs["data-scope"] == "oversubscription":
                self.oversubscribed = (attrs["data-name"], int(attrs["data-oversubscribed"]))
            else:
                self.cards[(attrs["data-scope"], attrs["data-name"])] = int(attrs["data-above"])

    def handle_endtag(self, tag):
        if tag == "section":
            self._section = None
        elif tag == "tr":
            self._row = None
        elif tag == "td":
            self._cell = None

    def handle_data(self, data):
        if self._row is not None and self._cell is not None:
            self._row["cells"][" ".join(self._cell)] += data


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
    return {"html": OUTPUT / "eos-quota-report.html", "csv": OUTPUT / "eos-quota-report.csv",
            "expected": expected_rows(api), "oversubscription": expected_oversubscription(api),
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
    rows = browser["parsed"].rows
    expected = report["expected"]
    assert set(rows) == set(expected), "rows differ: missing %s, extra %s" % (
        sorted(set(expected) - set(rows))[:10], sorted(set(rows) - set(expected))[:10])
    problems = []
    for ident, want in expected.items():
        row = rows[ident]
        cells = {key.split()[0]: text.strip() for key, text in row["cells"].items()}
        shown = {
            "quota": "unlimited" if want["quota"] == -1 else number(want["quota"]),
            "allocated": "\u2014" if want["allocated"] is None else number(want["allocated"]),
            "free": ("unlimited" if want["quota"] == -1 else "\u2014" if want["allocated"] is None
                     else number(want["quota"] - want["allocated"])),
        }
        pct_cells = [text.strip() for key, text in row["cells"].items() if key.startswith("pct")]
        shown_pct = ["\u2014" if p is None else "%.1f\u00a0%%" % p
                     for p in (want["percent_allocated"], want["percent_used"])]
        if want["scope"] == "platform":
            shown["used"] = "\u2014" if want["used"] is None else number(want["used"])
        else:
            shown_pct = shown_pct[:1]
            if "used" in cells:
                problems.append("%s: a department's table has a Used column" % ident)
        for key, text in shown.items():
            if cells.get(key) != text:
                problems.append("%s %s: page %r, API %r" % (ident, key, cells.get(key), text))
        if pct_cells != shown_pct:
            problems.append("%s percent: page %r, API %r" % (ident, pct_cells, shown_pct))
        if float(row["attrs"]["data-quota"]) != float(want["quota"]):
            problems.append("%s data-quota %s, API %s" % (ident, row["attrs"]["data-quota"], want["quota"]))
    assert not problems, "\n".join(problems[:40])


def test_unlimited_items_have_no_bar_and_others_do(report, browser):
    dom = browser["dom"]
    for ident, want in report["expected"].items():
        html_id = browser["parsed"].rows[ident]["attrs"]["id"]
        match = re.search(r'<tr id="%s".*?</tr>' % re.escape(html_id), dom, re.S)
        assert match, ident
        has_bar = re.search(r'class="bar( solo)?"', match.group(0)) is not None
        assert has_bar == (want["quota"] != -1), ident
        if want["quota"] != -1 and want["percent_allocated"] is not None:
            width = min(max(want["percent_allocated"], 0), 100)
            assert 'class="alloc" style="width: %.1f%%"' % width in match.group(0), ident


def test_marks_follow_the_threshold(report, browser):
    parsed = browser["parsed"]
    for ident, want in report["expected"].items():
        assert ("hot" in parsed.rows[ident]["classes"]) == want["marked"], ident
    counts = {}
    for want in report["expected"].values():
        key = (want["scope"], want["name"])
        counts[key] = counts.get(key, 0) + int(want["marked"])
    assert parsed.cards == counts
    # the seeded bed has some: globex allocated 30 of 32 vCPUs, the platform over its RAM quota
    assert parsed.cards[("domain", "globex")] >= 1 and parsed.cards[("platform", "platform")] >= 1
    assert "Above 80\u00a0%" in browser["dom"] or "Above 80&nbsp;%" in browser["dom"]


def test_oversubscription_follows_the_departments_quotas(report, browser):
    """acme and globex are listed: their quotas added up against the platform's, as a lower bound
    (the seeded bed: 72 + 32 vCPUs against 72)."""
    parsed = browser["parsed"]
    expected = report["oversubscription"]
    problems = []
    for ident, want in expected.items():
        row = parsed.rows[ident]
        if row["attrs"].get("data-oversubscribed") != ("true" if want["over"] else "false"):
            problems.append("%s: data-oversubscribed %r, API %r" % (
                ident, row["attrs"].get("data-oversubscribed"), want))
        shown = row["cells"].get("subscribed over" if want["over"] else "subscribed", "").strip()
        wanted = "unlimited" if want["total"] is None else number(want["total"])
        if not shown.startswith(wanted):
            problems.append("%s: departments' quotas shown %r, API %r" % (ident, shown, wanted))
        if ("oversubscribed" in row["cells"].get("item", "")) != want["over"]:
            problems.append("%s: oversubscribed badge does not match %r" % (ident, want))
    assert not problems, "\n".join(problems[:40])
    over = sum(1 for want in expected.values() if want["over"])
    assert parsed.oversubscribed == ("listed", over)
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
    assert not parsed.tags & {"script", "link", "img", "iframe", "object", "embed"}, parsed.tags
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
               if "CONSOLE" in line or "Uncaught" in line or "net::ERR" in line]
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
    assert near((200, 30, 30), 40) > 20, "no red mark"                 # #c81e1e: flags, hot bars
    assert near((29, 78, 216), 40) > 5, "no bars"                      # #1d4ed8: bars
    assert len(colours) > 50, "a blank or nearly blank page"
