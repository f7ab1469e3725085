"""The domain_quotas role on the real Keystone + simulator: one module task for every department,
and a summary recorded (set_stats) even when a write fails."""
import json

from bedkit import server_quotas, writes

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  roles:
    - role: easystack.eos.domain_quotas
      eos_domain_quotas: "{{ departments }}"
"""
DEPARTMENTS = [{"domain": "acme", "region": "RegionOne", "quotas": {"cores": 96, "ram": 31146}},
               {"domain": "globex", "region": "RegionOne", "quotas": {"instances": 24}}]


ROLE = "easystack.eos.domain_quotas : "


def stats(run):
    return run.task(ROLE + "Record the summary, the plan and the drift for AWX (set_stats)")["ansible_stats"]["data"]


def test_one_task_for_every_department_and_a_second_run_writes_nothing(ansible, bed):
    mark = bed.log_mark()
    first = ansible.playbook(PLAYBOOK, env=ansible.os_env(), extra_vars={"departments": DEPARTMENTS})
    assert first.rc == 0, first.stdout + first.stderr
    module_runs = [r for r in first.results if r["action"] == "easystack.eos.eos_domain_quota"
                   and r["status"] != "skipped"]
    assert len(module_runs) == 1 and module_runs[0]["status"] == "ok"
    assert stats(first)["eos_domain_quotas_summary"] == [
        "acme RegionOne: cores 72 -> 96", "globex RegionOne: instances 16 -> 24"]
    assert stats(first)["eos_domain_quotas_changed"] == ["acme", "globex"]
    logins = [r for r in bed.requests_since(mark) if r["path"] == "/v3/auth/tokens"]
    assert len(logins) == 1

    mark = bed.log_mark()
    second = ansible.playbook(PLAYBOOK, env=ansible.os_env(),
                              extra_vars={"departments": DEPARTMENTS})
    assert second.rc == 0
    assert stats(second)["eos_domain_quotas_summary"] == [
        "acme RegionOne: unchanged", "globex RegionOne: unchanged"]
    assert writes(bed.requests_since(mark)) == []


def test_a_failing_department_still_records_the_summary_of_what_was_written(ansible, bed):
    bed.fault("^/v3/domain_quotas/" + bed.domains["globex"], method="PATCH", status=500,
              message="quota backend unavailable")
    run = ansible.playbook(PLAYBOOK, env=ansible.os_env(), extra_vars={"departments": DEPARTMENTS})
    assert run.rc != 0
    failed = run.task(ROLE + "Set every department's quotas in one task")
    assert failed["changed"] is True and "globex" in failed["msg"]
    recorded = stats(run)
    assert recorded["eos_domain_quotas_changed"] == ["acme"]
    assert recorded["eos_domain_quotas_failed"] == ["globex"]
    assert recorded["eos_domain_quotas_summary"][0] == "acme RegionOne: cores 72 -> 96"
    assert recorded["eos_domain_quotas_summary"][1].startswith(
        "globex RegionOne: FAILED, nothing written (instances 16 -> 24): PATCH ")
    assert "quota backend unavailable" in recorded["eos_domain_quotas_summary"][1]
    assert server_quotas(bed)["cores"] == 96


def test_a_typo_fails_before_any_write_and_the_summary_says_so(ansible, bed):
    typo = [DEPARTMENTS[0], {"domain": "globex", "quotas": {"instanses": 24}}]
    mark = bed.log_mark()
    run = ansible.playbook(PLAYBOOK, env=ansible.os_env(), extra_vars={"departments": typo})
    assert run.rc != 0
    assert writes(bed.requests_since(mark)) == []
    summary = stats(run)["eos_domain_quotas_summary"]
    assert summary == [
        "nothing written: 1 of 2 entries of domains have problems, so nothing was written: "
        "domains[2] globex: unknown quota item 'instanses' (did you mean 'instances'?). Valid "
        "items here: " + summary[0].split("Valid items here: ", 1)[-1]]
    assert "cores" in summary[0].split("Valid items here: ", 1)[1]
    assert stats(run)["eos_domain_quotas_changed"] == []


def test_check_mode_says_would_change_and_an_empty_list_does_nothing(ansible, bed):
    mark = bed.log_mark()
    run = ansible.playbook(PLAYBOOK, env=ansible.os_env(), check=True,
                           extra_vars={"departments": DEPARTMENTS})
    assert run.rc == 0, run.stdout
    assert stats(run)["eos_domain_quotas_summary"][0] == "acme RegionOne: would change cores 72 -> 96"
    assert writes(bed.requests_since(mark)) == []
    empty = ansible.playbook(PLAYBOOK, env=ansible.os_env(), extra_vars={"departments": []})
    assert empty.rc == 0
    assert empty.task(ROLE + "Say that there was nothing to do")["msg"] == [
        "no departments given (eos_domain_quotas is empty)"]


DRIFT_CHECK = PLAYBOOK + """      domain_quotas_check_only: true
      domain_quotas_drift_file: "{{ drift_file }}"
