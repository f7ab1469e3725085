"""Fault matrix: every module x every kind of server/network fault on its main API call.

One fault (count=1) is armed on the module's main call. Retriable faults must be retried and the
task must succeed within the retry budget; a 401 on an API call must cost exactly one re-login;
the others must end in a clean failure naming the status and the faulted request's id. After
any failure a fault-free re-run converges to the desired state and a further run reports no
change (nothing half-written).
"""
import json
import time
from pathlib import Path

import pytest

from bedkit import can_log_in, server_quotas
from relkit import settle_password_changes

API_TIMEOUT = 2  # seconds: the slow fault answers later than this
SLOW = API_TIMEOUT + 0.6

FAULTS = {
    "500": {"status": 500},
    "502": {"status": 502},
    "503": {"status": 503},
    "504": {"status": 504},
    "429+RA=1": {"status": 429, "retry_after": 1},
    "slow": {"delay": SLOW},
    "drop": {"drop": True},
    "malformed": {"malformed": True},
    "html-502": {"html": True, "status": 502},
    "html-500": {"html": True, "status": 500},
    "401": {"status": 401},
}
# A login answered late must not reach Keystone at all: the module has retried it by then, and two
# overlapping logins of one user can lock the bed Keystone's SQLite ("database is locked", 500).
SLOW_LOGIN = {"delay": SLOW, "status": 503}
RETRIABLE = ("502", "503", "504", "429+RA=1", "slow", "drop", "html-502")

# Where the fault is injected, "<row> <method> <path>[ (<which call>)]" ({id} in the path: the
# fresh domain or user), and the module that makes the call.
TARGETS = {
    "usage_info GET /v3/domain_usage": "eos_domain_usage_info",
    "quota_metrics GET /v3/domain_quotas/{id}": "eos_quota_metrics",
    "domain_quota GET /v3/domain_quotas/{id}": "eos_domain_quota",
    "domain_quota PATCH /v3/domain_quotas/{id}": "eos_domain_quota",
    "user_password POST /v3/auth/tokens (admin login)": "eos_user_password",
    # The admin token comes from the token cache, so the first login is the password check.
    "user_password POST /v3/auth/tokens (password check)": "eos_user_password",
    "user_password PATCH /v3/users/{id}": "eos_user_password",
}
CHECK_LOGIN = "user_password POST /v3/auth/tokens (password check)"
ADMIN_LOGIN = "user_password POST /v3/auth/tokens (admin login)"


PASSWORD_PATCH = "user_password PATCH /v3/users/{id}"
# Statuses that say "not processed": even the password PATCH, which is never resent blindly,
# is repeated after them.
NOT_PROCESSED = ("503", "429+RA=1")
LOST_ANSWER_VERIFIED = "ok (answer lost, one login verified the write)"


def expected_outcome(target, fault):
    if target == PASSWORD_PATCH and fault in RETRIABLE and fault not in NOT_PROCESSED:
        # The PATCH may have been applied (a gateway error, no answer): never resent; one
        # login as the user tells. The bed applies a slow PATCH late, and drops or answers
        # 502/504 without applying it.
        return LOST_ANSWER_VERIFIED if fault == "slow" else "clean-failure+converged"
    if fault in RETRIABLE:
        return "retried-ok"
    if fault == "401":
        if target == ADMIN_LOGIN:  # the credentials themselves refused: never retried
            return "clean-failure+converged"
        if target == CHECK_LOGIN:  # a 401 of the check login means "the password differs"
            return "ok (401 = mismatch, written)"
        return "relogin-ok"
    return "clean-failure+converged"


# Known plugin bugs: a cell listed here documents the bug and turns into an XPASS failure once
# it is fixed. (The password check that got a 200 without a token, found here, is fixed.)
KNOWN_BUGS = {}

CASES = []
for _target in TARGETS:
    for _fault in FAULTS:
        _bug = KNOWN_BUGS.get((_target, _fault))
        CASES.append(pytest.param(
            _target, _fault, id="%s|%s" % (_target.split(" (")[0].replace(" ", "-")
                                           + ("-check" if _target == CHECK_LOGIN else ""), _fault),
            marks=[pytest.mark.xfail(strict=True, reason=_bug)] if _bug else []))


def key(record):
    return record["method"], record["path"].split("?")[0]


