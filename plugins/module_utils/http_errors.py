# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal to easystack.eos, not a public API: no compatibility promise (docs/development.md).
"""What went wrong with a request, and how it is said: every EosError of the HTTP layer.

- ``classify``: what requests raised, as a ``transport.NoAnswer`` of one kind (TLS, URL,
  proxy, timeout, refused, DNS, closed, ...), which retry.py and the wording below go by;
- ``no_answer_error``, ``answer_error`` (``api_error``, ``redirect_error``), ``not_json_error``,
  ``unreadable_write_error``: the messages a human acts on, with the request id when the server
  gave one. Server text in them goes through ``shown``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import TYPE_CHECKING, List, Optional

if TYPE_CHECKING:  # annotations only
    from ansible_collections.easystack.eos.plugins.module_utils.deadline import Deadline

import errno

from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
from ansible_collections.easystack.eos.plugins.module_utils.secrets import hidden
from ansible_collections.easystack.eos.plugins.module_utils.transport import (
    MAX_BODY, NoAnswer, Reply, requests)
from ansible_collections.easystack.eos.plugins.module_utils.untrusted import shown


# -- classification --------------------------------------------------------------------------

def _chain(exc: Optional[BaseException]) -> List[BaseException]:
    """An exception and what it wraps, outermost first (requests wraps urllib3 wraps OSError)."""
    found: List[BaseException] = []
    while exc is not None and len(found) < 10:
        found.append(exc)
        inner = [getattr(exc, "reason", None), getattr(exc, "original_error", None)]
        inner += list(exc.args) + [exc.__cause__, exc.__context__]
        exc = next((item for item in inner if isinstance(item, BaseException)
                    and item not in found), None)
    return found


def _errno_in(exc: BaseException) -> Optional[int]:
    """The first OS error number in an exception's chain."""
    return next((item.errno for item in _chain(exc) if isinstance(item, OSError) and item.errno),
                None)


def _innermost(exc: BaseException) -> str:
    """What the deepest exception says: the reason a human acts on, without urllib3's wrapping."""
    return str(_chain(exc)[-1]) or exc.__class__.__name__


def classify(exc: BaseException, deadline: "Deadline") -> NoAnswer:
    """The NoAnswer for what requests raised during an attempt under ``deadline``."""
    fresh = deadline.fresh
    text = str(exc)
    if deadline.expired:
        return NoAnswer("deadline", text, fresh=fresh)
    exceptions = requests.exceptions
    if isinstance(exc, (exceptions.InvalidURL, exceptions.MissingSchema, exceptions.InvalidSchema,
                        exceptions.InvalidHeader, exceptions.URLRequired)):
        return NoAnswer("url", text, sent=False)
    if isinstance(exc, exceptions.ProxyError):
        return NoAnswer("proxy", _innermost(exc), sent=False)
    if isinstance(exc, exceptions.SSLError):
        kind = "tls-verify" if "CERTIFICATE_VERIFY_FAILED" in text or \
            "certificate verify failed" in text else "tls"
        return NoAnswer(kind, _innermost(exc), sent=False)
    if isinstance(exc, exceptions.ConnectTimeout):
        return NoAnswer("connect-timeout", text, sent=False)
    if isinstance(exc, exceptions.ReadTimeout):
        return NoAnswer("read-timeout", text, fresh=fresh)
    if isinstance(exc, exceptions.ContentDecodingError):
        return NoAnswer("corrupt", text, fresh=fresh)
    number = _errno_in(exc)
    if number == errno.ECONNREFUSED:
        return NoAnswer("refused", text, sent=False)
    if number in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        return NoAnswer("unreachable", text, sent=False)
    if "NameResolutionError" in text or "Name or service not known" in text \
            or "nodename nor servname" in text or "Temporary failure in name resolution" in text:
        return NoAnswer("dns", text, sent=False)
    if isinstance(exc, (exceptions.ConnectionError, exceptions.ChunkedEncodingError)):
        return NoAnswer("closed", text, fresh=fresh)
    return NoAnswer("other", text, fresh=fresh)


# -- wording ---------------------------------------------------------------------------------

def request_id_of(response: Reply) -> Optional[str]:
    return response.request_id()


