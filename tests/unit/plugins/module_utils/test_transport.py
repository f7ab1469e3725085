# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Transport against real sockets on 127.0.0.1: keep-alive, failures told apart, proxies."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import gzip
import socket
import ssl
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ansible_collections.easystack.eos.plugins.module_utils import transport as transport_module
from ansible_collections.easystack.eos.plugins.module_utils.transport import (
    Transport, TransportError, proxy_for, tls_context)


class Recorder(BaseHTTPRequestHandler):
    """Answers JSON; records request lines, headers and the client's port (one per connection)."""

    protocol_version = "HTTP/1.1"
    server_version = "fake/1"

    def do_any(self):
        server = self.server
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        server.seen.append({"line": self.requestline, "headers": dict(self.headers), "body": body,
                            "peer_port": self.client_address[1]})
        if server.delay:
            time.sleep(server.delay)
        payload = b'{"ok": true}'
        if server.encoding == "gzip":
            payload = gzip.compress(payload)
        elif server.encoding == "deflate":
            payload = zlib.compress(payload)
        elif server.encoding == "broken":
            payload = b"not gzip at all"
        self.send_response(server.status)
        self.send_header("Content-Type", "application/json")
        if server.encoding:
            self.send_header("Content-Encoding", "gzip" if server.encoding == "broken" else server.encoding)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("X-Openstack-Request-Id", "req-1")
        if server.close:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_any

    def do_CONNECT(self):
        self.server.seen.append({"line": self.requestline, "headers": dict(self.headers)})
        self.send_response(407, "Proxy Authentication Required")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    httpd.seen, httpd.delay, httpd.status, httpd.close, httpd.encoding = [], 0, 200, False, None
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.url = "http://127.0.0.1:%d" % httpd.server_address[1]
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_answer_status_headers_body_and_one_connection_for_many_requests(server):
    transport = Transport(environ={})
    for dummy in range(3):
        response = transport.send("PATCH", server.url + "/v3/x?a=1", {"Accept": "application/json"}, b'{"c": 1}', 5)
    assert response.status_code == 200 and response.reason == "OK"
    assert response.json() == {"ok": True}
    assert response.headers.get("x-openstack-request-id") == "req-1"  # case-insensitive
    assert [seen["line"] for seen in server.seen] == ["PATCH /v3/x?a=1 HTTP/1.1"] * 3
    assert server.seen[0]["body"] == b'{"c": 1}'
    assert len({seen["peer_port"] for seen in server.seen}) == 1  # kept alive


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_compressed_answers_are_asked_for_and_decoded(server, encoding):
    server.encoding = encoding
    response = Transport(environ={}).send("GET", server.url + "/", {}, None, 5)
    assert response.json() == {"ok": True}
    assert "gzip" in server.seen[0]["headers"]["Accept-Encoding"]


def test_a_corrupt_compressed_answer_is_a_transport_error(server):
    server.encoding = "broken"
    with pytest.raises(TransportError) as info:
        Transport(environ={}).send("GET", server.url + "/", {}, None, 5)
    assert info.value.kind == "other" and "compressed body is corrupt" in info.value.detail


def test_error_statuses_are_answers_not_exceptions(server):
    server.status = 503
    assert Transport(environ={}).send("GET", server.url + "/", {}, None, 5).status_code == 503


def test_connection_close_answer_is_honoured(server):
    server.close = True
    transport = Transport(environ={})
    transport.send("GET", server.url + "/a", {}, None, 5)
    transport.send("GET", server.url + "/b", {}, None, 5)
    assert len({seen["peer_port"] for seen in server.seen}) == 2
    assert not transport._connections


