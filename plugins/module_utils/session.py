# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal to easystack.eos, not a public API: no compatibility promise (docs/development.md).
"""HTTP for one module run: the request loop over one requests.Session; raises EosError only.

The concerns it puts together live in their own files: transport.py (how requests is
configured: no redirects, no netrc, proxies, CA, the size cap, the pool), retry.py (what is
tried again, after how long, and when a write may have been applied) and http_errors.py (what
went wrong, in words a human acts on).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import TYPE_CHECKING, Any, Callable, Dict, Optional, Tuple

if TYPE_CHECKING:  # annotations only
    from ansible_collections.easystack.eos.plugins.module_utils.options import ConnectionSettings

import json
import threading
import time

from ansible_collections.easystack.eos.plugins.module_utils.deadline import Deadline
from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
# http_errors.py (what went wrong, in words) is imported where a request has failed, not here: a
# task whose requests all succeed does not load it. Every module on the target is compiled from
# the AnsiballZ zip at each run, and this one is ~13 KB of code used only on failures
# (docs/performance.md, "Client-only cost against an instant server").
from ansible_collections.easystack.eos.plugins.module_utils.retry import WRITES, Attempts
from ansible_collections.easystack.eos.plugins.module_utils.transport import (
    NoAnswer, Reply, new_http, read_bounded, requests)


class EosSession:
    """The collection's HTTP conventions over one requests.Session (``new_http``).

    Threads may share it (eos_domain_quota's parallel requests): requests' connection pool is
    thread-safe, each request's deadline is its own thread's, and the count below is locked.
    """

    def __init__(self, settings: "ConnectionSettings",
                 sleep: Callable[[float], None] = time.sleep, http: Any = None) -> None:
        self.settings = settings
        self.http = http if http is not None else new_http(settings)
        self.sleep = sleep
        self.requests_sent = 0
        self._count_lock = threading.Lock()

    def request(self, method: str, url: str, body: Any = None,
                headers: Optional[Dict[str, str]] = None, idempotent: Optional[bool] = None,
                expected: Tuple[int, ...] = (200,)) -> Reply:
        """Send one API call, with retry.py's retries; the Reply of an expected status, or an
        EosError."""
        if idempotent is None:
            idempotent = method in ("GET", "HEAD")
        headers = dict(headers or {})
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body).encode("utf-8")
        attempts = Attempts(method, idempotent)
        while True:
            attempts.start()
            with self._count_lock:
                self.requests_sent += 1
            try:
                response = self._send(method, url, headers, data, idempotent)
            except NoAnswer as exc:
                wait = attempts.after_no_answer(exc)
                if wait is None:
                    from ansible_collections.easystack.eos.plugins.module_utils.http_errors import (
                        no_answer_error)
                    raise no_answer_error(exc, method, url, self.settings.api_timeout,
                                          attempts.made, maybe_applied=attempts.maybe_applied)
                self.sleep(wait)
                continue
            if response.status_code in expected:
                return response
            wait = attempts.after_answer(response)
            if wait is None:
                from ansible_collections.easystack.eos.plugins.module_utils.http_errors import (
                    answer_error)
                raise answer_error(response, method, url, attempts.made, attempts.maybe_applied)
            self.sleep(wait)

    def _send(self, method: str, url: str, headers: Dict[str, str], data: Optional[bytes],
              idempotent: bool) -> Reply:
        """One attempt: a Reply, or a NoAnswer of its kind. An idempotent request that a kept-alive
        connection from the pool lost unanswered is sent once more at once, on a new connection:
        the server closed it while it sat idle (an idle timeout: gunicorn's is 2 s, the length of
        the last backoff), which urllib3 cannot always see before using it. Not an attempt of its
        own; a write is never resent this way (retry.py decides)."""
        try:
            return self._send_once(method, url, headers, data)
        except NoAnswer as exc:
            if not (idempotent and exc.kind == "closed" and exc.fresh is False):
                raise
        with self._count_lock:
            self.requests_sent += 1
        return self._send_once(method, url, headers, data)

    def _send_once(self, method: str, url: str, headers: Dict[str, str],
                   data: Optional[bytes]) -> Reply:
        """One request within api_timeout as a whole: a Reply, or a NoAnswer of its kind."""
        timeout = self.settings.api_timeout
        with Deadline(timeout) as deadline:
            try:
                response = self.http.request(
                    method, url, headers=headers, data=data, timeout=(timeout, timeout),
                    allow_redirects=False, stream=True, verify=self.http.verify)
            except requests.exceptions.RequestException as exc:
                raise _classify(exc, deadline)
            except ValueError as exc:  # e.g. a URL requests cannot even parse
                raise NoAnswer("url", str(exc), sent=False)
            except (IOError, OSError) as exc:  # a ca_cert/client_cert/client_key it cannot read
                raise NoAnswer("tls-files", str(exc), sent=False)
            try:
                content = read_bounded(response)
            except requests.exceptions.RequestException as exc:
                raise _classify(exc, deadline)
            finally:
                response.close()
        return Reply(response.status_code, response.reason, response.headers, content)

    def json(self, response: Reply, method: str, url: str) -> Any:
        """The JSON body of a successful response, or an EosError naming what came instead."""
        try:
            return response.json()
        except ValueError as exc:
            from ansible_collections.easystack.eos.plugins.module_utils.http_errors import (
                not_json_error)
            raise not_json_error(response, method, url, exc)

    def answer(self, response: Reply, method: str, url: str) -> Any:
        """What a successful call answered: its JSON body, None for an empty one. A write's
        answer must be JSON: one that cannot be read still means the write may have happened."""
        if method not in WRITES:
            return self.json(response, method, url) if response.content else None
        try:
            if not response.content:
                from ansible_collections.easystack.eos.plugins.module_utils.http_errors import (
                    empty_answer_error)
                raise empty_answer_error(response, method, url)
            return self.json(response, method, url)
        except EosError as error:
            from ansible_collections.easystack.eos.plugins.module_utils.http_errors import (
                unreadable_write)
            unreadable_write(error)
            raise


def _classify(exc: BaseException, deadline: Deadline) -> NoAnswer:
    """http_errors.classify, imported now that the attempt has failed (see the imports above).
    The deadline is settled first: the import takes a few ms the first time, and the deadline's
    timer must not turn a failure that came before it into a 'deadline' one meanwhile."""
    deadline.settle()
    from ansible_collections.easystack.eos.plugins.module_utils.http_errors import classify
    return classify(exc, deadline)
