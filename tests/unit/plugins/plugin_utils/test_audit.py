# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""plugin_utils/audit.py: which results are writes, and what their CADF events say."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json

from ansible_collections.easystack.eos.plugins.plugin_utils.audit import (
    CADF_EVENT, PASSWORD_MODULE, QUOTA_MODULE, Context, awx_job, events, initiator, line,
    observer, stable_id)

NOW = datetime.datetime(2026, 11, 30, 10, 0, 0, 123456, tzinfo=datetime.timezone.utc)
ACME = {"id": "a75d0759a1e543a1b8d0efb56d0239ab", "name": "acme"}
SECRET = "N3w-b0b-Pa55w0rd!"


def context(awx=None):
    ids = iter("00000000-0000-4000-8000-%012d" % n for n in range(1, 100))
    return Context(initiator("alice", 1000, "ctl01", "ansible-core 2.21.5", awx),
                   now=lambda: NOW, new_id=lambda: next(ids))


def entry(write=None, **fields):
    result = {"changed": True, "domain": dict(ACME), "region": "RegionOne",
              "quotas": {"cores": 100, "ram": 2048}, "usage": {"cores": 2},
              "limits": {"cores": 1000}, "changes": {"cores": {"before": 72, "after": 100}}}
    result.update(fields)
    if write is not None:
        result["write"] = write
    return result


def test_a_quota_write_is_one_cadf_event():
    written = entry({"request_id": "req-1", "outcome": "success"}, plan="sha256:" + "0" * 64)
    assert events(context(), QUOTA_MODULE, written) == [{
        "typeURI": CADF_EVENT,
        "id": "00000000-0000-4000-8000-000000000001",
        "eventType": "activity",
        "eventTime": "2026-11-30T10:00:00.123456+0000",
        "action": "update",
        "outcome": "success",
        "name": "easystack.eos.eos_domain_quota",
        "initiator": {
            "typeURI": "service/security/account/user",
            "id": stable_id("os-user:alice:1000@ctl01"), "name": "alice",
            "host": {"address": "ctl01", "agent": "ansible-core 2.21.5"}},
        "target": {
            "typeURI": "data/security/domain/quota", "id": ACME["id"], "name": "acme",
            "attachments": [{"typeURI": "text/plain", "name": "region", "content": "RegionOne"}]},
        "observer": observer(),
        "reason": {"reasonType": "X-OpenStack-Request-Id", "reasonCode": "req-1"},
        "attachments": [
            {"typeURI": "application/json", "name": "changes",
             "content": {"cores": {"before": 72, "after": 100}}},
            {"typeURI": "application/json", "name": "quotas_before",
             "content": {"cores": 72, "ram": 2048}},
            {"typeURI": "application/json", "name": "quotas_after",
             "content": {"cores": 100, "ram": 2048}},
        ],
    }]


def test_no_write_no_event_whatever_changed_or_failed_say():
    # check mode (changed, nothing sent), unchanged, a failure before the write
    for result, failed in ((entry(), False), (entry(changed=False, changes={}), False),
                           (entry(failed=True, msg="above the limit"), True)):
        assert events(context(), QUOTA_MODULE, result, failed=failed) == []
        assert events(context(), PASSWORD_MODULE, {"changed": True, "user": {"id": "u"},
                                                   "password_state": "would_update"}) == []


def test_the_modules_outcome_wins_over_failed_when_and_changed_when():
    # failed_when: false on a refused write, changed_when: false on a write that took
    refused = entry({"request_id": "req-409", "outcome": "failure"}, failed=False, changed=False,
                    msg="PATCH ... answered HTTP 409 Conflict: quota conflict")
    took = entry({"request_id": "req-2", "outcome": "success"}, changed=False)
    assert events(context(), QUOTA_MODULE, refused)[0]["outcome"] == "failure"
    assert events(context(), QUOTA_MODULE, took, failed=True)[0]["outcome"] == "success"


