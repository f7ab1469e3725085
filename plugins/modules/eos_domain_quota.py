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
  expect_plan:
    description:
      - Plan, approve, apply - the RV(plan) of an earlier run (normally in check mode, which an
        approver looked at). The task then writes only if the live state it reads now gives the
        same plan - the same departments, the same live quotas and limits in each region, hence
        the same changes; otherwise it fails before the first write, saying what it would
        change now ("changed since the plan").
      - The plan does not cover allocation (it moves all day); the rules that depend on it are
        checked again by this run. docs/awx.md shows the workflow (check job, approval node,
        apply job).
      - Not a plan (an empty string from an unset variable, a typo) fails before anything is sent.
    type: str
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

- name: Plan - read and work out the changes, write nothing
  easystack.eos.eos_domain_quota:
    domain: acme
    quotas:
      cores: 120
  check_mode: true
  register: quota_plan

- name: Apply exactly what was planned (fails, writing nothing, if the live quotas changed since)
  easystack.eos.eos_domain_quota:
    domain: acme
    quotas:
      cores: 120
    expect_plan: "{{ quota_plan.plan }}"

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
write:
  description:
    - The write (the C(PATCH)) the task sent for the department and region, for audit trails
      (the callback P(easystack.eos.quota_audit#callback) records one event per write from it) -
      C(request_id) is the request id of its answer (C(X-OpenStack-Request-Id)), V(null) when
      there was no answer or it carried none, and C(outcome) what came of it.
    - Absent when nothing was sent (nothing differed, check mode, a failure before the write).
      When the write failed, the failure carries it too, with RV(domain), RV(region), RV(quotas)
      (the values read before the write) and RV(changes). With O(domains), each entry of
      RV(domains) has its own.
  returned: when a write was sent, also when it failed
  type: dict
  contains:
    request_id:
      description: The request id of the write's answer.
      type: str
    outcome:
      description:
        - V(success) (the server confirmed it), V(failure) (refused - nothing was written) or
          V(unknown) (no usable answer - it may have been applied). The module's own verdict,
          which C(failed_when) and C(changed_when) do not change.
      type: str
  sample: {"request_id": "req-5c0b3f5e-6a63-4f3e-9b6e-2f1d8a9c0e11", "outcome": "success"}
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
plan:
  description:
    - The digest of the live state this run planned from (each department's ID and name, the
      region, its live quotas and limits) and of its change set. Pass it as O(expect_plan) to a
      later run to write only if nothing changed meanwhile. Also on a failure because the plan
      changed (then the plan the live state gives now).
  returned: success, and when O(expect_plan) did not match
  type: str
  sample: "sha256:5b1c6d0e0b3e4f6a8d7c9e2f1a0b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d"
drift:
  description:
    - Every item whose live value differed from the desired one, as read before any write (in
      check mode - what a scheduled drift check reports), one item per department, region and
      item; C(line) says it in words.
  returned: success
  type: list
  elements: dict
  sample: [{"domain": "acme", "domain_id": "a75d0759a1e543a1b8d0efb56d0239ab",
            "region": "RegionOne", "item": "cores", "live": 72, "desired": 100,
            "line": "acme RegionOne cores: live 72, desired 100"}]
"""

# First: the module_utils below are then compiled once from the payload (payload_import.py).
from ansible_collections.easystack.eos.plugins.module_utils import payload_import  # noqa: F401  pylint: disable=unused-import
from ansible_collections.easystack.eos.plugins.module_utils.module import EosModule
from ansible_collections.easystack.eos.plugins.module_utils.quota_tasks import run


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
            expect_plan=dict(type="str"),
        ),
        mutually_exclusive=[("domain", "domains"), ("quotas", "domains")],
        required_one_of=[("domain", "domains")],
        required_together=[("domain", "quotas")],
        supports_check_mode=True,
        required_text=("domain", "region"),
    )
    module.run(run)


if __name__ == "__main__":
    main()
