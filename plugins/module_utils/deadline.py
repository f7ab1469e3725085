# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal to easystack.eos, not a public API: no compatibility promise (docs/development.md).
"""A deadline for a whole request (connect, headers, body), which requests does not have.

requests' ``timeout`` bounds each socket operation, so a server that sends one byte a second
never times out. ``Deadline`` arms the process's one watchdog thread, which shuts the
request's socket down when the time is up; the blocked read then fails at once, and
http_errors.py words the deadline. It needs the
connection urllib3 is using, which ``DeadlineAdapter`` (a requests HTTPAdapter whose pools note
each connection they hand out) records on the deadline of the current thread.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import Any, Dict, Literal, Optional

import socket
import threading
import time

try:
    from requests.adapters import HTTPAdapter
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
except ImportError:  # module.py reports the missing library (transport.py); unused then
    # ignored for mypy, which checks against the installed classes, not this fallback
    HTTPAdapter = object  # type: ignore[misc, assignment]
    HTTPConnectionPool = HTTPSConnectionPool = object  # type: ignore[misc, assignment]

_CURRENT = threading.local()
RECHECK = 0.05  # seconds: the connection may still be connecting when the time is up


class _Watchdog:
    """The one thread that ends every armed Deadline of the process when its time is up.

    It sleeps until the earliest one is due. A thread per request (``threading.Timer``) cost
    0.2-0.45 ms to start and stop each time, thousands of times in the list forms; this thread
    is started once, by the first request (and again in a forked child, where it does not run).
    """

    def __init__(self) -> None:
        self._lock = threading.Condition()  # an RLock: a Deadline's _expire may arm again
        self._due: Dict["Deadline", float] = {}
        self._wake: Optional[float] = None  # when the thread wakes next; None: when armed
        self._thread: Optional[threading.Thread] = None

    def arm(self, deadline: "Deadline", seconds: float) -> None:
        due = time.monotonic() + seconds
        with self._lock:
            self._due[deadline] = due
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="eos-deadlines",
                                                daemon=True)
                self._thread.start()
            elif self._wake is None or due < self._wake:
                self._lock.notify()  # sleeping past this one: wake up and sleep less

    def disarm(self, deadline: "Deadline") -> None:
        with self._lock:
            self._due.pop(deadline, None)

    def _run(self) -> None:
        with self._lock:
            while True:
                now = time.monotonic()
                for deadline in [one for one, due in self._due.items() if due <= now]:
                    del self._due[deadline]
                    deadline._expire()  # pylint: disable=protected-access
                self._wake = min(self._due.values()) if self._due else None
                self._lock.wait(None if self._wake is None else self._wake - time.monotonic())


_WATCHDOG = _Watchdog()


class Deadline:
    """``with Deadline(seconds) as deadline:`` around one request and the reading of its body."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.connection: Any = None
        self.fresh: Optional[bool] = None  # whether the connection was opened for this request
        self.expired = False
        self._done = threading.Event()

    def __enter__(self) -> "Deadline":
        _CURRENT.deadline = self
        _WATCHDOG.arm(self, self.seconds)
        return self

    def __exit__(self, *exc_info: Any) -> Literal[False]:
        self._done.set()
        _WATCHDOG.disarm(self)
        _CURRENT.deadline = None
        return False

    def settle(self) -> None:
        """The attempt has ended (it failed): ``expired`` stays as it is now, whatever the time.
        ``__exit__`` stops the timer too; this is for what is done before it."""
        self._done.set()

    def _expire(self) -> None:
        """Called by the watchdog when the time is up (holding its lock)."""
        if self._done.is_set():
            return
        self.expired = True
        sock = getattr(self.connection, "sock", None)
        if sock is None:
            _WATCHDOG.arm(self, RECHECK)  # not connected yet (the connect timeout bounds that step)
            return
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already closed: the request has ended anyway


class _NotingPool:
    """Notes the connection it hands out on the current thread's deadline."""

    def _get_conn(self, timeout: Optional[float] = None) -> Any:
        # ignored for mypy: a mixin, whose _get_conn is that of the pool it is mixed into
        connection = super(  # type: ignore[misc]  # pylint: disable=no-member
            _NotingPool, self)._get_conn(timeout)
        deadline = getattr(_CURRENT, "deadline", None)
        if deadline is not None:
            deadline.connection = connection
            deadline.fresh = getattr(connection, "sock", None) is None
        return connection


class _HTTPPool(_NotingPool, HTTPConnectionPool):
    pass


class _HTTPSPool(_NotingPool, HTTPSConnectionPool):
    pass


POOL_CLASSES = {"http": _HTTPPool, "https": _HTTPSPool}


class DeadlineAdapter(HTTPAdapter):
    """requests' own adapter, with pools that let a ``Deadline`` reach the connection."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super(DeadlineAdapter, self).init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = POOL_CLASSES

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super(DeadlineAdapter, self).proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):  # SOCKS pools are urllib3's own subclasses
            manager.pool_classes_by_scheme = POOL_CLASSES
        return manager
