# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: quota_report
short_description: The rows, marks, oversubscription and summary of an EOS quota report
version_added: 0.1.0
author:
  - easystack.eos maintainers (@easystack)
description:
  - Turns the results of M(easystack.eos.eos_domain_usage_info) (the platform view and the
    many-department view) into what the role C(easystack.eos.quota_report) shows - one row per
    scope, region and item, marked against a threshold, and per region and item of the platform
    view the departments' quotas added up against the platform's quota
    (oversubscription).
  - An item is marked (C(above_threshold)) when its allocation or, platform-wide, its real use is
    strictly above O(threshold) percent of its quota, or when a limited quota of 0 has anything
    allocated or used. C(over_quota) - the same past 100 percent or beyond a quota of 0.
  - Oversubscription - a region's item is oversubscribed when the departments' quotas add up to
    more than the platform's quota. An unlimited (V(-1)) department quota oversubscribes any
    limited platform quota; an unlimited platform quota is never oversubscribed. The domains of
    O(platform_domains) are not counted. Unless O(all_domains), the sum covers only the listed
    departments - a lower bound.
  - Sums are exact for the API's decimal quotas (V(0.1) plus V(0.2) is not more than V(0.3)).
positional: ''
options:
  _input:
    description:
      - The platform view's C(summary) (M(easystack.eos.eos_domain_usage_info) without a
        department), or V(null) for a report without the platform (no oversubscription check
        then).
    type: dict
    required: true
  domains:
    description:
      - The C(domains) list of M(easystack.eos.eos_domain_usage_info) with O(easystack.eos.eos_domain_usage_info#module:domains) or
        O(easystack.eos.eos_domain_usage_info#module:all_domains) - items with C(domain) (C(id),
        C(name)) and C(summary). A department listed twice counts once.
    type: list
    elements: dict
    default: []
  threshold:
    description: The percentage of the quota above which an item is marked, from 0 to 1000.
    type: float
    default: 80
  regions:
    description: Only these regions; empty for every region.
    type: list
    elements: str
    default: []
  all_domains:
    description:
      - Whether O(domains) is every department of the cloud. Only then does the departments' sum
        cover them all; otherwise the summary says it covers only the listed ones.
    type: bool
    default: false
  platform_domains:
    description:
      - Domains (names or IDs) whose quota is the platform's own rather than a department's - on
        EOS the platform quota is the C(Default) domain's. They are reported like departments but
        left out of the departments' sum.
    type: list
    elements: str
    default: [Default]
"""

EXAMPLES = r"""
- name: Read the platform view and every department
  easystack.eos.eos_domain_usage_info:
    all_domains: true
  register: departments

- name: Read the platform view
  easystack.eos.eos_domain_usage_info:
  register: platform

- name: Show where the departments' quotas add up to more than the platform's
  ansible.builtin.debug:
    msg: "{{ report.summary.oversubscribed }}"
  vars:
    report: >-
      {{ platform.summary | easystack.eos.quota_report(domains=departments.domains,
                                                        all_domains=true, threshold=85) }}

- name: The same rules on literal numbers
  ansible.builtin.assert:
    that:
      - >-
        report.summary.oversubscribed == ['RegionOne cores: listed departments 104 > platform 72 vCPU']
      - >-
        report.summary.items_above_threshold == ['RegionOne globex cores: 93.8 % (30 of 32 vCPU allocated)']
      - >-
        report.summary.above_threshold == {'platform': 0, 'domains': {'acme': 0, 'globex': 1}}
  vars:
    platform_summary:
      RegionOne:
        cores: {quota: 72, unlimited: false, allocated: 50, used: 9, percent_allocated: 69.4, percent_used: 12.5}
    department_list:
      - domain: {id: 63bd1945, name: acme}
        summary:
          RegionOne:
            cores: {quota: 72, unlimited: false, allocated: 20, percent_allocated: 27.8}
      - domain: {id: f84946ad, name: globex}
        summary:
          RegionOne:
            cores: {quota: 32, unlimited: false, allocated: 30, percent_allocated: 93.8}
    report: "{{ platform_summary | easystack.eos.quota_report(domains=department_list) }}"
"""

RETURN = r"""
_value:
  description: The report.
  type: dict
  contains:
    rows:
      description:
        - One row per scope (C(platform), then each department in the order given), region and
          item - the summary's numbers (C(quota), C(unlimited), C(limit), C(allocated), C(used),
          C(free), C(percent_allocated), C(percent_used)) and C(region), C(scope), C(name),
          C(domain_id), C(item), C(label), C(unit), C(category), C(category_order), C(anchor)
          (the row's HTML id, unique in the report and the same from run to run - a readable
          ASCII slug of region, scope, name and item, then the first 10 hex digits of the SHA-1
          of the JSON list of those parts and the department's ID; C(-2), C(-3), ... should two
          ever be alike).
        - Marks - C(above_threshold), C(over_quota), C(beyond_zero) (a quota of 0 with something
          allocated or used), C(peak) (the larger percentage), C(allocated_above), C(used_above),
          C(idle) (a quota of 0, nothing taken), C(free_negative).
        - Platform rows, when the departments were compared - C(departments_quota) (the sum of
          the limited ones), C(departments_unlimited) (names), C(departments) (how many have the
          item), C(oversubscribed); V(null) otherwise.
      type: list
      elements: dict
    scopes:
      description:
        - The platform and each department once, in the rows' order - C(scope), C(name),
          C(domain_id), C(platform_domain), C(above) (marked items), C(limited) (items with a
          limited quota).
      type: list
      elements: dict
    regions:
      description:
        - The rows as the page shows them - per region (C(region), C(anchor)) its C(scopes) (as in
          RV(_value.scopes), a department told apart by its ID) that have rows there, each with
          C(categories) - C(category) and C(row_indexes), the indexes in RV(_value.rows) of its
          rows, by item.
      type: list
      elements: dict
    above:
      description: The rows marked above the threshold, in the rows' order.
      type: list
      elements: dict
    fingerprint:
      description: A SHA-1 of the rows, the oversubscription and the summary - the same numbers, the same fingerprint.
      type: str
    oversubscription:
      description:
        - Per region and item of the platform view (empty without a platform view or without
          departments) - C(region), C(item), C(label), C(anchor) (the id of its platform row),
          C(platform_quota), C(platform_unlimited), C(departments_quota), C(departments_unlimited),
          C(departments), C(oversubscribed), C(over_by) (the sum minus the platform quota when
          oversubscribed and no department is unlimited) and C(complete) (O(all_domains)).
      type: list
      elements: dict
    oversubscribed:
      description: The items of RV(_value.oversubscription) that are oversubscribed.
      type: list
      elements: dict
    summary:
      description:
        - >-
          For the job's stats - C(threshold), C(regions), C(departments) (V(all) or the names),
          C(above_threshold) (C(platform) - a count, C(domains) - a count per department),
          C(items_above_threshold) (lines like C(RegionOne globex cores: 93.8 % (30 of 32 vCPU allocated\))),
          C(oversubscription) (C(checked), C(cover) V(all) or V(listed), C(departments),
          C(note)) and C(oversubscribed) (lines like
          C(RegionOne cores: departments 144 > platform 72 vCPU); C(listed departments) when the sum
          is a lower bound).
      type: dict
"""

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.easystack.eos.plugins.plugin_utils.report import (
    PLATFORM_DOMAINS,
    ReportError,
    build,
)


def quota_report(platform, domains=None, threshold=80, regions=None, all_domains=False,
                 platform_domains=PLATFORM_DOMAINS):
    """The report of easystack.eos.quota_report from eos_domain_usage_info's summaries."""
    try:
        return build(platform=platform, domains=domains or [], threshold=threshold,
                     regions=regions or [], all_domains=boolean(all_domains, strict=True),
                     platform_domains=platform_domains)
    except (ReportError, TypeError) as exc:
        raise AnsibleFilterError("easystack.eos.quota_report: %s" % exc)


class FilterModule(object):
    """easystack.eos.quota_report"""

    def filters(self):
        return {"quota_report": quota_report}
