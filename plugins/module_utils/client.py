# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal to easystack.eos, not a public API: no compatibility promise (docs/development.md).
"""An authenticated EOS API client: a token, the endpoints, and calls that carry the token.

What it builds on: login.py (the logins, the token cache), catalog.py (``Endpoints``: where
calls go), relogin.py (the task's one re-login after a refused token), session.py (HTTP:
retries, bounds, errors, reading answers).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple, cast

if TYPE_CHECKING:  # annotations only
    from ansible_collections.easystack.eos.plugins.module_utils.auth import Token
    from ansible_collections.easystack.eos.plugins.module_utils.options import ConnectionSettings
    from ansible_collections.easystack.eos.plugins.module_utils.token_cache import TokenCache

from ansible_collections.easystack.eos.plugins.module_utils.catalog import Endpoints
from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
# The password check's states and the MFA receipt header are the client's API too.
from ansible_collections.easystack.eos.plugins.module_utils.login import (  # pylint: disable=unused-import
    EXPIRED, MATCH, MFA_REQUIRED, RECEIPT_HEADER, REFUSED, check_password, task_token)
from ansible_collections.easystack.eos.plugins.module_utils.relogin import Relogin
from ansible_collections.easystack.eos.plugins.module_utils.session import EosSession


class EosClient:
    """What modules use: ``get``/``patch``/``call`` on the quota API or the identity API.

    ``on_secret`` is called with every secret the client learns at run time (the token), so
    the module can keep it out of all output.

    Threads may share a client once it has logged in and found its endpoints (``root``). A
    token refused mid-task is renewed once for all of them; after a second refusal or a refused
    login the task has ``stopped`` (relogin.py) and later calls fail at once, ``not_attempted``.
    """

    def __init__(self, settings: "ConnectionSettings", session: Optional[EosSession] = None,
                 on_secret: Optional[Callable[[str], None]] = None,
                 token_cache: Optional["TokenCache"] = None) -> None:
        self.settings = settings
        self.http = session or EosSession(settings)
        self.on_secret: Callable[[str], None] = on_secret or (lambda value: None)
        self.token_cache = token_cache
        self.token: Optional["Token"] = None
        self.token_from_cache = False
        self.endpoints = Endpoints(settings)
        self._relogin = Relogin(self)

    @property
    def stopped(self) -> Optional[EosError]:
        """The EosError that stopped the task (None while it runs)."""
        return self._relogin.stopped

    @property
    def auth_root(self) -> str:
        return self.endpoints.auth_root

    @property
    def _roots(self) -> Dict[str, str]:
        """The API roots found with the current token (``Endpoints.found``)."""
        return self.endpoints.found

    @property
    def requests_sent(self) -> int:
        return self.http.requests_sent

    def authenticate(self, use_cache: bool = True) -> "Token":
        """Log in (or take the cached token, ``use_cache``); the new token's endpoints are
        found again."""
        self.token, self.token_from_cache = task_token(
            self.http, self.settings, self.on_secret, self.token_cache, use_cache)
        self.endpoints.forget()
        return self.token

    def password_check(self, user_id: str, password: str) -> str:
        """What one unscoped login as the user says about ``password`` (login.check_password):
        MATCH, EXPIRED, MFA_REQUIRED or REFUSED."""
        return check_password(self.http, self.settings, user_id, password, self.on_secret)

    def root(self, service: str) -> str:
        """API root of ``quota`` (service_type/endpoint_override) or ``identity``."""
        if self.token is None:
            self.authenticate()
        # authenticate() has set the token (a cast: mypy does not see that)
        return self.endpoints.root(service, cast("Token", self.token).catalog)

    def call(self, method: str, path: str, service: str = "quota", body: Any = None,
             expected: Tuple[int, ...] = (200,), idempotent: Optional[bool] = None,
             request_ids: Optional[List[Optional[str]]] = None) -> Any:
        """JSON body of an API call (None for an empty answer); on 401 the task's one re-login.

        ``request_ids``: the answer's request id is appended to it (None when it had none), so
        that a write's result can name it (the audit trail)."""
        what = "%s %s" % (method, path.split("?")[0])
        self._relogin.unless_stopped(what)
        url = self.root(service) + path
        while True:
            token = cast("Token", self.token)  # root() above has set it
            try:
                response = self.http.request(method, url, body=body,
                                             headers={"X-Auth-Token": token.value},
                                             idempotent=idempotent, expected=expected)
            except EosError as error:
                if error.status != 401:
                    raise
                self._relogin.renew(token, error, what)
                url = self.root(service) + path
                continue
            if request_ids is not None:
                request_ids.append(response.request_id())
            return self.http.answer(response, method, url)

    def get(self, path: str, service: str = "quota", expected: Tuple[int, ...] = (200,)) -> Any:
        return self.call("GET", path, service=service, expected=expected)

    def patch(self, path: str, body: Any, service: str = "quota", idempotent: bool = True,
              request_ids: Optional[List[Optional[str]]] = None) -> Any:
        """``idempotent``: the body sets absolute values, so sending it twice is harmless."""
        return self.call("PATCH", path, service=service, body=body, idempotent=idempotent,
                         request_ids=request_ids)
