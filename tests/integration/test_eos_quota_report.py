"""eos_quota_report against the real Keystone + simulator: one task reads (on the task's host)
and writes both files (on the controller), only when they change, never in check mode; a bad
option fails before anything is read; a refused login fails cleanly and writes nothing."""
import json
import os

import pytest

MODULE = "eos_quota_report"


def report(ansible, dest, check=False, env=None, **args):
    args = dict({"domains": ["acme", "globex"], "dest": str(dest)}, **args)
    return ansible.module(MODULE, args, env=env or ansible.os_env(), check=check)


def test_written_once_then_left_alone_and_check_mode_writes_nothing(ansible, bed, tmp_path):
    dest = tmp_path / "out"
    preview = report(ansible, dest, check=True)
    assert preview.rc == 0, preview.stdout + preview.stderr
    assert preview.last["changed"] is True and not dest.exists()

    mark = bed.log_mark()
    first = report(ansible, dest)
    assert first.rc == 0, first.stdout + first.stderr
    result = first.last
    assert result["changed"] is True and result["departments"] == 2
    assert sorted(os.listdir(str(dest))) == ["eos-quota-report.csv", "eos-quota-report.html"]
    assert result["summary"]["html"] == str(dest / "eos-quota-report.html")
    assert result["size"]["html_bytes"] == (dest / "eos-quota-report.html").stat().st_size
    # one login, the platform view, one listing (two names), one read per department
    paths = [(r["method"], r["path"].split("?")[0]) for r in bed.requests_since(mark)]
    assert paths.count(("POST", "/v3/auth/tokens")) == 2  # one per eos_domain_usage_info run
    assert len([p for p in paths if p[1].startswith("/v3/domain_quotas/")]) == 2
    assert ("GET", "/v3/domain_usage") in paths

    stamp = (dest / "eos-quota-report.html").stat().st_mtime_ns
    again = report(ansible, dest)
    assert again.rc == 0 and again.last["changed"] is False
    assert again.last["generated"] == result["generated"]
    assert (dest / "eos-quota-report.html").stat().st_mtime_ns == stamp


@pytest.mark.parametrize("args, words", [
    ({"threshold": 5000}, "threshold must be a percentage from 0 to 1000"),
    ({"name": "../escape"}, "name is the files' base name"),
    ({"mode": "rwx"}, "mode must be an octal file mode"),
    ({"parallel": 0}, "parallel must be between 1 and 16"),
    ({"all_domains": True}, "mutually exclusive"),
])
def test_a_bad_option_fails_before_anything_is_read(ansible, bed, tmp_path, args, words):
    mark = bed.log_mark()
    run = report(ansible, tmp_path / "out", **args)
    result = run.assert_clean_failure()
    assert words in result["msg"], result["msg"]
    assert bed.requests_since(mark) == [] and not (tmp_path / "out").exists()


def test_a_refused_login_fails_cleanly_and_writes_nothing(ansible, tmp_path):
    env = dict(ansible.os_env(), OS_PASSWORD="Wrong-Passw0rd-for-the-report")
    run = report(ansible, tmp_path / "out", env=env)
    result = run.assert_clean_failure()
    assert result["msg"].startswith("Reading the quotas failed (easystack.eos.eos_domain_usage_info): ")
    assert "401" in json.dumps(result)
    assert "Wrong-Passw0rd-for-the-report" not in run.stdout + run.stderr
    assert not (tmp_path / "out").exists()


def test_an_unwritable_directory_is_a_clean_failure(ansible, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = report(ansible, blocker / "out").assert_clean_failure()
    assert "Cannot write the quota report in %s" % (blocker / "out") in result["msg"]


def test_the_password_in_the_task_never_shows_at_vvvv(ansible, bed, tmp_path):
    """The connection options go through the action to eos_domain_usage_info: at -vvvv neither
    the output nor the result carries the password (nor the token)."""
    admin = bed.users["admin"]
    auth = {"auth_url": bed.auth_url, "username": "admin", "password": admin["password"],
            "project_name": admin["project"], "user_domain_name": admin["domain"],
            "project_domain_name": admin["domain"]}
    run = ansible.module(MODULE, {"domains": ["acme"], "dest": str(tmp_path / "out"), "auth": auth},
                         verbosity=4)
    assert run.rc == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert admin["password"] not in run.stdout + run.stderr
    assert "gAAAAA" not in run.stdout + run.stderr
