# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The quota_audit callback: its destinations (a 0600 file appended to, a syslog socket) and
which task results it records. The whole callback in real playbooks: tests/integration."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import socket
import stat
import threading

import pytest

from ansible_collections.easystack.eos.plugins.callback import quota_audit
from ansible_collections.easystack.eos.plugins.callback.quota_audit import (
    AuditError, CallbackModule, append_line, os_user, send_syslog)

WRITTEN = {"changed": True, "domain": {"id": "d1", "name": "acme"}, "region": "RegionOne",
           "quotas": {"cores": 100}, "changes": {"cores": {"before": 72, "after": 100}},
           "write": {"request_id": "req-1", "outcome": "success"}}


# -- the file ----------------------------------------------------------------------------------

def test_a_new_file_is_created_0600_whatever_the_umask(tmp_path):
    path = str(tmp_path / "audit.log")
    old = os.umask(0)
    try:
        append_line(path, b"one\n")
    finally:
        os.umask(old)
    append_line(path, b"two\n")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with open(path, "rb") as handle:
        assert handle.read() == b"one\ntwo\n"


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o620, 0o602])
def test_a_file_others_can_read_or_write_is_refused_and_left_alone(tmp_path, mode):
    path = tmp_path / "audit.log"
    path.write_bytes(b"old\n")
    path.chmod(mode)
    with pytest.raises(AuditError, match=r"can be read or written by others \(mode 0%o\): "
                                         r"chmod 600 it" % mode):
        append_line(str(path), b"new\n")
    assert path.read_bytes() == b"old\n"


def test_a_symbolic_link_is_refused(tmp_path):
    target = tmp_path / "elsewhere"
    target.write_bytes(b"")
    target.chmod(0o600)
    link = tmp_path / "audit.log"
    link.symlink_to(target)
    with pytest.raises(AuditError, match="is a symbolic link"):
        append_line(str(link), b"new\n")
    assert target.read_bytes() == b""


def test_a_directory_or_missing_parent_is_a_clear_error(tmp_path):
    with pytest.raises(AuditError, match="cannot open .*: Is a directory"):
        append_line(str(tmp_path), b"x\n")
    with pytest.raises(AuditError, match="cannot open .*: No such file or directory"):
        append_line(str(tmp_path / "missing" / "audit.log"), b"x\n")


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "audit.fifo"
    os.mkfifo(str(fifo), 0o600)
    with pytest.raises(AuditError):  # no reader: ENXIO at once; never blocks the run
        append_line(str(fifo), b"x\n")


