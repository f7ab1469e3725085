"""A hostile or broken server: what the modules do with answers no real EOS gives.

Each test points the real modules at ``hostile_server.HostileServer`` (a small Keystone v3 + EOS
quota API in one process) switched into one misbehaviour, and checks that the task ends in a
clean failure (or a correct result) that bounds memory and time, keeps secrets out of the
output, sends nothing where it should not, and tells the user what happened in one readable line.
"""
import json
import re
import socket
import sys
import time
import uuid

import pytest

from forward_proxy import ForwardProxy
from hostile_server import FAKE_LINE
from relkit import assert_no_secret, login, task

QUOTA, USAGE, PASSWORD = "eos_domain_quota", "eos_domain_usage_info", "eos_user_password"
PEAK_RSS_LIMIT_MIB = 500
# Runs the ansible command and reports the largest resident set of the process tree under it:
# RUSAGE_CHILDREN's maxrss is the maximum over every waited-for descendant (the module included).
RSS_WRAPPER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:], check=False).returncode\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "sys.stderr.write('\\nEOS-PEAK-RSS-KIB %d\\n' % peak)\n"
    "sys.exit(code)\n")


def timed(function, *args, **kwargs):
    started = time.monotonic()
    return function(*args, **kwargs), time.monotonic() - started


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def loopback_alias():
    """A name other than localhost that /etc/hosts maps to 127.0.0.1 (``vm``, ``runsc``...)."""
    with open("/etc/hosts", encoding="utf-8") as hosts:
        for line in hosts:
            fields = line.split("#", 1)[0].split()
            for name in fields[1:] if fields[:1] == ["127.0.0.1"] else []:
                if not name.startswith("localhost") and socket.gethostbyname(name) == "127.0.0.1":
                    return name
    pytest.fail("no name other than localhost maps to 127.0.0.1 in /etc/hosts", pytrace=False)
    return None


# -- a. size ------------------------------------------------------------------------------------

def module_with_peak_rss(ansible, monkeypatch, *args, **kwargs):
    """``(run, peak RSS in MiB)`` of one ``ansible.module`` run, measured by RSS_WRAPPER."""
    plain = ansible._run  # pylint: disable=protected-access
    with monkeypatch.context() as patch:
        patch.setattr(ansible, "_run", lambda argv, env, cwd: plain(
            [sys.executable, "-c", RSS_WRAPPER] + argv, env, cwd))
        run = ansible.module(*args, **kwargs)
    peak = re.search(r"EOS-PEAK-RSS-KIB (\d+)", run.stderr)
    assert peak, run.stderr
    return run, int(peak.group(1)) / 1024.0


@pytest.mark.parametrize("mode", ["big_body", "gzip_bomb"])
def test_an_oversized_answer_is_refused_without_filling_memory(ansible, monkeypatch, server,
                                                               admin_password, mode):
    """200 MB plain, or 1.5 MB of gzip inflating to 1.5 GiB: read up to a bound, never whole."""
    server.set_mode(mode)
    run, peak = module_with_peak_rss(ansible, monkeypatch, USAGE,
                                     task(server, admin_password, domain="acme"))
    message = run.assert_clean_failure()["msg"]
    assert "larger than 4 MiB" in message, "%s (peak RSS %.0f MiB)" % (message, peak)
    assert 20 < peak < PEAK_RSS_LIMIT_MIB, "peak RSS %.0f MiB" % peak


def test_a_gzip_answer_of_two_members_is_read_whole(ansible, server, admin_password):
    """Concatenated gzip members are one valid gzip body (RFC 1952): stopping after the first
    leaves half a JSON document."""
    server.set_mode("multi_member_gzip")
    run = ansible.module(USAGE, task(server, admin_password, domain="acme"))
    assert run.rc == 0, run.stdout + run.stderr
    assert run.last["regions"]["RegionOne"] == server.domain_view()["domain"]["RegionOne"]


# -- b. time ------------------------------------------------------------------------------------

