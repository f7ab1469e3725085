# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The wire: HTTP/1.1 over the standard library, one kept-alive connection per server.

Why not requests: a module is a fresh interpreter per task, and importing requests (urllib3,
charset_normalizer, idna, certifi) costs about 55 ms of every task against about 11 ms for
``http.client`` and ``ssl``; a module makes 1-4 JSON calls to one or two servers, which needs
none of what requests adds. What it did for us is kept here: keep-alive, TLS verification with
a CA file or the system store, client certificates, proxies from the environment
(``https_proxy``/``http_proxy``/``no_proxy``, as curl and requests read them).

Policy (retries, error messages) lives in session.py; this file only sends and receives.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import select
import socket
import ssl
import zlib
from http import client as http_client
from urllib.parse import unquote, urlsplit


class TransportError(Exception):
    """A request that got no HTTP answer. ``kind`` is what session.py words its message by.

    kinds: tls-verify, tls, connect-timeout, read-timeout, refused, dns, closed, url, proxy, other
    """

    def __init__(self, kind, detail):
        super(TransportError, self).__init__(detail)
        self.kind = kind
        self.detail = detail


class Response:
    """What an answer carries: status, reason, headers (case-insensitive ``get``), body."""

    def __init__(self, status_code, reason, headers, content):
        self.status_code = status_code
        self.reason = reason
        self.headers = headers
        self.content = content

    def json(self):
        """The body as JSON; ValueError when it is not (empty, not UTF-8, not JSON)."""
        return json.loads(self.content.decode("utf-8"))


def tls_context(verify, client_cert=None, client_key=None):
    """An SSLContext: verify is True (system CA store), False (no checks) or a CA file path."""
    if verify is False:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif verify is True:
        context = ssl.create_default_context()
    else:
        try:
            context = ssl.create_default_context(cafile=verify)
        except (OSError, ssl.SSLError) as exc:
            raise TransportError("url", "cannot load the CA file %s (ca_cert): %s"
                                 % (verify, _strerror(exc)))
    if client_cert:
        try:
            context.load_cert_chain(client_cert, client_key or None)
        except (OSError, ssl.SSLError) as exc:
            raise TransportError("url", "cannot load the client certificate %s (client_cert, "
                                 "client_key): %s" % (client_cert, _strerror(exc)))
    return context


class Transport:
    """Sends one request at a time; reuses one connection per (scheme, host, port)."""

    def __init__(self, verify=True, client_cert=None, client_key=None, environ=None):
        self.verify = verify
        self.client_cert = client_cert
        self.client_key = client_key
        self.environ = os.environ if environ is None else environ
        self._context = None
        self._connections = {}

    def send(self, method, url, headers, body, timeout):
        """One request; a Response for any HTTP status, TransportError when there was none."""
        scheme, host, port, target = _split(url)
        proxy = proxy_for(scheme, host, port, self.environ)
        key = (scheme, host, port)
        connection = self._connections.pop(key, None)
        if connection is not None and _dropped(connection):
            connection.close()  # the server closed it while idle: not a failure, reconnect
            connection = None
        if connection is None:
            connection = self._connect(scheme, host, port, proxy, timeout)
        elif connection.sock is not None:
            connection.sock.settimeout(timeout)
        headers = dict(headers, **{"Accept-Encoding": "gzip, deflate"})
        if proxy is not None and scheme == "http":
            target = url  # a forwarding proxy wants the absolute URL
            headers.update(proxy[2])
            # http.client would name the proxy in Host; the server behind it must see its own name
            headers["Host"] = host if port == 80 else "%s:%d" % (host, port)
        try:
            connection.request(method, target, body=body, headers=headers)
            answer = connection.getresponse()
            content = _decoded(answer.read(), answer.getheader("Content-Encoding"))
        except Exception as exc:  # pylint: disable=broad-except  # every failure becomes ours
            connection.close()
            raise _classify(exc, connected=True)
        if not answer.will_close:
            self._connections[key] = connection
        else:
            connection.close()
        return Response(answer.status, answer.reason, answer.msg, content)

    def close(self):
        for connection in self._connections.values():
            connection.close()
        self._connections = {}

    def _connect(self, scheme, host, port, proxy, timeout):
        at_host, at_port = (proxy[0], proxy[1]) if proxy is not None else (host, port)
        if scheme == "https":
            if self._context is None:
                self._context = tls_context(self.verify, self.client_cert, self.client_key)
            connection = http_client.HTTPSConnection(at_host, at_port, timeout=timeout,
                                                     context=self._context)
            if proxy is not None:
                connection.set_tunnel(host, port, headers=proxy[2])
        else:
            connection = http_client.HTTPConnection(at_host, at_port, timeout=timeout)
        try:
            connection.connect()  # explicit, so that a timeout here is told apart from a slow answer
        except Exception as exc:  # pylint: disable=broad-except
            connection.close()
            raise _classify(exc, connected=False, proxy=proxy)
        return connection


