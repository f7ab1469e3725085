"""eos_domain_usage_info against the real Keystone + simulator."""
import subprocess
import sys

import pytest

from playbook_runner import localhost_play, write_clouds_yaml

MODULE = "eos_domain_usage_info"


def test_platform_view_ad_hoc_with_os_env(ansible, bed):
    mark = bed.log_mark()
    run = ansible.module(MODULE, env=ansible.os_env())
    assert run.rc == 0, run.stdout + run.stderr
    result = run.last
    assert result["changed"] is False and result["view"] == "platform"
    assert set(result["regions"]) == {"RegionOne", "RegionTwo"}
    assert "quota_fake" not in result["regions"]["RegionOne"]
    assert set(result["regions"]["RegionOne"]) == {"usage", "allocated", "quotas", "limits"}
    cores = result["summary"]["RegionOne"]["cores"]
    # Platform quota 72 (Default domain), allocated 2 + 20 + 30, used 1 + 8 + 28 (fixture).
    assert cores == {"quota": 72, "unlimited": False, "limit": -1, "allocated": 52, "used": 37,
                     "free": 20, "percent_allocated": 72.2, "percent_used": 51.4}
    assert result["summary"]["RegionOne"]["pods"]["unlimited"] is True
    assert result["summary"]["RegionOne"]["pods"]["percent_used"] is None
    # Requests: one login, one read.
    assert [(r["method"], r["path"]) for r in bed.requests_since(mark)] == [
        ("POST", "/v3/auth/tokens"), ("GET", "/v3/domain_usage")]


def test_domain_view_by_name_and_region_filter(ansible, bed):
    mark = bed.log_mark()
    run = ansible.module(MODULE, {"domain": "acme", "region": "RegionOne"}, env=ansible.os_env())
    assert run.rc == 0, run.stdout + run.stderr
    result = run.last
    assert result["view"] == "domain"
    assert result["domain"] == {"id": bed.domains["acme"], "name": "acme"}
    assert list(result["regions"]) == ["RegionOne"]
    region = result["regions"]["RegionOne"]
    assert region["quotas"]["backup_gigabytes"] == 156.5 and region["quotas"]["ram"] == 31146.0
    summary = result["summary"]["RegionOne"]
    assert summary["cores"]["allocated"] == 20 and summary["cores"]["used"] is None
    assert summary["cores"]["free"] == 52 and summary["cores"]["percent_allocated"] == 27.8
    assert [(r["method"], r["path"].split("?")[0]) for r in bed.requests_since(mark)] == [
        ("POST", "/v3/auth/tokens"), ("GET", "/v3/domains"),
        ("GET", "/v3/domain_quotas/" + bed.domains["acme"])]


def test_domain_by_id(ansible, bed):
    run = ansible.module(MODULE, {"domain": bed.domains["globex"]}, env=ansible.os_env())
    assert run.rc == 0, run.stdout
    assert run.last["domain"]["name"] == "globex"
    assert run.last["regions"]["RegionOne"]["quotas"]["gigabytes_ssd"] == 2048.5


@pytest.mark.parametrize("args, words", [
    pytest.param({"region": "Mars"}, ("Region 'Mars' is not reported", "RegionOne, RegionTwo"),
                 id="unknown region lists the regions"),
    pytest.param({"domain": "no-such-department"}, ("Domain 'no-such-department' not found",),
                 id="unknown domain"),
    pytest.param({"service_type": "no-such-type"},
                 ("No no-such-type endpoint for interface public in region RegionOne",
                  "eos-quota public RegionOne"), id="service type missing from the catalog"),
    pytest.param({"domain": "acme", "domains": ["globex"]}, ("mutually exclusive",),
                 id="domains is exclusive with domain"),
])
def test_an_option_that_cannot_be_served_fails_cleanly_saying_why(ansible, args, words):
    result = ansible.module(MODULE, args, env=ansible.os_env()).assert_clean_failure()
    for phrase in words:
        assert phrase in result["msg"], result


def test_bad_password_names_user_not_password(ansible, bed):
    env = ansible.os_env()
    env["OS_PASSWORD"] = "Wrong-password-123"
    run = ansible.module(MODULE, env=env)
    result = run.assert_clean_failure()
    assert result["status"] == 401 and result["request_id"].startswith("req-")
    assert "Authentication failed for user admin (domain Default), project admin" in result["msg"]
    assert "Wrong-password-123" not in run.stdout + run.stderr


