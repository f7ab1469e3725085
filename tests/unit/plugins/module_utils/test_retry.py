# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""retry.py on its own: which failed attempts are tried again, and when a write may have applied.

test_session.py checks the same policy through HTTP; this reads it as a table."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.easystack.eos.plugins.module_utils.retry import (
    BACKOFF, MAX_RETRIES, Attempts)
from ansible_collections.easystack.eos.plugins.module_utils.transport import NoAnswer


class Answer:
    def __init__(self, status, retry_after=None):
        self.status_code = status
        self.headers = {} if retry_after is None else {"Retry-After": retry_after}


def attempts(method="GET", idempotent=True, made=1):
    policy = Attempts(method, idempotent)
    for _index in range(made):
        policy.start()
    return policy


@pytest.mark.parametrize("method, idempotent, exc, retried, maybe_applied", [
    ("GET", True, NoAnswer("read-timeout", "x"), True, False),
    ("PATCH", True, NoAnswer("read-timeout", "x"), True, True),
    ("PATCH", False, NoAnswer("read-timeout", "x"), False, True),  # it left: not repeated
    ("PATCH", False, NoAnswer("refused", "x", sent=False), True, False),  # it never left
    ("POST", False, NoAnswer("closed", "x"), False, False),  # a login writes nothing managed
    ("GET", True, NoAnswer("tls-verify", "x", sent=False), False, False),  # a retry cannot fix
])
def test_no_answer(method, idempotent, exc, retried, maybe_applied):
    policy = attempts(method, idempotent)
    assert (policy.after_no_answer(exc) == BACKOFF) is retried
    assert policy.maybe_applied is maybe_applied


@pytest.mark.parametrize("method, idempotent, status, retried, maybe_applied", [
    ("GET", True, 503, True, False),
    ("PATCH", False, 429, True, False),  # not processed: safe to repeat
    ("PATCH", False, 502, False, True),  # a gateway: the server behind it may have applied it
    ("PATCH", True, 504, True, True),
    ("GET", True, 500, False, False),
])
def test_unexpected_answer(method, idempotent, status, retried, maybe_applied):
    policy = attempts(method, idempotent)
    assert (policy.after_answer(Answer(status)) is not None) is retried
    assert policy.maybe_applied is maybe_applied


def test_backoff_doubles_until_the_retries_are_spent():
    waits = [attempts(made=made).after_answer(Answer(503)) for made in range(1, MAX_RETRIES + 2)]
    assert waits == [BACKOFF * 2 ** index for index in range(MAX_RETRIES)] + [None]


def test_a_sane_retry_after_wins_over_the_backoff():
    assert attempts().after_answer(Answer(429, "0")) == 0.0
    assert attempts().after_answer(Answer(429, "nan")) == BACKOFF
