# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Finding domains and users by name or ID."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.easystack.eos.plugins.module_utils.client import EosClient
from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
from ansible_collections.easystack.eos.plugins.module_utils.lookups import (
    all_domains, find_domain, find_domains, find_user, resolve_domains)
from ansible_collections.easystack.eos.tests.unit.plugins.module_utils.eos_fakes import (
    TOKEN, assert_no_secret, fake_session, reply, settings_of)

ROOT = "https://keystone.example:5000"
ACME_ID = "a75d0759a1e543a1b8d0efb56d0239ab"
BOB_ID = "0123456789abcdef0123456789abcdef"
NOT_FOUND = {"error": {"code": 404, "title": "Not Found", "message": "Could not find it."}}


class FakeClient:
    """Answers ``get`` from a dict of path -> body; a missing ID path gives Keystone's 404 body."""

    def __init__(self, answers):
        self.answers = answers
        self.calls = []

    def get(self, path, service="quota", expected=(200,)):
        self.calls.append(path)
        assert service == "identity"
        if path in self.answers:
            return self.answers[path]
        if "?" in path:
            return {path.split("?")[0].rsplit("/", 1)[-1]: []}
        assert 404 in expected, "a by-ID lookup must accept 404"
        return NOT_FOUND

    def root(self, service):
        return ROOT


ACME = {"id": ACME_ID, "name": "acme"}
BOB = {"id": BOB_ID, "name": "bob", "domain_id": ACME_ID}


def test_domain_by_name_is_one_request():
    client = FakeClient({"/v3/domains?name=acme": {"domains": [ACME]}})
    assert find_domain(client, "acme") == ACME
    assert client.calls == ["/v3/domains?name=acme"]


def test_domain_by_id_looking_value_is_one_request():
    client = FakeClient({"/v3/domains/" + ACME_ID: {"domain": ACME}})
    assert find_domain(client, ACME_ID) == ACME
    assert client.calls == ["/v3/domains/" + ACME_ID]


def test_default_domain_id():
    client = FakeClient({"/v3/domains/default": {"domain": {"id": "default", "name": "Default"}}})
    assert find_domain(client, "default")["name"] == "Default"
    assert client.calls == ["/v3/domains/default"]


def test_domain_named_like_an_id():
    client = FakeClient({"/v3/domains?name=" + ACME_ID: {"domains": [{"id": "other", "name": ACME_ID}]}})
    assert find_domain(client, ACME_ID)["id"] == "other"
    assert client.calls == ["/v3/domains/" + ACME_ID, "/v3/domains?name=" + ACME_ID]


def test_domain_name_falls_back_to_id():
    client = FakeClient({"/v3/domains/my-domain-id": {"domain": {"id": "my-domain-id", "name": "x"}}})
    assert find_domain(client, "my-domain-id")["name"] == "x"
    assert client.calls == ["/v3/domains?name=my-domain-id", "/v3/domains/my-domain-id"]


def test_domain_not_found():
    client = FakeClient({})
    with pytest.raises(EosError) as info:
        find_domain(client, "nope")
    assert str(info.value) == "Domain 'nope' not found (by name or ID) at %s" % ROOT
    # by name, by ID, then (only because it failed) one page of names to suggest from
    assert client.calls == ["/v3/domains?name=nope", "/v3/domains/nope", "/v3/domains?limit=1000"]


def test_a_misspelt_domain_gets_the_closest_name():
    listing = {"domains": [ACME, {"id": "f" * 32, "name": "globex"}], "links": {}}
    client = FakeClient({"/v3/domains?limit=1000": listing})
    with pytest.raises(EosError) as info:
        find_domain(client, "acmee")
    assert str(info.value) == "Domain 'acmee' not found (by name or ID) at %s (did you mean " \
        "'acme'?)" % ROOT
    client = FakeClient({"/v3/domains?limit=1000": listing})
    with pytest.raises(EosError) as info:
        find_domains(client, ["acme", "glebex", "zzz"])
    assert str(info.value).endswith(": 'glebex': not found (by name or ID) at %s (did you mean "
                                    "'globex'?); 'zzz': not found (by name or ID) at %s"
                                    % (ROOT, ROOT))
    assert client.calls == ["/v3/domains?limit=1000"]  # the listing served the hints too


