# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""report_html: the fleet page, read back with an HTML parser as a browser would read it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import hashlib
import html.parser
import re

from ansible_collections.easystack.eos.plugins.plugin_utils.report import build
from ansible_collections.easystack.eos.plugins.plugin_utils.report_html import (
    SCRIPT, number, render, row_unit)


def item(quota, allocated=0, used=None):
    unlimited = quota == -1
    percent = None if unlimited or quota <= 0 else round(100.0 * allocated / quota, 1)
    return {"quota": quota, "unlimited": unlimited, "allocated": allocated, "used": used,
            "free": None if unlimited else quota - allocated, "percent_allocated": percent,
            "percent_used": None}


def department(ident, name, **items):
    return {"domain": {"id": ident, "name": name}, "summary": {"RegionOne": items}}


PLATFORM = {"RegionOne": {"cores": item(100, 90, 50), "ram": item(1024 * 1024, 10240, 0),
                          "gigabytes": item(40960, 100, 0), "pods": item(-1, 0, 0)}}
DOMAINS = [
    department("1", "calm", cores=item(10, 1), ram=item(51200, 1024), pods=item(-1),
               network=item(0), gpu=item(-1, 2)),
    department("2", "<script>alert(1)</script>", cores=item(10, 9)),
    department("3", "over", cores=item(10, 12), network=item(0, 1)),
]


class Page(html.parser.HTMLParser):
    """Ids, links, scripts, department details and their rows."""

    def __init__(self):
        super(Page, self).__init__(convert_charrefs=True)
        self.ids, self.links, self.scripts, self.details = {}, [], [], []
        self.rows, self.unused, self.meta = [], [], {}
        self._in_script = False
        self._region = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids[attrs["id"]] = self.ids.get(attrs["id"], 0) + 1
        if tag == "a":
            self.links.append(attrs["href"])
        if tag == "script":
            self._in_script = True
            self.scripts.append("")
        if tag == "meta" and attrs.get("http-equiv"):
            self.meta[attrs["http-equiv"]] = attrs["content"]
        if tag == "details" and "department" in attrs.get("class", ""):
            self.details.append(attrs)
        if tag == "table":
            self._region = attrs.get("data-region")
        if tag == "tr" and attrs.get("data-item"):
            where = self.details[-1]["data-name"] if self.details else "platform"
            self.rows.append((where, self._region, attrs["data-item"]))
        if tag == "span" and attrs.get("data-item"):
            self.unused.append((self.details[-1]["data-name"], attrs["data-item"]))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def page_of(zero_rows=False, domains=None, platform="default"):
    platform = PLATFORM if platform == "default" else platform
    report = build(platform, DOMAINS if domains is None else domains, threshold=80)
    text = render(report, "Quotas <b>", "2026-12-06 10:00 UTC", "f" * 40, "q.csv", zero_rows)
    parsed = Page()
    parsed.feed(text)
    return text, parsed


def test_server_text_is_escaped_and_the_one_script_is_pinned_by_its_hash():
    text, page = page_of()
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;alert(1)" in text
    assert "Quotas &lt;b&gt;" in text
    assert page.scripts == [SCRIPT]
    digest = base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode("ascii")
    policy = page.meta["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'sha256-%s'" % digest in policy
    assert not re.search(r"\b(src|srcset|action)=", text)


def test_every_link_lands_on_one_id_and_needs_action_lists_over_quota_first():
    text, page = page_of()
    assert [ident for ident, count in page.ids.items() if count > 1] == []
    assert all(link.startswith("#") and page.ids.get(link[1:]) == 1 for link in page.links)
    section = text[text.index('Departments: 2 departments with an item above'):text.index('id="platform"')]
    departments = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a>', section)
    names = [name for dummy, name in departments if name in ("over", "&lt;script&gt;alert(1)&lt;/script&gt;")]
    assert names == ["over", "&lt;script&gt;alert(1)&lt;/script&gt;"]
    ids = dict((attrs["data-name"], attrs["id"]) for attrs in page.details)
    linked = [anchor for anchor, dummy in departments]
    assert ids["over"] in linked and ids["calm"] not in linked


def test_rows_of_zeros_are_left_out_unless_asked_and_unused_unlimited_items_share_a_line():
    dummy, page = page_of()
    calm = [row[2] for row in page.rows if row[0] == "calm"]
    # network: quota 0, nothing allocated; pods: unlimited, nothing allocated
    assert calm == ["cores", "ram", "gpu"]
    assert page.unused == [("calm", "pods")]
    # quota 0 with something allocated is no row of zeros: over quota, shown
    assert ("over", "RegionOne", "network") in page.rows
    dummy, page = page_of(zero_rows=True)
    assert [row[2] for row in page.rows if row[0] == "calm"] == ["cores", "ram", "network", "gpu"]


def test_departments_are_collapsed_and_named_for_the_filter():
    dummy, page = page_of()
    assert [attrs["data-name"] for attrs in page.details] == ["calm", "<script>alert(1)</script>", "over"]
    assert not any("open" in attrs for attrs in page.details)
    assert [attrs["data-above"] for attrs in page.details] == ["0", "1", "2"]


def test_units_read_as_people_count():
    rows = build(PLATFORM, [], threshold=80)["rows"]
    by_item = dict((row["item"], row) for row in rows)
    assert row_unit(by_item["cores"]) == ("vCPU", 1.0)
    assert row_unit(by_item["ram"]) == ("GiB", 1024.0)          # 1 TiB of RAM, as GiB
    assert row_unit(by_item["gigabytes"]) == ("TiB", 1024.0)    # 40 TiB of volumes
    text, dummy = page_of()
    assert "RAM <small>GiB</small><mark>" not in text
    # platform rows: quota, the departments' quotas added up, allocated, used, free
    assert re.search(r'data-item="ram"><th>RAM <small>GiB</small><td>1,024<td>50<td>10<td>0<td>1,014<', text)
    assert re.search(r'data-item="gigabytes"><th>Volume capacity <small>TiB</small><td>40<td>\u2014<td>0.1<td>', text)
    assert number(31146.0) == "31,146" and number(156.5) == "156.5" and number(None) == "\u2014"


def test_a_thousand_departments_stay_small():
    domains = [department("%032x" % index, "dept-%d" % index,
                          **dict(("item%d" % n, item(100, n)) for n in range(40)))
               for index in range(1000)]
    text, page = page_of(domains=domains, platform=None)
    assert len(page.details) == 1000 and len(page.rows) >= 40000
    assert len(text.encode("utf-8")) < 5 * 1000 * 1000


def test_items_the_platform_does_not_offer_are_listed_and_marked():
    # PLATFORM has no "network" and no "gpu": calm's and over's quotas of them are not offered
    text, page = page_of()
    section = text[text.index('id="inconsistencies"'):text.index("</div>", text.index('id="inconsistencies"'))]
    assert "Not offered: 3 quotas" in section
    assert re.search(r'<a href="#[^"]+">calm</a>: RegionOne gpu, RegionOne network</li>', section)
    assert 'data-item="gpu"><th>GPUs<mark>not offered</mark>' in text
