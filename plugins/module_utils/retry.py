# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal to easystack.eos, not a public API: no compatibility promise (docs/development.md).
"""The retry policy: which failed attempts are tried again, after how long, and which failures
mean that a write may have been applied.

Retried: no answer at all (the kinds in ``RETRIED``: timeouts, refused, DNS, a closed
connection), 502/503/504 and 429 (honouring a sane ``Retry-After``), for requests the caller
marks idempotent (GET, a PATCH of absolute values, a token request). Any request is retried when
it certainly did nothing: it never left (refused, DNS, connect timeout) or the server answered
429 or 503. A write that got no answer, or a gateway's 502/504, may have been applied.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:  # annotations only: transport imports requests
    from ansible_collections.easystack.eos.plugins.module_utils.transport import NoAnswer, Reply

import math

RETRY_STATUSES = (429, 502, 503, 504)
# Statuses that say the request was not processed: safe to repeat even a non-idempotent one.
NOT_PROCESSED = (429, 503)
GATEWAY_STATUSES = (502, 504)
# Methods that change something on the server (a login POST does not count: it writes nothing
# the task manages).
WRITES = ("PATCH", "PUT", "DELETE")
MAX_RETRIES = 3
BACKOFF = 0.5  # seconds, doubled at each retry
MAX_RETRY_AFTER = 30.0  # a server asking for longer than this gets it capped
# Kinds of no answer (transport.NoAnswer) worth another try: the server may answer next time.
# Not TLS, URL, proxy, size or routing errors, which a retry in the next seconds cannot fix.
RETRIED = ("connect-timeout", "read-timeout", "deadline", "refused", "dns", "closed")


class Attempts:
    """The attempts of one request: counted, each failed one weighed (try again, and after how
    many seconds, or give up), and whether a write may have been applied all the same."""

    def __init__(self, method: str, idempotent: bool) -> None:
        self.method = method
        self.idempotent = idempotent
        self.made = 0
        self.maybe_applied = False  # a write went out and its answer was lost

    def start(self) -> None:
        self.made += 1

    def after_no_answer(self, exc: "NoAnswer") -> Optional[float]:
        """Seconds to wait before the next attempt after ``exc`` (a NoAnswer), or None."""
        self.maybe_applied = self.maybe_applied or (exc.sent and self.method in WRITES)
        if self.made <= MAX_RETRIES and exc.kind in RETRIED and (self.idempotent or not exc.sent):
            return backoff(self.made)
        return None

    def after_answer(self, response: "Reply") -> Optional[float]:
        """Seconds to wait before the next attempt after an unexpected answer, or None."""
        status = response.status_code
        # A gateway's 502/504 may come after the server behind it applied the write.
        self.maybe_applied = self.maybe_applied or (
            status in GATEWAY_STATUSES and self.method in WRITES)
        if status in RETRY_STATUSES and self.made <= MAX_RETRIES and (
                self.idempotent or status in NOT_PROCESSED):
            asked = retry_after(response)
            return asked if asked is not None else backoff(self.made)
        return None


def backoff(attempt: int) -> float:
    """Seconds to wait after the failed attempt number ``attempt`` (1, 2, ...)."""
    return BACKOFF * 2 ** (attempt - 1)


def retry_after(response: "Reply") -> Optional[float]:
    """Seconds the server asks us to wait, within [0, MAX_RETRY_AFTER]; None if unusable."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)
