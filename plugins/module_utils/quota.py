# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal to easystack.eos, not a public API: no compatibility promise (docs/development.md).
"""The quota change set: from what a task asks and what the server has, what to PATCH.

One place for the rules (the openstack.cloud ``resource.py`` idea): item names and aliases,
value parsing, numeric comparison, limits and allocation checks. Everything is decided before
anything is written, and only the items that differ are written.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import Any, Dict, List, Optional, Tuple, Union

Number = Union[int, float]

import math
import re

from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
# LARGEST_NUMBER (2**53): no real quota nears it; beyond it floats stop being exact.
from ansible_collections.easystack.eos.plugins.module_utils.untrusted import (
    LARGEST_NUMBER, shown)

UNLIMITED = -1
# The API reference's table spells these in the plural; every JSON sample (and the server)
# uses the singular. The server's keys are the truth; the plural spellings are aliases.
ALIASES = {"networks": "network", "subnets": "subnet", "security_group_rules": "security_group_rule"}
UNLIMITED_WORDS = ("unlimited", "-1")


# A number as a person writes it: ASCII digits, an optional fraction and exponent. Python's own
# int()/float() also take "1_000", Arabic-Indic or full-width digits and "nan"; this does not.
NUMBER_TEXT = re.compile(r"^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$")


def _refused(item: str, value: Any, problem: str) -> EosError:
    """The error for a value the task gives that is no quota, naming the item."""
    return EosError("Quota '%s': %s %s" % (shown(item, 60), shown(repr(value), 60), problem))


def _number_of_text(item: str, value: str) -> Number:
    text = value.strip()
    if text.lower() in UNLIMITED_WORDS:
        return UNLIMITED
    if not NUMBER_TEXT.match(text):
        raise _refused(item, value, "is not a number (use ASCII digits such as 100 or 156.5, -1 "
                                    "or 'unlimited')")
    if re.match(r"^-?[0-9]+$", text):
        return int(text)
    from decimal import Decimal  # here: only fractional texts need it
    written = Decimal(text)
    if written < 0 and written != UNLIMITED:  # decided as written: float() would round some to -1
        raise _refused(item, value, NEGATIVE)
    number = float(text)
    mantissa = re.split("[eE]", text)[0]
    if number == 0 and mantissa.strip("-0.") != "":
        raise _refused(item, value, "is too small to be told from 0 (it would be written as 0)")
    if number.is_integer() and abs(number) < LARGEST_NUMBER:
        return int(number)  # "100.0" from a template means 100
    return number


NEGATIVE = "is negative: a quota is -1 (unlimited) or 0 and above"


def parse_value(item: str, value: Any) -> Number:
    """A quota value as a number: -1 (also ``unlimited``) or a finite number of at least 0.

    Accepts numbers and numeric strings written with ASCII digits (YAML and Jinja hand over
    strings); rejects booleans, NaN/infinity, negative values other than -1, values that would be
    written as another number (``1e-400`` is 0), and anything else, naming the item.
    """
    if isinstance(value, bool):
        raise _refused(item, value, "is a boolean, not a number")
    if isinstance(value, str):
        number = _number_of_text(item, value)
    elif isinstance(value, (int, float)):
        number = value
    else:
        raise _refused(item, value, "(%s) is not a number" % type(value).__name__)
    if isinstance(number, float) and (math.isnan(number) or math.isinf(number)):
        raise _refused(item, value, "is not a finite number")
    if number < 0 and number != UNLIMITED:
        raise _refused(item, value, NEGATIVE)
    if number > LARGEST_NUMBER:
        raise EosError("Quota '%s': %s is too large (at most %d)"
                       % (shown(item, 60), shown(value, 40), LARGEST_NUMBER))
    return UNLIMITED if number == UNLIMITED else number


def same(a: Optional[Number], b: Optional[Number]) -> bool:
    """Numeric equality: ``100`` equals ``100.0``; integers are compared exactly."""
    if a is None or b is None:
        return False
    if isinstance(a, int) and isinstance(b, int):
        return a == b
    return float(a) == float(b)


def resolve_items(requested: Any, available: Dict[str, Number]) -> Dict[str, Number]:
    """``{server item: number}`` from the task's ``quotas``: aliases resolved, values parsed.

    Unknown items and values that are no quota fail together before anything is written,
    naming the valid items and the closest one.
    """
    if not isinstance(requested, dict) or not requested:
        raise EosError("quotas must be a mapping of at least one quota item to a number")
    resolved: Dict[str, Number] = {}
    spelled: Dict[str, str] = {}
    errors = unknown_items(requested, available)
    for name, value in requested.items():
        name = str(name)
        item = server_item(name, available)
        if item not in available:
            continue
        try:
            number = parse_value(name, value)
        except EosError as error:
            errors.append(error.message)
            continue
        if item in resolved and not same(resolved[item], number):
            errors.append("quota '%s' is given twice with different values: '%s: %s' and "
                          "'%s: %s'" % (shown(item, 60), shown(spelled[item], 60), resolved[item],
                                        shown(name, 60), number))
        resolved[item], spelled[item] = number, name
    if errors:
        raise EosError("%s. Valid items here: %s" % ("; ".join(errors), ", ".join(
            shown(item, 60) for item in sorted(available))))
    return resolved


def server_item(name: str, available: Dict[str, Number]) -> str:
    """The server's item for a name the task gives: itself, or the item an alias stands for."""
    return name if name in available or ALIASES.get(name) not in available else ALIASES[name]