def test_member_gets_a_clear_403(ansible, bed):
    run = ansible.module(MODULE, env=ansible.os_env("alice"))
    result = run.assert_clean_failure()
    assert result["status"] == 403
    assert "lacks the rights" in result["msg"] and result["request_id"].startswith("req-")
    assert bed.users["alice"]["password"] not in run.stdout + run.stderr


def test_unreachable_auth_url(ansible):
    env = ansible.os_env()
    env["OS_AUTH_URL"] = "http://127.0.0.1:9/v3"
    run = ansible.module(MODULE, env=env)
    result = run.assert_clean_failure()
    assert "Cannot reach POST http://127.0.0.1:9/v3/auth/tokens" in result["msg"]
    assert "connection refused" in result["msg"]


def test_no_credentials_at_all(ansible):
    run = ansible.module(MODULE)
    result = run.assert_clean_failure()
    assert result["msg"].startswith("No credentials")


def test_clouds_yaml_only_in_the_awx_shape(ansible, bed, tmp_path):
    """AWX's OpenStack credential: one cloud 'devstack', only OS_CLIENT_CONFIG_FILE set."""
    admin = bed.users["admin"]
    (tmp_path / "awx").mkdir()
    path = write_clouds_yaml(tmp_path / "awx" / "clouds.yaml", {"devstack": {
        "auth": {"auth_url": bed.auth_url, "username": "admin", "password": admin["password"],
                 "project_name": "admin", "project_domain_name": "Default",
                 "domain_name": "Default"},
        "verify": False, "region_name": "RegionOne"}})
    run = ansible.module(MODULE, {"domain": "acme"}, env={"OS_CLIENT_CONFIG_FILE": str(path)})
    assert run.rc == 0, run.stdout + run.stderr
    assert run.last["domain"]["name"] == "acme"
    # verify: false is honoured, and warned about.
    assert any("TLS certificate verification is off" in w for w in run.last.get("warnings", []))


def test_named_cloud_from_home_config_and_app_credential(ansible, bed):
    config = ansible.home / ".config" / "openstack"
    config.mkdir(parents=True)
    app = bed.state["application_credential"]
    write_clouds_yaml(config / "clouds.yaml", {
        "eos-admin": {"auth": {"auth_url": bed.auth_url, "username": "admin",
                               "password": bed.users["admin"]["password"],
                               "project_name": "admin", "user_domain_name": "Default",
                               "project_domain_name": "Default"}},
        "eos-appcred": {"auth_type": "v3applicationcredential",
                        "auth": {"auth_url": bed.auth_url, "application_credential_id": app["id"],
                                 "application_credential_secret": app["secret"]},
                        "region_name": "RegionOne"}})
    run = ansible.module(MODULE, {"cloud": "eos-appcred", "domain": "acme"})
    assert run.rc == 0, run.stdout + run.stderr
    run = ansible.module(MODULE, env={"OS_CLOUD": "eos-admin"})
    assert run.rc == 0, run.stdout + run.stderr
    run = ansible.module(MODULE)
    result = run.assert_clean_failure()
    assert "several clouds (eos-admin, eos-appcred)" in result["msg"]


def test_module_defaults_group_and_separate_quota_service_type(ansible, bed):
    admin = bed.users["admin"]
    playbook = localhost_play([
        {"name": "default service type", "easystack.eos.eos_domain_usage_info": {"domain": "acme"}},
        {"name": "eos-quota service type", "easystack.eos.eos_domain_usage_info": {
            "domain": "acme", "service_type": "eos-quota"}},
        {"name": "endpoint override without /v3", "easystack.eos.eos_domain_usage_info": {
            "endpoint_override": bed.url}},
    ], group_defaults={"auth": {"auth_url": bed.auth_url, "username": "admin",
                                "password": admin["password"], "project_name": "admin",
                                "user_domain_name": "Default", "project_domain_name": "Default"},
                       "region_name": "RegionOne"})
    run = ansible.playbook(playbook)
    assert run.rc == 0, run.stdout + run.stderr
    assert run.task("default service type")["domain"]["name"] == "acme"
    assert run.task("eos-quota service type")["regions"] == \
        run.task("default service type")["regions"]
    assert run.task("endpoint override without /v3")["view"] == "platform"


def test_check_mode_is_supported(ansible):
    run = ansible.module(MODULE, {"domain": "acme"}, env=ansible.os_env(), check=True)
    assert run.rc == 0 and run.last["changed"] is False


