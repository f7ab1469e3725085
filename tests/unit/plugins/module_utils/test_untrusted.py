# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""untrusted.py: server text made printable and short, strict JSON, typed values."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
from ansible_collections.easystack.eos.plugins.module_utils.secrets import remember as hide
from ansible_collections.easystack.eos.plugins.module_utils.untrusted import (
    MAX_NESTING, TEXT_LIMIT, Answer, parse_json, shown)

WHERE = "GET https://eos.example/v3/domain_quotas/d1"


@pytest.mark.parametrize("text", [
    "bad\x1b[2K\rok: [localhost]\n", "a\u202eb", "tab\there", "nul\x00byte", "c1\x9bcontrol",
    b"bytes\xff\x1b[31m",
])
def test_shown_removes_every_control_and_invisible_format_character(text):
    out = shown(text)
    assert not any(ord(char) < 32 or 0x7f <= ord(char) <= 0x9f or char in "\u202e\u200b"
                   for char in out), repr(out)


def test_shown_keeps_ordinary_text_and_unicode():
    assert shown("Could not find domain: ACME é ü 部门") == "Could not find domain: ACME é ü 部门"


def test_shown_truncates_and_says_how_much_was_cut():
    out = shown("x" * 100000)
    assert out == "x" * TEXT_LIMIT + "... (%d more characters)" % (100000 - TEXT_LIMIT)
    assert len(shown("y" * 500, 20)) < 50


@pytest.mark.parametrize("raw, words", [
    (b'[' * 100000, "nested deeper than %d" % MAX_NESTING),
    (b'[' * 40 + b']' * 40, "nested deeper than %d" % MAX_NESTING),
    (b'\xff\xfe', "not UTF-8"),
    (b'', "Expecting value"),
])
def test_parse_json_refuses_what_is_not_strict_bounded_json(raw, words):
    with pytest.raises(ValueError) as info:
        parse_json(raw)
    assert words in str(info.value)
    assert "recursion" not in str(info.value)


def test_nan_survives_parsing_only_to_be_refused_by_name():
    document = parse_json(b'{"quotas": {"cores": NaN, "ram": -Infinity}}')
    for item in ("cores", "ram"):
        with pytest.raises(EosError) as info:
            Answer(WHERE).number(document["quotas"][item], "RegionOne quotas." + item)
        assert "RegionOne quotas.%s is float" % item in str(info.value)
        assert "not a finite number" in str(info.value)


def test_parse_json_reads_ordinary_documents():
    assert parse_json(b'{"domain": {"RegionOne": {"quotas": {"cores": 1.5e2}}}}') == {
        "domain": {"RegionOne": {"quotas": {"cores": 150.0}}}}
    assert parse_json(b'[' * MAX_NESTING + b']' * MAX_NESTING)


@pytest.mark.parametrize("value, words", [
    ("x", "str 'x', not a number"), (None, "null, not a number"), (True, "bool True, not a number"),
    (float("nan"), "not a finite number"), (float("inf"), "not a finite number"),
    (2 ** 60, "beyond"), ({"a": 1}, "a JSON object, not a number"),
])
def test_answer_number_fails_naming_request_and_item(value, words):
    with pytest.raises(EosError) as info:
        Answer(WHERE).number(value, "RegionOne quotas.cores")
    assert str(info.value).startswith("%s: the answer's RegionOne quotas.cores is " % WHERE)
    assert words in str(info.value)


def test_answer_numbers_checks_every_value():
    assert Answer(WHERE).numbers({"cores": 1, "ram": 2.5, "fip": -1}, "q") == {
        "cores": 1, "ram": 2.5, "fip": -1}
    with pytest.raises(EosError) as info:
        Answer(WHERE).numbers({"cores": 1, "ram": "2"}, "RegionOne quotas")
    assert "RegionOne quotas.ram is str '2'" in str(info.value)


@pytest.mark.parametrize("method, value", [
    ("mapping", []), ("mapping", "x"), ("sequence", {}), ("sequence", None), ("text", ""),
    ("text", 5), ("text", None),
])
def test_answer_shapes(method, value):
    with pytest.raises(EosError):
        getattr(Answer(WHERE), method)(value, "item")


def test_a_secret_is_masked_before_the_text_is_cut(monkeypatch):
    """Cut first, a secret across the limit would leave its first half unmasked."""
    monkeypatch.setattr("ansible_collections.easystack.eos.plugins.module_utils.untrusted._SECRETS",
                        set())
    secret = "Half-Visible-Secret-0123456789"
    hide([secret, "", None])
    out = shown("x" * (TEXT_LIMIT - 10) + secret)
    assert "Half-Vi" not in out and "*" in out