def content_kind(response: Reply) -> str:
    kind = response.headers.get("Content-Type") or "no content type"
    return shown(kind.split(";")[0], 60)


def api_error(response: Reply, method: str, url: str) -> EosError:
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


def redirect_error(response: Reply, method: str, url: str) -> EosError:
    location = response.headers.get("Location") or "nowhere (no Location header)"
    return EosError(
        "%s %s answered HTTP %d, a redirect to %s. Redirects are not followed (they could take "
        "the password or token elsewhere): set auth_url or endpoint_override to the URL that "
        "answers directly" % (method, url, response.status_code, shown(hidden(location), 200)),
        status=response.status_code, request_id=request_id_of(response), method=method, url=url)


def answer_error(response: Reply, method: str, url: str, attempts: int,
                 maybe_applied: bool) -> EosError:
    """The EosError for an unexpected answer, after ``attempts`` attempts (retry.py's)."""
    if 300 <= response.status_code < 400:
        return redirect_error(response, method, url)
    error = api_error(response, method, url)
    if attempts > 1:
        error.message += " (after %d attempts)" % attempts
    if maybe_applied:
        error.message += (". The write may have been applied all the same (a gateway "
                          "error, or an attempt that got no answer)")
        error.maybe_applied = True
    return error


def not_json_error(response: Reply, method: str, url: str, exc: Exception) -> EosError:
    """The EosError for a successful answer whose body is not JSON (``exc`` says why)."""
    return EosError("%s %s answered HTTP %d with a body that is not valid JSON (%s, %d "
                    "bytes: %s): the endpoint may not be an EOS API, or a proxy broke the "
                    "answer" % (method, url, response.status_code, content_kind(response),
                                len(response.content), shown(exc, 100)),
                    status=response.status_code, request_id=request_id_of(response),
                    method=method, url=url)


def empty_answer_error(response: Reply, method: str, url: str) -> EosError:
    return EosError("%s %s answered HTTP %d with an empty body" % (method, url,
                                                                   response.status_code),
                    status=response.status_code, request_id=request_id_of(response),
                    method=method, url=url)


def unreadable_write(error: EosError) -> None:
    """Adds to ``error`` (a write's answer could not be read) that the write may have applied."""
    error.message += (". The server accepted the request, so the write may have been "
                      "applied: check the target's state (running the task again shows it)")
    error.maybe_applied = True


def _reason(text: str) -> str:
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


def _proxy_for(url: str) -> str:
    """The proxy the environment names for ``url`` (credentials masked), as requests chose it."""
    try:
        proxy = requests.utils.select_proxy(url, requests.utils.get_environ_proxies(url))
    except Exception:  # pylint: disable=broad-except  # only for a message
        proxy = None
    return shown(hidden(proxy), 120) if proxy else "(from the environment)"


# Why a request got no answer, for the kinds that need no detail of their own.
_WHY = {
    "connect-timeout": "the connection timed out after {timeout} s (api_timeout)",
    "read-timeout": "no answer within api_timeout ({timeout} s)",
    "deadline": "no complete answer within api_timeout ({timeout} s for the whole request)",
    "refused": "connection refused; is the URL right and the service up?",
    "unreachable": "no route to the host (network or host unreachable); is the URL right, and "
                   "is the network between here and it up?",
    "dns": "the host name does not resolve",
    "closed": "the server closed the connection without answering",
    "corrupt": "the answer's compressed body is corrupt",
}


def no_answer_error(exc: NoAnswer, method: str, url: str, timeout: float, attempts: int,
                    maybe_applied: bool = False) -> EosError:
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
        why = (_WHY[exc.kind].format(timeout=timeout) if exc.kind in _WHY
               else shown(exc.detail, 200))
        text = "Cannot reach %s %s: %s%s" % (method, url, why, tried)
        if exc.kind == "closed" and exc.fresh and url.lower().startswith("http://"):
            text += (". If that port speaks HTTPS, the URL must start with https:// (a TLS "
                     "server drops a plain HTTP request like this)")
    if maybe_applied:
        text += (". The request was sent, so the write may have been applied: check the "
                 "target's state before repeating it")
    return EosError(text, method=method, url=url, maybe_applied=maybe_applied)
