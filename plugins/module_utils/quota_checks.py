# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal to easystack.eos, not a public API: no compatibility promise (docs/development.md).
"""Limes-style consistency rules over quotas as read (pure functions, no I/O): a department
allocating more than its quota, departments' quotas added up beyond the platform's
(oversubscription), quotas of items the platform view does not list.

Shared by the metrics (module_utils/metrics.py, on the target) and the quota report
(plugin_utils/report.py, on the controller): the rules live here, where both may import them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import Any, Dict, Iterable, List, Optional, Tuple

from decimal import Decimal

from ansible_collections.easystack.eos.plugins.module_utils.quota import UNLIMITED

# The domains whose quota is the platform's own: on EOS the platform quota is the Default
# domain's. They are reported like departments but never counted in the departments' sum.
PLATFORM_DOMAINS = ("Default",)


def is_number(value: Any) -> bool:
    """A number as the API gives one (a bool is not one)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_unlimited(numbers: Dict[str, Any]) -> bool:
    """Whether an item's summary says its quota is unlimited (-1)."""
    return bool(numbers.get("unlimited")) or numbers.get("quota") == UNLIMITED


def overused(quota: Any, taken: Any) -> bool:
    """A limited quota with more than it taken (allocated, or used): compared exactly, not by
    a rounded percentage, so 72.5 of 72 is over and a quota of 0 with 1 taken is over. An
    unlimited quota, or a number missing, is never over."""
    return (is_number(quota) and quota != UNLIMITED and is_number(taken)
            and taken > quota)


def unknown_items(platform: Dict[str, Dict[str, Any]],
                  department: Dict[str, Dict[str, Any]]) -> List[Tuple[str, str]]:
    """``(region, item)`` of a department's quotas that the platform view does not list, in
    region and item order: ``platform`` and ``department`` are ``{region: {item: ...}}`` (the
    regions' ``quotas``, or a summary). A region the platform view does not list at all makes
    every item of it unknown."""
    found: List[Tuple[str, str]] = []
    for region in sorted(department):
        offered = platform.get(region) or {}
        found.extend((region, item) for item in sorted(department[region] or {})
                     if item not in offered)
    return found


def exact(value: Any) -> Decimal:
    """A quota as the decimal the API wrote (20.5, not 20.499999...), for exact sums."""
    return Decimal(repr(value))


def departments_total(quotas: Iterable[Tuple[Any, Any]]) -> Tuple[Decimal, List[Any], int]:
    """The departments' quotas of one region and item added up: ``quotas`` is
    ``(department name, quota)`` for each department that has the item (platform domains left
    out by the caller). Returns ``(sum of the limited quotas, names of the unlimited ones,
    how many departments counted)``; a quota that is no number counts nowhere."""
    total, unlimited, counted = Decimal(0), [], 0
    for name, quota in quotas:
        if quota == UNLIMITED:
            unlimited.append(name)
        elif is_number(quota):
            total += exact(quota)
        else:
            continue
        counted += 1
    return total, unlimited, counted


def oversubscription_ratio(total: Decimal, any_unlimited: bool,
                           platform_quota: Any) -> Optional[float]:
    """The departments' quotas against the platform's, as a ratio (above 1: oversubscribed).

    ``inf`` when a department's quota is unlimited under a limited platform quota, or when the
    platform quota is 0 and departments have more; None (no ratio) when the platform quota is
    unlimited (it cannot be oversubscribed), no number, or 0 with nothing above it.
    """
    if not is_number(platform_quota) or platform_quota == UNLIMITED:
        return None
    if any_unlimited:
        return float("inf")
    quota = exact(platform_quota)
    if quota == 0:
        return float("inf") if total > 0 else None
    return float(total / quota)
