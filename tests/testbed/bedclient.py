"""What tests need from a running test bed: its settings, tokens, the control API, the request log.

Used by the bed's own tests and by the collection's integration tests::

    bed = Bed.load()               # reads <EOS_BED_DIR or repo/.testbed>/bed.json
    token = bed.token("alice")     # project-scoped token of a seeded user
    bed.fault("/v3/domain_quotas/", status=503, retry_after=1, count=2)
    mark = bed.log_mark(); ...; bed.requests_since(mark)
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]


class BedNotUp(RuntimeError):
    pass


class Bed:
    def __init__(self, state, root):
        self.state = state
        self.root = Path(root)
        self.url = state["url"]
        self.auth_url = state["auth_url"]
        self.keystone_url = state["keystone_url"]
        self.region = state["region"]
        self.tls_url = state["tls_url"]  # the same EOS endpoint over HTTPS
        self.ca_cert = state["ca_cert"]  # the CA that signed its certificate
        self.users = state["users"]
        self.domains = state["domains"]
        self.request_log = self.root / "logs" / "requests.jsonl"
        self.http = requests.Session()
        # Not kept alive: the bed's gunicorn closes idle connections after 2 s, and a test's
        # next call after a playbook run can race that close (see simulator/keystone.py).
        self.http.headers["Connection"] = "close"
        self._tokens = {}

    @classmethod
    def load(cls):
        root = Path(os.environ.get("EOS_BED_DIR") or REPO / ".testbed")
        state_file = root / "bed.json"
        if not state_file.exists():
            raise BedNotUp("no test bed at %s: run 'make bed-up' (tests/testbed/bed.py up)" % root)
        bed = cls(json.loads(state_file.read_text()), root)
        try:
            bed.http.get(bed.url + "/_bed/health", timeout=5).raise_for_status()
        except requests.RequestException as exc:
            raise BedNotUp("the test bed at %s does not answer (%s): run 'make bed-up'"
                           % (bed.url, exc)) from exc
        return bed

    # -- identities --------------------------------------------------------------------------

    def password_auth(self, user, password=None, scoped=True):
        account = self.users[user]
        auth = {"identity": {"methods": ["password"], "password": {"user": {
            "name": user, "password": password or account["password"],
            "domain": {"name": account["domain"]}}}}}
        if scoped:
            auth["scope"] = {"project": {"name": account["project"],
                                         "domain": {"name": account["domain"]}}}
        return {"auth": auth}

    def login(self, user, password=None, scoped=True):
        """The raw response of a password login through the EOS endpoint."""
        return self.http.post(self.auth_url + "/auth/tokens",
                              json=self.password_auth(user, password, scoped), timeout=30)

    def token(self, user="admin", fresh=False):
        if fresh or user not in self._tokens:
            response = self.login(user)
            response.raise_for_status()
            self._tokens[user] = response.headers["X-Subject-Token"]
        return self._tokens[user]

    def api(self, method, path, user="admin", **kwargs):
        """A call to the EOS endpoint (quota API or proxied Keystone) as a seeded user."""
        headers = dict(kwargs.pop("headers", {}))
        if user:
            headers.setdefault("X-Auth-Token", self.token(user))
        kwargs.setdefault("timeout", 30)
        return self.http.request(method, self.url + path, headers=headers, **kwargs)

    def compliance(self, **settings):
        """Restart the bed's Keystone with these [security_compliance] settings (none: off)."""
        argv = [sys.executable, str(REPO / "tests" / "testbed" / "bed.py"), "compliance"]
        argv += ["--set=%s=%s" % (name, str(value).lower() if isinstance(value, bool) else value)
                 for name, value in settings.items()] or ["--off"]
        process = subprocess.run(argv, env=dict(os.environ, EOS_BED_DIR=str(self.root)),
                                 capture_output=True, text=True, timeout=120, check=False)
        assert process.returncode == 0, process.stdout + process.stderr
        self._tokens.clear()  # a token stays valid, but a fresh one costs nothing here

    # -- the control API -------------------------------------------------------------------------

    def control(self, method, path, **kwargs):
        headers = dict(kwargs.pop("headers", {}), **{"X-Bed-Control": self.state["control_token"]})
        response = self.http.request(method, self.url + "/_bed" + path, headers=headers,
                                     timeout=30, **kwargs)
        response.raise_for_status()
        return response

    def reset_quotas(self):
        """Quota state back to the fixture, faults cleared (Keystone data untouched)."""
        self.control("POST", "/reset")

    def fault(self, path, count=1, method=None, **action):
        """Arm a fault: ``status``/``retry_after``/``message``, ``delay``, ``drop``,
        ``malformed`` or ``html``, for the next ``count`` requests whose path matches."""
        body = dict(action, path=path, count=count, method=method)
        return self.control("POST", "/faults", json=body).json()["id"]

    def clear_faults(self):
        self.control("DELETE", "/faults")

    def set_domain_values(self, domain_id, region, **columns):
        """Set ``allocated``, ``used``, ``limits`` or ``quotas`` of a domain directly."""
        return self.control("PATCH", "/domains/%s/%s" % (domain_id, region), json=columns,
                            headers={"X-Auth-Token": self.token()}).json()

    def set_region(self, name, **settings):
        return self.control("PUT", "/regions/%s" % name, json=settings).json()

    def settings(self, **settings):
        """Set the simulator's settings (None restores a default; ``reset_quotas`` restores all)
        and return them all, e.g. ``domain_page``: domains per page it asks of Keystone."""
        if settings:
            return self.control("PUT", "/settings", json=settings).json()
        return self.control("GET", "/settings").json()

    # -- the request log -------------------------------------------------------------------------

    def log_mark(self):
        """A position in the request log; ``requests_since`` reads what came after it."""
        return self.request_log.stat().st_size if self.request_log.exists() else 0

    def requests_since(self, mark):
        with open(self.request_log, "rb") as handle:
            handle.seek(mark)
            return [json.loads(line) for line in handle.read().decode().splitlines() if line]