def unknown_items(requested: Dict[Any, Any], available: Dict[str, Number]) -> List[str]:
    """A message for each item of ``requested`` the server does not report (``available``)."""
    errors: List[str] = []
    for name in requested:
        name = str(name)
        if server_item(name, available) not in available:
            import difflib  # here: only a misspelt item needs it
            close = difflib.get_close_matches(name, list(available) + list(ALIASES), n=1)
            errors.append("unknown quota item '%s'%s" % (
                shown(name, 60), " (did you mean '%s'?)" % shown(close[0], 60) if close else ""))
    return errors


class ChangeSet:
    """What a quota task would change: ``changes`` (item -> before/after) and the PATCH body."""

    def __init__(self, region: str, wanted: Dict[str, Number],
                 current: Dict[str, Number]) -> None:
        self.region = region
        self.wanted = wanted
        self.current = current
        self.warnings: List[str] = []  # what is done on purpose but deserves a word (a forced shrink)
        self.changes: Dict[str, Dict[str, Any]] = dict(
            (item, {"before": current.get(item), "after": value})
            for item, value in sorted(wanted.items()) if not same(current.get(item), value))

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def patch_body(self) -> Dict[str, Dict[str, Any]]:
        body: Dict[str, Any] = dict((item, change["after"]) for item, change in self.changes.items())
        body["region"] = self.region
        return {"domain": body}

    def predicted_quotas(self) -> Dict[str, Number]:
        quotas = dict(self.current)
        quotas.update((item, change["after"]) for item, change in self.changes.items())
        return quotas

    def not_taken(self, answered_quotas: Dict[str, Number]) -> Dict[str, Optional[Number]]:
        """Items whose value in the server's answer is not what was asked for."""
        return dict((item, answered_quotas.get(item)) for item, change in self.changes.items()
                    if not same(answered_quotas.get(item), change["after"]))

    def diff(self) -> Dict[str, Dict[str, Any]]:
        """Before/after of the items this task manages (after alias resolution)."""
        return {"before": dict((item, self.current.get(item)) for item in sorted(self.wanted)),
                "after": dict((item, self.wanted[item]) for item in sorted(self.wanted))}


def plan(region_name: str, region: Dict[str, Any], requested: Any,
         force: bool = False) -> "ChangeSet":
    """The ChangeSet for ``requested`` against one region's ``{quotas, usage, limits}``.

    Only items that change are checked against ``limits`` (the largest settable value, -1 = no
    limit) and ``usage`` (what is already allocated; shrinking below it needs ``force``), so a
    task that asks for what is already set never fails.
    """
    quotas = region.get("quotas") or {}
    limits = region.get("limits") or {}
    allocated = region.get("usage") or {}
    wanted = resolve_items(requested, quotas)
    changes = ChangeSet(region_name, wanted, quotas)
    errors: List[str] = []
    for item, change in changes.changes.items():
        value, limit = change["after"], limits.get(item)
        if limit is not None and not same(limit, UNLIMITED) and (
                same(value, UNLIMITED) or float(value) > float(limit)):
            errors.append("'%s': %s is above its limit %s" % (
                shown(item, 60), "unlimited (-1)" if same(value, UNLIMITED) else value, limit))
        used = allocated.get(item)
        if used is not None and not same(value, UNLIMITED) and float(value) < float(used):
            if force:
                changes.warnings.append(
                    "'%s' in region %s: %s is below what is already allocated (%s); set anyway "
                    "(force: true)" % (shown(item, 60), shown(region_name, 60), format_value(value),
                                       format_value(used)))
            else:
                errors.append("'%s': %s is below what is already allocated (%s); set force: true "
                              "to shrink it anyway" % (shown(item, 60), value, used))
    if errors:
        raise EosError("Nothing was changed in region %s: %s" % (shown(region_name, 60),
                                                                 "; ".join(errors)))
    return changes


