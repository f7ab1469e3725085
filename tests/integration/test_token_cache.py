"""The opt-in token cache against the real Keystone: one login for many tasks, 401 recovery."""
import json

MODULE = "eos_domain_usage_info"


def logins(records):
    return [r for r in records if r["method"] == "POST" and r["path"] == "/v3/auth/tokens"]


def cached_token(ansible):
    directory = ansible.home / ".cache" / "easystack.eos" / "tokens"
    files = list(directory.glob("*.json"))
    assert len(files) == 1, files
    assert oct(files[0].stat().st_mode & 0o777) == "0o600"
    assert oct(directory.stat().st_mode & 0o777) == "0o700"
    return json.loads(files[0].read_text())["token"]


def test_second_task_reuses_the_token(ansible, bed):
    env = dict(ansible.os_env(), EOS_TOKEN_CACHE="1")
    mark = bed.log_mark()
    for dummy in range(3):
        run = ansible.module(MODULE, {"domain": "acme"}, env=env)
        assert run.rc == 0, run.stdout + run.stderr
    records = bed.requests_since(mark)
    assert len(logins(records)) == 1 and len(records) == 1 + 3 * 2
    token = cached_token(ansible)
    assert token not in run.stdout + run.stderr


def test_revoked_cached_token_is_dropped_and_replaced(ansible, bed):
    env = dict(ansible.os_env(), EOS_TOKEN_CACHE="1")
    assert ansible.module(MODULE, env=env).rc == 0
    stale = cached_token(ansible)
    revoked = bed.api("DELETE", "/v3/auth/tokens", headers={"X-Subject-Token": stale})
    assert revoked.status_code == 204
    mark = bed.log_mark()
    run = ansible.module(MODULE, env=env, verbosity=4)
    assert run.rc == 0, run.stdout + run.stderr
    assert [(r["method"], r["path"], r["status"]) for r in bed.requests_since(mark)] == [
        ("GET", "/v3/domain_usage", 401), ("POST", "/v3/auth/tokens", 201),
        ("GET", "/v3/domain_usage", 200)]
    fresh = cached_token(ansible)
    assert fresh != stale and fresh not in run.stdout + run.stderr


def test_cache_off_by_default(ansible, bed):
    mark = bed.log_mark()
    for dummy in range(2):
        assert ansible.module(MODULE, env=ansible.os_env()).rc == 0
    assert len(logins(bed.requests_since(mark))) == 2
    assert not (ansible.home / ".cache" / "easystack.eos").exists()


def test_a_wrong_password_never_rides_on_the_cached_token(ansible, bed):
    """The cache key covers the secret (an HMAC): a wrong password is a login, and it fails."""
    env = dict(ansible.os_env(), EOS_TOKEN_CACHE="1")
    assert ansible.module(MODULE, env=env).rc == 0
    cached_token(ansible)
    mark = bed.log_mark()
    run = ansible.module(MODULE, env=dict(env, OS_PASSWORD="Not-The-Admin-Password-1"))
    assert "Authentication failed" in run.assert_clean_failure()["msg"]
    assert [(r["path"], r["status"]) for r in bed.requests_since(mark)] == [
        ("/v3/auth/tokens", 401)]
    key = ansible.home / ".cache" / "easystack.eos" / "tokens" / ".key"
    assert oct(key.stat().st_mode & 0o777) == "0o600" and key.stat().st_size == 32
