"""Reads of the bed's state that the tests of several files share (the integration and the
reliability suites): what was written, a domain's quotas as the server holds them, whether a
password logs a user in. Tests import these from here, never from one another."""

import contextlib
import uuid

WRITE_METHODS = ("PATCH", "PUT", "POST", "DELETE")


def writes(records):
    """The writes among request-log ``records`` (logins are not writes)."""
    return [r for r in records if r["method"] in WRITE_METHODS and r["path"] != "/v3/auth/tokens"]


def server_quotas(bed, domain="acme", region="RegionOne"):
    """The quotas the server holds for ``domain`` (a seeded domain's name, or any domain's ID)
    in ``region``, read straight from the bed."""
    response = bed.api("GET", "/v3/domain_quotas/" + bed.domains.get(domain, domain))
    assert response.status_code == 200, response.text
    return response.json()["domain"][region]["quotas"]


def can_log_in(bed, user_id, password):
    """Whether ``password`` logs the user in (an unscoped token), straight at the bed."""
    response = bed.http.post(bed.auth_url + "/auth/tokens", json={"auth": {"identity": {
        "methods": ["password"], "password": {"user": {"id": user_id, "password": password}}}}},
        timeout=10)
    return response.status_code == 201


@contextlib.contextmanager
def throwaway_user(bed, prefix, domain="acme"):
    """A user of the test's own in ``domain`` (``{id, name, password}``), deleted afterwards,
    so that tests never disturb the seeded ones."""
    name = prefix + uuid.uuid4().hex[:8]
    password = "Old-" + uuid.uuid4().hex
    created = bed.api("POST", "/v3/users", json={"user": {
        "name": name, "domain_id": bed.domains[domain], "password": password}}).json()["user"]
    try:
        yield {"id": created["id"], "name": name, "password": password}
    finally:
        bed.api("DELETE", "/v3/users/" + created["id"])
