# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""EosClient: one login, endpoints from the catalog, one re-login on a stale token."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.easystack.eos.plugins.module_utils.auth import token_request
from ansible_collections.easystack.eos.plugins.module_utils.client import EosClient
from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
from ansible_collections.easystack.eos.tests.unit.plugins.module_utils.eos_fakes import (
    APP_SECRET, AUTH_URL, PASSWORD, TOKEN, assert_no_secret, fake_session, reply, settings_of)

TOKEN2 = "gAAAAA-second-token-987654321"
TOKENS_URL = "https://keystone.example:5000/v3/auth/tokens"
SECRETS = (PASSWORD, TOKEN, TOKEN2, APP_SECRET)
UNAUTHORIZED = {"error": {"code": 401, "title": "Unauthorized",
                          "message": "The request you have made requires authentication."}}


def endpoint(interface, url, region="RegionOne"):
    return {"interface": interface, "url": url, "region_id": region}


CATALOG = [
    {"type": "identity", "endpoints": [
        endpoint("public", "https://keystone.example:5000/v3"),
        endpoint("internal", "http://keystone.internal:5000/v3/"),
    ]},
    {"type": "quota", "endpoints": [
        endpoint("public", "https://quota.example/v3/"),
        endpoint("internal", "http://quota.internal:9999"),
        endpoint("public", "https://quota-two.example", "RegionTwo"),
    ]},
]


class Cloud:
    """A fake Keystone + quota API: routes answer in order (the last answer repeats)."""

    def __init__(self, catalog=None, tokens=(TOKEN, TOKEN2)):
        self.catalog = CATALOG if catalog is None else catalog
        self.tokens = list(tokens)
        self.routes = {}

    def route(self, method, url, *answers):
        self.routes[(method, url)] = list(answers)

    def token_reply(self):
        value = self.tokens.pop(0) if len(self.tokens) > 1 else self.tokens[0]
        return reply(201, {"token": {"catalog": self.catalog, "roles": [{"name": "admin"}]}},
                     {"X-Subject-Token": value})

    def __call__(self, request):
        key = (request.method, request.url)
        if key not in self.routes and request.method == "POST" and request.url.endswith("/v3/auth/tokens"):
            return self.token_reply()
        answers = self.routes.get(key)
        if not answers:
            return reply(404, {"error": {"message": "no route %s %s" % key}})
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        return answer() if callable(answer) else answer


def quota_settings(params=None, **overrides):
    """The EOS quota API registered as its own service type (the default is identity)."""
    return settings_of(params, **dict({"service_type": "quota", "region_name": "RegionOne"}, **overrides))


def client_for(cloud, settings=None):
    secrets = []
    session = fake_session(cloud, settings or quota_settings())
    return EosClient(session.settings, session=session, on_secret=secrets.append), session, secrets


def sent(session, method=None, url=None):
    return [entry for entry in session.transport.sent
            if (method is None or entry["method"] == method) and (url is None or entry["url"] == url)]


def failing(call, *args, **kwargs):
    with pytest.raises(EosError) as info:
        call(*args, **kwargs)
    assert_no_secret(info.value, SECRETS)
    return info.value


def test_authenticates_once_and_uses_the_catalog():
    cloud = Cloud()
    cloud.route("GET", "https://quota.example/v3/domain_usage", reply(200, {"domain": {}}))
    client, session, secrets = client_for(cloud)
    assert client.get("/v3/domain_usage") == {"domain": {}}
    assert client.get("/v3/domain_usage") == {"domain": {}}
    logins = sent(session, "POST", TOKENS_URL)
    assert len(logins) == 1
    assert logins[0]["body"] == token_request(client.settings)
    gets = sent(session, "GET")
    assert [entry["headers"]["X-Auth-Token"] for entry in gets] == [TOKEN, TOKEN]
    assert secrets == [TOKEN]
    assert client.token.roles == ["admin"]
    assert client.requests_sent == 3


def test_reauthenticates_once_on_401_and_retries():
    cloud = Cloud()
    cloud.route("GET", "https://quota.example/v3/domain_usage",
                reply(401, UNAUTHORIZED), reply(200, {"domain": {"RegionOne": {}}}))
    client, session, secrets = client_for(cloud)
    assert client.get("/v3/domain_usage") == {"domain": {"RegionOne": {}}}
    assert len(sent(session, "POST", TOKENS_URL)) == 2
    assert [entry["headers"]["X-Auth-Token"] for entry in sent(session, "GET")] == [TOKEN, TOKEN2]
    assert secrets == [TOKEN, TOKEN2]
    assert client.token.value == TOKEN2


