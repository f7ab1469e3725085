# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal to easystack.eos, not a public API: no compatibility promise (docs/development.md).
"""Keystone v3 authentication: the token request for each method, and what comes back.

The logins themselves (over HTTP) are login.py's."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import TYPE_CHECKING, Any, Dict, Optional

if TYPE_CHECKING:  # annotations only
    from ansible_collections.easystack.eos.plugins.module_utils.options import ConnectionSettings

from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
from ansible_collections.easystack.eos.plugins.module_utils.untrusted import Answer


class Token:
    """A Keystone token: its value (a secret), the catalog and who it belongs to.

    ``where`` names the answer the body came from; a body of the wrong shape fails there.
    ``body`` is kept as read (the token cache stores it).
    """

    def __init__(self, value: str, body: Any, where: str = "the token answer") -> None:
        self.value = value
        self.body = body
        check = Answer(where)
        token = check.mapping(check.mapping(body, "body").get("token") or {}, "token")
        self.catalog = check.sequence(token.get("catalog") or [], "token.catalog")
        for index, service in enumerate(self.catalog):
            item = "token.catalog[%d]" % index
            check.mapping(service, item)
            for number, endpoint in enumerate(check.sequence(service.get("endpoints") or [],
                                                             item + ".endpoints")):
                check.mapping(endpoint, "%s.endpoints[%d]" % (item, number))
                check.text(endpoint.get("url"), "%s.endpoints[%d].url" % (item, number))
        self.expires_at = token.get("expires_at")
        self.user = check.mapping(token.get("user") or {}, "token.user")
        self.project = check.mapping(token.get("project") or {}, "token.project")
        self.roles = [check.mapping(role, "token.roles[]").get("name")
                      for role in check.sequence(token.get("roles") or [], "token.roles")]


def _named(prefix: str, auth: Dict[str, Any], what: str) -> Optional[Dict[str, Any]]:
    """``{"id": ...}`` or ``{"name": ..., "domain": {...}}`` for a user or project."""
    if auth.get(prefix + "_id"):
        return {"id": auth[prefix + "_id"]}
    name = auth.get("username" if prefix == "user" else prefix + "_name")
    if not name:
        return None
    if auth.get(prefix + "_domain_id"):
        domain = {"id": auth[prefix + "_domain_id"]}
    elif auth.get(prefix + "_domain_name"):
        domain = {"name": auth[prefix + "_domain_name"]}
    else:
        raise EosError("auth.%s_domain_name (or _id, or domain_name) is needed with %s name '%s'"
                       % (prefix, what, name))
    return {"name": name, "domain": domain}


def _scope(auth: Dict[str, Any]) -> Dict[str, Any]:
    project = _named("project", auth, "project")
    if project:
        return {"project": project}
    if auth.get("domain_id"):
        return {"domain": {"id": auth["domain_id"]}}
    if auth.get("domain_name"):
        return {"domain": {"name": auth["domain_name"]}}
    raise EosError("No scope: set auth.project_name (with its domain) or auth.project_id; "
                   "the EOS quota API needs a project-scoped token")


def token_request(settings: "ConnectionSettings") -> Dict[str, Any]:
    """The body of ``POST /v3/auth/tokens`` for the settings' auth type."""
    auth = settings.auth
    if settings.auth_type == "v3applicationcredential":
        if not (auth.get("application_credential_id") and auth.get("application_credential_secret")):
            raise EosError("auth_type v3applicationcredential needs auth.application_credential_id "
                           "and auth.application_credential_secret")
        # An application credential carries its own scope.
        return {"auth": {"identity": {
            "methods": ["application_credential"],
            "application_credential": {"id": auth["application_credential_id"],
                                       "secret": auth["application_credential_secret"]}}}}
    if settings.auth_type == "token":
        if not auth.get("token"):
            raise EosError("auth_type token needs auth.token")
        identity = {"methods": ["token"], "token": {"id": auth["token"]}}
    else:
        user = _named("user", auth, "user")
        if not user:
            raise EosError("auth_type password needs auth.username (with its domain) or "
                           "auth.user_id")
        if not auth.get("password"):
            raise EosError("auth_type password needs auth.password")
        user["password"] = auth["password"]
        identity = {"methods": ["password"], "password": {"user": user}}
    return {"auth": {"identity": identity, "scope": _scope(auth)}}


def password_check_request(user_id: str, password: str) -> Dict[str, Any]:
    """An unscoped password login of one user: the cheapest way to test a password."""
    return {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "id": user_id, "password": password}}}}}
