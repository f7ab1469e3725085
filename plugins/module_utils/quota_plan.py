# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal to easystack.eos, not a public API: no compatibility promise (docs/development.md).
"""Plan, approve, apply: the digest of what eos_domain_quota read and would change.

A check-mode run returns ``plan``, a digest of the live state it planned from and of its change
set. An approver looks at that run's changes; the apply run passes the digest as
``expect_plan`` and writes only if the live state it reads now gives the same digest - the same
departments, the same live quotas and limits in each region, hence the same change set.
Otherwise it fails before the first write, saying what it would change now.

The digest covers, per entry in order: the department's ID and name, the region, the region's
live ``quotas`` and ``limits`` as read, and the change set (item, before, after). Allocation
(``usage``) is left out: it moves all day, and the rules that depend on it (no shrink below it
without ``force``) are checked again by the apply run anyway.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import Any, Dict, List, Tuple

import hashlib
import json
import re

from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
from ansible_collections.easystack.eos.plugins.module_utils.quota import ChangeSet, format_value
from ansible_collections.easystack.eos.plugins.module_utils.untrusted import shown

PREFIX = "sha256:"
PLAN_PATTERN = re.compile(r"^sha256:[0-9a-f]{64}$")
# How many changes the "changed since the plan" message lists before "and N more".
LISTED = 20

Planned = List[Tuple[Dict[str, Any], Dict[str, Any], ChangeSet]]  # (domain, region state, changes)


def check_expected(expect_plan: Any) -> None:
    """``expect_plan`` as a check-mode run returned it, else a clean error before anything is
    sent (an empty string from an unset variable is a mistake, not "no plan")."""
    if expect_plan is None:
        return
    if not isinstance(expect_plan, str) or not PLAN_PATTERN.match(expect_plan.strip()):
        raise EosError("expect_plan must be the plan a check-mode run returned (sha256: and 64 "
                       "hex digits), not %s. Nothing was sent" % shown(repr(expect_plan), 100))


def digest(planned: Planned) -> str:
    """The plan's digest (see the module's docstring)."""
    content = [{
        "domain": {"id": domain["id"], "name": domain.get("name")},
        "region": changes.region,
        "quotas": region.get("quotas") or {},
        "limits": region.get("limits") or {},
        "changes": changes.changes,
    } for domain, region, changes in planned]
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return PREFIX + hashlib.sha256(text.encode("utf-8")).hexdigest()


def change_lines(planned: Planned) -> List[str]:
    """``acme RegionOne cores 10 -> 20``, one per item that would change."""
    return ["%s %s %s %s -> %s" % (shown(domain.get("name") or domain["id"], 64),
                                   shown(changes.region, 60), shown(item, 60),
                                   format_value(change["before"]), format_value(change["after"]))
            for domain, dummy, changes in planned
            for item, change in sorted(changes.changes.items())]


def drift(planned: Planned) -> List[Dict[str, Any]]:
    """Every item whose live value differs from the desired one, as read before any write."""
    return [{"domain": domain.get("name"), "domain_id": domain["id"], "region": changes.region,
             "item": item, "live": change["before"], "desired": change["after"],
             "line": "%s %s %s: live %s, desired %s" % (
                 shown(domain.get("name") or domain["id"], 64), shown(changes.region, 60),
                 shown(item, 60), format_value(change["before"]), format_value(change["after"]))}
            for domain, dummy, changes in planned
            for item, change in sorted(changes.changes.items())]


def enforce(expect_plan: Any, planned: Planned, result: Dict[str, Any]) -> str:
    """The digest of ``planned``; an EosError (nothing written) when ``expect_plan`` is given
    and differs. ``result`` (what the task reports so far) goes with the error."""
    now = digest(planned)
    if expect_plan is None or expect_plan.strip() == now:
        return now
    lines = change_lines(planned)
    listed = "; ".join(lines[:LISTED]) + (" and %d more" % (len(lines) - LISTED)
                                          if len(lines) > LISTED else "")
    raise EosError(
        "The live quotas changed since the plan was made (expected %s, the live state now gives "
        "%s), so nothing was written. Now the task would change %s. Run the check again and "
        "have the new plan approved." % (expect_plan.strip(), now,
                                         listed if lines else "nothing"),
        result=dict(result, plan=now))