def choose_region(regions: Dict[str, Any], asked: Optional[str] = None,
                  default: Optional[str] = None, where: str = "the quota API") -> str:
    """The region to work on: the one asked for, else ``default`` (region_name), else the only one."""
    names = sorted(regions)
    listed = ", ".join(shown(name, 60) for name in names[:50])
    name = asked or default
    if name:
        if name not in regions:
            raise EosError("Region '%s' is not reported by %s; regions: %s"
                           % (shown(name, 60), where, listed or "none"))
        return name
    if len(names) == 1:
        return names[0]
    if not names:
        raise EosError("%s reports no region at all" % (where[0].upper() + where[1:]))
    raise EosError("%s reports several regions (%s): choose one with region (or region_name)"
                   % (where[0].upper() + where[1:], listed))


# -- the list form (``domains``) -----------------------------------------------------------------

MAX_LISTED = 50  # problems named in one message; the rest are counted


def entry_label(index: int, domain: Any, region: Optional[str] = None) -> str:
    """How messages name an entry: its position (1-based, as people count) and department."""
    return "domains[%d] %s%s" % (index + 1, shown(domain, 64),
                                 " (%s)" % shown(region, 60) if region and region.strip() else "")


def listed_problems(problems: List[str], total: int, outcome: str) -> str:
    """One message for every problem found, ``outcome`` saying what was (not) done."""
    lines = problems[:MAX_LISTED]
    if len(problems) > MAX_LISTED:
        lines.append("and %d more" % (len(problems) - MAX_LISTED))
    return "%d of %d entries of domains %s: %s" % (
        len(problems), total, outcome, "; ".join(lines))


def check_entries(entries: List[Dict[str, Any]], region: Optional[str] = None,
                  force: bool = False) -> List[Dict[str, Any]]:
    """The list form's entries with the defaults applied, checked without asking the server.

    Returns ``[{domain, region, quotas, force, label, problems}]`` in input order: ``problems``
    lists what is wrong with the entry - an empty name or region (an unset variable), empty
    ``quotas``, values that are no quota, the same department and region twice - so that the
    caller can go on checking what it can and name every problem of every entry in one run.
    Only an empty list fails at once.
    """
    if not entries:
        raise EosError("domains is empty: give at least one entry (an unset or empty variable "
                       "renders as []). Nothing was sent")
    checked: List[Dict[str, Any]] = []
    seen: Dict[Tuple[Any, Optional[str]], int] = {}
    for index, entry in enumerate(entries):
        name = entry.get("domain")
        entry_region = entry.get("region") if entry.get("region") is not None else region
        named = bool(name and name.strip())
        problems: List[str] = []
        if not named:
            problems.append("domain is empty")
        if entry_region is not None and not entry_region.strip():
            problems.append("region is empty")
        quotas = entry.get("quotas")
        if not isinstance(quotas, dict) or not quotas:
            problems.append("quotas must map at least one quota item to a number")
        else:
            for item, value in quotas.items():
                try:
                    parse_value(str(item), value)
                except EosError as error:
                    problems.append(error.message)
        key = (name, entry_region)
        if named and key in seen:
            problems.append("the same department and region as domains[%d]; give each once"
                            % (seen[key] + 1))
        seen.setdefault(key, index)
        checked.append({"domain": name, "region": entry_region, "quotas": quotas,
                        "force": entry.get("force") if entry.get("force") is not None else force,
                        "label": entry_label(index, name if named else "''", entry_region),
                        "problems": problems})
    return checked


def format_value(value: Any) -> str:
    """A quota value as people read it: ``unlimited`` for -1, ``31146`` for ``31146.0``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "none" if value is None else shown(value, 40)
    if same(value, UNLIMITED):
        return "unlimited"
    if isinstance(value, float) and value.is_integer() and abs(value) < LARGEST_NUMBER:
        return "%d" % value
    return "%s" % value


def summary_line(result: Dict[str, Any], check_mode: bool = False) -> str:
    """One line for one department and region: what changed (or would), or why it failed."""
    domain = result.get("domain") or {}
    head = "%s %s" % (shown(domain.get("name") or domain.get("id"), 64),
                      shown(result.get("region"), 60))
    changes = ", ".join("%s %s -> %s" % (shown(item, 60), format_value(change["before"]),
                                         format_value(change["after"]))
                        for item, change in sorted((result.get("changes") or {}).items()))
    if result.get("not_attempted"):
        return "%s: NOT ATTEMPTED, nothing written (%s): the task had stopped" % (head, changes)
    if result.get("failed"):
        return "%s: FAILED%s (%s): %s" % (
            head, ", may have been applied" if result.get("changed") else ", nothing written",
            changes, shown(result.get("msg"), 1000))
    if not changes:
        return head + ": unchanged"
    return "%s: %s%s" % (head, "would change " if check_mode else "", changes)
