"""eos_domain_quota against the real Keystone + simulator: idempotence, check mode, diff, errors."""
import json

from bedkit import server_quotas, writes
from playbook_runner import localhost_play, write_clouds_yaml

MODULE = "eos_domain_quota"


def test_first_run_changes_second_run_writes_nothing(ansible, bed):
    args = {"domain": "acme", "quotas": {"cores": 100, "networks": "1200", "ram": 31146,
                                         "backup_gigabytes": 200.5}}
    mark = bed.log_mark()
    first = ansible.module(MODULE, args, env=ansible.os_env())
    assert first.rc == 0, first.stdout + first.stderr
    result = first.last
    assert result["changed"] is True
    # ram 31146 equals the server's 31146.0: compared numerically, so not a change.
    assert result["changes"] == {"cores": {"before": 72, "after": 100},
                                 "network": {"before": 1000, "after": 1200},
                                 "backup_gigabytes": {"before": 156.5, "after": 200.5}}
    assert result["region"] == "RegionOne" and result["domain"]["name"] == "acme"
    assert result["quotas"]["cores"] == 100 and result["usage"]["cores"] == 20
    assert result["limits"]["cores"] == 1000
    requests = bed.requests_since(mark)
    assert [(r["method"], r["path"].split("?")[0]) for r in requests] == [
        ("POST", "/v3/auth/tokens"), ("GET", "/v3/domains"),
        ("GET", "/v3/domain_quotas/" + bed.domains["acme"]),
        ("PATCH", "/v3/domain_quotas/" + bed.domains["acme"])]
    assert server_quotas(bed)["network"] == 1200

    mark = bed.log_mark()
    second = ansible.module(MODULE, args, env=ansible.os_env())
    assert second.rc == 0 and second.last["changed"] is False and second.last["changes"] == {}
    requests = bed.requests_since(mark)
    assert writes(requests) == [] and len(requests) == 3


def test_check_mode_writes_nothing_and_predicts(ansible, bed):
    mark = bed.log_mark()
    run = ansible.module(MODULE, {"domain": "acme", "quotas": {"cores": 150}},
                         env=ansible.os_env(), check=True)
    assert run.rc == 0, run.stdout
    assert run.last["changed"] is True and run.last["quotas"]["cores"] == 150
    assert writes(bed.requests_since(mark)) == []
    assert server_quotas(bed)["cores"] == 72


def test_diff_shows_managed_items_after_alias_resolution(ansible):
    run = ansible.module(MODULE, {"domain": "acme", "quotas": {"subnets": 3000, "cores": 80}},
                         env=ansible.os_env(), diff=True, check=True)
    assert run.rc == 0, run.stdout
    assert run.last["diff"] == {"before": {"cores": 72, "subnet": 3000},
                                "after": {"cores": 80, "subnet": 3000}}


def test_region_two_and_unlimited(ansible, bed):
    run = ansible.module(MODULE, {"domain": "acme", "region": "RegionTwo",
                                  "quotas": {"router": "unlimited", "cores": 24}},
                         env=ansible.os_env())
    assert run.rc == 0, run.stdout
    assert run.last["changes"]["router"]["after"] == -1
    assert server_quotas(bed, region="RegionTwo")["cores"] == 24
    assert server_quotas(bed)["cores"] == 72


def test_unknown_item_names_closest_match_before_writing(ansible, bed):
    mark = bed.log_mark()
    run = ansible.module(MODULE, {"domain": "acme", "quotas": {"coers": 10, "cores": 90}},
                         env=ansible.os_env())
    result = run.assert_clean_failure()
    assert "unknown quota item 'coers' (did you mean 'cores'?)" in result["msg"]
    assert "volumes_ssd" in result["msg"]  # the valid items come from the server
    assert writes(bed.requests_since(mark)) == []


def test_container_items_only_where_installed(ansible):
    run = ansible.module(MODULE, {"domain": "acme", "region": "RegionTwo", "quotas": {"pods": 5}},
                         env=ansible.os_env())
    assert "unknown quota item 'pods'" in run.assert_clean_failure()["msg"]


def test_above_limit_and_below_allocation(ansible, bed):
    run = ansible.module(MODULE, {"domain": "acme", "quotas": {"cores": 1001, "ram": 1024}},
                         env=ansible.os_env())
    message = run.assert_clean_failure()["msg"]
    assert "'cores': 1001 is above its limit 1000" in message
    assert "'ram': 1024 is below what is already allocated (10240)" in message
    assert server_quotas(bed)["ram"] == 31146.0
    forced = ansible.module(MODULE, {"domain": "acme", "quotas": {"ram": 1024}, "force": True},
                            env=ansible.os_env())
    assert forced.rc == 0 and forced.last["changes"]["ram"]["after"] == 1024
    assert server_quotas(bed)["ram"] == 1024


