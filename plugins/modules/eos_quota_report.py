#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# The work is done by the action plugin of the same name (plugins/action/eos_quota_report.py):
# it runs easystack.eos.eos_domain_usage_info on the task's host and writes the files on the
# controller. This file holds its documentation, as ansible.builtin.template's does.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: eos_quota_report
short_description: Write the EasyStack EOS quota report (an HTML page and a CSV) on the controller
version_added: 0.1.0
description:
  - Reads the platform view and the departments with M(easystack.eos.eos_domain_usage_info)
    (two runs of it, one login each; the departments O(parallel) at a time) on the task's host,
    applies the report's
    rules (threshold, over quota, oversubscription - see the filter
    P(easystack.eos.quota_report#filter)) and writes C(<dest>/<name>.html) and C(<name>.csv)
    B(on the controller), in Python - no data row passes through Ansible's templating.
  - The page opens on what needs action (departments above O(threshold) or over quota,
    oversubscribed items, each a link to its details), then the platform's tables and every
    department, collapsed, filtered by name from a search box (C(?filter=acme) in the page's URL
    fills it). One row per item with a quota or use; unlimited items with nothing allocated are
    named on one line; numbers carry units (vCPU, GiB, TiB).
  - The CSV has one row per scope (the platform or a department), region and item, with every
    number as the API gives it (whole numbers without C(.0)); columns in the role's README.
  - The files are written only when their content changes (a new page keeps the earlier page's
    time while its numbers stay the same), each to a temporary file renamed into place.
  - The role C(easystack.eos.quota_report) runs this module; use the module directly to
    write a report from your own play.
extends_documentation_fragment:
  - easystack.eos.connection
  - easystack.eos.attributes
  - easystack.eos.attributes.file_writer
options:
  domains:
    description:
      - Departments (Keystone domains) by name or ID whose quotas and allocation the report
        shows. Mutually exclusive with O(all_domains).
    type: list
    elements: str
  all_domains:
    description: Every department of the cloud (the oversubscription sum then covers them all).
    type: bool
    default: false
  platform:
    description: Include the platform view (C(GET /v3/domain_usage)).
    type: bool
    default: true
  platform_domains:
    description:
      - Domains whose quota is the platform's own (on EOS the Default domain's), reported like
        departments but never added to the departments' sum.
    type: list
    elements: str
    default: [Default]
  regions:
    description: Only these regions (empty - every region the API reports).
    type: list
    elements: str
    default: []
  threshold:
    description:
      - Items whose allocation (or platform-wide real use) exceeds this percentage of the quota
        are marked, 0 to 1000.
    type: float
    default: 80
  parallel:
    description: How many departments are read at once, 1 to 16.
    type: int
    default: 4
  dest:
    description: Directory on the controller for the files; created (mode 0755) when missing.
    type: path
    required: true
  name:
    description: The files' base name (C(.html) and C(.csv) are added).
    type: str
    default: eos-quota-report
  mode:
    description: The files' mode, octal (V('0644')).
    type: raw
    default: "0644"
  title:
    description: The page's heading.
    type: str
    default: EasyStack EOS quota report
  zero_rows:
    description: Also show the rows of items whose quota is 0 with nothing allocated or used.
    type: bool
    default: false
  return_rows:
    description:
      - Also return the report's rows in RV(rows) (one per scope, region and item; tens of
        thousands at 1,000 departments, which Ansible then holds in memory).
    type: bool
    default: false
seealso:
  - module: easystack.eos.eos_domain_usage_info
  - plugin: easystack.eos.quota_report
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Report every department (credentials from OS_* variables or clouds.yaml)
  easystack.eos.eos_quota_report:
    all_domains: true
    dest: "{{ playbook_dir }}/eos-quota-report"
  register: report

- name: Say what stands out
  ansible.builtin.debug:
    msg: "{{ report.summary.items_above_threshold + report.summary.oversubscribed }}"

- name: Two departments, one region, a stricter mark
  easystack.eos.eos_quota_report:
    cloud: eos-prod
    domains: [acme, globex]
    regions: [RegionOne]
    threshold: 70
    dest: ~/reports/eos
    name: acme-globex

# Ad hoc, with the OS_* variables of an openrc file:
#   ansible localhost -m easystack.eos.eos_quota_report -a 'all_domains=true dest=~/eos-quota-report'
"""

RETURN = r"""
summary:
  description:
    - What the report found, for the job's stats - C(threshold), C(regions), C(departments),
      C(above_threshold) (counts), C(items_above_threshold) and C(oversubscribed) (one line
      each), C(oversubscription) (whether and how it was checked), and the files' C(html),
      C(csv) and C(generated).
  returned: success
  type: dict
  sample: {"threshold": 80.0, "items_above_threshold": ["RegionOne globex cores: 93.8 % (30 of 32 vCPU allocated)"],
           "oversubscribed": [], "html": "/home/ops/reports/eos/eos-quota-report.html",
           "csv": "/home/ops/reports/eos/eos-quota-report.csv", "generated": "2026-12-06 10:00 UTC"}
html:
  description: The page's path on the controller.
  returned: success
  type: str
  sample: /home/ops/reports/eos/eos-quota-report.html
csv:
  description: The CSV's path on the controller.
  returned: success
  type: str
  sample: /home/ops/reports/eos/eos-quota-report.csv
generated:
  description: When the numbers shown were read (kept from the earlier page while they are the same).
  returned: success
  type: str
  sample: "2026-12-06 10:00 UTC"
departments:
  description: How many departments were read.
  returned: success
  type: int
  sample: 1000
timing:
  description: Seconds spent reading (C(read_seconds)) and rendering both files (C(render_seconds)).
  returned: success
  type: dict
  sample: {"read_seconds": 12.4, "render_seconds": 0.9}
size:
  description: The files' sizes in bytes (C(html_bytes), C(csv_bytes)).
  returned: success
  type: dict
  sample: {"html_bytes": 4480000, "csv_bytes": 3190000}
rows:
  description: The report's rows (as the filter P(easystack.eos.quota_report#filter) returns them).
  returned: when O(return_rows=true)
  type: list
  elements: dict
"""
