# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""EosSession: headers, bounded retries of idempotent calls, and the errors it raises."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import sys

import pytest
import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError

from ansible_collections.easystack.eos.plugins.module_utils.retry import BACKOFF, MAX_RETRIES, MAX_RETRY_AFTER
from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
from ansible_collections.easystack.eos.plugins.module_utils.session import EosSession
from ansible_collections.easystack.eos.plugins.module_utils.version import COLLECTION_VERSION
from ansible_collections.easystack.eos.tests.unit.plugins.module_utils.eos_fakes import (
    PASSWORD, TOKEN, assert_no_secret, fake_session, reply, settings_of)

URL = "https://quota.example:9999/v3/domain_usage"
KEYSTONE_404 = {"error": {"code": 404, "title": "Not Found", "message": "Could not find domain: acme."}}


def no_connection(number, text):
    """What requests raises when the connection could not be made (an OSError underneath)."""
    cause = OSError(number, text)
    reason = NewConnectionError(None, "Failed to establish a new connection: [Errno %d] %s"
                                % (number, text))
    reason.__cause__ = cause
    return requests.exceptions.ConnectionError(MaxRetryError(None, "/", reason))


REFUSED = no_connection(errno.ECONNREFUSED, "Connection refused")
CLOSED = requests.exceptions.ConnectionError(ProtocolError(
    "Connection aborted.", ConnectionResetError("Remote end closed connection without response")))


def answers(*replies):
    """A handler giving ``replies`` in order (the last one repeats)."""
    queue = list(replies)

    def handler(request):
        return queue.pop(0) if len(queue) > 1 else queue[0]
    return handler


def failing(session, method="GET", url=URL, **kwargs):
    with pytest.raises(EosError) as info:
        session.request(method, url, headers={"X-Auth-Token": TOKEN}, **kwargs)
    assert_no_secret(info.value)
    return info.value


def test_headers_timeout_and_tls_settings():
    settings = settings_of(ca_cert="/ca/eos.pem", client_cert="/c/me.crt", client_key="/c/me.key",
                           api_timeout=7.0)
    session = fake_session(answers(reply(200, {"ok": True})), settings)
    response = session.request("PATCH", URL, body={"cores": 10}, headers={"X-Auth-Token": TOKEN})
    assert session.json(response, "PATCH", URL) == {"ok": True}
    sent = session.adapter.sent[0]
    assert sent["headers"]["User-Agent"] == "easystack.eos/%s python-requests/%s python/%d.%d" % (
        (COLLECTION_VERSION, requests.__version__) + tuple(sys.version_info[:2]))
    assert sent["headers"]["User-Agent"].startswith("easystack.eos/")
    assert sent["headers"]["Accept"] == "application/json"
    assert sent["headers"]["Content-Type"] == "application/json"
    assert sent["headers"]["X-Auth-Token"] == TOKEN
    assert sent["body"] == {"cores": 10}
    assert sent["timeout"] == (7.0, 7.0)
    assert sent["verify"] == "/ca/eos.pem" and sent["cert"] == ("/c/me.crt", "/c/me.key")
    assert sent["stream"] is True
    assert session.requests_sent == 1


def test_get_sends_no_body():
    session = fake_session(answers(reply(200, {})))
    session.request("GET", URL)
    assert session.adapter.sent[0]["body"] is None
    assert "Content-Type" not in session.adapter.sent[0]["headers"]


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_idempotent_call_retried_up_to_max_retries(status):
    session = fake_session(answers(reply(status, {"error": {"message": "busy"}},
                                         {"X-Openstack-Request-Id": "req-last"})))
    error = failing(session)
    assert session.requests_sent == MAX_RETRIES + 1
    assert session.sleeps == [BACKOFF * 2 ** n for n in range(MAX_RETRIES)]
    assert error.status == status and error.request_id == "req-last"
    assert "(after %d attempts)" % (MAX_RETRIES + 1) in str(error)


