"""Fixtures of the reliability suite: the bed, an ansible runner, fresh identities, the report.

The suite reuses the integration tests' runner (``playbook_runner``) and the bed fixture
(``bedfixtures``); what it adds is a factory of throwaway domains and users, and a session-wide
report (fault matrix, bad-input, secret-scan and concurrency counts) printed at the end.
"""
import sys
import uuid
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
for _extra in (TESTS / "testbed", TESTS / "integration"):
    if str(_extra) not in sys.path:
        sys.path.insert(0, str(_extra))

from bedfixtures import bed, collections  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import
from playbook_runner import Ansible  # noqa: E402  pylint: disable=wrong-import-position
from relkit import Identities, Report  # noqa: E402  pylint: disable=wrong-import-position
from hostile_server import HostileServer  # noqa: E402  pylint: disable=wrong-import-position

REPORT = Report()


@pytest.fixture(scope="session")
def report():
    """Rows and counters every test adds to; printed by ``pytest_terminal_summary``."""
    return REPORT


@pytest.fixture()
def ansible(bed, collections, tmp_path):  # pylint: disable=redefined-outer-name
    bed.clear_faults()
    yield Ansible(bed, collections, tmp_path)
    bed.clear_faults()


@pytest.fixture(scope="session")
def identities(bed):  # pylint: disable=redefined-outer-name
    """Creates throwaway domains and users, so that every test starts from its own state; they
    are deleted when the session ends."""
    made = Identities(bed)
    yield made
    left = made.delete_all()
    assert not left, "domains the suite made could not be deleted: %s" % left


@pytest.fixture()
def hostile(bed):  # pylint: disable=redefined-outer-name
    """Starts hostile servers (``hostile(host="::1", tls=True)``); all closed after the test."""
    servers = []
    tls_dir = bed.ca_cert.rsplit("/", 1)[0]

    def start(host="127.0.0.1", tls=False):
        pair = (tls_dir + "/server.pem", tls_dir + "/server.key") if tls else (None, None)
        server = HostileServer(host, *pair).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


@pytest.fixture()
def server(hostile):  # pylint: disable=redefined-outer-name
    """One hostile server on 127.0.0.1 (plain HTTP)."""
    return hostile()


@pytest.fixture()
def admin_password():
    """The password the hostile server's admin logs in with (it accepts any)."""
    return "Admin-" + uuid.uuid4().hex


def pytest_terminal_summary(terminalreporter):
    for line in REPORT.lines():
        terminalreporter.write_line(line)
