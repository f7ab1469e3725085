"""The modules run as AWX runs a job, with each way of attaching EOS credentials, against the bed.

Each job is ``ansible-runner`` on a private data directory whose environment carries only what
the credential injects, computed by AWX's own injection code (awx-plugins, see awx_credentials.py):
AWX's built-in OpenStack credential (a clouds.yaml and OS_CLIENT_CONFIG_FILE) or the "EasyStack
EOS" custom credential type of docs/awx.md (OS_* variables rendered from its injectors; with a
password and the CA certificate of the bed's HTTPS endpoint, or with an application credential).
"""
from pathlib import Path

import pytest

from awx_credentials import SECRET_MASK, inject_custom, inject_openstack
from awx_job import AwxJob

PLAYBOOK = "eos_awx_job.yml"


def credential(kind, bed, credential_type, private_data_dir):
    """``(envvars, safe_env, secrets)`` that AWX injects for a credential of this kind.

    ``eos-password`` logs in over HTTPS, trusting the bed's own CA only through the credential's
    CA field; ``eos-password-no-ca`` is the same without it."""
    admin = bed.users["admin"]
    if kind == "openstack":
        values = {"host": bed.auth_url, "username": "admin", "password": admin["password"],
                  "project": admin["project"], "domain": admin["domain"],
                  "region": bed.region, "verify_ssl": True}
        env, safe_env, extra_vars = inject_openstack(values, private_data_dir)
        assert not extra_vars
        return env, safe_env, [admin["password"]]
    inputs, injectors = credential_type
    if kind.startswith("eos-password"):
        values = {"auth_url": bed.tls_url + "/v3", "username": "admin", "password": admin["password"],
                  "project_name": admin["project"], "user_domain_name": admin["domain"],
                  "region_name": bed.region}
        if kind == "eos-password":
            values["cacert"] = Path(bed.ca_cert).read_text()
        secrets = [admin["password"]]
    else:
        app = bed.state["application_credential"]
        values = {"auth_url": bed.auth_url, "application_credential_id": app["id"],
                  "application_credential_secret": app["secret"], "region_name": bed.region}
        secrets = [app["secret"]]
    env, safe_env, extra_vars = inject_custom(inputs, injectors, values, private_data_dir)
    assert not extra_vars
    return env, safe_env, secrets


@pytest.mark.parametrize("kind, cores", [("openstack", 21), ("eos-password", 22), ("eos-appcred", 23)])
def test_job_with_credential(kind, cores, bed, eos_domain, collections, credential_type, tmp_path):
    job = AwxJob(tmp_path / "private_data_dir", collections, "job-%s" % kind)
    envvars, safe_env, secrets = credential(kind, bed, credential_type, job.private_data_dir)
    quotas = {"cores": cores, "instances": cores - 10}  # each job changes both items

    result = job.run(PLAYBOOK, envvars, {"eos_awx_domain": eos_domain["name"], "eos_awx_quotas": quotas},
                     verbosity=3)

    assert result.status == "successful" and result.rc == 0, result.describe()
    assert result.process.returncode == 0
    platform = result.result("Read the platform's quotas and usage")
    assert platform["view"] == "platform" and bed.region in platform["regions"]
    changed = result.result("Set the department's quotas")
    assert changed["changed"] is True
    assert changed["domain"] == eos_domain
    assert changed["region"] == bed.region  # from the credential: the bed has two regions
    assert {item: change["after"] for item, change in changed["changes"].items()} == quotas
    assert result.result("Set them again, nothing left to change")["changed"] is False
    usage = result.result("Read the department's quotas and usage")
    assert usage["summary"][bed.region]["cores"]["quota"] == cores
    assert result.stats()["changed"] == {"localhost": 1}
    assert not result.stats()["failures"]
    # What the server holds now, asked independently of the job.
    stored = bed.api("GET", "/v3/domain_quotas/%s" % eos_domain["id"]).json()
    assert stored["domain"][bed.region]["quotas"]["cores"] == cores

    # Only the credential's variables reached the job; no secret in what AWX keeps of it.
    assert not [key for key in job.process_env if key.startswith("OS_")]
    for secret in secrets:
        assert secret not in result.recorded_text()
        assert secret not in str(safe_env)


