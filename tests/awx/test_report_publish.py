"""The quota report leaves the AWX job: docs/awx.md section 4, run as AWX runs a job.

``project/eos_quota_report_publish.yml`` (shown verbatim in the docs) runs the quota_report role
against the bed and PUTs the HTML page and the CSV to an object-store container. A small HTTP
server on 127.0.0.1 stands in for the container: it keeps every PUT's body and headers and, like
Swift, refuses a wrong X-Auth-Token with 401. The credentials are injected by AWX's own code: the
built-in OpenStack one for EOS and the "EOS report store" custom type of the docs.
"""
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from awx_credentials import inject_custom, inject_openstack, load_credential_type
from awx_job import AwxJob

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PLAYBOOK = "eos_quota_report_publish.yml"
TOKEN = "store-token-0d9f"  # the test server's own, never a real secret


class ObjectStore:
    """PUT /<container>/<object> stores the body; the object store of the test."""

    def __init__(self, token):
        self.objects = {}
        self.requests = []
        store = self

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self):  # pylint: disable=invalid-name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                store.requests.append((self.path, dict(self.headers)))
                if self.headers.get("X-Auth-Token") != token:
                    self.send_response(401)
                    self.end_headers()
                    return
                store.objects[self.path] = (body, self.headers.get("Content-Type"))
                self.send_response(201)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):  # pylint: disable=arguments-differ
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def store():
    with ObjectStore(TOKEN) as server:
        yield server


def job_env(bed, private_data_dir, container_url, token):
    """What AWX injects for the two credentials of the job template."""
    admin = bed.users["admin"]
    env, _safe, _extra = inject_openstack({"host": bed.auth_url, "username": "admin",
                                           "password": admin["password"], "project": admin["project"],
                                           "domain": admin["domain"], "region": bed.region},
                                          private_data_dir)
    inputs, injectors = load_credential_type(HERE / "report_store_inputs.yml", HERE / "report_store_injectors.yml")
    store_env, safe_env, _extra = inject_custom(inputs, injectors, {"container_url": container_url, "token": token},
                                                private_data_dir)
    assert token not in str(safe_env)
    env.update(store_env)
    return env, [admin["password"], token]


def test_report_reaches_the_object_store_intact(bed, eos_domain, collections, store, tmp_path):
    job = AwxJob(tmp_path / "private_data_dir", collections, "job-report")
    envvars, secrets = job_env(bed, job.private_data_dir, store.url + "/reports/", TOKEN)

    result = job.run(PLAYBOOK, envvars, {"eos_quota_report_domains": [eos_domain["name"]],
                                         "eos_report_store_prefix": "weekly/"}, verbosity=3)

    assert result.status == "successful" and result.rc == 0, result.describe()
    written = Path(job.private_data_dir) / "project" / "eos-quota-report"
    expected = {"/reports/weekly/eos-quota-report.html": "text/html; charset=utf-8",
                "/reports/weekly/eos-quota-report.csv": "text/csv; charset=utf-8"}
    assert sorted(store.objects) == sorted(expected)
    for path, content_type in expected.items():
        body, received_type = store.objects[path]
        assert body == (written / Path(path).name).read_bytes(), path  # byte for byte
        assert received_type == content_type
    html = store.objects["/reports/weekly/eos-quota-report.html"][0].decode()
    assert "<html" in html and eos_domain["name"] in html
    csv_lines = store.objects["/reports/weekly/eos-quota-report.csv"][0].decode().splitlines()
    assert csv_lines[0].startswith("region,scope,name,item,")
    assert any(",%s," % eos_domain["name"] in line for line in csv_lines[1:])
    said = result.result("Say where the report is, or why it is not there")
    assert said["msg"] == "Published: %s/reports/weekly/eos-quota-report.html, %s/reports/weekly/eos-quota-report.csv" % (
        store.url, store.url)
    for secret in secrets:
        assert secret not in result.recorded_text()


def test_refused_publish_fails_the_job_and_says_why(bed, collections, store, tmp_path):
    job = AwxJob(tmp_path / "private_data_dir", collections, "job-report-refused")
    wrong = "wrong-token-77c1"
    envvars, secrets = job_env(bed, job.private_data_dir, store.url + "/reports", wrong)

    result = job.run(PLAYBOOK, envvars, {"eos_quota_report_platform": True}, verbosity=4)

    assert result.status == "failed" and result.rc != 0, result.describe()
    assert not store.objects and len(store.requests) == 2
    failed = result.result("Say where the report is, or why it is not there", event="runner_on_failed")
    assert failed["msg"].startswith("Publishing failed: %s/reports/eos-quota-report.html 401 " % store.url), failed
    assert "HTTP Error 401" in failed["msg"]
    for secret in secrets:
        assert secret not in result.recorded_text()


def test_docs_show_the_playbook_and_store_type_verbatim():
    doc = (REPO / "docs" / "awx.md").read_text()
    for path in (HERE / "project" / PLAYBOOK, HERE / "report_store_inputs.yml", HERE / "report_store_injectors.yml"):
        assert path.read_text() in doc, "docs/awx.md must contain %s verbatim" % path.relative_to(REPO)