def test_retry_then_success():
    session = fake_session(answers(reply(503), reply(502), reply(200, {"a": 1})))
    response = session.request("GET", URL)
    assert response.status_code == 200
    assert session.sleeps == [0.5, 1.0]
    assert session.requests_sent == 3


@pytest.mark.parametrize("method, idempotent", [("POST", True), ("PATCH", True), ("HEAD", None)])
def test_marked_idempotent_calls_are_retried(method, idempotent):
    session = fake_session(answers(reply(503), reply(200, {})))
    session.request(method, URL, body={"x": 1}, idempotent=idempotent)
    assert session.requests_sent == 2


@pytest.mark.parametrize("method, idempotent", [("POST", None), ("PATCH", None), ("DELETE", None),
                                                ("GET", False)])
def test_non_idempotent_calls_are_not_retried(method, idempotent):
    session = fake_session(answers(reply(502, {"error": {"message": "busy"}}), reply(200, {})))
    error = failing(session, method, body={"x": 1}, idempotent=idempotent)
    assert session.requests_sent == 1 and session.sleeps == []
    assert error.status == 502 and "attempts" not in str(error)


def test_a_request_that_never_left_is_retried_even_when_not_idempotent():
    """Refused: nothing reached the server, so sending again cannot apply anything twice."""
    session = fake_session(answers(REFUSED, reply(200, {})))
    session.request("PATCH", URL, body={"x": 1}, idempotent=False)
    assert session.requests_sent == 2 and session.sleeps == [BACKOFF]


def test_a_non_idempotent_write_is_not_resent_after_a_lost_answer():
    session = fake_session(answers(CLOSED, reply(200, {})))
    error = failing(session, "PATCH", body={"x": 1}, idempotent=False)
    assert session.requests_sent == 1 and session.sleeps == []
    assert error.maybe_applied and error.fail_kwargs()["changed"] is True
    assert "the write may have been applied" in str(error)


def test_a_retried_write_that_finally_fails_may_still_have_been_applied():
    session = fake_session(answers(CLOSED, reply(400, {"error": {"message": "no"}})))
    error = failing(session, "PATCH", body={"x": 1}, idempotent=True)
    assert session.requests_sent == 2
    assert error.maybe_applied and "may have been applied" in str(error)


@pytest.mark.parametrize("status", [429, 503])
def test_a_status_that_says_not_processed_is_retried_even_for_a_non_idempotent_write(status):
    session = fake_session(answers(reply(status), reply(200, {})))
    session.request("PATCH", URL, body={"x": 1}, idempotent=False)
    assert session.requests_sent == 2


@pytest.mark.parametrize("status", [502, 504])
def test_a_gateway_error_on_a_write_may_have_been_applied(status):
    session = fake_session(answers(reply(status, {"error": {"message": "upstream"}}), reply(200, {})))
    error = failing(session, "PATCH", body={"x": 1}, idempotent=False)
    assert session.requests_sent == 1  # not resent
    assert error.status == status and error.maybe_applied
    assert "may have been applied" in str(error)


def test_a_gateway_error_on_a_read_is_just_an_error():
    error = failing(fake_session(answers(reply(502))))
    assert not error.maybe_applied


def test_a_ca_bundle_that_cannot_be_read_is_a_clean_failure():
    session = EosSession(settings_of(ca_cert="/nonexistent/ca.pem"), sleep=pytest.fail)
    error = failing(session, url="https://127.0.0.1:9/v3")
    assert "Check ca_cert" in str(error) and "/nonexistent/ca.pem" in str(error)
    assert session.requests_sent == 1


def test_a_read_that_fails_is_never_called_applied():
    error = failing(fake_session(lambda request: CLOSED))
    assert not error.maybe_applied and "changed" not in error.fail_kwargs()


def test_server_error_500_is_not_retried():
    session = fake_session(answers(reply(500, {"error": {"message": "boom"}})))
    assert failing(session).status == 500
    assert session.requests_sent == 1


