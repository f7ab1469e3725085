#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: eos_domain_quota
short_description: Set an EasyStack EOS department's (domain's) quotas
version_added: 0.1.0
description:
  - Reads the department's quotas (C(GET /v3/domain_quotas/{domain_id})), compares them with
    O(quotas) numerically, and sends one C(PATCH) with only the items that differ. When nothing
    differs, nothing is written and the task reports no change.
  - Items are checked against the items the server reports for the region (volume-type items
    such as C(volumes_ssd) exist per deployment), before anything is written.
  - After the C(PATCH), the server's answer is checked item by item; an item that did not take
    the requested value fails the task.
  - B(Many departments in one task) with O(domains) (a loop of one task per department pays
    Ansible's per-task cost each time). Every entry is checked, resolved, read and planned
    B(before the first write); any problem in any entry fails the task listing every problem,
    and nothing is written. The changed entries are then written, O(parallel) at a time; when
    some writes fail the others still complete, and the task fails naming each failed entry
    while RV(domains) reports every entry, written or not.
  - A token refused mid-task is renewed once per task, for every parallel request; when that
    login (or its token) is refused too, the task stops and makes no further login, so that a
    cloud with a lockout rule never sees one failed login per department.
author:
  - easystack.eos maintainers (@easystack)
extends_documentation_fragment:
  - easystack.eos.connection
  - easystack.eos.attributes
  - easystack.eos.attributes.action_module
options:
  domain:
    description:
      - Department (Keystone domain) name or ID.
      - One of O(domain) or O(domains) is required; O(domain) needs O(quotas).
    type: str
  region:
    description:
      - Region whose quotas to set. With O(domains), the default of entries that name none.
      - Defaults to O(region_name), else the only region the server reports. Several regions and
        none chosen is an error that lists them; so is a region the server does not report.
        (A write must name exactly one region; the report module
        M(easystack.eos.eos_domain_usage_info) reports every region unless told one.)
    type: str
  quotas:
    description:
      - Quota item to value. Only the items named here are managed; others are left alone.
      - Item names are the server's (C(cores), C(ram), C(network), C(volumes_hdd), ...); the API
        reference's plural spellings C(networks), C(subnets) and C(security_group_rules) are
        accepted for C(network), C(subnet) and C(security_group_rule).
      - Values are integers or fractional numbers (C(backup_gigabytes) may be V(156.5)), V(-1)
        or V(unlimited) for unlimited, or numeric strings. V(100) equals V(100.0).
      - Units, as the API counts them - C(ram) and C(memory) in MiB; C(gigabytes_<type>),
        C(backup_gigabytes), C(alcub_storage) and C(general_storage) in GiB; C(cores) and C(cpu)
        in vCPUs; every other item is a count (instances, volumes, networks, ports, ...).
      - A value above the item's limit, or below what is already allocated to the department's
        projects (unless O(force)), fails before anything is written.
    type: dict
  force:
    description:
      - Allow a quota below what is already allocated. Shrinking a department below its
        allocation is almost always a mistake, hence the default; when it is done, the task
        warns, naming the item, the value and the allocation.
      - With O(domains), the default of entries that do not set their own.
    type: bool
    default: false
  domains:
    description:
      - Many departments in one task, each entry with the options of the single form. One login,
        one lookup per distinct name (or one paged listing of all domains when that takes fewer
        requests), one C(GET) per distinct department, one C(PATCH) per changed entry.
      - Checked before any write, all in one run - empty names or regions, values that are no
        quota, the same department and region twice, unknown or ambiguous departments, regions
        and items, limits and allocations. Every problem of every entry is listed together in
        one failure (the lookups and reads of that run are sent, no write is).
      - Mutually exclusive with O(domain) and O(quotas).
    type: list
    elements: dict
    suboptions:
      domain:
        description: Department (Keystone domain) name or ID.
        type: str
        required: true
      region:
        description: Region of this entry; defaults to the top-level O(region).
        type: str
      quotas:
        description: Quota item to value, as the top-level O(quotas).
        type: dict
        required: true
      force:
        description: As the top-level O(force), which is its default.
        type: bool
  parallel:
    description:
      - With O(domains), how many requests are in flight at once (the reads, then the writes),
        1 to 16. The writes of different entries are independent, so the order in which they
        reach the server is not defined.
    type: int
    default: 4
"""

EXAMPLES = r"""
- name: Keep every department's quotas at the values in the inventory (one task, no loop)
  easystack.eos.eos_domain_quota:
    cloud: eos-prod
    domains: "{{ eos_departments }}"
  register: departments
  # eos_departments:
  #   - {domain: acme, quotas: {cores: 100, ram: 204800, gigabytes_ssd: 2048}}
  #   - {domain: globex, region: RegionTwo, quotas: {instances: 20, networks: 10}}

- name: Say which departments changed
  ansible.builtin.debug:
    msg: "{{ departments.domains | selectattr('changed') | map(attribute='domain.name') | list }}"

- name: Unlimited routers and a fractional backup quota for one department
  easystack.eos.eos_domain_quota:
    domain: acme
    quotas:
      router: unlimited
      backup_gigabytes: 156.5

- name: Shrink below the current allocation on purpose
  easystack.eos.eos_domain_quota:
    domain: acme
    quotas:
      cores: 8
    force: true

# Ad hoc, with the OS_* variables of an openrc file, previewing the change first:
#   ansible localhost -m easystack.eos.eos_domain_quota -a 'domain=acme quotas={"cores":120}' --check --diff
"""

RETURN = r"""
domain:
  description: The department.
  returned: with O(domain)
  type: dict
  contains:
    id:
      description: Domain ID.
      type: str
    name:
      description: Domain name.
      type: str
  sample: {"id": "a75d0759a1e543a1b8d0efb56d0239ab", "name": "acme"}
region:
  description: The region whose quotas were managed.
  returned: with O(domain)
  type: str
  sample: RegionOne
quotas:
  description: All quotas of the region after the task (predicted in check mode).
  returned: with O(domain)
  type: dict
  sample: {"cores": 100, "ram": 204800, "backup_gigabytes": 156.5, "floatingip": -1}
usage:
  description: What is already allocated to the department's projects, per item (the API's C(usage)).
  returned: with O(domain)
  type: dict
  sample: {"cores": 20, "ram": 10240}
