# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""FakeEos: the one fake cloud of the module tests, Keystone and the EOS quota API over one
state (departments, users, their passwords), with faults and a record of what was sent.

A test gets one from the ``fake_eos`` fixture (tests/unit/plugins/conftest.py):
``fake_eos(departments=..., users=..., ...)`` builds it and plugs it in with ``eos_fakes.serve``,
so that every EosSession of the module run answers from it.

What it answers (every URL under ROOT; an ID in a path is matched as sent, not unquoted):

- ``POST /v3/auth/tokens``: with a ``scope``, the administrator's login: 201 with the next of
  ``tokens`` (each login takes the next; none left: 401), or TOKEN every time when ``tokens`` is
  None, and a catalog of an identity service in each of ``catalog_regions``. Without a scope, a
  user's login, by ID: 201 (USER_TOKEN) when the user exists, is enabled and the password is its
  stored one; 401 otherwise, or when the password has expired (``expired``) or a second factor is
  needed (``mfa``: a receipt). ``words`` holds the messages of those 401s.
- ``GET /v3/domains?name=X`` (the departments of that name), ``GET /v3/domains?limit=N`` (all,
  one page), ``GET /v3/domains/<id>``.
- ``GET /v3/users?name=X&domain_id=Y``, ``GET /v3/users/<id>``, ``PATCH /v3/users/<id>`` (stores
  the new password: it is no longer expired).
- ``GET /v3/domain_quotas/<id>``: ``{"domain": regions}``; ``PATCH`` applies the body's items to
  the region it names (except those in ``ignore``, as a server that does not take them) and
  answers all regions. ``GET /v3/domain_usage``: ``usage``, the platform's view.

``check_tokens``: a request with another token than the last login's is refused (401), and
``revoke_token()`` makes the current one refused until the next login.

``faults``: ``{(method, path): answer}``, the path as sent below ROOT (query included). The
answer replaces the normal one for that request: a ``reply(...)``, an exception to raise (no
answer), or a callable ``(fake, request)`` returning either; ``fake.answer(request)`` is the
normal answer, so a fault can let the server act and then lose or spoil its answer.

Recorded: ``sent``, ``(method, url, body)`` of every request in order (``patches()``,
``checks()``, ``routes()``, ``count(method, fragment)`` read it, ``clear()`` empties it);
``most_in_flight``, the most requests answered at the same time (each takes ``delay`` seconds).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json
import threading
import time

from urllib.parse import parse_qs, urlsplit

from ansible_collections.easystack.eos.tests.unit.plugins.module_utils.eos_fakes import (
    AUTH_URL, TOKEN, UNAUTHORIZED, endpoint, reply)

ROOT = AUTH_URL[:-len("/v3")]
USER_TOKEN = "gAAAAA-a-users-own-token-987"
WORDS = {
    "refused": UNAUTHORIZED["error"]["message"],
    "expired": "The password is expired and needs to be changed for user: {user}.",
}


def department(name, regions=None, enabled=True):
    """A department (Keystone domain) of FakeEos: its name and its quota API regions,
    ``{region: {"quotas": {...}, "usage": {...}, "limits": {...}}}``."""
    return {"name": name, "enabled": enabled, "regions": copy.deepcopy(regions or {})}


