"""eos_domain_quota's list form (domains) against the real Keystone + simulator: every entry planned
before the first write, one login, parallel writes that all get reported."""

from bedkit import server_quotas, writes

MODULE = "eos_domain_quota"


def plain(requests):
    return [(r["method"], r["path"].split("?")[0]) for r in requests]


def entries():
    return [{"domain": "acme", "quotas": {"cores": 100, "networks": 1200}},
            {"domain": "globex", "quotas": {"instances": 20, "ram": "70000"}},
            {"domain": "acme", "region": "RegionTwo", "quotas": {"cores": 24}}]


def test_changed_then_unchanged_with_one_login_and_no_second_write(ansible, bed):
    mark = bed.log_mark()
    first = ansible.module(MODULE, {"domains": entries()}, env=ansible.os_env())
    assert first.rc == 0, first.stdout + first.stderr
    result = first.last
    assert result["changed"] is True
    assert [(e["domain"]["name"], e["region"], e["changed"]) for e in result["domains"]] == [
        ("acme", "RegionOne", True), ("globex", "RegionOne", True), ("acme", "RegionTwo", True)]
    assert result["domains"][0]["changes"] == {"cores": {"before": 72, "after": 100},
                                               "network": {"before": 1000, "after": 1200}}
    assert result["domains"][0]["quotas"]["cores"] == 100  # from the PATCH's answer
    assert result["domains"][2]["usage"] is not None and result["domains"][2]["limits"]
    requests = plain(bed.requests_since(mark))
    acme, globex = ("/v3/domain_quotas/" + bed.domains[name] for name in ("acme", "globex"))
    # one login, one listing (two names: fewer requests than two lookups), one GET per
    # department, one PATCH per changed entry
    assert requests[:2] == [("POST", "/v3/auth/tokens"), ("GET", "/v3/domains")]
    assert sorted(requests[2:4]) == sorted([("GET", acme), ("GET", globex)])
    assert sorted(requests[4:]) == sorted([("PATCH", acme), ("PATCH", acme), ("PATCH", globex)])
    assert server_quotas(bed, "acme", "RegionTwo")["cores"] == 24
    assert server_quotas(bed, "globex")["ram"] == 70000

    mark = bed.log_mark()
    second = ansible.module(MODULE, {"domains": entries()}, env=ansible.os_env())
    assert second.rc == 0 and second.last["changed"] is False
    assert [e["changed"] for e in second.last["domains"]] == [False, False, False]
    assert [e["changes"] for e in second.last["domains"]] == [{}, {}, {}]
    requests = bed.requests_since(mark)
    assert writes(requests) == [] and len(requests) == 4


def test_a_typo_in_one_entry_fails_the_task_with_nothing_written(ansible, bed):
    many = entries()[1:] + [
        {"domain": "globex", "region": "RegionTwo", "quotas": {"coers": 10, "cores": 90}},
        {"domain": "acme", "quotas": {"cores": 1}}]  # below acme's allocation
    mark = bed.log_mark()
    run = ansible.module(MODULE, {"domains": many}, env=ansible.os_env())
    result = run.assert_clean_failure()
    message = result["msg"]
    assert message.startswith("2 of 4 entries of domains have problems, so nothing was written")
    assert "domains[3] globex (RegionTwo): unknown quota item 'coers' (did you mean 'cores'?)" \
        in message
    assert "domains[4] acme: Nothing was changed in region RegionOne: 'cores': 1 is below what " \
        "is already allocated (20)" in message
    assert result["changed"] is False
    assert writes(bed.requests_since(mark)) == []
    assert server_quotas(bed)["cores"] == 72


def test_unknown_departments_and_bad_entries_fail_together(ansible, bed):
    mark = bed.log_mark()
    run = ansible.module(MODULE, {"domains": [
        {"domain": "acme", "quotas": {"cores": 90}}, {"domain": "nope", "quotas": {"cores": 1}},
        {"domain": "gone", "quotas": {"cores": 1}}]}, env=ansible.os_env())
    message = run.assert_clean_failure()["msg"]
    assert message.startswith("2 of 3 entries of domains have problems, so nothing was written: "
                              "domains[2] nope: not found (by name or ID)"), message
    assert "; domains[3] gone: not found (by name or ID)" in message
    assert writes(bed.requests_since(mark)) == []

    # Mistakes found without the server are named with the server's findings, in one run.
    mark = bed.log_mark()
    run = ansible.module(MODULE, {"domains": [
        {"domain": "acme", "quotas": {"cores": 90}}, {"domain": " ", "quotas": {"cores": 1}},
        {"domain": "globex", "quotas": {"cores": "lots"}}, {"domain": "acme", "quotas": {"ram": 1}},
        {"domain": "globex", "region": "", "quotas": {"cores": 1}}]}, env=ansible.os_env())
    message = run.assert_clean_failure()["msg"]
    assert message.startswith("4 of 5 entries of domains have problems, so nothing was written")
    assert "domains[2] '': domain is empty" in message
    assert "domains[3] globex: Quota 'cores': 'lots' is not a number" in message
    assert "domains[4] acme: the same department and region as domains[1]" in message
    assert "domains[5] globex: region is empty" in message
    assert writes(bed.requests_since(mark)) == []


