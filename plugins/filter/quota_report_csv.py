# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: quota_report_csv
short_description: An EOS quota report as CSV text, safe to open in a spreadsheet
version_added: 0.1.0
author:
  - easystack.eos maintainers (@easystack)
description:
  - Turns the result of P(easystack.eos.quota_report#filter) into the CSV that the role
    C(easystack.eos.quota_report) writes - a header line, then one line per region, scope and
    item (the report's C(rows), in their order).
  - Written with Python's C(csv) module as RFC 4180 says - lines end in CRLF, a field is quoted
    (a quote doubled) when it holds a comma, a quote, a CR or an LF. A name with a line break
    stays in its cell; no name can split a row or add one.
  - Formula guard - a text cell whose first non-blank character is C(=), C(+), C(-) or C(@) (or
    their full-width forms), or that starts with blanks among which is a TAB or a CR, is written
    with a leading C(') so that a spreadsheet shows it as text instead of evaluating it (CSV
    injection). Blank is whitespace and invisible control or format characters. Numbers are
    never guarded - a negative C(free) stays a number.
  - Columns - C(region), C(scope) (C(platform) or C(domain)), C(name), C(item), C(label),
    C(unit), C(quota) (C(unlimited) for an unlimited quota), C(allocated), C(used), C(free),
    C(percent_allocated), C(percent_used), C(limit) (C(-1) - no limit), C(above_threshold)
    (C(yes)/C(no)), and on the rows whose departments were added up (platform rows, when
    departments were read) C(departments_quota) (their sum, C(unlimited) when one of them is),
    C(departments_unlimited) (those departments, separated by C(;)), C(departments_cover)
    (C(all), or C(listed) - a lower bound) and C(oversubscribed) (C(yes)/C(no)). An empty cell
    has no value. Fractional numbers keep at most 6 decimals.
positional: ''
options:
  _input:
    description: The result of P(easystack.eos.quota_report#filter) (C(rows) and C(summary)).
    type: dict
    required: true
seealso:
  - plugin: easystack.eos.quota_report
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Write the report's CSV
  ansible.builtin.copy:
    content: "{{ report | easystack.eos.quota_report_csv }}"
    dest: "{{ playbook_dir }}/eos-quota-report.csv"
    mode: "0644"
  vars:
    report: "{{ platform.summary | easystack.eos.quota_report(domains=departments.domains) }}"

- name: A name that is a formula is text in the CSV
  ansible.builtin.assert:
    that:
      - >-
        csv.splitlines()[1] == "RegionOne,domain,'=cmd|' /C calc'!A0,cores,vCPUs,,32,30,,,93.8,,,yes,,,,"
  vars:
    department_list:
      - domain: {id: f84946ad, name: "=cmd|' /C calc'!A0"}
        summary:
          RegionOne:
            cores: {quota: 32, unlimited: false, allocated: 30, percent_allocated: 93.8}
    csv: "{{ none | easystack.eos.quota_report(domains=department_list) | easystack.eos.quota_report_csv }}"
"""

RETURN = r"""
_value:
  description: The CSV text - a header line and one line per row, each ending in CRLF.
  type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.easystack.eos.plugins.plugin_utils.report_csv import (
    ReportCsvError,
    report_csv,
)


def quota_report_csv(report):
    """The CSV of easystack.eos.quota_report's report."""
    try:
        return report_csv(report)
    except (ReportCsvError, TypeError) as exc:
        raise AnsibleFilterError("easystack.eos.quota_report_csv: %s" % exc)


class FilterModule(object):
    """easystack.eos.quota_report_csv"""

    def filters(self):
        return {"quota_report_csv": quota_report_csv}
