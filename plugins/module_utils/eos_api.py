# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every EOS and Keystone endpoint the collection calls, one function each.

Internal to the collection (no compatibility promise; see docs/development.md). The only place
that knows the API's paths and shapes: each function takes an authenticated ``EosClient``, sends
its request and returns checked values - objects that are the ones asked for
(``identity.checked_object``), quota regions with every value type-checked
(``regions_of``) - or raises an EosError naming the request. A write's answer that cannot
be used says that the write may have been applied (``accepted_write``).

A new endpoint goes here, with a unit test and a hostile-server case (docs/development.md).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import TYPE_CHECKING, Any, Callable, Dict, Iterator, List, Optional, Tuple

if TYPE_CHECKING:  # annotations only: the client is imported where it is made (module.py)
    from ansible_collections.easystack.eos.plugins.module_utils.client import EosClient

from contextlib import contextmanager
from urllib.parse import quote

from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
from ansible_collections.easystack.eos.plugins.module_utils.identity import checked_object
from ansible_collections.easystack.eos.plugins.module_utils.untrusted import Answer, shown
from ansible_collections.easystack.eos.plugins.module_utils.urls import segment

# Keystone's login (the client's, and a user's password check).
TOKENS = "/v3/auth/tokens"

# One listing: ``limit`` per page (Keystone's max_db_limit: an unpaged list silently stops
# there), at most MAX_PAGES pages and MAX_ITEMS objects (a million; a server that lists on past
# that is not listing domains). Documented in docs/troubleshooting.md.
DOMAIN_PAGE = 1000
MAX_PAGES = 1000
MAX_ITEMS = 1000000
# A lookup by name answers one object, a few on a database that matches names loosely.
MAX_MATCHES = 100


@contextmanager
def accepted_write(consequence: str = "it may have been applied") -> Iterator[None]:
    """Around reading the answer to a PATCH the server accepted (2xx): any EosError raised
    inside is marked ``maybe_applied`` and says so - the one place for "the write may have
    been applied" after an accepted write."""
    try:
        yield
    except EosError as error:
        if not error.maybe_applied:
            error.message += ". The server accepted the PATCH, so %s" % consequence
            error.maybe_applied = True
        raise


# -- identity: domains and users ------------------------------------------------------------------

def get_object(client: "EosClient", collection: str, kind: str,
               object_id: str) -> Optional[Dict[str, Any]]:
    """``GET /v3/<collection>/<id>``: the object with that ID, or None (404)."""
    path = "/v3/%s/%s" % (collection, segment(object_id))
    body = client.get(path, service="identity", expected=(200, 404))
    if not body or kind not in body:
        return None
    check = Answer("GET %s%s" % (client.root("identity"), path))
    return checked_object(check, check.mapping(body, "body")[kind], kind, kind, id=object_id)


def get_domain(client: "EosClient", domain_id: str) -> Optional[Dict[str, Any]]:
    """The domain with this ID, or None."""
    return get_object(client, "domains", "domain", domain_id)


def get_user(client: "EosClient", user_id: str) -> Optional[Dict[str, Any]]:
    """The user with this ID (in any domain), or None."""
    return get_object(client, "users", "user", user_id)


def objects_named(client: "EosClient", collection: str, kind: str, name: str,
                  domain_id: Optional[str] = None) -> List[Dict[str, Any]]:
    """The ``kind`` objects named exactly ``name`` (in ``domain_id``): one request, every match
    checked to carry that name (and domain)."""
    query = "name=%s" % quote(name, safe="")
    if domain_id is not None:
        query += "&domain_id=" + quote(domain_id, safe="")
    return listing(client, collection, kind, query, name=name, domain_id=domain_id)[0]


def domains_named(client: "EosClient", name: str) -> List[Dict[str, Any]]:
    return objects_named(client, "domains", "domain", name)


def users_named(client: "EosClient", name: str, domain_id: str) -> List[Dict[str, Any]]:
    return objects_named(client, "users", "user", name, domain_id)


def list_domains(client: "EosClient",
                 max_pages: Optional[int] = None) -> Tuple[List[Dict[str, Any]], bool]:
    """``(domains, complete)``: the domain listing's pages in order, at most ``max_pages``."""
    return listing(client, "domains", "domain", limit=DOMAIN_PAGE, max_pages=max_pages)


