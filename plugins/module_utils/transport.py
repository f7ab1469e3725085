# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal to easystack.eos, not a public API: no compatibility promise (docs/development.md).
"""How requests is configured for one module run, so that it can neither leak nor surprise.

- redirects are never followed (a 3xx is a failure naming its Location): a redirect could take
  the password or the token to another host;
- ``~/.netrc`` is never read (requests adds its credentials to any matching host otherwise);
- proxies and the CA bundle come from the environment as requests reads them
  (``https_proxy``/``http_proxy``/``no_proxy``, ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` when no
  ``ca_cert`` is set); ``verify`` is passed on each request (session.py), so ``ca_cert`` and
  ``validate_certs: false`` always win over those variables;
- ``X-Auth-Token`` is set per request, never on the session, and only by client.py, for the
  endpoints the task chose (auth_url, endpoint_override, or the catalog under URL checks);
- every answer is read as a stream and refused beyond ``MAX_BODY`` bytes after decompression
  (urllib3 decompresses chunk by chunk, bounded; ``read_bounded``), and ``api_timeout`` bounds
  each attempt as a whole (deadline.py), not each read;
- ``POOL_SIZE`` connections are kept per host.

An attempt ends in a ``Reply`` (an answer read whole) or a ``NoAnswer`` (http_errors.py says
which kind, retry.py whether to try again).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import TYPE_CHECKING, Any, List, Mapping, Optional, Tuple, cast

if TYPE_CHECKING:  # annotations only
    from ansible_collections.easystack.eos.plugins.module_utils.options import ConnectionSettings

import sys
import traceback

from ansible_collections.easystack.eos.plugins.module_utils.deadline import DeadlineAdapter
from ansible_collections.easystack.eos.plugins.module_utils.untrusted import parse_json, shown
from ansible_collections.easystack.eos.plugins.module_utils.version import COLLECTION_VERSION

REQUESTS_IMPORT_ERROR: Optional[str] = None
try:
    import requests
    from requests.auth import AuthBase
except ImportError:
    # ignored for mypy, which checks against the installed library, not this fallback
    requests = None  # type: ignore[assignment]
    AuthBase = object  # type: ignore[misc, assignment]
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

# The largest answer read, after decompression. Keystone pages lists at 1,000 entries (a page
# of domains is ~300 KB) and a token with a large catalog is ~100 KB: 4 MiB leaves room.
MAX_BODY = 4 * 1024 * 1024
CHUNK = 64 * 1024
# Connections kept per host: the most requests a module sends at once (eos_domain_quota's
# ``parallel``). requests' default of 10 would drop (and reopen) the ones above it.
POOL_SIZE = 16


class Reply:
    """An answer read whole (within the bounds): status, reason, headers, body."""

    def __init__(self, status_code: int, reason: Optional[str], headers: Mapping[str, str],
                 content: bytes) -> None:
        self.status_code = status_code
        self.reason = reason
        self.headers = headers
        self.content = content

    def json(self) -> Any:
        """The body as JSON; ValueError when it is not (empty, not UTF-8, NaN, too deep)."""
        return parse_json(self.content)

    def request_id(self) -> Optional[str]:
        """The server's id of this request (``X-OpenStack-Request-Id``, EOS's ``RequestId``),
        cleaned (``untrusted.shown``); None when it sent none."""
        value = self.headers.get("X-Openstack-Request-Id") or self.headers.get("RequestId")
        return shown(value, 100) if value else None


class NoAnswer(Exception):
    """A request that got no HTTP answer: ``kind`` words the message and decides retries."""

    def __init__(self, kind: str, detail: str, sent: bool = True,
                 fresh: Optional[bool] = None) -> None:
        super(NoAnswer, self).__init__(detail)
        self.kind = kind
        self.detail = detail
        self.sent = sent  # False when the request never left this host: safe to repeat
        self.fresh = fresh  # the connection was opened for this request


class _NoNetrc(AuthBase):
    """Set as the session's auth so that requests never looks into ~/.netrc.

    Credentials written into a URL (``https://user:password@host``) still become Basic auth,
    as requests does for them; they are masked in every message.
    """

    def __call__(self, request: Any) -> Any:
        username, password = requests.utils.get_auth_from_url(request.url)
        if username or password:
            return requests.auth.HTTPBasicAuth(username, password)(request)
        return request


# ignored for mypy: a base chosen at import time (requests may be missing)
class _NoRedirects(requests.Session if requests else object):  # type: ignore[misc]
    """A requests.Session that sees no redirect anywhere.

    ``allow_redirects=False`` alone is not enough: requests still prepares the next request of a
    3xx and reads the redirect's whole body first (unbounded). With no redirect target (the
    hook requests documents for this), a 3xx is an ordinary answer, handled in session.py.
    """

    def get_redirect_target(self, resp: Any) -> Optional[str]:
        return None


def new_http(settings: "ConnectionSettings") -> Any:
    """The requests.Session of one module run, configured as this file's docstring says."""
    http = _NoRedirects()
    http.auth = _NoNetrc()
    http.verify = settings.verify
    if settings.client_cert:
        http.cert = ((settings.client_cert, settings.client_key) if settings.client_key
                     else settings.client_cert)
    # retries are decided by retry.py, not by urllib3
    adapter = DeadlineAdapter(max_retries=0, pool_maxsize=POOL_SIZE)
    http.mount("https://", adapter)
    http.mount("http://", adapter)
    http.headers.update({
        # cast: mypy types the joined tuple's items as str | int, not two strings then two ints
        "User-Agent": "easystack.eos/%s python-requests/%s python/%d.%d" % (
            cast(Tuple[Any, ...], (COLLECTION_VERSION, requests.__version__))
            + tuple(sys.version_info[:2])),
        "Accept": "application/json",
    })
    return http


def read_bounded(response: Any) -> bytes:
    """The decoded body, refused past MAX_BODY bytes (never read whole first)."""
    declared = response.headers.get("Content-Length")
    if declared and declared.strip().isdigit() and int(declared) > MAX_BODY \
            and not response.headers.get("Content-Encoding"):
        raise NoAnswer("too-large", "Content-Length %s" % int(declared), fresh=None)
    chunks: List[bytes] = []
    size = 0
    for chunk in response.iter_content(CHUNK):
        size += len(chunk)
        if size > MAX_BODY:
            raise NoAnswer("too-large", "more than %d bytes" % MAX_BODY)
        chunks.append(chunk)
    return b"".join(chunks)