def test_second_401_is_an_error():
    cloud = Cloud()
    cloud.route("GET", "https://quota.example/v3/domain_usage",
                reply(401, UNAUTHORIZED, {"X-Openstack-Request-Id": "req-401"}))
    client, session, _secrets = client_for(cloud)
    error = failing(client.get, "/v3/domain_usage")
    assert error.status == 401 and error.request_id == "req-401"
    assert "A fresh token for user admin (domain Default), project admin (domain Default) at %s was refused too" \
        % AUTH_URL in str(error)
    assert len(sent(session, "POST", TOKENS_URL)) == 2
    assert len(sent(session, "GET")) == 2


def test_other_errors_do_not_reauthenticate():
    cloud = Cloud()
    cloud.route("GET", "https://quota.example/v3/domain_usage", reply(403, {"error": {"message": "no"}}))
    client, session, _secrets = client_for(cloud)
    assert failing(client.get, "/v3/domain_usage").status == 403
    assert len(sent(session, "POST", TOKENS_URL)) == 1


@pytest.mark.parametrize("auth, auth_type, who", [
    (None, None, "user admin (domain Default), project admin (domain Default) at %s" % AUTH_URL),
    ({"auth_url": AUTH_URL, "user_id": "uid", "password": PASSWORD, "project_id": "pid"}, None,
     "user uid, project pid at %s" % AUTH_URL),
    ({"auth_url": AUTH_URL, "application_credential_id": "acid", "application_credential_secret": APP_SECRET},
     None, "application credential acid at %s" % AUTH_URL),
    ({"auth_url": AUTH_URL, "token": TOKEN, "project_id": "pid"}, "token", "a token, project pid at %s" % AUTH_URL),
])
def test_auth_401_names_who_and_never_the_secret(auth, auth_type, who):
    cloud = Cloud()
    cloud.route("POST", TOKENS_URL, reply(401, UNAUTHORIZED, {"X-Openstack-Request-Id": "req-auth"}))
    params = {"auth_type": auth_type}
    if auth:
        params["auth"] = auth
    client, session, secrets = client_for(cloud, quota_settings(params))
    error = failing(client.get, "/v3/domain_usage")
    assert str(error).startswith("Authentication failed for %s: The request you have made requires "
                                 "authentication. Check the credentials" % who)
    assert (error.status, error.request_id, error.method, error.url) == (401, "req-auth", "POST", TOKENS_URL)
    assert len(session.transport.sent) == 1
    assert secrets == []


def test_auth_is_retried_on_503():
    cloud = Cloud()
    cloud.route("POST", TOKENS_URL, reply(503), cloud.token_reply)
    client, session, _secrets = client_for(cloud)
    client.authenticate()
    assert client.token.value == TOKEN
    assert session.sleeps == [0.5]


def test_auth_answer_without_subject_token():
    cloud = Cloud()
    cloud.route("POST", TOKENS_URL, reply(200, {"token": {}}))
    client, _session, secrets = client_for(cloud)
    error = failing(client.authenticate)
    assert "without an X-Subject-Token header" in str(error) and "Keystone v3" in str(error)
    assert secrets == []


def test_auth_url_without_v3_and_trailing_slash():
    cloud = Cloud()
    client, session, _secrets = client_for(cloud, settings_of(auth=dict(
        settings_of().auth, auth_url="https://keystone.example:5000/")))
    client.authenticate()
    assert sent(session)[0]["url"] == TOKENS_URL


def test_endpoint_override_beats_the_catalog():
    cloud = Cloud(catalog=[])
    cloud.route("GET", "https://override.example:8443/v3/domain_usage", reply(200, {"x": 1}))
    client, _session, _secrets = client_for(cloud, quota_settings(endpoint_override="https://override.example:8443/v3/"))
    assert client.get("/v3/domain_usage") == {"x": 1}
    assert client.root("quota") == "https://override.example:8443"