def _added(seen: set, key: str) -> bool:
    """Adds ``key`` to ``seen``; False, so that a comprehension can keep the first of each."""
    seen.add(key)
    return False


def listing(client: "EosClient", collection: str, kind: str, query: str = "",
            limit: Optional[int] = None, max_pages: Optional[int] = None,
            **asked: Optional[str]) -> Tuple[List[Dict[str, Any]], bool]:
    """``(objects, complete)`` of ``GET /v3/<collection>?<query>``: the one way to read a list.

    ``limit``: read page by page (``limit``/``marker``; Keystone says ``links.next`` while there
    are more), at most ``max_pages`` pages (``complete`` is False when more were left unread);
    None: one request, a lookup by name. Every object is checked (``checked_object``, with the
    ``asked`` fields: a server that ignores a filter is refused) and taken once by ID. Broken
    paging fails clearly instead of looping or counting twice: a page larger than ``limit``, a
    marker that comes back, a page that brings nothing new, more than MAX_PAGES pages or
    MAX_ITEMS objects.
    """
    objects: List[Dict[str, Any]] = []
    seen: set = set()
    markers: set = set()
    marker: Optional[str] = None
    pages = 0
    root = client.root("identity")
    while max_pages is None or pages < max_pages:
        path = "/v3/%s?%s" % (collection, "&".join(part for part in (
            query, "limit=%d" % limit if limit else "",
            "marker=" + quote(marker, safe="") if marker else "") if part))
        check = Answer("GET %s%s" % (root, path.rstrip("?")))
        body = check.mapping(client.get(path.rstrip("?"), service="identity"), "body")
        page = check.sequence(body.get(collection), collection)
        pages += 1
        broken = None
        if len(page) > (limit or MAX_MATCHES):
            broken = "%d %s in one page%s" % (len(page), collection, " to limit=%d" % limit
                                              if limit else " to a lookup by name")
        fresh = [] if broken else [
            checked_object(check, item, "%s[%d]" % (collection, index), kind, **asked)
            for index, item in enumerate(page)]
        fresh = [item for item in fresh if item["id"] not in seen and not _added(seen, item["id"])]
        links = body.get("links") if isinstance(body.get("links"), dict) else {}
        more = bool(limit and page and links.get("next"))
        if not broken and more and not fresh:
            broken = "a page that brings no %s not listed before (is marker ignored?)" % kind
        if not broken and more and page[-1]["id"] in markers | {marker}:
            broken = "the marker %s again, after %d pages" % (shown(page[-1]["id"], 64), pages)
        if not broken and len(objects) + len(fresh) > MAX_ITEMS:
            broken = "more than %d %s" % (MAX_ITEMS, collection)
        if not broken and more and pages == MAX_PAGES:
            broken = "still more %s after %d pages" % (collection, MAX_PAGES)
        if broken:
            raise EosError("%s answered %s: the listing is broken, so it is not used and nothing "
                           "was written. Check the identity endpoint (or a proxy before it)"
                           % (check.where, broken))
        objects += fresh
        if not more:
            return objects, True
        markers.add(marker)
        marker = page[-1]["id"]
    return objects, False


def verify_lost_write(client: "EosClient", error: EosError, verify: Callable[[], bool],
                      settle: float, check: str, not_taken: str) -> None:
    """A write whose answer was lost (``error.maybe_applied``): wait ``settle`` seconds (a write
    the server was still processing lands), then ask ``verify()`` once whether it took. Returns
    when it did; otherwise raises ``error``, saying that ``check`` failed too, or ``not_taken``.
    The one way the collection finds out what a lost answer hid."""
    client.http.sleep(settle)
    try:
        took = verify()
    except EosError as check_error:
        error.message += ". %s failed too: %s" % (check, check_error.message)
        raise error
    if not took:
        error.message += ". " + not_taken
        raise error