def test_builtin_openstack_credential_is_one_clouds_yaml(bed, tmp_path):
    """What the job above got from AWX's OpenStack credential: one file and one variable."""
    (tmp_path / "env").mkdir()
    admin = bed.users["admin"]
    env, safe_env, extra_vars = inject_openstack(
        {"host": bed.auth_url, "username": "admin", "password": admin["password"],
         "project": admin["project"], "domain": admin["domain"]}, str(tmp_path))
    assert list(env) == ["OS_CLIENT_CONFIG_FILE"] and not extra_vars
    # AWX stores the in-container path with the job; the file is in the private data directory.
    assert safe_env["OS_CLIENT_CONFIG_FILE"] == "/runner/env/" + Path(env["OS_CLIENT_CONFIG_FILE"]).name
    path = Path(env["OS_CLIENT_CONFIG_FILE"])
    assert path.parent == tmp_path / "env" and path.stat().st_mode & 0o777 == 0o600


def test_custom_credential_env(bed, credential_type, tmp_path):
    """The variables the two custom-credential jobs above got, and the CA file."""
    (tmp_path / "env").mkdir()
    env, safe_env, _secrets = credential("eos-password", bed, credential_type, str(tmp_path))
    admin = bed.users["admin"]
    cacert = Path(env.pop("OS_CACERT"))
    assert cacert.parent == tmp_path / "env" and cacert.read_text() == Path(bed.ca_cert).read_text()
    assert cacert.stat().st_mode & 0o777 == 0o600
    assert env == {
        "OS_AUTH_URL": bed.tls_url + "/v3", "OS_AUTH_TYPE": "password", "OS_USERNAME": "admin",
        "OS_PASSWORD": admin["password"], "OS_PROJECT_NAME": admin["project"],
        "OS_USER_DOMAIN_NAME": "Default", "OS_PROJECT_DOMAIN_NAME": "Default",
        "OS_APPLICATION_CREDENTIAL_ID": "", "OS_APPLICATION_CREDENTIAL_SECRET": "",
        "OS_REGION_NAME": bed.region, "OS_INTERFACE": "public"}
    assert safe_env["OS_PASSWORD"] == SECRET_MASK

    env, safe_env, _secrets = credential("eos-appcred", bed, credential_type, str(tmp_path))
    app = bed.state["application_credential"]
    assert env["OS_AUTH_TYPE"] == "v3applicationcredential"
    assert env["OS_APPLICATION_CREDENTIAL_ID"] == app["id"]
    assert env["OS_APPLICATION_CREDENTIAL_SECRET"] == app["secret"]
    assert safe_env["OS_APPLICATION_CREDENTIAL_SECRET"] == SECRET_MASK
    assert env["OS_USERNAME"] == env["OS_PASSWORD"] == env["OS_CACERT"] == ""


def test_job_over_https_needs_the_credentials_ca(bed, eos_domain, collections, credential_type, tmp_path):
    """Without the CA field the same HTTPS login fails: the job above really used OS_CACERT."""
    job = AwxJob(tmp_path / "private_data_dir", collections, "job-no-ca")
    envvars, _safe_env, secrets = credential("eos-password-no-ca", bed, credential_type,
                                             job.private_data_dir)

    result = job.run(PLAYBOOK, envvars, {"eos_awx_domain": eos_domain["name"],
                                         "eos_awx_quotas": {"cores": 30}})

    assert result.status == "failed" and result.rc != 0, result.describe()
    failed = result.result("Read the platform's quotas and usage", event="runner_on_failed")
    assert "certificate verify failed" in failed["msg"], failed
    assert secrets[0] not in result.recorded_text()


def test_job_without_credential_fails_cleanly(bed, eos_domain, collections, tmp_path, monkeypatch):
    """No credential attached: the job must not find the test process's own OS_* variables."""
    admin = bed.users["admin"]
    for key, value in {"OS_AUTH_URL": bed.auth_url, "OS_USERNAME": "admin",
                       "OS_PASSWORD": admin["password"], "OS_PROJECT_NAME": admin["project"],
                       "OS_USER_DOMAIN_NAME": "Default", "OS_PROJECT_DOMAIN_NAME": "Default",
                       "OS_REGION_NAME": bed.region}.items():
        monkeypatch.setenv(key, value)
    job = AwxJob(tmp_path / "private_data_dir", collections, "job-none")

    result = job.run(PLAYBOOK, {}, {"eos_awx_domain": eos_domain["name"],
                                    "eos_awx_quotas": {"cores": 30}})

    assert result.status == "failed" and result.rc != 0, result.describe()
    failed = result.result("Read the platform's quotas and usage", event="runner_on_failed")
    assert failed["msg"].startswith("No credentials"), failed
    assert admin["password"] not in result.recorded_text()
