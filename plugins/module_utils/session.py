# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTP for one module run: one requests.Session, bounded answers, retries, clear errors.

How requests is configured, so that it can neither leak nor surprise:

- redirects are never followed (a 3xx is a failure naming its Location): a redirect could take
  the password or the token to another host;
- ``~/.netrc`` is never read (requests adds its credentials to any matching host otherwise);
- proxies and the CA bundle come from the environment as requests reads them
  (``https_proxy``/``http_proxy``/``no_proxy``, ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` when no
  ``ca_cert`` is set); ``verify`` is passed on each request, so ``ca_cert`` and
  ``validate_certs: false`` always win over those variables;
- ``X-Auth-Token`` is set per request, never on the session, and only by client.py, for the
  endpoints the task chose (auth_url, endpoint_override, or the catalog under URL checks);
- every answer is read as a stream and refused beyond ``MAX_BODY`` bytes after decompression
  (urllib3 decompresses chunk by chunk, bounded), and ``api_timeout`` bounds each attempt as a
  whole (deadline.py), not each read.

Retries: no answer at all, timeouts, 502/503/504 and 429 (honouring a sane ``Retry-After``),
for requests the caller marks idempotent (GET, a PATCH of absolute values, a token request).
Any request is retried when it certainly did nothing: it never left (refused, DNS, connect
timeout) or the server answered 429 or 503. A write that got no answer, or a gateway's 502/504,
raises an EosError with ``maybe_applied``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import json
import math
import sys
import threading
import time
import traceback

from ansible_collections.easystack.eos.plugins.module_utils.deadline import Deadline, DeadlineAdapter
from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError, masked
from ansible_collections.easystack.eos.plugins.module_utils.untrusted import parse_json, shown
from ansible_collections.easystack.eos.plugins.module_utils.version import COLLECTION_VERSION

REQUESTS_IMPORT_ERROR = None
try:
    import requests
    from requests.auth import AuthBase
except ImportError:
    requests = None
    AuthBase = object
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

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
# The largest answer read, after decompression. Keystone pages lists at 1,000 entries (a page
# of domains is ~300 KB) and a token with a large catalog is ~100 KB: 4 MiB leaves room.
MAX_BODY = 4 * 1024 * 1024
CHUNK = 64 * 1024
# Connections kept per host: the most requests a module sends at once (eos_domain_quota's
# ``parallel``). requests' default of 10 would drop (and reopen) the ones above it.
POOL_SIZE = 16


class Reply:
    """An answer read whole (within the bounds): status, reason, headers, body."""

    def __init__(self, status_code, reason, headers, content):
        self.status_code = status_code
        self.reason = reason
        self.headers = headers
        self.content = content

    def json(self):
        """The body as JSON; ValueError when it is not (empty, not UTF-8, NaN, too deep)."""
        return parse_json(self.content)


class _NoNetrc(AuthBase):
    """Set as the session's auth so that requests never looks into ~/.netrc.

    Credentials written into a URL (``https://user:password@host``) still become Basic auth,
    as requests does for them; they are masked in every message.
    """

    def __call__(self, request):
        username, password = requests.utils.get_auth_from_url(request.url)
        if username or password:
            return requests.auth.HTTPBasicAuth(username, password)(request)
        return request


class _NoRedirects(requests.Session if requests else object):
    """A requests.Session that sees no redirect anywhere.

    ``allow_redirects=False`` alone is not enough: requests still prepares the next request of a
    3xx and reads the redirect's whole body first (unbounded). With no redirect target (the
    hook requests documents for this), a 3xx is an ordinary answer, handled in ``request``.
    """

    def get_redirect_target(self, resp):
        return None


class _NoAnswer(Exception):
    """A request that got no HTTP answer: ``kind`` words the message and decides retries."""

    def __init__(self, kind, detail, sent=True, fresh=None):
        super(_NoAnswer, self).__init__(detail)
        self.kind = kind
        self.detail = detail
        self.sent = sent  # False when the request never left this host: safe to repeat
        self.fresh = fresh  # the connection was opened for this request


def new_http(settings):
    """The requests.Session of one module run, configured as this file's docstring says."""
    http = _NoRedirects()
    http.auth = _NoNetrc()
    http.verify = settings.verify
    if settings.client_cert:
        http.cert = ((settings.client_cert, settings.client_key) if settings.client_key
                     else settings.client_cert)
    # retries are decided here, not by urllib3
    adapter = DeadlineAdapter(max_retries=0, pool_maxsize=POOL_SIZE)
    http.mount("https://", adapter)
    http.mount("http://", adapter)
    http.headers.update({
        "User-Agent": "easystack.eos/%s python-requests/%s python/%d.%d" % (
            (COLLECTION_VERSION, requests.__version__) + tuple(sys.version_info[:2])),
        "Accept": "application/json",
    })
    return http


def request_id_of(response):
    headers = response.headers
    value = headers.get("X-Openstack-Request-Id") or headers.get("RequestId")
    return shown(value, 100) if value else None


def api_error(response, method, url):
    """An EosError from an HTTP error answer: the API's ``error.title``/``message`` if any."""
    title = message = None
    try:
        body = response.json()
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict):
            title, message = error.get("title"), error.get("message")
    except ValueError:
        pass
    if message is None:
        message = ("non-JSON %s body" % content_kind(response) if response.content
                   else "empty body")
    status = response.status_code
    title = shown(title, 100) if title is not None else None
    message = shown(message).rstrip(". ")  # so that what is appended reads as one sentence
    text = "%s %s answered HTTP %d %s: %s" % (method, url, status,
                                              title or shown(response.reason or "", 100), message)
    if status == 403:
        text += ". The token lacks the rights for this call (the EOS quota API needs the admin role)"
    return EosError(text, status=status, title=title, request_id=request_id_of(response),
                    method=method, url=url, server_message=message)


def redirect_error(response, method, url):
    location = response.headers.get("Location") or "nowhere (no Location header)"
    return EosError(
        "%s %s answered HTTP %d, a redirect to %s. Redirects are not followed (they could take "
        "the password or token elsewhere): set auth_url or endpoint_override to the URL that "
        "answers directly" % (method, url, response.status_code, shown(masked(location), 200)),
        status=response.status_code, request_id=request_id_of(response), method=method, url=url)


def content_kind(response):
    kind = response.headers.get("Content-Type") or "no content type"
    return shown(kind.split(";")[0], 60)


class EosSession:
    """The collection's HTTP conventions over one requests.Session; raises EosError only.

    Threads may share it (eos_domain_quota's parallel requests): requests' connection pool is
    thread-safe, each request's deadline is its own thread's, and the count below is locked.
    """

    def __init__(self, settings, sleep=time.sleep, http=None):
        self.settings = settings
        self.http = http if http is not None else new_http(settings)
        self.sleep = sleep
        self.requests_sent = 0
        self._count_lock = threading.Lock()

    def request(self, method, url, body=None, headers=None, idempotent=None,
                expected=(200,)):
        """Send one API call; return the Reply of an expected status or raise EosError."""
        if idempotent is None:
            idempotent = method in ("GET", "HEAD")
        headers = dict(headers or {})
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body).encode("utf-8")
        attempt = 0
        unanswered_write = False  # a write went out and its answer was lost: it may have applied
        while True:
            attempt += 1
            try:
                with self._count_lock:
                    self.requests_sent += 1
                response = self._send(method, url, headers, data)
            except _NoAnswer as exc:
                unanswered_write = unanswered_write or (exc.sent and method in WRITES)
                if attempt <= MAX_RETRIES and exc.kind in RETRIED and (idempotent or not exc.sent):
                    self.sleep(BACKOFF * 2 ** (attempt - 1))
                    continue
                raise no_answer_error(exc, method, url, self.settings.api_timeout, attempt,
                                      maybe_applied=unanswered_write)
            if response.status_code in expected:
                return response
            # A gateway's 502/504 may come after the server behind it applied the write.
            unanswered_write = unanswered_write or (
                response.status_code in GATEWAY_STATUSES and method in WRITES)
            if response.status_code in RETRY_STATUSES and attempt <= MAX_RETRIES and (
                    idempotent or response.status_code in NOT_PROCESSED):
                retry_after = _retry_after(response)
                self.sleep(retry_after if retry_after is not None
                           else BACKOFF * 2 ** (attempt - 1))
                continue
            if 300 <= response.status_code < 400:
                raise redirect_error(response, method, url)
            error = api_error(response, method, url)
            if attempt > 1:
                error.message += " (after %d attempts)" % attempt
            if unanswered_write:
                error.message += (". The write may have been applied all the same (a gateway "
                                  "error, or an attempt that got no answer)")
                error.maybe_applied = True
            raise error

    def _send(self, method, url, headers, data):
        timeout = self.settings.api_timeout
        with Deadline(timeout) as deadline:
            try:
                response = self.http.request(
                    method, url, headers=headers, data=data, timeout=(timeout, timeout),
                    allow_redirects=False, stream=True, verify=self.http.verify)
            except requests.exceptions.RequestException as exc:
                raise _classify(exc, deadline)
            except ValueError as exc:  # e.g. a URL requests cannot even parse
                raise _NoAnswer("url", str(exc), sent=False)
            except (IOError, OSError) as exc:  # a ca_cert/client_cert/client_key it cannot read
                raise _NoAnswer("tls-files", str(exc), sent=False)
            try:
                content = _read_bounded(response)
            except requests.exceptions.RequestException as exc:
                raise _classify(exc, deadline)
            finally:
                response.close()
        return Reply(response.status_code, response.reason, response.headers, content)

    def json(self, response, method, url):
        """The JSON body of a successful response, or an EosError naming what came instead."""
        try:
            return response.json()
        except ValueError as exc:
            raise EosError("%s %s answered HTTP %d with a body that is not valid JSON (%s, %d "
                           "bytes: %s): the endpoint may not be an EOS API, or a proxy broke the "
                           "answer" % (method, url, response.status_code, content_kind(response),
                                       len(response.content), shown(exc, 100)),
                           status=response.status_code, request_id=request_id_of(response),
                           method=method, url=url)


def _read_bounded(response):
    """The decoded body, refused past MAX_BODY bytes (never read whole first)."""
    declared = response.headers.get("Content-Length")
    if declared and declared.strip().isdigit() and int(declared) > MAX_BODY \
            and not response.headers.get("Content-Encoding"):
        raise _NoAnswer("too-large", "Content-Length %s" % int(declared), fresh=None)
    chunks, size = [], 0
    for chunk in response.iter_content(CHUNK):
        size += len(chunk)
        if size > MAX_BODY:
            raise _NoAnswer("too-large", "more than %d bytes" % MAX_BODY)
        chunks.append(chunk)
    return b"".join(chunks)


# Kinds worth another try: the server may answer next time. Not TLS, URL, proxy, size or
# routing errors, which a retry in the next seconds cannot fix.
RETRIED = ("connect-timeout", "read-timeout", "deadline", "refused", "dns", "closed")


def _chain(exc):
    """An exception and what it wraps, outermost first (requests wraps urllib3 wraps OSError)."""
    found = []
    while exc is not None and len(found) < 10:
        found.append(exc)
        inner = [getattr(exc, "reason", None), getattr(exc, "original_error", None)]
        inner += list(exc.args) + [exc.__cause__, exc.__context__]
        exc = next((item for item in inner if isinstance(item, BaseException)
                    and item not in found), None)
    return found


def _errno_in(exc):
    """The first OS error number in an exception's chain."""
    return next((item.errno for item in _chain(exc) if isinstance(item, OSError) and item.errno),
                None)


def _innermost(exc):
    """What the deepest exception says: the reason a human acts on, without urllib3's wrapping."""
    return str(_chain(exc)[-1]) or exc.__class__.__name__


def _classify(exc, deadline):
    """The _NoAnswer for what requests raised."""
    fresh = deadline.fresh
    text = str(exc)
    if deadline.expired:
        return _NoAnswer("deadline", text, fresh=fresh)
    exceptions = requests.exceptions
    if isinstance(exc, (exceptions.InvalidURL, exceptions.MissingSchema, exceptions.InvalidSchema,
                        exceptions.InvalidHeader, exceptions.URLRequired)):
        return _NoAnswer("url", text, sent=False)
    if isinstance(exc, exceptions.ProxyError):
        return _NoAnswer("proxy", _innermost(exc), sent=False)
    if isinstance(exc, exceptions.SSLError):
        kind = "tls-verify" if "CERTIFICATE_VERIFY_FAILED" in text or \
            "certificate verify failed" in text else "tls"
        return _NoAnswer(kind, _innermost(exc), sent=False)
    if isinstance(exc, exceptions.ConnectTimeout):
        return _NoAnswer("connect-timeout", text, sent=False)
    if isinstance(exc, exceptions.ReadTimeout):
        return _NoAnswer("read-timeout", text, fresh=fresh)
    if isinstance(exc, exceptions.ContentDecodingError):
        return _NoAnswer("corrupt", text, fresh=fresh)
    number = _errno_in(exc)
    if number == errno.ECONNREFUSED:
        return _NoAnswer("refused", text, sent=False)
    if number in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        return _NoAnswer("unreachable", text, sent=False)
    if "NameResolutionError" in text or "Name or service not known" in text \
            or "nodename nor servname" in text or "Temporary failure in name resolution" in text:
        return _NoAnswer("dns", text, sent=False)
    if isinstance(exc, (exceptions.ConnectionError, exceptions.ChunkedEncodingError)):
        return _NoAnswer("closed", text, fresh=fresh)
    return _NoAnswer("other", text, fresh=fresh)


def _retry_after(response):
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


def _reason(text):
    """The part of a verification error a human acts on (OpenSSL's own wording, kept short)."""
    lowered = text.lower()
    start = lowered.find("certificate verify failed")
    if start >= 0:  # e.g. "certificate verify failed: unable to get local issuer certificate"
        return shown(text[start:].split(" (_ssl.c")[0].rstrip(")'\""), 200)
    for marker in ("hostname mismatch", "self-signed certificate", "self signed certificate",
                   "unable to get local issuer certificate", "certificate has expired"):
        if marker in lowered:
            return marker
    return shown(text, 200)


def _proxy_for(url):
    """The proxy the environment names for ``url`` (credentials masked), as requests chose it."""
    try:
        proxy = requests.utils.select_proxy(url, requests.utils.get_environ_proxies(url))
    except Exception:  # pylint: disable=broad-except  # only for a message
        proxy = None
    return shown(masked(proxy), 120) if proxy else "(from the environment)"


def no_answer_error(exc, method, url, timeout, attempts, maybe_applied=False):
    """The EosError for a request that got no HTTP answer (after its retries, if any)."""
    tried = " (%d attempts)" % attempts if attempts > 1 else ""
    if exc.kind == "tls-verify":
        text = ("TLS certificate verification failed for %s %s: %s. Set ca_cert to the CA "
                "that signed the server's certificate (or validate_certs: false, insecure)"
                % (method, url, _reason(exc.detail)))
    elif exc.kind == "tls":
        text = ("TLS handshake failed for %s %s: %s. Is it an HTTPS endpoint (and, if the server "
                "wants one, is client_cert right)?" % (method, url, shown(exc.detail, 200)))
    elif exc.kind == "tls-files":
        text = ("Cannot send %s %s: %s. Check ca_cert (or REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE), "
                "client_cert and client_key: each must be a readable PEM file on the host that "
                "runs the module" % (method, url, shown(exc.detail, 200)))
    elif exc.kind == "url":
        text = "Cannot send %s %s: invalid URL: %s" % (method, url, shown(exc.detail, 200))
    elif exc.kind == "proxy":
        text = ("Cannot send %s %s: the proxy %s failed or refused the request: %s. Check the "
                "https_proxy/http_proxy/no_proxy variables"
                % (method, url, _proxy_for(url), shown(exc.detail, 200)))
    elif exc.kind == "too-large":
        text = ("%s %s answered a body larger than %d MiB (after decompression): refused "
                "without reading it all. Is the URL an EOS API endpoint?"
                % (method, url, MAX_BODY // (1024 * 1024)))
    else:
        why = {
            "connect-timeout": "the connection timed out after %s s (api_timeout)" % timeout,
            "read-timeout": "no answer within api_timeout (%s s)" % timeout,
            "deadline": "no complete answer within api_timeout (%s s for the whole request)"
                        % timeout,
            "refused": "connection refused; is the URL right and the service up?",
            "unreachable": "no route to the host (network or host unreachable); is the URL "
                           "right, and is the network between here and it up?",
            "dns": "the host name does not resolve",
            "closed": "the server closed the connection without answering",
            "corrupt": "the answer's compressed body is corrupt",
        }.get(exc.kind, shown(exc.detail, 200))
        text = "Cannot reach %s %s: %s%s" % (method, url, why, tried)
        if exc.kind == "closed" and exc.fresh and url.lower().startswith("http://"):
            text += (". If that port speaks HTTPS, the URL must start with https:// (a TLS "
                     "server drops a plain HTTP request like this)")
    if maybe_applied:
        text += (". The request was sent, so the write may have been applied: check the "
                 "target's state before repeating it")
    return EosError(text, method=method, url=url, maybe_applied=maybe_applied)
