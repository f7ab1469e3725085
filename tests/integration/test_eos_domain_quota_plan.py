"""eos_domain_quota's plan, approve, apply against the real Keystone + simulator: a check run's
plan, an apply run that writes exactly that, and one that refuses because someone changed the
quotas in between (through the API, as a person outside Ansible would)."""

from bedkit import server_quotas, writes

MODULE = "eos_domain_quota"
ENTRIES = [{"domain": "acme", "quotas": {"cores": 90}},
           {"domain": "globex", "quotas": {"instances": 25}}]


def check(ansible):
    run = ansible.module(MODULE, {"domains": ENTRIES}, env=ansible.os_env(), check=True)
    assert run.rc == 0, run.stdout + run.stderr
    return run.last


def test_the_approved_plan_is_written(ansible, bed):
    planned = check(ansible)
    assert planned["plan"].startswith("sha256:") and planned["changed"] is True
    assert sorted((d["domain"], d["item"], d["desired"]) for d in planned["drift"]) == [
        ("acme", "cores", 90), ("globex", "instances", 25)]
    mark = bed.log_mark()
    applied = ansible.module(MODULE, {"domains": ENTRIES, "expect_plan": planned["plan"]},
                             env=ansible.os_env())
    assert applied.rc == 0, applied.stdout + applied.stderr
    assert applied.last["plan"] == planned["plan"]
    assert len(writes(bed.requests_since(mark))) == 2
    assert server_quotas(bed, "acme")["cores"] == 90
    assert server_quotas(bed, "globex")["instances"] == 25


def test_a_quota_changed_after_the_plan_stops_the_apply_before_any_write(ansible, bed):
    planned = check(ansible)
    # between the approval and the apply job, someone changes globex's quotas by hand
    domain_id = bed.domains["globex"]
    answer = bed.api("PATCH", "/v3/domain_quotas/" + domain_id,
                     json={"domain": {"region": bed.region, "instances": 30}})
    assert answer.status_code == 200, answer.text
    mark = bed.log_mark()
    run = ansible.module(MODULE, {"domains": ENTRIES, "expect_plan": planned["plan"]},
                         env=ansible.os_env())
    result = run.assert_clean_failure()
    assert "changed since the plan" in result["msg"], result["msg"]
    assert "globex RegionOne instances 30 -> 25" in result["msg"]
    assert writes(bed.requests_since(mark)) == []
    assert server_quotas(bed, "acme")["cores"] != 90 and server_quotas(bed, "globex")["instances"] == 30
