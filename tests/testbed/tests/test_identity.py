"""Keystone through the EOS endpoint: tokens, catalog, proxied identity API."""
import time
import uuid


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


def test_the_simulator_lists_every_domain_past_a_page(bed, paged_domain_usage, last_domain):
    """domain_usage sums over all domains; unpaged, Keystone stops at 1000 without saying so.

    The running simulator's page size is set through the control API (PUT /_bed/settings), and
    its request log says how many pages it fetched and how many domains they held."""
    # An allocation only the last page holds (this domain's ID sorts last).
    bed.set_domain_values(last_domain, "RegionOne", allocated={"cores": 7919})
    response, record, ids, page = paged_domain_usage()
    assert len(ids) == len(set(ids)) and {"default", last_domain} <= set(ids)
    # Keystone links a next page while a page is full; the last page here is short (page_for).
    assert len(ids) % page and len(ids) // page >= 2
    assert (record["keystone_domains"], record["keystone_pages"]) == (len(ids), len(ids) // page + 1)
    assert response.json()["domain"]["RegionOne"]["allocated"]["cores"] >= 7919
    assert bed.settings(domain_page=None)["domain_page"] is None  # the default again
