# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal to easystack.eos, not a public API: no compatibility promise (docs/development.md).
"""The one exception type of the collection, and how it becomes a module failure."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import Any, Dict, Optional

from ansible_collections.easystack.eos.plugins.module_utils.secrets import hidden


class EosError(Exception):
    """A failure a human can act on: what failed, where, why, and the server's request id.

    ``message`` never contains a secret: callers build it from URLs, names and the server's
    error text only (cleaned by ``untrusted.shown``), and ``secrets.hidden`` hides here what
    is secret all the same (URL credentials, every secret learnt).
    Modules turn it into ``fail_json(**error.fail_kwargs())``.

    ``maybe_applied``: a write that got no usable answer, so it may have taken effect; the
    module reports ``changed`` for it rather than hide a write.

    ``result``: what the task did before it failed (a list form's entries, written or not), so
    the failure still reports every write.

    ``not_attempted``: the request was never sent (the task had already stopped, e.g. after a
    refused re-login), so nothing of it can have taken effect.
    """

    def __init__(self, message: Any, status: Optional[int] = None, title: Optional[str] = None,
                 request_id: Optional[str] = None, method: Optional[str] = None,
                 url: Optional[str] = None, server_message: Optional[str] = None,
                 maybe_applied: bool = False, result: Optional[Dict[str, Any]] = None,
                 not_attempted: bool = False) -> None:
        message = hidden(message)
        super(EosError, self).__init__(message)
        self.message = message
        self.server_message = server_message or message
        self.status = status
        self.title = title
        self.request_id = request_id
        self.method = method
        self.url = hidden(url) if url is not None else None
        self.maybe_applied = maybe_applied
        self.result = result or {}
        self.not_attempted = not_attempted

    def __str__(self) -> str:
        message = hidden(self.message)  # callers may have appended to it
        if self.request_id and self.request_id not in message:
            return "%s (request id %s)" % (message, self.request_id)
        return message

    def fail_kwargs(self) -> Dict[str, Any]:
        """Keyword arguments for ``AnsibleModule.fail_json``; empty fields are left out."""
        result = dict(self.result)
        result["msg"] = str(self)
        for key in ("status", "request_id", "url", "method"):
            value = getattr(self, key)
            if value is not None:
                result[key] = value
        if self.maybe_applied:
            result["changed"] = True
        return result


def write_record(request_id: Optional[str], error: Optional[EosError] = None) -> Dict[str, Any]:
    """The ``write`` key of a result whose task sent a write: the request id of its answer and
    its outcome - ``success``, ``failure`` (refused: nothing written) or ``unknown`` (no usable
    answer: it may have been applied). What the quota_audit callback records."""
    if error is None:
        outcome = "success"
    else:
        outcome = "unknown" if error.maybe_applied else "failure"
        request_id = error.request_id or request_id
    return {"request_id": request_id, "outcome": outcome}