limits:
  description: The largest settable quota per item; V(-1) means no limit.
  returned: with O(domain)
  type: dict
  sample: {"cores": 1000, "ram": -1}
changes:
  description: The items that changed (or would, in check mode), with their values before and after.
  returned: with O(domain)
  type: dict
  sample: {"cores": {"before": 72, "after": 100}}
domains:
  description:
    - With O(domains), one item per entry in the order given, each with the keys the single
      form returns (RV(domain), RV(region), RV(quotas), RV(usage), RV(limits), RV(changes)) and
      its own C(changed).
    - Also when the task fails because some writes failed - the failed entries carry
      C(failed) and C(msg), and C(changed) when the write may have been applied; their
      RV(quotas) are the values read before the write.
    - When the task stopped (a token refused mid-task and the one re-login refused too), the
      entries not written carry C(not_attempted) (and C(failed), C(msg)); nothing of theirs
      was applied.
  returned: with O(domains), also on a failed write
  type: list
  elements: dict
  sample:
    - changed: true
      domain: {"id": "a75d0759a1e543a1b8d0efb56d0239ab", "name": "acme"}
      region: RegionOne
      quotas: {"cores": 100, "ram": 204800}
      usage: {"cores": 20, "ram": 10240}
      limits: {"cores": 1000, "ram": -1}
      changes: {"cores": {"before": 72, "after": 100}}
summary:
  description:
    - With O(domains), one line per entry in the order given - what changed (C(would change) in
      check mode), C(unchanged), C(FAILED) with the error, or C(NOT ATTEMPTED) (the task had
      stopped); V(-1) reads C(unlimited) and
      C(31146.0) reads C(31146).
  returned: with O(domains), also on a failed write
  type: list
  elements: str
  sample: ["acme RegionOne: cores 72 -> 100, gigabytes_ssd 2048.5 -> unlimited",
           "globex RegionOne: unchanged"]
