# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What eos_domain_quota does, both forms: find, read and plan every department, then write.

Internal to the collection. ``run(module)`` is the module's action. One plan for both forms
(``plan_entry``: the region, the change set, its problems) and one write (``write``); the list
form plans every entry before the first write and names every problem in one failure.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

if TYPE_CHECKING:  # annotations only
    from ansible_collections.easystack.eos.plugins.module_utils.client import EosClient
    from ansible_collections.easystack.eos.plugins.module_utils.module import EosModule

from ansible_collections.easystack.eos.plugins.module_utils.eos_api import (
    get_domain_quota, set_domain_quota)
from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError, write_record
from ansible_collections.easystack.eos.plugins.module_utils.lookups import (
    find_domain, resolve_domains)
from ansible_collections.easystack.eos.plugins.module_utils.quota import (
    ChangeSet, check_entries, choose_region, entry_label, listed_problems, plan, summary_line,
    unknown_items)
from ansible_collections.easystack.eos.plugins.module_utils.quota_plan import (
    change_lines, check_expected, drift, enforce)
from ansible_collections.easystack.eos.plugins.module_utils.untrusted import shown

# parallel.py is imported by the list form's functions, not here: a task of one department does
# not load it (each module is compiled from the AnsiballZ zip at every run: docs/performance.md).


def name_of(domain: Dict[str, Any]) -> str:
    """How messages and headers name a department: its name, else its ID, cleaned."""
    return shown(domain.get("name") or domain["id"], 64)


def write(client: "EosClient", domain: Dict[str, Any], changes: ChangeSet) -> Dict[str, Any]:
    """PATCH one department's changed items; the region's state the server answered with, and
    ``write`` (``errors.write_record``: the request id of the answer; ``outcome`` reports it).

    An answer that cannot be read, or that shows other values than asked, fails: the write
    may have been applied, so the failure says so (``changed``). The failure names the
    request id of the answer that it had.
    """
    sent: List[Optional[str]] = []
    try:
        after = set_domain_quota(client, domain["id"], changes.patch_body(),
                                 sent).get(changes.region) or {}
    except EosError as error:
        error.request_id = error.request_id or (sent[-1] if sent else None)
        raise
    not_taken = changes.not_taken(after.get("quotas") or {})
    if not_taken:
        raise EosError(
            "The server accepted the PATCH of %s in %s but answered other values for: %s"
            % (name_of(domain), shown(changes.region, 60),
               ", ".join("%s (asked %s, got %s)" % (shown(item, 60), changes.changes[item]["after"],
                                                    got)
                         for item, got in sorted(not_taken.items()))),
            maybe_applied=True, request_id=sent[-1] if sent else None)
    return dict(after, write=write_record(sent[-1] if sent else None))


def outcome(domain: Dict[str, Any], changes: ChangeSet, after: Dict[str, Any],
            changed: bool) -> Dict[str, Any]:
    """What the task reports for one department and region (the single form's keys)."""
    result: Dict[str, Any] = {
        "changed": changed,
        "domain": {"id": domain["id"], "name": domain.get("name")},
        "region": changes.region,
        "quotas": after.get("quotas") or {},
        "usage": after.get("usage") or {},
        "limits": after.get("limits") or {},
        "changes": changes.changes,
    }
    if "write" in after:  # a write was sent: what the audit trail records
        result["write"] = after["write"]
    return result


def predicted(region: Dict[str, Any], changes: ChangeSet) -> Dict[str, Any]:
    """The region as it will be once ``changes`` are written (check mode's ``after``)."""
    return dict(region, quotas=changes.predicted_quotas()) if changes.changed else region


def run(module: "EosModule") -> Dict[str, Any]:
    """The module's action: the list form with ``domains``, else the single form."""
    if module.params["domains"] is not None:
        return set_many(module)
    client = module.client
    params = module.params
    check_expected(params["expect_plan"])
    domain = find_domain(client, params["domain"])
    regions = get_domain_quota(client, domain["id"])
    region, changes = plan_region(module, regions, params["region"], params["quotas"],
                                  params["force"])
    planned = [(domain, regions[region], changes)]
    the_plan = enforce(params["expect_plan"], planned,
                       outcome(domain, changes, regions[region], False))
    for warning in changes.warnings:
        module.ansible.warn("%s: %s" % (name_of(domain), warning))
    if changes.changed and not module.check_mode:
        try:
            after = write(client, domain, changes)
        except EosError as error:
            if not error.not_attempted:  # the write was sent: its failure reports it
                before = dict(regions[region], write=write_record(None, error))
                error.result = dict(outcome(domain, changes, before, error.maybe_applied),
                                    plan=the_plan, drift=drift(planned))
            raise
    else:
        after = predicted(regions[region], changes)
    result = outcome(domain, changes, after, changes.changed)
    result.update(plan=the_plan, drift=drift(planned))
    if module.ansible._diff:  # pylint: disable=protected-access
        result["diff"] = changes.diff()
    return result


def plan_region(module: "EosModule", regions: Dict[str, Dict[str, Any]],
                asked_region: Optional[str], quotas: Any, force: bool,
                where: str = "the quota API") -> Tuple[str, ChangeSet]:
    """The one plan of both forms: ``(region, ChangeSet)`` of a department's regions."""
    region = choose_region(regions, asked_region, module.settings.region_name, where)
    return region, plan(region, regions[region], quotas, force)


