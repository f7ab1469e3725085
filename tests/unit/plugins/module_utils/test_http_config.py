# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How session.py configures requests, and the bounds it puts on an answer.

The configuration tests run the real requests.Session (only the adapter is faked, so what
requests hands the adapter is what is checked); the deadline and size tests talk to small
servers on 127.0.0.1, since they are about sockets.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import gzip
import socket
import threading
import time
import zlib

import pytest

from ansible_collections.easystack.eos.plugins.module_utils.deadline import Deadline
from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
from ansible_collections.easystack.eos.plugins.module_utils.session import EosSession
from ansible_collections.easystack.eos.plugins.module_utils.transport import MAX_BODY
from ansible_collections.easystack.eos.tests.unit.plugins.module_utils.eos_fakes import (
    TOKEN, fake_session, reply, settings_of)

URL = "https://eos.example:5000/v3/domain_quotas/d1"


def failing(session, method="GET", url=URL, **kwargs):
    with pytest.raises(EosError) as info:
        session.request(method, url, headers={"X-Auth-Token": TOKEN}, **kwargs)
    assert TOKEN not in str(info.value)
    return info.value


# -- requests' configuration ---------------------------------------------------------------------

@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_not_followed_and_names_its_location(status):
    session = fake_session(lambda request: reply(status, headers={
        "Location": "http://user:pw@elsewhere.example:8080/steal\x1b[2J"}))
    error = failing(session, "POST", body={"auth": "x"}, idempotent=True)
    assert len(session.adapter.sent) == 1  # nothing went to the Location
    assert "answered HTTP %d, a redirect to http://***@elsewhere.example:8080/steal" % status in str(error)
    assert "Redirects are not followed" in str(error) and "\x1b" not in str(error)


def test_netrc_credentials_are_never_added(tmp_path, monkeypatch):
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine eos.example login netrc-user password netrc-secret\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("NETRC", str(netrc))
    session = fake_session(lambda request: reply(200, {}))
    session.request("GET", URL)
    assert "Authorization" not in session.adapter.sent[0]["headers"]


def test_credentials_in_the_url_become_basic_auth_as_requests_does():
    session = fake_session(lambda request: reply(200, {}))
    session.request("GET", "https://svc:pw@eos.example/v3/x")
    assert session.adapter.sent[0]["headers"]["Authorization"].startswith("Basic ")


@pytest.mark.parametrize("params, bundle_env, verify", [
    ({}, {"REQUESTS_CA_BUNDLE": "/env/requests.pem"}, "/env/requests.pem"),
    ({}, {"CURL_CA_BUNDLE": "/env/curl.pem"}, "/env/curl.pem"),
    ({}, {}, True),
    ({"ca_cert": "/task/ca.pem"}, {"REQUESTS_CA_BUNDLE": "/env/requests.pem"}, "/task/ca.pem"),
    ({"validate_certs": False}, {"REQUESTS_CA_BUNDLE": "/env/requests.pem"}, False),
])
def test_ca_bundle_variables_count_only_where_the_task_set_nothing(
        monkeypatch, params, bundle_env, verify):
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in bundle_env.items():
        monkeypatch.setenv(name, value)
    session = fake_session(lambda request: reply(200, {}), settings_of(**params))
    session.request("GET", URL)
    assert session.adapter.sent[0]["verify"] == verify


@pytest.mark.parametrize("env, url, proxy", [
    ({"https_proxy": "http://proxy:3128"}, URL, "http://proxy:3128"),
    ({"HTTPS_PROXY": "http://proxy:3128", "no_proxy": "eos.example"}, URL, None),
    ({"https_proxy": "http://proxy:3128", "no_proxy": "10.0.0.0/8"}, "https://10.1.2.3/v3", None),
    ({"http_proxy": "http://proxy:3128"}, URL, None),
    ({"all_proxy": "http://proxy:3128"}, URL, "http://proxy:3128"),
])
def test_proxies_come_from_the_environment_as_requests_reads_them(monkeypatch, env, url, proxy):
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy", "HTTP_PROXY",
                 "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    session = fake_session(lambda request: reply(200, {}))
    session.request("GET", url)
    proxies = session.adapter.sent[0]["proxies"] or {}
    assert (proxies.get("https") or proxies.get("all")) == proxy


