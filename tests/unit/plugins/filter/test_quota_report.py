# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filter easystack.eos.quota_report: registered, passes its options on, errors as filter errors."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.easystack.eos.plugins.filter.quota_report import FilterModule

PLATFORM = {"RegionOne": {"cores": {"quota": 72, "unlimited": False, "allocated": 50, "used": 9,
                                    "percent_allocated": 69.4, "percent_used": 12.5}}}
DOMAINS = [
    {"domain": {"id": "1", "name": "acme"},
     "summary": {"RegionOne": {"cores": {"quota": 72, "unlimited": False, "allocated": 20,
                                         "percent_allocated": 27.8}}}},
    {"domain": {"id": "2", "name": "globex"},
     "summary": {"RegionOne": {"cores": {"quota": 32, "unlimited": False, "allocated": 30,
                                         "percent_allocated": 93.8}}}},
]


def quota_report():
    return FilterModule().filters()["quota_report"]


def test_registered_and_defaults():
    report = quota_report()(PLATFORM, domains=DOMAINS)
    assert report["summary"]["threshold"] == 80.0
    assert report["summary"]["oversubscribed"] == [
        "RegionOne cores: listed departments 104 > platform 72 vCPU"]
    assert report["summary"]["items_above_threshold"] == ["RegionOne globex cores: 93.8 % (30 of 32 vCPU allocated)"]


def test_options_reach_the_rules():
    report = quota_report()(PLATFORM, domains=DOMAINS, threshold="95", all_domains="yes",
                            regions=["RegionOne"], platform_domains=["acme"])
    assert report["summary"]["items_above_threshold"] == []
    assert report["summary"]["oversubscription"]["cover"] == "all"
    # acme named a platform domain: globex's 32 alone is not more than 72
    assert report["summary"]["oversubscribed"] == []
    assert quota_report()(None, domains=None)["rows"] == []


@pytest.mark.parametrize("kwargs", [
    {"threshold": "eighty"},
    {"all_domains": "maybe"},
    {"domains": {"acme": {}}},
])
def test_bad_input_is_a_filter_error(kwargs):
    with pytest.raises(AnsibleFilterError, match="easystack.eos.quota_report"):
        quota_report()(PLATFORM, **kwargs)
