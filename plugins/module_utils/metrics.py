# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal to easystack.eos, not a public API: no compatibility promise (docs/development.md).
"""The Prometheus text exposition (format 0.0.4) of eos_quota_metrics, as pure functions.

Written here rather than with prometheus-client: the format is a few escaping rules, and a
target then needs nothing but requests (docs/metrics.md says why; the tests parse the output
back with ``prometheus_client.parser`` and check it with ``promtool check metrics``).

The metric names, their HELP and labels are the module's contract (docs/metrics.md). An
unlimited quota is ``+Inf``, never -1; numbers are written as the API gives them (72, 156.5;
31146 for 31146.0), so the same numbers always give the same text.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import Any, Dict, Iterable, List, Optional, Tuple

import math
import re

from ansible_collections.easystack.eos.plugins.module_utils.quota import UNLIMITED
from ansible_collections.easystack.eos.plugins.module_utils.quota_checks import (
    PLATFORM_DOMAINS, departments_total, overused, oversubscription_ratio, unknown_items)

DURATION = "eos_quota_read_duration_seconds"
DOMAIN_LABELS = ("region", "domain", "domain_id", "item")
REGION_LABELS = ("region", "item")

# (name, HELP, labels), in the order the file lists them. HELP is the reference in one line.
FAMILIES: Tuple[Tuple[str, str, Tuple[str, ...]], ...] = (
    ("eos_quota_read_success", "1 when the last read of the quotas succeeded; 0 when it failed "
     "(the quota series are then left out).", ()),
    (DURATION, "Seconds the last read of the quotas took (of the run that last wrote this file).", ()),
    ("eos_platform_quota_limit", "The platform's quota of an item (+Inf: unlimited).",
     REGION_LABELS),
    ("eos_platform_quota_allocated", "What the platform has allocated of an item to departments.",
     REGION_LABELS),
    ("eos_platform_quota_used", "What is really used of an item platform-wide (secure-container "
     "items report 0).", REGION_LABELS),
    ("eos_region_oversubscription_ratio", "The departments' quotas of an item added up, over the "
     "platform's quota (above 1: oversubscribed; +Inf: a department is unlimited; no sample when "
     "the platform quota is unlimited).", REGION_LABELS),
    ("eos_domain_quota_limit", "A department's quota of an item (+Inf: unlimited).", DOMAIN_LABELS),
    ("eos_domain_quota_allocated", "What a department has allocated of an item to its projects.",
     DOMAIN_LABELS),
    ("eos_domain_quota_used", "What a department really uses of an item (no samples: the EOS "
     "department view reports allocation only).", DOMAIN_LABELS),
    ("eos_domain_quota_overused", "1 when a department has allocated more of an item than its "
     "quota (only flagged items have a sample).", DOMAIN_LABELS),
    ("eos_domain_quota_unknown_item", "1 for a department's quota of an item the platform view "
     "does not list in that region (only flagged items have a sample).", DOMAIN_LABELS),
)
NAMES = tuple(family[0] for family in FAMILIES)

SURROGATE = re.compile("[\ud800-\udfff]")
Sample = Tuple[Tuple[Any, ...], Any]  # label values (in the family's label order), value


def label_value(text: Any) -> str:
    r"""A label value as the exposition format writes it between double quotes: ``\`` as
    ``\\``, ``"`` as ``\"``, a line feed as ``\n`` (the format has no other escapes: a tab or
    carriage return stays as it is); a lone surrogate (of a JSON escape, no UTF-8) as U+FFFD."""
    text = "%s" % (text,)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = SURROGATE.sub("\ufffd", text)
    if "\\" in text or '"' in text or "\n" in text:
        text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return text


def number(value: Any) -> str:
    """A sample value: ``+Inf`` / ``-Inf`` / ``NaN``, a whole number without ``.0``, else the
    shortest text that reads back as the same float."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return "%d" % value
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == int(value) and abs(value) < 2 ** 53:
        return "%d" % int(value)
    return repr(float(value))


def limit(quota: Any) -> Any:
    """A quota as its sample: unlimited (-1) is +Inf."""
    return float("inf") if quota == UNLIMITED else quota


def render(samples: Dict[str, List[Sample]]) -> str:
    """The exposition text: every family of FAMILIES with HELP and TYPE (gauge), its samples
    in the order given; a sample whose labels repeat an earlier one of its family is left out
    (a duplicate makes node_exporter drop the whole file)."""
    out: List[str] = []
    for name, help_text, labels in FAMILIES:
        out.append("# HELP %s %s\n# TYPE %s gauge\n" % (name, help_text, name))
        seen = set()
        for values, value in samples.get(name, ()):
            if values in seen:
                continue
            seen.add(values)
            if labels:
                out.append("%s{%s} %s\n" % (name, ",".join(
                    '%s="%s"' % (label, label_value(text)) for label, text in zip(labels, values)),
                    number(value)))
            else:
                out.append("%s %s\n" % (name, number(value)))
    return "".join(out)


