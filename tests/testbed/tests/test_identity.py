"""Keystone through the EOS endpoint: tokens, catalog, proxied identity API."""
import time
import uuid

from simulator import keystone  # tests/testbed is on the path (conftest)


def test_project_scoped_token(bed):
    response = bed.login("admin")
    assert response.status_code == 201
    token = response.json()["token"]
    assert token["project"]["name"] == "admin"
    assert {role["name"] for role in token["roles"]} >= {"admin", "member", "reader"}
    assert response.headers["X-Subject-Token"]


def test_catalog_names_the_eos_endpoint(bed):
    catalog = bed.login("admin").json()["token"]["catalog"]
    by_type = {service["type"]: service["endpoints"] for service in catalog}
    identity = {(e["interface"], e["region"]): e["url"] for e in by_type["identity"]}
    assert identity == {(i, "RegionOne"): bed.url + "/v3" for i in ("public", "internal", "admin")}
    quota = {(e["interface"], e["region"]): e["url"] for e in by_type["eos-quota"]}
    assert quota == {(i, r): bed.url for i in ("public", "internal", "admin")
                     for r in ("RegionOne", "RegionTwo")}


def test_member_token_has_no_admin_role(bed):
    token = bed.login("alice").json()["token"]
    assert "admin" not in {role["name"] for role in token["roles"]}


def test_wrong_password_is_401_in_api_error_format(bed):
    response = bed.login("alice", password="not-the-password")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == 401
    assert response.headers["X-Openstack-Request-Id"] == response.headers["RequestId"]


def test_version_discovery_links_name_the_eos_endpoint(bed):
    response = bed.http.get(bed.auth_url, timeout=10)
    assert response.status_code == 200
    assert response.json()["version"]["links"][0]["href"].startswith(bed.url + "/v3")


def test_proxy_users_and_domains(bed):
    users = bed.api("GET", "/v3/users", params={"name": "alice",
                                                "domain_id": bed.domains["acme"]}).json()["users"]
    assert [u["id"] for u in users] == [bed.users["alice"]["id"]]
    name = "bed-test-" + uuid.uuid4().hex[:8]
    created = bed.api("POST", "/v3/domains", json={"domain": {"name": name}})
    assert created.status_code == 201
    domain_id = created.json()["domain"]["id"]
    assert bed.api("GET", "/v3/domains/" + domain_id).json()["domain"]["name"] == name
    assert bed.api("PATCH", "/v3/domains/" + domain_id,
                   json={"domain": {"enabled": False}}).status_code == 200
    assert bed.api("DELETE", "/v3/domains/" + domain_id).status_code == 204
    assert bed.api("GET", "/v3/domains/" + domain_id).status_code == 404


def test_admin_password_reset_through_proxy(bed):
    """PATCH /v3/users/{id}: the new password works, the old one does not."""
    user = bed.api("POST", "/v3/users", json={"user": {
        "name": "bed-pw-" + uuid.uuid4().hex[:8], "domain_id": "default",
        "password": "first-Secret-1"}}).json()["user"]
    response = bed.api("PATCH", "/v3/users/" + user["id"],
                       json={"user": {"password": "second-Secret-2"}})
    assert response.status_code == 200
    assert "password" not in response.json()["user"]
    # A password change writes a revocation event with one-second granularity.
    time.sleep(1.1)

    def unscoped(password):
        return bed.http.post(bed.auth_url + "/auth/tokens", json={"auth": {"identity": {
            "methods": ["password"], "password": {"user": {
                "id": user["id"], "password": password}}}}}, timeout=10).status_code

    assert unscoped("second-Secret-2") == 201
    assert unscoped("first-Secret-1") == 401
    bed.api("DELETE", "/v3/users/" + user["id"])


def test_the_simulator_lists_every_domain_past_a_page(bed, monkeypatch):
    """domain_usage sums over all domains; unpaged, Keystone stops at 1000 without saying so."""
    token = bed.token()
    for dummy in range(3):  # enough for three pages even on a fresh bed
        name = "bed-page-" + uuid.uuid4().hex[:12]
        assert bed.api("POST", "/v3/domains", json={"domain": {"name": name}}).status_code == 201
    client = keystone.Keystone(bed.keystone_url)
    whole = client.domains(token)
    ids = [domain["id"] for domain in whole]
    assert len(ids) == len(set(ids)) and "default" in ids
    monkeypatch.setattr(keystone, "PAGE", max(2, len(ids) // 3))
    assert [domain["id"] for domain in client.domains(token)] == ids
    unpaged = bed.api("GET", "/v3/domains").json()["domains"]
    if len(unpaged) < 1000:  # a fresh bed: the unpaged list is complete, compare with it
        assert sorted(domain["id"] for domain in unpaged) == sorted(ids)
    else:  # a long-lived bed: exactly what the fix is for
        assert len(ids) > len(unpaged)
