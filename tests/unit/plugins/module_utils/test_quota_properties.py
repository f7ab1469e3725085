# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""quota.plan on arbitrary input: a correct change set or an EosError, and idempotence.

Each property counts what its examples did and asserts that a fair share was planned (and
changed something), so a plan() that refused every input could not pass them unseen.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
from collections import Counter

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
from ansible_collections.easystack.eos.plugins.module_utils.quota import ALIASES, plan, same

ITEMS = ["cores", "ram", "instances", "network", "subnet", "security_group_rule", "floatingip",
         "backup_gigabytes", "volumes_ssd", "networks"]
EXACT = 2 ** 53  # the largest quota plan() takes; above it floats stop being exact
SETTINGS = settings(max_examples=300, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])

small_ints = st.integers(min_value=-3, max_value=3000)
# Every int: around the largest exact float and beyond float range (2 ** 1024) too.
huge_ints = st.integers(min_value=2 ** 1024 - 2, max_value=10 ** 400)
ints = st.one_of(small_ints, st.integers(), st.integers(min_value=EXACT - 2, max_value=EXACT + 2),
                 huge_ints, huge_ints.map(lambda n: -n))
floats = st.floats(allow_nan=True, allow_infinity=True)
numeric_strings = st.one_of(
    ints.map(str), floats.map(repr), small_ints.map(lambda n: " %d.0 " % n),
    st.sampled_from(["unlimited", "UNLIMITED", " Unlimited ", "-1", "nan", "inf", "-inf", "Infinity", "1e400",
                     "", " ", "1,000", "0x10", "1e3", "156.5", "1" + "0" * 400, "-0.5", "9007199254740993"]))
# The rule: -1 (unlimited) or a finite number of at least 0 (plan may still refuse one above a
# limit or below the allocation).
good_values = st.one_of(st.sampled_from([-1, -1.0, "-1", "unlimited", "156.5"]),
                        st.integers(min_value=0, max_value=3000), st.floats(min_value=0, max_value=5000),
                        st.integers(min_value=0, max_value=3000).map(str))
any_values = st.one_of(ints, floats, numeric_strings, st.text(max_size=8), st.booleans(), st.none(),
                       st.lists(small_ints, max_size=2), st.dictionaries(st.text(max_size=3), small_ints, max_size=1))
server_numbers = st.one_of(small_ints, st.just(-1), st.floats(min_value=0, max_value=5000, allow_nan=False))


@st.composite
def regions(draw):
    """One region of the quota API: quotas of ITEMS (some items absent), usage and limits."""
    items = draw(st.lists(st.sampled_from(ITEMS), min_size=1, unique=True))
    quotas = dict((item, draw(server_numbers)) for item in items)
    usage = dict((item, draw(st.integers(min_value=0, max_value=3000))) for item in items if draw(st.booleans()))
    limits = dict((item, draw(server_numbers)) for item in items if draw(st.booleans()))
    return {"quotas": quotas, "usage": usage, "limits": limits}


@st.composite
def requests_for(draw, region):
    """A task's quotas: mostly the region's items (or their aliases) with plausible values, some junk."""
    known = sorted(region["quotas"]) + sorted(alias for alias, item in ALIASES.items() if item in region["quotas"])
    requested = {}
    for dummy in range(draw(st.integers(min_value=1, max_value=4))):
        kind = draw(st.integers(min_value=0, max_value=29))
        if kind == 0:
            name = draw(st.text(max_size=12))
        elif kind == 1:
            name = draw(st.sampled_from(ITEMS + sorted(ALIASES)))
        else:
            name = draw(st.sampled_from(known))
        kind = draw(st.integers(min_value=0, max_value=9))
        current = region["quotas"].get(ALIASES.get(name) if ALIASES.get(name) in region["quotas"] else name)
        if kind <= 5:
            value = draw(good_values)
        elif kind <= 8 and current is not None:
            value = draw(st.sampled_from([current, float(current), str(current), " %s " % current]))
        else:
            value = draw(any_values)
        requested[name] = value
    return requested


def check_change_set(changes, name, region, requested):
    body = changes.patch_body()
    assert list(body) == ["domain"]
    body = dict(body["domain"])
    assert body.pop("region") == name
    assert set(body) == set(changes.changes)
    assert set(body) <= set(region["quotas"])
    assert set(changes.diff()["after"]) >= set(body)
    assert changes.changed == bool(body)
    for item, value in body.items():
        assert isinstance(value, (int, float)) and not isinstance(value, bool)
        assert math.isfinite(value) and (value >= 0 or value == -1)
        assert value == changes.changes[item]["after"]
        assert not same(region["quotas"].get(item), value)
    assert len(changes.diff()["after"]) <= len(requested)
    return body


