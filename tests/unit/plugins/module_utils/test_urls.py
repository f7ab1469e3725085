# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""urls.py and errors.masked: acceptable URLs, masked credentials, quoted IDs, downgrades."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
from ansible_collections.easystack.eos.plugins.module_utils.secrets import credentials_of
from ansible_collections.easystack.eos.plugins.module_utils.secrets import hidden as masked
from ansible_collections.easystack.eos.plugins.module_utils.urls import (
    checked_url, is_loopback, segment, weaker_than)


@pytest.mark.parametrize("function, text, expected", [
    (masked, "http://svc:S3cret@host:5000/v3", "http://***@host:5000/v3"),
    (masked, "GET https://user@host/v3 failed", "GET https://***@host/v3 failed"),
    (masked, "two http://a:b@x/ and https://c:d@y/", "two http://***@x/ and https://***@y/"),
    (masked, "no credentials http://host/v3?a=b@c", "no credentials http://host/v3?a=b@c"),
    (masked, "mail: admin@example.com", "mail: admin@example.com"),
    # segment keeps a server's ID inside one path segment
    (segment, "5df4ae79648b4d7e954382da88cc69ef", "5df4ae79648b4d7e954382da88cc69ef"),
    (segment, "../../domain_quotas/default", "..%2F..%2Fdomain_quotas%2Fdefault"),
    (segment, "a?b#c d", "a%3Fb%23c%20d"),
    (segment, "uid=bob,ou=people", "uid%3Dbob%2Cou%3Dpeople"),
])
def test_masked_and_segment(function, text, expected):
    assert function(text) == expected


def test_every_error_message_and_url_is_masked():
    error = EosError("Cannot reach GET http://svc:S3cret@host/v3", url="http://svc:S3cret@host/v3")
    error.message += " and http://more:S3cret@host"  # appended later, as callers do
    assert "S3cret" not in str(error) and "S3cret" not in repr(error.fail_kwargs())
    assert credentials_of("http://svc:S3cret@host/v3") == "S3cret"
    assert credentials_of("http://host/v3") is None


@pytest.mark.parametrize("url", [
    "https://keystone.example:5000/v3", "http://127.0.0.1:18501/v3", "https://[fd00::1]:5000/v3",
    "https://svc:pw@keystone.example/v3",
])
def test_checked_url_accepts_usable_urls(url):
    assert checked_url(url, "auth_url", api_root=True) == url


@pytest.mark.parametrize("url, api_root, words", [
    ("", False, "is empty"),
    ("keystone.example/v3", False, "must start with https://"),
    ("ftp://keystone.example/v3", False, "must start with https://"),
    ("https:///v3", False, "name a host"),
    ("https://keystone.example:99999/v3", False, "not a valid URL"),
    ("https://key stone.example/v3", False, "contains a space"),
    ("https://keystone.example/v3\r\nX-Injected: 1", False, "control character"),
    ("https://keystone.example/v3?q=1", True, "query string or fragment"),
    ("https://keystone.example/v3#frag", True, "query string or fragment"),
    ("https://keystone.example/v3?", True, "query string or fragment"),
    ("http://svc:S3cret@key stone/v3", False, "http://***@key stone/v3 contains a space"),
])
def test_checked_url_refuses_with_a_reason(url, api_root, words):
    with pytest.raises(EosError) as info:
        checked_url(url, "the catalog's identity endpoint", api_root=api_root)
    assert words in str(info.value)
    assert "S3cret" not in str(info.value) and "\r" not in str(info.value)


def test_a_query_is_only_refused_where_paths_are_appended():
    assert checked_url("https://keystone.example/v3?x=1", "a full URL")


@pytest.mark.parametrize("url, reference, weaker", [
    ("http://eos.example/v3", "https://eos.example/v3", True),
    ("HTTP://eos.example/v3", "https://eos.example/v3", True),
    ("https://eos.example/v3", "https://eos.example/v3", False),
    ("http://eos.example/v3", "http://eos.example/v3", False),
    ("https://eos.example/v3", "http://eos.example/v3", False),
])
def test_weaker_than(url, reference, weaker):
    assert weaker_than(url, reference) is weaker


@pytest.mark.parametrize("url, loopback", [
    ("http://localhost:5000/v3", True), ("http://LOCALHOST./v3", True), ("http://eos.localhost/v3", True),
    ("http://127.0.0.1/v3", True), ("http://127.8.9.10/v3", True), ("http://[::1]:5000/v3", True),
    ("http://10.0.0.1/v3", False), ("http://keystone.example/v3", False), ("http://vm/v3", False),
    ("http://localhost.example.com/v3", False), ("http://[fd00::1]/v3", False),
])
def test_is_loopback_reads_the_url_literally(url, loopback):
    assert is_loopback(url) is loopback
