"""The quota_audit callback in real playbooks against the bed: one CADF event per write (quota
changes in both forms, password resets), none for what wrote nothing, never a secret; its file
(0600, appended, refused when others can read it) and a syslog socket. Every line is checked
against pycadf's event model (auditkit.cadf)."""
import datetime
import json
import os
import pwd
import re
import shutil
import stat
import subprocess
import uuid
from pathlib import Path

import pytest

from auditkit import (SECRET_SHAPES, attachments, audit_env, read_events, syslog_messages,
                      syslog_server)
from bedkit import server_quotas, throwaway_user
from playbook_runner import localhost_play

QUOTA = "easystack.eos.eos_domain_quota"
PASSWORD = "easystack.eos.eos_user_password"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture()
def audit(tmp_path):
    return tmp_path / "audit" / "eos-audit.log"


def run(ansible, tasks, audit_file, check=False, verbosity=0, env=None, extra_vars=None):
    (audit_file.parent).mkdir(exist_ok=True)
    full_env = dict(ansible.os_env(), **audit_env(audit_file))
    full_env.update(env or {})
    result = ansible.playbook(localhost_play(tasks), env=full_env, check=check,
                              verbosity=verbosity, extra_vars=extra_vars)
    return result


def requests_of(bed, mark, method):
    return [r for r in bed.requests_since(mark) if r["method"] == method]


def test_a_quota_change_is_one_event_then_none_unchanged_or_in_check_mode(ansible, bed, audit):
    task = {"name": "set", QUOTA: {"domain": "acme", "quotas": {"cores": 100}}}
    mark = bed.log_mark()
    first = run(ansible, [task], audit)
    assert first.rc == 0 and first.task("set")["changed"] is True, first.stdout + first.stderr
    [event] = read_events(audit)
    [patch] = requests_of(bed, mark, "PATCH")
    assert event["outcome"] == "success" and event["name"] == QUOTA
    assert event["reason"] == {"reasonType": "X-OpenStack-Request-Id",
                               "reasonCode": patch["request_id"]}
    assert first.task("set")["write"] == {"request_id": patch["request_id"], "outcome": "success"}
    assert event["target"] == {
        "typeURI": "data/security/domain/quota", "id": bed.domains["acme"], "name": "acme",
        "attachments": [{"typeURI": "text/plain", "name": "region", "content": "RegionOne"}]}
    files = attachments(event)
    assert files["changes"] == {"cores": {"before": 72, "after": 100}}
    assert files["quotas_before"]["cores"] == 72 and files["quotas_after"]["cores"] == 100
    assert files["quotas_after"] == server_quotas(bed)
    assert event["initiator"]["name"] == pwd.getpwuid(os.getuid()).pw_name
    assert event["initiator"]["host"]["agent"].startswith("ansible-core ")
    assert event["observer"]["name"] == "easystack.eos.quota_audit"
    when = datetime.datetime.strptime(event["eventTime"], "%Y-%m-%dT%H:%M:%S.%f%z")
    assert abs((datetime.datetime.now(datetime.timezone.utc) - when).total_seconds()) < 120
    assert stat.S_IMODE(audit.stat().st_mode) == 0o600
    assert "awx_job" not in json.dumps(event["initiator"])

    again = run(ansible, [task], audit)
    assert again.rc == 0 and again.task("set")["changed"] is False
    check = run(ansible, [dict(task, **{QUOTA: {"domain": "acme", "quotas": {"cores": 150}}})],
                audit, check=True)
    assert check.rc == 0 and check.task("set")["changed"] is True
    assert "write" not in check.task("set")
    assert len(read_events(audit)) == 1  # nothing written, nothing recorded