class FakeEos:
    """Keystone and the EOS quota API over ``departments`` (``{id: department(...)}``) and
    ``users`` (``{id: Keystone user}``, their passwords in ``passwords``); see the module's
    docstring for what it answers."""

    def __init__(self, departments=None, users=None, passwords=None, tokens=None,
                 catalog_regions=("RegionOne",), check_tokens=False, ignore=(), usage=None,
                 faults=None, delay=0.0, expired=(), mfa=(), words=None):
        self.departments = copy.deepcopy(departments or {})
        self.users = copy.deepcopy(users or {})
        self.passwords = dict(passwords or {})
        self.tokens = None if tokens is None else list(tokens)
        self.catalog_regions = catalog_regions
        self.check_tokens = check_tokens
        self.ignore = ignore
        self.usage = copy.deepcopy(usage)
        self.faults = dict(faults or {})
        self.delay = delay
        self.expired, self.mfa = set(expired), set(mfa)
        self.words = dict(WORDS, **(words or {}))
        self.valid = None  # the token of the last administrator's login
        self.sent = []
        self.in_flight = self.most_in_flight = 0
        self.lock = threading.Lock()

    # -- the one department's and the one user's state, for the tests of one --

    @property
    def regions(self):
        """The regions of the only department."""
        (only,) = self.departments.values()
        return only["regions"]

    @regions.setter
    def regions(self, regions):
        (only,) = self.departments.values()
        only["regions"] = regions

    @property
    def password(self):
        """The stored password of the only user."""
        (only,) = self.users
        return self.passwords.get(only)

    @password.setter
    def password(self, password):
        (only,) = self.users
        self.passwords[only] = password

    def quotas(self, department_id, region="RegionOne"):
        """A department's quotas in one region, as they are now."""
        return self.departments[department_id]["regions"][region]["quotas"]

    def revoke_token(self):
        """Every token in use is refused (with check_tokens) until a new login."""
        self.valid = "revoked"

    # -- what was sent --

    def patches(self):
        return [body for method, url, body in self.sent if method == "PATCH"]

    def checks(self):
        """The logins as a user (not as the administrator)."""
        return [body for method, url, body in self.sent
                if method == "POST" and "scope" not in body["auth"]]

    def routes(self):
        """``(method, path)`` of every request but the logins."""
        return [(method, url[len(ROOT):]) for method, url, body in self.sent if method != "POST"]

    def count(self, method, fragment=""):
        return len([1 for sent, url, body in self.sent if sent == method and fragment in url])

    def clear(self):
        del self.sent[:]

    # -- answering --

    def handle(self, request):
        """The handler ``eos_fakes.serve`` gives every request to."""
        with self.lock:
            self.sent.append((request.method, request.url,
                              json.loads(request.body) if request.body else None))
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if self.delay:
                time.sleep(self.delay)
            return self.faulted(request)
        finally:
            with self.lock:
                self.in_flight -= 1

    def faulted(self, request):
        """The answer, after the token check and the faults."""
        path = request.url[len(ROOT):]
        login = (request.method, path) == ("POST", "/v3/auth/tokens")
        if self.check_tokens and not login and request.headers.get("X-Auth-Token") != self.valid:
            return reply(401, UNAUTHORIZED)
        fault = self.faults.get((request.method, path))
        if fault is None:
            return self.answer(request)
        return fault(self, request) if callable(fault) else fault

    def answer(self, request):
        """The normal answer, no fault: Keystone and the quota API over the state."""
        method, parts = request.method, urlsplit(request.url)
        query = dict((key, values[0]) for key, values in
                     parse_qs(parts.query, keep_blank_values=True).items())
        body = json.loads(request.body) if request.body else None
        if not request.url.startswith(ROOT + "/"):
            return not_found(request)
        if (method, parts.path) == ("POST", "/v3/auth/tokens"):
            return self.login(body["auth"])
        if (method, parts.path) == ("GET", "/v3/domains"):
            return self.domains_named(query)
        if (method, parts.path) == ("GET", "/v3/users"):
            return self.users_named(query)
        if (method, parts.path) == ("GET", "/v3/domain_usage"):
            return reply(200, {"domain": self.usage})
        collection, dummy, ident = parts.path[len("/v3/"):].partition("/")
        if collection == "users" and ident in self.users:
            if method == "GET":
                return reply(200, {"user": self.users[ident]})
            if method == "PATCH":
                return self.set_password(ident, body["user"]["password"])
        if ident in self.departments:
            if (method, collection) == ("GET", "domains"):
                return reply(200, {"domain": self.domain(ident)})
            if (method, collection) == ("GET", "domain_quotas"):
                return self.quota_answer(ident)
            if (method, collection) == ("PATCH", "domain_quotas"):
                return self.set_quotas(ident, dict(body["domain"]))
        return not_found(request)

    def login(self, auth):
        if "scope" in auth:  # the administrator
            if self.tokens is not None and not self.tokens:
                return reply(401, UNAUTHORIZED)
            self.valid = TOKEN if self.tokens is None else self.tokens.pop(0)
            endpoints = [endpoint("public", ROOT + "/v3", region) for region in self.catalog_regions]
            return reply(201, {"token": {"catalog": [{"type": "identity", "endpoints": endpoints}]}},
                         {"X-Subject-Token": self.valid})
        login = auth["identity"]["password"]["user"]
        user = self.users.get(login.get("id"))
        if user is None or not user["enabled"] or \
                login != {"id": user["id"], "password": self.passwords.get(user["id"])}:
            return refused(self.words["refused"])
        if user["id"] in self.expired:
            return refused(self.words["expired"].format(user=user["id"]))
        if user["id"] in self.mfa:
            return reply(401, {"receipt": {}}, {"Openstack-Auth-Receipt": "receipt-1"})
        return reply(201, {"token": {"user": {"id": user["id"]}}}, {"X-Subject-Token": USER_TOKEN})

    def domain(self, ident):
        found = self.departments[ident]
        return {"id": ident, "name": found["name"], "enabled": found["enabled"]}

    def domains_named(self, query):
        """A lookup by name, or without one the listing (one page: ``links.next`` is None)."""
        return reply(200, {"domains": [self.domain(ident) for ident, found in sorted(self.departments.items())
                                       if "name" not in query or query["name"] == found["name"]],
                           "links": {"next": None}})

    def users_named(self, query):
        return reply(200, {"users": [user for ident, user in sorted(self.users.items())
                                     if (user["name"], user["domain_id"])
                                     == (query.get("name"), query.get("domain_id"))]})

    def set_password(self, ident, password):
        self.passwords[ident] = password
        self.expired.discard(ident)
        self.users[ident]["password_expires_at"] = "2031-01-01T00:00:00.000000"
        return reply(200, {"user": self.users[ident]})

    def quota_answer(self, department_id):
        """200 and the department's regions, as ``GET /v3/domain_quotas/<id>`` answers."""
        return reply(200, {"domain": self.departments[department_id]["regions"]})

    def set_quotas(self, department_id, changes):
        quotas = self.quotas(department_id, changes.pop("region"))  # (a region it lacks: KeyError)
        quotas.update((item, value) for item, value in changes.items() if item not in self.ignore)
        return self.quota_answer(department_id)


def not_found(request):
    return reply(404, {"error": {"code": 404, "title": "Not Found",
                                 "message": "no route for %s %s" % (request.method, request.url)}})


def refused(words):
    return reply(401, {"error": {"code": 401, "title": "Unauthorized", "message": words}})
