# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal to easystack.eos, not a public API: no compatibility promise (docs/development.md).
"""The quota report's HTML page, written in Python (the fleet page).

It only renders what :func:`report.build` decided (every mark, count and sum): no rule lives here.
Plain string building with ``html.escape`` on every server text, because the page of 1,000
departments has ~40,000 rows and Ansible's templating took minutes over them (issue 19).

The page, for a person who has seconds:

- cards that are links: departments that need action, over quota, oversubscribed items, the
  platform, all departments;
- "Needs action" first: oversubscribed items (each a link to its platform row), then each
  department above the threshold (a link to it) with its worst items in words;
- the platform's tables, open;
- every department as a ``<details>`` (collapsed until opened, so the page paints at once), its
  summary line the index entry, filtered by name from a search box (``?filter=`` in the URL
  fills it); one row per item with a quota or use (rows of zeros only when asked), unlimited items
  with nothing allocated named on one line;
- numbers with units (vCPU, GiB, TiB), ``unlimited`` spelled out.

The one inline script (filter, open the department a link lands on) is pinned by its SHA-256 in
the page's Content-Security-Policy, which allows nothing else: no other script, no request.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import Any, Dict, List, Tuple

import base64
import hashlib
import html

from ansible_collections.easystack.eos.plugins.module_utils.quota_checks import is_number
from ansible_collections.easystack.eos.plugins.plugin_utils.report import COUNT_UNITS, Row

# What a unit is shown as, and how a value is scaled into it: MiB read as GiB; GiB as TiB from
# 10 TiB on. A row's numbers all use the unit its largest number calls for.
GIB_PER_TIB = 1024
TIB_FROM = 10 * GIB_PER_TIB
# A list of oversubscribed items longer than this is folded.
FOLD_FROM = 8

SCRIPT = """(function () {
  var box = document.getElementById('filter'), count = document.getElementById('filter-count');
  var all = document.querySelectorAll('details.department');
  function apply() {
    var words = box.value.trim().toLowerCase(), shown = 0;
    for (var i = 0; i < all.length; i++) {
      var hit = !words || all[i].getAttribute('data-name').toLowerCase().indexOf(words) >= 0;
      all[i].hidden = !hit;
      shown += hit ? 1 : 0;
    }
    count.textContent = words ? shown + ' of ' + all.length + ' departments' : '';
  }
  function reveal() {
    var target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    var holder = target && target.closest('details');
    if (holder) { holder.hidden = false; holder.open = true; target.scrollIntoView(); }
  }
  box.addEventListener('input', apply);
  window.addEventListener('hashchange', reveal);
  var asked = new URLSearchParams(location.search).get('filter');
  if (asked) { box.value = asked; }
  apply();
  reveal();
})();"""
SCRIPT_HASH = base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode("ascii")
POLICY = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-%s'; "
          "base-uri 'none'; form-action 'none'" % SCRIPT_HASH)

STYLE = """
:root{--ink:#1f2937;--muted:#64748b;--line:#e2e8f0;--page:#f4f6fa;--card:#fff;--alloc:#93c5fd;
--used:#1d4ed8;--hot:#c81e1e;--hot-soft:#fca5a5;--hot-bg:#fff1f1;--calm:#15803d}
*{box-sizing:border-box}
body{margin:0;background:var(--page);color:var(--ink);
font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
header{background:#0f172a;color:#f8fafc;padding:22px 32px 20px}
header h1{margin:0;font-size:22px;font-weight:650}
header p{margin:6px 0 0;color:#cbd5e1}
main{max-width:1200px;margin:0 auto;padding:24px 32px 40px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:0 0 20px}
.card{display:block;background:var(--card);border:1px solid var(--line);border-radius:10px;
padding:12px 16px;min-width:190px;color:inherit;text-decoration:none}
.card:hover{border-color:#94a3b8}
.card .what{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.05em}
.card .n{font-size:26px;font-weight:700;line-height:1.2}
.card .sub{color:var(--muted);font-size:12px}
.card.hot{border-color:var(--hot-soft);background:var(--hot-bg)}
.card.hot .n{color:var(--hot)}
.card.calm .n{color:var(--calm)}
h2{font-size:19px;margin:30px 0 12px;padding-bottom:6px;border-bottom:2px solid #cbd5e1}
.attention{background:var(--hot-bg);border:1px solid var(--hot-soft);border-radius:10px;
padding:12px 18px;margin:0 0 16px}
.attention h3{margin:0 0 6px;font-size:15px;color:var(--hot)}
.attention ul{margin:0;padding-left:18px}
.attention ul.columns{columns:2;column-gap:32px}
details.attention>summary{cursor:pointer}
details.attention>summary h3{display:inline}
.attention li{margin:3px 0}
.attention a{color:inherit;font-weight:600}
.allclear{background:#f0fdf4;border:1px solid #bbf7d0;color:var(--calm);border-radius:10px;
padding:12px 18px;margin:0 0 16px;font-weight:600}
.box{background:var(--card);border:1px solid var(--line);border-radius:10px;margin:0 0 14px;
overflow-x:auto}
.box>h3{margin:0;padding:10px 16px;font-size:15px;border-bottom:1px solid var(--line)}
.box>h3 small,.note{font-weight:400;color:var(--muted);font-size:12px}
table{width:100%;border-collapse:collapse}
th,td{padding:5px 10px;text-align:right;border-bottom:1px solid #eef2f7;white-space:nowrap;
font-variant-numeric:tabular-nums}
thead th{font-size:11px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);
font-weight:600;background:#f8fafc}
thead th:first-child,tbody th{text-align:left;font-weight:500}
tbody th{white-space:normal;min-width:200px}
tbody th small{color:var(--muted);font-weight:400;margin-left:4px}
tr.h td,tr.h th{background-color:var(--hot-bg)}
td.o{color:var(--hot);font-weight:700}
td[style]{background:linear-gradient(var(--alloc),var(--alloc)) no-repeat
0 88%/var(--w) 4px}
tr.h td[style]{background-image:linear-gradient(var(--hot),var(--hot))}
mark{margin-left:8px;background:none;color:var(--hot);font-size:11px;font-weight:700}
.unl{color:var(--muted);font-style:italic}
.flag{display:inline-block;margin-left:8px;background:var(--hot);color:#fff;border-radius:9px;
padding:0 8px;font-size:11px;font-weight:700;line-height:18px}
p.unused{margin:6px 16px 10px;color:var(--muted);font-size:12px}
#filter{font:inherit;padding:6px 10px;width:320px;border:1px solid #cbd5e1;border-radius:8px}
#filter-count{margin-left:12px;color:var(--muted)}
details.department{background:var(--card);border:1px solid var(--line);border-radius:8px;
margin:0 0 6px}
details.department>summary{cursor:pointer;padding:7px 14px;display:flex;gap:14px;
align-items:baseline}
details.department>summary b{min-width:220px}
details.department[open]>summary{border-bottom:1px solid var(--line)}
details.department h4{margin:10px 16px 4px;font-size:13px;color:#334155}
.legend{color:var(--muted);font-size:12px;margin:28px 0 0;line-height:1.9}
@media print{body{background:#fff}header{background:none;color:#000;padding:0 0 8px}
main{padding:0;max-width:none}#find{display:none}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"""


def esc(value: Any) -> str:
    """Any server text, escaped for HTML text and attribute values."""
    return html.escape("%s" % ("" if value is None else value), quote=True)


def number(value: Any) -> str:
    """Thousands separators, at most two decimals; an em dash for no value."""
    if not is_number(value):
        return "\u2014"
    if value == int(value):
        return "{:,}".format(int(value))
    return "{:,}".format(round(value, 2))


def percent(value: Any) -> str:
    return "\u2014" if not is_number(value) else "%.1f\u00a0%%" % value


def row_unit(row: Row) -> Tuple[str, float]:
    """``(unit shown, divisor)`` of a row: MiB (RAM) as GiB, capacities in GiB as TiB from
    10 TiB on, the unit of counts (vCPU for cores, none for the others)."""
    unit = row.get("unit") or ""
    numbers = [abs(row[key]) for key in ("quota", "allocated", "used")
               if is_number(row.get(key)) and not (key == "quota" and row.get("unlimited"))]
    largest = max(numbers) if numbers else 0
    if unit == "MiB":
        return "GiB", 1024.0
    if unit == "GiB" and largest >= TIB_FROM:
        return "TiB", float(GIB_PER_TIB)
    return unit or COUNT_UNITS.get(row["item"], ""), 1.0


def amount(value: Any, divisor: float) -> str:
    if not is_number(value):
        return "\u2014"
    return number(value / divisor if divisor != 1.0 else value)


def plural(count: int, word: str) -> str:
    return "%d %s%s" % (count, word, "" if count == 1 else "s")


class Page:
    """One report's page; :meth:`render` returns its text."""

    def __init__(self, report: Dict[str, Any], title: str, generated: str, fingerprint: str,
                 csv_name: str, zero_rows: bool = False) -> None:
        self.report = report
        self.summary = report["summary"]
        self.threshold = self.summary["threshold"]
        self.threshold_text = "%g\u00a0%%" % self.threshold
        self.title, self.generated, self.fingerprint = title, generated, fingerprint
        self.csv_name, self.zero_rows = csv_name, zero_rows
        self.oversub = self.summary["oversubscription"]
        self.who = ("departments'" if self.oversub["cover"] == "all"
                    else "listed departments'")
        self.platform_rows: List[Row] = []
        self.departments: List[Tuple[Row, List[Row]]] = []
        self._group()
        self.out: List[str] = []

    def _group(self) -> None:
        """Rows by scope, in the report's order (platform first, departments as given)."""
        index: Dict[Tuple[Any, Any], List[Row]] = {}
        for scope in self.report["scopes"]:
            rows: List[Row] = []
            index[(scope["scope"], scope["domain_id"] or scope["name"])] = rows
            if scope["scope"] == "platform":
                self.platform_rows = rows
            else:
                self.departments.append((scope, rows))
        for row in self.report["rows"]:
            index[(row["scope"], row["domain_id"] or row["name"])].append(row)

    # -- pieces -------------------------------------------------------------------------------

    def w(self, *parts: str) -> None:
        self.out.extend(parts)

    def head(self) -> None:
        self.w("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
               "<meta http-equiv=\"Content-Security-Policy\" content=\"%s\">\n" % POLICY,
               "<meta name=\"eos-quota-report-fingerprint\" content=\"%s\">\n" % esc(self.fingerprint),
               "<meta name=\"eos-quota-report-generated\" content=\"%s\">\n" % esc(self.generated),
               "<title>%s &middot; %s</title>\n<style>%s</style>\n</head>\n<body>\n"
               % (esc(self.title), esc(self.generated), STYLE))
        regions = self.summary["regions"]
        self.w("<header>\n<h1>%s</h1>\n<p>Numbers read %s &middot; %s: %s &middot; marked: more "
               "than %s of the quota &middot; %s</p>\n</header>\n<main>\n"
               % (esc(self.title), esc(self.generated),
                  "region" if len(regions) == 1 else "regions",
                  ", ".join(esc(region) for region in regions), self.threshold_text,
                  plural(len(self.departments), "department")))

    def card(self, href: str, hot: bool, what: str, count: int, sub: str, data: str) -> None:
        self.w("<a class=\"card %s\" href=\"#%s\" %s><div class=\"what\">%s</div>"
               "<div class=\"n\">%d</div><div class=\"sub\">%s</div></a>\n"
               % ("hot" if hot else "calm", href, data, what, count, sub))

    def cards(self, needing: List[Tuple[Row, List[Row]]]) -> None:
        """The cards, those that call for action first; each a link to what it counts."""
        over = [scope for scope, rows in needing if any(row["over_quota"] for row in rows)]
        oversubscribed = self.report["oversubscribed"]
        platform_above = sum(1 for row in self.platform_rows if row["above_threshold"])
        cards = [
            (bool(needing), "needs-action", "Departments needing action", len(needing),
             "of %d, with an item above %s" % (len(self.departments), self.threshold_text),
             "data-scope=\"needs-action\""),
            (bool(over), "needs-action", "Departments over quota", len(over),
             "an item above 100\u00a0% of its quota", "data-scope=\"over-quota\""),
        ]
        if self.oversub["checked"]:
            cards.append((bool(oversubscribed), "oversubscription", "Oversubscribed items",
                          len(oversubscribed), "the %s quotas exceed the platform's%s"
                          % (self.who, "" if self.oversub["cover"] == "all" else " (a lower bound)"),
                          "data-scope=\"oversubscription\" data-name=\"%s\""
                          % esc(self.oversub["cover"])))
        if self.platform_rows:
            cards.append((platform_above > 0, "platform", "Platform items above",
                          platform_above, "above %s of the platform's quota" % self.threshold_text,
                          "data-scope=\"platform\""))
        cards.sort(key=lambda card: not card[0])  # hot first, in their order
        self.w("<nav class=\"cards\">\n")
        for hot, href, what, count, sub, data in cards:
            self.card(href, hot, what, count, sub, data + " data-count=\"%d\"" % count)
        self.card("departments", False, "Departments", len(self.departments),
                  "each collapsed below; filter by name", "data-scope=\"departments\" "
                  "data-count=\"%d\"" % len(self.departments))
        self.w("</nav>\n")

    def item_words(self, row: Row) -> str:
        """``vCPUs 30 of 32 (93.8 %)`` or ``Networks: quota 0, yet 2 allocated``."""
        unit, divisor = row_unit(row)
        unit_text = "\u00a0" + esc(unit) if unit else ""
        if row["peak"] is None:
            taken = row["allocated"] if is_number(row["allocated"]) and row["allocated"] else row["used"]
            return "%s: quota 0, yet %s%s %s" % (esc(row["label"]), amount(taken, divisor), unit_text,
                                                 "allocated" if taken is row["allocated"] else "used")
        which = "used" if (row["percent_used"] or 0) > (row["percent_allocated"] or 0) else "allocated"
        return "%s %s of %s%s %s (%s)" % (
            esc(row["label"]), amount(row[which], divisor), amount(row["quota"], divisor), unit_text,
            which, percent(row["peak"]))

    def needs_action(self, needing: List[Tuple[Row, List[Row]]]) -> None:
        self.w("<section id=\"needs-action\">\n<h2>Needs action</h2>\n")
        oversubscribed = self.report["oversubscribed"]
        platform_hot = [row for row in self.platform_rows if row["above_threshold"]]
        if not (needing or oversubscribed or platform_hot):
            self.w("<div class=\"allclear\">Nothing: every item is at or below %s of its quota%s."
                   "</div>\n" % (self.threshold_text, ", and the %s quotas fit within the "
                                 "platform's" % self.who if self.oversub["checked"] else ""))
        if oversubscribed:
            units = dict(((row["region"], row["item"]), row_unit(row)) for row in self.platform_rows)
            # a long list stays folded (its card has the count), so what follows stays in view
            self.w("<details class=\"attention\" id=\"oversubscription\"%s><summary><h3>"
                   "Oversubscribed: %s <span class=\"note\">the %s quotas add up to more than the "
                   "platform's%s</span></h3></summary>\n<ul class=\"columns\">\n"
                   % (" open" if len(oversubscribed) <= FOLD_FROM else "",
                      plural(len(oversubscribed), "item"), self.who,
                      "" if self.oversub["cover"] == "all" else
                      "; the sum covers only the %s: a lower bound"
                      % plural(self.oversub["departments"], "listed department")))
            for entry in oversubscribed:
                unit, divisor = units.get((entry["region"], entry["item"]), ("", 1.0))
                self.w("<li><a href=\"#%s\">%s &middot; %s</a>: departments %s &gt; platform %s%s</li>\n"
                       % (esc(entry["anchor"]), esc(entry["region"]), esc(entry["label"]),
                          self.departments_quota(entry, divisor),
                          amount(entry["platform_quota"], divisor),
                          "\u00a0" + esc(unit) if unit and unit not in entry["label"] else ""))
            self.w("</ul></details>\n")
        elif self.oversub["checked"]:
            self.w("<div class=\"allclear\" id=\"oversubscription\">The %s quotas fit within the "
                   "platform's%s.</div>\n" % (self.who, "" if self.oversub["cover"] == "all"
                                              else " (only the listed departments were added up)"))
        if platform_hot:
            self.w("<div class=\"attention\"><h3>Platform: %s above %s</h3>\n<ul>\n"
                   % (plural(len(platform_hot), "item"), self.threshold_text))
            for row in platform_hot:
                self.w("<li><a href=\"#%s\">%s</a> %s</li>\n"
                       % (esc(row["anchor"]), esc(row["region"]), self.item_words(row)))
            self.w("</ul></div>\n")
        self.inconsistencies()
        if needing:
            self.w("<div class=\"attention\"><h3>Departments: %s with an item above %s "
                   "<span class=\"note\">over quota first, then by the highest share</span></h3>\n<ul>\n"
                   % (plural(len(needing), "department"), self.threshold_text))
            for scope, rows in needing:
                hot = sorted((row for row in rows if row["above_threshold"]),
                             key=lambda row: (not row["over_quota"], -(row["peak"] or 1e9)))
                words = "; ".join("%s %s" % (esc(row["region"]), self.item_words(row))
                                  for row in hot[:3])
                more = " and %d more" % (len(hot) - 3) if len(hot) > 3 else ""
                self.w("<li><a href=\"#%s\">%s</a>%s: %s%s</li>\n"
                       % (esc(scope["anchor"]), esc(scope["name"]),
                          " <span class=\"flag\">over quota</span>"
                          if any(row["over_quota"] for row in hot) else "", words, more))
            self.w("</ul></div>\n")
        self.w("</section>\n")

    def inconsistencies(self) -> None:
        """Quotas for items the platform does not offer (each department a link): what cannot
        be right, whatever the threshold. Over quota and oversubscription have their lists."""
        unknown: Dict[str, List[Row]] = {}
        for scope, rows in self.departments:
            mine = [row for row in rows if row.get("unknown_item")]
            if mine:
                unknown[scope["anchor"]] = mine
        if not unknown:
            return
        count = sum(len(rows) for rows in unknown.values())
        self.w("<div class=\"attention\" id=\"inconsistencies\"><h3>Not offered: %s "
               "<span class=\"note\">departments' quotas for items the platform view does not "
               "list</span></h3>\n<ul>\n" % plural(count, "quota"))
        for anchor, rows in unknown.items():
            self.w("<li><a href=\"#%s\">%s</a>: %s</li>\n" % (
                esc(anchor), esc(rows[0]["name"]),
                ", ".join("%s %s" % (esc(row["region"]), esc(row["item"])) for row in rows)))
        self.w("</ul></div>\n")

    def departments_quota(self, holder: Row, divisor: float = 1.0) -> str:
        """The departments' quotas added up (in the row's unit): a number, or ``unlimited``
        naming the departments that make it so and what the others add up to."""
        names = holder.get("departments_unlimited") or []
        if not names:
            return amount(holder.get("departments_quota"), divisor)
        shown = ", ".join(esc(name) for name in names[:3])
        more = " and %d more" % (len(names) - 3) if len(names) > 3 else ""
        rest = holder.get("departments_quota")
        return ("<span class=\"unl\">unlimited</span> (in %s%s%s)"
                % (shown, more, "; the others %s" % amount(rest, divisor) if rest else ""))

    def table(self, region: str, rows: List[Row], platform: bool) -> None:
        """One region's table of a scope: one row per item with a quota or use. Cells carry no
        class unless marked (``o``: over the threshold) and end tags are left out where HTML
        allows it: ~40,000 rows must stay a few MB."""
        compared = platform and self.oversub["checked"]
        shown: List[Row] = []
        unused: List[Row] = []
        for row in rows:
            if row["unlimited"] and not platform and not row["allocated"]:
                unused.append(row)
            elif (row["idle"] and not self.zero_rows and not row["used"]
                  and not row.get("oversubscribed")):  # an oversubscribed one is linked to
                continue
            else:
                shown.append(row)
        if shown:
            columns = ["Item", "Quota"]
            columns += [("Departments" if self.oversub["cover"] == "all"
                         else "Listed departments")] if compared else []
            columns += ["Allocated"] + (["Used"] if platform else []) + ["Free", "% allocated"]
            columns += ["% used"] if platform else []
            self.w("<table data-region=\"%s\"><thead><tr><th>%s</thead><tbody>\n"
                   % (esc(region), "<th>".join(columns)))
            for row in shown:
                self.row(row, platform, compared)
            self.w("</tbody></table>\n")
        if unused:
            names = ", ".join("<span data-item=\"%s\">%s</span>" % (esc(row["item"]), esc(row["label"]))
                              for row in unused)
            self.w("<p class=\"unused\" data-region=\"%s\">Unlimited, nothing allocated: %s</p>\n"
                   % (esc(region), names))

    def row(self, row: Row, platform: bool, compared: bool) -> None:
        unit, divisor = row_unit(row)
        flags = ""
        if row["over_quota"]:
            flags = "<span class=\"flag\">over quota</span>"
        elif row["above_threshold"]:
            flags = "<mark>above %s</mark>" % self.threshold_text
        if row.get("oversubscribed"):
            flags += "<mark>oversubscribed</mark>"
        if row.get("unknown_item"):
            flags += "<mark>not offered</mark>"
        unlimited = "<span class=\"unl\">unlimited</span>"
        cells = ["<td>" + (unlimited if row["unlimited"] else amount(row["quota"], divisor))]
        if compared:
            cells.append("<td%s>%s" % (" class=o" if row.get("oversubscribed") else "",
                                       self.departments_quota(row, divisor)
                                       if row.get("departments") else "\u2014"))
        cells.append("<td>" + amount(row["allocated"], divisor))
        if platform:
            cells.append("<td>" + amount(row["used"], divisor))
        cells.append("<td%s>%s" % (" class=o" if row["free_negative"] else "",
                                   unlimited if row["unlimited"] else amount(row["free"], divisor)))
        cells.append(self.percent_cell(row["percent_allocated"], row["allocated_above"],
                                       row["beyond_zero"] and bool(row["allocated"]), row["unlimited"]))
        if platform:
            cells.append(self.percent_cell(row["percent_used"], row["used_above"],
                                           row["beyond_zero"] and bool(row["used"]), row["unlimited"]))
        # the unit only where the label does not say it already (vCPUs)
        unit_text = " <small>%s</small>" % esc(unit) if unit and unit not in row["label"] else ""
        self.w("<tr%s%s data-item=\"%s\"><th>%s%s%s%s\n" % (
            " id=\"%s\"" % esc(row["anchor"]) if platform else "",
            " class=h" if row["above_threshold"] else "", esc(row["item"]),
            esc(row["label"]), unit_text, flags, "".join(cells)))

    @staticmethod
    def percent_cell(value: Any, above: bool, beyond_zero: bool, unlimited: bool) -> str:
        """A percentage, with its bar drawn by the cell's background (``--w``)."""
        width = 100.0 if beyond_zero else (min(max(value, 0.0), 100.0) if is_number(value) else None)
        drawn = "" if unlimited or width is None else " style=--w:%g%%" % round(width)
        return "<td%s%s>%s" % (" class=o" if above else "", drawn, percent(value))

    def platform(self) -> None:
        if not self.platform_rows:
            return
        self.w("<section id=\"platform\">\n<h2>Platform</h2>\n")
        for region, rows in self.by_region(self.platform_rows):
            self.w("<div class=\"box\" data-region=\"%s\" data-scope=\"platform\" data-name=\"platform\">"
                   "<h3>%s <small>quota of the whole platform; allocated to departments; really used%s"
                   "</small></h3>\n" % (esc(region), esc(region), "; the %s quotas added up" % self.who
                                        if self.oversub["checked"] else ""))
            self.table(region, rows, True)
            self.w("</div>\n")
        self.w("</section>\n")

    @staticmethod
    def by_region(rows: List[Row]) -> List[Tuple[str, List[Row]]]:
        """Rows grouped by region (in region order), each by category, then item."""
        regions: Dict[str, List[Row]] = {}
        for row in rows:
            regions.setdefault(row["region"], []).append(row)
        return [(region, sorted(regions[region], key=lambda row: (row["category_order"], row["item"])))
                for region in sorted(regions)]

    def department(self, scope: Row, rows: List[Row]) -> None:
        above = scope["above"]
        peaks = [row["peak"] for row in rows if row["peak"] is not None]
        over = any(row["over_quota"] for row in rows)
        self.w("<details class=\"department\" id=\"%s\" data-name=\"%s\" data-scope=\"domain\" "
               "data-above=\"%d\"><summary><b>%s</b><span>%s</span><span>highest %s</span>%s%s"
               "</summary>\n" % (
                   esc(scope["anchor"]), esc(scope["name"]), above,
                   esc(scope["name"]),
                   "%s above %s" % (plural(above, "item"), self.threshold_text) if above
                   else "nothing above %s" % self.threshold_text,
                   percent(max(peaks)) if peaks else "\u2014",
                   " <span class=\"flag\">over quota</span>" if over else "",
                   " <span class=\"note\">its quota is the platform's: not added up</span>"
                   if scope["platform_domain"] else ""))
        for region, mine in self.by_region(rows):
            self.w("<h4>%s</h4>\n" % esc(region))
            self.table(region, mine, False)
        self.w("</details>\n")

    def fleet(self) -> None:
        self.w("<section id=\"departments\">\n<h2>Departments (%d)</h2>\n" % len(self.departments),
               "<p id=\"find\"><input type=\"search\" id=\"filter\" placeholder=\"Filter by "
               "department name\" aria-label=\"Filter departments by name\" autocomplete=\"off\">"
               "<span id=\"filter-count\"></span></p>\n")
        for scope, rows in self.departments:
            self.department(scope, rows)
        self.w("</section>\n")

    def legend(self) -> None:
        self.w("<p class=\"legend\">Percentages are of the quota; a cell's bar is its share "
               "(red above %s) &middot; <span class=\"unl\">unlimited</span>: no quota (-1) "
               "&middot; RAM in GiB (the API counts MiB), capacities in GiB or TiB, vCPU for "
               "cores &middot; rows of zeros are left out%s<br>Source: EOS quota API "
               "(<code>/v3/domain_usage</code>, <code>/v3/domain_quotas</code>) via "
               "easystack.eos.eos_domain_usage_info &middot; every number as the API gives it, "
               "one row per department, region and item: %s</p>\n"
               % (self.threshold_text, "" if not self.zero_rows else " (not on this page)",
                  esc(self.csv_name)))

    def render(self) -> str:
        needing = [(scope, rows) for scope, rows in self.departments if scope["above"]]
        needing.sort(key=lambda pair: (not any(row["over_quota"] for row in pair[1]),
                                       -max([row["peak"] or 0 for row in pair[1]] or [0])))
        self.head()
        self.cards(needing)
        self.needs_action(needing)
        self.platform()
        self.fleet()
        self.legend()
        self.w("</main>\n<script>%s</script>\n</body>\n</html>\n" % SCRIPT)
        return "".join(self.out)


def render(report: Dict[str, Any], title: str, generated: str, fingerprint: str, csv_name: str,
           zero_rows: bool = False) -> str:
    """The page's text (see the module's docstring)."""
    return Page(report, title, generated, fingerprint, csv_name, zero_rows).render()