def test_the_list_form_one_event_per_entry_written_or_failed(ansible, bed, audit):
    unchanged = server_quotas(bed, "Default")["cores"]
    bed.fault("^/v3/domain_quotas/" + bed.domains["acme"], method="PATCH", malformed=True)
    bed.fault("^/v3/domain_quotas/" + bed.domains["globex"], method="PATCH", status=500,
              message="quota backend unavailable")
    task = {"name": "set many", "ignore_errors": True, QUOTA: {"parallel": 1, "domains": [
        {"domain": "acme", "region": "RegionTwo", "quotas": {"cores": 24}},  # answer unusable
        {"domain": "globex", "quotas": {"instances": 20}},                    # refused (500)
        {"domain": "acme", "quotas": {"cores": 100}},                         # written
        {"domain": "Default", "quotas": {"cores": unchanged}},                # unchanged
    ]}}
    mark = bed.log_mark()
    result = run(ansible, [task], audit)
    reported = result.task("set many")
    assert reported["changed"] is True and "2 of 3 entries of domains failed to write" in \
        reported["msg"], reported["msg"]
    events = read_events(audit)
    assert [(e["target"]["name"], attachments(e["target"])["region"], e["outcome"])
            for e in events] == [("acme", "RegionTwo", "unknown"),
                                 ("globex", "RegionOne", "failure"),
                                 ("acme", "RegionOne", "success")]
    patches = requests_of(bed, mark, "PATCH")
    assert [e["reason"]["reasonCode"] for e in events] == [p["request_id"] for p in patches]
    unknown, failure, success = (attachments(e) for e in events)
    assert "may have been applied" in unknown["error"] and "quotas_after" not in unknown
    assert "quota backend unavailable" in failure["error"]
    assert failure["quotas_before"]["instances"] != 20 and "quotas_after" not in failure
    assert success["quotas_after"]["cores"] == 100 and "error" not in success
    assert len(set(e["id"] for e in events)) == 3


def test_a_loop_of_single_tasks_and_a_retried_attempt(ansible, bed, audit):
    tasks = [{"name": "loop", QUOTA: {"domain": "{{ item }}", "quotas": {"router": 301}},
              "loop": ["acme", "globex"]},
             # The first attempt writes; until wants no change, so it is tried again: the
             # write of the retried attempt is recorded too.
             {"name": "until", QUOTA: {"domain": "acme", "quotas": {"router": 302}},
              "register": "attempt", "until": "attempt is not changed", "retries": 2,
              "delay": 0}]
    result = run(ansible, tasks, audit)
    assert result.rc == 0, result.stdout + result.stderr
    assert [(e["target"]["name"], attachments(e)["changes"]["router"]["after"])
            for e in read_events(audit)] == [("acme", 301), ("globex", 301), ("acme", 302)]


def test_the_modules_verdict_not_failed_when_or_changed_when(ansible, bed, audit):
    bed.fault("^/v3/domain_quotas/" + bed.domains["acme"], method="PATCH", status=409,
              message="conflict")
    tasks = [{"name": "refused but not failed", "failed_when": False,
              QUOTA: {"domain": "acme", "quotas": {"cores": 90}}},
             {"name": "written but not changed", "changed_when": False,
              QUOTA: {"domain": "globex", "quotas": {"cores": 90}}}]
    result = run(ansible, tasks, audit)
    assert result.rc == 0, result.stdout + result.stderr
    assert [(e["target"]["name"], e["outcome"]) for e in read_events(audit)] == [
        ("acme", "failure"), ("globex", "success")]


@pytest.fixture()
def user(bed):
    with throwaway_user(bed, "audit-") as created:
        yield created


def assert_no_secret(text, *secrets):
    for secret in secrets:
        assert secret not in text
    assert not SECRET_SHAPES.search(text), SECRET_SHAPES.search(text).group(0)


