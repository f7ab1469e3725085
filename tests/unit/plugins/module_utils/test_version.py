# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The version in the User-Agent is galaxy.yml's."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import yaml

from ansible_collections.easystack.eos.plugins.module_utils.version import COLLECTION_VERSION

# tests/unit/plugins/module_utils -> the collection root
GALAXY_YML = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "galaxy.yml")


def test_collection_version_is_galaxy_version():
    with open(GALAXY_YML) as handle:
        galaxy = yaml.safe_load(handle)
    assert galaxy["namespace"] == "easystack" and galaxy["name"] == "eos"
    assert COLLECTION_VERSION == str(galaxy["version"])
