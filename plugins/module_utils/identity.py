# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal to easystack.eos, not a public API: no compatibility promise (docs/development.md).
"""Every object the collection acts on is the one that was asked for.

A server (or a proxy, or a buggy release) that ignores ``domain_id`` in a user lookup, answers a
GET by ID with another object, or a PATCH with another user's record would make the next write
land on an object nobody asked for: with admin credentials, the worst failure there is. Every
Keystone object a lookup, listing or write answers goes through ``checked_object``: typed, and
matched field by field against what was asked. A mismatch fails naming both, before any write.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import Any, Dict, Optional

from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
from ansible_collections.easystack.eos.plugins.module_utils.untrusted import Answer, kind_of, shown

# The fields the modules read of each kind, and so check: each a string when present; ``id``
# and ``name`` (and a user's ``domain_id``) must be there.
REQUIRED = {"domain": ("id", "name"), "user": ("id", "name", "domain_id")}


def checked_object(check: Answer, value: Any, label: str, kind: str,
                   **asked: Optional[str]) -> Dict[str, Any]:
    """``value``, one Keystone ``kind`` ("domain" or "user") object of an answer, checked.

    ``check`` is the answer's ``untrusted.Answer`` (it names the request), ``label`` the object's
    place in it (``users[]``). ``asked``: the fields the caller asked for (``id``, ``name``,
    ``domain_id``; None = not asked); each must come back exactly as asked.
    """
    check.mapping(value, label)
    for field in REQUIRED[kind]:
        check.name(value.get(field), "%s.%s" % (label, field))
    enabled = value.get("enabled", True)
    if not isinstance(enabled, bool):
        raise check.fail(label + ".enabled", "%s, not true or false" % kind_of(enabled))
    wrong = [field for field, wanted in sorted(asked.items())
             if wanted is not None and value.get(field) != wanted]
    if wrong:
        hint = ""
        if wrong == ["name"] and u"%s" % value["name"].lower() == u"%s" % (asked["name"] or "").lower():
            hint = (" (a database that matches names regardless of case answers this way: give "
                    "the name exactly as it is, or the ID)")
        raise EosError(
            "%s answered another %s than the one asked for: asked %s, got %s %s%s. The server "
            "(or a proxy before it) does not answer what it is asked, so nothing it names is "
            "acted on" % (
                check.where, kind,
                " and ".join("%s '%s'" % (field, shown(asked[field], 64)) for field in wrong),
                kind, describe(value), hint))
    return value


def describe(value: Dict[str, Any]) -> str:
    """How a message names an object: its name, ID and (for a user) domain, cleaned."""
    text = "'%s' (id %s" % (shown(value.get("name"), 64), shown(value.get("id"), 64))
    if value.get("domain_id") is not None:
        text += ", domain_id %s" % shown(value.get("domain_id"), 64)
    return text + ")"