def test_idle_connection_closed_by_the_server_is_replaced_without_an_error():
    """A server that answers keep-alive, then closes while we are idle: the next call reconnects."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    accepted = []

    def serve():
        while True:
            try:
                conn = listener.accept()[0]
            except OSError:
                return
            accepted.append(conn)
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}")
            conn.close()
    threading.Thread(target=serve, daemon=True).start()
    url = "http://127.0.0.1:%d/" % listener.getsockname()[1]
    transport = Transport(environ={})
    assert transport.send("GET", url, {}, None, 5).status_code == 200
    time.sleep(0.05)  # the server has closed its end by now
    assert transport.send("GET", url, {}, None, 5).status_code == 200
    listener.close()
    assert len(accepted) == 2


def test_refused():
    with pytest.raises(TransportError) as info:
        Transport(environ={}).send("GET", "http://127.0.0.1:%d/" % free_port(), {}, None, 5)
    assert info.value.kind == "refused"


def test_read_timeout_is_told_apart_from_connect_timeout(server):
    server.delay = 0.5
    with pytest.raises(TransportError) as info:
        Transport(environ={}).send("GET", server.url + "/", {}, None, 0.1)
    assert info.value.kind == "read-timeout"


def test_connect_timeout(monkeypatch):
    def slow_connect(self):
        raise socket.timeout("timed out")
    monkeypatch.setattr(transport_module.http_client.HTTPConnection, "connect", slow_connect)
    with pytest.raises(TransportError) as info:
        Transport(environ={}).send("GET", "http://192.0.2.1/", {}, None, 0.1)
    assert info.value.kind == "connect-timeout"


def test_dns_failure(monkeypatch):
    def no_such_host(*args, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")
    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    with pytest.raises(TransportError) as info:
        Transport(environ={}).send("GET", "http://no-such-host.invalid/", {}, None, 1)
    assert info.value.kind == "dns"


def test_server_that_closes_without_answering():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def accept_and_close():
        conn = listener.accept()[0]
        conn.recv(1024)
        conn.close()
    threading.Thread(target=accept_and_close, daemon=True).start()
    with pytest.raises(TransportError) as info:
        Transport(environ={}).send("GET", "http://127.0.0.1:%d/" % listener.getsockname()[1], {}, None, 5)
    listener.close()
    assert info.value.kind == "closed"
    assert "RemoteDisconnected" in info.value.detail


def test_tls_against_a_plain_http_server_is_a_tls_error(server):
    with pytest.raises(TransportError) as info:
        Transport(environ={}).send("GET", server.url.replace("http:", "https:") + "/", {}, None, 5)
    assert info.value.kind == "tls"


def test_tls_context_modes(tmp_path):
    assert tls_context(True).verify_mode == ssl.CERT_REQUIRED and tls_context(True).check_hostname
    insecure = tls_context(False)
    assert insecure.verify_mode == ssl.CERT_NONE and not insecure.check_hostname
    with pytest.raises(TransportError) as info:
        tls_context(str(tmp_path / "missing-ca.pem"))
    assert info.value.kind == "url" and "missing-ca.pem (ca_cert)" in info.value.detail
    with pytest.raises(TransportError) as info:
        tls_context(True, client_cert=str(tmp_path / "me.crt"), client_key=str(tmp_path / "me.key"))
    assert "client certificate" in info.value.detail and "me.crt" in info.value.detail


@pytest.mark.parametrize("url", ["127.0.0.1/v3", "ftp://h/v3", "https:///v3", "http://h:99999/"])
def test_invalid_urls(url):
    with pytest.raises(TransportError) as info:
        Transport(environ={}).send("GET", url, {}, None, 1)
    assert info.value.kind == "url" and "invalid URL" in info.value.detail


@pytest.mark.parametrize("environ, scheme, host, expected", [
    ({}, "https", "api.example", None),
    ({"https_proxy": "http://p.example:3128"}, "https", "api.example", ("p.example", 3128, {})),
    ({"HTTPS_PROXY": "p.example:8080"}, "https", "api.example", ("p.example", 8080, {})),
    ({"HTTPS_PROXY": "http://upper:1", "https_proxy": "http://lower:2"}, "https", "h", ("lower", 2, {})),
    ({"http_proxy": "http://p:3128"}, "https", "api.example", None),
    ({"all_proxy": "http://p:3128"}, "https", "api.example", ("p", 3128, {})),
    ({"https_proxy": "http://p:3128", "no_proxy": "example.com, .corp"}, "https", "api.example.com", None),
    ({"https_proxy": "http://p:3128", "no_proxy": "example.com,.corp"}, "https", "eos.corp", None),
    ({"https_proxy": "http://p:3128", "no_proxy": "example.com"}, "https", "badexample.com", ("p", 3128, {})),
    ({"https_proxy": "http://p:3128", "NO_PROXY": "*"}, "https", "anything", None),
    ({"https_proxy": "http://p:3128", "no_proxy": "h:5000"}, "https", "h", None),
    ({"https_proxy": "http://p:3128", "no_proxy": "h:9999"}, "https", "h", ("p", 3128, {})),
    ({"https_proxy": "http://p", "no_proxy": "::1"}, "https", "h", ("p", 80, {})),
    # address ranges match servers named by an IP address (requests did this for IPv4)
    ({"https_proxy": "http://p", "no_proxy": "x.org,10.0.0.0/8"}, "https", "10.20.30.40", None),
    ({"https_proxy": "http://p", "no_proxy": "10.0.0.0/8"}, "https", "11.0.0.1", ("p", 80, {})),
    ({"https_proxy": "http://p", "no_proxy": "192.168.1.7/24"}, "https", "192.168.1.200", None),
    ({"https_proxy": "http://p", "no_proxy": "fd00::/8"}, "https", "fd12::5", None),
    ({"https_proxy": "http://p", "no_proxy": "[fd00::/8]"}, "https", "[fd12::5]", None),
    ({"https_proxy": "http://p", "no_proxy": "fd00::/8"}, "https", "10.0.0.1", ("p", 80, {})),
    ({"https_proxy": "http://p", "no_proxy": "10.0.0.0/8"}, "https", "ten.example", ("p", 80, {})),
    ({"https_proxy": "http://p", "no_proxy": "10.0.0.0/99,h"}, "https", "h", None),
])
def test_proxy_from_environment(environ, scheme, host, expected):
    assert proxy_for(scheme, host, 5000, environ) == expected


def test_proxy_credentials_become_a_basic_header_and_bad_proxies_are_errors():
    headers = proxy_for("https", "h", 443, {"https_proxy": "http://us%40er:p%3Ass@p:3128"})[2]
    assert base64.b64decode(headers["Proxy-Authorization"].split()[1]) == b"us@er:p:ss"
    for value in ("socks5://p:1080", "http://p:notaport"):
        with pytest.raises(TransportError) as info:
            proxy_for("https", "h", 443, {"https_proxy": value})
        assert info.value.kind == "proxy"


def test_http_through_a_forwarding_proxy_sends_the_absolute_url(server):
    transport = Transport(environ={"http_proxy": "http://u:pw@127.0.0.1:%d" % server.server_address[1]})
    transport.send("GET", "http://eos.example:5000/v3/domain_usage", {"Accept": "application/json"}, None, 5)
    seen = server.seen[0]
    assert seen["line"] == "GET http://eos.example:5000/v3/domain_usage HTTP/1.1"
    assert seen["headers"]["Proxy-Authorization"] == "Basic " + base64.b64encode(b"u:pw").decode()
    assert seen["headers"]["Host"] == "eos.example:5000"


def test_https_through_a_proxy_tunnels_and_a_refused_tunnel_is_a_proxy_error(server):
    transport = Transport(environ={"https_proxy": server.url})
    with pytest.raises(TransportError) as info:
        transport.send("GET", "https://eos.example:5000/v3", {}, None, 5)
    assert server.seen[0]["line"].startswith("CONNECT eos.example:5000 HTTP/1.")
    assert info.value.kind == "proxy" and "407" in info.value.detail


def test_response_json_is_a_value_error_when_not_json(server):
    response = Transport(environ={}).send("GET", server.url + "/", {}, None, 5)
    response.content = b"<html>"
    with pytest.raises(ValueError):
        response.json()
    response.content = b"\xff\xfe"
    with pytest.raises(ValueError):
        response.json()


def test_certificate_errors_keep_openssls_reason():
    error = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
                                            "unable to get local issuer certificate (_ssl.c:1000)")
    error.verify_message = "unable to get local issuer certificate"
    classified = transport_module._classify(error, connected=False)
    assert classified.kind == "tls-verify"
    assert classified.detail == "certificate verify failed: unable to get local issuer certificate"
