# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filter easystack.eos.quota_report_csv: registered, the report's CSV, errors as filter errors."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import io

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.easystack.eos.plugins.filter.quota_report import FilterModule as Report
from ansible_collections.easystack.eos.plugins.filter.quota_report_csv import FilterModule

DOMAINS = [
    {"domain": {"id": "f84946ad", "name": "=cmd|' /C calc'!A0"},
     "summary": {"RegionOne": {"cores": {"quota": 32, "unlimited": False, "allocated": 30,
                                         "percent_allocated": 93.8}}}},
]


def quota_report_csv():
    return FilterModule().filters()["quota_report_csv"]


def test_registered_and_the_report_as_csv():
    report = Report().filters()["quota_report"](None, domains=DOMAINS)
    text = quota_report_csv()(report)
    # the filter's EXAMPLES say the same
    assert text.splitlines()[1] == "RegionOne,domain,'=cmd|' /C calc'!A0,cores,vCPUs,,32,30,,,93.8,,,yes,,,,"
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == 2 and rows[1][2] == "'=cmd|' /C calc'!A0"


@pytest.mark.parametrize("bad", [None, "rows", {"rows": [1]}])
def test_bad_input_is_a_filter_error(bad):
    with pytest.raises(AnsibleFilterError, match="easystack.eos.quota_report_csv"):
        quota_report_csv()(bad)