def plan_many(module: "EosModule",
              entries: List[Dict[str, Any]]) -> List[Tuple[Dict[str, Any], Dict[str, Any], ChangeSet]]:
    """Every entry resolved, read and planned: ``[(domain, region's state, ChangeSet)]``.

    One lookup per distinct name (or the paged listing), one GET per distinct department.
    Every problem of every entry - its own (``check_entries``), its department's lookup, its
    region and items - fails the task together, in one message, before anything is written.
    """
    from ansible_collections.easystack.eos.plugins.module_utils.parallel import run_all
    client = module.client
    named = [entry["domain"] for entry in entries if entry["domain"] and entry["domain"].strip()]
    found, not_found = resolve_domains(client, named)
    client.root("quota")  # log in and find the endpoint before threads share the client
    domains = list(dict((domain["id"], domain) for domain in found.values()).values())
    reads = dict(zip([domain["id"] for domain in domains],
                     run_all(lambda domain: get_domain_quota(client, domain["id"]), domains,
                             module.params["parallel"])))
    planned: List[Tuple[Dict[str, Any], Dict[str, Any], ChangeSet]] = []
    problems: List[str] = []
    seen: Dict[Tuple[str, str], str] = {}
    warnings: List[str] = []
    for entry in entries:
        mine = list(entry["problems"])
        planned_one = None
        domain = found.get(entry["domain"])
        if domain is None:
            mine += [not_found[entry["domain"]]] if entry["domain"] in not_found else []
        else:
            planned_one = plan_entry(module, entry, domain, reads[domain["id"]], mine, seen)
        if mine:
            problems.append("%s: %s" % (entry["label"], ", and ".join(mine)))
        elif planned_one is not None:
            planned.append(planned_one)
            warnings += ["%s: %s" % (entry["label"], warning)
                         for warning in planned_one[2].warnings]
    if problems:
        raise EosError(listed_problems(problems, len(entries),
                                       "have problems, so nothing was written"))
    for warning in warnings:  # only for a plan that goes ahead
        module.ansible.warn(warning)
    return planned


def plan_entry(module: "EosModule", entry: Dict[str, Any], domain: Dict[str, Any],
               read: Tuple[Any, Optional[EosError]], problems: List[str],
               seen: Dict[Tuple[str, str], str]
               ) -> Optional[Tuple[Dict[str, Any], Dict[str, Any], ChangeSet]]:
    """``(domain, region's state, ChangeSet)`` of one entry, or None with ``problems`` added to.

    An entry whose values are wrong already is still checked for items the server lacks.
    ``seen``: ``{(domain ID, region): label}`` of the entries planned so far.
    """
    regions, error = read
    try:
        if error is not None:
            raise error
        where = "the quota API for domain %s" % name_of(domain)
        if problems:
            region = choose_region(regions, entry["region"], module.settings.region_name, where)
            if isinstance(entry["quotas"], dict):
                problems += unknown_items(entry["quotas"], regions[region]["quotas"])
            return None
        region, changes = plan_region(module, regions, entry["region"], entry["quotas"],
                                      entry["force"], where)
    except EosError as problem:
        problems.append(problem.message)
        return None
    key = (domain["id"], region)
    if key in seen:
        problems.append("the same department and region as %s (%s); give each once"
                        % (seen[key], shown(region, 60)))
        return None
    seen[key] = entry["label"].split(" ")[0]
    return domain, regions[region], changes


def set_many(module: "EosModule") -> Dict[str, Any]:
    """The list form: plan every entry, then write the changed ones, ``parallel`` at a time."""
    from ansible_collections.easystack.eos.plugins.module_utils.parallel import (
        check_workers, run_all)
    params = module.params
    check_workers(params["parallel"])
    check_expected(params["expect_plan"])
    entries = check_entries(params["domains"], params["region"], params["force"])
    planned = plan_many(module, entries)
    the_plan = enforce(params["expect_plan"], planned, {
        "changed": False, "summary": ["%s (not written: the plan changed)" % line
                                      for line in change_lines(planned)]})
    to_write = [] if module.check_mode else [
        index for index, (dummy, dummy, changes) in enumerate(planned) if changes.changed]
    written = dict(zip(to_write, run_all(
        lambda index: write(module.client, planned[index][0], planned[index][2]), to_write,
        params["parallel"])))
    results, failures, skipped = [], [], []
    for index, (domain, region, changes) in enumerate(planned):
        after, error = written.get(index, (None, None))
        if error is not None:
            result = outcome(domain, changes, region if error.not_attempted else dict(
                region, write=write_record(None, error)), error.maybe_applied)
            result.update(failed=True, msg=str(error))
            label = entry_label(index, name_of(domain), changes.region)
            if error.not_attempted:
                result["not_attempted"] = True
                skipped.append(label)
            else:
                failures.append("%s: %s" % (label, error))
        else:
            result = outcome(domain, changes, after or predicted(region, changes), changes.changed)
        results.append(result)
    report: Dict[str, Any] = {
        "changed": any(result["changed"] for result in results), "domains": results,
        "summary": [summary_line(result, module.check_mode) for result in results],
        "plan": the_plan, "drift": drift(planned)}
    if module.ansible._diff:  # pylint: disable=protected-access
        report["diff"] = []
        for domain, dummy, changes in planned:
            if changes.changed:
                header = "%s (%s)" % (name_of(domain), shown(changes.region, 60))
                report["diff"].append(dict(changes.diff(), before_header=header,
                                           after_header=header))
    if failures or skipped:
        message = listed_problems(failures, len(to_write), "failed to write (the others were "
                                  "written; every entry is in domains)") if failures else ""
        if skipped:
            message += "%s%d of %d writes were not attempted, because the task stopped: %s. " \
                "Not attempted: %s" % ("; " if message else "", len(skipped), len(to_write),
                                       module.client.stopped, ", ".join(skipped[:50]) + (
                                           " and %d more" % (len(skipped) - 50)
                                           if len(skipped) > 50 else ""))
        raise EosError(message, result=report)
    return report