@pytest.mark.parametrize("head", [False, True], ids=["body", "status-line-and-headers"])
def test_a_slow_drip_answer_ends_within_api_timeout(ansible, server, admin_password, head):
    """One byte a second never trips a per-read timeout: api_timeout must bound the whole answer.
    The server would drip for 10 s per attempt; four attempts of 3 s end well before."""
    server.set_mode("slow_drip", head=head, max_seconds=10)
    run, elapsed = timed(ansible.module, USAGE,
                         task(server, admin_password, domain="acme", api_timeout=3))
    message = run.assert_clean_failure()["msg"]
    assert "within api_timeout" in message, message
    assert elapsed < 30, "%.1f s" % elapsed


# -- c, d, h, l, m. where requests go, and what they carry -----------------------------------

@pytest.mark.parametrize("module", [PASSWORD, QUOTA])
def test_an_https_login_does_not_follow_the_catalog_to_plain_http(ansible, bed, hostile,
                                                                  admin_password, module):
    """The catalog may name an http:// endpoint although auth_url is https://: the token (and a
    new password) would travel unencrypted. Refused before anything is sent, unless allowed."""
    plain, secure = hostile(), hostile(tls=True)
    secure.set_mode("catalog_url", url=plain.url + "/v3")
    new_password = "New-" + uuid.uuid4().hex
    options = ({"user": "bob", "domain": "acme", "password": new_password} if module == PASSWORD
               else {"domain": "acme", "quotas": {"cores": 80}})
    args = task(secure, admin_password, ca_cert=bed.ca_cert, **options)
    run = ansible.module(module, args, verbosity=4)
    assert plain.seen == [], [(r["method"], r["target"]) for r in plain.seen]
    message = run.assert_clean_failure()["msg"]
    assert "http://" in message and "allow_http_endpoints" in message, message
    assert_no_secret(run, secure, admin=admin_password, new=new_password)

    allowed = ansible.module(module, dict(args, allow_http_endpoints=True))
    assert allowed.rc == 0, allowed.stdout + allowed.stderr
    assert plain.requests(method="PATCH")


def test_credentials_in_auth_url_are_never_shown(ansible, admin_password):
    """``user:password@`` in auth_url is a secret like the password option (nothing listens on
    the port, so the failure names the URL)."""
    url = "http://svc:S3cr3t-in-url@127.0.0.1:%d/v3" % free_port()
    run = ansible.module(USAGE, {"auth": login(url, admin_password), "api_timeout": 2},
                         verbosity=4)
    message = run.assert_clean_failure()["msg"]
    assert "S3cr3t-in-url" not in message, message
    assert "S3cr3t-in-url" not in run.stdout + run.stderr


def test_a_password_sent_over_plain_http_beyond_loopback_is_warned_about(ansible, server,
                                                                         admin_password):
    """Plain http:// to a host name carries the password in clear; to a loopback literal or
    localhost it never leaves the machine, and a warning there would be noise."""
    for host, warned in ((loopback_alias(), True), ("127.0.0.1", False), ("localhost", False)):
        url = "http://%s:%d/v3" % (host, server.port)
        run = ansible.module(USAGE, {"auth": login(url, admin_password)})
        assert run.rc == 0, run.stdout + run.stderr
        warnings = " ".join(run.last.get("warnings") or [])
        assert ("unencrypted" in warnings) is warned, (host, warnings)


def test_plain_http_to_an_https_port_fails_fast_and_suggests_https(ansible, bed, admin_password):
    """The TLS port hangs up on plain HTTP, which looks like any dropped connection (so it is
    retried, 3.5 s of backoff): the message must name the cure, a scheme."""
    url = bed.tls_url.replace("https://", "http://", 1) + "/v3"
    run, elapsed = timed(ansible.module, USAGE, {"auth": login(url, admin_password)})
    message = run.assert_clean_failure()["msg"]
    assert "If that port speaks HTTPS, the URL must start with https://" in message, message
    assert elapsed < 10, "%.1f s" % elapsed


def test_ipv6_through_a_proxy_keeps_the_brackets_in_host(ansible, hostile, admin_password):
    """``Host: ::1:port`` is no host at all; a proxy forwards absolute-form requests unchanged,
    so the server sees the Host header the module wrote."""
    server = hostile("::1")
    proxy = ForwardProxy()
    try:
        run = ansible.module(USAGE, task(server, admin_password, domain="acme"),
                             env={"http_proxy": proxy.url})
    finally:
        proxy.close()
    assert run.rc == 0, run.stdout + run.stderr
    assert proxy.seen and server.seen
    hosts = {request["headers"].get("host") for request in server.seen}
    assert hosts == {"[::1]:%d" % server.port}, hosts


