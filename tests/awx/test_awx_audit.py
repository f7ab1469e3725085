"""The quota_audit callback in a job run the way AWX runs one (ansible-runner on a private data
directory): the events name the AWX job and who launched it, from what AWX gives a job - its
metadata as extra variables (UnifiedJob.awx_meta_vars / Job.awx_meta_vars in AWX's
awx/main/models/unified_jobs.py and jobs.py, written by RunJob.build_extra_vars_file) and JOB_ID
and AWX_HOST in its environment (RunJob.build_env, awx/main/tasks/jobs.py). The callback is
enabled the way docs/awx.md says: the job's environment (the "Extra Environment Variables"
setting, AWX_TASK_ENV)."""
import sys
from pathlib import Path

import pytest

from awx_job import AwxJob

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from auditkit import attachments, audit_env, read_events  # noqa: E402  pylint: disable=wrong-import-position

PLAYBOOK = "eos_awx_job.yml"


def awx_meta_vars(job_id, launched_by=None, schedule=None):
    """The extra variables AWX adds to a job from a job template (both prefixes, as AWX does)."""
    meta = {"job_id": job_id, "job_launch_type": "scheduled" if schedule else "manual",
            "job_template_id": 7, "job_template_name": "EOS quotas",
            "project_revision": "3f2a9c1", "project_scm_branch": "main",
            "inventory_id": 1, "inventory_name": "Demo Inventory",
            "execution_node": "awx-ee-1"}
    if launched_by:
        meta.update(user_id=launched_by[0], user_name=launched_by[1],
                    user_email="%s@example.com" % launched_by[1], user_first_name="C",
                    user_last_name="L")
    if schedule:
        meta.update(schedule_id=schedule[0], schedule_name=schedule[1])
    return dict(("%s_%s" % (prefix, key), value) for prefix in ("awx", "tower")
                for key, value in meta.items())


def job_env(bed, job_id, audit_file):
    """What the job's environment holds: the EOS credential's OS_* variables, AWX's own
    variables, and the Extra Environment Variables that enable the callback."""
    admin = bed.users["admin"]
    env = {"OS_AUTH_URL": bed.auth_url, "OS_USERNAME": "admin", "OS_PASSWORD": admin["password"],
           "OS_PROJECT_NAME": admin["project"], "OS_USER_DOMAIN_NAME": admin["domain"],
           "OS_PROJECT_DOMAIN_NAME": admin["domain"], "OS_REGION_NAME": bed.region,
           "JOB_ID": str(job_id), "INVENTORY_ID": "1", "PROJECT_REVISION": "3f2a9c1",
           "AWX_HOST": "https://awx.example.com", "ANSIBLE_RETRY_FILES_ENABLED": "False"}
    env.update(audit_env(audit_file))
    return env


@pytest.mark.parametrize("launch", ["manual", "scheduled"])
def test_the_events_name_the_awx_job_and_its_launcher(launch, bed, eos_domain, collections,
                                                      tmp_path):
    job_id = 4242 if launch == "manual" else 4243
    cores = 31 if launch == "manual" else 32
    audit_file = tmp_path / "audit.log"  # in AWX: a directory exposed to the job (docs/awx.md)
    job = AwxJob(tmp_path / "private_data_dir", collections, "audit-%s" % launch)
    extra_vars = dict(awx_meta_vars(job_id, launched_by=(5, "carol") if launch == "manual"
                                    else None, schedule=(9, "nightly") if launch != "manual"
                                    else None),
                      eos_awx_domain=eos_domain["name"],
                      eos_awx_quotas={"cores": cores, "instances": cores - 10})
    result = job.run(PLAYBOOK, job_env(bed, job_id, audit_file), extra_vars)
    assert result.status == "successful" and result.rc == 0, result.describe()

    [event] = read_events(audit_file)  # the set, not the second (unchanged) run
    assert event["target"]["id"] == eos_domain["id"] and event["outcome"] == "success"
    assert attachments(event)["changes"]["cores"]["after"] == cores
    awx = attachments(event["initiator"])["awx_job"]
    expected = {"job_id": job_id, "launch_type": launch, "job_template_id": 7,
                "job_template_name": "EOS quotas", "project_revision": "3f2a9c1",
                "execution_node": "awx-ee-1", "url": "https://awx.example.com"}
    if launch == "manual":
        expected.update(launched_by_id=5, launched_by="carol")
    else:
        expected.update(schedule_id=9, schedule_name="nightly")
    assert awx == expected
    assert "carol@example.com" not in audit_file.read_text()  # no e-mail address recorded
    assert bed.users["admin"]["password"] not in audit_file.read_text()
    assert "audit event" not in result.stdout  # no warning: the destination worked