def test_a_failed_write_records_the_error_and_only_the_values_read_before():
    lost = entry({"request_id": None, "outcome": "unknown"}, failed=True,
                 quotas={"cores": 72, "ram": 2048}, msg="no answer: it may have been applied")
    event = events(context(), QUOTA_MODULE, lost, failed=True)[0]
    assert event["outcome"] == "unknown" and "reason" not in event
    assert [a["name"] for a in event["attachments"]] == ["changes", "quotas_before", "error"]
    assert event["attachments"][1]["content"] == {"cores": 72, "ram": 2048}
    assert event["attachments"][2] == {"typeURI": "text/plain", "name": "error",
                                       "content": "no answer: it may have been applied"}


def test_the_list_form_one_event_per_entry_written_or_failed():
    result = {"changed": True, "failed": True, "msg": "1 of 3 ...", "domains": [
        entry({"request_id": "req-a", "outcome": "success"}),
        entry(changed=False, changes={}, domain={"id": "g", "name": "globex"}),  # unchanged
        entry({"request_id": "req-b", "outcome": "failure"}, failed=True, msg="HTTP 500",
              region="RegionTwo", domain={"id": "i", "name": "initech"}),
        entry(failed=True, not_attempted=True, msg="not attempted"),
        "not an entry",
    ]}
    found = events(context(), QUOTA_MODULE, result, failed=True)
    assert [(e["target"]["name"], e["target"]["attachments"][0]["content"], e["outcome"],
             e["reason"]["reasonCode"]) for e in found] == [
        ("acme", "RegionOne", "success", "req-a"), ("initech", "RegionTwo", "failure", "req-b")]
    assert len(set(e["id"] for e in found)) == 2


def test_a_password_reset_names_the_user_never_a_password():
    result = {"changed": True, "password_state": "updated", "password_check": "differs",
              "user": {"id": "5df4", "name": "bob", "domain_id": ACME["id"], "enabled": True,
                       "password_expires_at": None, "options": {}, "password": SECRET},
              "write": {"request_id": "req-pw", "outcome": "success"},
              "invocation": {"module_args": {"password": SECRET}}, "diff": {"after": SECRET}}
    event = events(context(), PASSWORD_MODULE, result)[0]
    assert event["target"] == {"typeURI": "data/security/account/user", "id": "5df4",
                               "name": "bob", "domain": ACME["id"]}
    assert event["name"] == "easystack.eos.eos_user_password" and "attachments" not in event
    assert SECRET not in line(event) and "password" not in line(event).lower().replace(
        "eos_user_password", "")


def test_a_failed_reset_is_recorded_with_its_message():
    result = {"failed": True, "changed": True, "msg": "may have been set", "user": {"id": "5df4"},
              "write": {"request_id": "req-x", "outcome": "unknown"}}
    event = events(context(), PASSWORD_MODULE, result, failed=True)[0]
    assert event["outcome"] == "unknown" and event["target"]["name"] == "5df4"
    assert event["attachments"] == [{"typeURI": "text/plain", "name": "error",
                                     "content": "may have been set"}]


def test_a_result_hidden_by_no_log_records_that_a_write_happened():
    censored = {"censored": "the output has been hidden due to ... 'no_log: true'",
                "changed": True}
    event = events(context(), PASSWORD_MODULE, censored)[0]
    assert event["outcome"] == "success" and event["target"]["id"] == "unknown"
    assert events(context(), QUOTA_MODULE, censored, failed=True)[0]["outcome"] == "unknown"
    assert events(context(), QUOTA_MODULE, censored, check_mode=True) == []
    assert events(context(), QUOTA_MODULE, dict(censored, changed=False), failed=True) == []


