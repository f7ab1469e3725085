# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal to easystack.eos, not a public API: no compatibility promise (docs/development.md).
"""The audit trail's events: one CADF event per write the collection's modules made.

The quota_audit callback (plugins/callback/quota_audit.py) hands each task result of
eos_domain_quota and eos_user_password to ``events``; this file decides which results are
writes and what their events say. Pure functions, no I/O: the callback writes the lines.

- A write is what a module reports under ``write`` (``errors.write_record``): present only when
  the module sent one, with the module's own outcome (``success``, ``failure``, ``unknown``),
  which ``failed_when``, ``changed_when`` and ``ignore_errors`` do not change. Nothing is inferred
  from ``changed`` or ``failed``: check mode and unchanged runs report no ``write``, so they have
  no event. One exception: a result hidden by ``no_log`` (``censored``) that says ``changed``.
- Events are built from an allowlist of result fields (IDs, names, region, quota numbers,
  request ids, the error message), never from the task's arguments: no password, hash or token
  can reach them. Every string is bounded (``text``); JSON escaping is the writer's
  (``line``: ASCII only, so that a line is one line in every tool).
- The shape is CADF's (the DMTF Cloud Auditing Data Federation event model, as pycadf reads it):
  ``typeURI``, ``id``, ``eventType: activity``, ``eventTime``, ``action: update``, ``outcome``,
  ``initiator``, ``target``, ``observer``, ``reason`` (the request id), ``attachments``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import Any, Callable, Dict, List, Mapping, Optional

import datetime
import json
import math
import uuid

CADF_EVENT = "http://schemas.dmtf.org/cloud/audit/1.0/event"
# pycadf's timestamp format (timestamp.TIME_FORMAT): 2026-11-30T10:00:00.123456+0000
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%f%z"
# The namespace of the stable IDs this file makes (initiator, observer): uuid5 of a name.
NAMESPACE = uuid.UUID("c317a9d8-cb5c-442d-84b7-6b4c2ffdc545")

QUOTA_MODULE = "easystack.eos.eos_domain_quota"
PASSWORD_MODULE = "easystack.eos.eos_user_password"
MODULES = (QUOTA_MODULE, PASSWORD_MODULE)
OBSERVER = "easystack.eos.quota_audit"

OUTCOMES = ("success", "failure", "unknown")
REQUEST_ID = "X-OpenStack-Request-Id"  # reason.reasonType: what reasonCode is
JSON = "application/json"  # attachments' typeURI
TEXT = "text/plain"

# Bounds: IDs, names and other short strings; the error message; quota items per attachment.
NAME_LIMIT = 255
MESSAGE_LIMIT = 1000
ITEM_LIMIT = 64
ITEMS = 500
# The AWX job's fields recorded (extra variables awx_<name>, or tower_<name> from older Towers):
# AWX's UnifiedJob.awx_meta_vars and Job.awx_meta_vars (awx/main/models/unified_jobs.py, jobs.py).
AWX_FIELDS = (
    ("job_id", "job_id"), ("job_launch_type", "launch_type"),
    ("user_id", "launched_by_id"), ("user_name", "launched_by"),
    ("schedule_id", "schedule_id"), ("schedule_name", "schedule_name"),
    ("workflow_job_id", "workflow_job_id"), ("workflow_job_name", "workflow_job_name"),
    ("job_template_id", "job_template_id"), ("job_template_name", "job_template_name"),
    ("project_revision", "project_revision"), ("execution_node", "execution_node"),
)


def bounded(value: Any, limit: int = NAME_LIMIT) -> str:
    """``value`` as a string of at most ``limit`` characters (and a note of what was cut).
    Characters are kept as they are: JSON escapes them (``line``)."""
    value = value if isinstance(value, str) else str(value)
    if len(value) > limit:
        return "%s... (%d more characters)" % (value[:limit], len(value) - limit)
    return value


def text(value: Any, limit: int = NAME_LIMIT) -> Optional[str]:
    """``bounded``, None staying None."""
    return None if value is None else bounded(value, limit)


def mapping(value: Any) -> Mapping[str, Any]:
    """``value`` if it is a mapping, else an empty one."""
    return value if isinstance(value, Mapping) else {}


def number(value: Any) -> Any:
    """A quota value: an int or finite float as it is, anything else as bounded text."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return text(value, ITEM_LIMIT)
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    return value