@pytest.mark.parametrize("value, slept", [
    ("7", 7.0), ("0", 0.0), ("-3", 0.0), ("1.5", 1.5), ("9999", MAX_RETRY_AFTER),
    ("Wed, 21 Oct 2037 07:28:00 GMT", BACKOFF), ("nan", BACKOFF), ("NaN", BACKOFF),
    ("inf", BACKOFF), ("-inf", BACKOFF),
])
def test_retry_after_is_honoured(value, slept):
    session = fake_session(answers(reply(429, headers={"Retry-After": value}), reply(200, {})))
    session.request("GET", URL)
    assert session.sleeps == [slept]


def test_connection_errors_are_retried_for_idempotent_calls():
    session = fake_session(lambda request: REFUSED)
    error = failing(session)
    assert session.requests_sent == MAX_RETRIES + 1
    assert session.sleeps == [0.5, 1.0, 2.0]
    assert str(error) == "Cannot reach GET %s: connection refused; is the URL right and the service up? (4 attempts)" % URL
    assert (error.method, error.url, error.status) == ("GET", URL, None)


def test_connection_error_then_success():
    queue = [CLOSED, reply(200, {"ok": 1})]
    session = fake_session(lambda request: queue.pop(0))
    assert session.request("GET", URL).status_code == 200
    assert session.sleeps == [0.5]


@pytest.mark.parametrize("exc, words, attempts", [
    (requests.exceptions.ReadTimeout("timed out"), "no answer within api_timeout (30.0 s)", 4),
    (requests.exceptions.ConnectTimeout("timed out"), "connection timed out after 30.0 s (api_timeout)", 4),
    (requests.exceptions.ConnectionError("NameResolutionError: [Errno -2] Name or service not known"),
     "does not resolve", 4),
    (CLOSED, "closed the connection", 4),
    (REFUSED, "connection refused", 4),
    (no_connection(errno.EHOSTUNREACH, "No route to host"), "no route to the host", 1),
    (no_connection(errno.ENETUNREACH, "Network is unreachable"), "no route to the host", 1),
    (requests.exceptions.ContentDecodingError("incorrect header check"), "compressed body is corrupt", 1),
])
def test_connection_error_messages(exc, words, attempts):
    """Each failure says what it is (no route is not 'closed'), and only what may pass is retried."""
    session = fake_session(lambda request: exc)
    error = failing(session, "POST", idempotent=True)
    assert words in str(error)
    assert str(error).startswith("Cannot reach POST %s" % URL)
    assert session.requests_sent == attempts


def test_timeout_message_names_the_configured_timeout():
    session = fake_session(lambda request: requests.exceptions.ReadTimeout("x"), settings_of(api_timeout=4.5))
    error = failing(session, "POST")
    assert "api_timeout (4.5 s)" in str(error)


def test_tls_error_mentions_ca_cert_and_is_not_retried():
    session = fake_session(lambda request: requests.exceptions.SSLError(
        "HTTPSConnectionPool(host='eos', port=443): Max retries exceeded with url: /v3 (Caused by "
        "SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify "
        "failed: unable to get local issuer certificate (_ssl.c:1000)')))"))
    error = failing(session)
    assert session.requests_sent == 1
    assert "TLS certificate verification failed for GET %s" % URL in str(error)
    assert "certificate verify failed: unable to get local issuer certificate. Set ca_cert" in str(error)
    assert "ca_cert" in str(error) and "validate_certs" in str(error)


def test_tls_handshake_error_is_not_retried_and_says_what_to_check():
    session = fake_session(lambda request: requests.exceptions.SSLError(
        "[SSL: WRONG_VERSION_NUMBER] wrong version number"))
    error = failing(session)
    assert session.requests_sent == 1
    assert str(error).startswith("TLS handshake failed for GET %s: [SSL: WRONG_VERSION_NUMBER]" % URL)
    assert "HTTPS endpoint" in str(error)


@pytest.mark.parametrize("url", ["keystone.example/v3/auth/tokens", "ftp://keystone.example/v3", "https:///v3",
                                 "https://keystone.example:99999/v3", "https://key stone.example/v3"])
