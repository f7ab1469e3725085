"""Fixtures for the test bed's own tests: they need a bed that is up (``make bed-up``)."""
import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bedfixtures import bed  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import
from simulator.keystone import PAGE  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(autouse=True)
def fresh_quotas(bed):
    """Every test starts from the fixture's quota state with no fault armed."""
    bed.reset_quotas()
    yield
    bed.clear_faults()


@pytest.fixture()
def acme(bed):
    return bed.domains["acme"]


@pytest.fixture()
def keystone_domain_ids(bed):
    """A function that lists every domain ID asked of Keystone directly, not through the
    simulator's code (whose paging the tests check): pages of 1000 by marker, until a page
    comes back short, in Keystone's order (by ID)."""
    def list_ids():
        ids = []
        while True:
            params = {"limit": 1000}
            if ids:
                params["marker"] = ids[-1]
            response = bed.http.get(bed.keystone_url + "/v3/domains", params=params, timeout=30,
                                    headers={"X-Auth-Token": bed.token()})
            assert response.status_code == 200, response.text
            page = [domain["id"] for domain in response.json()["domains"]]
            ids += page
            if len(page) < 1000:
                return ids
    return list_ids


@pytest.fixture()
def last_domain(bed):
    """A new domain whose ID sorts after every ID Keystone generates, so it is on the last page
    of any listing by pages (where a paging bug loses domains); deleted afterwards."""
    domain_id = "ffffffff" + uuid.uuid4().hex[8:]
    created = bed.api("POST", "/v3/domains", json={"domain": {
        "name": "bed-last-" + domain_id[-12:], "explicit_domain_id": domain_id}})
    assert created.status_code == 201, created.text
    yield domain_id
    bed.api("PATCH", "/v3/domains/" + domain_id, json={"domain": {"enabled": False}})
    bed.api("DELETE", "/v3/domains/" + domain_id)


def page_for(count):
    """A page size that splits ``count`` domains into three pages or more, the last one short
    but not empty (it holds ``last_domain``), and into another number of pages than the
    simulator's default page size would: closest to a third of ``count`` first."""
    for page in sorted(range(2, count // 2 + 1), key=lambda size: abs(size - count // 3)):
        if count % page and count // page >= 2 and count // page != count // PAGE:
            return page
    raise AssertionError("no page size fits %d domains" % count)


@pytest.fixture()
def paged_domain_usage(bed, keystone_domain_ids):  # pylint: disable=redefined-outer-name
    """A function: GET /v3/domain_usage with the simulator's domain page set through the control
    API (page_for), so that it needs several pages. It returns the response, its request log
    record (``keystone_pages``, ``keystone_domains``), the domain IDs Keystone listed and the
    page size, retried while others create or delete domains meanwhile. A fresh bed gets a few
    more domains first (deleted afterwards); the page size goes back to the default."""
    extra = []
    while len(keystone_domain_ids()) < 7:  # the listing already holds the ones made here
        created = bed.api("POST", "/v3/domains", json={"domain": {
            "name": "bed-page-" + uuid.uuid4().hex[:12]}})
        assert created.status_code == 201, created.text
        extra.append(created.json()["domain"]["id"])

    def get(tries=5):
        for dummy in range(tries):
            ids = keystone_domain_ids()
            page = page_for(len(ids))
            assert bed.settings(domain_page=page)["domain_page"] == page
            mark = bed.log_mark()
            response = bed.api("GET", "/v3/domain_usage")
            if keystone_domain_ids() == ids:
                break
        else:
            raise AssertionError("the bed's domains kept changing during %d tries" % tries)
        assert response.status_code == 200, response.text
        request_id = response.headers["X-Openstack-Request-Id"]
        records = [r for r in bed.requests_since(mark) if r["request_id"] == request_id]
        assert len(records) == 1, "request %s not in the request log" % request_id
        return response, records[0], ids, page
    yield get
    bed.settings(domain_page=None)
    for domain_id in extra:
        bed.api("PATCH", "/v3/domains/" + domain_id, json={"domain": {"enabled": False}})
        bed.api("DELETE", "/v3/domains/" + domain_id)
