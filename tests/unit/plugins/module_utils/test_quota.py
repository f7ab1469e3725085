# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""quota: value parsing, item names and aliases, the change set, the region choice."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from decimal import Decimal

import pytest

from ansible_collections.easystack.eos.plugins.module_utils.eos_api import regions_of
from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
from ansible_collections.easystack.eos.plugins.module_utils.quota import (
    ALIASES, UNLIMITED, ChangeSet, check_entries, choose_region, format_value, listed_problems,
    parse_value, plan, resolve_items, same, summary_line)

AVAILABLE = {"cores": 72, "ram": 204800, "instances": 10, "network": 5, "subnet": 5,
             "security_group_rule": 100, "floatingip": -1, "backup_gigabytes": 156.5, "volumes_ssd": 20}
REGION = {
    "quotas": dict(AVAILABLE),
    "usage": {"cores": 20, "ram": 10240, "instances": 4, "network": 2, "floatingip": 3, "volumes_ssd": 8},
    "limits": {"cores": 1000, "ram": -1, "instances": 50, "network": 100, "subnet": 100, "floatingip": -1,
               "backup_gigabytes": 1000, "volumes_ssd": 500},
}


def region(**sections):
    """A copy of REGION with some sections' items overridden."""
    copy = dict((name, dict(values)) for name, values in REGION.items())
    for name, values in sections.items():
        copy[name].update(values)
    return copy


# -- parse_value ---------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    (0, 0), (100, 100), (-1, -1), (2 ** 40, 2 ** 40), (156.5, 156.5), (0.25, 0.25), (100.0, 100.0), (-1.0, -1.0),
    ("100", 100), ("100.0", 100), (" 42 ", 42), ("156.5", 156.5), ("0", 0), ("-1", -1), (" -1 ", -1),
    ("unlimited", -1), ("Unlimited", -1), ("UNLIMITED", -1), (" unlimited ", -1), ("uNlImItEd", -1),
])
def test_parse_value_accepts(value, expected):
    number = parse_value("cores", value)
    assert number == expected
    assert not isinstance(number, bool)


# The rule for a quota: -1 (unlimited) or a finite number of at least 0. Every other negative
# number is refused, fractions between -1 and 0 such as -0.5 included. Decided on the value as
# written (Decimal), so a text that float() would round to -1 or 0 must not slip through.
RULE_VALUES = [quarter / 4.0 for quarter in range(-12, 13)]  # -3.0, -2.75, ..., 3.0


@pytest.mark.parametrize("value", RULE_VALUES + [str(number) for number in RULE_VALUES] + [
    -1, 0, -0.0, "-0", "-0.0", " -1 ", "-1e0", "-.5", -0.0001, -0.9999, -1.0001, "-1.0001",
    -1.0000000000000002, -5e-324, 5e-324, 1e-300, "1e-300", -(10 ** 30), 10 ** 15,
    "-0.99999999999999999", "-1.00000000000000001",  # float() rounds both to -1.0
])
def test_a_quota_is_minus_one_or_zero_and_above(value):
    written = Decimal(value)
    if written == -1 or written >= 0:
        assert parse_value("cores", value) == float(written)
    else:
        with pytest.raises(EosError) as info:
            parse_value("cores", value)
        assert str(info.value).startswith("Quota 'cores': ")


@pytest.mark.parametrize("text", ["100", "100.0", " 42 ", "-1", "unlimited", "7.000"])
def test_parse_value_numeric_strings_of_whole_numbers_are_ints(text):
    assert isinstance(parse_value("cores", text), int)


def test_parse_value_keeps_the_given_number_type():
    assert isinstance(parse_value("cores", 100), int)
    assert isinstance(parse_value("backup_gigabytes", 156.5), float)
    assert isinstance(parse_value("backup_gigabytes", "156.5"), float)