@pytest.mark.parametrize("module", ["eos_domain_usage_info", "eos_domain_quota", "eos_user_password"])
def test_a_target_python_without_requests_fails_saying_how_to_install_it(ansible, tmp_path, module):
    """A bare venv (not even pip): the module fails cleanly, naming requests, before any request."""
    bare = tmp_path / "bare-python"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    probe = subprocess.run([str(bare / "bin" / "python"), "-c", "import requests"], capture_output=True,
                           check=False)
    assert probe.returncode != 0  # the premise: requests is not importable there
    args = {"domain": "acme", "quotas": {"cores": 1}} if module == "eos_domain_quota" else (
        {"user": "bob", "domain": "acme", "password": "Never-Shown-1"} if module == "eos_user_password"
        else {"domain": "acme"})
    mark = ansible.bed.log_mark()
    run = ansible.module(module, args, env=ansible.os_env(), python=bare / "bin" / "python")
    message = run.assert_clean_failure()["msg"]
    assert "Failed to import the required Python library (requests)" in message
    assert "pip install requests" in message
    assert ansible.bed.requests_since(mark) == []


def test_many_domains_in_one_task_one_login_one_read_each(ansible, bed):
    mark = bed.log_mark()
    run = ansible.module(MODULE, {"domains": ["globex", "acme", bed.domains["acme"], "globex"],
                                  "region": "RegionOne"}, env=ansible.os_env())
    assert run.rc == 0, run.stdout + run.stderr
    result = run.last
    assert result["view"] == "domains" and result["changed"] is False
    assert [item["domain"]["name"] for item in result["domains"]] == ["globex", "acme", "acme",
                                                                      "globex"]
    for item in result["domains"]:
        assert list(item["regions"]) == ["RegionOne"]
        assert item["summary"]["RegionOne"]["cores"]["quota"] == \
            item["regions"]["RegionOne"]["quotas"]["cores"]
    records = [(r["method"], r["path"].split("?")[0]) for r in bed.requests_since(mark)]
    assert records.count(("POST", "/v3/auth/tokens")) == 1
    # three distinct names or IDs: one page of the domain listing is fewer requests than three
    # lookups; one read per distinct domain
    assert [r for r in records if r[1].startswith("/v3/domains")] == [("GET", "/v3/domains")]
    assert len([r for r in records if r[1].startswith("/v3/domain_quotas/")]) == 2


def test_unknown_domains_fail_together_before_any_read(ansible, bed):
    mark = bed.log_mark()
    run = ansible.module(MODULE, {"domains": ["acme", "no-such-1", "globex", "no-such-2"]},
                         env=ansible.os_env())
    message = run.assert_clean_failure()["msg"]
    assert message.startswith("2 of 4 entries of domains cannot be read, so nothing was read: "
                              "domains[2] no-such-1: not found (by name or ID)"), message
    assert "; domains[4] no-such-2: not found (by name or ID)" in message
    assert not [r for r in bed.requests_since(mark) if "/domain_quotas/" in r["path"]]


def test_all_domains_pages_and_sorts_by_name(ansible, bed):
    run = ansible.module(MODULE, {"all_domains": True}, env=ansible.os_env())
    assert run.rc == 0, run.stdout + run.stderr
    names = [item["domain"]["name"] for item in run.last["domains"]]
    assert {"Default", "acme", "globex"} <= set(names)
    assert names == sorted(names)


def test_parallel_reads_answer_exactly_as_one_at_a_time(ansible, bed):
    """parallel only changes how many reads are in flight: the same domains, in the same order,
    with the same numbers, and still one read per distinct department."""
    domains = ["globex", "Default", "acme", "globex"]
    results = {}
    for parallel in (1, 8):
        mark = bed.log_mark()
        run = ansible.module(MODULE, {"domains": domains, "parallel": parallel},
                             env=ansible.os_env())
        assert run.rc == 0, run.stdout + run.stderr
        results[parallel] = run.last["domains"]
        reads = [r for r in bed.requests_since(mark) if r["path"].startswith("/v3/domain_quotas/")]
        assert len(reads) == 3, reads
    assert results[8] == results[1]
    assert [item["domain"]["name"] for item in results[8]] == domains


@pytest.mark.parametrize("parallel", [0, 17])
def test_parallel_out_of_bounds_fails_before_anything_is_sent(ansible, parallel):
    mark = ansible.bed.log_mark()
    run = ansible.module(MODULE, {"all_domains": True, "parallel": parallel}, env=ansible.os_env())
    message = run.assert_clean_failure()["msg"]
    assert message == "parallel must be between 1 and 16 (it is %d). Nothing was sent" % parallel
    assert ansible.bed.requests_since(mark) == []