def set_user_password(client: "EosClient", user: Dict[str, Any], password: str,
                      on_lost_answer: Callable[[EosError], Dict[str, Any]],
                      request_ids: Optional[List[Optional[str]]] = None) -> Dict[str, Any]:
    """``PATCH /v3/users/<id>`` with the new password, sent once (never resent: a lost answer
    may hide an applied change); the user the server answered, checked to be that user.

    ``on_lost_answer(error)``: called when the PATCH got no usable answer (it may have been
    applied); what it returns is returned, or it raises. ``request_ids``: the request id of
    the PATCH's answer is appended to it (``EosClient.call``).
    """
    path = "/v3/users/" + segment(user["id"])
    try:
        body = client.patch(path, {"user": {"password": password}}, service="identity",
                            idempotent=False, request_ids=request_ids)
    except EosError as error:
        if not error.maybe_applied:
            raise
        if request_ids is not None:
            request_ids.append(error.request_id)
        return on_lost_answer(error)
    with accepted_write("the password may have been set"):
        check = Answer("PATCH %s%s" % (client.root("identity"), path))
        return checked_object(check, check.mapping(body, "body").get("user"), "user", "user",
                              id=user["id"])


def check_password(client: "EosClient", user_id: str, password: str) -> str:
    """What one login as the user says of ``password``: ``client.MATCH``, ``EXPIRED``,
    ``MFA_REQUIRED`` or ``REFUSED`` (``EosClient.password_check``, ``POST`` TOKENS)."""
    return client.password_check(user_id, password)


# -- the EOS quota API ----------------------------------------------------------------------------

def domain_quota_path(domain_id: str) -> str:
    return "/v3/domain_quotas/" + segment(domain_id)


def get_domain_quota(client: "EosClient", domain_id: str) -> Dict[str, Dict[str, Any]]:
    """``GET /v3/domain_quotas/<id>``: ``{region: {quotas, usage, limits}}``, type-checked."""
    path = domain_quota_path(domain_id)
    return regions_of(client.get(path), "GET %s%s" % (client.root("quota"), path))


def set_domain_quota(client: "EosClient", domain_id: str, body: Dict[str, Any],
                     request_ids: Optional[List[Optional[str]]] = None
                     ) -> Dict[str, Dict[str, Any]]:
    """``PATCH /v3/domain_quotas/<id>`` with ``body`` (absolute values, so a retry is harmless);
    the regions the server answered with, type-checked. ``request_ids``: the request id of the
    answer is appended to it (``EosClient.call``)."""
    path = domain_quota_path(domain_id)
    answer = client.patch(path, body, request_ids=request_ids)
    with accepted_write():
        return regions_of(answer, "PATCH %s%s" % (client.root("quota"), path))


def domain_usage(client: "EosClient") -> Dict[str, Dict[str, Any]]:
    """``GET /v3/domain_usage``: the platform's ``{region: {quotas, allocated, usage, limits}}``."""
    path = "/v3/domain_usage"
    return regions_of(client.get(path), "GET %s%s" % (client.root("quota"), path))


# What a region of the quota API carries. Anything else is left out: ``quota_fake`` of
# /v3/domain_usage is "deprecated and meaningless" in the API reference, and a number nobody
# can interpret only invites alerts on it.
REGION_COLUMNS = ("quotas", "usage", "allocated", "limits")


def regions_of(body: Any, where: str) -> Dict[str, Dict[str, Any]]:
    """The region-keyed ``domain`` object of a quota API answer, every value type-checked.

    ``where`` names the request ("GET https://.../v3/domain_quotas/<id>") for messages: a
    quota of ``"x"``, ``null`` or a non-finite number fails there, naming region and item,
    instead of deciding a change on it.
    """
    regions = body.get("domain") if isinstance(body, dict) else None
    if not isinstance(regions, dict):
        raise EosError("%s answered without a 'domain' object of regions: check that "
                       "service_type or endpoint_override point at the EOS quota API" % where)
    check = Answer(where)
    checked: Dict[str, Dict[str, Any]] = {}
    for name, region in regions.items():
        check.name(name, "region name")
        label = shown(name, 60)
        check.mapping(region, "region %s" % label)
        checked[name] = dict(
            (column, check.numbers(region[column], "%s %s" % (label, column)))
            for column in REGION_COLUMNS if column in region)
    return checked
