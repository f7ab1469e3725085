# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one exception type of the collection, and how it becomes a module failure."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class EosError(Exception):
    """A failure a human can act on: what failed, where, why, and the server's request id.

    ``message`` never contains a secret: callers build it from URLs, names and the server's
    error text only. Modules turn it into ``fail_json(**error.fail_kwargs())``.
    """

    def __init__(self, message, status=None, title=None, request_id=None, method=None, url=None,
                 server_message=None):
        super(EosError, self).__init__(message)
        self.message = message
        self.server_message = server_message or message
        self.status = status
        self.title = title
        self.request_id = request_id
        self.method = method
        self.url = url

    def __str__(self):
        if self.request_id and self.request_id not in self.message:
            return "%s (request id %s)" % (self.message, self.request_id)
        return self.message

    def fail_kwargs(self):
        """Keyword arguments for ``AnsibleModule.fail_json``; empty fields are left out."""
        result = {"msg": str(self)}
        for key in ("status", "request_id", "url", "method"):
            value = getattr(self, key)
            if value is not None:
                result[key] = value
        return result
