"""No secret anywhere: every module on success and failure paths, check and diff mode, -vvvv.

Scanned: each run's stdout and stderr, the ANSIBLE_LOG_PATH file, and the bed's own logs
(``logs/*.log``, ``logs/requests.jsonl``; keystone.log is Keystone's own). Looked for: the admin
password, the users' old and new passwords, the application-credential secret, the wrong
secrets the failure runs use, and any Keystone (fernet) token.
"""
import uuid

from playbook_runner import write_clouds_yaml
from relkit import secret_hits, settle_password_changes

QUOTA, USAGE, PASSWORD = "eos_domain_quota", "eos_domain_usage_info", "eos_user_password"

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: password
      easystack.eos.eos_user_password:
        user: "{{ user }}"
        domain: "{{ domain }}"
        password: "{{ new_password }}"
      register: password_result
    - name: quota
      easystack.eos.eos_domain_quota:
        domain: "{{ domain }}"
        quotas: {cores: 66}
      register: quota_result
    - name: show everything
      ansible.builtin.debug:
        msg: "{{ [password_result, quota_result] }}"
"""


def test_no_secret_in_any_output_or_log(ansible, bed, identities, tmp_path, report):
    domain = identities.domain("rel-secret")
    user = identities.user(domain)
    # Characters that JSON, URLs and Python escape: a secret must not leak in any of its forms.
    new_password = 'New-"\u00e9\t/+& ' + uuid.uuid4().hex
    newer_password = "Newer-" + uuid.uuid4().hex
    wrong_password, wrong_secret = "Wrong-" + uuid.uuid4().hex, "wrong-" + uuid.uuid4().hex
    app_cred = bed.state["application_credential"]
    clouds = write_clouds_yaml(tmp_path / "clouds.yaml", {"bed-appcred": {
        "auth_type": "v3applicationcredential", "region_name": bed.region,
        "auth": {"auth_url": bed.auth_url, "application_credential_id": app_cred["id"],
                 "application_credential_secret": app_cred["secret"]}}})
    log_path = tmp_path / "ansible.log"
    admin = dict(ansible.os_env(), ANSIBLE_LOG_PATH=str(log_path))
    appcred = {"OS_CLIENT_CONFIG_FILE": str(clouds), "OS_CLOUD": "bed-appcred",
               "ANSIBLE_LOG_PATH": str(log_path)}
    # Config files that do not parse, on a line that holds a secret: line and column only.
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "clouds.yaml").write_text(
        "clouds:\n  bed:\n    auth:\n      auth_url: %s\n      password: \"%s\" x\n"
        % (bed.auth_url, bed.users["admin"]["password"]))
    (broken / "secure.yaml").write_text(
        "clouds:\n  bed:\n    auth:\n      application_credential_secret: %s: x\n"
        % app_cred["secret"])
    broken_clouds = {"OS_CLIENT_CONFIG_FILE": str(broken / "clouds.yaml"), "OS_CLOUD": "bed",
                     "ANSIBLE_LOG_PATH": str(log_path)}
    broken_secure = {"OS_CLIENT_CONFIG_FILE": str(clouds), "OS_CLOUD": "bed-appcred",
                     "OS_CLIENT_SECURE_FILE": str(broken / "secure.yaml"),
                     "ANSIBLE_LOG_PATH": str(log_path)}
    quota = {"domain": domain["name"], "api_timeout": 3}
    password = {"user": user["name"], "domain": domain["name"], "api_timeout": 3}

    # (what, module, args, env, check, fault (path, method, action), succeeds)
    runs = [
        ("usage ok", USAGE, {}, admin, True, None, True),
        ("usage ok, app cred", USAGE, {"domain": domain["name"]}, appcred, False, None, True),
        ("usage 401 then re-login", USAGE, {}, admin, False,
         ("^/v3/domain_usage$", "GET", {"status": 401}), True),
        ("usage wrong admin password", USAGE, {"auth": {"password": wrong_password}}, admin,
         False, None, False),
        ("usage wrong app cred secret", USAGE,
         {"auth": {"application_credential_secret": wrong_secret}}, appcred, False, None, False),
        ("quota check", QUOTA, dict(quota, quotas={"cores": 31}), admin, True, None, True),
        ("quota change", QUOTA, dict(quota, quotas={"cores": 32}), admin, False, None, True),
        ("quota change, app cred", QUOTA, dict(quota, quotas={"cores": 33}), appcred, False,
         None, True),
        ("quota PATCH 500", QUOTA, dict(quota, quotas={"cores": 34}), admin, False,
         ("^/v3/domain_quotas/", "PATCH", {"status": 500}), False),
        ("quota retries exhausted, app cred", QUOTA, dict(quota, quotas={"cores": 35}),
         appcred, False, ("^/v3/domain_quotas/", "GET", {"status": 503, "count": 4}), False),
        ("password check", PASSWORD, dict(password, password=new_password), admin, True, None,
         True),
        ("password change", PASSWORD, dict(password, password=new_password), admin, False, None,
         True),
        ("password unchanged", PASSWORD, dict(password, password=new_password), admin, False,
         None, True),
        ("password admin login 500", PASSWORD, dict(password, password=newer_password), admin,
         False, ("^/v3/auth/tokens$", "POST", {"status": 500}), False),
        ("password PATCH html 500", PASSWORD, dict(password, password=newer_password), admin,
         False, ("^/v3/users/", "PATCH", {"html": True, "status": 500}), False),
        ("password malformed PATCH answer", PASSWORD,
         dict(password, password=newer_password, update_password="always"), admin, False,
         ("^/v3/users/", "PATCH", {"malformed": True}), False),
        ("password wrong admin password", PASSWORD,
         dict(password, password=newer_password, auth={"password": wrong_password}), admin,
         False, None, False),
        ("password check, app cred", PASSWORD, dict(password, password=newer_password), appcred,
         True, None, True),
        ("clouds.yaml broken on the password line", USAGE, {}, broken_clouds, False, None, False),
        ("secure.yaml broken on the secret line", USAGE, {}, broken_secure, False, None, False),
    ]
    outputs = {}
    mark = bed.log_mark()
    for index, (what, module, args, env, check, fault, succeeds) in enumerate(runs):
        if index % 2:  # ansible's own callback prints more at -vvvv: module_args, invocation
            env = dict(env, ANSIBLE_STDOUT_CALLBACK="default")
        if fault:
            path, method, action = fault
            action = dict(action)
            bed.fault(path, count=action.pop("count", 1), method=method, **action)
        if module == PASSWORD:
            settle_password_changes(bed, mark)  # the previous run may have changed it
        mark = bed.log_mark()
        run = ansible.module(module, args, env=env, check=check, diff=True, verbosity=4)
        bed.clear_faults()
        assert (run.rc == 0) is succeeds, "%s: %s\n%s" % (what, run.stdout, run.stderr)
        if not succeeds and not index % 2:
            run.assert_clean_failure()
        elif not succeeds:  # this callback says "Task failed: Module failed" for any failure
            assert "FAILED! =>" in run.stdout and '"msg"' in run.stdout, run.stdout
            assert "MODULE FAILURE" not in run.stdout + run.stderr, run.stdout
            assert "Traceback (most recent call" not in run.stdout + run.stderr, run.stdout
        outputs["%s: stdout" % what] = run.stdout
        outputs["%s: stderr" % what] = run.stderr

    settle_password_changes(bed, mark)
    book = ansible.playbook(PLAYBOOK, env=admin, diff=True, verbosity=4, extra_vars={
        "user": user["name"], "domain": domain["name"], "new_password": newer_password})
    assert book.rc == 0, book.stdout + book.stderr
    assert book.task("password")["changed"] is True
    outputs["playbook: stdout"], outputs["playbook: stderr"] = book.stdout, book.stderr

    outputs["ANSIBLE_LOG_PATH"] = log_path.read_text(errors="replace")
    # The log really holds the runs: the modules' results and the -vvvv connection details.
    for words in ('"password_state"', "AnsiballZ_eos_user_password", "FAILED! =>"):
        assert words in outputs["ANSIBLE_LOG_PATH"], words
    for path in sorted((bed.root / "logs").glob("*.log")) + [bed.request_log]:
        outputs["bed " + path.name] = path.read_text(errors="replace")
    secrets = {"admin password": bed.users["admin"]["password"],
               "user's old password": user["password"], "new password": new_password,
               "newer password": newer_password, "wrong admin password": wrong_password,
               "application credential secret": app_cred["secret"],
               "wrong application credential secret": wrong_secret}
    # The scanner itself finds what it looks for: a real token, and each secret.
    assert secret_hits({"control": bed.token(fresh=True)}, {})
    assert len(secret_hits({"control": " ".join(secrets.values())}, secrets)) == len(secrets)
    hits = secret_hits(outputs, secrets)
    report.add("secrets", runs=len(runs) + 1,
               **{"bytes scanned": sum(len(text.encode()) for text in outputs.values()),
                  "hits": len(hits)})
    assert not hits, hits
