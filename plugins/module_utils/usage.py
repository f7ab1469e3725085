# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What eos_domain_usage_info does: read the platform's or departments' quotas and usage, and
the per-item numbers for reports (quota, allocated, used, free, percentages; -1 stays unlimited).

Internal to the collection. ``run(module)`` is the module's action.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import TYPE_CHECKING, Any, Dict, List, Optional

if TYPE_CHECKING:  # annotations only
    from ansible_collections.easystack.eos.plugins.module_utils.module import EosModule

from ansible_collections.easystack.eos.plugins.module_utils.eos_api import (
    domain_usage, get_domain_quota)
from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
from ansible_collections.easystack.eos.plugins.module_utils.lookups import (
    all_domains, find_domain, resolve_domains)
from ansible_collections.easystack.eos.plugins.module_utils.parallel import check_workers, run_all
from ansible_collections.easystack.eos.plugins.module_utils.quota import (
    UNLIMITED, Number, choose_region, listed_problems)
from ansible_collections.easystack.eos.plugins.module_utils.untrusted import shown


def _percent(part: Optional[Number], whole: Optional[Number]) -> Optional[float]:
    if part is None or whole in (None, UNLIMITED) or whole <= 0:
        return None
    return round(100.0 * part / whole, 1)


def summarize(region: Dict[str, Any], view: str) -> Dict[str, Dict[str, Any]]:
    """``{item: {...}}`` for one region of a domain view or the platform view.

    In the domain view the API's ``usage`` is the allocation; in the platform view
    ``allocated`` is the allocation and ``usage`` is what is really used.
    """
    quotas = region.get("quotas") or {}
    limits = region.get("limits") or {}
    used: Dict[str, Number]
    if view == "domain":
        allocated, used = region.get("usage") or {}, {}
    else:
        allocated, used = region.get("allocated") or {}, region.get("usage") or {}
    summary: Dict[str, Dict[str, Any]] = {}
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


def only_region(regions: Dict[str, Dict[str, Any]], asked: Optional[str],
                where: Optional[str] = None) -> Dict[str, Dict[str, Any]]:
    """The regions of one quota API answer, with only the region asked for if any."""
    if asked:
        region = choose_region(regions, asked, where=where or "the quota API")
        regions = {region: regions[region]}
    return regions


def read_one(module: "EosModule", domain: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    """One department's regions (only the region asked for, if any)."""
    where = "the quota API for domain %s" % shown(domain.get("name"), 64)
    return only_region(get_domain_quota(module.client, domain["id"]), module.params["region"],
                       where=where)


def read_many(module: "EosModule") -> Dict[str, Any]:
    """``domains`` (in the order given) or ``all_domains`` (by name): one login, one lookup per
    distinct name (or the paged listing), one read per distinct domain, ``parallel`` at a
    time. Any read that fails fails the task (with the first failure in the order read)."""
    client = module.client
    params = module.params
    check_workers(params["parallel"])
    if params["all_domains"]:
        listed = sorted(all_domains(client),
                        key=lambda domain: (domain.get("name") or "", domain["id"]))
        entries = [(domain["id"], domain) for domain in listed]
    else:
        found, unusable = resolve_domains(
            client, [entry for entry in params["domains"] if entry.strip()])
        problems = ["domains[%d] %s: %s" % (index + 1, shown(entry, 64), unusable[entry])
                    if entry.strip() else "domains[%d]: empty, every entry must name a "
                    "department" % (index + 1)
                    for index, entry in enumerate(params["domains"])
                    if not entry.strip() or entry in unusable]
        if problems:
            raise EosError(listed_problems(problems, len(params["domains"]),
                                           "cannot be read, so nothing was read"))
        entries = [(entry, found[entry]) for entry in params["domains"]]
    distinct = list(dict((domain["id"], domain) for dummy, domain in entries).values())
    client.root("quota")  # log in and find the endpoint before threads share the client
    answers = run_all(lambda domain: read_one(module, domain), distinct, params["parallel"])
    failed = [error for dummy, error in answers if error is not None]
    if failed:
        # the error that stopped the task, rather than one of those it left unsent
        raise next((error for error in failed if not error.not_attempted), failed[0])
    read = dict((domain["id"], regions) for domain, (regions, dummy) in zip(distinct, answers))
    domains: List[Dict[str, Any]] = []
    for dummy, domain in entries:
        regions = read[domain["id"]]
        domains.append({"domain": {"id": domain["id"], "name": domain.get("name")},
                        "regions": regions,
                        "summary": dict((name, summarize(data, "domain"))
                                        for name, data in regions.items())})
    return {"changed": False, "view": "domains", "domains": domains}


def run(module: "EosModule") -> Dict[str, Any]:
    """eos_domain_usage_info's action: the platform, one department, or many."""
    client = module.client
    params = module.params
    if params["domains"] is not None or params["all_domains"]:
        return read_many(module)
    result: Dict[str, Any] = {"changed": False}
    if params["domain"]:
        domain = find_domain(client, params["domain"])
        regions = get_domain_quota(client, domain["id"])
        result.update(view="domain", domain={"id": domain["id"], "name": domain.get("name")})
    else:
        regions = domain_usage(client)
        result["view"] = "platform"
    regions = only_region(regions, params["region"])
    result["regions"] = regions
    result["summary"] = dict((name, summarize(data, result["view"]))
                             for name, data in regions.items())
    return result
