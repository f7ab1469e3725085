"""Plan, approve, apply and the drift check: docs/awx.md section 5, run as AWX runs the jobs.

The workflow's two job templates run ``project/eos_quota_plan_apply.yml`` (shown verbatim in the
docs): the check job (Job Type: Check, AWX passes --check) plans and records the plan with
set_stats; AWX hands a job's set_stats artifacts to the next nodes of a workflow as extra
variables, which is what the apply job gets here after the (human) approval node. The drift job
runs ``project/eos_quota_drift.yml`` on a schedule. Each against the bed, as the built-in
OpenStack credential injects it, on a department of the test's own.
"""
from pathlib import Path

from awx_credentials import inject_openstack
from awx_job import AwxJob

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
WORKFLOW = "eos_quota_plan_apply.yml"
DRIFT = "eos_quota_drift.yml"


def credential_env(bed, job):
    admin = bed.users["admin"]
    env, _safe, _extra = inject_openstack({"host": bed.auth_url, "username": "admin",
                                           "password": admin["password"], "project": admin["project"],
                                           "domain": admin["domain"], "region": bed.region},
                                          job.private_data_dir)
    return env


def cores(bed, domain):
    answer = bed.api("GET", "/v3/domain_quotas/" + domain["id"]).json()["domain"]
    return answer[bed.region]["quotas"]["cores"]


def declared(domain, value):
    return {"eos_domain_quotas": [{"domain": domain["name"], "region": "RegionOne",
                                   "quotas": {"cores": value}}]}


def artifacts(result):
    return result.stats().get("artifact_data") or {}


def test_the_approved_plan_is_applied_and_a_stale_one_is_refused(bed, eos_domain, collections, tmp_path):
    before = cores(bed, eos_domain)
    job = AwxJob(tmp_path / "check", collections, "check-job")
    check = job.run(WORKFLOW, credential_env(bed, job), declared(eos_domain, before + 7), check=True)
    assert check.status == "successful", check.describe()
    plan = artifacts(check)["eos_domain_quotas_plan"]
    assert plan.startswith("sha256:") and cores(bed, eos_domain) == before
    assert artifacts(check)["eos_domain_quotas_drift"][0]["desired"] == before + 7

    # the approval node passes; the apply job gets the check job's artifacts as extra variables
    job = AwxJob(tmp_path / "apply", collections, "apply-job")
    apply = job.run(WORKFLOW, credential_env(bed, job),
                    dict(declared(eos_domain, before + 7), **artifacts(check)))
    assert apply.status == "successful", apply.describe()
    assert cores(bed, eos_domain) == before + 7

    # a second plan, then someone changes the quotas before the apply job runs
    job = AwxJob(tmp_path / "check2", collections, "check-job-2")
    check = job.run(WORKFLOW, credential_env(bed, job), declared(eos_domain, before + 9), check=True)
    assert check.status == "successful", check.describe()
    bed.api("PATCH", "/v3/domain_quotas/" + eos_domain["id"],
            json={"domain": {"region": bed.region, "cores": before + 1}}).raise_for_status()
    job = AwxJob(tmp_path / "apply2", collections, "apply-job-2")
    apply = job.run(WORKFLOW, credential_env(bed, job),
                    dict(declared(eos_domain, before + 9), **artifacts(check)))
    assert apply.status == "failed", apply.describe()
    assert "changed since the plan" in apply.stdout
    assert cores(bed, eos_domain) == before + 1


def test_an_apply_job_without_a_plan_writes_nothing(bed, eos_domain, collections, tmp_path):
    before = cores(bed, eos_domain)
    job = AwxJob(tmp_path / "apply", collections, "apply-alone")
    apply = job.run(WORKFLOW, credential_env(bed, job), declared(eos_domain, before + 3))
    assert apply.status == "failed", apply.describe()
    failed = apply.result("An apply job writes only an approved plan", event="runner_on_failed")
    assert failed["msg"].startswith("No approved plan (eos_domain_quotas_plan)")
    assert cores(bed, eos_domain) == before


def test_the_drift_job_fails_naming_the_drift_and_passes_when_there_is_none(bed, eos_domain, collections, tmp_path):
    before = cores(bed, eos_domain)
    job = AwxJob(tmp_path / "drift", collections, "drift-job")
    drift = job.run(DRIFT, credential_env(bed, job), declared(eos_domain, before + 5))
    assert drift.status == "failed", drift.describe()
    failed = drift.result("Fail on drift (domain_quotas_check_only)",
                          event="runner_on_failed")
    assert "%s RegionOne cores: live %d, desired %d" % (eos_domain["name"], before, before + 5) in failed["msg"]
    assert [item["item"] for item in artifacts(drift)["eos_domain_quotas_drift"]] == ["cores"]
    assert cores(bed, eos_domain) == before
    job = AwxJob(tmp_path / "clean", collections, "drift-clean")
    clean = job.run(DRIFT, credential_env(bed, job), declared(eos_domain, before))
    assert clean.status == "successful", clean.describe()
    assert artifacts(clean)["eos_domain_quotas_drift"] == []


def test_docs_show_the_workflow_playbooks_verbatim():
    doc = (REPO / "docs" / "awx.md").read_text()
    for name in (WORKFLOW, DRIFT):
        assert (HERE / "project" / name).read_text() in doc, "docs/awx.md must contain project/%s verbatim" % name