def test_a_redirect_on_the_login_is_not_followed(ansible, server, admin_password):
    """A 307 keeps method and body: following it would post the password to whoever the
    Location names."""
    server.set_mode("redirect")
    run = ansible.module(USAGE, task(server, admin_password))
    message = run.assert_clean_failure()["msg"]
    assert "redirect" in message and "127.0.0.1:%d" % server.sink.port in message, message
    assert server.sink.received == []


def test_a_user_id_from_the_server_stays_in_its_path_segment(ansible, server, admin_password):
    """An ID is data: ``../`` in it must not climb to another API (here the quota PATCH)."""
    server.set_mode("user_id", user_id="../../domain_quotas/default")
    new_password = "New-" + uuid.uuid4().hex
    run = ansible.module(PASSWORD, task(server, admin_password, user="bob", domain="acme",
                                        password=new_password, update_password="always"),
                         verbosity=4)
    patches = [request["target"] for request in server.requests(method="PATCH")]
    assert patches == ["/v3/users/..%2F..%2Fdomain_quotas%2Fdefault"], patches
    assert not server.requests(route="domain_quotas")
    assert_no_secret(run, server, admin=admin_password, new=new_password)


# -- f, g, k. what the server says --------------------------------------------------------------

def test_a_hostile_error_text_is_one_short_printable_line(ansible, server, admin_password):
    """~100 KB of terminal escapes, CR, LF and a fake result line: shown in short, inert."""
    server.set_mode("error_text")
    args = task(server, admin_password, domain="acme")
    message = ansible.module(USAGE, args).assert_clean_failure()["msg"]
    assert len(message) < 1000, len(message)
    assert not set("\x1b\r\n") & set(message), repr(message[:300])
    printed = ansible.module(USAGE, args, env={"ANSIBLE_STDOUT_CALLBACK": "default"})
    assert printed.rc != 0
    lines = (printed.stdout + printed.stderr).splitlines()
    assert FAKE_LINE not in [line.strip() for line in lines], printed.stdout[:2000]


@pytest.mark.parametrize("suffix,word", [("?q=1", "query"), ("#frag", "fragment")],
                         ids=["query", "fragment"])
def test_a_catalog_url_with_a_query_or_fragment_is_refused(ansible, server, admin_password,
                                                           suffix, word):
    """Paths appended after ``?`` or ``#`` go to another path than the URL reads."""
    server.set_mode("catalog_url", url=server.url + "/v3" + suffix)
    run = ansible.module(USAGE, task(server, admin_password, domain="acme"))
    message = run.assert_clean_failure()["msg"]
    assert word in message, message
    wrong = [request["target"] for request in server.seen if request["route"] is None]
    assert wrong == [], wrong


def test_a_space_in_the_catalog_url_is_one_clean_failure(ansible, server, admin_password):
    """A URL that cannot be sent as written is the catalog's fault: not retried (at most the
    one request), and not reported as the server hanging up."""
    server.set_mode("catalog_url", url=server.url + "/identity v3/v3")
    run = ansible.module(USAGE, task(server, admin_password, domain="acme"))
    message = run.assert_clean_failure()["msg"]
    assert "closed the connection" not in message, message
    assert len(server.requests(route="tokens")) == 1
    after_login = [request["target"] for request in server.seen if request["route"] != "tokens"]
    assert len(after_login) <= 1, after_login


@pytest.mark.parametrize("where,value", [
    ("quotas", '"x"'), ("quotas", "null"), ("quotas", "NaN"), ("usage", "NaN"),
], ids=["quota-string", "quota-null", "quota-NaN", "usage-NaN"])
def test_a_bad_quota_value_from_the_server_is_named_and_nothing_is_written(
        ansible, server, admin_password, where, value):
    """cores 72 (allocated 20) asked down to 10 without force: a value that cannot be compared
    must stop the task, naming item, region and endpoint, instead of crashing or writing."""
    server.set_mode("quota_value", where=where, item="cores", value=value)
    run = ansible.module(QUOTA, task(server, admin_password, domain="acme", quotas={"cores": 10}))
    message = run.assert_clean_failure()["msg"]
    for word in ("cores", "RegionOne", "/v3/domain_quotas/"):
        assert word in message, message
    assert not server.requests(method="PATCH")