class Subject:
    """The fresh state one cell works on, its task arguments and how to check it converged."""

    def __init__(self, target, bed, identities, ansible, cache_dir):
        self.bed = bed
        self.module = TARGETS[target]
        self.method, path = target.split(" ")[1:3]
        self.env = ansible.os_env()
        self.warm_cache = target == CHECK_LOGIN
        if self.warm_cache:
            self.env.update(EOS_TOKEN_CACHE="1", XDG_CACHE_HOME=str(cache_dir))
        self.args = {"api_timeout": API_TIMEOUT}
        self.writes = self.module not in ("eos_domain_usage_info", "eos_quota_metrics")  # the API
        self.item_id = None
        if self.module == "eos_domain_quota":
            domain = identities.domain()
            self.item_id = domain["id"]
            self.before = server_quotas(bed, domain["id"])
            self.wanted = {"cores": 101, "instances": 57, "ram": 65536}
            self.args.update(domain=domain["name"], quotas=self.wanted)
        elif self.module == "eos_quota_metrics":  # its file is written on every outcome
            domain = identities.domain()
            self.item_id = domain["id"]
            self.metrics = Path(ansible.home) / "eos_quota.prom"
            self.args.update(domains=[domain["name"]], path=str(self.metrics))
        elif self.module == "eos_user_password":
            self.user = identities.user()
            self.item_id = self.user["id"]
            self.new_password = "New-" + self.user["password"][4:][::-1]
            self.args.update(user=self.user["name"], domain=self.user["domain"]["name"],
                             password=self.new_password, update_password="on_mismatch")
        self.path = "^%s$" % path.replace("{id}", self.item_id or "")  # the fault's path pattern

    def follow_up(self):
        """A playbook: the task again without faults, then (for a module that writes) once more,
        which must change nothing."""
        task = "    - name: %%s\n      easystack.eos.%s: %s\n" % (self.module, json.dumps(self.args))
        text = "- hosts: localhost\n  gather_facts: false\n  tasks:\n" + task % "again"
        if self.module == "eos_user_password":  # Keystone's revocation granularity
            text += "    - name: settle\n      ansible.builtin.pause:\n        seconds: 1\n"
        if self.writes:
            text += task % "further"
        return text

    def assert_desired_state(self):
        if self.module == "eos_quota_metrics":
            text = self.metrics.read_text(encoding="utf-8")
            assert "eos_quota_read_success 1\n" in text and 'domain_id="%s"' % self.item_id in text, text[:2000]
        if self.module == "eos_domain_quota":
            quotas = server_quotas(self.bed, self.item_id)
            assert {item: quotas[item] for item in self.wanted} == self.wanted, quotas
        elif self.module == "eos_user_password":
            assert can_log_in(self.bed, self.user["id"], self.new_password), \
                "the new password does not log in"
            assert not can_log_in(self.bed, self.user["id"], self.user["password"])

    def assert_not_half_written(self):
        """After a failure: every asked item is either all old or all new, never a mix; the
        metrics file says the read failed, with no quota series."""
        if self.module == "eos_quota_metrics":
            text = self.metrics.read_text(encoding="utf-8")
            assert "eos_quota_read_success 0\n" in text and "eos_domain_quota_limit{" not in text, text
        if self.module == "eos_domain_quota":
            quotas = server_quotas(self.bed, self.item_id)
            now = {item: quotas[item] for item in self.wanted}
            old = {item: self.before[item] for item in self.wanted}
            assert now in (old, self.wanted), "half-written: %s" % now


def retried(records, faulted_at, target):
    """The successful repeat of the faulted call (logged before it when the fault was a delay:
    the log is written when a request ends). The check login's normal answer is a 401."""
    answers = (200, 201, 401) if target == CHECK_LOGIN else (200, 201)
    repeats = [r for i, r in enumerate(records) if i != faulted_at and "fault" not in r
               and key(r) == key(records[faulted_at]) and r["status"] in answers]
    return repeats[0] if repeats else None


def records_with_fault(bed, mark, wait=5.0):
    """The request log since ``mark``, once the faulted request is in it (a delayed one ends
    after the module has already retried and finished)."""
    deadline = time.monotonic() + wait
    while True:
        records = bed.requests_since(mark)
        if any("fault" in r for r in records) or time.monotonic() > deadline:
            return records
        time.sleep(0.1)


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    """A token cache the check-login cells share: the admin logs in once for all of them."""
    return tmp_path_factory.mktemp("token-cache")


