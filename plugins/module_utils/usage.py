# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per-item numbers for reports: quota, allocated, used, free, percentages; -1 stays unlimited."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.easystack.eos.plugins.module_utils.quota import UNLIMITED


def _percent(part, whole):
    if part is None or whole in (None, UNLIMITED) or whole <= 0:
        return None
    return round(100.0 * part / whole, 1)


def summarize(region, view):
    """``{item: {...}}`` for one region of a domain view or the platform view.

    In the domain view the API's ``usage`` is the allocation; in the platform view
    ``allocated`` is the allocation and ``usage`` is what is really used.
    """
    quotas = region.get("quotas") or {}
    limits = region.get("limits") or {}
    if view == "domain":
        allocated, used = region.get("usage") or {}, {}
    else:
        allocated, used = region.get("allocated") or {}, region.get("usage") or {}
    summary = {}
    for item in sorted(quotas):
        quota = quotas[item]
        unlimited = quota == UNLIMITED
        item_allocated = allocated.get(item)
        item_used = used.get(item) if view != "domain" else None
        summary[item] = {
            "quota": quota,
            "unlimited": unlimited,
            "limit": limits.get(item),
            "allocated": item_allocated,
            "used": item_used,
            "free": None if unlimited or item_allocated is None else quota - item_allocated,
            "percent_allocated": _percent(item_allocated, quota),
            "percent_used": _percent(item_used, quota),
        }
    return summary
