# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal to easystack.eos, not a public API: no compatibility promise (docs/development.md).
"""URL hygiene: which URLs are acceptable, how they are shown, how IDs go into paths.

- ``checked_url``: an http(s) URL with a host, nothing that would send requests elsewhere than
  it reads (no spaces or control characters; for API roots no query or fragment).
- ``segment``: a server-supplied ID quoted into one path segment, so ``../`` stays inside it.
- ``weaker_than``: an endpoint on http:// when auth_url promised https://.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import Any

import re
from urllib.parse import quote, urlsplit

from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
from ansible_collections.easystack.eos.plugins.module_utils.secrets import hidden
from ansible_collections.easystack.eos.plugins.module_utils.untrusted import shown


def checked_url(url: Any, what: str, api_root: bool = False, fix: str = "Fix the URL") -> str:
    """``url`` if it is a usable http(s) URL, else an EosError saying what is wrong with it.

    ``what`` names where it came from ("auth_url", "the catalog's identity endpoint", ...).
    An API root (a catalog endpoint, endpoint_override) must not carry a query or fragment:
    paths are appended to it, and the request would go somewhere else than it reads.
    """
    if not isinstance(url, str) or not url.strip():
        raise EosError("%s is empty: it must be an https:// (or http://) URL" % what)
    if re.search(r"[\s\x00-\x1f\x7f]", url):
        raise EosError("%s %s contains a space or a control character: it is not a valid URL"
                       % (what, shown(hidden(url))))
    try:
        parts = urlsplit(url)
        parts.port  # pylint: disable=pointless-statement  # raises on a bad port
    except ValueError as exc:
        raise EosError("%s %s is not a valid URL: %s" % (what, shown(hidden(url)), exc))
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise EosError("%s %s is not a valid URL: it must start with https:// (or http://) and "
                       "name a host" % (what, shown(hidden(url))))
    if api_root and (parts.query or parts.fragment or url.endswith(("?", "#"))):
        raise EosError("%s %s has a query string or fragment ('?...' or '#...'): API paths are "
                       "appended to it, so requests would go to another path than it reads. %s"
                       % (what, shown(hidden(url)), fix))
    return url


def segment(value: str) -> str:
    """One path segment from a server-supplied ID: ``/``, ``..`` and ``?`` cannot escape it."""
    return quote(value, safe="")


def is_https(url: str) -> bool:
    return urlsplit(url).scheme.lower() == "https"


def weaker_than(url: str, reference: str) -> bool:
    """True when ``url`` is plain http:// although ``reference`` (auth_url) is https://."""
    return is_https(reference) and not is_https(url)


def is_loopback(url: str) -> bool:
    """Whether the URL names this machine literally (localhost, 127.0.0.0/8, ::1)."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    import ipaddress  # here: only a plain http:// auth_url is asked about
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
