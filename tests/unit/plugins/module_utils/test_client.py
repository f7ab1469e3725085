# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""EosClient: one login, endpoints from the catalog, one re-login on a stale token."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.easystack.eos.plugins.module_utils.auth import token_request
from ansible_collections.easystack.eos.plugins.module_utils.client import EXPIRED, MATCH, REFUSED, EosClient
from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
from ansible_collections.easystack.eos.tests.unit.plugins.module_utils.eos_fakes import (
    APP_SECRET, AUTH_URL, CATALOG, PASSWORD, TOKEN, TOKEN2, TOKENS_URL, UNAUTHORIZED, Cloud,
    assert_no_secret, endpoint, fake_session, quota_settings, reply, sent, settings_of)

SECRETS = (PASSWORD, TOKEN, TOKEN2, APP_SECRET)


def client_for(cloud, settings=None):
    secrets = []
    session = fake_session(cloud, settings or quota_settings())
    return EosClient(session.settings, session=session, on_secret=secrets.append), session, secrets


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
    assert len(session.adapter.sent) == 1
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
    ({"region_name": "RegionOne", "interface": "internal", "allow_http_endpoints": True},
     "http://quota.internal:9999"),
    ({"region_name": "RegionTwo"}, "https://quota-two.example"),
    ({"interface": "internal", "allow_http_endpoints": True}, "http://quota.internal:9999"),
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
    settings = settings_of(interface="internal", allow_http_endpoints=True)
    client, _session, _secrets = client_for(cloud, settings)
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
    ({"region_name": "RegionOne", "interface": "internal", "allow_http_endpoints": True},
     "http://keystone.internal:5000"),
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


@pytest.mark.parametrize("service, settings", [
    ("quota", quota_settings(interface="internal")),
    ("identity", settings_of(interface="internal")),
])
def test_an_http_catalog_endpoint_behind_an_https_auth_url_is_refused(service, settings):
    """The token (and a user's new password) would go in clear: nothing is sent there."""
    cloud = Cloud()
    client, session, _secrets = client_for(cloud, settings)
    error = failing(client.get, "/v3/domain_usage", service=service)
    assert "is plain http:// while auth_url %s is https://" % AUTH_URL in str(error)
    assert "allow_http_endpoints: true" in str(error)
    assert [entry["method"] for entry in session.adapter.sent] == ["POST"]  # the login only


def test_an_http_auth_url_may_have_http_endpoints():
    auth = dict(settings_of().auth, auth_url="http://keystone.example:5000/v3")
    client, _session, _secrets = client_for(Cloud(), quota_settings(auth=auth, interface="internal"))
    assert client.root("quota") == "http://quota.internal:9999"


@pytest.mark.parametrize("url, words", [
    ("https://quota.example/v3?q=1", "query string or fragment"),
    ("https://quota.example/v3#frag", "query string or fragment"),
    ("https://quota.example/v3?", "query string or fragment"),
    ("https://quota example/v3", "contains a space"),
    ("https://quota.example/\x1b[2Jv3", "control character"),
    ("ftp://quota.example/v3", "must start with https://"),
])
def test_a_catalog_url_that_would_send_requests_elsewhere_is_refused(url, words):
    url = url.replace("\\x1b", "\x1b")
    catalog = [{"type": "quota", "endpoints": [endpoint("public", url)]}]
    client, session, _secrets = client_for(Cloud(catalog), quota_settings())
    error = failing(client.get, "/v3/domain_usage")
    assert words in str(error) and "\x1b" not in str(error)
    assert len(session.adapter.sent) == 1  # the login; nothing went to that URL