@pytest.mark.parametrize("target,fault", CASES)
def test_fault(target, fault, ansible, bed, identities, report, cache_dir):  # noqa: C901
    subject = Subject(target, bed, identities, ansible, cache_dir)
    if subject.warm_cache and not list(cache_dir.glob("easystack.eos/tokens/*.json")):
        # Cache the admin token, so that the faulted login is the password check.
        warm = ansible.module("eos_domain_usage_info", {"region": "RegionOne"}, env=subject.env)
        assert warm.rc == 0, warm.stdout + warm.stderr
        assert list(cache_dir.glob("easystack.eos/tokens/*.json")), "no token was cached"
    expected = expected_outcome(target, fault)
    mark = bed.log_mark()
    action = SLOW_LOGIN if fault == "slow" and subject.method == "POST" else FAULTS[fault]
    bed.fault(subject.path, count=1, method=subject.method, **action)
    run = ansible.module(subject.module, subject.args, env=subject.env)
    bed.clear_faults()
    records = records_with_fault(bed, mark)
    faulted = [i for i, r in enumerate(records) if "fault" in r]
    outcome = "UNEXPECTED"
    try:
        assert len(faulted) == 1, "the fault was not hit exactly once: %s" % records
        faulted_at = faulted[0]
        if run.rc == 0:
            result = run.last
            if subject.writes and result.get("changed") is not True:
                outcome = "ok but reported unchanged, desired state NOT reached"
                subject.assert_desired_state()  # shows what is wrong on the server
            assert result["changed"] is True or not subject.writes, result
            outcome = "ok, no retry"
            repeat = retried(records, faulted_at, target)
            if target == CHECK_LOGIN and fault == "401":
                assert result.get("password_state") == "updated", result
                outcome = "ok (401 = mismatch, written)"
            elif target == PASSWORD_PATCH and fault == "slow":
                assert [key(r) for r in records].count(key(records[faulted_at])) == 1, records
                assert "a login with the new password then succeeded" in json.dumps(
                    result.get("warnings")), result
                outcome = LOST_ANSWER_VERIFIED
            elif fault == "401":
                assert repeat is not None, records
                between = records[faulted_at + 1:records.index(repeat)]
                assert [key(r) for r in between] == [("POST", "/v3/auth/tokens")], \
                    "not exactly one re-login between the 401 and the retry: %s" % between
                outcome = "relogin-ok"
            else:
                assert repeat is not None, "succeeded without repeating the call: %s" % records
                outcome = "retried-ok"
                if fault == "429+RA=1":
                    gap = repeat["ts"] - repeat["ms"] / 1000.0 - records[faulted_at]["ts"]
                    assert gap >= 0.9, "Retry-After: 1 not honoured (retried after %.2f s)" % gap
            settle_password_changes(bed, mark)
            subject.assert_desired_state()
        else:
            outcome = "failure, not clean"
            result = run.assert_clean_failure()
            if fault not in ("drop", "slow"):  # no answer, so no request id to name
                request_id = records[faulted_at]["request_id"]
                assert result.get("request_id") == request_id and request_id.startswith("req-"), \
                    (result, request_id)
                assert request_id in result["msg"], result["msg"]
            if target == PASSWORD_PATCH:  # never resent
                assert [key(r) for r in records].count(key(records[faulted_at])) == 1, records
            if target == PASSWORD_PATCH and fault not in ("500", "html-500"):
                # no answer, a gateway error or an unreadable 200: the write may have applied
                assert result["changed"] is True and "may have been applied" in result["msg"]
            status = FAULTS[fault].get("status")
            if status:
                assert result.get("status") == status, result
                # A refused login is named as such; every other status by its number.
                words = "Authentication failed" if target == ADMIN_LOGIN and status == 401 \
                    else "HTTP %d" % status
                assert words in result["msg"], result["msg"]
            subject.assert_not_half_written()
            outcome = "clean-failure, not converged"
            again_mark = bed.log_mark()
            follow_up = ansible.playbook(subject.follow_up(), env=subject.env)
            assert follow_up.rc == 0, follow_up.stdout + follow_up.stderr
            if subject.writes:
                assert follow_up.task("again")["changed"] is True, follow_up.stdout
                assert follow_up.task("further")["changed"] is False, follow_up.stdout
            settle_password_changes(bed, again_mark)
            subject.assert_desired_state()
            outcome = "clean-failure+converged"
    finally:
        text = outcome
        if outcome != expected:
            text = "%s (expected %s)%s" % (outcome, expected, " [known plugin bug]"
                                           if (target, fault) in KNOWN_BUGS else "")
        report.cell(target, fault, text)
    assert outcome == expected, run.stdout + run.stderr
