# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: quota_audit
type: notification
short_description: An audit trail of the quota changes and password resets the collection makes
version_added: 0.1.0
author:
  - easystack.eos maintainers (@easystack)
description:
  - Writes one JSON line per write that M(easystack.eos.eos_domain_quota) (one per department and
    region written) and M(easystack.eos.eos_user_password) (one per password reset) made - to a
    file, to syslog, or both. Nothing for a task that wrote nothing (nothing differed, check
    mode, a failure before the write); a failed write is recorded too, as a C(failure) (refused,
    nothing written) or C(unknown) (the answer was lost - it may have been applied).
  - The lines are CADF events (the DMTF Cloud Auditing Data Federation model that OpenStack's
    own audit uses) - C(typeURI), C(id), C(eventType=activity), C(eventTime), C(action=update),
    C(outcome), C(initiator) (the OS user running Ansible, the controller's host name and, under
    AWX, the job - its ID, who launched it, its template), C(target) (the department and region,
    or the user), C(observer) (this callback), C(reason) (the request id of the write) and
    C(attachments) (the quotas before and after, the items changed, the error of a failed write).
  - No password, hash or token is ever recorded - an event is built from a list of result fields
    (IDs, names, region, quota values, request ids, the module's error message), never from the
    task's arguments.
  - A task with C(no_log) hides its result from every callback; its write is then recorded
    without what it wrote to.
  - Enable it with C(callbacks_enabled) (C(ANSIBLE_CALLBACKS_ENABLED=easystack.eos.quota_audit)).
    A destination that cannot be written is reported as a warning, at the start of the run and
    for each event lost; the playbook goes on.
requirements:
  - enabled in C(callbacks_enabled) (C([defaults]) in ansible.cfg, or C(ANSIBLE_CALLBACKS_ENABLED))
options:
  file:
    description:
      - The file the events are appended to, one line each. Created with mode C(0600); a file
        that is a symbolic link, or that others can read or write (group or world bits set), is
        refused (nothing is written to it, a warning says why).
      - Each event is one C(write) of the whole line to the file opened for appending, then
        C(fsync); runs that share the file do not tear each other's lines.
    type: path
    env:
      - name: EOS_AUDIT_FILE
    ini:
      - section: callback_quota_audit
        key: file
  syslog:
    description:
      - Also send each event to the local syslog daemon, through O(syslog_socket), with the
        identifier C(eos_quota_audit) - priority C(notice) for a write that succeeded,
        C(warning) for one that failed or may have been applied.
    type: bool
    default: false
    env:
      - name: EOS_AUDIT_SYSLOG
    ini:
      - section: callback_quota_audit
        key: syslog
  syslog_facility:
    description:
      - The syslog facility of the events. C(authpriv) is logged where only administrators
        read it on most systems.
    type: str
    default: authpriv
    choices: [auth, authpriv, user, daemon, local0, local1, local2, local3, local4, local5,
              local6, local7]
    env:
      - name: EOS_AUDIT_SYSLOG_FACILITY
    ini:
      - section: callback_quota_audit
        key: syslog_facility
  syslog_socket:
    description:
      - The syslog daemon's local socket (a datagram or stream UNIX socket).
    type: path
    default: /dev/log
    env:
      - name: EOS_AUDIT_SYSLOG_SOCKET
    ini:
      - section: callback_quota_audit
        key: syslog_socket
notes:
  - docs/audit.md in the collection shows a line and describes every field, the AWX set-up and
    how to check the lines with pycadf.
  - Outside AWX, the AWX fields are what the run's extra variables say (anyone can set them with
    C(-e)); the OS user and host name are recorded beside them in every case.