@pytest.mark.parametrize("value, words", [
    (True, "boolean"), (False, "boolean"),
    (None, "not a number"), ([], "not a number"), ([1], "not a number"), ({}, "not a number"),
    ({"a": 1}, "not a number"), (object(), "not a number"),
    ("", "not a number"), ("   ", "not a number"), ("abc", "not a number"), ("10 cores", "not a number"),
    ("yes", "not a number"), ("true", "not a number"), ("unlimited!", "not a number"), ("1,000", "not a number"),
    (float("nan"), "not a finite number"), (float("inf"), "not a finite number"),
    (float("-inf"), "not a finite number"),
    ("nan", "not a number"), ("NaN", "not a number"), ("inf", "not a number"),
    ("-inf", "not a number"), ("Infinity", "not a number"), ("1e400", "not a finite number"),
    (-2, "negative"), (-1.5, "negative"), (-1.0001, "negative"), ("-2", "negative"), ("-1.5", "negative"),
    (-(10 ** 30), "negative"), (-0.5, "negative"), ("-0.5", "negative"), (-0.0001, "negative"),
    ("1_000", "not a number"), ("\u0663", "not a number"), ("\uff15", "not a number"),
    ("1e-400", "too small to be told from 0"), ("-1e-400", "is negative"),
])
def test_parse_value_rejects_naming_the_item(value, words):
    with pytest.raises(EosError) as info:
        parse_value("volumes_ssd", value)
    message = str(info.value)
    assert message.startswith("Quota 'volumes_ssd': ")
    assert words in message


def test_parse_value_error_shows_the_value():
    with pytest.raises(EosError) as info:
        parse_value("ram", "lots")
    assert "'lots'" in str(info.value)
    with pytest.raises(EosError) as info:
        parse_value("ram", [1, 2])
    assert "[1, 2]" in str(info.value) and "list" in str(info.value)


@pytest.mark.parametrize("value, number", [
    ("0.5", 0.5), (0.5, 0.5), ("1e3", 1000), ("156.5", 156.5), ("-1.0", -1), (-1.0, -1), ("0", 0),
    ("0.0", 0), (".5", 0.5), ("2E2", 200),
])
def test_fractions_and_exponents_written_in_ascii_are_accepted(value, number):
    parsed = parse_value("backup_gigabytes", value)
    assert parsed == number and type(parsed) is type(number)


@pytest.mark.parametrize("value", [pytest.param(10 ** 400, id="int-1e400"), pytest.param("1" + "0" * 400, id="str-1e400")])
def test_plan_with_an_int_beyond_float_range_is_an_eos_error(value):
    with pytest.raises(EosError):
        plan("RegionOne", region(), {"cores": value})


# -- same ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("a, b", [(100, 100.0), (100.0, 100), (-1, -1.0), (0, 0.0), (156.5, 156.5), (0, -0.0)])
def test_same_numbers(a, b):
    assert same(a, b) is True


@pytest.mark.parametrize("a, b", [(100, 101), (156.5, 156), (-1, 0), (None, 0), (0, None), (None, None)])
def test_different_numbers(a, b):
    assert same(a, b) is False


def test_same_keeps_large_ints_apart():
    assert same(2 ** 53, 2 ** 53 + 1) is False


# -- resolve_items ---------------------------------------------------------------------------------

def test_resolve_parses_values():
    assert resolve_items({"cores": "100", "ram": "unlimited", "backup_gigabytes": 156.5}, AVAILABLE) == {
        "cores": 100, "ram": -1, "backup_gigabytes": 156.5}


@pytest.mark.parametrize("alias", sorted(ALIASES))
def test_plural_alias_resolves_to_the_available_singular(alias):
    assert resolve_items({alias: 7}, AVAILABLE) == {ALIASES[alias]: 7}


def test_aliases_are_the_documented_ones():
    assert ALIASES == {"networks": "network", "subnets": "subnet", "security_group_rules": "security_group_rule"}


def test_an_available_plural_stays_itself():
    available = {"networks": 1, "subnets": 1, "security_group_rules": 1}
    assert resolve_items({"networks": 3, "subnets": 4, "security_group_rules": 5}, available) == {
        "networks": 3, "subnets": 4, "security_group_rules": 5}


def test_a_name_the_server_reports_is_never_treated_as_an_alias():
    available = {"network": 1, "networks": 1}
    assert resolve_items({"network": 2}, available) == {"network": 2}
    assert resolve_items({"networks": 2}, available) == {"networks": 2}


def test_alias_to_an_unavailable_singular_is_unknown():
    with pytest.raises(EosError) as info:
        resolve_items({"networks": 3}, {"cores": 1})
    assert "unknown quota item 'networks'" in str(info.value)
    assert "Valid items here: cores" in str(info.value)


def test_unknown_item_lists_valid_items_and_the_closest():
    with pytest.raises(EosError) as info:
        resolve_items({"coers": 10}, AVAILABLE)
    message = str(info.value)
    assert "unknown quota item 'coers' (did you mean 'cores'?)" in message
    assert message.endswith("Valid items here: " + ", ".join(sorted(AVAILABLE)))