def _split(url):
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise TransportError("url", "invalid URL %s: %s" % (url, exc))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TransportError("url", "invalid URL %s: it must start with https:// or http:// "
                             "and name a host" % url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), target


def proxy_for(scheme, host, port, environ):
    """(host, port, headers) of the proxy the environment names for this server, or None.

    The variables and their precedence are those of curl and requests: lower case first,
    ``<scheme>_proxy`` then ``all_proxy``; ``no_proxy`` lists hosts, domains (suffix match),
    IPs, address ranges (CIDR) or ``*`` to bypass. Only read when such a variable exists, so
    that most runs skip it.
    """
    names = [name for name in environ if name.lower().endswith("_proxy")]
    if not names:
        return None
    values = {}
    for name in sorted(names, key=lambda name: name != name.lower()):  # lower case wins
        values.setdefault(name.lower(), environ[name])
    proxy = values.get(scheme + "_proxy") or values.get("all_proxy")
    if not proxy or _bypassed(host, port, values.get("no_proxy", "")):
        return None
    if "://" not in proxy:
        proxy = "http://" + proxy
    try:
        parts = urlsplit(proxy)
        proxy_port = parts.port or 80
    except ValueError:
        raise TransportError("proxy", "the %s_proxy setting is not a valid URL" % scheme)
    if parts.scheme != "http" or not parts.hostname:
        raise TransportError("proxy", "the %s_proxy setting must be an http:// proxy URL "
                             "(got scheme %s)" % (scheme, parts.scheme or "none"))
    headers = {}
    if parts.username is not None:
        import base64  # here: only a proxy with credentials needs it
        pair = "%s:%s" % (unquote(parts.username), unquote(parts.password or ""))
        headers["Proxy-Authorization"] = "Basic " + base64.b64encode(
            pair.encode("utf-8")).decode("ascii")
    return parts.hostname, proxy_port, headers


def _bypassed(host, port, no_proxy):
    host = host.lower()
    for entry in no_proxy.replace(" ", "").split(","):
        entry = entry.lower()
        if not entry:
            continue
        if entry == "*":
            return True
        if "/" in entry:  # an address range: matches servers named by an IP address, as requests did
            if _in_network(host, entry):
                return True
            continue
        name, dummy, entry_port = entry.partition(":")
        if entry_port.isdigit():  # host:port (an IPv6 address has more than one colon)
            if int(entry_port) != port:
                continue
            entry = name
        entry = entry.lstrip(".")
        if host == entry or host.endswith("." + entry):
            return True
    return False


def _in_network(host, cidr):
    import ipaddress  # here: only no_proxy ranges need it
    try:
        return ipaddress.ip_address(host.strip("[]")) in ipaddress.ip_network(
            cidr.strip("[]"), strict=False)
    except ValueError:  # a host name (not resolved, as curl and requests do) or a bad range
        return False


def _decoded(content, encoding):
    """The body without its Content-Encoding (a platform-wide domain_usage compresses ~10x)."""
    encoding = (encoding or "identity").strip().lower()
    if encoding == "gzip" and content:
        return zlib.decompress(content, 16 + zlib.MAX_WBITS)
    if encoding == "deflate" and content:
        try:
            return zlib.decompress(content)
        except zlib.error:  # some servers send raw deflate without the zlib header
            return zlib.decompress(content, -zlib.MAX_WBITS)
    return content


def _dropped(connection):
    """True when an idle kept-alive connection was closed by the server (readable at EOF)."""
    sock = connection.sock
    if sock is None:
        return True
    try:
        readable = select.select([sock], [], [], 0)[0]
    except (OSError, ValueError):
        return True
    return bool(readable)


def _classify(exc, connected, proxy=None):
    """The TransportError for what the standard library raised."""
    if isinstance(exc, TransportError):
        return exc
    if isinstance(exc, ssl.SSLCertVerificationError):
        reason = getattr(exc, "verify_message", None)
        return TransportError("tls-verify", "certificate verify failed: %s" % reason if reason
                              else str(exc))
    if isinstance(exc, ssl.SSLError):
        return TransportError("tls", str(exc))
    if isinstance(exc, socket.timeout):
        return TransportError("read-timeout" if connected else "connect-timeout", str(exc))
    if isinstance(exc, socket.gaierror):
        return TransportError("dns", str(exc))
    if isinstance(exc, ConnectionRefusedError):
        return TransportError("refused", str(exc))
    if isinstance(exc, zlib.error):
        return TransportError("other", "the answer's compressed body is corrupt: %s" % exc)
    if isinstance(exc, (http_client.HTTPException, OSError)):
        text = str(exc) or exc.__class__.__name__
        if proxy is not None and "Tunnel connection failed" in text:
            return TransportError("proxy", "the proxy %s:%s refused the tunnel: %s"
                                  % (proxy[0], proxy[1], text))
        return TransportError("closed", "%s: %s" % (exc.__class__.__name__, text))
    return TransportError("other", "%s: %s" % (exc.__class__.__name__, str(exc)[:300]))


def _strerror(exc):
    return getattr(exc, "strerror", None) or str(exc)