@pytest.mark.parametrize("body", [
    {"token": "not-a-dict"}, {"token": {"catalog": {"a": 1}}}, {"token": {"catalog": ["x"]}},
    {"token": {"catalog": [{"type": "quota", "endpoints": [{"url": None}]}]}},
    {"token": {"roles": "admin"}}, ["a", "list"],
])
def test_a_token_answer_of_the_wrong_shape_is_a_clean_failure(body):
    cloud = Cloud()
    cloud.route("POST", TOKENS_URL, reply(201, body, {"X-Subject-Token": TOKEN}))
    client, _session, _secrets = client_for(cloud)
    error = failing(client.authenticate)
    assert str(error).startswith("POST %s: the answer's " % TOKENS_URL), str(error)
    assert "cannot be used" in str(error)


def test_patch_is_idempotent_and_retried():
    cloud = Cloud()
    cloud.route("PATCH", "https://quota.example/v3/domain_quotas/d1", reply(503), reply(200, {"domain": {}}))
    client, session, _secrets = client_for(cloud)
    assert client.patch("/v3/domain_quotas/d1", {"domain": {"cores": 4}}) == {"domain": {}}
    patches = sent(session, "PATCH")
    assert len(patches) == 2 and patches[1]["body"] == {"domain": {"cores": 4}}


@pytest.mark.parametrize("answer", [reply(200), reply(204), reply(200, raw=b"<html>ok</html>")])
def test_a_write_answer_that_cannot_be_read_may_have_been_applied(answer):
    """An empty or broken 2xx to a write: the server took it, so the task must not hide it."""
    cloud = Cloud()
    cloud.route("PATCH", "https://quota.example/v3/domain_quotas/d1", answer)
    client, _session, _secrets = client_for(cloud)
    error = failing(client.call, "PATCH", "/v3/domain_quotas/d1", body={"domain": {"cores": 4}},
                    expected=(200, 204))
    assert error.maybe_applied and error.fail_kwargs()["changed"] is True
    assert "the write may have been applied" in str(error)
    assert "service_type" not in str(error)


def test_an_empty_read_answer_is_none():
    cloud = Cloud()
    cloud.route("GET", "https://quota.example/v3/x", reply(200))
    client, _session, _secrets = client_for(cloud)
    assert client.get("/v3/x") is None


EXPIRED_401 = {"error": {"code": 401, "title": "Unauthorized", "message":
                         "The password is expired and needs to be changed for user: uid."}}


def test_password_check():
    cloud = Cloud()
    cloud.route("POST", TOKENS_URL, reply(201, {}, {"X-Subject-Token": "probe-token"}), reply(401, UNAUTHORIZED),
                reply(401, EXPIRED_401), reply(201, {}))
    client, session, secrets = client_for(cloud)
    assert client.password_check("uid", PASSWORD) == MATCH
    assert secrets == ["probe-token"]
    assert client.password_check("uid", "wrong") == REFUSED
    assert sent(session)[1]["body"]["auth"]["identity"]["password"]["user"] == {"id": "uid", "password": "wrong"}
    # Keystone checks the password before expiry: "expired" means it is the right one.
    assert client.password_check("uid", PASSWORD) == EXPIRED
    assert len(sent(session)) == 3  # one login per check, never retried on a 401
    # A 2xx without a token is no successful login: a clean error, never "the password matches".
    error = failing(client.password_check, "uid", PASSWORD)
    assert "without an X-Subject-Token header" in str(error) and error.status == 201
    assert secrets == ["probe-token"]  # no empty "secret" (it would mask every character of the output)
    assert client.token is None


@pytest.mark.parametrize("value", ["tok\r\nX-Evil: 1", "tok en", "x" * 9000, "t\u00e9"])
def test_a_token_that_cannot_go_back_in_a_header_is_refused_and_never_shown(value):
    cloud = Cloud()
    cloud.route("POST", TOKENS_URL, reply(201, {"token": {}}, {"X-Subject-Token": value}))
    client, _session, secrets = client_for(cloud)
    error = failing(client.authenticate)
    assert "unusable X-Subject-Token header" in str(error)
    assert value not in str(error) and secrets == [value]
