# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Choosing endpoints from a service catalog."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.easystack.eos.plugins.module_utils.catalog import api_root, find_endpoint
from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError


def endpoint(interface, url, region="RegionOne", key="region_id"):
    return {"interface": interface, "url": url, key: region}


CATALOG = [
    {"type": "identity", "endpoints": [
        endpoint("public", "https://keystone.example:5000/v3/"),
        endpoint("internal", "http://keystone.internal:5000/v3"),
        endpoint("admin", "http://keystone.internal:35357"),
    ]},
    {"type": "quota", "endpoints": [
        endpoint("public", "https://quota.one.example/v3", "RegionOne"),
        endpoint("public", "https://quota.two.example/", "RegionTwo", key="region"),
        endpoint("internal", "http://quota.one.internal:9999", "RegionOne"),
    ]},
    {"type": "compute", "endpoints": None},
]


@pytest.mark.parametrize("url, root", [
    ("https://k.example:5000/v3", "https://k.example:5000"),
    ("https://k.example:5000/v3/", "https://k.example:5000"),
    ("https://k.example/identity/v3", "https://k.example/identity"),
    ("https://k.example/identity/", "https://k.example/identity"),
    ("https://k.example:5000", "https://k.example:5000"),
    ("https://k.example/v3x", "https://k.example/v3x"),
])
def test_api_root(url, root):
    assert api_root(url) == root


@pytest.mark.parametrize("service_type, interface, region, root", [
    ("identity", "public", None, "https://keystone.example:5000"),
    ("identity", "internal", None, "http://keystone.internal:5000"),
    ("identity", "admin", "RegionOne", "http://keystone.internal:35357"),
    ("quota", "public", "RegionOne", "https://quota.one.example"),
    ("quota", "public", "RegionTwo", "https://quota.two.example"),
    ("quota", "internal", None, "http://quota.one.internal:9999"),
])
def test_find_endpoint(service_type, interface, region, root):
    assert find_endpoint(CATALOG, service_type, interface, region) == root


def test_several_regions_and_no_region():
    with pytest.raises(EosError) as info:
        find_endpoint(CATALOG, "quota", "public")
    text = str(info.value)
    assert "several regions (RegionOne, RegionTwo)" in text and "set region_name" in text


def test_no_match_lists_the_offer():
    with pytest.raises(EosError) as info:
        find_endpoint(CATALOG, "quota", "admin", "RegionOne")
    text = str(info.value)
    assert "No quota endpoint for interface admin in region RegionOne" in text
    assert "quota public RegionTwo https://quota.two.example/" in text
    assert "identity internal RegionOne http://keystone.internal:5000/v3" in text
    assert "endpoint_override" in text


def test_no_match_in_unknown_region():
    with pytest.raises(EosError) as info:
        find_endpoint(CATALOG, "identity", "public", "RegionThree")
    assert "in region RegionThree" in str(info.value)


def test_empty_catalog():
    with pytest.raises(EosError) as info:
        find_endpoint([], "quota", "public")
    assert "It offers: nothing" in str(info.value)
