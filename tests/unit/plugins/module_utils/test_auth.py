# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Keystone v3 token request bodies."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.easystack.eos.plugins.module_utils.auth import (
    Token, password_check_request, token_request)
from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
from ansible_collections.easystack.eos.plugins.module_utils.options import ConnectionSettings
from ansible_collections.easystack.eos.tests.unit.plugins.module_utils.eos_fakes import (
    APP_SECRET, AUTH_URL, PASSWORD, TOKEN, assert_no_secret)


def settings(auth_type="password", **auth):
    auth = dict(auth, auth_url=AUTH_URL)
    return ConnectionSettings(auth=auth, auth_type=auth_type, region_name=None, interface="public",
                              service_type="identity", endpoint_override=None, verify=True,
                              client_cert=None, client_key=None, api_timeout=30.0, source="test")


def failure(auth_type="password", **auth):
    with pytest.raises(EosError) as info:
        token_request(settings(auth_type, **auth))
    assert_no_secret(info.value)
    return str(info.value)


PROJECT = {"project_name": "admin", "project_domain_name": "Default"}


def test_password_user_by_name_and_domain_name():
    body = token_request(settings(username="alice", user_domain_name="Default", password=PASSWORD, **PROJECT))
    assert body == {"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "alice", "domain": {"name": "Default"}, "password": PASSWORD}}},
        "scope": {"project": {"name": "admin", "domain": {"name": "Default"}}}}}


def test_password_user_by_name_and_domain_id():
    body = token_request(settings(username="alice", user_domain_id="default", password=PASSWORD,
                                  project_id="pid"))
    assert body["auth"]["identity"]["password"]["user"] == {
        "name": "alice", "domain": {"id": "default"}, "password": PASSWORD}


def test_password_user_by_id_ignores_domain():
    body = token_request(settings(user_id="uid", username="alice", password=PASSWORD, project_id="pid"))
    assert body["auth"]["identity"]["password"]["user"] == {"id": "uid", "password": PASSWORD}
    assert body["auth"]["scope"] == {"project": {"id": "pid"}}


def test_token_method():
    body = token_request(settings("token", token=TOKEN, project_id="pid"))
    assert body == {"auth": {"identity": {"methods": ["token"], "token": {"id": TOKEN}},
                             "scope": {"project": {"id": "pid"}}}}


def test_application_credential_has_no_scope():
    body = token_request(settings("v3applicationcredential", application_credential_id="acid",
                                  application_credential_secret=APP_SECRET, **PROJECT))
    assert body == {"auth": {"identity": {
        "methods": ["application_credential"],
        "application_credential": {"id": "acid", "secret": APP_SECRET}}}}


def test_project_scope_by_id_wins_over_name():
    body = token_request(settings(user_id="u", password=PASSWORD, project_id="pid", project_name="p"))
    assert body["auth"]["scope"] == {"project": {"id": "pid"}}


def test_project_scope_by_name_and_domain_id():
    body = token_request(settings(user_id="u", password=PASSWORD, project_name="p", project_domain_id="pd"))
    assert body["auth"]["scope"] == {"project": {"name": "p", "domain": {"id": "pd"}}}


def test_domain_scope():
    assert token_request(settings(user_id="u", password=PASSWORD, domain_id="did"))["auth"]["scope"] == {
        "domain": {"id": "did"}}


@pytest.mark.parametrize("auth_type, auth, words", [
    ("password", {"password": PASSWORD, "project_id": "p"}, "needs auth.username"),
    ("password", {"user_id": "u", "project_id": "p"}, "needs auth.password"),
    ("password", {"username": "alice", "password": PASSWORD, "project_id": "p"},
     "auth.user_domain_name (or _id, or domain_name) is needed with user name 'alice'"),
    ("password", {"user_id": "u", "password": PASSWORD, "project_name": "p"},
     "auth.project_domain_name (or _id, or domain_name) is needed with project name 'p'"),
    ("password", {"user_id": "u", "password": PASSWORD}, "No scope"),
    ("token", {"project_id": "p"}, "auth_type token needs auth.token"),
    ("token", {"token": TOKEN}, "No scope"),
    ("v3applicationcredential", {"application_credential_id": "acid"},
     "needs auth.application_credential_id and auth.application_credential_secret"),
    ("v3applicationcredential", {"application_credential_secret": APP_SECRET},
     "needs auth.application_credential_id and auth.application_credential_secret"),
])
def test_missing_pieces(auth_type, auth, words):
    assert words in failure(auth_type, **auth)


def test_password_check_request():
    assert password_check_request("uid", PASSWORD) == {"auth": {"identity": {
        "methods": ["password"], "password": {"user": {"id": "uid", "password": PASSWORD}}}}}


def test_token_object():
    token = Token(TOKEN, {"token": {"catalog": [{"type": "identity"}], "expires_at": "2030-01-01T00:00:00Z",
                                    "user": {"id": "u"}, "project": {"id": "p"},
                                    "roles": [{"name": "admin"}, {"name": "reader"}]}})
    assert token.value == TOKEN
    assert token.catalog == [{"type": "identity"}]
    assert token.roles == ["admin", "reader"]
    assert (token.user, token.project, token.expires_at) == ({"id": "u"}, {"id": "p"}, "2030-01-01T00:00:00Z")
    empty = Token(TOKEN, {})
    assert (empty.catalog, empty.roles, empty.user) == ([], [], {})
