"""Proxies from the environment: the modules' HTTPS goes through a CONNECT tunnel, plain HTTP
as absolute-form requests, no_proxy bypasses, and a proxy that refuses is a clean failure."""
import pytest

from forward_proxy import ForwardProxy


@pytest.fixture()
def proxy():
    server = ForwardProxy()
    yield server
    server.close()


def tls_args(bed):
    return {"auth": {"auth_url": bed.tls_url + "/v3"}, "endpoint_override": bed.tls_url,
            "ca_cert": bed.ca_cert}


def test_https_goes_through_a_connect_tunnel(ansible, bed, proxy):
    env = dict(ansible.os_env(), https_proxy=proxy.url, HTTP_PROXY="http://127.0.0.1:9")
    run = ansible.module("eos_domain_usage_info", tls_args(bed), env=env)
    assert run.rc == 0, run.stdout + run.stderr
    port = bed.tls_url.rsplit(":", 1)[1]
    # one tunnel: the login and the read share it (keep-alive); the HTTP_PROXY decoy is unused
    assert len(proxy.seen) == 1, proxy.seen
    assert proxy.seen[0][0].startswith("CONNECT 127.0.0.1:%s HTTP/1." % port), proxy.seen


def test_http_goes_through_the_proxy_in_absolute_form(ansible, bed, proxy):
    run = ansible.module("eos_domain_usage_info", {"domain": "acme"},
                         env=dict(ansible.os_env(), http_proxy=proxy.url))
    assert run.rc == 0, run.stdout + run.stderr
    assert run.last["domain"]["name"] == "acme"
    first = proxy.seen[0][0]
    assert first.startswith("POST %s/auth/tokens HTTP/1." % bed.auth_url), proxy.seen


@pytest.mark.parametrize("no_proxy", ["localhost,127.0.0.1", "10.0.0.0/8,127.0.0.0/8"],
                         ids=["host", "address-range"])
def test_no_proxy_bypasses_it(ansible, bed, proxy, no_proxy):
    env = dict(ansible.os_env(), http_proxy=proxy.url, https_proxy=proxy.url, no_proxy=no_proxy)
    run = ansible.module("eos_domain_usage_info", {"domain": "acme"}, env=env)
    assert run.rc == 0, run.stdout + run.stderr
    assert proxy.seen == []


def test_proxy_credentials_are_sent_and_never_shown(ansible, bed):
    proxy = ForwardProxy(credentials="proxy-user:Proxy-Secret-1")
    try:
        env = dict(ansible.os_env(), https_proxy="http://proxy-user:Proxy-Secret-1@127.0.0.1:%d" % proxy.port)
        run = ansible.module("eos_domain_usage_info", tls_args(bed), env=env, verbosity=4)
        assert run.rc == 0, run.stdout + run.stderr
        assert proxy.seen[0][1] is not None
        assert "Proxy-Secret-1" not in run.stdout + run.stderr
    finally:
        proxy.close()


def test_a_proxy_that_refuses_the_tunnel_is_a_clean_failure(ansible, bed):
    proxy = ForwardProxy(credentials="someone:else")
    try:
        run = ansible.module("eos_domain_usage_info", tls_args(bed),
                             env=dict(ansible.os_env(), HTTPS_PROXY=proxy.url))
        message = run.assert_clean_failure()["msg"]
    finally:
        proxy.close()
    assert message.startswith("Cannot send POST %s/v3/auth/tokens: the proxy http://127.0.0.1:%d failed or "
                              "refused the request: Tunnel connection failed: 407 Proxy Authentication "
                              "Required" % (bed.tls_url, proxy.port)), message
