"""The simulated EOS quota API: shapes, round trips, validation, authorisation."""
import concurrent.futures
import json
import uuid

import pytest

BASE_ITEMS = {"instances", "cores", "ram", "backup_gigabytes", "backups", "network", "subnet",
              "floatingip", "router", "security_group", "security_group_rule", "port",
              "loadbalancer"}
CONTAINER_ITEMS = {"cpu", "pods", "memory", "gpu", "alcub_storage", "general_storage"}


def quotas_of(bed, domain_id, user="admin"):
    return bed.api("GET", "/v3/domain_quotas/" + domain_id, user=user)


def test_domain_quota_shape(bed, acme):
    response = quotas_of(bed, acme)
    assert response.status_code == 200
    regions = response.json()["domain"]
    assert set(regions) == {"RegionOne", "RegionTwo"}
    one = regions["RegionOne"]
    assert set(one) == {"usage", "quotas", "limits"}
    volume_items = {"%s_%s" % (p, t) for p in ("volumes", "gigabytes", "snapshots")
                    for t in ("hdd", "ssd")}
    assert set(one["quotas"]) == BASE_ITEMS | volume_items | CONTAINER_ITEMS
    assert set(one["usage"]) == set(one["quotas"]) == set(one["limits"])
    # RegionTwo: one volume type, no secure-container product installed.
    assert set(regions["RegionTwo"]["quotas"]) == BASE_ITEMS | {
        "volumes_hdd", "gigabytes_hdd", "snapshots_hdd"}


def test_values_keep_their_json_types(bed, acme):
    quotas = json.loads(quotas_of(bed, acme).text)["domain"]["RegionOne"]
    assert quotas["quotas"]["backup_gigabytes"] == 156.5
    # 31146.0 stays a float on the wire, 72 an integer, as in the API reference's samples.
    assert isinstance(quotas["quotas"]["ram"], float) and quotas["quotas"]["ram"] == 31146.0
    assert isinstance(quotas["quotas"]["cores"], int)
    assert quotas["quotas"]["cores"] == 72 and quotas["usage"]["cores"] == 20
    assert quotas["quotas"]["pods"] == -1 and quotas["limits"]["ram"] == -1
    assert quotas["limits"]["cores"] == 1000


def test_patch_round_trip_changes_only_named_items(bed, acme):
    before = quotas_of(bed, acme).json()["domain"]
    response = bed.api("PATCH", "/v3/domain_quotas/" + acme, json={
        "domain": {"region": "RegionOne", "cores": 100, "backup_gigabytes": 200.25,
                   "router": -1}})
    assert response.status_code == 200
    after = response.json()["domain"]
    assert after == quotas_of(bed, acme).json()["domain"]
    changed = {k: v for k, v in after["RegionOne"]["quotas"].items()
               if before["RegionOne"]["quotas"][k] != v}
    assert changed == {"cores": 100, "backup_gigabytes": 200.25, "router": -1}
    assert after["RegionTwo"] == before["RegionTwo"]
    assert after["RegionOne"]["usage"] == before["RegionOne"]["usage"]


def test_patch_another_region(bed, acme):
    response = bed.api("PATCH", "/v3/domain_quotas/" + acme,
                       json={"domain": {"region": "RegionTwo", "cores": 24}})
    assert response.json()["domain"]["RegionTwo"]["quotas"]["cores"] == 24
    assert response.json()["domain"]["RegionOne"]["quotas"]["cores"] == 72


def test_new_domain_gets_default_quotas(bed):
    created = bed.api("POST", "/v3/domains", json={"domain": {
        "name": "bed-new-" + uuid.uuid4().hex[:8]}}).json()["domain"]
    try:
        quotas = quotas_of(bed, created["id"]).json()["domain"]["RegionOne"]
        assert quotas["quotas"]["cores"] == 20 and quotas["quotas"]["volumes_ssd"] == 10
        assert quotas["usage"]["cores"] == 0
    finally:
        bed.api("PATCH", "/v3/domains/" + created["id"], json={"domain": {"enabled": False}})
        bed.api("DELETE", "/v3/domains/" + created["id"])


