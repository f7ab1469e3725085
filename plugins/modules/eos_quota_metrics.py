#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: eos_quota_metrics
short_description: Write EasyStack EOS quotas and usage as Prometheus metrics for node_exporter
version_added: 0.1.0
description:
  - Reads the platform's quotas and usage (C(GET /v3/domain_usage)) and, with O(domains) or
    O(all_domains), the departments' (Keystone domains') quotas and allocation, as
    M(easystack.eos.eos_domain_usage_info) does, and writes them in the Prometheus text format
    to O(path) B(on the host the module runs on), for node_exporter's textfile collector.
    RV(metrics) returns the same text.
  - The metric names and labels are a contract, documented in the collection's
    C(docs/metrics.md) and in each metric's HELP line - C(eos_platform_quota_limit),
    C(eos_platform_quota_allocated), C(eos_platform_quota_used) and
    C(eos_region_oversubscription_ratio) (labels C(region), C(item)); C(eos_domain_quota_limit),
    C(eos_domain_quota_allocated), C(eos_domain_quota_used), C(eos_domain_quota_overused) and
    C(eos_domain_quota_unknown_item) (labels C(region), C(domain), C(domain_id), C(item));
    C(eos_quota_read_success) and C(eos_quota_read_duration_seconds).
  - An unlimited quota is C(+Inf) (never -1), so that C(allocated / limit) is 0 for it and no
    percentage alert fires. The EOS department view reports allocation only, so
    C(eos_domain_quota_used) has no samples.
  - Flags (Limes-style inconsistencies) - C(eos_domain_quota_overused) 1 when a department has
    allocated more than its quota; C(eos_domain_quota_unknown_item) 1 for a department's quota
    of an item the platform view does not list; C(eos_region_oversubscription_ratio) above 1
    when the departments' quotas add up to more than the platform's (the domains of
    O(platform_domains) are not added; with O(domains) the sum covers only those, a lower
    bound). RV(inconsistencies) lists the same.
  - The file is written whole or not at all (a temporary file in the same directory, renamed
    into place), and only when a number in it or its mode changes - C(changed) means that.
    C(eos_quota_read_duration_seconds) is not compared, it is the duration of the read that last
    wrote the file (RV(read_seconds) is this run's). A run that finds the same numbers sets the
    file's modification time to now, so that node_exporter's C(node_textfile_mtime_seconds)
    says when the quotas were last read.
  - A read that fails fails the task, and the file then says C(eos_quota_read_success 0) with
    no quota series (no stale numbers are left to alert on). A task that fails before reading
    (bad options, missing directory, no credentials) writes nothing.
extends_documentation_fragment:
  - easystack.eos.connection
  - easystack.eos.attributes
  - easystack.eos.attributes.file_writer
options:
  path:
    description:
      - The file to write on the host the module runs on, in node_exporter's textfile
        directory (its C(--collector.textfile.directory)); the collector reads only names
        ending in C(.prom). The directory must exist.
    type: path
    required: true
  mode:
    description: The file's mode, octal (V('0644') lets node_exporter, another user, read it).
    type: raw
    default: "0644"
  domains:
    description:
      - Departments (Keystone domains) by name or ID whose quotas and allocation are written
        too, as in M(easystack.eos.eos_domain_usage_info). Mutually exclusive with O(all_domains).
      - Without O(domains) and O(all_domains), only the platform's metrics are written.
    type: list
    elements: str
  all_domains:
    description: Every department of the cloud (the oversubscription ratio then covers them all).
    type: bool
  parallel:
    description: With O(domains) or O(all_domains), how many departments are read at once, 1 to 16.
    type: int
    default: 4
  region:
    description:
      - Only this region. An error lists the regions the server has when it is not one of them.
      - Without it, every region is written (also when O(region_name) is set).
    type: str
  platform_domains:
    description:
      - Domains (names or IDs) whose quota is the platform's own (on EOS the Default domain's) -
        written like departments, never added to the departments' sum of
        C(eos_region_oversubscription_ratio).
    type: list
    elements: str
    default: [Default]
notes:
  - Written without the prometheus-client library - the target needs nothing but requests.
  - Run it on the host whose node_exporter should serve the numbers (C(delegate_to) that host,
    or C(hosts) it), on a schedule (cron, an AWX schedule) shorter than the alert rules' C(for).
seealso:
  - module: easystack.eos.eos_domain_usage_info
  - module: easystack.eos.eos_quota_report