def test_other_modules_and_shapes_are_ignored():
    written = entry({"request_id": "r", "outcome": "success"})
    assert events(context(), "easystack.eos.eos_domain_usage_info", written) == []
    assert events(context(), "ansible.builtin.debug", written) == []
    assert events(context(), QUOTA_MODULE, entry(write="yes")) == []
    assert events(context(), QUOTA_MODULE, entry({"outcome": "overwritten"}))[0]["outcome"] \
        == "unknown"  # never an outcome CADF does not have


def test_server_text_is_data_bounded_and_one_ascii_line():
    hostile = "acme\"}\n{\"outcome\":\"success\u2028\u202e\x1b[31m" + "x" * 5000
    result = entry({"request_id": "req-" + "9" * 1000, "outcome": "failure"}, failed=True,
                   domain={"id": hostile, "name": hostile}, region=hostile,
                   msg="m" * 5000, quotas={hostile: float("nan"), "ram": float("inf"),
                                           "cores": True, "gpu": {"nested": 1}},
                   changes={hostile: {"before": None, "after": "lots"}, "x": "not a change"})
    event = events(context(), QUOTA_MODULE, result, failed=True)[0]
    text = line(event)
    assert "\n" not in text and "\u2028" not in text and text.isascii()
    assert json.loads(text) == json.loads(json.dumps(event))
    assert len(event["target"]["name"]) < 300 and event["target"]["name"].endswith(
        "more characters)")
    assert len(event["reason"]["reasonCode"]) < 300
    assert len(event["attachments"][-1]["content"]) < 1100
    before = event["attachments"][1]["content"]
    assert before["ram"] == "inf" and before["cores"] == "True" and isinstance(before["gpu"], str)
    assert len(text) < 10000


def test_a_huge_quota_map_is_bounded():
    many = dict(("item%04d" % n, n) for n in range(2000))
    result = entry({"request_id": "r", "outcome": "success"}, quotas=many)
    event = events(context(), QUOTA_MODULE, result)[0]
    assert len(event["attachments"][2]["content"]) == 500


def test_awx_job_from_the_extra_vars_awx_sets():
    extra_vars = {"awx_job_id": 42, "awx_job_launch_type": "manual", "awx_user_id": 3,
                  "awx_user_name": "carol", "awx_user_email": "carol@example.com",
                  "awx_job_template_id": 7, "awx_job_template_name": "Quotas",
                  "awx_project_revision": "abc123", "tower_job_id": 42,
                  "eos_password": SECRET}
    job = awx_job(extra_vars, {"JOB_ID": "42", "AWX_HOST": "https://awx.example.com"})
    assert job == {"job_id": 42, "launch_type": "manual", "launched_by_id": 3,
                   "launched_by": "carol", "job_template_id": 7, "job_template_name": "Quotas",
                   "project_revision": "abc123", "url": "https://awx.example.com"}
    event = events(context(job), QUOTA_MODULE, entry({"request_id": "r", "outcome": "success"}))
    assert event[0]["initiator"]["attachments"] == [
        {"typeURI": "application/json", "name": "awx_job", "content": job}]
    assert event[0]["initiator"]["name"] == "alice"  # the OS user stays the initiator's name
    assert SECRET not in line(event[0]) and "carol@" not in line(event[0])


def test_awx_job_scheduled_older_tower_and_not_awx():
    scheduled = awx_job({"tower_job_id": "9", "tower_schedule_id": 4,
                         "tower_schedule_name": "nightly", "tower_job_launch_type": "scheduled"},
                        {})
    assert scheduled == {"job_id": "9", "launch_type": "scheduled", "schedule_id": 4,
                         "schedule_name": "nightly"}
    assert awx_job({}, {"JOB_ID": "77", "AWX_HOST": "https://awx"}) == {
        "job_id": "77", "url": "https://awx"}
    assert awx_job({}, {"JOB_ID": "77"}) is None  # JOB_ID alone: some other batch system's
    assert awx_job({"awx_job_id": ""}, {}) is None
    assert awx_job({"awx_user_name": "x" * 1000}, {})["launched_by"].endswith("more characters)")
