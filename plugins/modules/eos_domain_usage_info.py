#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: eos_domain_usage_info
short_description: Report EasyStack EOS platform or department (domain) quotas and usage
version_added: 0.1.0
description:
  - Without O(domain), reads the platform's quotas and usage (C(GET /v3/domain_usage)).
  - With O(domain), reads that department's quotas (C(GET /v3/domain_quotas/{domain_id})).
  - Returns the data per region as the API gives it, plus a computed per-item RV(summary) for
    reporting and alerting. C(quota_fake) is left out - the API reference calls it deprecated
    and meaningless.
  - B(usage means two things in the EOS API.) In a domain's quota view, C(usage) is what is
    already B(allocated) to the domain's projects; in the platform view, C(allocated) is what is
    allocated to departments and C(usage) is what is B(really used). RV(summary) names both
    explicitly.
extends_documentation_fragment:
  - easystack.eos.connection
  - easystack.eos.attributes
  - easystack.eos.attributes.info_module
options:
  domain:
    description:
      - Department (Keystone domain) name or ID. Without it (and without O(domains) and
        O(all_domains)), the platform view is returned.
    type: str
  domains:
    description:
      - Many departments in one task, by name or ID - one login, one lookup per distinct name
        (or one paged listing of all domains when that takes fewer requests), one read per
        distinct department; RV(domains) lists them in the order given.
      - Empty, unknown and ambiguous names fail the task, listing all of them by position,
        before any quota is read.
      - Mutually exclusive with O(domain) and O(all_domains).
    type: list
    elements: str
  all_domains:
    description:
      - V(true) - every department (Keystone domain) of the cloud, listed page by page (Keystone
        pages at 1,000), in RV(domains) sorted by name.
      - Mutually exclusive with O(domain) and O(domains).
    type: bool
  parallel:
    description:
      - With O(domains) or O(all_domains), how many departments are read at once, 1 to 16 (as
        the list form of M(easystack.eos.eos_domain_quota)). The answers are listed in the same
        order whatever the value; any read that fails fails the task.
    type: int
    default: 4
  region:
    description:
      - Only this region. An error lists the regions the server has when it is not one of them.
      - Without it, every region is reported, also when O(region_name) is set - a report wants
        the whole picture, and O(region_name) only chooses the catalog's endpoints. (The write
        module M(easystack.eos.eos_domain_quota) does default to O(region_name), because a
        write must name exactly one region.)
    type: str
"""

EXAMPLES = r"""
- name: Platform quotas and usage (credentials from OS_* variables or clouds.yaml)
  easystack.eos.eos_domain_usage_info:
  register: platform

- name: Alert when a department has allocated more than 80 % of its vCPU quota
  easystack.eos.eos_domain_usage_info:
    cloud: eos-prod
    domain: acme
    region: RegionOne
  register: acme
  failed_when: (acme.summary.RegionOne.cores.percent_allocated | default(0, true)) > 80

- name: Many departments in one task (one login; no loop of tasks)
  easystack.eos.eos_domain_usage_info:
    cloud: eos-prod
    # the inventory of eos_domain_quota's example: [{domain: acme, quotas: ...}, ...]
    domains: "{{ eos_departments | map(attribute='domain') | unique }}"
    region: RegionOne
  register: departments

- name: Every department of the cloud, sorted by name
  easystack.eos.eos_domain_usage_info:
    cloud: eos-prod
    all_domains: true
  register: everyone

# Ad hoc, with the OS_* variables of an openrc file:
#   ansible localhost -m easystack.eos.eos_domain_usage_info -a domain=acme
"""

RETURN = r"""
view:
  description:
    - V(platform) (C(/v3/domain_usage)), V(domain) (C(/v3/domain_quotas/{id})), or V(domains)
      (O(domains) or O(all_domains)).
  returned: always
  type: str
  sample: domain
domains:
  description:
    - One item per department read (O(domains) in the order given, O(all_domains) by name), each
      with C(domain) (C(id), C(name)), C(regions) and C(summary) as in the single-department view.
  returned: when O(domains) or O(all_domains) is given
  type: list
  elements: dict
  sample:
    [{"domain": {"id": "a75d0759a1e543a1b8d0efb56d0239ab", "name": "acme"},
      "regions": {"RegionOne": {"quotas": {"cores": 72}, "usage": {"cores": 20},
                                "limits": {"cores": -1}}},
      "summary": {"RegionOne": {"cores": {"quota": 72, "unlimited": false, "limit": -1,
                                          "allocated": 20, "used": null, "free": 52,
                                          "percent_allocated": 27.8, "percent_used": null}}}}]
domain:
  description: The department read, when O(domain) was given.
  returned: when O(domain) is given
  type: dict
  contains:
    id:
      description: Domain ID.
      type: str
    name:
      description: Domain name.
      type: str
  sample: {"id": "a75d0759a1e543a1b8d0efb56d0239ab", "name": "acme"}
regions:
  description:
    - The API's data per region, as the server gave it (the deprecated C(quota_fake) left out).
    - Domain view - C(quotas), C(usage) (= allocated to the domain's projects) and C(limits)
      (the largest settable quota, V(-1) for no limit).
    - Platform view - C(quotas) (the platform quota), C(allocated) (to departments), C(usage)
      (really used; secure-container items report 0) and C(limits).
  returned: unless O(domains) or O(all_domains) is given
  type: dict
  sample: {"RegionOne": {"quotas": {"cores": 72}, "usage": {"cores": 20}, "limits": {"cores": -1}}}
summary:
  description:
    - Per region and item, numbers ready for reports and alerts; unlimited items stay unlimited.
  returned: unless O(domains) or O(all_domains) is given (each item of RV(domains) has its own)
  type: dict
  contains:
    quota:
      description: The quota; V(-1) means unlimited.
      type: float
    unlimited:
      description: Whether the quota is unlimited (V(-1)).
      type: bool
    limit:
      description: The largest settable quota; V(-1) means no limit.
      type: float
    allocated:
      description: Allocated (domain view - to the domain's projects; platform view - to departments).
      type: float
    used:
      description: Really used (platform view only; V(null) in the domain view).
      type: float
    free:
      description: C(quota) minus C(allocated); V(null) when unlimited.
      type: float
    percent_allocated:
      description: Allocated as a percentage of the quota, one decimal; V(null) when unlimited or the quota is 0.
      type: float
    percent_used:
      description: Used as a percentage of the quota (platform view); V(null) otherwise.
      type: float
  sample:
    {"RegionOne": {"cores": {"quota": 72, "unlimited": false, "limit": -1, "allocated": 20,
     "used": null, "free": 52, "percent_allocated": 27.8, "percent_used": null}}}
"""

# First: the module_utils below are then compiled once from the payload (payload_import.py).
from ansible_collections.easystack.eos.plugins.module_utils import payload_import  # noqa: F401  pylint: disable=unused-import
from ansible_collections.easystack.eos.plugins.module_utils.module import EosModule
from ansible_collections.easystack.eos.plugins.module_utils.usage import run


def main():
    module = EosModule(
        argument_spec=dict(domain=dict(type="str"), region=dict(type="str"),
                           domains=dict(type="list", elements="str"),
                           all_domains=dict(type="bool"),
                           parallel=dict(type="int", default=4)),
        mutually_exclusive=[("domain", "domains", "all_domains")],
        supports_check_mode=True,
        required_text=("domain", "region"),
    )
    module.run(run)


if __name__ == "__main__":
    main()
