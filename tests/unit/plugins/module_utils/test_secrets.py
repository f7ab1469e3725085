# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""secrets.py: one registry of what is secret, and every output path hiding it alike."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
from urllib.parse import quote, quote_plus

import pytest

from ansible_collections.easystack.eos.plugins.module_utils import secrets
from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
from ansible_collections.easystack.eos.plugins.module_utils.untrusted import shown
from ansible_collections.easystack.eos.tests.unit.plugins.module_utils.eos_fakes import settings_of

SECRET = 'S3cr"\u00e9t/+ &x'


@pytest.fixture(autouse=True)
def registry(monkeypatch):
    """A registry of this test's own (the module-wide one belongs to module runs)."""
    known = set()
    monkeypatch.setattr(secrets, "KNOWN", known)
    return known


def test_every_form_a_server_may_echo_is_learnt():
    forms = secrets.learn(SECRET)
    assert forms == secrets.forms_of(SECRET)
    for form in (SECRET, json.dumps(SECRET)[1:-1], json.dumps(SECRET, ensure_ascii=False)[1:-1],
                 repr(SECRET)[1:-1], quote(SECRET, safe=""), quote_plus(SECRET)):
        assert form in forms
        assert secrets.hidden("echo: %s." % form) == "echo: %s." % secrets.MASK


@pytest.mark.parametrize("nothing", [None, ""])
def test_nothing_to_learn(registry, nothing):
    assert secrets.learn(nothing) == set()
    secrets.remember([nothing, "kept"])
    assert registry == {"kept"}


def test_the_longest_form_is_hidden_first():
    secrets.remember(["abc", "abcdef"])
    assert secrets.hidden("x abcdef y") == "x %s y" % secrets.MASK


def test_url_credentials_are_hidden_known_or_not():
    secrets.learn("pw")
    text = "GET https://user:other@host/v3 with pw"
    assert secrets.hidden(text) == "GET https://%s@host/v3 with %s" % (
        secrets.URL_MASK, secrets.MASK)
    assert secrets.hidden(text, urls=False) == "GET https://user:other@host/v3 with %s" % (
        secrets.MASK)


def test_every_output_path_hides_what_the_registry_knows():
    """EosError messages and URLs, and shown (warnings, diff headers, summaries), alike."""
    secrets.learn(SECRET)
    echoed = json.dumps(SECRET)[1:-1]
    error = EosError("failed: %s" % echoed, url="https://host/v3?x=%s" % quote(SECRET, safe=""))
    error.message += " and " + SECRET  # appended later, as callers do
    for text in (str(error), repr(error.fail_kwargs()), shown("server said " + echoed)):
        assert SECRET not in text and echoed not in text and secrets.MASK in text


def test_the_settings_secrets():
    settings = settings_of(endpoint_override="https://svc:Url-Pa55@quota.example/v3")
    found = secrets.of_settings(settings)
    assert settings.auth["password"] in found and "Url-Pa55" in found
    assert settings.secrets == found


@pytest.mark.parametrize("text", ["a." * 20000, "a" * 40000, "a://" * 10000, "x:/" * 13000])
def test_hiding_url_credentials_takes_linear_time(text):
    """An unbounded scheme made "a.a.a..." (40,000 characters) take 29 s: a hostile Location
    header or catalog URL could stall a task before anything cut it to size."""
    import time
    started = time.monotonic()
    secrets.hidden(text)
    assert time.monotonic() - started < 1.0


def test_a_long_scheme_still_has_its_credentials_hidden():
    assert secrets.hidden("z" * 40 + "://user:Pw-1@host/") == "z" * 40 + "://***@host/"
