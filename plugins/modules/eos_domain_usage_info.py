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
  - Returns the data per region as the API gives it (without the deprecated C(quota_fake)),
    plus a computed per-item RV(summary) for reporting and alerting.
  - B(usage means two things in the EOS API.) In a domain's quota view, C(usage) is what is
    already B(allocated) to the domain's projects; in the platform view, C(allocated) is what is
    allocated to departments and C(usage) is what is B(really used). RV(summary) names both
    explicitly.
author:
  - easystack.eos maintainers (@easystack)
extends_documentation_fragment:
  - easystack.eos.connection
  - easystack.eos.attributes
  - easystack.eos.attributes.info_module
options:
  domain:
    description:
      - Department (Keystone domain) name or ID. Without it, the platform view is returned.
    type: str
  region:
    description:
      - Only this region. An error lists the regions the server has when it is not one of them.
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

- name: Every department in a loop, credentials set once for the play
  module_defaults:
    group/easystack.eos.eos:
      cloud: eos-prod
  block:
    - name: Read each department's quotas
      easystack.eos.eos_domain_usage_info:
        domain: "{{ item }}"
      loop: "{{ eos_departments }}"
      register: departments

# Ad hoc, with the OS_* variables of an openrc file:
#   ansible localhost -m easystack.eos.eos_domain_usage_info -a domain=acme
"""

RETURN = r"""
view:
  description: V(platform) (C(/v3/domain_usage)) or V(domain) (C(/v3/domain_quotas/{id})).
  returned: always
  type: str
  sample: domain
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
  returned: always
  type: dict
  sample: {"RegionOne": {"quotas": {"cores": 72}, "usage": {"cores": 20}, "limits": {"cores": -1}}}
summary:
  description:
    - Per region and item, numbers ready for reports and alerts; unlimited items stay unlimited.
  returned: always
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

from ansible_collections.easystack.eos.plugins.module_utils.lookups import find_domain
from ansible_collections.easystack.eos.plugins.module_utils.module import EosModule
from ansible_collections.easystack.eos.plugins.module_utils.quota import choose_region, regions_of
from ansible_collections.easystack.eos.plugins.module_utils.urls import segment
from ansible_collections.easystack.eos.plugins.module_utils.usage import summarize


def read_usage(module):
    client = module.client
    params = module.params
    result = {"changed": False}
    if params["domain"]:
        domain = find_domain(client, params["domain"])
        path = "/v3/domain_quotas/" + segment(domain["id"])
        result.update(view="domain", domain={"id": domain["id"], "name": domain.get("name")})
    else:
        path = "/v3/domain_usage"
        result["view"] = "platform"
    regions = regions_of(client.get(path), "GET %s%s" % (client.root("quota"), path))
    if params["region"]:
        region = choose_region(regions, params["region"])
        regions = {region: regions[region]}
    result["regions"] = regions
    result["summary"] = dict((name, summarize(data, result["view"]))
                             for name, data in regions.items())
    return result


def main():
    module = EosModule(
        argument_spec=dict(domain=dict(type="str"), region=dict(type="str")),
        supports_check_mode=True,
        required_text=("domain", "region"),
    )
    module.run(read_usage)


if __name__ == "__main__":
    main()