def test_a_password_reset_at_vvvv_records_the_user_never_a_secret(ansible, bed, audit, user):
    new = "New-" + uuid.uuid4().hex
    failing = "Refused-" + uuid.uuid4().hex
    admin_password = bed.users["admin"]["password"]
    bed.fault("^/v3/users/" + bed.users["bob"]["id"], method="PATCH", status=403,
              message="policy does not allow")
    tasks = [
        {"name": "reset", PASSWORD: {"user": user["name"], "domain": "acme", "password": new}},
        {"name": "again", PASSWORD: {"user": user["name"], "domain": "acme", "password": new}},
        {"name": "refused", "ignore_errors": True,
         PASSWORD: {"user": "bob", "domain": "acme", "password": failing,
                    "update_password": "always"}},
        {"name": "hidden", "no_log": True,
         PASSWORD: {"user": user["name"], "domain": "acme", "password": failing}},
    ]
    mark = bed.log_mark()
    result = run(ansible, tasks, audit, verbosity=4, env={"ANSIBLE_DIFF_ALWAYS": "1"})
    assert result.rc == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert result.task("again")["changed"] is False
    events = read_events(audit)
    assert [(e["target"]["name"], e["outcome"]) for e in events] == [
        (user["name"], "success"), ("bob", "failure"), ("unknown (no_log)", "success")]
    reset, refused, hidden = events
    patches = requests_of(bed, mark, "PATCH")
    assert reset["reason"]["reasonCode"] == patches[0]["request_id"]
    assert reset["target"] == {"typeURI": "data/security/account/user", "id": user["id"],
                               "name": user["name"], "domain": bed.domains["acme"]}
    assert "attachments" not in reset
    assert refused["reason"]["reasonCode"] == patches[1]["request_id"]
    assert "policy does not allow" in attachments(refused)["error"]
    assert hidden["target"]["id"] == "unknown"
    text = audit.read_text()
    assert_no_secret(text, new, failing, user["password"], admin_password)
    assert "password" not in text.lower().replace(PASSWORD, "")


def test_syslog_a_real_socket_facility_and_priority(ansible, bed, tmp_path):
    address = tmp_path / "log.sock"
    server = syslog_server(address)
    try:
        bed.fault("^/v3/domain_quotas/" + bed.domains["globex"], method="PATCH", status=500)
        options = {"syslog": "true", "syslog_socket": address, "syslog_facility": "local3"}
        env = dict(ansible.os_env(), **audit_env(**options))
        result = ansible.playbook(localhost_play([
            {"name": "ok", QUOTA: {"domain": "acme", "quotas": {"cores": 101}}},
            {"name": "refused", "ignore_errors": True,
             QUOTA: {"domain": "globex", "quotas": {"cores": 101}}}]), env=env)
        assert result.rc == 0, result.stdout + result.stderr
        messages = syslog_messages(server)
    finally:
        server.close()
    assert [(priority, ident, record["target"]["name"], record["outcome"])
            for priority, ident, record in messages] == [
        (19 * 8 + 5, "eos_quota_audit", "acme", "success"),
        (19 * 8 + 4, "eos_quota_audit", "globex", "failure")]
    assert "no destination" not in result.stderr


def test_a_file_others_can_read_is_refused_and_the_run_goes_on(ansible, bed, audit):
    audit.parent.mkdir()
    audit.write_text("")
    audit.chmod(0o644)
    result = run(ansible, [{"name": "set", QUOTA: {"domain": "acme", "quotas": {"cores": 99}}}],
                 audit)
    assert result.rc == 0 and result.task("set")["changed"] is True
    output = re.sub(r"\s+", " ", result.stdout + result.stderr)
    assert "can be read or written by others (mode 0644): chmod 600 it; no audit event will be " \
        "written there" in output, output[-2000:]
    assert "lost the audit event of eos_domain_quota acme (%s, outcome success)" \
        % bed.domains["acme"] in output
    assert audit.read_text() == "" and server_quotas(bed)["cores"] == 99


def test_no_destination_is_a_warning(ansible, bed):
    env = dict(ansible.os_env(), ANSIBLE_CALLBACKS_ENABLED="easystack.eos.quota_audit")
    result = ansible.playbook(localhost_play([{"name": "set", QUOTA: {
        "domain": "acme", "quotas": {"cores": 98}}}]), env=env)
    assert result.rc == 0
    assert "easystack.eos.quota_audit is enabled but has no destination" in re.sub(
        r"\s+", " ", result.stderr + result.stdout)


