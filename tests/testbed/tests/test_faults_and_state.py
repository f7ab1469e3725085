"""Fault injection, the control API, the request log, and state across restarts."""
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

BED = Path(__file__).resolve().parents[1] / "bed.py"


def get_quotas(bed, domain_id, **kwargs):
    return bed.api("GET", "/v3/domain_quotas/" + domain_id, **kwargs)


def test_faults_are_off_by_default(bed, acme):
    assert bed.control("GET", "/faults").json() == {"faults": []}
    assert {get_quotas(bed, acme).status_code for dummy in range(3)} == {200}


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_status_fault_for_n_requests_then_normal(bed, acme, status):
    bed.fault("^/v3/domain_quotas/", count=2, status=status)
    codes = [get_quotas(bed, acme).status_code for dummy in range(3)]
    assert codes == [status, status, 200]


def test_429_with_retry_after(bed, acme):
    bed.fault("^/v3/domain_quotas/", status=429, retry_after=3)
    response = get_quotas(bed, acme)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3"
    assert response.json()["error"]["title"] == "Too Many Requests"
    assert response.headers["RequestId"]


def test_fault_matches_method_and_path(bed, acme):
    bed.fault("^/v3/domain_quotas/", method="PATCH", status=503)
    assert get_quotas(bed, acme).status_code == 200
    assert bed.api("GET", "/v3/domain_usage").status_code == 200
    assert bed.api("PATCH", "/v3/domain_quotas/" + acme,
                   json={"domain": {"region": "RegionOne"}}).status_code == 503


def test_fault_on_the_proxied_token_endpoint(bed):
    bed.fault("^/v3/auth/tokens$", method="POST", status=503)
    assert bed.login("admin").status_code == 503
    assert bed.login("admin").status_code == 201


def test_delay(bed, acme):
    bed.fault("^/v3/domain_quotas/", delay=1.0)
    started = time.monotonic()
    assert get_quotas(bed, acme).status_code == 200
    assert time.monotonic() - started >= 1.0
    with pytest.raises(requests.Timeout):
        bed.fault("^/v3/domain_quotas/", delay=2.0)
        get_quotas(bed, acme, timeout=0.5)


def test_dropped_connection(bed, acme):
    bed.token()  # log in before the fault, so only the quota call is dropped
    bed.fault("^/v3/domain_quotas/", drop=True)
    with pytest.raises(requests.ConnectionError):
        get_quotas(bed, acme)
    assert get_quotas(bed, acme).status_code == 200


def test_malformed_json(bed, acme):
    bed.fault("^/v3/domain_quotas/", malformed=True)
    response = get_quotas(bed, acme)
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()


def test_html_error_page(bed, acme):
    bed.fault("^/v3/domain_usage", html=True, status=502)
    response = bed.api("GET", "/v3/domain_usage")
    assert response.status_code == 502
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<html>" in response.text


def test_ignored_write(bed, acme):
    bed.fault("^/v3/domain_quotas/", method="PATCH", ignore_write=True)
    response = bed.api("PATCH", "/v3/domain_quotas/" + acme,
                       json={"domain": {"region": "RegionOne", "cores": 99}})
    assert response.status_code == 200
    assert response.json()["domain"]["RegionOne"]["quotas"]["cores"] == 72
    assert get_quotas(bed, acme).json()["domain"]["RegionOne"]["quotas"]["cores"] == 72


def test_control_api_needs_the_control_token(bed):
    for headers in ({}, {"X-Bed-Control": "wrong"}):
        response = bed.http.post(bed.url + "/_bed/faults", json={"path": ".*", "status": 500},
                                 headers=headers, timeout=10)
        assert response.status_code == 403
    assert bed.control("GET", "/faults").json() == {"faults": []}


def test_bad_fault_rule_is_rejected(bed):
    response = bed.http.post(bed.url + "/_bed/faults", json={"path": "(unclosed"},
                             headers={"X-Bed-Control": bed.state["control_token"]}, timeout=10)
    assert response.status_code == 400


def test_request_log_records_every_request_without_secrets(bed, acme):
    mark = bed.log_mark()
    token = bed.token("admin", fresh=True)
    get_quotas(bed, acme)
    bed.fault("^/v3/domain_quotas/", status=503)
    get_quotas(bed, acme)
    records = bed.requests_since(mark)
    assert [(r["method"], r["path"], r["status"]) for r in records] == [
        ("POST", "/v3/auth/tokens", 201),
        ("GET", "/v3/domain_quotas/" + acme, 200),
        ("GET", "/v3/domain_quotas/" + acme, 503),
    ]
    assert records[2]["fault"] == {"status": 503}
    assert all(r["request_id"].startswith("req-") for r in records)
    text = bed.request_log.read_text()
    assert token not in text and bed.users["admin"]["password"] not in text


def test_quota_state_survives_a_restart(bed, acme):
    bed.api("PATCH", "/v3/domain_quotas/" + acme,
            json={"domain": {"region": "RegionOne", "cores": 321, "ram": 4096.5}})
    subprocess.run([sys.executable, str(BED), "restart", "simulator"], check=True)
    quotas = get_quotas(bed, acme).json()["domain"]["RegionOne"]["quotas"]
    assert (quotas["cores"], quotas["ram"]) == (321, 4096.5)


def test_https_endpoint_with_the_beds_ca(bed, acme):
    token = bed.token()
    response = bed.http.get(bed.tls_url + "/v3/domain_quotas/" + acme, verify=bed.ca_cert,
                            headers={"X-Auth-Token": token}, timeout=10)
    assert response.status_code == 200
    assert response.json()["domain"]["RegionOne"]["quotas"]["cores"] == 72
    with pytest.raises(requests.exceptions.SSLError):
        bed.http.get(bed.tls_url + "/_bed/health", verify=True, timeout=10)


UNREACHABLE_KEYSTONE = """
import json, socket, sys
sys.path.insert(0, sys.argv[1])
from simulator.app import create_app
with socket.socket() as probe:  # a port nothing listens on
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
app = create_app({"EOS_SIM_DB": sys.argv[2] + "/quota.db", "EOS_SIM_FIXTURE": sys.argv[3],
                  "EOS_SIM_REQUEST_LOG": sys.argv[2] + "/requests.jsonl",
                  "EOS_SIM_KEYSTONE_URL": "http://127.0.0.1:%d" % port})
client = app.test_client()
print(client.get("/v3/domain_quotas/x", headers={"X-Auth-Token": "t"}).status_code)
print(client.post("/v3/auth/tokens", json={}).status_code)
"""


def test_a_server_error_of_the_bed_is_logged_with_its_reason(bed, tmp_path):
    """An unexpected 5xx (here Keystone unreachable) says why in requests.jsonl, not only 5xx."""
    bed_python = bed.root / "venv" / "bin" / "python"
    here = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [str(bed_python), "-c", UNREACHABLE_KEYSTONE, str(here), str(tmp_path),
         str(here / "fixtures" / "quota_service.json")],
        capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["503", "502"]
    records = [json.loads(line) for line in (tmp_path / "requests.jsonl").read_text().splitlines()]
    assert [(r["status"], r["error"].split(" ")[0]) for r in records] == [
        (503, "Keystone"), (502, "Keystone")]
    assert "unreachable" in records[0]["error"] and "unreachable" in records[1]["error"]