def test_unknown_item_without_a_close_match():
    with pytest.raises(EosError) as info:
        resolve_items({"zzzzzzzz": 10}, AVAILABLE)
    assert "unknown quota item 'zzzzzzzz'." in str(info.value)
    assert "did you mean" not in str(info.value)


def test_several_unknown_items_in_one_message():
    with pytest.raises(EosError) as info:
        resolve_items({"coers": 1, "cores": 2, "volumes_sdd": 3}, AVAILABLE)
    message = str(info.value)
    assert "'coers' (did you mean 'cores'?)" in message
    assert "'volumes_sdd' (did you mean 'volumes_ssd'?)" in message


@pytest.mark.parametrize("requested", [{}, None, [], ["cores"], "cores=1", 5, [("cores", 1)]])
def test_requested_must_be_a_non_empty_mapping(requested):
    with pytest.raises(EosError) as info:
        resolve_items(requested, AVAILABLE)
    assert "quotas must be a mapping of at least one quota item" in str(info.value)


def test_alias_and_canonical_with_equal_values():
    assert resolve_items({"networks": 10, "network": "10.0"}, AVAILABLE) == {"network": 10}
    assert resolve_items({"subnet": "unlimited", "subnets": -1}, AVAILABLE) == {"subnet": -1}


def test_alias_and_canonical_with_different_values():
    with pytest.raises(EosError) as info:
        resolve_items({"networks": 10, "network": 11}, AVAILABLE)
    message = str(info.value)
    assert "'network' is given twice with different values" in message
    assert "networks: 10" in message and "network: 11" in message


def test_bad_value_names_the_item_as_spelled():
    with pytest.raises(EosError) as info:
        resolve_items({"networks": "many"}, AVAILABLE)
    assert str(info.value).startswith("Quota 'networks': 'many' is not a number")


def test_non_string_keys_are_compared_as_text():
    assert resolve_items({1: 5}, {"1": 0}) == {"1": 5}


# -- plan ------------------------------------------------------------------------------------------

def test_only_differing_items_change():
    changes = plan("RegionOne", region(), {"cores": 100, "ram": "204800", "instances": 10.0, "floatingip": "unlimited"})
    assert changes.changed is True
    assert changes.changes == {"cores": {"before": 72, "after": 100}}
    assert changes.patch_body() == {"domain": {"cores": 100, "region": "RegionOne"}}


def test_patch_body_holds_the_changed_items_and_the_region():
    changes = plan("RegionTwo", region(), {"cores": 80, "networks": 6, "backup_gigabytes": "200.5", "ram": 204800})
    assert changes.patch_body() == {"domain": {"cores": 80, "network": 6, "backup_gigabytes": 200.5,
                                               "region": "RegionTwo"}}
    assert sorted(changes.changes) == ["backup_gigabytes", "cores", "network"]


def test_unchanged_request_is_no_change():
    changes = plan("RegionOne", region(), {"cores": "72", "backup_gigabytes": 156.5, "floatingip": -1})
    assert changes.changed is False and changes.changes == {}
    assert changes.patch_body() == {"domain": {"region": "RegionOne"}}
    assert changes.predicted_quotas() == AVAILABLE


def test_unchanged_request_never_fails_even_when_the_current_value_breaks_the_rules():
    # already above its limit, already below the allocation, already unlimited with a finite limit
    messy = region(quotas={"cores": 2000, "instances": 1, "network": -1},
                   limits={"cores": 1000, "network": 100}, usage={"instances": 4})
    changes = plan("RegionOne", messy, {"cores": 2000, "instances": "1", "networks": "unlimited"})
    assert changes.changed is False


def test_above_the_limit_fails():
    with pytest.raises(EosError) as info:
        plan("RegionOne", region(), {"cores": 1001})
    assert str(info.value) == "Nothing was changed in region RegionOne: 'cores': 1001 is above its limit 1000"


def test_at_the_limit_is_fine():
    assert plan("RegionOne", region(), {"cores": 1000, "backup_gigabytes": "1000.0"}).changed is True


def test_fractional_above_the_limit_fails():
    with pytest.raises(EosError) as info:
        plan("RegionOne", region(), {"backup_gigabytes": 1000.5})
    assert "'backup_gigabytes': 1000.5 is above its limit 1000" in str(info.value)


def test_unlimited_with_a_finite_limit_fails():
    with pytest.raises(EosError) as info:
        plan("RegionOne", region(), {"cores": "unlimited"})
    assert "'cores': unlimited (-1) is above its limit 1000" in str(info.value)


