# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An authenticated EOS API client: log in once, find the endpoints, call the API."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import threading

from ansible_collections.easystack.eos.plugins.module_utils.auth import (
    Token, password_check_request, token_request)
from ansible_collections.easystack.eos.plugins.module_utils.catalog import (
    NoEndpoint, api_root, find_endpoint)
from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
from ansible_collections.easystack.eos.plugins.module_utils.session import (
    WRITES, EosSession, api_error, request_id_of)
from ansible_collections.easystack.eos.plugins.module_utils.urls import checked_url, weaker_than

# What a password check login says (see EosClient.password_check).
MATCH, EXPIRED, MFA_REQUIRED, REFUSED = "match", "expired", "mfa_required", "refused"
# Keystone's answer to a right password when the user's MFA rules ask for another method.
RECEIPT_HEADER = "Openstack-Auth-Receipt"
# A token goes back in a header: printable ASCII without spaces (Keystone's are ~180 characters).
TOKEN_PATTERN = re.compile(r"^[\x21-\x7e]{1,8192}$")


class EosClient:
    """What modules use: ``get``/``patch``/``post`` on the quota API or the identity API.

    ``on_secret`` is called with every secret the client learns at run time (the token), so
    the module can keep it out of all output.

    Threads may share a client once it has logged in and found its endpoints (``root``): a
    token refused mid-run is renewed by one thread, and the others use the new one. A task logs
    in again at most once: when that login is refused, or its token is refused too, the client
    stops, and every later call fails at once, ``not_attempted`` (one refused login per
    department would lock the account under Keystone's ``[security_compliance]``).
    """

    def __init__(self, settings, session=None, on_secret=None, token_cache=None):
        self.settings = settings
        self.http = session or EosSession(settings)
        self.on_secret = on_secret or (lambda value: None)
        self.token_cache = token_cache
        self.token = None
        self.token_from_cache = False
        self._roots = {}
        self._renewal = threading.Lock()
        self._renewed = False  # the one re-login of this task has been made
        self.stopped = None  # the EosError that stopped the task; later calls are not sent

    # -- authentication ------------------------------------------------------------------------

    @property
    def auth_root(self):
        return api_root(self.settings.auth["auth_url"])

    def authenticate(self, use_cache=True):
        if self.token_cache is not None and use_cache:
            cached = self.token_cache.load()
            if cached is not None:
                self.on_secret(cached[0])
                self.token = Token(cached[0], cached[1], "the token cache")
                self.token_from_cache = True
                self._roots = {}
                return self.token
        url = self.auth_root + "/v3/auth/tokens"
        body = token_request(self.settings)
        response = self._post_token(url, body)
        value = response.headers.get("X-Subject-Token")
        if value:
            self.on_secret(value)  # before anything could show it, even a malformed one
        if not value or not TOKEN_PATTERN.match(value):
            raise EosError("POST %s answered %s X-Subject-Token header: is auth_url a "
                           "Keystone v3 endpoint?" % (url, "an unusable" if value else "without an"),
                           status=response.status_code, request_id=request_id_of(response),
                           method="POST", url=url)
        token_body = self.http.json(response, "POST", url)
        self.token = Token(value, token_body, "POST %s" % url)
        self.token_from_cache = False
        self._roots = {}
        if self.token_cache is not None:
            self.token_cache.store(value, token_body)
        return self.token

    def _post_token(self, url, body):
        response = self.http.request("POST", url, body=body, idempotent=True,
                                     expected=(201, 200, 401))
        if response.status_code != 401:
            return response
        error = api_error(response, "POST", url)
        if response.headers.get(RECEIPT_HEADER):  # the password was right; a factor is missing
            self.on_secret(response.headers[RECEIPT_HEADER])
            raise EosError(
                "Authentication of %s needs another factor: Keystone accepted the password, but "
                "the user's MFA rules (multi_factor_auth_rules) ask for another method too, so "
                "it issued no token. A playbook cannot give a second factor: use an application "
                "credential (auth_type v3applicationcredential) or a user without MFA rules"
                % self.settings.describe_identity(),
                status=401, request_id=error.request_id, method="POST", url=url)
        raise EosError(
            "Authentication failed for %s: %s. Check the credentials (and that the user "
            "and project exist, are enabled, and the user has a role on the project)"
            % (self.settings.describe_identity(), error.server_message),
            status=401, request_id=error.request_id, method="POST", url=url)

    def password_check(self, user_id, password):
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
        url = self.auth_root + "/v3/auth/tokens"
        response = self.http.request("POST", url, body=password_check_request(user_id, password),
                                     idempotent=True, expected=(201, 200, 401))
        if response.status_code == 401:
            receipt = response.headers.get(RECEIPT_HEADER)
            if receipt:  # only a right password earns a receipt
                self.on_secret(receipt)
                return MFA_REQUIRED
            error = api_error(response, "POST", url)
            return EXPIRED if "password is expired" in error.server_message.lower() else REFUSED
        value = response.headers.get("X-Subject-Token")
        if not value:  # a login that issued no token did not succeed: never call it a match
            raise EosError("POST %s answered HTTP %d to the password check without an "
                           "X-Subject-Token header: is auth_url a Keystone v3 endpoint?"
                           % (url, response.status_code), status=response.status_code,
                           request_id=request_id_of(response), method="POST", url=url)
        self.on_secret(value)
        return MATCH

    # -- endpoints -----------------------------------------------------------------------------

    def root(self, service):
        """API root of ``quota`` (service_type/endpoint_override) or ``identity``."""
        if service in self._roots:
            return self._roots[service]
        if self.token is None:
            self.authenticate()
        settings = self.settings
        if service == "quota" and settings.endpoint_override:
            root = api_root(settings.endpoint_override)
        elif service == "quota":
            root = self._from_catalog(settings.service_type)
        else:
            try:
                root = self._from_catalog("identity")
            except NoEndpoint:
                root = self.auth_root  # identity is often registered in one region only
        self._roots[service] = root
        return root

    def _from_catalog(self, service_type):
        """A catalog endpoint, checked: a URL that reads as it goes, and no weaker than auth_url.

        The token (and a user's new password) go to it, so an ``http://`` endpoint behind an
        ``https://`` auth_url is refused unless ``allow_http_endpoints`` says otherwise.
        """
        settings = self.settings
        root = find_endpoint(self.token.catalog, service_type, settings.interface,
                             settings.region_name)
        what = "The catalog's %s endpoint (%s)" % (service_type, settings.interface)
        # endpoint_override replaces the quota endpoint only; identity lookups use the catalog.
        fix = "Fix the catalog%s" % (
            " or set endpoint_override" if service_type == settings.service_type
            and service_type != "identity" else "")
        checked_url(root, what, api_root=True, fix=fix)
        if weaker_than(root, settings.auth["auth_url"]) and not settings.allow_http_endpoints:
            raise EosError(
                "%s %s is plain http:// while auth_url %s is https://: the token and any password "
                "sent there would travel unencrypted, so nothing was sent. %s, or set "
                "allow_http_endpoints: true to accept it"
                % (what, root, settings.auth["auth_url"], fix))
        return root

    # -- calls ---------------------------------------------------------------------------------

    def call(self, method, path, service="quota", body=None, expected=(200,), idempotent=None):
        """JSON body of an API call (None for an empty answer); on 401 the task's one re-login."""
        what = "%s %s" % (method, path.split("?")[0])
        self._unless_stopped(what)
        url = self.root(service) + path
        while True:
            token = self.token
            headers = {"X-Auth-Token": token.value}
            try:
                response = self.http.request(method, url, body=body, headers=headers,
                                             idempotent=idempotent, expected=expected)
            except EosError as error:
                if error.status != 401:
                    raise
                self._renew(token, error, what)
                url = self.root(service) + path
                continue
            if method in WRITES:
                return self._write_answer(response, method, url)
            if not response.content:
                return None
            return self.http.json(response, method, url)

    def _unless_stopped(self, what, refused=False):
        if self.stopped is not None:
            raise EosError("%s %s: the task had stopped: %s" % (
                what, "was refused (401) and not tried again" if refused else "was not sent",
                self.stopped), not_attempted=True)

    def _renew(self, token, refused, what):
        """The token was refused (expired, revoked, or a stale cached one): log in again, once
        per task and for all threads. A second refusal, or a refused login, stops the task."""
        with self._renewal:
            self._unless_stopped(what, refused=True)
            if self.token is not token:  # another thread renewed it already: use that one
                return
            if self._renewed:
                refused.message += (". A fresh token for %s was refused too, so the task "
                                    "stopped (no further login is tried)"
                                    % self.settings.describe_identity())
                self.stopped = refused
                raise refused
            self._renewed = True
            if self.token_cache is not None:
                self.token_cache.drop()
            try:
                self.authenticate(use_cache=False)
            except EosError as error:
                error.message += (" (logging in again after the token was refused mid-task; "
                                  "no further login is tried)")
                self.stopped = error
                raise

    def _write_answer(self, response, method, url):
        """A write's answer; one that cannot be read still means the write may have happened."""
        try:
            if not response.content:
                raise EosError("%s %s answered HTTP %d with an empty body"
                               % (method, url, response.status_code),
                               status=response.status_code, request_id=request_id_of(response),
                               method=method, url=url)
            return self.http.json(response, method, url)
        except EosError as error:
            error.message += (". The server accepted the request, so the write may have been "
                              "applied: check the target's state (running the task again shows "
                              "it)")
            error.maybe_applied = True
            raise

    def get(self, path, service="quota", expected=(200,)):
        return self.call("GET", path, service=service, expected=expected)

    def patch(self, path, body, service="quota", idempotent=True):
        """``idempotent``: the body sets absolute values, so sending it twice is harmless."""
        return self.call("PATCH", path, service=service, body=body, idempotent=idempotent)

    @property
    def requests_sent(self):
        return self.http.requests_sent
