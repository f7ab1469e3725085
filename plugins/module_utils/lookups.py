# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Finding Keystone domains and users by name or ID: one request in the usual case."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from urllib.parse import quote

from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
from ansible_collections.easystack.eos.plugins.module_utils.untrusted import Answer, shown
from ansible_collections.easystack.eos.plugins.module_utils.urls import segment

# Keystone's own IDs: 32 hex digits, and the default domain's fixed id.
ID_PATTERN = re.compile(r"^([0-9a-f]{32}|default)$")


def _checked(check, item, label):
    """A Keystone resource as the modules use it: an object with a non-empty string ``id``."""
    check.mapping(item, label)
    check.text(item.get("id"), label + ".id")
    return item


def _by_id(client, collection, key, value):
    path = "/v3/%s/%s" % (collection, segment(value))
    body = client.get(path, service="identity", expected=(200, 404))
    if not body or key not in body:
        return None
    return _checked(Answer("GET %s%s" % (client.root("identity"), path)), body[key], key)


def _by_name(client, collection, value, what, extra=None):
    query = "name=%s" % quote(value, safe="")
    if extra:
        query += "&" + extra
    path = "/v3/%s?%s" % (collection, query)
    check = Answer("GET %s%s" % (client.root("identity"), path))
    body = check.mapping(client.get(path, service="identity"), "body")
    found = [_checked(check, item, "%s[]" % collection)
             for item in check.sequence(body.get(collection), collection)]
    others = [item for item in found if item.get("name") != value]
    if others:  # a server that ignored the filter (or matched another case): never act on it
        raise EosError("%s answered %s named %s for the name '%s': only an exact match is used, "
                       "so nothing was changed. Check the spelling (and case) of the name, or "
                       "use the ID" % (check.where, what.lower(), ", ".join(
                           "'%s'" % shown(item.get("name"), 64) for item in others[:5]), value))
    if len(found) > 1:
        raise EosError("%s name '%s' is ambiguous: %d matches (%s); use the ID"
                       % (what, value, len(found),
                          ", ".join(shown(item["id"], 64) for item in found[:10])))
    return found[0] if found else None


def lookup_domain(client, name_or_id):
    """The domain dict or None; an ID-looking value is fetched by ID, anything else by name."""
    if ID_PATTERN.match(name_or_id):
        return _by_id(client, "domains", "domain", name_or_id) or \
            _by_name(client, "domains", name_or_id, "Domain")
    return _by_name(client, "domains", name_or_id, "Domain") or \
        _by_id(client, "domains", "domain", name_or_id)


def find_domains(client, names_or_ids):
    """``{name or ID: domain}`` for each distinct entry; unknown ones fail together, listed.

    Requests: one lookup per distinct entry, or the paged listing of every domain when that is
    fewer. The listing is read while it has fewer pages than there are entries; entries it
    settles are not looked up again, the rest are looked up one by one.
    """
    entries = list(dict.fromkeys(names_or_ids))
    found, missing, listed = {}, [], None
    if len(entries) > 1:
        listed, complete = list_domains(client, max_pages=len(entries) - 1)
        found = settle_from_listing(entries, listed, complete, client)
        if complete:
            missing = [entry for entry in entries if entry not in found]
    for entry in entries:
        if entry in found or entry in missing:
            continue
        domain = lookup_domain(client, entry)
        if domain is None:
            missing.append(entry)
        else:
            found[entry] = domain
    if missing:
        missing = [entry for entry in entries if entry in missing]  # in the order given
        hint = close_names(client, listed if len(entries) > 1 else None)
        raise EosError("%d of %d domains not found (by name or ID) at %s: %s"
                       % (len(missing), len(entries), client.root("identity"),
                          ", ".join("'%s'%s" % (name, hint(name)) for name in missing[:50])
                          + (" and %d more" % (len(missing) - 50) if len(missing) > 50 else "")))
    return found