def share(outcomes, name):
    """The share of the examples run whose outcome was ``name``."""
    total = sum(count for key, count in outcomes.items() if key in ("planned", "refused", "skipped"))
    assert total >= SETTINGS.max_examples // 2, outcomes
    return outcomes[name] / float(total)


def count(outcomes, changes=None):
    """Count one example: planned (``changes``, changed or not) or refused (None)."""
    outcome = "refused" if changes is None else "planned"
    outcomes[outcome] += 1
    outcomes["changed"] += bool(changes is not None and changes.changed)
    event(outcome + (", changed" if changes is not None and changes.changed else ""))


def test_plan_gives_a_change_set_or_an_eos_error():
    """Any input: a correct change set or an EosError, nothing else; a fair share plans."""
    outcomes = Counter()

    @SETTINGS
    @given(region=regions(), data=st.data(), force=st.booleans())
    def planned_or_refused(region, data, force):
        # Half plausible requests, half anything at all.
        source = data.draw(st.sampled_from(["plausible", "plausible", "junk mapping", "junk"]))
        requested = data.draw({"plausible": requests_for(region),
                               "junk mapping": st.dictionaries(st.text(max_size=12), any_values, max_size=3),
                               "junk": any_values}[source], label="requested")
        try:
            changes = plan("RegionOne", region, requested, force)
        except EosError as exc:
            assert str(exc)
            count(outcomes)
            return
        check_change_set(changes, "RegionOne", region, requested)
        count(outcomes, changes)

    planned_or_refused()
    assert share(outcomes, "planned") >= 0.1, outcomes
    assert share(outcomes, "changed") >= 0.05, outcomes
    assert share(outcomes, "refused") >= 0.3, outcomes


def test_applying_the_change_set_and_planning_again_changes_nothing():
    """Idempotence: most plausible requests plan, and most of those change something."""
    outcomes = Counter()

    @SETTINGS
    @given(region=regions(), data=st.data(), force=st.booleans())
    def apply_and_plan_again(region, data, force):
        requested = data.draw(requests_for(region), label="requested")
        try:
            changes = plan("RegionOne", region, requested, force)
        except EosError:
            count(outcomes)
            return
        body = check_change_set(changes, "RegionOne", region, requested)
        applied = dict(region, quotas=dict(region["quotas"], **body))
        assert applied["quotas"] == changes.predicted_quotas()
        again = plan("RegionOne", applied, requested, force=False)
        assert again.changed is False
        assert again.changes == {}
        assert again.patch_body() == {"domain": {"region": "RegionOne"}}
        assert changes.not_taken(applied["quotas"]) == {}
        count(outcomes, changes)

    apply_and_plan_again()
    assert share(outcomes, "planned") >= 0.2, outcomes
    assert share(outcomes, "changed") >= 0.1, outcomes


def test_valid_requests_within_the_rules_always_plan():
    """Numbers between allocation and limit for available items never fail."""
    outcomes = Counter()

    @SETTINGS
    @given(region=regions(), data=st.data())
    def valid_requests(region, data):
        requested = {}
        for item in data.draw(st.lists(st.sampled_from(sorted(region["quotas"])), min_size=1, unique=True)):
            if ALIASES.get(item) in region["quotas"]:
                continue  # "networks" next to "network" is an alias of it
            low = region["usage"].get(item, 0)
            limit = region["limits"].get(item)
            high = 10 ** 6 if limit is None or limit == -1 else math.floor(limit)
            if high < low:
                continue
            requested[item] = data.draw(st.one_of(st.integers(min_value=low, max_value=high),
                                                  st.integers(min_value=low, max_value=high).map(str),
                                                  st.just("unlimited") if limit in (None, -1)
                                                  else st.integers(min_value=low, max_value=high)))
        if not requested:
            outcomes["skipped"] += 1
            event("nothing valid to ask")
            return
        changes = plan("RegionOne", region, requested)
        check_change_set(changes, "RegionOne", region, requested)
        count(outcomes, changes)

    valid_requests()
    assert share(outcomes, "planned") >= 0.6, outcomes
    assert share(outcomes, "changed") >= 0.4, outcomes
