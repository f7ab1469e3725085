"""Helpers of the reliability suite: throwaway identities, hostile-server logins, waiting out
Keystone's revocation granularity, secret scans, the report (reads of the bed: ``bedkit``)."""
import json
import re
import time
from urllib.parse import quote, quote_plus
import uuid
from concurrent.futures import ThreadPoolExecutor

# Fernet tokens (Keystone's default and the bed's) are URL-safe base64 starting with gAAAAA.
TOKEN_PATTERN = re.compile(r"gAAAAA[A-Za-z0-9_-]{20,}")
# How long Keystone needs after a password change before a new login is judged fairly: its
# revocation events have one-second granularity.
REVOCATION_GRANULARITY = 1.1


class Identities:
    """Creates domains and users through the bed's admin, and deletes them at the end.

    Their names are unique, so no run sees another's. ``delete_all`` (the session fixture's
    teardown) disables and deletes every domain made (their users go with them): left in the
    bed, ~140 domains a run would slow every later reader of all domains (the quota report's
    ``all``, ``all_domains``, ``/v3/domain_usage``).
    """

    def __init__(self, bed):
        self.bed = bed
        self._users_domain = None
        self.created = []

    def _create(self, collection, body):
        response = self.bed.api("POST", "/v3/%s" % collection, json=body)
        assert response.status_code == 201, response.text
        return response.json()[collection[:-1]]

    def domain(self, prefix="rel"):
        """A fresh, enabled domain: ``{"id", "name"}``; its quotas start at the defaults."""
        name = "%s-%s" % (prefix, uuid.uuid4().hex[:12])
        created = self._create("domains", {"domain": {"name": name, "enabled": True}})
        self.created.append(created["id"])
        return {"id": created["id"], "name": name}

    def delete_all(self):
        """Disable and delete every domain this session made (their users go with them), one at
        a time: Keystone's SQLite answers concurrent writes with 500 "database is locked". A 5xx
        is tried again; the domains that still could not be deleted are returned."""
        def call(method, path, **kwargs):
            for attempt in range(5):
                response = self.bed.api(method, path, **kwargs)
                if response.status_code < 500:
                    return response
                time.sleep(0.2 * (attempt + 1))
            return response

        self.bed.token(fresh=True)
        left = []
        for domain_id in self.created:
            path = "/v3/domains/" + domain_id
            disabled = call("PATCH", path, json={"domain": {"enabled": False}})
            deleted = call("DELETE", path)
            if deleted.status_code not in (204, 404):
                left.append("%s (PATCH %d, DELETE %d: %s)" % (
                    domain_id, disabled.status_code, deleted.status_code, deleted.text[:200]))
        self.created = [entry.split()[0] for entry in left]
        return left

    def domains(self, count, prefix="rel"):
        """``count`` fresh domains, created four at a time."""
        self.bed.token()  # log in once, before the threads share the session
        with ThreadPoolExecutor(max_workers=4) as pool:
            return list(pool.map(lambda _: self.domain(prefix), range(count)))

    def user(self, domain=None):
        """A fresh user in ``domain`` (else in a domain of the session's throwaway users):
        ``{"id", "name", "password", "domain"}``."""
        if domain is None:
            if self._users_domain is None:
                self._users_domain = self.domain("rel-users")
            domain = self._users_domain
        name = "rel-user-" + uuid.uuid4().hex[:10]
        password = "Old-" + uuid.uuid4().hex
        created = self._create("users", {"user": {
            "name": name, "domain_id": domain["id"], "password": password}})
        return {"id": created["id"], "name": name, "password": password, "domain": domain}


def login(auth_url, password):
    """The ``auth`` option of the admin of a hostile server (or the bed's, with its password)."""
    return {"auth_url": auth_url, "username": "admin", "password": password,
            "user_domain_name": "Default", "project_name": "admin",
            "project_domain_name": "Default"}


def task(server, admin_password, /, **options):
    """A module's options against the hostile ``server``, logged in as its admin."""
    return dict({"auth": login(server.url + "/v3", admin_password)}, **options)


def assert_no_secret(run, server, **secrets):
    """None of ``secrets`` nor any token ``server`` issued is in the run's output."""
    assert server.tokens, "the server issued no token: the scan would prove nothing"
    secrets.update(("token %d" % index, token) for index, token in enumerate(server.tokens))
    hits = secret_hits({"stdout": run.stdout, "stderr": run.stderr}, secrets)
    assert not hits, hits


def settle_password_changes(bed, mark):
    """Wait until a password changed since ``mark`` (by the request log) can be judged fairly."""
    changes = [r["ts"] for r in bed.requests_since(mark)
               if r["method"] == "PATCH" and r["path"].startswith("/v3/users/")]
    if changes:
        time.sleep(max(0.0, max(changes) + REVOCATION_GRANULARITY - time.time()))


def escaped_forms(secret):
    """The forms a secret can take when a server or a log echoes it: as it is, JSON-escaped
    (``\\"``, ``\\u00e9``), Python-escaped, URL-encoded."""
    forms = {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1],
             repr(secret)[1:-1], quote(secret, safe=""), quote_plus(secret)}
    return sorted(form for form in forms if form)


def secret_hits(texts, secrets):
    """``[(what, where)]`` for every named secret (in any of its escaped forms) and every
    Keystone token found in ``texts``."""
    hits = []
    for where, text in texts.items():
        for label, value in secrets.items():
            if value and any(form in text for form in escaped_forms(value)):
                hits.append((label, where))
        for match in TOKEN_PATTERN.finditer(text):
            hits.append(("keystone token %s..." % match.group(0)[:12], where))
    return hits


class Report:
    """What the session found, printed at its end by the conftest's terminal summary."""

    def __init__(self):
        self.matrix = {}  # (row, fault) -> outcome
        self.fault_order = []
        self.row_order = []
        self.sections = {}  # title -> {counter: value}

    def cell(self, row, fault, outcome):
        if row not in self.row_order:
            self.row_order.append(row)
        if fault not in self.fault_order:
            self.fault_order.append(fault)
        self.matrix[(row, fault)] = outcome

    def add(self, section, **counters):
        values = self.sections.setdefault(section, {})
        for key, value in counters.items():
            values[key] = values.get(key, 0) + value

    def lines(self):
        if not self.matrix and not self.sections:
            return []
        out = ["", "=" * 30 + " reliability report " + "=" * 30]
        if self.matrix:
            out.append("fault matrix (module / injected at) x fault -> outcome:")
            width = max(len(row) for row in self.row_order)
            for row in self.row_order:
                for fault in self.fault_order:
                    if (row, fault) in self.matrix:
                        out.append("  %-*s x %-9s -> %s"
                                   % (width, row, fault, self.matrix[(row, fault)]))
            totals = {}
            for outcome in self.matrix.values():
                key = outcome.split(" (")[0]
                totals[key] = totals.get(key, 0) + 1
            out.append("  faults tried: %d (%s)" % (len(self.matrix), ", ".join(
                "%s %d" % (key, count) for key, count in sorted(totals.items()))))
        for title, values in self.sections.items():
            out.append("%s: %s" % (title, ", ".join(
                "%s %s" % (key, value) for key, value in values.items())))
        return out