def test_the_token_header_is_never_on_the_session():
    session = fake_session(lambda request: reply(200, {}))
    session.request("GET", URL, headers={"X-Auth-Token": TOKEN})
    assert "X-Auth-Token" not in session.http.headers
    session.request("GET", "https://other.example/v3")
    assert "X-Auth-Token" not in session.adapter.sent[1]["headers"]


# -- size bounds ---------------------------------------------------------------------------------

def gzip_of_zeros(size):
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\0" * (1024 * 1024)
    parts = [compressor.compress(block) for dummy in range(size // len(block))]
    return b"".join(parts) + compressor.flush()


@pytest.mark.parametrize("raw, headers", [
    (b" " * (MAX_BODY + 1), {}),
    (gzip_of_zeros(64 * 1024 * 1024), {"Content-Encoding": "gzip"}),
], ids=["plain", "gzip-bomb"])
def test_an_answer_beyond_the_cap_is_refused_and_not_retried(raw, headers):
    session = fake_session(lambda request: reply(200, raw=raw, headers=headers))
    error = failing(session)
    assert "larger than 4 MiB (after decompression)" in str(error)
    assert session.requests_sent == 1


def test_a_declared_length_beyond_the_cap_is_refused_before_reading():
    session = fake_session(lambda request: reply(200, raw=b"{}", headers={
        "Content-Length": str(MAX_BODY * 100)}))
    assert "larger than 4 MiB" in str(failing(session))


def test_an_answer_at_the_cap_is_read():
    body = b'"' + b"x" * (MAX_BODY - 2) + b'"'
    session = fake_session(lambda request: reply(200, raw=body))
    assert len(session.request("GET", URL).content) == MAX_BODY


def test_every_gzip_member_is_read():
    raw = gzip.compress(b'{"domain": {"Region') + gzip.compress(b'One": {}}}')
    session = fake_session(lambda request: reply(200, raw=raw, headers={"Content-Encoding": "gzip"}))
    response = session.request("GET", URL)
    assert session.json(response, "GET", URL) == {"domain": {"RegionOne": {}}}


def test_a_corrupt_gzip_body_is_a_clean_failure_that_is_not_retried():
    session = fake_session(lambda request: reply(200, raw=b"\x1f\x8bnot gzip at all",
                                                 headers={"Content-Encoding": "gzip"}))
    error = failing(session)
    assert "compressed body is corrupt" in str(error) and session.requests_sent == 1


# -- the whole-request deadline, against real sockets --------------------------------------------

class Dripper:
    """A server on 127.0.0.1 that answers one byte per ``interval`` seconds, forever."""

    def __init__(self, interval=0.2, headers_first=True):
        self.interval = interval
        self.headers_first = headers_first
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.url = "http://127.0.0.1:%d/v3/x" % self.listener.getsockname()[1]
        self.closed = threading.Event()
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while not self.closed.is_set():
            try:
                connection, _address = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.drip, args=(connection,), daemon=True).start()

    def drip(self, connection):
        connection.recv(65536)
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
        try:
            if self.headers_first:
                connection.sendall(head)
                head = b""
            for byte in (head + b" " * 100000):
                if self.closed.is_set():
                    break
                connection.sendall(bytes([byte]))
                time.sleep(self.interval)
        except OSError:
            pass  # the client gave up: what the test wants
        finally:
            connection.close()

    def close(self):
        self.closed.set()
        self.listener.close()


@pytest.mark.parametrize("headers_first", [True, False], ids=["slow-body", "slow-headers"])
def test_api_timeout_bounds_the_whole_request_not_each_read(headers_first):
    server = Dripper(interval=0.1, headers_first=headers_first)
    try:
        session = EosSession(settings_of(api_timeout=1.0), sleep=lambda seconds: None)
        started = time.monotonic()
        error = failing(session, url=server.url)
        elapsed = time.monotonic() - started
    finally:
        server.close()
    assert "no complete answer within api_timeout (1.0 s for the whole request)" in str(error)
    assert "(4 attempts)" in str(error)  # a GET: retried, each attempt bounded
    assert elapsed < 4 * 1.0 + 2.5, elapsed


class _Socket:
    """Records when it was shut down."""

    def __init__(self):
        self.shut = None

    def shutdown(self, how):
        self.shut = time.monotonic()


class _Connection:
    def __init__(self, connected=True):
        self.sock = _Socket() if connected else None


def _watchdogs():
    return [thread for thread in threading.enumerate() if thread.name == "eos-deadlines"]


def test_one_watchdog_thread_for_every_deadline():
    """A thread per request cost ~0.17 ms each: the process has one, however many requests."""
    with Deadline(5):
        pass
    threads = threading.active_count()
    for dummy in range(200):
        with Deadline(5) as deadline:
            deadline.connection = _Connection()
            assert not any(isinstance(thread, threading.Timer) for thread in threading.enumerate())
    # other tests' servers may still be ending their threads: the count can only fall
    assert len(_watchdogs()) == 1 and threading.active_count() <= threads
    assert deadline.connection.sock.shut is None and not deadline.expired  # ended in time


def test_deadlines_of_parallel_requests_each_end_at_their_time():
    """The list forms' workers: each thread's deadline ends its own request, in time order; one
    that ended first (disarmed) never fires; one not yet connected is checked again."""
    results = {}

    def request(name, seconds, hold, connected=True, connect_after=None):
        started = time.monotonic()
        with Deadline(seconds) as deadline:
            deadline.connection = _Connection(connected)
            if connect_after is not None:
                time.sleep(connect_after)
                deadline.connection.sock = _Socket()
            time.sleep(hold)
        shut = deadline.connection.sock.shut
        results[name] = (deadline.expired, None if shut is None else shut - started)

    workers = [threading.Thread(target=request, args=args) for args in (
        ("slow", 0.6, 0.9), ("fast", 0.2, 0.5), ("done", 0.3, 0.05),
        ("connecting", 0.2, 0.4, False, 0.3))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert results["done"] == (False, None)
    assert results["fast"][0] and 0.19 <= results["fast"][1] < 0.45, results
    assert results["slow"][0] and 0.59 <= results["slow"][1] < 0.85, results
    # expired at 0.2 s with no socket yet: rechecked every 0.05 s, shut once connected (0.3 s)
    assert results["connecting"][0] and 0.29 <= results["connecting"][1] < 0.55, results
    assert len(_watchdogs()) == 1


class IdleCloser:
    """A keep-alive server on 127.0.0.1 that answers the first request of each connection and
    closes the connection, unanswered, when a second one comes on it: what a server does to a
    pooled connection it closed for idleness just as the client reuses it."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.url = "http://127.0.0.1:%d/v3/x" % self.listener.getsockname()[1]
        self.requests = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                connection, _address = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.answer_once, args=(connection,), daemon=True).start()

    def answer_once(self, connection):
        with connection:
            self.requests.append(connection.recv(65536).split(b" ", 1)[0].decode())
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                               b"Content-Length: 2\r\n\r\n{}")
            request = connection.recv(65536)  # the same connection, reused
            if request:
                self.requests.append(request.split(b" ", 1)[0].decode() + " (closed)")

    def close(self):
        self.listener.close()


def test_a_kept_alive_connection_closed_when_reused_is_resent_at_once_if_idempotent():
    server = IdleCloser()
    try:
        sleeps = []
        session = EosSession(settings_of(), sleep=sleeps.append)
        for dummy in range(2):
            response = session.request("GET", server.url, headers={"X-Auth-Token": TOKEN})
            assert response.status_code == 200
        assert server.requests == ["GET", "GET (closed)", "GET"] and sleeps == []
        assert session.requests_sent == 3
        # a write is not resent this way: retry.py's rule for a write whose answer was lost
        error = failing(session, method="PATCH", url=server.url, body={"x": 1})
        assert server.requests[3:] == ["PATCH (closed)"] and "may have been applied" in str(error)
    finally:
        server.close()


def test_a_fresh_connection_closed_without_an_answer_hints_at_https():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]

    def close_everything():
        while True:
            try:
                connection, _address = listener.accept()
            except OSError:
                return
            connection.recv(1024)
            connection.close()
    threading.Thread(target=close_everything, daemon=True).start()
    try:
        error = failing(EosSession(settings_of(), sleep=lambda seconds: None),
                        url="http://127.0.0.1:%d/v3/auth/tokens" % port)
    finally:
        listener.close()
    assert "closed the connection without answering (4 attempts)" in str(error)
    assert "If that port speaks HTTPS, the URL must start with https://" in str(error)