def test_domain_name_is_quoted():
    odd = {"id": ACME_ID, "name": "a b&c/d"}
    client = FakeClient({"/v3/domains?name=a%20b%26c%2Fd": {"domains": [odd]}})
    assert find_domain(client, "a b&c/d") == odd


def test_ambiguous_name():
    client = FakeClient({"/v3/domains?name=dup": {"domains": [{"id": "d1", "name": "dup"}, {"id": "d2", "name": "dup"}]}})
    with pytest.raises(EosError) as info:
        find_domain(client, "dup")
    assert "name 'dup' is ambiguous: 2 matches (d1, d2); use the ID" in str(info.value)


def test_user_by_name_within_domain():
    client = FakeClient({"/v3/users?name=bob&domain_id=" + ACME_ID: {"users": [BOB]}})
    assert find_user(client, "bob", ACME_ID) == BOB
    assert client.calls == ["/v3/users?name=bob&domain_id=" + ACME_ID]


def test_user_by_id():
    client = FakeClient({"/v3/users/" + BOB_ID: {"user": BOB}})
    assert find_user(client, BOB_ID, ACME_ID) == BOB
    assert client.calls == ["/v3/users/" + BOB_ID]


def test_user_by_id_is_taken_in_any_domain_and_a_name_is_never_tried_as_an_id():
    # ``domain`` applies to names (as documented): an ID is the user, wherever it lives
    client = FakeClient({"/v3/users/" + BOB_ID: {"user": dict(BOB, domain_id="elsewhere")}})
    assert find_user(client, BOB_ID, "acme")["domain_id"] == "elsewhere"
    assert client.calls == ["/v3/users/" + BOB_ID]  # the domain was not even looked up
    client = FakeClient({"/v3/domains?name=acme": {"domains": [ACME]}})
    with pytest.raises(EosError) as info:
        find_user(client, "bob-id", "acme")
    assert str(info.value) == "User 'bob-id' not found by name in domain 'acme'"
    assert client.calls == ["/v3/domains?name=acme", "/v3/users?name=bob-id&domain_id=" + ACME_ID]


def test_user_not_found_and_ambiguous():
    twins = [{"id": "u1", "name": "dup", "domain_id": "d"}, {"id": "u2", "name": "dup", "domain_id": "d"}]
    client = FakeClient({"/v3/users?name=dup&domain_id=d": {"users": twins},
                         "/v3/domains?name=d": {"domains": [{"id": "d", "name": "d"}]}})
    with pytest.raises(EosError) as info:
        find_user(client, BOB_ID, ACME_ID)
    assert str(info.value) == "User '%s' not found by ID, nor by name in domain '%s'" % (BOB_ID, ACME_ID)
    with pytest.raises(EosError) as info:
        find_user(client, "dup", "d")
    assert "User name 'dup' is ambiguous: 2 matches (u1, u2)" in str(info.value)


def test_lookup_through_the_real_client_accepts_404():
    def handler(request):
        if request.method == "POST":
            return reply(201, {"token": {"catalog": []}}, {"X-Subject-Token": TOKEN})
        if request.url == ROOT + "/v3/domains/" + ACME_ID:
            return reply(404, NOT_FOUND)
        if request.url == ROOT + "/v3/domains?name=" + ACME_ID:
            return reply(200, {"domains": []})
        return reply(500, {"error": {"message": "unexpected %s" % request.url}})
    session = fake_session(handler, settings_of(region_name="RegionOne"))
    client = EosClient(session.settings, session=session)
    with pytest.raises(EosError) as info:
        find_domain(client, ACME_ID)
    assert str(info.value) == "Domain '%s' not found (by name or ID) at %s" % (ACME_ID, ROOT)
    assert_no_secret(info.value)
    # login, by ID (404 accepted), by name, and the listing for hints (its 500 gives no hint,
    # never another error)
    assert session.requests_sent == 4