def test_deeply_nested_json_is_a_clean_failure(ansible, server, admin_password):
    server.set_mode("deep_json", depth=100000)
    run = ansible.module(USAGE, task(server, admin_password, domain="acme"))
    message = run.assert_clean_failure()["msg"]
    assert "nested" in message and "recursion" not in message.lower(), message


def test_a_retry_after_of_nan_is_not_a_crash(ansible, server, admin_password):
    """``Retry-After: nan`` parses as a float; sleeping NaN seconds raises."""
    server.set_mode("retry_after", count=2, value="nan")
    run = ansible.module(USAGE, task(server, admin_password, domain="acme"))
    if run.rc == 0:
        assert run.last["regions"]["RegionOne"]["quotas"] == server.quotas
        assert len(server.requests(method="GET", route="domain_quotas")) == 3
    else:
        message = run.assert_clean_failure()["msg"]
        assert "NaN" not in message, message


# -- i, j. writes whose answer is lost ----------------------------------------------------------

def test_a_password_patch_whose_answer_is_lost_is_sent_once_and_reported(ansible, server,
                                                                         admin_password):
    """A PATCH of a password is not blindly repeated when its answer is lost; the module finds
    out (the new password logs in) and says it could not read the answer."""
    server.set_mode("drop_after_patch")
    old_password, new_password = server.password, "New-" + uuid.uuid4().hex
    run = ansible.module(PASSWORD, task(server, admin_password, user="bob", domain="acme",
                                        password=new_password), verbosity=4)
    patches = server.requests(method="PATCH", route="user")
    assert len(patches) == 1, [request["target"] for request in patches]
    assert server.password == new_password
    assert run.rc == 0, run.stdout + run.stderr
    result = run.last
    assert result["changed"] is True and result["password_state"] == "updated", result
    assert result.get("warnings"), result
    assert_no_secret(run, server, admin=admin_password, new=new_password, old=old_password)


def test_an_empty_answer_to_the_quota_patch_says_it_may_have_been_applied(ansible, server,
                                                                          admin_password):
    server.set_mode("empty_patch_answer")
    run = ansible.module(QUOTA, task(server, admin_password, domain="acme", quotas={"cores": 80}))
    result = run.assert_clean_failure()
    assert "may have been applied" in result["msg"], result["msg"]
    assert result.get("changed") is True, json.dumps(result)[:500]
    assert server.quotas["cores"] == 80


def echo_the_password(request, connection):
    """A server that echoes the request's password back in an error: JSON-escaped (as it came),
    \\u-escaped, URL-encoded and Python-escaped, the forms a careless server produces."""
    if request["method"] != "PATCH" or request["route"] != "user":
        return False
    from urllib.parse import quote, quote_plus
    password = json.loads(request["body"])["user"]["password"]
    echoed = "%s | %s | %s | %s | %s" % (
        request["body"].decode("utf-8"), json.dumps(password), quote(password, safe=""),
        quote_plus(password), repr(password))
    body = json.dumps({"error": {"code": 400, "title": "Bad Request",
                                 "message": "Invalid password in " + echoed}}).encode()
    connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n"
                       b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
    return True


@pytest.mark.parametrize("new_password", ['S3cr"\u00e9\t!x', "p/a s+s&w=o?r%d"],
                         ids=["json-escapes", "url-escapes"])
def test_a_password_echoed_back_in_any_escaping_never_reaches_the_output(
        ansible, server, admin_password, new_password):
    server.set_mode("raw", handler=echo_the_password)
    run = ansible.module(PASSWORD, task(server, admin_password, user="bob", domain="acme",
                                        password=new_password, update_password="always"),
                         verbosity=4)
    run.assert_clean_failure()
    from urllib.parse import quote, quote_plus
    forms = {"raw": new_password, "json": json.dumps(new_password)[1:-1],
             "json-unicode": json.dumps(new_password, ensure_ascii=False)[1:-1],
             "url": quote(new_password, safe=""), "url-plus": quote_plus(new_password),
             "python": repr(new_password)[1:-1]}
    assert_no_secret(run, server, admin=admin_password, **forms)