def test_the_same_department_by_name_and_by_id_is_refused_before_writing(ansible, bed):
    mark = bed.log_mark()
    run = ansible.module(MODULE, {"domains": [
        {"domain": "acme", "quotas": {"cores": 90}},
        {"domain": bed.domains["acme"], "quotas": {"cores": 91}}]}, env=ansible.os_env())
    assert "domains[2] %s: the same department and region as domains[1] (RegionOne)" \
        % bed.domains["acme"] in run.assert_clean_failure()["msg"]
    assert writes(bed.requests_since(mark)) == []


def test_a_server_error_on_one_write_leaves_the_others_written_and_reported(ansible, bed):
    globex = bed.domains["globex"]
    bed.fault("^/v3/domain_quotas/" + globex, method="PATCH", status=500,
              message="quota backend unavailable")
    run = ansible.module(MODULE, {"domains": entries(), "parallel": 2}, env=ansible.os_env())
    result = run.assert_clean_failure()
    assert result["changed"] is True  # acme was written: the failure does not hide it
    assert result["msg"].startswith("1 of 3 entries of domains failed to write (the others "
                                    "were written; every entry is in domains): domains[2] "
                                    "globex (RegionOne): ")
    assert "quota backend unavailable" in result["msg"] and "request id req-" in result["msg"]
    acme_one, failed, acme_two = result["domains"]
    assert acme_one["changed"] is True and acme_one["quotas"]["cores"] == 100
    assert acme_two["changed"] is True and "failed" not in acme_two
    assert failed["failed"] is True and failed["changed"] is False
    assert failed["changes"]["instances"]["after"] == 20 and failed["msg"] in result["msg"]
    assert server_quotas(bed)["cores"] == 100
    assert server_quotas(bed, "globex")["ram"] != 70000


def test_check_mode_and_diff_cover_every_changed_entry_and_write_nothing(ansible, bed):
    mark = bed.log_mark()
    run = ansible.module(MODULE, {"domains": entries()}, env=ansible.os_env(), check=True,
                         diff=True)
    assert run.rc == 0, run.stdout + run.stderr
    result = run.last
    assert result["changed"] is True
    assert [e["quotas"]["cores"] for e in result["domains"]][::2] == [100, 24]  # predicted
    assert writes(bed.requests_since(mark)) == []
    assert server_quotas(bed)["cores"] == 72
    assert [d["before_header"] for d in result["diff"]] == [
        "acme (RegionOne)", "globex (RegionOne)", "acme (RegionTwo)"]
    assert result["diff"][0]["before"] == {"cores": 72, "network": 1000}
    assert result["diff"][0]["after"] == {"cores": 100, "network": 1200}


def test_defaults_from_the_top_and_an_unchanged_entry_is_left_out_of_the_diff(ansible, bed):
    run = ansible.module(MODULE, {"region": "RegionTwo", "domains": [
        {"domain": "acme", "quotas": {"cores": server_quotas(bed, "acme", "RegionTwo")["cores"]}},
        {"domain": "globex", "region": "RegionOne", "quotas": {"cores": 80}}]},
        env=ansible.os_env(), diff=True)
    assert run.rc == 0, run.stdout
    assert [(e["region"], e["changed"]) for e in run.last["domains"]] == [
        ("RegionTwo", False), ("RegionOne", True)]
    assert [d["before_header"] for d in run.last["diff"]] == ["globex (RegionOne)"]
    assert server_quotas(bed, "globex")["cores"] == 80


def test_parallel_out_of_range_and_forms_mixed_fail_before_any_request(ansible, bed):
    mark = bed.log_mark()
    run = ansible.module(MODULE, {"domains": entries(), "parallel": 0}, env=ansible.os_env())
    assert "parallel must be between 1 and 16 (it is 0)" in run.assert_clean_failure()["msg"]
    run = ansible.module(MODULE, {"domains": [], "quotas": {"cores": 1}}, env=ansible.os_env())
    assert "mutually exclusive" in run.assert_clean_failure()["msg"]
    run = ansible.module(MODULE, {"domains": []}, env=ansible.os_env())
    assert "domains is empty" in run.assert_clean_failure()["msg"]
    run = ansible.module(MODULE, {"domains": [{"domain": "acme"}]}, env=ansible.os_env())
    assert "quotas" in run.assert_clean_failure()["msg"]
    assert bed.requests_since(mark) == []
