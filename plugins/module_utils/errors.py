# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one exception type of the collection, and how it becomes a module failure."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# "scheme://user:password@" in a URL: shown as "scheme://***@" in every message.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#@\s]*@")


def masked(text):
    """``text`` with the credentials of every URL in it replaced by ``***``."""
    return _USERINFO.sub(r"\1***@", u"%s" % (text,))


def echoed_forms(secret):
    """``secret`` and the forms a server may echo it back in: JSON-escaped (``\\"``, ``\\u00e9``),
    Python-escaped, URL-encoded. Each is to be masked wherever output is made."""
    import json  # here: only modules with secrets get here, once per secret
    from urllib.parse import quote, quote_plus
    forms = {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1],
             repr(secret)[1:-1], quote(secret, safe=""), quote_plus(secret)}
    return set(form for form in forms if form)


class EosError(Exception):
    """A failure a human can act on: what failed, where, why, and the server's request id.

    ``message`` never contains a secret: callers build it from URLs, names and the server's
    error text only (cleaned by ``untrusted.shown``), and URL credentials are masked here.
    Modules turn it into ``fail_json(**error.fail_kwargs())``.

    ``maybe_applied``: a write that got no usable answer, so it may have taken effect; the
    module reports ``changed`` for it rather than hide a write.

    ``result``: what the task did before it failed (a list form's entries, written or not), so
    the failure still reports every write.

    ``not_attempted``: the request was never sent (the task had already stopped, e.g. after a
    refused re-login), so nothing of it can have taken effect.
    """

    def __init__(self, message, status=None, title=None, request_id=None, method=None, url=None,
                 server_message=None, maybe_applied=False, result=None, not_attempted=False):
        message = masked(message)
        super(EosError, self).__init__(message)
        self.message = message
        self.server_message = server_message or message
        self.status = status
        self.title = title
        self.request_id = request_id
        self.method = method
        self.url = masked(url) if url is not None else None
        self.maybe_applied = maybe_applied
        self.result = result or {}
        self.not_attempted = not_attempted

    def __str__(self):
        message = masked(self.message)  # callers may have appended to it
        if self.request_id and self.request_id not in message:
            return "%s (request id %s)" % (message, self.request_id)
        return message

    def fail_kwargs(self):
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