def test_a_hostile_department_name_is_data_on_one_line(ansible, bed, audit):
    name = 'ev"il}\u2028{"outcome":"success"}\u202e\u7814\u53d1' + uuid.uuid4().hex[:6]
    created = bed.api("POST", "/v3/domains", json={"domain": {"name": name}})
    assert created.status_code == 201, created.text
    domain = created.json()["domain"]
    try:
        result = run(ansible, [{"name": "set", QUOTA: {"domain": domain["id"],
                                                       "quotas": {"cores": 5}}}], audit)
        assert result.rc == 0, result.stdout + result.stderr
        [event] = read_events(audit)  # one ASCII line, valid JSON, valid CADF
        assert event["target"]["name"] == name and event["target"]["id"] == domain["id"]
        assert len(audit.read_text().splitlines()) == 1
    finally:
        path = "/v3/domains/" + domain["id"]
        bed.api("PATCH", path, json={"domain": {"enabled": False}})
        bed.api("DELETE", path)


def test_ad_hoc_runs_are_recorded_too(ansible, bed, audit):
    audit.parent.mkdir()
    env = dict(ansible.os_env(), **audit_env(audit))
    result = ansible.module("eos_domain_quota", {"domain": "globex", "quotas": {"cores": 97}},
                            env=env)
    assert result.rc == 0, result.stdout + result.stderr
    [event] = read_events(audit)
    assert event["target"]["name"] == "globex" and event["outcome"] == "success"


def test_no_log_in_check_mode_records_nothing(ansible, bed, audit, user):
    tasks = [{"name": "hidden", "no_log": True, PASSWORD: {
        "user": user["name"], "domain": "acme", "password": "Other-" + uuid.uuid4().hex}},
        {"name": "hidden quota", "no_log": True, "check_mode": True,
         QUOTA: {"domain": "acme", "quotas": {"cores": 120}}}]
    result = run(ansible, tasks[:1], audit, check=True)
    assert result.rc == 0 and result.task("hidden")["changed"] is True
    result = run(ansible, tasks[1:], audit)
    assert result.rc == 0 and result.task("hidden quota")["changed"] is True
    assert read_events(audit) == []


def docs_blocks(language):
    """The ``language`` code blocks of docs/audit.md, in order."""
    text = (REPO / "docs" / "audit.md").read_text()
    return re.findall(r"^```%s\n(.*?)^```" % language, text, re.M | re.S)


def test_the_docs_ansible_cfg_and_the_commands_that_read_the_file(ansible, bed, tmp_path, audit):
    """docs/audit.md as written: its ansible.cfg (the file moved to a test directory, syslog to
    a socket of the test's), a quota change, then its two commands on the file it wrote."""
    (audit.parent).mkdir()
    config = docs_blocks("ini")[0]
    assert "callbacks_enabled = easystack.eos.quota_audit" in config
    config = config.replace("/var/log/eos-audit/events.log", str(audit))
    config += "syslog_socket = %s\n" % (tmp_path / "log.sock")
    (tmp_path / "ansible.cfg").write_text(config)
    server = syslog_server(str(tmp_path / "log.sock"))
    try:
        run_ = ansible.playbook(localhost_play([{QUOTA: {"domain": "acme", "quotas": {"cores": 81}}}]),
                                env=dict(ansible.os_env(), ANSIBLE_CONFIG=str(tmp_path / "ansible.cfg")))
        assert run_.rc == 0, run_.stdout + run_.stderr
        assert [event["target"]["name"] for dummy, dummy2, event in syslog_messages(server)] == ["acme"]
    finally:
        server.close()
    assert [event["target"]["name"] for event in read_events(audit)] == ["acme"]
    commands = [line for line in docs_blocks("bash")[1].splitlines() if line.strip()]
    assert len(commands) == 2
    for command in commands:
        if command.startswith("jq") and not shutil.which("jq"):
            continue  # jq is not everywhere; the python line reads the same file
        done = subprocess.run(command.replace("/var/log/eos-audit/events.log", str(audit)),
                              shell=True, capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 0, (command, done.stderr)
