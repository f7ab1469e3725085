"""TLS: the bed's HTTPS endpoint, whose certificate is signed by the bed's own CA.

auth_url and endpoint_override point at HTTPS; tokens issued over HTTPS carry a catalog that
names the HTTPS endpoint too (the bed rewrites it, as a cloud served over TLS has it), so
identity lookups stay on TLS.
"""
import pytest

from bedkit import server_quotas

SYSTEM_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
# Without ca_cert requests verifies with REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE, else certifi's bundle.
NO_CA_ENV = {"REQUESTS_CA_BUNDLE": "", "CURL_CA_BUNDLE": ""}


def tls_args(bed, **extra):
    return dict({"auth": {"auth_url": bed.tls_url + "/v3"}, "endpoint_override": bed.tls_url},
                **extra)


def test_with_the_bed_ca_reads_and_writes(ansible, bed, identities):
    assert bed.tls_url.startswith("https://")
    env = ansible.os_env()
    info = ansible.module("eos_domain_usage_info", tls_args(bed, ca_cert=bed.ca_cert), env=env)
    assert info.rc == 0, info.stdout + info.stderr
    assert info.last["view"] == "platform" and "RegionOne" in info.last["regions"]
    assert not info.last.get("warnings")
    domain = identities.domain("rel-tls")
    quota = ansible.module("eos_domain_quota", tls_args(
        bed, ca_cert=bed.ca_cert, domain=domain["name"], quotas={"cores": 77}), env=env)
    assert quota.rc == 0 and quota.last["changed"] is True, quota.stdout + quota.stderr
    assert server_quotas(bed, domain["id"])["cores"] == 77


@pytest.mark.parametrize("ca_cert,extra_env", [
    (None, NO_CA_ENV),  # validate_certs defaults to true: certifi's bundle
    (None, dict(NO_CA_ENV, SSL_CERT_FILE="@bed")),  # OpenSSL's variable: requests does not read it
    (SYSTEM_CA_BUNDLE, {"REQUESTS_CA_BUNDLE": "@bed"}),  # ca_cert wins over the variable
], ids=["no-ca_cert", "ssl-cert-file-not-read", "ca_cert-wins-over-requests-ca-bundle"])
def test_without_the_bed_ca_fails_cleanly(ansible, bed, ca_cert, extra_env):
    args = tls_args(bed, ca_cert=ca_cert) if ca_cert else tls_args(bed)
    extra_env = {key: bed.ca_cert if value == "@bed" else value for key, value in extra_env.items()}
    run = ansible.module("eos_domain_usage_info", args, env=dict(ansible.os_env(), **extra_env))
    message = run.assert_clean_failure()["msg"]
    assert "TLS certificate verification failed" in message and "ca_cert" in message, message
    assert "certificate verify failed: unable to get local issuer certificate" in message, message
    assert bed.tls_url in message  # names where


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_the_ca_bundle_variables_requests_users_expect_work_without_ca_cert(ansible, bed, variable):
    env = dict(ansible.os_env(), **NO_CA_ENV)  # this machine sets both to the system store
    env[variable] = bed.ca_cert
    run = ansible.module("eos_domain_usage_info", tls_args(bed), env=env)
    assert run.rc == 0, run.stdout + run.stderr


def test_domain_lookups_follow_the_https_catalog(ansible, bed):
    """Over HTTPS the bed hands out an HTTPS catalog: lookups by name stay on TLS, no downgrade."""
    run = ansible.module("eos_domain_usage_info", {"auth": {"auth_url": bed.tls_url + "/v3"},
                                                   "domain": "acme", "ca_cert": bed.ca_cert},
                         env=ansible.os_env())
    assert run.rc == 0, run.stdout + run.stderr
    assert run.last["domain"]["name"] == "acme"  # an http:// identity endpoint would be refused


def test_validate_certs_false_succeeds_with_a_warning(ansible, bed):
    run = ansible.module("eos_domain_usage_info", tls_args(bed, validate_certs=False),
                         env=dict(ansible.os_env(), **NO_CA_ENV))
    assert run.rc == 0, run.stdout + run.stderr
    warnings = " ".join(run.last.get("warnings") or []) + run.stderr
    assert "TLS certificate verification is off" in warnings, run.stdout + run.stderr