"""

from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
from ansible_collections.easystack.eos.plugins.module_utils.lookups import (
    find_domain, resolve_domains)
from ansible_collections.easystack.eos.plugins.module_utils.module import EosModule
from ansible_collections.easystack.eos.plugins.module_utils.parallel import MAX_WORKERS, run_all
from ansible_collections.easystack.eos.plugins.module_utils.quota import (
    check_entries, choose_region, entry_label, listed_problems, plan, regions_of, summary_line,
    unknown_items)
from ansible_collections.easystack.eos.plugins.module_utils.untrusted import shown
from ansible_collections.easystack.eos.plugins.module_utils.urls import segment


def name_of(domain):
    """How messages and headers name a department: its name, else its ID, cleaned."""
    return shown(domain.get("name") or domain["id"], 64)


def quota_path(domain):
    return "/v3/domain_quotas/" + segment(domain["id"])


def read_regions(client, domain):
    path = quota_path(domain)
    return regions_of(client.get(path), "GET %s%s" % (client.root("quota"), path))


def write(client, domain, changes):
    """PATCH one department's changed items; the region's state the server answered with.

    An answer that cannot be read, or that shows other values than asked, fails: the write
    may have been applied, so the failure says so (``changed``).
    """
    path = quota_path(domain)
    answer = client.patch(path, changes.patch_body())
    try:
        after = regions_of(answer, "PATCH %s%s" % (client.root("quota"), path)).get(
            changes.region) or {}
    except EosError as error:
        error.message += ". The server accepted the PATCH, so it may have been applied"
        error.maybe_applied = True
        raise
    not_taken = changes.not_taken(after.get("quotas") or {})
    if not_taken:
        raise EosError(
            "The server accepted the PATCH of %s in %s but answered other values for: %s"
            % (name_of(domain), shown(changes.region, 60),
               ", ".join("%s (asked %s, got %s)" % (shown(item, 60), changes.changes[item]["after"],
                                                    got)
                         for item, got in sorted(not_taken.items()))),
            maybe_applied=True)
    return after


def outcome(domain, changes, after, changed):
    """What the task reports for one department and region (the single form's keys)."""
    return {
        "changed": changed,
        "domain": {"id": domain["id"], "name": domain.get("name")},
        "region": changes.region,
        "quotas": after.get("quotas") or {},
        "usage": after.get("usage") or {},
        "limits": after.get("limits") or {},
        "changes": changes.changes,
    }


def predicted(region, changes):
    """The region as it will be once ``changes`` are written (check mode's ``after``)."""
    return dict(region, quotas=changes.predicted_quotas()) if changes.changed else region


def set_quotas(module):
    if module.params["domains"] is not None:
        return set_many(module)
    client = module.client
    params = module.params
    domain = find_domain(client, params["domain"])
    regions = read_regions(client, domain)
    region = choose_region(regions, params["region"], module.settings.region_name)
    changes = plan(region, regions[region], params["quotas"], params["force"])
    for warning in changes.warnings:
        module.ansible.warn("%s: %s" % (name_of(domain), warning))
    if changes.changed and not module.check_mode:
        after = write(client, domain, changes)
    else:
        after = predicted(regions[region], changes)
    result = outcome(domain, changes, after, changes.changed)
    if module.ansible._diff:  # pylint: disable=protected-access
        result["diff"] = changes.diff()
    return result


def plan_many(module, entries):
    """Every entry resolved, read and planned: ``[(domain, region's state, ChangeSet)]``.

    One lookup per distinct name (or the paged listing), one GET per distinct department.
    Every problem of every entry - its own (``check_entries``), its department's lookup, its
    region and items - fails the task together, in one message, before anything is written.
    """
    client = module.client
    named = [entry["domain"] for entry in entries if entry["domain"] and entry["domain"].strip()]
    found, not_found = resolve_domains(client, named)
    client.root("quota")  # log in and find the endpoint before threads share the client
    domains = list(dict((domain["id"], domain) for domain in found.values()).values())
    reads = dict(zip([domain["id"] for domain in domains],
                     run_all(lambda domain: read_regions(client, domain), domains,
                             module.params["parallel"])))
    planned, problems, seen, warnings = [], [], {}, []
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


def plan_entry(module, entry, domain, read, problems, seen):
    """``(domain, region's state, ChangeSet)`` of one entry, or None with ``problems`` added to.

    An entry whose values are wrong already is still checked for items the server lacks.
    ``seen``: ``{(domain ID, region): label}`` of the entries planned so far.
    """
    regions, error = read
    try:
        if error is not None:
            raise error
        where = "the quota API for domain %s" % name_of(domain)
        region = choose_region(regions, entry["region"], module.settings.region_name, where)
        if problems:
            if isinstance(entry["quotas"], dict):
                problems += unknown_items(entry["quotas"], regions[region]["quotas"])
            return None
        changes = plan(region, regions[region], entry["quotas"], entry["force"])
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


def set_many(module):
    """The list form: plan every entry, then write the changed ones, ``parallel`` at a time."""
    params = module.params
    if not 1 <= params["parallel"] <= MAX_WORKERS:
        raise EosError("parallel must be between 1 and %d (it is %d). Nothing was sent"
                       % (MAX_WORKERS, params["parallel"]))
    entries = check_entries(params["domains"], params["region"], params["force"])
    planned = plan_many(module, entries)
    to_write = [] if module.check_mode else [
        index for index, (dummy, dummy, changes) in enumerate(planned) if changes.changed]
    written = dict(zip(to_write, run_all(
        lambda index: write(module.client, planned[index][0], planned[index][2]), to_write,
        params["parallel"])))
    results, failures, skipped = [], [], []
    for index, (domain, region, changes) in enumerate(planned):
        after, error = written.get(index, (None, None))
        if error is not None:
            result = outcome(domain, changes, region, error.maybe_applied)
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
    report = {"changed": any(result["changed"] for result in results), "domains": results,
              "summary": [summary_line(result, module.check_mode) for result in results]}
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


def main():
    module = EosModule(
        argument_spec=dict(
            domain=dict(type="str"),
            region=dict(type="str"),
            quotas=dict(type="dict"),
            force=dict(type="bool", default=False),
            domains=dict(type="list", elements="dict", options=dict(
                domain=dict(type="str", required=True),
                region=dict(type="str"),
                quotas=dict(type="dict", required=True),
                force=dict(type="bool"),
            )),
            parallel=dict(type="int", default=4),
        ),
        mutually_exclusive=[("domain", "domains"), ("quotas", "domains")],
        required_one_of=[("domain", "domains")],
        required_together=[("domain", "quotas")],
        supports_check_mode=True,
        required_text=("domain", "region"),
    )
    module.run(set_quotas)


if __name__ == "__main__":
    main()