"""

import errno
import logging
import logging.handlers
import os
import platform
import socket
import stat
import sys

from ansible import context
from ansible.plugins.callback import CallbackBase

from ansible_collections.easystack.eos.plugins.plugin_utils.audit import (
    MODULES, Context, awx_job, events, initiator, line, text)
from ansible_collections.easystack.eos.plugins.module_utils.version import COLLECTION_VERSION

FACILITIES = logging.handlers.SysLogHandler.facility_names  # auth, authpriv, local0-7, ...
NOTICE = 5  # syslog severities
WARNING = 4
SEVERITIES = {NOTICE: "NOTICE", WARNING: "WARNING"}
SYSLOG_IDENT = "eos_quota_audit"
SHORT_NAMES = dict((name.rsplit(".", 1)[1], name) for name in MODULES)


class AuditError(Exception):
    """A destination that cannot take an event; the message says which and why."""


def os_user():
    """``(name, uid)`` of the user running Ansible: the password database's name for the real
    uid (not $USER, which anyone sets), else $USER and the like, else ``uid <n>``."""
    uid = os.getuid() if hasattr(os, "getuid") else None
    try:
        import pwd
        return pwd.getpwuid(uid).pw_name, uid
    except (ImportError, KeyError, TypeError):
        pass
    try:
        import getpass
        return getpass.getuser(), uid
    except Exception:  # pylint: disable=broad-except  # OSError on 3.13, KeyError before
        return "uid %s" % uid, uid


def append_line(path, data):
    """Append ``data`` (one line) to ``path``: created 0600, refused when it is a symbolic link,
    not a regular file, or readable or writable by others. One write, then fsync."""
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | \
        getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(path, flags, 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise AuditError("%s is a symbolic link: give the file itself" % path)
        raise AuditError("cannot open %s for appending: %s" % (path, exc.strerror or exc))
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise AuditError("%s is not a regular file" % path)
        if info.st_mode & 0o077:
            raise AuditError("%s can be read or written by others (mode %04o): chmod 600 it"
                             % (path, stat.S_IMODE(info.st_mode)))
        if data:
            view = memoryview(data)
            while view:
                view = view[os.write(descriptor, view):]
            os.fsync(descriptor)
    except OSError as exc:
        raise AuditError("cannot write to %s: %s" % (path, exc.strerror or exc))
    finally:
        os.close(descriptor)


class SyslogClient(logging.handlers.SysLogHandler):
    """The standard library's syslog client (RFC 3164 to a local UNIX socket, datagram or
    stream), except that a message it cannot send is an AuditError instead of a traceback on
    stderr and a lost event."""

    def handleError(self, record):  # pylint: disable=invalid-name
        raise AuditError("cannot send to the syslog socket %s: %s" % (self.address, sys.exc_info()[1]))


def send_syslog(address, facility, severity, message):
    """One message to the syslog daemon's UNIX socket at ``address``: ``<PRI>ident[pid]:
    message`` (the daemon adds the time it got it)."""
    try:
        client = SyslogClient(address=address, facility=facility)
    except OSError as exc:
        raise AuditError("cannot send to the syslog socket %s: %s" % (address, exc.strerror or exc))
    try:
        client.ident = "%s[%d]: " % (SYSLOG_IDENT, os.getpid())
        client.priority_map = {"NOTICE": "notice", "WARNING": "warning"}
        # a datagram is one message; on a stream a NUL ends it (as the daemons expect)
        client.append_nul = client.socktype == socket.SOCK_STREAM
        client.emit(logging.makeLogRecord({"msg": message, "levelname": SEVERITIES[severity]}))
    finally:
        client.close()


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "easystack.eos.quota_audit"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super(CallbackModule, self).__init__(display=display)
        self._awx = None
        self._context = None
        self._checked = False

    # -- where the events go -----------------------------------------------------------------

    def _destinations(self):
        found = []
        if self.get_option("file"):
            found.append(("file", self.get_option("file")))
        if self.get_option("syslog"):
            found.append(("syslog", self.get_option("syslog_socket") or "/dev/log"))
        return found

    def _deliver(self, kind, where, record):
        if kind == "file":
            append_line(where, (line(record) + "\n").encode("ascii"))
        else:
            facility = FACILITIES.get(self.get_option("syslog_facility"), FACILITIES["authpriv"])
            send_syslog(where, facility, NOTICE if record["outcome"] == "success" else WARNING,
                        line(record))

    def _check_destinations(self):
        """Once, at the first play: say now, before any write, what cannot be written."""
        if self._checked:
            return
        self._checked = True
        destinations = self._destinations()
        if not destinations:
            self._display.warning(
                "easystack.eos.quota_audit is enabled but has no destination: set its file "
                "(EOS_AUDIT_FILE) or syslog (EOS_AUDIT_SYSLOG=true); no audit event is written")
        for kind, where in destinations:
            if kind == "file":
                try:
                    append_line(where, b"")
                except AuditError as exc:
                    self._display.warning("easystack.eos.quota_audit: %s; no audit event will be "
                                          "written there" % exc)

    # -- who acts ------------------------------------------------------------------------------

    def _run_context(self):
        if self._context is None:
            user, uid = os_user()
            try:
                from ansible.release import __version__ as core_version
            except ImportError:  # pragma: no cover
                core_version = "unknown"
            agent = "ansible-core %s, easystack.eos %s" % (core_version, COLLECTION_VERSION)
            self._context = Context(initiator(user, uid, platform.node() or socket.gethostname(),
                                              agent, self._awx))
        return self._context

    def v2_playbook_on_play_start(self, play):
        if self._context is None:
            manager = play.get_variable_manager() if hasattr(play, "get_variable_manager") else None
            extra_vars = getattr(manager, "extra_vars", None) or {}
            self._awx = awx_job(extra_vars, os.environ)
        self._check_destinations()

    # -- the results ---------------------------------------------------------------------------

    @staticmethod
    def _parts(result):
        """``(task, result dict)`` of a callback's task result, on every supported ansible-core
        (2.19 and later: ``task``/``result``; before: ``_task``/``_result``)."""
        task = getattr(result, "task", None) or result._task  # pylint: disable=protected-access
        payload = getattr(result, "result", None)
        if payload is None:
            payload = result._result  # pylint: disable=protected-access
        return task, payload

    @staticmethod
    def _module_of(task):
        action = getattr(task, "resolved_action", None) or getattr(task, "action", None) or ""
        return SHORT_NAMES.get(action, action)

    @staticmethod
    def _check_mode(task):
        value = getattr(task, "check_mode", None)
        if isinstance(value, bool):
            return value
        return bool(context.CLIARGS.get("check", False))

    def _record(self, result, failed=False, item=False):
        task, payload = self._parts(result)
        if not item and isinstance(payload.get("results"), list):
            return  # a loop: each item was recorded by v2_runner_item_on_*
        module = self._module_of(task)
        if module not in MODULES:
            return
        found = events(self._run_context(), module, payload, failed=failed,
                       check_mode=self._check_mode(task))
        destinations = self._destinations()
        for record in found:
            for kind, where in destinations:
                try:
                    self._deliver(kind, where, record)
                except AuditError as exc:
                    target = record.get("target") or {}
                    self._display.warning(
                        "easystack.eos.quota_audit lost the audit event of %s %s (%s, outcome %s): "
                        "%s" % (module.rsplit(".", 1)[1], text(target.get("name"), 64),
                                text(target.get("id"), 64), record["outcome"], exc))

    def v2_runner_on_ok(self, result):
        self._record(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, failed=True)

    def v2_runner_item_on_ok(self, result):
        self._record(result, item=True)

    def v2_runner_item_on_failed(self, result):
        self._record(result, failed=True, item=True)

    def v2_runner_retry(self, result):
        # an attempt of a task with until/retries that is tried again: it may have written too
        self._record(result, failed=bool(self._parts(result)[1].get("failed")))