def test_unlimited_without_a_limit():
    # limit -1 (no limit) or no limit reported at all
    changes = plan("RegionOne", region(quotas={"ram": 10, "security_group_rule": 10}),
                   {"ram": -1, "security_group_rules": "unlimited"})
    assert changes.patch_body() == {"domain": {"ram": -1, "security_group_rule": -1, "region": "RegionOne"}}


def test_limit_given_as_float_minus_one_means_no_limit():
    assert plan("R", {"quotas": {"cores": 1}, "limits": {"cores": -1.0}}, {"cores": 10 ** 9}).changed is True


def test_below_the_allocation_fails_without_force():
    with pytest.raises(EosError) as info:
        plan("RegionOne", region(), {"cores": 19})
    assert str(info.value) == ("Nothing was changed in region RegionOne: 'cores': 19 is below what is already "
                               "allocated (20); set force: true to shrink it anyway")


def test_at_the_allocation_is_fine():
    assert plan("RegionOne", region(), {"cores": 20}).patch_body() == {"domain": {"cores": 20, "region": "RegionOne"}}


def test_below_the_allocation_with_force():
    changes = plan("RegionOne", region(), {"cores": 8, "instances": 0}, force=True)
    assert changes.patch_body() == {"domain": {"cores": 8, "instances": 0, "region": "RegionOne"}}


def test_force_does_not_lift_the_limit():
    with pytest.raises(EosError):
        plan("RegionOne", region(), {"cores": 5000}, force=True)


def test_unlimited_is_never_below_the_allocation():
    changes = plan("RegionOne", region(quotas={"instances": 10}, limits={"instances": -1}, usage={"instances": 9}),
                   {"instances": "unlimited"})
    assert changes.changes == {"instances": {"before": 10, "after": -1}}


def test_several_errors_in_one_message():
    with pytest.raises(EosError) as info:
        plan("RegionOne", region(), {"cores": 1001, "instances": 2, "floatingip": 1, "ram": 0})
    message = str(info.value)
    assert message.startswith("Nothing was changed in region RegionOne: ")
    assert "'cores': 1001 is above its limit 1000" in message
    assert "'instances': 2 is below what is already allocated (4)" in message
    assert "'floatingip': 1 is below what is already allocated (3)" in message
    assert "'ram': 0 is below what is already allocated (10240)" in message
    assert message.count("; ") >= 3


def test_unknown_items_fail_before_any_check():
    with pytest.raises(EosError) as info:
        plan("RegionOne", region(), {"cores": 1, "volumes_hdd": 10})
    assert "unknown quota item 'volumes_hdd'" in str(info.value)
    assert "Valid items here: " + ", ".join(sorted(AVAILABLE)) in str(info.value)


def test_region_without_quotas_has_no_items():
    with pytest.raises(EosError) as info:
        plan("RegionOne", {}, {"cores": 1})
    assert "unknown quota item 'cores'" in str(info.value)


def test_missing_usage_and_limits_do_not_block():
    changes = plan("RegionOne", {"quotas": {"cores": 10}, "usage": None, "limits": None}, {"cores": 1})
    assert changes.patch_body() == {"domain": {"cores": 1, "region": "RegionOne"}}


def test_predicted_quotas():
    changes = plan("RegionOne", region(), {"cores": 100, "subnets": 7})
    predicted = changes.predicted_quotas()
    assert predicted == dict(AVAILABLE, cores=100, subnet=7)
    assert REGION["quotas"] == AVAILABLE  # the server's answer is left alone


def test_not_taken():
    changes = plan("RegionOne", region(), {"cores": 100, "instances": 20, "ram": 204800})
    assert changes.not_taken({"cores": 100.0, "instances": 20}) == {}
    assert changes.not_taken({"cores": 72, "instances": 20}) == {"cores": 72}
    assert changes.not_taken({"cores": 100}) == {"instances": None}
    assert changes.not_taken({}) == {"cores": None, "instances": None}


def test_not_taken_ignores_items_that_were_not_changed():
    changes = plan("RegionOne", region(), {"cores": 100, "ram": 204800})
    assert changes.not_taken({"cores": 100, "ram": 1}) == {}


def test_diff_shows_managed_items_after_alias_resolution():
    changes = plan("RegionOne", region(), {"networks": 8, "cores": "72", "backup_gigabytes": "200"})
    assert changes.diff() == {
        "before": {"backup_gigabytes": 156.5, "cores": 72, "network": 5},
        "after": {"backup_gigabytes": 200, "cores": 72, "network": 8},
    }


