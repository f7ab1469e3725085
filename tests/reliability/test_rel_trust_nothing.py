"""Trust nothing the server answers: the wrong object, broken listings, lockouts, hostile names.

Each test runs a module in a real ``ansible-playbook`` against ``hostile_server.HostileServer``
switched into one misbehaviour that a broken proxy, a buggy release or an attacker could show,
and checks what the issue (17) asks: nothing written to an object nobody asked for, a listing
used only when it is whole and once, one re-login per task, server text inert and bounded in
every output, an MFA receipt not taken for a wrong password, option values bounded, and every
problem of a list named in one run.
"""
import json
import re
import uuid

import pytest

from relkit import assert_no_secret, task

QUOTA, USAGE, PASSWORD = "eos_domain_quota", "eos_domain_usage_info", "eos_user_password"
# What may not reach a terminal raw: ESC (colours, cursor moves, titles), BEL, CR, other C0/C1.
RAW_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def play(ansible, module, args, **kwargs):
    """``args`` to ``module`` as the one task of a playbook (JSON is YAML), run by
    ansible-playbook."""
    text = json.dumps([{"hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "the task", "easystack.eos." + module: args}]}])
    return ansible.playbook(text, **kwargs)


def printed(ansible, module, args, **kwargs):
    """The same, through Ansible's default output (what an operator's terminal shows)."""
    return play(ansible, module, args, env={"ANSIBLE_STDOUT_CALLBACK": "default"}, **kwargs)


# -- 1. never the wrong object ------------------------------------------------------------------

def test_a_user_lookup_that_ignores_the_domain_never_resets_another_domains_user(
        ansible, server, admin_password):
    """``GET /v3/users?name=admin&domain_id=<acme>`` answered with the Default domain's admin:
    resetting it would change the cloud admin's password."""
    server.set_mode("users_ignore_domain")
    new_password = "New-" + uuid.uuid4().hex
    run = play(ansible, PASSWORD, task(server, admin_password, user="admin", domain="acme",
                                       password=new_password, update_password="always"))
    message = run.assert_clean_failure()["msg"]
    assert "answered another user than the one asked for" in message, message
    assert "domain_id default" in message and server.domain["id"] in message, message
    assert server.requests(method="PATCH") == []
    assert_no_secret(run, server, admin=admin_password, new=new_password)


@pytest.mark.parametrize("module", [QUOTA, PASSWORD])
def test_a_get_by_id_that_answers_another_object_is_never_written_to(ansible, server,
                                                                     admin_password, module):
    """A GET by ID answered with another domain (or user): the quota PATCH went to that
    domain, the password PATCH to that user."""
    victim = server.add_domain("victim")
    server.set_mode("other_by_id", other=victim)
    if module == QUOTA:
        args = task(server, admin_password, domain=server.domain["id"], quotas={"cores": 80})
    else:
        args = task(server, admin_password, user=server.user["id"], domain="acme",
                    password="New-" + uuid.uuid4().hex, update_password="always")
    message = play(ansible, module, args).assert_clean_failure()["msg"]
    asked = server.domain["id"] if module == QUOTA else server.user["id"]
    assert "answered another %s than the one asked for: asked id '%s'" % (
        "domain" if module == QUOTA else "user", asked) in message, message
    assert server.requests(method="PATCH") == []


# -- 2. listings --------------------------------------------------------------------------------

def departments(server, count):
    return [server.domain] + [server.add_domain("dept-%02d" % number) for number in range(count)]


@pytest.mark.parametrize("how, words", [
    ("ignore_marker", "a page that brings no domain not listed before"),
    ("cycle", "a page that brings no domain not listed before"),
    ("oversized", "5006 domains in one page to limit=1000"),
    ("name_type", "domains[1].name is int 7, not a non-empty string"),
])
def test_a_broken_listing_is_a_clean_failure_and_never_used(
        ansible, server, admin_password, how, words):
    """A listing that ignores ``marker`` (every department twice before), cycles A-B-A (followed
    a thousand times before), answers 5,000 domains to ``limit=1000`` (used wholesale before),
    or names a domain with a number (a TypeError before)."""
    departments(server, 5)
    server.set_mode("listing", how=how, name=7)
    run = play(ansible, USAGE, task(server, admin_password, all_domains=True))
    message = run.assert_clean_failure()["msg"]
    assert words in message and "GET %s/v3/domains" % server.url in message, message
    assert len(server.requests(route="domains")) <= 4, len(server.requests(route="domains"))


def test_a_broken_listing_resolves_no_name_and_writes_nothing(ansible, server, admin_password):
    """The list form resolves names from the listing: a page of 5,000 domains to limit=1000
    must not settle any name."""
    departments(server, 3)
    server.set_mode("listing", how="oversized")
    entries = [{"domain": name, "quotas": {"cores": 80}} for name in ("acme", "dept-00")]
    message = play(ansible, QUOTA, task(server, admin_password, domains=entries)
                   ).assert_clean_failure()["msg"]
    assert "5004 domains in one page to limit=1000" in message, message
    assert server.requests(method="PATCH") == []


def test_overlapping_pages_list_every_department_once(ansible, server, admin_password):
    """Each page starting with the last of the one before: every department is read once and
    reported once (not twice, not a false 'ambiguous')."""
    made = departments(server, 5)
    server.set_mode("listing", how="overlap")
    run = play(ansible, USAGE, task(server, admin_password, all_domains=True))
    assert run.rc == 0, run.stdout + run.stderr
    ids = [entry["domain"]["id"] for entry in run.last["domains"]]
    assert sorted(ids) == sorted(domain["id"] for domain in made)
    reads = [request["key"] for request in server.requests(method="GET", route="domain_quotas")]
    assert sorted(reads) == sorted(ids)
    entries = [{"domain": domain["name"], "quotas": {"cores": 72}} for domain in made]
    run = play(ansible, QUOTA, task(server, admin_password, domains=entries))
    assert run.rc == 0, run.stdout + run.stderr


# -- 3. one re-login per task -------------------------------------------------------------------

def test_a_token_revoked_mid_run_costs_one_relogin_not_one_per_department(
        ansible, server, admin_password):
    """After the first write every token and every login is refused: ten departments made ten
    failed admin logins before (a lockout under [security_compliance]); now one, and the
    departments not yet written are reported as not attempted."""
    made = departments(server, 9)
    server.set_mode("revoke_after_patch")
    entries = [{"domain": domain["name"], "quotas": {"cores": 99}} for domain in made]
    run = play(ansible, QUOTA, task(server, admin_password, domains=entries, parallel=4))
    result = run.assert_clean_failure()
    logins = server.requests(method="POST", route="tokens")
    assert len(logins) == 2, "%d logins: the first and at most one more" % len(logins)
    patches = server.requests(method="PATCH")
    assert len(patches) <= 5, len(patches)  # the first, and at most one per worker in flight
    # One written, one failed with the refused login; the rest, sent or not, changed nothing.
    not_attempted = [entry for entry in result["domains"] if entry.get("not_attempted")]
    assert len(not_attempted) == 8, result["summary"]
    assert "were not attempted, because the task stopped" in result["msg"], result["msg"]
    assert sum(1 for entry in result["domains"] if entry["changed"]) == 1


# -- 4. server text in every output -------------------------------------------------------------

HOSTILE_REGION = "Region\x1b[2J\x1b]0;pwned\x07One"
HOSTILE_ITEM = "gpu\x1b[31m\r\nok: [localhost]"


def texts_of(result):
    """What a result says in words: its message, warnings, summary lines and diff headers."""
    diffs = result.get("diff") or []
    return ([result.get("msg") or ""] + list(result.get("warnings") or [])
            + list(result.get("summary") or [])
            + [diff.get(side) or "" for diff in (diffs if isinstance(diffs, list) else [diffs])
               for side in ("before_header", "after_header")])


def test_hostile_region_and_item_names_reach_no_output_raw(ansible, server, admin_password):
    """ESC sequences, BEL, CR and LF in region and item names: the list form's diff header and
    summary, and the forced-shrink warning, showed them raw before."""
    server.set_mode("names", region=HOSTILE_REGION, item=HOSTILE_ITEM)
    args = task(server, admin_password, domains=[
        {"domain": "acme", "quotas": {HOSTILE_ITEM: 10, "cores": 80}, "force": True}])
    planned = play(ansible, QUOTA, args, check=True, diff=True)
    assert planned.rc == 0, planned.stdout + planned.stderr
    texts = texts_of(planned.last)
    assert len(texts) >= 4, texts  # a warning, a summary line, two headers
    assert not [text for text in texts if RAW_CONTROLS.search(text)], texts
    run = printed(ansible, QUOTA, args, diff=True)
    assert run.rc == 0, run.stdout + run.stderr
    output = run.stdout + run.stderr
    assert not RAW_CONTROLS.findall(output), sorted(set(RAW_CONTROLS.findall(output)))
    assert "Region\\x1b[2J\\x1b]0;pwned\\x07One" in output, output  # shown, escaped
    assert "below what is already allocated" in output  # the warning was printed
    assert server.quotas[HOSTILE_ITEM] == 10


def test_a_hostile_name_in_an_unknown_item_error_is_escaped(ansible, server, admin_password):
    server.set_mode("names", region=HOSTILE_REGION, item=HOSTILE_ITEM)
    run = play(ansible, QUOTA, task(server, admin_password, domain="acme", quotas={"gpus": 1}))
    message = run.assert_clean_failure()["msg"]
    assert "unknown quota item 'gpus'" in message, message
    assert "gpu\\x1b[31m ok: [localhost]" in message, message  # listed, escaped
    assert not RAW_CONTROLS.findall(message), message
    assert server.requests(method="PATCH") == []


def test_a_huge_item_name_makes_a_short_message(ansible, server, admin_password):
    """A 500,000-character item name made a 488 KB error message."""
    server.set_mode("names", region="RegionOne", item="x" * 500000)
    run = play(ansible, QUOTA, task(server, admin_password, domain="acme", quotas={"corse": 1}))
    message = run.assert_clean_failure()["msg"]
    assert len(message) < 2000, len(message)
    assert "500000 characters long" in message, message
    assert len(run.stdout + run.stderr) < 20000, len(run.stdout + run.stderr)


# -- 6. MFA -------------------------------------------------------------------------------------

def test_an_mfa_receipt_is_a_right_password_not_a_reason_to_rewrite(ansible, server,
                                                                    admin_password):
    """401 with Openstack-Auth-Receipt: the password was right, a second factor is due. Taken
    for a wrong password before, it was rewritten on every run."""
    server.set_mode("mfa")
    run = play(ansible, PASSWORD, task(server, admin_password, user="bob", domain="acme",
                                       password=server.password), diff=True, verbosity=4)
    assert run.rc == 0, run.stdout + run.stderr
    result = run.last
    assert result["changed"] is False and result["password_state"] == "unchanged", result
    assert "MFA" in result["password_check"], result
    assert any("MFA" in warning for warning in result.get("warnings", [])), result
    assert server.requests(method="PATCH") == []
    assert server.receipts
    assert_no_secret(run, server, admin=admin_password, password=server.password,
                     **{"receipt %d" % n: value for n, value in enumerate(server.receipts)})


# -- 7. option bounds ---------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["inf", "1e300", "nan", "0", "-5", "3601"])
def test_an_api_timeout_out_of_bounds_is_an_option_error_before_anything_is_sent(
        ansible, server, admin_password, value):
    run = play(ansible, USAGE, task(server, admin_password, api_timeout=value))
    message = run.assert_clean_failure()["msg"]
    assert message.startswith("api_timeout must be a number of seconds above 0 and at most "
                              "3600"), message
    assert server.seen == []


# -- 8. every problem in one run ----------------------------------------------------------------

def test_the_list_form_names_every_class_of_problem_in_one_run(ansible, server, admin_password):
    """A value that is no quota (offline), a department that does not exist (lookup) and an
    item the server lacks (items): three runs to see three problems before; now one."""
    server.add_domain("globex")
    entries = [{"domain": "acme", "quotas": {"cores": "lots"}},
               {"domain": "no-such-department", "quotas": {"cores": 10}},
               {"domain": "globex", "quotas": {"corse": 10}},
               {"domain": "acme", "region": "RegionOne", "quotas": {"ram": 40000}}]
    message = play(ansible, QUOTA, task(server, admin_password, domains=entries)
                   ).assert_clean_failure()["msg"]
    assert message.startswith("3 of 4 entries of domains have problems, so nothing was "
                              "written"), message
    for words in ("domains[1] acme: Quota 'cores': 'lots' is not a number",
                  "domains[2] no-such-department: not found",
                  "domains[3] globex: unknown quota item 'corse' (did you mean 'cores'?)"):
        assert words in message, (words, message)
    assert server.requests(method="PATCH") == []
