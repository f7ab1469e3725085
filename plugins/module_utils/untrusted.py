# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal to easystack.eos, not a public API: no compatibility promise (docs/development.md).
"""What the server sends is untrusted: text for messages, JSON, and the values read from it.

Every server-supplied string that reaches a message goes through ``shown`` (no control
characters, bounded length), every body through ``parse_json`` (no NaN/Infinity, bounded
nesting), and every value the modules compute with through the typed getters here, which fail
with an EosError naming the endpoint and the item instead of crashing later.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import Any, Dict, List, Tuple, Union

import json
import math
import re

from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
from ansible_collections.easystack.eos.plugins.module_utils.secrets import KNOWN, hidden

# A few hundred characters say what went wrong; more is a server dumping a page on us.
TEXT_LIMIT = 300
# Keystone and the EOS API nest four or five levels; 32 leaves room without inviting abuse.
MAX_NESTING = 32
# Below 2**53 floats and ints compare exactly; no real quota comes near it.
LARGEST_NUMBER = 2 ** 53
# Keystone's names and IDs are at most 255 characters (its columns), EOS's region and item names
# far less: a longer one is a server dumping data on us, refused where it enters.
NAME_LIMIT = 255

# Line breaks and tabs: a message stays one line, so they read as a space.
_BREAKS = re.compile(u"[\t\n\u000b\u000c\r\u0085\u2028\u2029]+")
# The other C0/C1 controls, DEL, and the invisible format characters (bidi overrides,
# zero-width) that could repaint a terminal line or hide text: shown escaped (``\x1b``), so that
# the reader sees something odd was there and nothing acts on the terminal.
_UNPRINTABLE = re.compile(u"[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u202a-\u202e"
                          u"\u2060-\u206f\ufeff]")


# The secrets registry's set of every form of every secret learnt (secrets.py); the unit tests
# clear it between module runs through this name.
_SECRETS = KNOWN


def _escaped(match: "re.Match[str]") -> str:
    code = ord(match.group(0))
    return "\\x%02x" % code if code < 0x100 else "\\u%04x" % code


def shown(value: Any, limit: int = TEXT_LIMIT) -> str:
    """``value`` as one printable line of at most ``limit`` characters (plus a note if cut).

    The one function every server-supplied (or user-supplied) string goes through before it
    reaches a message, warning, diff header or summary: the known secrets hidden first
    (``secrets.hidden``), line breaks read as a space, other control and invisible characters
    escaped (``\\x1b``), the length bounded with ``... (N more characters)``.
    """
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = hidden(value, urls=False)
    text = _BREAKS.sub(" ", text)
    text = re.sub(u" {2,}", " ", text).strip()
    dropped = max(0, len(text) - limit * 8)  # escaping a huge text only to cut it costs time
    text = _UNPRINTABLE.sub(_escaped, text[:limit * 8] if dropped else text)
    if len(text) > limit:
        return u"%s... (%d more characters)" % (text[:limit], len(text) - limit + dropped)
    return text


def parse_json(raw: bytes) -> Any:
    """The JSON document in ``raw`` (bytes); ValueError when it is not bounded JSON.

    ``NaN`` and ``Infinity`` (which Python's json reads) stay floats here, so that the typed
    getters below refuse them naming the item; nothing computes with an unchecked value.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("the body is not UTF-8")
    try:
        document = json.loads(text)
    except RecursionError:
        raise ValueError("the JSON is nested deeper than %d levels" % MAX_NESTING)
    if _depth_exceeds(document, MAX_NESTING):
        raise ValueError("the JSON is nested deeper than %d levels" % MAX_NESTING)
    return document


def _depth_exceeds(document: Any, limit: int) -> bool:
    """Iterative, so that checking a deep document cannot itself recurse too deep."""
    stack: List[Tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > limit:
                return True
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    return False


class Answer:
    """Checks the values of one decoded answer; a failure names the request and the item."""

    def __init__(self, where: str) -> None:
        self.where = where  # e.g. "GET https://eos.example/v3/domain_quotas/1234"

    def fail(self, item: str, problem: str) -> EosError:
        return EosError("%s: the answer's %s is %s, so the answer cannot be used (is the "
                        "endpoint an EOS API?)" % (self.where, item, problem))

    # Any, not Dict[str, Any]: callers test a value's type, then .get() it again (eos_api.py),
    # which mypy cannot follow through a dict's Optional get.
    def mapping(self, value: Any, item: str) -> Any:
        if not isinstance(value, dict):
            raise self.fail(item, "%s, not an object" % kind_of(value))
        return value

    def sequence(self, value: Any, item: str) -> List[Any]:
        if not isinstance(value, list):
            raise self.fail(item, "%s, not a list" % kind_of(value))
        return value

    def text(self, value: Any, item: str) -> str:
        if not isinstance(value, str) or not value:
            raise self.fail(item, "%s, not a non-empty string" % kind_of(value))
        return value

    def name(self, value: Any, item: str) -> str:
        """A non-empty string of at most NAME_LIMIT characters (a region, item, ID or name)."""
        self.text(value, item)
        if len(value) > NAME_LIMIT:
            raise self.fail(item, "%d characters long (%s), more than the %d a name can have"
                            % (len(value), shown(value, 40), NAME_LIMIT))
        return value

    def number(self, value: Any, item: str) -> Union[int, float]:
        """A finite int or float (not a boolean, not NaN, not beyond 2**53)."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(item, "%s, not a number" % kind_of(value))
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            raise self.fail(item, "%s, not a finite number" % kind_of(value))
        if abs(value) > LARGEST_NUMBER:
            raise self.fail(item, "%s, beyond %d" % (kind_of(value), LARGEST_NUMBER))
        return value

    def numbers(self, value: Any, item: str) -> Dict[str, Any]:
        """A ``{name: number}`` mapping, every value checked."""
        mapping = self.mapping(value, item)
        for name, number in mapping.items():
            self.name(name, "%s item name" % item)
            self.number(number, "%s.%s" % (item, shown(name, 60)))
        return mapping


def kind_of(value: Any) -> str:
    """A short, safe description of a wrongly typed value: its type and, if small, itself."""
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        return "a JSON %s" % ("object" if isinstance(value, dict) else "list")
    return "%s %s" % (type(value).__name__, shown(repr(value), 40))