def without_duration(text: str) -> str:
    """The text without its read duration sample: what is compared to tell a change."""
    # lines end at a line feed only: a label value may hold a carriage return
    return "\n".join(line for line in text.split("\n") if not line.startswith(DURATION + " "))


def read_failed(seconds: float) -> str:
    """The text of a failed read: read_success 0 and the duration; no quota series."""
    return render({"eos_quota_read_success": [((), 0)], DURATION: [((), round(seconds, 3))]})


def build(platform: Optional[Dict[str, Dict[str, Any]]], domains: Iterable[Dict[str, Any]],
          seconds: float, platform_domains: Iterable[str] = PLATFORM_DOMAINS,
          complete: bool = False) -> Dict[str, Any]:
    """The samples of a successful read, and what stands out.

    ``platform``: the platform view's regions (``{region: {quotas, allocated, usage}}``) or
    None; ``domains``: eos_domain_usage_info's ``domains`` (``[{domain: {id, name}, regions}]``;
    a department listed twice is counted once); ``platform_domains``: names or IDs of the
    domains whose quota is the platform's (never added to the departments' sum);
    ``complete``: every department was read (else the oversubscription sum is a lower bound).

    Returns ``samples`` (for :func:`render`), ``departments`` (how many) and ``inconsistencies``
    (``overused``, ``unknown_items``, ``oversubscribed``: one dict each).
    """
    samples: Dict[str, List[Sample]] = dict((name, []) for name in NAMES)
    samples["eos_quota_read_success"].append(((), 1))
    samples[DURATION].append(((), round(seconds, 3)))
    overused_found: List[Dict[str, Any]] = []
    unknown_found: List[Dict[str, Any]] = []
    platform_quotas: Dict[str, Dict[str, Any]] = {}
    for region in sorted(platform or {}):
        data = (platform or {})[region] or {}
        quotas = data.get("quotas") or {}
        platform_quotas[region] = quotas
        allocated, used = data.get("allocated") or {}, data.get("usage") or {}
        for item in sorted(quotas):
            samples["eos_platform_quota_limit"].append(((region, item), limit(quotas[item])))
            if item in allocated:
                samples["eos_platform_quota_allocated"].append(((region, item), allocated[item]))
            if item in used:
                samples["eos_platform_quota_used"].append(((region, item), used[item]))

    skip = set(platform_domains or ())
    seen = set()
    # per (region, item) of the platform view: (department name, quota) of each counted one
    totals: Dict[Tuple[str, str], List[Tuple[Any, Any]]] = {}
    departments = 0
    for entry in domains:
        domain = entry.get("domain") or {}
        ident, name = domain.get("id"), domain.get("name")
        if ident in seen:
            continue
        seen.add(ident)
        departments += 1
        name = ident if name is None else name
        counted = name not in skip and ident not in skip
        regions = entry.get("regions") or {}
        for region in sorted(regions):
            data = regions[region] or {}
            quotas, allocated = data.get("quotas") or {}, data.get("usage") or {}
            for item in sorted(quotas):
                labels = (region, name, ident, item)
                quota = quotas[item]
                samples["eos_domain_quota_limit"].append((labels, limit(quota)))
                if item in allocated:
                    samples["eos_domain_quota_allocated"].append((labels, allocated[item]))
                    if overused(quota, allocated[item]):
                        samples["eos_domain_quota_overused"].append((labels, 1))
                        overused_found.append({"region": region, "domain": name,
                                               "domain_id": ident, "item": item, "quota": quota,
                                               "allocated": allocated[item]})
                if counted and item in platform_quotas.get(region, {}):
                    totals.setdefault((region, item), []).append((name, quota))
            if platform is not None:
                for dummy, item in unknown_items(platform_quotas, {region: quotas}):
                    samples["eos_domain_quota_unknown_item"].append(((region, name, ident, item), 1))
                    unknown_found.append({"region": region, "domain": name, "domain_id": ident,
                                          "item": item, "quota": quotas[item]})

    oversubscribed: List[Dict[str, Any]] = []
    if platform is not None and departments:
        for region in sorted(platform_quotas):
            for item in sorted(platform_quotas[region]):
                total, unlimited, counted_here = departments_total(totals.get((region, item), ()))
                platform_quota = platform_quotas[region][item]
                ratio = oversubscription_ratio(total, bool(unlimited), platform_quota)
                if ratio is None:
                    continue
                samples["eos_region_oversubscription_ratio"].append(((region, item), ratio))
                if ratio > 1:
                    oversubscribed.append({
                        "region": region, "item": item, "ratio": ratio if not math.isinf(ratio)
                        else None, "platform_quota": platform_quota,
                        "departments_quota": int(total) if total == total.to_integral_value()
                        else float(total),
                        "departments_unlimited": unlimited, "departments": counted_here,
                        "complete": complete})
    return {"samples": samples, "departments": departments,
            "inconsistencies": {"overused": overused_found, "unknown_items": unknown_found,
                                "oversubscribed": oversubscribed}}