def test_diff_of_an_unchanged_request():
    changes = plan("RegionOne", region(), {"cores": 72.0})
    assert changes.diff() == {"before": {"cores": 72}, "after": {"cores": 72.0}}


def test_change_set_directly():
    changes = ChangeSet("R", {"a": 1, "b": 2}, {"a": 1.0, "b": None})
    assert changes.changes == {"b": {"before": None, "after": 2}}
    assert changes.predicted_quotas() == {"a": 1.0, "b": 2}


def test_plan_leaves_its_inputs_alone():
    requested = {"networks": "9", "cores": 100}
    current = region()
    before = repr(current)
    plan("RegionOne", current, requested).predicted_quotas()
    assert repr(current) == before and requested == {"networks": "9", "cores": 100}


def test_unlimited_constant():
    assert UNLIMITED == -1


# -- choose_region ---------------------------------------------------------------------------------

REGIONS = {"RegionOne": {}, "RegionTwo": {}}


def test_asked_region():
    assert choose_region(REGIONS, "RegionTwo", "RegionOne") == "RegionTwo"


def test_default_region_from_region_name():
    assert choose_region(REGIONS, None, "RegionTwo") == "RegionTwo"
    assert choose_region(REGIONS, "", "RegionTwo") == "RegionTwo"


def test_the_only_region():
    assert choose_region({"RegionOne": {}}) == "RegionOne"


def test_several_regions_and_none_chosen():
    with pytest.raises(EosError) as info:
        choose_region(REGIONS)
    assert str(info.value) == ("The quota API reports several regions (RegionOne, RegionTwo): choose one with "
                               "region (or region_name)")


def test_where_names_the_source():
    with pytest.raises(EosError) as info:
        choose_region(REGIONS, where="the usage API")
    assert str(info.value).startswith("The usage API reports several regions")


def test_no_regions_at_all():
    with pytest.raises(EosError):
        choose_region({})
    with pytest.raises(EosError) as info:
        choose_region({}, "RegionOne")
    assert str(info.value) == "Region 'RegionOne' is not reported by the quota API; regions: none"


def test_no_regions_at_all_is_not_called_several():
    with pytest.raises(EosError) as info:
        choose_region({})
    assert "several regions" not in str(info.value)


@pytest.mark.parametrize("asked, default", [("RegionNine", None), (None, "RegionNine"), ("RegionNine", "RegionOne")])
def test_unknown_region_lists_them(asked, default):
    with pytest.raises(EosError) as info:
        choose_region(REGIONS, asked, default)
    assert str(info.value) == "Region 'RegionNine' is not reported by the quota API; regions: RegionOne, RegionTwo"


# -- what the server answers is checked where it enters ------------------------------------------

WHERE = "GET https://eos.example/v3/domain_quotas/d1"


@pytest.mark.parametrize("region, words", [
    ({"quotas": {"cores": "x"}}, "RegionOne quotas.cores is str 'x', not a number"),
    ({"quotas": {"cores": None}}, "RegionOne quotas.cores is null, not a number"),
    ({"quotas": {"cores": float("nan")}}, "RegionOne quotas.cores is float nan, not a finite number"),
    ({"usage": {"cores": float("nan")}}, "RegionOne usage.cores is float nan, not a finite number"),
    ({"limits": {"cores": True}}, "RegionOne limits.cores is bool True, not a number"),
    ({"quotas": []}, "RegionOne quotas is a JSON list, not an object"),
    ("not a region", "region RegionOne is str"),
])
def test_regions_of_refuses_values_it_cannot_compute_with(region, words):
    with pytest.raises(EosError) as info:
        regions_of({"domain": {"RegionOne": region}}, WHERE)
    assert str(info.value).startswith(WHERE + ": the answer's ")
    assert words in str(info.value)


def test_regions_of_keeps_the_known_columns_only():
    body = {"domain": {"RegionOne": {"quotas": {"cores": 1}, "usage": {}, "allocated": {},
                                     "limits": {"cores": -1}, "quota_fake": {"cores": "junk"}}}}
    assert regions_of(body, WHERE) == {"RegionOne": {"quotas": {"cores": 1}, "usage": {},
                                                     "allocated": {}, "limits": {"cores": -1}}}


def test_a_nan_usage_never_lets_a_shrink_past_the_guard():
    """NaN compares false with everything: checked at entry, it never reaches plan()."""
    with pytest.raises(EosError):
        regions_of({"domain": {"RegionOne": {"quotas": {"cores": 100},
                                             "usage": {"cores": float("nan")}}}}, WHERE)