def settle_from_listing(entries, listed, complete, client=None):
    """The entries a listing of domains answers as ``lookup_domain`` would: ID-looking entries by
    ID first, others by exact name first. From an incomplete listing only the first choice
    counts (the other could be on a page not read)."""
    by_id, by_name = {}, {}
    for domain in listed:
        by_id[domain["id"]] = domain
        by_name.setdefault(domain.get("name"), []).append(domain)
    found = {}
    for entry in entries:
        named = by_name.get(entry, [])
        if len(named) > 1:
            raise EosError("Domain name '%s' is ambiguous: %d matches (%s) in the listing of %s; "
                           "use the ID" % (entry, len(named), ", ".join(
                               shown(domain["id"], 64) for domain in named[:10]),
                               client.root("identity") if client else "domains"))
        first, second = (by_id.get(entry), named[0] if named else None)
        if not ID_PATTERN.match(entry):
            first, second = second, first
        if first is not None:
            found[entry] = first
        elif complete and second is not None:
            found[entry] = second
    return found


def find_domain(client, name_or_id):
    """The domain dict; an ID-looking value is fetched by ID, anything else searched by name."""
    domain = lookup_domain(client, name_or_id)
    if domain is None:
        raise EosError("Domain '%s' not found (by name or ID) at %s%s"
                       % (name_or_id, client.root("identity"), close_names(client)(name_or_id)))
    return domain


def close_names(client, listed=None):
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
    names = [domain.get("name") for domain in listed if isinstance(domain.get("name"), str)]

    def hint(name):
        close = difflib.get_close_matches(name, names, n=1)
        return " (did you mean '%s'?)" % shown(close[0], 64) if close else ""
    return hint


def find_user(client, name_or_id, domain):
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
                       % (name_or_id, "by ID, nor " if ID_PATTERN.match(name_or_id) else "",
                          domain))
    return user


def user_by_id(client, user_id):
    """The user with this ID, or None (no domain involved)."""
    return _by_id(client, "users", "user", user_id)


def domain_id_of(client, name_or_id):
    """A domain's ID without a request when the value already is a Keystone ID."""
    return name_or_id if ID_PATTERN.match(name_or_id) else find_domain(client, name_or_id)["id"]


def user_by_name(client, name, domain_id):
    """The user of this name in ``domain_id``, or None."""
    return _by_name(client, "users", name, "User", "domain_id=" + quote(domain_id))


DOMAIN_PAGE = 1000  # Keystone's max_db_limit: an unpaged list silently stops there
MAX_PAGES = 1000  # a million domains; a server that pages on past it is not listing domains


def all_domains(client):
    """Every domain, page by page (``limit``/``marker``; Keystone says ``links.next`` while there
    are more): an unpaged ``GET /v3/domains`` silently stops at 1,000."""
    return list_domains(client)[0]


def list_domains(client, max_pages=None):
    """``(domains, complete)``: the listing's pages in order, at most ``max_pages`` of them."""
    domains, marker, pages = [], None, 0
    while max_pages is None or pages < max_pages:
        if pages == MAX_PAGES:
            raise EosError("GET %s/v3/domains still says there are more domains after %d pages "
                           "of %d: the listing is refused; check the identity endpoint"
                           % (client.root("identity"), MAX_PAGES, DOMAIN_PAGE))
        path = "/v3/domains?limit=%d" % DOMAIN_PAGE + ("&marker=" + quote(marker, safe="")
                                                       if marker else "")
        check = Answer("GET %s%s" % (client.root("identity"), path))
        body = check.mapping(client.get(path, service="identity"), "body")
        pages += 1
        page = [_checked(check, item, "domains[]")
                for item in check.sequence(body.get("domains"), "domains")]
        domains += page
        links = body.get("links") if isinstance(body.get("links"), dict) else {}
        if not page or not links.get("next") or page[-1]["id"] == marker:
            return domains, True
        marker = page[-1]["id"]
    return domains, False
