# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTP for one module run: JSON, timeouts, bounded retries, clear errors (transport.py sends).

Retries: connection errors, timeouts, 502/503/504 and 429 (honouring ``Retry-After``), only for
requests the caller marks idempotent (GET, a PATCH of absolute values, a token request).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import sys
import time

from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
from ansible_collections.easystack.eos.plugins.module_utils.transport import Transport, TransportError
from ansible_collections.easystack.eos.plugins.module_utils.version import COLLECTION_VERSION

RETRY_STATUSES = (429, 502, 503, 504)
# No answer at all: worth another try. Not TLS or URL errors, which a retry cannot fix.
RETRY_KINDS = ("connect-timeout", "read-timeout", "refused", "dns", "closed", "other")
MAX_RETRIES = 3
BACKOFF = 0.5  # seconds, doubled at each retry
MAX_RETRY_AFTER = 30.0  # a server asking for longer than this gets it capped


def request_id_of(response):
    headers = response.headers
    return headers.get("X-Openstack-Request-Id") or headers.get("RequestId") or None


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
        kind = response.headers.get("Content-Type", "no content type").split(";")[0]
        message = "non-JSON %s body" % kind if response.content else "empty body"
    status = response.status_code
    message = str(message).rstrip(". ")  # so that what is appended reads as one sentence
    text = "%s %s answered HTTP %d %s: %s" % (method, url, status, title or response.reason or "",
                                              message)
    if status == 403:
        text += ". The token lacks the rights for this call (the EOS quota API needs the admin role)"
    return EosError(text, status=status, title=title, request_id=request_id_of(response),
                    method=method, url=url, server_message=message)


class EosSession:
    """The collection's HTTP conventions over one Transport; raises EosError, never more."""

    def __init__(self, settings, sleep=time.sleep, transport=None):
        self.settings = settings
        self.transport = transport or Transport(settings.verify, settings.client_cert,
                                                settings.client_key)
        self.headers = {
            "User-Agent": "easystack.eos/%s python/%d.%d" % (
                (COLLECTION_VERSION,) + tuple(sys.version_info[:2])),
            "Accept": "application/json",
        }
        self.sleep = sleep
        self.requests_sent = 0

    def request(self, method, url, body=None, headers=None, idempotent=None,
                expected=(200,)):
        """Send one API call; return the response of an expected status or raise EosError."""
        if idempotent is None:
            idempotent = method in ("GET", "HEAD")
        headers = dict(self.headers, **(headers or {}))
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body).encode("utf-8")
        attempt = 0
        while True:
            attempt += 1
            retry_after = None
            try:
                self.requests_sent += 1
                response = self.transport.send(method, url, headers, data,
                                               self.settings.api_timeout)
            except TransportError as exc:
                if exc.kind in RETRY_KINDS and idempotent and attempt <= MAX_RETRIES:
                    self.sleep(BACKOFF * 2 ** (attempt - 1))
                    continue
                raise _transport_error(exc, method, url, self.settings.api_timeout, attempt)
            if response.status_code in expected:
                return response
            if response.status_code in RETRY_STATUSES and idempotent and attempt <= MAX_RETRIES:
                retry_after = _retry_after(response)
                self.sleep(retry_after if retry_after is not None
                           else BACKOFF * 2 ** (attempt - 1))
                continue
            error = api_error(response, method, url)
            if attempt > 1:
                error.message += " (after %d attempts)" % attempt
            raise error

    def json(self, response, method, url):
        """The JSON body of a successful response, or an EosError naming what came instead."""
        try:
            return response.json()
        except ValueError:
            kind = response.headers.get("Content-Type", "no content type").split(";")[0]
            raise EosError("%s %s answered HTTP %d with a body that is not valid JSON (%s, %d "
                           "bytes): the endpoint may not be an EOS API, or a proxy broke the answer"
                           % (method, url, response.status_code, kind, len(response.content)),
                           status=response.status_code, request_id=request_id_of(response),
                           method=method, url=url)


def _retry_after(response):
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return min(max(float(value), 0.0), MAX_RETRY_AFTER)
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff


def _reason(text):
    """The part of a verification error a human acts on (OpenSSL's own wording, kept short)."""
    lowered = text.lower()
    if lowered.startswith("certificate verify failed"):
        return text[:300]  # e.g. "certificate verify failed: unable to get local issuer certificate"
    for marker in ("certificate verify failed", "hostname mismatch", "self-signed certificate",
                   "self signed certificate", "unable to get local issuer certificate",
                   "certificate has expired"):
        if marker in lowered:
            return marker
    return text[:300]


def _transport_error(exc, method, url, timeout, attempts):
    """The EosError for a request that got no HTTP answer (after its retries, if any)."""
    if exc.kind == "tls-verify":
        return EosError(
            "TLS certificate verification failed for %s %s: %s. Set ca_cert to the CA "
            "that signed the server's certificate (or validate_certs: false, insecure)"
            % (method, url, _reason(exc.detail)), method=method, url=url)
    if exc.kind in ("url", "proxy"):
        return EosError("Cannot send %s %s: %s" % (method, url, exc.detail[:300]),
                        method=method, url=url)
    if exc.kind == "tls":
        return EosError("TLS handshake failed for %s %s: %s. Is it an HTTPS endpoint (and, "
                        "if the server wants one, is client_cert right)?"
                        % (method, url, exc.detail[:300]), method=method, url=url)
    tried = " (%d attempts)" % attempts if attempts > 1 else ""
    why = {
        "connect-timeout": "the connection timed out after %s s (api_timeout)" % timeout,
        "read-timeout": "no answer within api_timeout (%s s)" % timeout,
        "refused": "connection refused; is the URL right and the service up?",
        "dns": "the host name does not resolve",
        "closed": "the server closed the connection without answering",
    }.get(exc.kind, exc.detail[:300])
    return EosError("Cannot reach %s %s: %s%s" % (method, url, why, tried), method=method, url=url)
