# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the module_utils unit tests."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest


@pytest.fixture
def no_etc_openstack(monkeypatch):
    """Hide /etc/openstack, the one clouds.yaml location a test cannot redirect."""
    real_isfile = os.path.isfile

    def isfile(path):
        return False if str(path).startswith("/etc/openstack") else real_isfile(path)

    monkeypatch.setattr("os.path.isfile", isfile)
