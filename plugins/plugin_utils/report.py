# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal to easystack.eos, not a public API: no compatibility promise (docs/development.md).
"""The quota report's rules, as pure functions (no I/O): rows, threshold and over-quota marks,
oversubscription (departments' quotas against the platform's) and the job's summary.

Input: the ``summary`` of easystack.eos.eos_domain_usage_info (``{region: {item: {quota,
unlimited, limit, allocated, used, free, percent_allocated, percent_used}}}``), for the platform
view and for each department. The role ``easystack.eos.quota_report`` calls :func:`build` through
the filter ``easystack.eos.quota_report``; its templates only render what this returns.

Controller-only (plugin_utils): the filters import it, no module does, so it is never packed
into a module's payload (tests/bench/payload.py lists what each module ships).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple

import hashlib
import json
import math
import re
from decimal import Decimal, InvalidOperation

# format_value: the one formatter of quota values (72, 20.5, 31146 for 31146.0, unlimited for -1).
from ansible_collections.easystack.eos.plugins.module_utils.quota import format_value
# The consistency rules shared with the metrics (eos_quota_metrics runs them on the target).
from ansible_collections.easystack.eos.plugins.module_utils.quota_checks import (  # noqa: F401
    PLATFORM_DOMAINS, is_number, is_unlimited, overused)

Row = Dict[str, Any]  # a row, scope, section or oversubscription entry of the report

# How items are grouped and named in the report. Items not listed go under "Other" by their API
# name; per-volume-type items (volumes_ssd, gigabytes_hdd, ...) use their prefix's entry.
CATEGORIES = ("Compute", "Block storage", "Network", "Containers", "Other")
ITEMS = {
    "instances": ("Compute", "Instances", ""),
    "cores": ("Compute", "vCPUs", ""),
    "ram": ("Compute", "RAM", "MiB"),
    "volumes": ("Block storage", "Volumes", ""),
    "gigabytes": ("Block storage", "Volume capacity", "GiB"),
    "snapshots": ("Block storage", "Snapshots", ""),
    "backups": ("Block storage", "Backups", ""),
    "backup_gigabytes": ("Block storage", "Backup capacity", "GiB"),
    "network": ("Network", "Networks", ""),
    "subnet": ("Network", "Subnets", ""),
    "port": ("Network", "Ports", ""),
    "router": ("Network", "Routers", ""),
    "floatingip": ("Network", "Floating IPs", ""),
    "security_group": ("Network", "Security groups", ""),
    "security_group_rule": ("Network", "Security group rules", ""),
    "loadbalancer": ("Network", "Load balancers", ""),
    "cpu": ("Containers", "Container CPU", ""),
    "memory": ("Containers", "Container memory", ""),
    "pods": ("Containers", "Pods", ""),
    "gpu": ("Containers", "GPUs", ""),
    "alcub_storage": ("Containers", "Alcub storage", ""),
    "general_storage": ("Containers", "General storage", ""),
}
PER_VOLUME_TYPE = ("volumes", "gigabytes", "snapshots")
# The unit of counts that have one (the others are plain counts).
COUNT_UNITS = {"cores": "vCPU"}

# How many department names an oversubscription line names before "and N more".
NAMES_SHOWN = 3

# HTML ids (anchor): at most this many characters of readable slug, this many hex digits of hash.
ANCHOR_SLUG = 64
ANCHOR_HASH = 10
# The page's own ids (plugin_utils/report_html.py), never a row's or a department's.
PAGE_IDS = ("oversubscription", "needs-action", "platform", "departments", "filter",
            "filter-count", "find", "inconsistencies")


# A threshold above 100 marks only what is over quota by that much; past 1000 it marks nothing
# a person would look for, and below 0 everything: both are typos.
MAX_THRESHOLD = 1000


class ReportError(ValueError):
    """Input the report cannot use (wrong types); the message says which value."""


def describe_item(item: str) -> Tuple[str, str, str]:
    """``(category, label, unit)`` of an API item name."""
    if item in ITEMS:
        return ITEMS[item]
    prefix, _sep, kind = item.partition("_")
    if kind and prefix in PER_VOLUME_TYPE:
        category, label, unit = ITEMS[prefix]
        return category, "%s (%s)" % (label, kind), unit
    return "Other", item, ""


def anchor(*parts: Any, **kwargs: Any) -> str:
    """An HTML id for the parts: a readable ASCII slug of them (runs of anything but letters,
    digits, _ and - become one _, at most ANCHOR_SLUG characters) and the first 10 hex digits of
    the SHA-1 of their exact text (the JSON list of the parts, then of ``key`` when given: an
    identity that is hashed but not shown, e.g. a department's ID). Parts that differ only in
    characters the slug drops (研发部 / 销售部, ``a.b`` / ``a b``) get different ids; the same parts
    always the same id. :func:`unique_anchors` settles the (never seen) case of two hashes alike.
    """
    texts = ["%s" % (part,) for part in parts]
    slug = re.sub(r"[^A-Za-z0-9_-]+", "_", "-".join(texts))[:ANCHOR_SLUG]
    key = kwargs.pop("key", None)
    if kwargs:
        raise TypeError("anchor() got unexpected arguments: %s" % ", ".join(sorted(kwargs)))
    hashed = texts + ([] if key is None else ["%s" % (key,)])
    digest = hashlib.sha1(json.dumps(hashed).encode("utf-8")).hexdigest()[:ANCHOR_HASH]
    return "%s-%s" % (slug, digest)


def unique_anchors(holders: Iterable[Row], taken: Iterable[str] = ()) -> None:
    """Makes the ``anchor`` of each dict in ``holders`` unique, in their order: an id already
    used (or in ``taken``, the page's fixed ids) gets ``-2``, ``-3``, ... appended. The same
    report gives the same ids."""
    used = set(taken)
    for holder in holders:
        ident, number = holder["anchor"], 1
        while ident in used:
            number += 1
            ident = "%s-%d" % (holder["anchor"], number)
        used.add(ident)
        holder["anchor"] = ident


def threshold_value(threshold: Any) -> float:
    """The threshold as a float; a number or numeric text, else ReportError."""
    if isinstance(threshold, bool):
        raise ReportError("threshold must be a number, not %r" % (threshold,))
    try:
        value = float(threshold)
    except (TypeError, ValueError):
        raise ReportError("threshold must be a number, not %r" % (threshold,))
    if math.isnan(value) or math.isinf(value):
        raise ReportError("threshold must be a finite number, not %r" % (threshold,))
    if not 0 <= value <= MAX_THRESHOLD:
        raise ReportError("threshold must be a percentage from 0 to %d, not %r"
                          % (MAX_THRESHOLD, threshold))
    return value


def classify(numbers: Dict[str, Any], threshold: Any) -> Dict[str, Any]:
    """The marks of one item's summary against the threshold (a percentage).

    - ``peak``: the larger of percent_allocated and percent_used (None when neither is a number:
      unlimited, a quota of 0 or no allocation known);
    - ``beyond_zero``: a limited quota of 0 with anything allocated or used;
    - ``above_threshold``: beyond zero, or the peak strictly above the threshold;
    - ``over_quota``: beyond zero, or the peak strictly above 100;
    - ``allocated_above`` / ``used_above``: that percentage strictly above the threshold;
    - ``idle``: a limited quota of 0 with nothing allocated or used.
    """
    threshold = threshold_value(threshold)
    percents: List[Any] = [numbers.get(key) for key in ("percent_allocated", "percent_used")]
    shares = [value for value in percents if is_number(value)]
    peak = max(shares) if shares else None
    quota = numbers.get("quota")
    zero = not is_unlimited(numbers) and is_number(quota) and quota == 0
    taken: List[Any] = [numbers.get(key) for key in ("allocated", "used")]
    beyond_zero = zero and any(is_number(value) and value > 0 for value in taken)
    return {
        "peak": peak,
        "beyond_zero": beyond_zero,
        "above_threshold": beyond_zero or (peak is not None and peak > threshold),
        "over_quota": beyond_zero or (peak is not None and peak > 100),
        "allocated_above": is_number(percents[0]) and percents[0] > threshold,
        "used_above": is_number(percents[1]) and percents[1] > threshold,
        "idle": zero and not beyond_zero,
    }


def _decimal(value: Any) -> Decimal:
    """A quota as the decimal the API wrote (20.5, not 20.499999...), for exact sums."""
    try:
        return Decimal(repr(value))
    except InvalidOperation:
        raise ReportError("a quota must be a number, not %r" % (value,))


def _plain(number: Decimal) -> Any:
    """A Decimal back to an int when whole, else a float."""
    return int(number) if number == number.to_integral_value() else float(number)


def distinct_domains(domains: Any,
                     platform_domains: Optional[Iterable[str]] = PLATFORM_DOMAINS) -> List[Row]:
    """The departments of an eos_domain_usage_info ``domains`` list, each once (by ID, first
    kept), in the order given, each as ``{id, name, summary, platform_domain}``."""
    if domains is None:
        return []
    if not isinstance(domains, (list, tuple)):
        raise ReportError("domains must be a list of eos_domain_usage_info results, not %r"
                          % (type(domains).__name__,))
    platform_domains = set(platform_domains or ())
    seen, result = set(), []
    for entry in domains:
        if not isinstance(entry, dict) or not isinstance(entry.get("domain"), dict):
            raise ReportError("each department needs 'domain' ({id, name}) and 'summary', not %r"
                              % (entry,))
        domain = entry["domain"]
        ident, name = domain.get("id"), domain.get("name")
        key = ident if ident is not None else name
        if key in seen:
            continue
        seen.add(key)
        summary = entry.get("summary") or {}
        if not isinstance(summary, dict):
            raise ReportError("the summary of department %s is not a dict" % (name,))
        result.append({
            "id": ident or "",
            "name": name if name is not None else ident,
            "summary": summary,
            "platform_domain": name in platform_domains or ident in platform_domains,
        })
    return result


def _items(summary: Any,
           regions: Optional[Iterable[str]] = None) -> Iterator[Tuple[str, str, Dict[str, Any]]]:
    """``(region, item, numbers)`` of a summary, in region and item order, only the regions
    asked for (all when ``regions`` is empty)."""
    for region in sorted(summary or {}):
        if regions and region not in regions:
            continue
        items = summary[region] or {}
        for item in sorted(items):
            yield region, item, items[item] or {}


def make_rows(scope: str, name: Any, domain_id: Any, summary: Optional[Dict[str, Any]],
              threshold: Any, regions: Optional[Iterable[str]] = None) -> List[Row]:
    """The report's rows of one scope (``platform`` or ``domain``): one per region and item, in
    region and item order, with the summary's numbers and the marks of :func:`classify`. A row's
    ``anchor`` (HTML id) is of its region, scope, name and item, and of the department's ID when
    there is one: departments of the same name still get different ids."""
    rows = []
    for region, item, numbers in _items(summary, regions):
        category, label, unit = describe_item(item)
        marks = classify(numbers, threshold)
        row = {
            "region": region,
            "scope": scope,
            "name": name,
            "domain_id": domain_id,
            "item": item,
            "anchor": anchor(region, scope, name, item, key=domain_id or None),
            "label": label,
            "unit": unit,
            "category": category,
            "category_order": CATEGORIES.index(category),
            "quota": numbers.get("quota"),
            "unlimited": is_unlimited(numbers),
            "limit": numbers.get("limit"),
            "allocated": numbers.get("allocated"),
            "used": numbers.get("used"),
            "free": numbers.get("free"),
            "free_negative": is_number(numbers.get("free")) and numbers["free"] < 0,
            "percent_allocated": numbers.get("percent_allocated"),
            "percent_used": numbers.get("percent_used"),
        }
        row.update(marks)
        rows.append(row)
    return rows


def oversubscription(platform: Optional[Dict[str, Any]], departments: List[Row], complete: Any,
                     regions: Optional[Iterable[str]] = None) -> List[Row]:
    """Per region and item of the platform view: the departments' quotas added up against the
    platform's quota.

    ``departments`` as :func:`distinct_domains` returns them; those with ``platform_domain`` are
    not counted. A department without the item in that region adds nothing. An unlimited
    department quota makes the sum unlimited: it oversubscribes any limited platform quota. An
    unlimited platform quota is never oversubscribed. ``complete``: every department was read
    (else the sum is a lower bound: only the listed departments).
    """
    counted = [department for department in departments if not department["platform_domain"]]
    entries = []
    for region, item, numbers in _items(platform, regions):
        total, unlimited, names = Decimal(0), [], []
        for department in counted:
            theirs = (department["summary"].get(region) or {}).get(item)
            if not theirs:
                continue
            quota = theirs.get("quota")
            if is_unlimited(theirs):
                unlimited.append(department["name"])
            elif is_number(quota):
                total += _decimal(quota)
            else:
                continue
            names.append(department["name"])
        quota = numbers.get("quota")
        platform_unlimited = is_unlimited(numbers)
        checked = not platform_unlimited and is_number(quota)
        over = checked and bool(names) and (bool(unlimited) or total > _decimal(quota))
        entries.append({
            "region": region,
            "item": item,
            # the platform row's id; build() sets the id that row ends up with
            "anchor": anchor(region, "platform", "platform", item),
            "label": describe_item(item)[1],
            "platform_quota": quota,
            "platform_unlimited": platform_unlimited,
            "departments_quota": _plain(total),
            "departments_unlimited": unlimited,
            "departments": len(names),
            "oversubscribed": over,
            "over_by": _plain(total - _decimal(quota)) if over and not unlimited else None,
            "complete": bool(complete),
        })
    return entries


def api_unit(item: str) -> str:
    """The unit of an item's numbers as the API counts them (``MiB`` for RAM, ``GiB`` for
    capacities, ``vCPU`` for cores; empty for other counts)."""
    return describe_item(item)[2] or COUNT_UNITS.get(item, "")


def _with_unit(number: str, item: str) -> str:
    unit = api_unit(item)
    return "%s %s" % (number, unit) if unit else number


def oversubscription_line(entry: Row) -> str:
    """``RegionOne cores: departments 144 > platform 72 vCPU``; ``listed departments`` when the
    sum covers only the listed ones; unlimited departments named (at most three). Numbers as the
    API gives them, in its unit."""
    who = "departments" if entry["complete"] else "listed departments"
    if entry["departments_unlimited"]:
        names = entry["departments_unlimited"]
        shown = ", ".join(str(name) for name in names[:NAMES_SHOWN])
        if len(names) > NAMES_SHOWN:
            shown += " and %d more" % (len(names) - NAMES_SHOWN)
        total = "unlimited (%s)" % shown
    else:
        total = format_value(entry["departments_quota"])
    platform = _with_unit(format_value(entry["platform_quota"]), entry["item"])
    return "%s %s: %s %s > platform %s" % (entry["region"], entry["item"], who, total, platform)


def above_threshold_line(row: Row) -> str:
    """``RegionOne acme cores: 93.8 % (30 of 32 vCPU allocated)`` or ``... : over a quota of 0
    (2 allocated)``; numbers as the API gives them, in its unit."""
    where = "%s %s %s: " % (row["region"], row["name"], row["item"])
    used = (is_number(row.get("percent_used")) and row["percent_used"] == row["peak"]
            and not (is_number(row.get("percent_allocated"))
                     and row["percent_allocated"] >= row["percent_used"]))
    which = "used" if used or (row["peak"] is None and not row.get("allocated")) else "allocated"
    taken = row.get(which)
    if row["peak"] is not None:
        return where + "%s %% (%s of %s %s)" % (
            row["peak"], format_value(taken), _with_unit(format_value(row["quota"]), row["item"]),
            which)
    return where + "over a quota of 0 (%s %s)" % (_with_unit(format_value(taken), row["item"]), which)


def build(platform: Any = None, domains: Any = None, threshold: Any = 80, regions: Any = None,
          all_domains: bool = False,
          platform_domains: Optional[Iterable[str]] = PLATFORM_DOMAINS) -> Dict[str, Any]:
    """Everything the report shows, from eos_domain_usage_info's results.

    ``platform``: the platform view's ``summary`` (None: no platform view); ``domains``: the
    ``domains`` list of the many-department view (``[{domain: {id, name}, summary}]``);
    ``all_domains``: that list is every department of the cloud; ``regions``: only these (empty:
    all). Returns ``rows`` (platform first, then departments in the order given, each by region
    and item), ``scopes`` (with their counts), ``oversubscription`` (per region and item of the
    platform view; empty without a platform view or departments) and ``summary`` (for the job's
    stats).
    """
    threshold = threshold_value(threshold)
    if platform is not None and not isinstance(platform, dict):
        raise ReportError("platform must be the platform view's summary (a dict), not %r"
                          % (type(platform).__name__,))
    if regions is not None and not isinstance(regions, (list, tuple)):
        raise ReportError("regions must be a list, not %r" % (type(regions).__name__,))
    departments = distinct_domains(domains, platform_domains)
    rows, scopes = [], []
    if platform is not None:
        mine = make_rows("platform", "platform", "", platform, threshold, regions)
        rows.extend(mine)
        scopes.append(_scope("platform", "platform", "", False, mine))
    for department in departments:
        mine = make_rows("domain", department["name"], department["id"], department["summary"],
                         threshold, regions)
        rows.extend(mine)
        scopes.append(_scope("domain", department["name"], department["id"],
                             department["platform_domain"], mine))

    counted = [department for department in departments if not department["platform_domain"]]
    checked = platform is not None and bool(counted)
    entries = oversubscription(platform, departments, all_domains, regions) if checked else []
    # ids unique within the page (rows, then regions, none of them one of the page's own), so
    # that every link lands on one row; each oversubscription entry links to its platform row
    unique_anchors(rows, PAGE_IDS)
    regions_shown = sections(rows, scopes)
    unique_anchors(regions_shown + scopes, PAGE_IDS + tuple(row["anchor"] for row in rows))
    platform_rows = dict(((row["region"], row["item"]), row) for row in rows
                         if row["scope"] == "platform")
    entry: Optional[Row]  # an entry below, then a row's entry or None
    for entry in entries:
        entry["anchor"] = platform_rows[(entry["region"], entry["item"])]["anchor"]
    by_item = dict(((entry["region"], entry["item"]), entry) for entry in entries)
    for row in rows:
        entry = by_item.get((row["region"], row["item"])) if row["scope"] == "platform" else None
        row["departments_quota"] = entry["departments_quota"] if entry else None
        row["departments_unlimited"] = entry["departments_unlimited"] if entry else []
        row["departments"] = entry["departments"] if entry else None
        row["oversubscribed"] = entry["oversubscribed"] if entry else None
    over = [entry for entry in entries if entry["oversubscribed"]]
    above = [row for row in rows if row["above_threshold"]]
    inconsistencies = inconsistent(platform, rows)

    if not checked:
        note = ("not checked: no platform view" if platform is None
                else "not checked: no department read")
    elif all_domains:
        note = "every department's quotas (%d departments) against the platform's" % len(counted)
    else:
        note = ("only the %d listed departments' quotas against the platform's: a lower bound"
                % len(counted))
    summary = {
        "threshold": threshold,
        "regions": sorted(set(row["region"] for row in rows)),
        "departments": "all" if all_domains else [department["name"] for department in departments],
        "above_threshold": {
            "platform": sum(1 for row in above if row["scope"] == "platform"),
            "domains": dict((scope["name"], scope["above"]) for scope in scopes
                            if scope["scope"] == "domain"),
        },
        "items_above_threshold": [above_threshold_line(row) for row in above],
        "oversubscription": {
            "checked": checked,
            "cover": "all" if all_domains else "listed",
            "departments": len(counted),
            "note": note,
        },
        "oversubscribed": [oversubscription_line(entry) for entry in over],
        # Limes-style: what cannot be right, whatever the threshold
        "inconsistencies": inconsistencies,
    }
    report = {
        "rows": rows,
        "scopes": scopes,
        "regions": regions_shown,
        "above": above,
        "oversubscription": entries,
        "oversubscribed": over,
        "summary": summary,
    }
    report["fingerprint"] = fingerprint(report)
    return report


def inconsistent(platform: Optional[Dict[str, Any]], rows: List[Row]) -> Dict[str, List[str]]:
    """What cannot be right, whatever the threshold (Limes' "inconsistencies"), as lines, and
    marked on the rows: ``over_quota`` - a department allocating more than its quota (compared
    exactly; ``RegionOne acme cores: 12 allocated > quota 10 vCPU``), ``unknown_items`` - a
    department's quota for an item the platform view does not list (``row["unknown_item"]``;
    checked only with a platform view). The third, oversubscription, is the summary's
    ``oversubscribed``."""
    offered = dict((region, set(items or {})) for region, items in (platform or {}).items())
    over_quota, unknown = [], []
    for row in rows:
        row["unknown_item"] = (platform is not None and row["scope"] == "domain"
                               and row["item"] not in offered.get(row["region"], ()))
        if row["scope"] != "domain":
            continue
        where = "%s %s %s" % (row["region"], row["name"], row["item"])
        if overused(row["quota"], row["allocated"]):
            over_quota.append("%s: %s allocated > quota %s" % (
                where, format_value(row["allocated"]),
                _with_unit(format_value(row["quota"]), row["item"])))
        if row["unknown_item"]:
            unknown.append("%s: a quota for an item the platform does not offer in %s"
                           % (where, row["region"]))
    return {"over_quota": over_quota, "unknown_items": unknown}


def sections(rows: List[Row], scopes: List[Row]) -> List[Row]:
    """How the page shows the rows: per region (sorted), each scope in the scopes' order that has
    rows there, its rows grouped by category (in CATEGORIES' order), then by item. Rows are given
    by their index in ``rows`` (``row_indexes``), so that the report holds each row once. A
    department is told apart by its ID (by its name only when it has none)."""
    grouped: Dict[str, Dict[Tuple[Any, Any, Any], List[int]]] = {}
    for index, row in enumerate(rows):
        grouped.setdefault(row["region"], {}).setdefault(_scope_key(row), []).append(index)
    result = []
    for region in sorted(grouped):
        mine = []
        for scope in scopes:
            indexes = grouped[region].get(_scope_key(scope))
            if not indexes:
                continue
            categories: List[Row] = []
            for index in sorted(indexes, key=lambda i: (rows[i]["category_order"], rows[i]["item"])):
                if not categories or categories[-1]["category"] != rows[index]["category"]:
                    categories.append({"category": rows[index]["category"], "row_indexes": []})
                categories[-1]["row_indexes"].append(index)
            mine.append(dict(scope, categories=categories))
        result.append({"region": region, "anchor": anchor("region", region), "scopes": mine})
    return result


def fingerprint(report: Dict[str, Any]) -> str:
    """A SHA-1 over the report's content (rows, oversubscription, summary): the same numbers
    give the same fingerprint, whatever the order of dict keys."""
    content = dict((key, report[key]) for key in ("rows", "oversubscription", "summary"))
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _scope_key(holder: Row) -> Tuple[Any, Any, Any]:
    """What tells a row's or scope's scope apart: the platform, or a department's ID (its name
    when it has none)."""
    return holder["scope"], holder["domain_id"] or None, holder["name"]


def _scope(scope: str, name: Any, domain_id: Any, platform_domain: Any, rows: List[Row]) -> Row:
    return {
        "scope": scope,
        # the id of the department's part of the page (its details), unique like the rows'
        "anchor": anchor(scope, name, key=domain_id or None),
        "name": name,
        "domain_id": domain_id,
        "platform_domain": platform_domain,
        "above": sum(1 for row in rows if row["above_threshold"]),
        "limited": sum(1 for row in rows if not row["unlimited"]),
    }