def test_bad_values_fail_cleanly(ansible):
    for value, words in ((True, "is a boolean"), ("lots", "is not a number"), (-5, "is negative"),
                         (-0.5, "is negative"), ("nan", "is not a number"),
                         ("1e-400", "too small to be told from 0"), ("1_000", "is not a number")):
        run = ansible.module(MODULE, {"domain": "acme", "quotas": {"cores": value}},
                             env=ansible.os_env())
        assert words in run.assert_clean_failure()["msg"], value


def test_server_that_does_not_apply_the_patch(ansible, bed):
    bed.fault("^/v3/domain_quotas/", method="PATCH", ignore_write=True)
    run = ansible.module(MODULE, {"domain": "acme", "quotas": {"cores": 99, "router": 301}},
                         env=ansible.os_env())
    message = run.assert_clean_failure()["msg"]
    assert "answered other values for: cores (asked 99, got 72), router (asked 301, got 300)" \
        in message
    assert run.last["changed"] is True  # the PATCH was accepted: never hide a write


def test_regions_errors(ansible):
    env = ansible.os_env()
    del env["OS_REGION_NAME"]
    run = ansible.module(MODULE, {"domain": "acme", "quotas": {"cores": 80}}, env=env)
    assert "several regions (RegionOne, RegionTwo)" in run.assert_clean_failure()["msg"]
    run = ansible.module(MODULE, {"domain": "acme", "region": "Mars", "quotas": {"cores": 80}},
                         env=ansible.os_env())
    assert "Region 'Mars' is not reported" in run.assert_clean_failure()["msg"]


def test_unknown_domain_and_member_403(ansible, bed):
    run = ansible.module(MODULE, {"domain": "nope", "quotas": {"cores": 1}}, env=ansible.os_env())
    assert "Domain 'nope' not found" in run.assert_clean_failure()["msg"]
    run = ansible.module(MODULE, {"domain": bed.domains["acme"], "quotas": {"cores": 1}},
                         env=ansible.os_env("alice"))
    result = run.assert_clean_failure()
    assert result["status"] == 403 and result["request_id"].startswith("req-")


def test_server_400_is_reported_with_its_message(ansible, bed):
    bed.fault("^/v3/domain_quotas/", method="PATCH", status=400, message="quota item rejected")
    run = ansible.module(MODULE, {"domain": "acme", "quotas": {"cores": 90}}, env=ansible.os_env())
    result = run.assert_clean_failure()
    assert result["status"] == 400 and "quota item rejected" in result["msg"]
    assert result["request_id"].startswith("req-")


def test_many_in_one_task_with_module_defaults_and_clouds_yaml_only(ansible, bed, tmp_path):
    admin = bed.users["admin"]
    path = write_clouds_yaml(tmp_path / "clouds.yaml", {"devstack": {
        "auth": {"auth_url": bed.auth_url, "username": "admin", "password": admin["password"],
                 "project_name": "admin", "domain_name": "Default"},
        "region_name": "RegionOne"}})
    playbook = localhost_play([
        {"name": "set quotas", "register": "applied",
         "easystack.eos.eos_domain_quota": {"domains": "{{ departments }}", "parallel": 8}},
        {"name": "summary", "ansible.builtin.debug": {
            "msg": "{{ applied.domains | map(attribute='changed') | list }}"}},
    ], group_defaults={"api_timeout": 20})
    departments = [{"domain": "acme", "quotas": {"cores": 90}},
                   {"domain": "globex", "quotas": {"instances": 20, "ram": "70000"}}]
    env = {"OS_CLIENT_CONFIG_FILE": str(path)}
    first = ansible.playbook(playbook, env=env, extra_vars={"departments": departments})
    assert first.rc == 0, first.stdout + first.stderr
    assert first.task("summary")["msg"] == [True, True]
    second = ansible.playbook(playbook, env=env, extra_vars={"departments": departments})
    assert second.task("summary")["msg"] == [False, False]
    assert server_quotas(bed, "globex")["ram"] == 70000
    assert json.dumps(second.results).count(admin["password"]) == 0


def test_unlimited_above_a_finite_limit_is_refused(ansible):
    run = ansible.module(MODULE, {"domain": "acme", "quotas": {"floatingip": "unlimited"}},
                         env=ansible.os_env())
    assert "'floatingip': unlimited (-1) is above its limit 65535" in \
        run.assert_clean_failure()["msg"]