# -- the list form's entries ---------------------------------------------------------------------

def test_entries_get_the_top_level_defaults_unless_they_set_their_own():
    checked = check_entries([{"domain": "acme", "quotas": {"cores": 1}},
                             {"domain": "acme", "region": "R2", "force": False,
                              "quotas": {"cores": 2}}], region="R1", force=True)
    assert checked == [{"domain": "acme", "region": "R1", "force": True, "quotas": {"cores": 1},
                        "label": "domains[1] acme (R1)", "problems": []},
                       {"domain": "acme", "region": "R2", "force": False, "quotas": {"cores": 2},
                        "label": "domains[2] acme (R2)", "problems": []}]


@pytest.mark.parametrize("entry, label, words", [
    ({"domain": "", "quotas": {"cores": 1}}, "domains[2] ''", "domain is empty"),
    ({"domain": "  ", "quotas": {"cores": 1}}, "domains[2] ''", "domain is empty"),
    ({"domain": "b", "region": " ", "quotas": {"cores": 1}}, "domains[2] b", "region is empty"),
    ({"domain": "b", "quotas": {}}, "domains[2] b", "quotas must map at least one quota item"),
    ({"domain": "b", "quotas": None}, "domains[2] b", "quotas must map at least one quota item"),
    ({"domain": "b", "quotas": {"cores": True}}, "domains[2] b", "Quota 'cores': True is a boolean"),
    ({"domain": "a", "quotas": {"ram": 1}}, "domains[2] a", "the same department and region as "
                                                            "domains[1]; give each once"),
])
def test_each_bad_entry_is_named_without_a_request(entry, label, words):
    good, bad = check_entries([{"domain": "a", "quotas": {"cores": 1}}, entry])
    assert good["problems"] == []
    assert bad["label"].startswith(label)
    assert [problem for problem in bad["problems"] if problem.startswith(words)], bad["problems"]


def test_every_problem_of_an_entry_is_named():
    entry = check_entries([{"domain": " ", "region": "", "quotas": {"cores": "x", "ram": -3}}])[0]
    assert len(entry["problems"]) == 4, entry["problems"]


def test_same_department_in_other_regions_is_fine_and_an_empty_list_is_not():
    assert len(check_entries([{"domain": "a", "quotas": {"cores": 1}},
                              {"domain": "a", "region": "R2", "quotas": {"cores": 1}}])) == 2
    with pytest.raises(EosError) as info:
        check_entries([])
    assert str(info.value).startswith("domains is empty")


def test_every_problem_is_listed_up_to_fifty_then_counted():
    message = listed_problems(["p%d" % i for i in range(53)], 60, "failed")
    assert message.startswith("53 of 60 entries of domains failed: p0; p1;")
    assert message.endswith("; p49; and 3 more")


@pytest.mark.parametrize("value, text", [
    (-1, "unlimited"), (-1.0, "unlimited"), (31146.0, "31146"), (2048.5, "2048.5"), (0, "0"),
    (100, "100"), (None, "none"), (2.0 ** 52, "4503599627370496"), (156.25, "156.25"),
])
def test_values_read_as_people_write_them(value, text):
    assert format_value(value) == text


ACME_RESULT = {"domain": {"id": "a" * 32, "name": "acme"}, "region": "RegionOne",
               "changes": {"ram": {"before": 31146.0, "after": 204800},
                           "cores": {"before": 72, "after": -1}}}


def test_summary_lines_say_what_changed_would_change_or_failed():
    assert summary_line(ACME_RESULT) == "acme RegionOne: cores 72 -> unlimited, ram 31146 -> 204800"
    assert summary_line(ACME_RESULT, check_mode=True) == \
        "acme RegionOne: would change cores 72 -> unlimited, ram 31146 -> 204800"
    assert summary_line(dict(ACME_RESULT, changes={})) == "acme RegionOne: unchanged"
    failed = dict(ACME_RESULT, failed=True, changed=False, msg="PATCH answered HTTP 500")
    assert summary_line(failed) == ("acme RegionOne: FAILED, nothing written (cores 72 -> "
                                    "unlimited, ram 31146 -> 204800): PATCH answered HTTP 500")
    assert "FAILED, may have been applied" in summary_line(dict(failed, changed=True))
    nameless = dict(ACME_RESULT, domain={"id": "b" * 32, "name": None}, changes={})
    assert summary_line(nameless) == "%s RegionOne: unchanged" % ("b" * 32)
