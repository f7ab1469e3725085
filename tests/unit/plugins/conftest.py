# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the plugins' unit tests (module_utils/conftest.py has module_utils' own)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.easystack.eos.tests.unit.plugins.module_utils.eos_fakes import serve
from ansible_collections.easystack.eos.tests.unit.plugins.module_utils.fake_eos import FakeEos


@pytest.fixture
def fake_eos(monkeypatch):
    """``fake_eos(**config)``: a FakeEos (module_utils/fake_eos.py) built from ``config``, which
    every EosSession of the test then answers from."""
    def build(**config):
        fake = FakeEos(**config)
        serve(monkeypatch, fake.handle)
        return fake
    return build