"""

EXAMPLES = r"""
# node_exporter's textfile directory (its --collector.textfile.directory), e.g. in group_vars:
# eos_textfile_dir:
#   /var/lib/node_exporter/textfile_collector

- name: Platform and every department, for node_exporter on this host
  easystack.eos.eos_quota_metrics:
    cloud: eos-prod
    all_domains: true
    path: "{{ eos_textfile_dir }}/eos_quota.prom"
  register: metrics

- name: Say what is inconsistent
  ansible.builtin.debug:
    msg: "{{ metrics.inconsistencies }}"

- name: Only the platform and two departments of one region, readable by node_exporter's group
  easystack.eos.eos_quota_metrics:
    cloud: eos-prod
    domains: [acme, globex]
    region: RegionOne
    path: "{{ eos_textfile_dir }}/eos_quota_acme_globex.prom"
    mode: "0640"

# Ad hoc, with the OS_* variables of an openrc file: the platform's metrics, shown and not
# written (check mode):
#   ansible localhost -m easystack.eos.eos_quota_metrics -a path=/tmp/eos_quota.prom --check
"""

RETURN = r"""
path:
  description: The file written (or, in check mode or when unchanged, not written).
  returned: success, and when a read fails
  type: str
  sample: /var/lib/node_exporter/textfile_collector/eos_quota.prom
metrics:
  description:
    - The text the file holds (Prometheus text format 0.0.4). When the numbers did not change,
      the file's text as it stays (with the read duration of the run that wrote it).
  returned: success, and when a read fails
  type: str
  sample: |
    # HELP eos_quota_read_success 1 when the last read of the quotas succeeded; 0 when it failed (the quota series are then left out).
    # TYPE eos_quota_read_success gauge
    eos_quota_read_success 1
    # HELP eos_platform_quota_limit The platform's quota of an item (+Inf: unlimited).
    # TYPE eos_platform_quota_limit gauge
    eos_platform_quota_limit{region="RegionOne",item="cores"} 72
read_success:
  description: Whether the quotas were read (V(false) only in a failed task's result).
  returned: success, and when a read fails
  type: bool
  sample: true
read_seconds:
  description: How long this run's read took, in seconds.
  returned: success, and when a read fails
  type: float
  sample: 0.412
departments:
  description: How many departments were read (each once).
  returned: success
  type: int
  sample: 1000
series:
  description: How many samples the file holds.
  returned: success
  type: int
  sample: 80123
inconsistencies:
  description:
    - What the flags say, one dict each - C(overused) (C(region), C(domain), C(domain_id),
      C(item), C(quota), C(allocated)), C(unknown_items) (C(region), C(domain), C(domain_id),
      C(item), C(quota)) and C(oversubscribed) (C(region), C(item), C(ratio) (V(null) when a
      department is unlimited), C(platform_quota), C(departments_quota),
      C(departments_unlimited), C(departments), C(complete)).
  returned: success
  type: dict
  sample: {"overused": [{"region": "RegionOne", "domain": "acme", "domain_id": "a75d0759a1e543a1b8d0efb56d0239ab",
                         "item": "cores", "quota": 72, "allocated": 80}],
           "unknown_items": [],
           "oversubscribed": [{"region": "RegionOne", "item": "cores", "ratio": 1.5, "platform_quota": 96,
                               "departments_quota": 144, "departments_unlimited": [], "departments": 2,
                               "complete": true}]}
"""

# First: the module_utils below are then compiled once from the payload (payload_import.py).
from ansible_collections.easystack.eos.plugins.module_utils import payload_import  # noqa: F401  pylint: disable=unused-import
from ansible_collections.easystack.eos.plugins.module_utils.module import EosModule
from ansible_collections.easystack.eos.plugins.module_utils.metrics_tasks import run


def main():
    module = EosModule(
        argument_spec=dict(path=dict(type="path", required=True),
                           mode=dict(type="raw", default="0644"),
                           domains=dict(type="list", elements="str"),
                           all_domains=dict(type="bool"),
                           parallel=dict(type="int", default=4),
                           region=dict(type="str"),
                           platform_domains=dict(type="list", elements="str",
                                                 default=["Default"])),
        mutually_exclusive=[("domains", "all_domains")],
        supports_check_mode=True,
        required_text=("path", "region"),
    )
    module.run(run)


if __name__ == "__main__":
    main()