def quota_map(values: Any) -> Dict[str, Any]:
    """``{item: value}``, bounded (ITEMS items, names of ITEM_LIMIT characters), numbers only."""
    if not isinstance(values, Mapping):
        return {}
    return dict((bounded(item, ITEM_LIMIT), number(value))
                for item, value in sorted(values.items(), key=lambda pair: str(pair[0]))[:ITEMS])


def change_map(changes: Any) -> Dict[str, Any]:
    """``{item: {before, after}}`` of a result's ``changes``, bounded like ``quota_map``."""
    if not isinstance(changes, Mapping):
        return {}
    return dict((bounded(item, ITEM_LIMIT), {"before": number(mapping(change).get("before")),
                                             "after": number(mapping(change).get("after"))})
                for item, change in sorted(changes.items(), key=lambda pair: str(pair[0]))[:ITEMS])


def attachment(name: str, content: Any) -> Dict[str, Any]:
    return {"typeURI": TEXT if isinstance(content, str) else JSON, "name": name,
            "content": content}


def stable_id(name: str) -> str:
    """A CADF identifier (a UUID) that is the same for the same ``name`` in every run."""
    return str(uuid.uuid5(NAMESPACE, name))


def awx_job(extra_vars: Mapping[str, Any], environ: Mapping[str, str]) -> Optional[Dict[str, Any]]:
    """What an AWX (Automation Controller, Tower) job says about itself, or None outside AWX.

    AWX passes its job's metadata as extra variables (``awx_job_id``, ``awx_user_name`` - who
    launched it, absent for a scheduled job, which has ``awx_schedule_name`` -, ...; the same as
    ``tower_*``), which override any extra variable of the same name that the job was launched
    with, and sets ``JOB_ID`` and ``AWX_HOST`` in the job's environment (RunJob.build_env in
    awx/main/tasks/jobs.py). Outside AWX anyone can set these with ``-e``: they are recorded as
    what the job said, beside the OS user, which they do not replace.
    """
    job: Dict[str, Any] = {}
    for name, key in AWX_FIELDS:
        for prefix in ("awx_", "tower_"):
            value = extra_vars.get(prefix + name)
            if value is not None and value != "":
                job[key] = value if isinstance(value, int) and not isinstance(value, bool) \
                    else text(value)
                break
    if "job_id" not in job and environ.get("JOB_ID") and environ.get("AWX_HOST"):
        job["job_id"] = text(environ["JOB_ID"])
    if not job:
        return None
    if environ.get("AWX_HOST"):
        job["url"] = text(environ["AWX_HOST"])
    return job


