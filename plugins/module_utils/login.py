# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal to easystack.eos, not a public API: no compatibility promise (docs/development.md).
"""The two Keystone logins over HTTP: the task's own (``log_in``: a token, or an EosError
saying why not; ``task_token``: from the token cache if it can) and a user's password check
(``check_password``: one of four states).

Every secret a login answers (a token, an MFA receipt) goes to ``on_secret`` before anything
could show it. The request bodies and the token's reading are auth.py's.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import TYPE_CHECKING, Any, Callable, Dict, Optional, Tuple

if TYPE_CHECKING:  # annotations only
    from ansible_collections.easystack.eos.plugins.module_utils.options import ConnectionSettings
    from ansible_collections.easystack.eos.plugins.module_utils.session import EosSession
    from ansible_collections.easystack.eos.plugins.module_utils.token_cache import TokenCache
    from ansible_collections.easystack.eos.plugins.module_utils.transport import Reply

import re

from ansible_collections.easystack.eos.plugins.module_utils.auth import (
    Token, password_check_request, token_request)
from ansible_collections.easystack.eos.plugins.module_utils.catalog import api_root
# Keystone's token endpoint, below auth_url's API root (eos_api.py holds the API's paths).
from ansible_collections.easystack.eos.plugins.module_utils.eos_api import TOKENS as TOKENS_PATH
from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
# http_errors.py is imported where a login has been refused or answered badly, not here: as in
# session.py, a task whose requests all succeed does not load it.

# What a password check login says (see check_password).
MATCH, EXPIRED, MFA_REQUIRED, REFUSED = "match", "expired", "mfa_required", "refused"
# Keystone's answer to a right password when the user's MFA rules ask for another method.
RECEIPT_HEADER = "Openstack-Auth-Receipt"
# A token goes back in a header: printable ASCII without spaces (Keystone's are ~180 characters).
TOKEN_PATTERN = re.compile(r"^[\x21-\x7e]{1,8192}$")


def tokens_url(settings: "ConnectionSettings") -> str:
    return api_root(settings.auth["auth_url"]) + TOKENS_PATH


def task_token(http: "EosSession", settings: "ConnectionSettings",
               on_secret: Callable[[str], None], cache: Optional["TokenCache"] = None,
               use_cache: bool = True) -> Tuple[Token, bool]:
    """The task's token and whether it came from ``cache`` (a TokenCache): a cached one when
    ``use_cache``, else a login (``log_in``), whose token is then cached."""
    cached = cache.load() if cache is not None and use_cache else None
    if cached is not None:
        on_secret(cached[0])
        return Token(cached[0], cached[1], "the token cache"), True
    token = log_in(http, settings, on_secret)
    if cache is not None:
        cache.store(token.value, token.body)
    return token, False


def log_in(http: "EosSession", settings: "ConnectionSettings",
           on_secret: Callable[[str], None]) -> Token:
    """The task's token: ``POST /v3/auth/tokens`` with the settings' credentials, over ``http``
    (an EosSession); its value goes to ``on_secret`` at once, even a malformed one."""
    url = tokens_url(settings)
    response = _post_token(http, settings, url, token_request(settings), on_secret)
    value = response.headers.get("X-Subject-Token")
    if value:
        on_secret(value)  # before anything could show it, even a malformed one
    if not value or not TOKEN_PATTERN.match(value):
        from ansible_collections.easystack.eos.plugins.module_utils.http_errors import (
            request_id_of)
        raise EosError("POST %s answered %s X-Subject-Token header: is auth_url a "
                       "Keystone v3 endpoint?" % (url, "an unusable" if value else "without an"),
                       status=response.status_code, request_id=request_id_of(response),
                       method="POST", url=url)
    return Token(value, http.json(response, "POST", url), "POST %s" % url)


def _post_token(http: "EosSession", settings: "ConnectionSettings", url: str,
                body: Dict[str, Any], on_secret: Callable[[str], None]) -> "Reply":
    response = http.request("POST", url, body=body, idempotent=True, expected=(201, 200, 401))
    if response.status_code != 401:
        return response
    from ansible_collections.easystack.eos.plugins.module_utils.http_errors import api_error
    error = api_error(response, "POST", url)
    if response.headers.get(RECEIPT_HEADER):  # the password was right; a factor is missing
        on_secret(response.headers[RECEIPT_HEADER])
        raise EosError(
            "Authentication of %s needs another factor: Keystone accepted the password, but "
            "the user's MFA rules (multi_factor_auth_rules) ask for another method too, so "
            "it issued no token. A playbook cannot give a second factor: use an application "
            "credential (auth_type v3applicationcredential) or a user without MFA rules"
            % settings.describe_identity(),
            status=401, request_id=error.request_id, method="POST", url=url)
    raise EosError(
        "Authentication failed for %s: %s. Check the credentials (and that the user "
        "and project exist, are enabled, and the user has a role on the project)"
        % (settings.describe_identity(), error.server_message),
        status=401, request_id=error.request_id, method="POST", url=url)


def check_password(http: "EosSession", settings: "ConnectionSettings", user_id: str,
                   password: str, on_secret: Callable[[str], None]) -> str:
    """What one unscoped login as the user says about ``password``.

    ``MATCH``: it logs in. ``EXPIRED``: Keystone checked it and it is right, but expired
    (``change_password_upon_first_use``, ``password_expires_days``); Keystone checks the
    password before expiry. ``MFA_REQUIRED``: it is right, but the user's MFA rules ask for
    another method, so Keystone answers 401 with an ``Openstack-Auth-Receipt`` (a secret,
    masked) instead of a token. ``REFUSED``: a wrong password, and also a locked or disabled
    account: Keystone answers those three alike (the same 401 wording), so no login can tell
    them apart. One login per call: a refused one counts towards Keystone's lockout.

    The probe's own token is a secret too; it is discarded at once.
    """
    url = tokens_url(settings)
    response = http.request("POST", url, body=password_check_request(user_id, password),
                            idempotent=True, expected=(201, 200, 401))
    if response.status_code == 401:
        receipt = response.headers.get(RECEIPT_HEADER)
        if receipt:  # only a right password earns a receipt
            on_secret(receipt)
            return MFA_REQUIRED
        from ansible_collections.easystack.eos.plugins.module_utils.http_errors import api_error
        error = api_error(response, "POST", url)
        return EXPIRED if "password is expired" in error.server_message.lower() else REFUSED
    value = response.headers.get("X-Subject-Token")
    if not value:  # a login that issued no token did not succeed: never call it a match
        from ansible_collections.easystack.eos.plugins.module_utils.http_errors import (
            request_id_of)
        raise EosError("POST %s answered HTTP %d to the password check without an "
                       "X-Subject-Token header: is auth_url a Keystone v3 endpoint?"
                       % (url, response.status_code), status=response.status_code,
                       request_id=request_id_of(response), method="POST", url=url)
    on_secret(value)
    return MATCH