"""


def test_a_drift_check_fails_naming_each_item_and_writes_nothing(ansible, bed, tmp_path):
    drift_file = tmp_path / "drift.json"
    mark = bed.log_mark()
    run = ansible.playbook(DRIFT_CHECK, env=ansible.os_env(),
                           extra_vars={"departments": DEPARTMENTS, "drift_file": str(drift_file)})
    assert run.rc != 0
    failed = run.task(ROLE + "Fail on drift (domain_quotas_check_only)")
    assert failed["msg"].startswith("2 quota item(s) differ from the declared state, nothing was "
                                    "written: "), failed["msg"]
    assert "acme RegionOne cores: live 72, desired 96" in failed["msg"]
    assert "globex RegionOne instances: live 16, desired 24" in failed["msg"]
    assert writes(bed.requests_since(mark)) == []
    recorded = stats(run)
    assert [(d["domain"], d["item"], d["live"], d["desired"]) for d in recorded["eos_domain_quotas_drift"]] == [
        ("acme", "cores", 72, 96), ("globex", "instances", 16, 24)]
    assert recorded["eos_domain_quotas_plan"].startswith("sha256:")
    saved = json.loads(drift_file.read_text())
    assert saved["drift"] == recorded["eos_domain_quotas_drift"]
    assert saved["plan"] == recorded["eos_domain_quotas_plan"]
    assert oct(drift_file.stat().st_mode & 0o777) == "0o640"


def test_no_drift_passes_and_the_plan_of_a_check_run_is_applied(ansible, bed, tmp_path):
    # the check job (AWX's "check" job type: --check), then the apply job with its plan
    check = ansible.playbook(PLAYBOOK, env=ansible.os_env(), check=True,
                             extra_vars={"departments": DEPARTMENTS})
    assert check.rc == 0, check.stdout + check.stderr
    plan = stats(check)["eos_domain_quotas_plan"]
    assert server_quotas(bed)["cores"] == 72  # --check wrote nothing
    apply = ansible.playbook(PLAYBOOK.replace('eos_domain_quotas: "{{ departments }}"',
                                              'eos_domain_quotas: "{{ departments }}"\n'
                                              '      domain_quotas_expect_plan: "{{ plan }}"'),
                             env=ansible.os_env(), extra_vars={"departments": DEPARTMENTS, "plan": plan})
    assert apply.rc == 0, apply.stdout + apply.stderr
    assert server_quotas(bed)["cores"] == 96
    # now the declared state is the live one: the drift check passes
    mark = bed.log_mark()
    clean = ansible.playbook(DRIFT_CHECK, env=ansible.os_env(),
                             extra_vars={"departments": DEPARTMENTS, "drift_file": ""})
    assert clean.rc == 0, clean.stdout + clean.stderr
    assert stats(clean)["eos_domain_quotas_drift"] == []
    assert writes(bed.requests_since(mark)) == []