def initiator(user: str, uid: Optional[int], host: str, agent: str,
              awx: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """The CADF initiator: the OS user that runs Ansible, on the controller ``host``, and the
    AWX job (``awx_job``) when there is one."""
    resource: Dict[str, Any] = {
        "typeURI": "service/security/account/user",
        "id": stable_id("os-user:%s:%s@%s" % (user, uid, host)),
        "name": text(user),
        "host": {"address": text(host), "agent": text(agent)},
    }
    if awx:
        resource["attachments"] = [attachment("awx_job", awx)]
    return resource


def observer() -> Dict[str, Any]:
    """The CADF observer: this callback, which saw the module's result."""
    return {"typeURI": "service/security/audit", "id": stable_id(OBSERVER), "name": OBSERVER}


class Context:
    """What every event of a run shares: the initiator, the observer, the clock and the IDs
    (the tests give their own clock and IDs)."""

    def __init__(self, initiator: Dict[str, Any],
                 now: Optional[Callable[[], datetime.datetime]] = None,
                 new_id: Optional[Callable[[], str]] = None) -> None:
        self.initiator = initiator
        self.observer = observer()
        self.now = now or (lambda: datetime.datetime.now(datetime.timezone.utc))
        self.new_id = new_id or (lambda: str(uuid.uuid4()))


def event(context: Context, module: str, outcome: str, target: Dict[str, Any],
          request_id: Any, attachments: List[Dict[str, Any]]) -> Dict[str, Any]:
    """One CADF event."""
    record: Dict[str, Any] = {
        "typeURI": CADF_EVENT,
        "id": context.new_id(),
        "eventType": "activity",
        "eventTime": context.now().strftime(TIME_FORMAT),
        "action": "update",
        "outcome": outcome if outcome in OUTCOMES else "unknown",
        "name": module,
        "initiator": context.initiator,
        "target": target,
        "observer": context.observer,
    }
    if request_id:
        record["reason"] = {"reasonType": REQUEST_ID, "reasonCode": text(request_id)}
    if attachments:
        record["attachments"] = attachments
    return record


def write_of(result: Mapping[str, Any]) -> Optional[Mapping[str, Any]]:
    """The ``write`` a module reported in ``result`` (or a list-form entry), else None."""
    write = result.get("write")
    return write if isinstance(write, Mapping) else None


def error_of(result: Mapping[str, Any], outcome: str) -> List[Dict[str, Any]]:
    """The failure's message, as an attachment, for a write that did not succeed."""
    if outcome == "success" or not result.get("msg"):
        return []
    return [attachment("error", text(result.get("msg"), MESSAGE_LIMIT))]


def quota_event(context: Context, result: Mapping[str, Any], outcome: str,
                request_id: Any) -> Dict[str, Any]:
    """The event of one department and region (the single form's result, or a list entry)."""
    domain = mapping(result.get("domain"))
    changes = change_map(result.get("changes"))
    quotas = quota_map(result.get("quotas"))
    if outcome == "success":  # ``quotas``: what the server answered after the write
        before = dict(quotas, **dict((item, change["before"]) for item, change in changes.items()))
        values = [attachment("quotas_before", before), attachment("quotas_after", quotas)]
    else:  # ``quotas``: the values read before the write
        values = [attachment("quotas_before", quotas)]
    target = {"typeURI": "data/security/domain/quota", "id": text(domain.get("id")) or "unknown",
              "name": text(domain.get("name") or domain.get("id")) or "unknown",
              "attachments": [attachment("region", text(result.get("region")) or "unknown")]}
    return event(context, QUOTA_MODULE, outcome, target, request_id,
                 [attachment("changes", changes)] + values + error_of(result, outcome))


def password_event(context: Context, result: Mapping[str, Any], outcome: str,
                   request_id: Any) -> Dict[str, Any]:
    """The event of a password reset: who, in which domain - never the password."""
    user = mapping(result.get("user"))
    target: Dict[str, Any] = {"typeURI": "data/security/account/user",
                              "id": text(user.get("id")) or "unknown",
                              "name": text(user.get("name") or user.get("id")) or "unknown"}
    if user.get("domain_id"):
        target["domain"] = text(user.get("domain_id"))
    return event(context, PASSWORD_MODULE, outcome, target, request_id,
                 error_of(result, outcome))


def hidden_event(context: Context, module: str, failed: bool) -> Dict[str, Any]:
    """A result hidden by ``no_log: true`` on the task that says ``changed``: the write is
    recorded, without what it wrote to (the callback gets nothing else)."""
    kind = "data/security/domain/quota" if module == QUOTA_MODULE else \
        "data/security/account/user"
    target = {"typeURI": kind, "id": "unknown", "name": "unknown (no_log)"}
    return event(context, module, "unknown" if failed else "success", target, None, [attachment(
        "note", "the task's result is hidden by no_log: true, so what it wrote to is unknown")])


def events(context: Context, module: str, result: Mapping[str, Any], failed: bool = False,
           check_mode: bool = False) -> List[Dict[str, Any]]:
    """The events of one task result of ``module`` (its FQCN); [] for any other module.

    ``failed`` and ``check_mode`` matter only to a result hidden by ``no_log``.
    """
    if module not in MODULES or not isinstance(result, Mapping):
        return []
    if "censored" in result:
        if result.get("changed") is True and not check_mode:
            return [hidden_event(context, module, failed)]
        return []  # unchanged, check mode, or a failure that says nothing was written
    build = password_event if module == PASSWORD_MODULE else quota_event
    results = result["domains"] if module == QUOTA_MODULE and isinstance(
        result.get("domains"), list) else [result]  # the list form: one per entry written
    found = []
    for one in results:
        write = write_of(one) if isinstance(one, Mapping) else None
        if write is not None:
            found.append(build(context, one, str(write.get("outcome")), write.get("request_id")))
    return found


def line(record: Mapping[str, Any]) -> str:
    """One event as one line of JSON: ASCII only (every other character escaped), no NaN."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=True,
                      allow_nan=False, default=str)
