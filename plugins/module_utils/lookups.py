# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal to easystack.eos, not a public API: no compatibility promise (docs/development.md).
"""Finding Keystone domains and users by name or ID: one request in the usual case.

The requests are eos_api's; here is what to ask, in which order, and what the answers mean."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple

if TYPE_CHECKING:  # annotations only
    from ansible_collections.easystack.eos.plugins.module_utils.client import EosClient

Domain = Dict[str, Any]  # a Keystone domain, as identity.checked_object let it through

import re

from ansible_collections.easystack.eos.plugins.module_utils.eos_api import (
    domains_named, get_domain, get_user, list_domains, users_named)
from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
from ansible_collections.easystack.eos.plugins.module_utils.untrusted import shown

# Keystone's own IDs: 32 hex digits, and the default domain's fixed id.
ID_PATTERN = re.compile(r"^([0-9a-f]{32}|default)$")


def _only_one(found: List[Dict[str, Any]], kind: str, value: str) -> Optional[Dict[str, Any]]:
    """The one ``kind`` a lookup by name found, or None; several are an ambiguity the user must
    settle."""
    if len(found) > 1:
        raise EosError("%s name '%s' is ambiguous: %d matches (%s); use the ID"
                       % (kind.capitalize(), shown(value, 64), len(found),
                          ", ".join(shown(item["id"], 64) for item in found[:10])))
    return found[0] if found else None


def lookup_domain(client: "EosClient", name_or_id: str) -> Optional[Domain]:
    """The domain dict or None; an ID-looking value is fetched by ID, anything else by name."""
    if ID_PATTERN.match(name_or_id):
        return get_domain(client, name_or_id) or \
            _only_one(domains_named(client, name_or_id), "domain", name_or_id)
    return _only_one(domains_named(client, name_or_id), "domain", name_or_id) or \
        get_domain(client, name_or_id)


def find_domains(client: "EosClient", names_or_ids: List[str]) -> Dict[str, Domain]:
    """``{name or ID: domain}`` for each distinct entry; any that cannot be used fail together."""
    found, problems = resolve_domains(client, names_or_ids)
    if problems:
        entries = list(dict.fromkeys(names_or_ids))
        listed = ["'%s': %s" % (shown(entry, 64), problems[entry])
                  for entry in entries if entry in problems]
        raise EosError("%d of %d domains cannot be used: %s" % (
            len(listed), len(entries), "; ".join(listed[:50])
            + (" and %d more" % (len(listed) - 50) if len(listed) > 50 else "")))
    return found


def resolve_domains(client: "EosClient",
                    names_or_ids: List[str]) -> Tuple[Dict[str, Domain], Dict[str, str]]:
    """``(found, problems)``: ``{entry: domain}`` and ``{entry: why not}`` for each distinct entry,
    every entry tried, so that one run names every problem.

    Requests: one lookup per distinct entry, or the paged listing of every domain when that is
    fewer. The listing is read while it has fewer pages than there are entries; entries it
    settles are not looked up again, the rest are looked up one by one.
    """
    entries = list(dict.fromkeys(names_or_ids))
    found: Dict[str, Domain] = {}
    problems: Dict[str, str] = {}
    missing: List[str] = []
    listed: Optional[List[Domain]] = None
    if len(entries) > 1:
        listed, complete = list_domains(client, max_pages=len(entries) - 1)
        found, problems = settle_from_listing(entries, listed, complete)
        if complete:
            missing = [entry for entry in entries if entry not in found and entry not in problems]
    for entry in entries:
        if entry in found or entry in missing or entry in problems:
            continue
        try:
            domain = lookup_domain(client, entry)
        except EosError as error:
            if not about_the_entry(error):
                raise  # the server or the connection: every other entry would fail alike
            problems[entry] = error.message
            continue
        if domain is None:
            missing.append(entry)
        else:
            found[entry] = domain
    if missing:
        hint = close_names(client, listed if len(entries) > 1 else None)
        for entry in missing:
            problems[entry] = "not found (by name or ID) at %s%s" % (
                client.root("identity"), hint(entry))
    return found, problems


def about_the_entry(error: EosError) -> bool:
    """Whether a lookup's EosError is about what was asked (an answer that names another
    object, an ambiguous name, a 4xx of its own) rather than about the server or the connection
    (no answer, 5xx, 401/403, 429, a stopped task), which would fail every entry alike, each
    after its own retries."""
    if error.not_attempted:
        return False
    if error.url is None:  # an answer read and found wrong (identity, shape, ambiguity)
        return True
    return error.status is not None and 400 <= error.status < 500 and \
        error.status not in (401, 403, 429)


def settle_from_listing(entries: List[str], listed: List[Domain],
                        complete: bool) -> Tuple[Dict[str, Domain], Dict[str, str]]:
    """``(found, problems)``: the entries a listing of domains answers as ``lookup_domain`` would
    (ID-looking entries by ID first, others by exact name first), and the names it shows are
    ambiguous. From an incomplete listing only the first choice counts (the other could be on a
    page not read)."""
    by_id: Dict[str, Domain] = {}
    by_name: Dict[Any, List[Domain]] = {}
    for domain in listed:
        by_id[domain["id"]] = domain
        by_name.setdefault(domain.get("name"), []).append(domain)
    found: Dict[str, Domain] = {}
    problems: Dict[str, str] = {}
    for entry in entries:
        named = by_name.get(entry, [])
        if len(named) > 1:
            problems[entry] = ("the name is ambiguous: %d domains (%s) carry it; use the ID" % (
                len(named), ", ".join(shown(domain["id"], 64) for domain in named[:10])))
            continue
        first, second = (by_id.get(entry), named[0] if named else None)
        if not ID_PATTERN.match(entry):
            first, second = second, first
        if first is not None:
            found[entry] = first
        elif complete and second is not None:
            found[entry] = second
    return found, problems


def find_domain(client: "EosClient", name_or_id: str) -> Domain:
    """The domain dict; an ID-looking value is fetched by ID, anything else searched by name."""
    domain = lookup_domain(client, name_or_id)
    if domain is None:
        raise EosError("Domain '%s' not found (by name or ID) at %s%s"
                       % (shown(name_or_id, 64), client.root("identity"),
                          close_names(client)(name_or_id)))
    return domain


def close_names(client: "EosClient",
                listed: Optional[List[Domain]] = None) -> Callable[[str], str]:
    """``hint(name)``: " (did you mean 'acme'?)" for a name close to a domain's, else "".

    Only a failing lookup gets here; without a listing at hand, one page of domains is read
    (a listing that fails gives no hints rather than another error).
    """
    import difflib  # here: only a misspelt name needs it
    if listed is None:
        try:
            listed = list_domains(client, max_pages=1)[0]
        except EosError:
            listed = []
    names = [domain["name"] for domain in listed if isinstance(domain.get("name"), str)]

    def hint(name: str) -> str:
        close = difflib.get_close_matches(name, names, n=1)
        return " (did you mean '%s'?)" % shown(close[0], 64) if close else ""
    return hint


def find_user(client: "EosClient", name_or_id: str, domain: str) -> Dict[str, Any]:
    """The user: an ID-looking value by ID (in any domain), else by name within ``domain``.

    ``domain`` (a name or ID, as the task gave it) is looked up only when it is needed, and
    messages name it as given. A name is never also tried as an ID: Keystone's IDs look like
    IDs, and the extra request would only answer 404.
    """
    if ID_PATTERN.match(name_or_id):
        user = user_by_id(client, name_or_id)
        if user is not None:
            return user
    user = user_by_name(client, name_or_id, domain_id_of(client, domain))
    if user is None:
        raise EosError("User '%s' not found %sby name in domain '%s'"
                       % (shown(name_or_id, 64), "by ID, nor " if ID_PATTERN.match(name_or_id)
                          else "", shown(domain, 64)))
    return user


def user_by_id(client: "EosClient", user_id: str) -> Optional[Dict[str, Any]]:
    """The user with this ID, or None (no domain involved)."""
    return get_user(client, user_id)


def domain_id_of(client: "EosClient", name_or_id: str) -> str:
    """A domain's ID without a request when the value already is a Keystone ID."""
    return name_or_id if ID_PATTERN.match(name_or_id) else find_domain(client, name_or_id)["id"]


def user_by_name(client: "EosClient", name: str, domain_id: str) -> Optional[Dict[str, Any]]:
    """The user of this name in ``domain_id``, or None."""
    return _only_one(users_named(client, name, domain_id), "user", name)


def all_domains(client: "EosClient") -> List[Domain]:
    """Every domain, page by page: an unpaged listing silently stops at 1,000."""
    return list_domains(client)[0]