@pytest.mark.parametrize("params, root", [
    ({"region_name": "RegionOne"}, "https://quota.example"),
    ({"region_name": "RegionOne", "interface": "internal"}, "http://quota.internal:9999"),
    ({"region_name": "RegionTwo"}, "https://quota-two.example"),
    ({"interface": "internal"}, "http://quota.internal:9999"),
])
def test_quota_endpoint_from_the_catalog(params, root):
    client, _session, _secrets = client_for(Cloud(), settings_of(service_type="quota", **params))
    assert client.root("quota") == root


def test_quota_endpoint_in_several_regions_needs_region_name():
    client, _session, _secrets = client_for(Cloud(), settings_of(service_type="quota"))
    error = failing(client.root, "quota")
    assert "several regions (RegionOne, RegionTwo)" in str(error)


def test_default_service_type_is_identity():
    cloud = Cloud()
    cloud.route("GET", "http://keystone.internal:5000/v3/domain_usage", reply(200, {"domain": {}}))
    client, _session, _secrets = client_for(cloud, settings_of(interface="internal"))
    assert client.settings.service_type == "identity"
    assert client.get("/v3/domain_usage") == {"domain": {}}


def test_custom_service_type():
    catalog = [{"type": "eos-quota", "endpoints": [endpoint("public", "https://eq.example/v3")]}]
    client, _session, _secrets = client_for(Cloud(catalog), settings_of(service_type="eos-quota"))
    assert client.root("quota") == "https://eq.example"


def test_no_quota_endpoint_lists_the_catalog():
    client, _session, _secrets = client_for(Cloud(), quota_settings(service_type="nope"))
    error = failing(client.root, "quota")
    assert "No nope endpoint" in str(error) and "quota public RegionTwo https://quota-two.example" in str(error)


@pytest.mark.parametrize("params, root", [
    ({"region_name": "RegionOne"}, "https://keystone.example:5000"),
    ({"region_name": "RegionOne", "interface": "internal"}, "http://keystone.internal:5000"),
    ({"region_name": "RegionTwo"}, "https://keystone.example:5000"),
    ({"region_name": "RegionTwo", "auth": dict(settings_of().auth, auth_url="https://id.example/identity/v3")},
     "https://id.example/identity"),
])
def test_identity_endpoint_falls_back_to_auth_url(params, root):
    catalog = [dict(CATALOG[0], endpoints=[endpoint("public", "https://keystone.example:5000/v3"),
                                           endpoint("internal", "http://keystone.internal:5000/v3/")])]
    client, _session, _secrets = client_for(Cloud(catalog), settings_of(**params))
    assert client.root("identity") == root


def test_roots_are_found_again_after_reauthentication():
    cloud = Cloud()
    cloud.route("GET", "https://quota.example/v3/x", reply(200, {}))
    client, _session, _secrets = client_for(cloud)
    client.root("quota")
    client._roots["quota"] = "https://stale.example"
    cloud.route("GET", "https://stale.example/v3/x", reply(401, UNAUTHORIZED))
    assert client.get("/v3/x") == {}
    assert client.root("quota") == "https://quota.example"


def test_empty_body_is_none_and_patch_is_idempotent():
    cloud = Cloud()
    cloud.route("PATCH", "https://quota.example/v3/domain_quotas/d1", reply(503), reply(200))
    client, session, _secrets = client_for(cloud)
    assert client.patch("/v3/domain_quotas/d1", {"domain": {"cores": 4}}) is None
    patches = sent(session, "PATCH")
    assert len(patches) == 2 and patches[1]["body"] == {"domain": {"cores": 4}}


def test_check_password():
    cloud = Cloud()
    cloud.route("POST", TOKENS_URL, reply(201, {}, {"X-Subject-Token": "probe-token"}), reply(401, UNAUTHORIZED),
                reply(201, {}))
    client, session, secrets = client_for(cloud)
    assert client.check_password("uid", PASSWORD) is True
    assert secrets == ["probe-token"]
    assert client.check_password("uid", "wrong") is False
    assert sent(session)[1]["body"]["auth"]["identity"]["password"]["user"] == {"id": "uid", "password": "wrong"}
    # A 2xx without a token is no successful login: a clean error, never "the password matches".
    error = failing(client.check_password, "uid", PASSWORD)
    assert "without an X-Subject-Token header" in str(error) and error.status == 201
    assert secrets == ["probe-token"]  # no empty "secret" (it would mask every character of the output)
    assert client.token is None