@pytest.mark.parametrize("body, words", [
    ({"domains": "acme"}, "the answer's domains is str"),
    ({"domains": None}, "the answer's domains is null"),
    ({}, "the answer's domains is null"),
    ({"domains": [None]}, "the answer's domains[0] is null"),
    ({"domains": [{"name": "acme"}]}, "the answer's domains[0].id is null"),
    ({"domains": [{"id": 5, "name": "acme"}]}, "the answer's domains[0].id is int"),
    (["x"], "the answer's body is a JSON list"),
])
def test_a_lookup_answer_of_the_wrong_shape_fails_naming_the_request(body, words):
    client = FakeClient({"/v3/domains?name=acme": body})
    with pytest.raises(EosError) as info:
        find_domain(client, "acme")
    assert str(info.value).startswith("GET %s/v3/domains?name=acme: " % ROOT)
    assert words in str(info.value)


def test_ids_in_an_ambiguity_message_are_cleaned():
    client = FakeClient({"/v3/users?name=dup&domain_id=" + ACME_ID: {"users": [
        {"id": "u1\x1b[2J\r\nok: [localhost]", "name": "dup", "domain_id": ACME_ID},
        {"id": "u2", "name": "dup", "domain_id": ACME_ID}]}})
    with pytest.raises(EosError) as info:
        find_user(client, "dup", ACME_ID)
    assert str(info.value).startswith("User name 'dup' is ambiguous")
    assert "\x1b" not in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("path, call, found", [
    ("/v3/users?name=&domain_id=" + ACME_ID, lambda client: find_user(client, "", ACME_ID), "bob"),
    ("/v3/users?name=bob&domain_id=" + ACME_ID, lambda client: find_user(client, "bob", ACME_ID),
     "Bob"),
    ("/v3/domains?name=acme", lambda client: find_domain(client, "acme"), "ACME"),
])
def test_a_match_that_does_not_carry_exactly_the_name_is_never_used(path, call, found):
    """A server that ignores the filter answered with its first user: resetting that one's
    password would be the wrong user's."""
    collection = "users" if "users" in path else "domains"
    client = FakeClient({path: {collection: [{"id": "x1", "name": found, "domain_id": ACME_ID}]}})
    with pytest.raises(EosError) as info:
        call(client)
    assert "answered another %s than the one asked for: asked name" % collection[:-1] \
        in str(info.value)
    assert "got %s '%s' (id x1" % (collection[:-1], found) in str(info.value)
    assert "nothing it names is acted on" in str(info.value)


def test_all_domains_follows_the_pages():
    page_one = {"domains": [{"id": "d%d" % n, "name": "n%d" % n} for n in range(3)],
                "links": {"next": "https://k/v3/domains?limit=1000&marker=d2"}}
    page_two = {"domains": [{"id": "d3", "name": "n3"}], "links": {"next": None}}
    client = FakeClient({"/v3/domains?limit=1000": page_one,
                         "/v3/domains?limit=1000&marker=d2": page_two})
    assert [domain["id"] for domain in all_domains(client)] == ["d0", "d1", "d2", "d3"]
    assert client.calls == ["/v3/domains?limit=1000", "/v3/domains?limit=1000&marker=d2"]


def test_find_domains_lists_every_unknown_name_at_once():
    client = FakeClient({"/v3/domains?limit=1000": {"domains": [ACME], "links": {"next": None}}})
    with pytest.raises(EosError) as info:
        find_domains(client, ["acme", "nope", "acme", "gone"])
    assert str(info.value).startswith("2 of 3 domains cannot be used: 'nope': not found (by name "
                                      "or ID) at %s; 'gone': not found" % ROOT)
    assert client.calls == ["/v3/domains?limit=1000"]  # one listing instead of three lookups


def test_one_domain_is_one_lookup_not_a_listing():
    client = FakeClient({"/v3/domains?name=acme": {"domains": [ACME]}})
    assert find_domains(client, ["acme", "acme"]) == {"acme": ACME}
    assert client.calls == ["/v3/domains?name=acme"]


GLOBEX = {"id": "f" * 32, "name": "globex"}
ODD = {"id": "odd-id", "name": "odd"}