def test_concurrent_appends_never_tear_a_line(tmp_path):
    path = str(tmp_path / "audit.log")
    lines = [(json.dumps({"writer": n, "pad": "x" * 3000}) + "\n").encode() for n in range(8)]

    def writer(data):
        for dummy in range(20):
            append_line(path, data)
    threads = [threading.Thread(target=writer, args=(data,)) for data in lines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with open(path, "rb") as handle:
        written = handle.read().splitlines(True)
    assert len(written) == 160 and set(written) == set(lines)


# -- syslog ------------------------------------------------------------------------------------

def test_syslog_datagram_has_facility_severity_ident_and_the_line(tmp_path):
    address = str(tmp_path / "log.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(address)
    try:
        send_syslog(address, 19, 5, '{"outcome":"success"}')  # local3.notice
        data = server.recv(65536).decode("ascii")
    finally:
        server.close()
    assert data == '<157>eos_quota_audit[%d]: {"outcome":"success"}' % os.getpid()


def test_syslog_stream_socket(tmp_path):
    address = str(tmp_path / "log.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(address)
    server.listen(1)
    received = []

    def accept():
        connection, dummy = server.accept()
        received.append(connection.makefile("rb").read())
        connection.close()
    thread = threading.Thread(target=accept)
    thread.start()
    try:
        send_syslog(address, 10, 4, "{}")  # authpriv.warning
    finally:
        thread.join(10)
        server.close()
    assert received[0] == b"<84>eos_quota_audit[%d]: {}\x00" % os.getpid()


def test_syslog_without_a_daemon_is_a_clear_error(tmp_path):
    with pytest.raises(AuditError, match="cannot send to the syslog socket .*nothing"):
        send_syslog(str(tmp_path / "nothing"), 10, 5, "{}")


# -- who runs it -------------------------------------------------------------------------------

def test_the_os_user_is_the_password_databases_not_the_environments(monkeypatch):
    import pwd
    monkeypatch.setenv("USER", "mallory")
    monkeypatch.setenv("LOGNAME", "mallory")
    assert os_user() == (pwd.getpwuid(os.getuid()).pw_name, os.getuid())


def test_a_uid_without_a_name_is_named_by_the_environment_or_its_number(monkeypatch):
    import getpass
    import pwd

    def no_entry(uid):
        raise KeyError(uid)
    monkeypatch.setattr(pwd, "getpwuid", no_entry)  # an arbitrary uid (OpenShift, containers)
    monkeypatch.setattr(getpass, "getuser", lambda: "runner")
    assert os_user() == ("runner", os.getuid())

    def nothing():
        raise OSError("No username set in the environment")
    monkeypatch.setattr(getpass, "getuser", nothing)
    assert os_user() == ("uid %d" % os.getuid(), os.getuid())


# -- which results are recorded ----------------------------------------------------------------

class Task:
    def __init__(self, action, resolved=None, check_mode=False):
        self.action = action
        self.resolved_action = resolved
        self.check_mode = check_mode


class Result:
    def __init__(self, task, result):
        self.task = task
        self.result = result


class OldResult:
    """ansible-core before 2.19: ``_task`` and ``_result`` only."""

    def __init__(self, task, result):
        self._task = task
        self._result = result


@pytest.fixture()
def callback(tmp_path, monkeypatch):
    plugin = CallbackModule()
    options = {"file": str(tmp_path / "audit.log"), "syslog": False,
               "syslog_facility": "authpriv", "syslog_socket": "/dev/log"}
    monkeypatch.setattr(plugin, "get_option", options.get)
    warnings = []
    monkeypatch.setattr(plugin._display, "warning", warnings.append)

    def lines():
        path = tmp_path / "audit.log"
        return [json.loads(text) for text in path.read_text().splitlines()] \
            if path.exists() else []
    plugin.lines, plugin.warnings, plugin.options = lines, warnings, options
    return plugin


def test_the_module_by_fqcn_short_name_or_redirect(callback):
    callback.v2_runner_on_ok(Result(Task("eos_domain_quota"), WRITTEN))
    callback.v2_runner_on_ok(Result(Task("whatever", "easystack.eos.eos_domain_quota"), WRITTEN))
    callback.v2_runner_on_ok(OldResult(Task("easystack.eos.eos_domain_quota"), WRITTEN))
    callback.v2_runner_on_ok(Result(Task("other.collection.eos_domain_quota"), WRITTEN))
    callback.v2_runner_on_ok(Result(Task("ansible.builtin.debug"), {"msg": "hi"}))
    assert [event["target"]["name"] for event in callback.lines()] == ["acme"] * 3


def test_a_loop_is_recorded_per_item_once(callback):
    task = Task("easystack.eos.eos_domain_quota")
    callback.v2_runner_item_on_ok(Result(task, WRITTEN))
    callback.v2_runner_item_on_failed(Result(task, dict(WRITTEN, failed=True, write={
        "request_id": "req-2", "outcome": "failure"})))
    callback.v2_runner_on_failed(Result(task, {"results": [WRITTEN, WRITTEN], "changed": True}))
    assert [event["outcome"] for event in callback.lines()] == ["success", "failure"]


def test_a_retried_attempt_that_wrote_is_recorded(callback):
    callback.v2_runner_retry(Result(Task("easystack.eos.eos_domain_quota"),
                                    dict(WRITTEN, attempts=1, retries=2)))
    assert len(callback.lines()) == 1


def test_no_log_check_mode_is_not_a_write(callback):
    censored = {"censored": "hidden", "changed": True}
    callback.v2_runner_on_ok(Result(Task("easystack.eos.eos_user_password", check_mode=True),
                                    censored))
    assert callback.lines() == []
    callback.v2_runner_on_ok(Result(Task("easystack.eos.eos_user_password"), censored))
    assert [event["target"]["id"] for event in callback.lines()] == ["unknown"]


def test_a_lost_event_is_a_warning_naming_it(callback, tmp_path):
    (tmp_path / "audit.log").write_text("")
    (tmp_path / "audit.log").chmod(0o644)
    callback.v2_runner_on_ok(Result(Task("easystack.eos.eos_domain_quota"), WRITTEN))
    assert callback.warnings == [
        "easystack.eos.quota_audit lost the audit event of eos_domain_quota acme (d1, outcome "
        "success): %s can be read or written by others (mode 0644): chmod 600 it"
        % (tmp_path / "audit.log")]


def test_a_run_without_destination_or_with_a_bad_file_warns_at_the_first_play(callback,
                                                                              tmp_path):
    class Play:
        def get_variable_manager(self):
            return None
    callback.options["file"] = str(tmp_path / "missing" / "audit.log")
    callback.v2_playbook_on_play_start(Play())
    callback.v2_playbook_on_play_start(Play())  # once per run
    assert callback.warnings == [
        "easystack.eos.quota_audit: cannot open %s for appending: No such file or directory; "
        "no audit event will be written there" % (tmp_path / "missing" / "audit.log")]
    other = CallbackModule()
    warnings = []
    other.get_option = {"file": None, "syslog": False}.get
    other._display.warning = warnings.append
    other.v2_playbook_on_play_start(Play())
    assert "has no destination" in warnings[0]


def test_syslog_and_file_together(callback, tmp_path, monkeypatch):
    address = str(tmp_path / "log.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(address)
    callback.options.update(syslog=True, syslog_socket=address, syslog_facility="local7")
    try:
        callback.v2_runner_on_failed(Result(Task("easystack.eos.eos_domain_quota"), dict(
            WRITTEN, failed=True, msg="lost", write={"request_id": None, "outcome": "unknown"})))
        data = server.recv(65536).decode("ascii")
    finally:
        server.close()
    assert data.startswith("<188>")  # local7 (23) * 8 + warning (4)
    assert json.loads(data.split(": ", 1)[1]) == callback.lines()[0]
    assert quota_audit.FACILITIES["local7"] == 23
