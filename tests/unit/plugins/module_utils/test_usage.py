# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""usage.summarize: per-item numbers of the domain and platform views."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.easystack.eos.plugins.module_utils.usage import summarize

REGION = {
    "quotas": {"cores": 72, "ram": -1, "volumes": 0, "gigabytes": 10.5},
    "usage": {"cores": 20, "ram": 4096, "volumes": 3, "gigabytes": 2.25},
    "allocated": {"cores": 40, "ram": 8192, "volumes": 0, "gigabytes": 5},
    "limits": {"cores": -1, "ram": 100},
}


def test_domain_view_usage_is_the_allocation():
    summary = summarize(REGION, "domain")
    assert summary["cores"] == {"quota": 72, "unlimited": False, "limit": -1, "allocated": 20, "used": None,
                                "free": 52, "percent_allocated": 27.8, "percent_used": None}
    assert sorted(summary) == ["cores", "gigabytes", "ram", "volumes"]


def test_platform_view_allocated_and_used():
    summary = summarize(REGION, "platform")
    assert summary["cores"] == {"quota": 72, "unlimited": False, "limit": -1, "allocated": 40, "used": 20,
                                "free": 32, "percent_allocated": 55.6, "percent_used": 27.8}


def test_unlimited():
    for view in ("domain", "platform"):
        ram = summarize(REGION, view)["ram"]
        assert ram["unlimited"] is True and ram["quota"] == -1
        assert ram["free"] is None and ram["percent_allocated"] is None and ram["percent_used"] is None
        assert ram["limit"] == 100


def test_zero_quota():
    volumes = summarize(REGION, "domain")["volumes"]
    assert volumes["unlimited"] is False
    assert volumes["free"] == -3
    assert volumes["percent_allocated"] is None
    assert summarize(REGION, "platform")["volumes"]["percent_used"] is None


def test_fractional_values():
    domain = summarize(REGION, "domain")["gigabytes"]
    assert domain["free"] == 8.25 and domain["percent_allocated"] == 21.4
    platform = summarize(REGION, "platform")["gigabytes"]
    assert platform["free"] == 5.5 and platform["percent_allocated"] == 47.6 and platform["percent_used"] == 21.4
    assert platform["limit"] is None


def test_missing_sections():
    assert summarize({}, "domain") == {}
    summary = summarize({"quotas": {"cores": 8}}, "platform")["cores"]
    assert summary["allocated"] is None and summary["free"] is None and summary["percent_allocated"] is None