@pytest.mark.parametrize("body, fragment", [
    ({"domain": {"cores": 10}}, "'region' is required"),
    ({"domain": {"region": "Nowhere", "cores": 10}}, "Region 'Nowhere' does not exist"),
    ({"domain": {"region": "RegionOne", "bogus": 1}}, "unknown quota item 'bogus'"),
    ({"domain": {"region": "RegionTwo", "pods": 1}}, "unknown quota item 'pods'"),
    ({"domain": {"region": "RegionOne", "cores": -2}}, "below -1"),
    ({"domain": {"region": "RegionOne", "cores": "ten"}}, "is not a number"),
    ({"domain": {"region": "RegionOne", "cores": True}}, "is not a number"),
    ({"domain": {"region": "RegionOne", "cores": 1001}}, "above its limit 1000"),
    ({"domain": {"region": "RegionOne", "cores": -1}}, "above its limit 1000"),
    ({"region": "RegionOne", "cores": 1}, "request body must be"),
])
def test_patch_rejects_bad_input_and_writes_nothing(bed, acme, body, fragment):
    before = quotas_of(bed, acme).json()
    if isinstance(body.get("domain"), dict) and "cores" not in body["domain"]:
        body["domain"]["cores"] = 99  # a valid item beside the bad one must not be written
    response = bed.api("PATCH", "/v3/domain_quotas/" + acme, json=body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == 400 and error["title"] == "Bad Request"
    assert fragment in error["message"]
    assert quotas_of(bed, acme).json() == before


def test_unknown_domain_is_404(bed):
    response = quotas_of(bed, "no-such-domain")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "Could not find domain: no-such-domain."
    assert bed.api("PATCH", "/v3/domain_quotas/no-such-domain",
                   json={"domain": {"region": "RegionOne"}}).status_code == 404


@pytest.mark.parametrize("headers", [{}, {"X-Auth-Token": "not-a-token"}])
def test_missing_or_bad_token_is_401(bed, acme, headers):
    for method, path in (("GET", "/v3/domain_quotas/" + acme), ("GET", "/v3/domain_usage"),
                         ("PATCH", "/v3/domain_quotas/" + acme)):
        response = bed.http.request(method, bed.url + path, headers=headers, timeout=10,
                                    json={"domain": {"region": "RegionOne"}})
        assert response.status_code == 401
        assert response.json()["error"]["title"] == "Unauthorized"


def test_member_is_403_for_reads_and_writes(bed, acme):
    for method, path in (("GET", "/v3/domain_quotas/" + acme), ("GET", "/v3/domain_usage"),
                         ("PATCH", "/v3/domain_quotas/" + acme)):
        response = bed.api(method, path, user="alice",
                           json={"domain": {"region": "RegionOne", "cores": 1}})
        assert response.status_code == 403
        assert response.json()["error"]["title"] == "Forbidden"
    assert quotas_of(bed, acme).json()["domain"]["RegionOne"]["quotas"]["cores"] == 72


def test_other_methods_are_405(bed, acme):
    response = bed.api("PUT", "/v3/domain_quotas/" + acme, json={})
    assert response.status_code == 405
    assert response.json()["error"]["code"] == 405


def test_every_response_carries_a_request_id(bed, acme):
    for response in (quotas_of(bed, acme), quotas_of(bed, "nope"), bed.login("alice"),
                     bed.http.get(bed.url + "/v3", timeout=10)):
        assert response.headers["X-Openstack-Request-Id"].startswith("req-")
        assert response.headers["RequestId"] == response.headers["X-Openstack-Request-Id"]


def test_domain_usage_aggregates_all_domains(
        bed, paged_domain_usage, keystone_domain_ids, last_domain):
    # An allocation on the last page, and the simulator paging the domains in three pages or
    # more (conftest): a domain_usage that loses a page, or reads one twice, cannot add up to
    # the sum of the domains Keystone itself lists (not the simulator's own paging code).
    bed.set_domain_values(last_domain, "RegionOne", allocated={"cores": 7919})
    for dummy in range(3):  # again while others create or delete domains meanwhile
        response, dummy_record, domains, dummy_page = paged_domain_usage()
        answers = [quotas_of(bed, d) for d in domains]
        if {a.status_code for a in answers} == {200} and keystone_domain_ids() == domains:
            break
    else:
        raise AssertionError("the bed's domains kept changing during 3 tries")
    platform = response.json()["domain"]
    assert set(platform) == {"RegionOne", "RegionTwo"}
    one = platform["RegionOne"]
    assert set(one) == {"usage", "allocated", "quotas", "limits", "quota_fake"}
    # The platform quota is the default domain's quota.
    default = quotas_of(bed, "default").json()["domain"]["RegionOne"]
    assert one["quotas"] == default["quotas"] and one["limits"] == default["limits"]
    # Allocated is the sum of every domain's allocation ('usage' in the domain view).
    views = [answer.json()["domain"]["RegionOne"]["usage"] for answer in answers]
    assert one["allocated"] == {item: sum(v[item] for v in views) for item in one["allocated"]}
    assert one["allocated"]["cores"] >= 7919
    # Really used, from the fixture: Default 1 + acme 8 + globex 28 cores.
    assert one["usage"]["cores"] == 37
    # Container items are reported with used = 0 even where a domain's fixture says otherwise.
    assert {one["usage"][item] for item in CONTAINER_ITEMS} == {0}
    assert one["allocated"]["gigabytes_ssd"] == 1024


def test_domain_usage_follows_patches(bed, acme):
    bed.set_domain_values(acme, "RegionOne", allocated={"cores": 50})
    allocated = bed.api("GET", "/v3/domain_usage").json()["domain"]["RegionOne"]["allocated"]
    assert allocated["cores"] == 2 + 50 + 30


def test_region_without_containers_drops_their_items(bed, acme):
    bed.set_region("RegionOne", containers=False)
    try:
        quotas = quotas_of(bed, acme).json()["domain"]["RegionOne"]["quotas"]
        assert not CONTAINER_ITEMS & set(quotas)
    finally:
        bed.reset_quotas()
    assert CONTAINER_ITEMS <= set(quotas_of(bed, acme).json()["domain"]["RegionOne"]["quotas"])


def test_parallel_patches_to_different_domains_all_land(bed):
    names = ["bed-par-%02d-%s" % (i, uuid.uuid4().hex[:6]) for i in range(12)]
    ids = [bed.api("POST", "/v3/domains", json={"domain": {"name": n}}).json()["domain"]["id"]
           for n in names]
    try:
        def patch(index):
            return bed.api("PATCH", "/v3/domain_quotas/" + ids[index], json={"domain": {
                "region": "RegionOne", "cores": 100 + index, "ram": 1000.5 + index}}).status_code

        with concurrent.futures.ThreadPoolExecutor(12) as pool:
            assert set(pool.map(patch, range(len(ids)))) == {200}
        for index, domain_id in enumerate(ids):
            quotas = quotas_of(bed, domain_id).json()["domain"]["RegionOne"]["quotas"]
            assert (quotas["cores"], quotas["ram"]) == (100 + index, 1000.5 + index)
    finally:
        for domain_id in ids:
            bed.api("PATCH", "/v3/domains/" + domain_id, json={"domain": {"enabled": False}})
            bed.api("DELETE", "/v3/domains/" + domain_id)


def test_parallel_patches_to_one_domain_keep_every_item(bed, acme):
    items = ["instances", "router", "port", "subnet", "network", "backups", "floatingip",
             "loadbalancer"]

    def patch(item):
        return bed.api("PATCH", "/v3/domain_quotas/" + acme, json={"domain": {
            "region": "RegionOne", item: 777}}).status_code

    with concurrent.futures.ThreadPoolExecutor(len(items)) as pool:
        assert set(pool.map(patch, items)) == {200}
    quotas = quotas_of(bed, acme).json()["domain"]["RegionOne"]["quotas"]
    assert {item: quotas[item] for item in items} == dict.fromkeys(items, 777)