def test_a_listing_settles_names_and_ids_as_lookups_would():
    named_like_acmes_id = {"id": "c" * 32, "name": ACME_ID}
    client = FakeClient({"/v3/domains?limit=1000": {
        "domains": [ACME, GLOBEX, ODD, named_like_acmes_id], "links": {}}})
    found = find_domains(client, ["globex", ACME_ID, "f" * 32, "odd-id", "acme"])
    assert found == {"globex": GLOBEX, ACME_ID: ACME, "f" * 32: GLOBEX, "odd-id": ODD,
                     "acme": ACME}
    assert client.calls == ["/v3/domains?limit=1000"]


def test_a_listing_longer_than_the_lookups_stops_and_the_rest_are_looked_up():
    page_one = {"domains": [ACME], "links": {"next": "https://k/v3/domains?marker=x"}}
    client = FakeClient({"/v3/domains?limit=1000": page_one,
                         "/v3/domains?name=globex": {"domains": [GLOBEX]},
                         "/v3/domains/" + "f" * 32: {"domain": GLOBEX}})
    # two entries: at most one page; acme is settled by it, globex needs its own lookup
    assert find_domains(client, ["acme", "globex"]) == {"acme": ACME, "globex": GLOBEX}
    assert client.calls == ["/v3/domains?limit=1000", "/v3/domains?name=globex"]
    # from a partial listing, a name matching only an ID is not taken: its name may come later
    client = FakeClient({"/v3/domains?limit=1000": {"domains": [ODD],
                                                    "links": {"next": "https://k/next"}},
                         "/v3/domains?name=acme": {"domains": [ACME]},
                         "/v3/domains/odd-id": {"domain": ODD}})
    assert find_domains(client, ["odd-id", "acme"]) == {"odd-id": ODD, "acme": ACME}
    assert client.calls == ["/v3/domains?limit=1000", "/v3/domains?name=odd-id",
                            "/v3/domains/odd-id", "/v3/domains?name=acme"]


def test_an_ambiguous_name_in_a_listing_fails():
    twin = {"id": "e" * 32, "name": "acme"}
    client = FakeClient({"/v3/domains?limit=1000": {"domains": [ACME, twin], "links": {}}})
    with pytest.raises(EosError) as info:
        find_domains(client, ["acme", "globex"])
    assert "'acme': the name is ambiguous: 2 domains" in str(info.value)


def test_a_listing_that_never_ends_is_refused(monkeypatch):
    monkeypatch.setattr("ansible_collections.easystack.eos.plugins.module_utils.eos_api.MAX_PAGES", 3)

    class Endless(FakeClient):
        def get(self, path, service="quota", expected=(200,)):
            self.calls.append(path)
            return {"domains": [{"id": "d%d" % len(self.calls), "name": "n"}],
                    "links": {"next": "https://k/more"}}

    client = Endless({})
    with pytest.raises(EosError) as info:
        all_domains(client)
    assert "still more domains after 3 pages" in str(info.value)
    assert len(client.calls) == 3


def test_every_entry_is_tried_but_a_broken_server_stops_at_the_first():
    """Problems of an entry (not found, another object answered) are collected for all entries;
    a failure of the server itself (here a 503 after retries) would fail every entry alike, each
    after its own retries, so it ends the lookups at once."""
    class Failing(FakeClient):
        def get(self, path, service="quota", expected=(200,)):
            if "name=down" in path:
                self.calls.append(path)
                raise EosError("GET %s answered HTTP 503" % path, status=503, url=ROOT + path)
            return super(Failing, self).get(path, service, expected)

    partial = {"domains": [GLOBEX], "links": {"next": "https://k/v3/domains?marker=f"}}
    client = Failing({"/v3/domains?limit=1000": partial,
                      "/v3/domains?name=wrong": {"domains": [dict(ACME, name="wrong-one")]}})
    found, problems = resolve_domains(client, ["wrong", "nope"])  # a page read: not complete
    assert found == {}
    assert "answered another domain than the one asked for" in problems["wrong"]
    assert problems["nope"].startswith("not found (by name or ID)")
    client = Failing({"/v3/domains?limit=1000": partial})
    with pytest.raises(EosError) as info:
        resolve_domains(client, ["down", "other"])
    assert info.value.status == 503
    assert client.calls == ["/v3/domains?limit=1000", "/v3/domains?name=down"], client.calls