def test_invalid_url_is_a_clean_error_that_is_not_retried(url):
    session = EosSession(settings_of(), sleep=pytest.fail)  # the real adapter: refuses before connecting
    error = failing(session, url=url)
    assert str(error).startswith("Cannot send GET %s: invalid URL" % url)
    assert session.requests_sent == 1


def test_error_carries_status_request_id_method_url_and_api_message():
    session = fake_session(answers(reply(404, KEYSTONE_404, {"X-Openstack-Request-Id": "req-123"})))
    error = failing(session)
    assert (error.status, error.request_id, error.method, error.url) == (404, "req-123", "GET", URL)
    assert error.title == "Not Found"
    assert error.server_message == "Could not find domain: acme"  # its full stop goes: we append
    assert str(error) == "GET %s answered HTTP 404 Not Found: Could not find domain: acme (request id req-123)" % URL
    assert error.fail_kwargs() == {"msg": str(error), "status": 404, "request_id": "req-123", "url": URL,
                                   "method": "GET"}


def test_request_id_from_requestid_header():
    session = fake_session(answers(reply(400, {"error": {"message": "bad"}}, {"RequestId": "eos-req-9"})))
    error = failing(session, "PATCH", body={"cores": -5})
    assert error.request_id == "eos-req-9"
    assert "eos-req-9" in str(error) and "bad" in str(error)


def test_403_hints_at_the_admin_role():
    session = fake_session(answers(reply(403, {"error": {"title": "Forbidden", "message": "nope"}})))
    assert "admin role" in str(failing(session))


def test_non_json_error_body():
    session = fake_session(answers(reply(502, raw=b"<html>Bad Gateway</html>",
                                         headers={"Content-Type": "text/html; charset=utf-8"},
                                         reason="Bad Gateway")))
    error = failing(session, "POST")
    assert error.status == 502
    assert str(error) == "POST %s answered HTTP 502 Bad Gateway: non-JSON text/html body" % URL


def test_empty_error_body_and_json_without_error_object():
    session = fake_session(answers(reply(409, reason="Conflict")))
    assert str(failing(session, "POST")).endswith("HTTP 409 Conflict: empty body")
    session = fake_session(answers(reply(400, ["not", "a", "dict"], reason="Bad Request")))
    assert "HTTP 400 Bad Request: non-JSON application/json body" in str(failing(session, "POST"))


def test_non_json_success_body_is_an_eos_error():
    session = fake_session(answers(reply(200, raw=b"<html>login portal</html>", headers={
        "Content-Type": "text/html", "X-Openstack-Request-Id": "req-7"})))
    response = session.request("GET", URL)
    with pytest.raises(EosError) as info:
        session.json(response, "GET", URL)
    error = info.value
    assert (error.status, error.request_id, error.method, error.url) == (200, "req-7", "GET", URL)
    assert "not valid JSON (text/html, 25 bytes: Expecting value" in str(error)


def test_password_in_body_never_reaches_the_error():
    session = fake_session(answers(reply(500, {"error": {"title": "Internal", "message": "oops"}})))
    failing(session, "POST", body={"auth": {"password": PASSWORD}}, idempotent=True)
    assert session.requests_sent == 1


@pytest.mark.parametrize("params, expected", [
    ({}, True),
    ({"validate_certs": False}, False),
    ({"ca_cert": "/ca/eos.pem"}, "/ca/eos.pem"),
])
def test_tls_settings_reach_requests(params, expected):
    settings = settings_of(client_cert="/c/me.crt", client_key="/c/me.key", **params)
    http = EosSession(settings).http
    assert (http.verify, http.cert) == (expected, ("/c/me.crt", "/c/me.key"))


def test_a_corrupt_gzip_body_is_reported_once_not_retried():
    # "no answer at all" is worth another try; an answer that cannot be decoded is not
    session = fake_session(answers(reply(200, headers={"Content-Encoding": "gzip"},
                                         raw=b"\x1f\x8b\x08\x00 this is not gzip")))
    error = failing(session)
    assert str(error).startswith("Cannot reach GET %s: the answer's compressed body is corrupt"
                                 % URL)
    assert session.requests_sent == 1 and session.sleeps == []
