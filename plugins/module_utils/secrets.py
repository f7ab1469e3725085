# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal to easystack.eos, not a public API: no compatibility promise (docs/development.md).
"""The secrets registry: what is secret, every form it can take, and the one way to hide them.

What is secret:

- the values of the ``no_log`` options; the connection settings' secrets wherever they came
  from (task, OS_* variables, clouds.yaml): the ``SECRET_AUTH_KEYS`` values and the password
  part of a URL's credentials (``of_settings``); what the client learns at run time (tokens,
  MFA receipts). Each is ``learn``-ed once, in every form a server may echo it back in
  (``forms_of``: raw, JSON-escaped, ``\\u``-escaped, Python-escaped, URL-encoded);
- the credentials of any URL (``scheme://user:password@``), known or not.

``hidden`` is the one function that hides them: ``EosError`` (messages, URLs) and
``untrusted.shown`` (every server string that reaches output) call it, and ``EosModule.mask``
gives the same forms to ``AnsibleModule.no_log_values``, so that ansible hides them in the
whole result too.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import TYPE_CHECKING, Any, Iterable, List, Optional, Set

if TYPE_CHECKING:  # annotations only: options.py imports this file
    from ansible_collections.easystack.eos.plugins.module_utils.options import ConnectionSettings

import re

# What a known secret becomes in output (the same as ansible's no_log mask).
MASK = "********"
# What the credentials of a URL become: "scheme://***@host".
URL_MASK = "***"
# The auth options that hold a secret (no_log in the argument spec).
SECRET_AUTH_KEYS = ("password", "token", "application_credential_secret")

# "scheme://user:password@" in a URL. The scheme is bounded (RFC 3986 sets no limit; real ones
# are short): unbounded, every position of a long run like "a.a.a..." started a scan to its end
# (40,000 characters took 29 s, a hostile Location header could stall a task). Without \b, a
# longer scheme still has its credentials masked (its last 32 characters match).
_USERINFO = re.compile(r"(?i)([a-z][a-z0-9+.-]{0,31}://)[^/?#@\s]*@")

# Every form of every secret learnt in this process. One module run is one process; the unit
# tests clear it between runs (``untrusted._SECRETS`` is this set).
KNOWN: Set[str] = set()


def forms_of(secret: str) -> Set[str]:
    """``secret`` and the forms a server may echo it back in: JSON-escaped (``\\"``, ``\\u00e9``),
    Python-escaped, URL-encoded. Empty forms are left out."""
    import json  # here: only modules with secrets get here, once per secret
    from urllib.parse import quote, quote_plus
    forms = {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1],
             repr(secret)[1:-1], quote(secret, safe=""), quote_plus(secret)}
    return set(form for form in forms if form)


def learn(secret: Any) -> Set[str]:
    """Hide ``secret`` from now on, in every form; the forms (for ``no_log_values``)."""
    if not secret:
        return set()
    forms = forms_of(str(secret))
    remember(forms)
    return forms


def remember(forms: Iterable[str]) -> None:
    """Hide each of ``forms`` as it is (no other forms added); empty ones are skipped."""
    KNOWN.update(form for form in forms if form)


def credentials_of(url: str) -> Optional[str]:
    """The password part of ``user:password@`` in a URL, if any (a secret to ``learn``)."""
    from urllib.parse import urlsplit
    try:
        return urlsplit(url).password
    except ValueError:
        return None


def of_settings(settings: "ConnectionSettings") -> List[str]:
    """Every secret of connection settings (``ConnectionSettings.secrets``): the secret auth
    values, and the password part of the credentials in auth_url or endpoint_override."""
    auth = settings.auth
    found = [auth[key] for key in SECRET_AUTH_KEYS if auth.get(key)]
    for url in (auth.get("auth_url"), settings.endpoint_override):
        password = credentials_of(url) if url else None
        if password:
            found.append(password)
    return found


def hidden(text: Any, urls: bool = True) -> str:
    """``text`` (any value, as text) with the credentials of every URL in it replaced by
    ``URL_MASK``, and every known secret, in every form, by ``MASK`` (longest first, so that
    no part of a longer one survives a shorter one).

    ``urls=False`` hides the known secrets only: ``shown`` uses it on server text before it cuts
    it (so a cut never leaves half a secret); the URL pattern runs on EosError messages, which
    carry server text only as ``shown`` cut it.
    """
    text = u"%s" % (text,)
    if urls:
        text = _USERINFO.sub(r"\1%s@" % URL_MASK, text)
    for secret in sorted(KNOWN, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text
