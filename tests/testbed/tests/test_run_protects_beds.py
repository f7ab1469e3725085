"""tests/run.sh leaves a bed it did not start alone, whatever EOS_BED_DIR says (issue 17, item 9).

Every make target that runs a suite goes through tests/run.sh. Here a bed of the test's own (in
a temporary directory, on free ports) is up and holds a marker: a domain created in its Keystone
and a quota changed in its simulator, both of which a reset undoes. EOS_BED_DIR names that bed,
and ``run.sh demo`` (the suite that resets the bed first and stops it at the end) must run on a
bed of its own instead and take only that one down; when that one is taken (its port answers,
another run holds its lock), run.sh must fail, saying so, before it starts or stops anything.

The run.sh under test runs from a copy of this checkout made of links, with its own copies of
run.sh and bed.py: no bed this test does not name (the suite's own bed, .testbed, .testbed-run)
can be reached through a state directory, whatever run.sh does, and bed.py stops services by
the PIDs of its own state directory only.
"""
import fcntl
import hashlib
import json
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bedclient import Bed

# The tests and fixtures take this module's fixtures as parameters of the same names.
# pylint: disable=redefined-outer-name

TESTBED = Path(__file__).resolve().parents[1]
REPO = TESTBED.parents[1]
SERVICES = ("keystone", "simulator", "simulator-tls")
ENV = {"keystone": "KEYSTONE_PORT", "simulator": "PORT", "simulator-tls": "TLS_PORT"}


def free_ports(count, first=18600, last=18999):
    """``count`` ports nothing listens on or is bound to, outside the ephemeral range (where an
    outgoing connection could take one before the bed binds it) and the beds' usual ports; in
    random order, so that two runs of this test at once are unlikely to pick the same ones."""
    found = []
    for port in random.sample(range(first, last), last - first):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        found.append(port)
        if len(found) == count:
            return found
    raise AssertionError("no %d free ports in %d-%d" % (count, first, last))


def bed_env(root, ports, prefix="EOS_BED_"):
    env = {prefix + "DIR": str(root)}
    env.update({prefix + ENV[service]: str(port) for service, port in ports.items()})
    return env


def share_venv(root, suite_bed):
    """The bed's venv is the suite bed's (installed, same requirements): no 30-60 s install.
    Without a matching stamp the bed installs its own."""
    venv = suite_bed.root / "venv"
    digest = hashlib.sha256((TESTBED / "requirements.txt").read_bytes()).hexdigest()
    stamp = venv / ".requirements.sha256"
    root.mkdir(parents=True, exist_ok=True)
    if stamp.exists() and stamp.read_text().strip() == digest:
        (root / "venv").symlink_to(venv)


def answers(port):
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


class TmpBed:
    """A bed in a temporary directory, driven by this checkout's bed.py."""

    def __init__(self, root, ports):
        self.root = root
        self.ports = dict(zip(SERVICES, ports))
        self.env = dict(os.environ, **bed_env(root, self.ports))

    def bed_py(self, *args):
        return subprocess.run([sys.executable, str(TESTBED / "bed.py")] + list(args),
                              env=self.env, capture_output=True, text=True, timeout=300,
                              check=False)

    def state(self):
        return json.loads((self.root / "bed.json").read_text())

    def pids(self):
        return {service: (self.root / "run" / ("%s.pid" % service)).read_text().strip()
                for service in SERVICES}

    def client(self):
        return Bed(self.state(), self.root)

    def files(self):
        """Every file of the state directory (but run.sh's lock) with its size and mtime."""
        found = {}
        for folder, dummy, names in os.walk(self.root):
            for name in names:
                path = Path(folder) / name
                if path != self.root / "run.lock":
                    found[str(path)] = (path.lstat().st_size, path.lstat().st_mtime_ns)
        return found


@pytest.fixture(scope="module")
def checkout(tmp_path_factory):
    """A checkout to run tests/run.sh from: links to this one's files, except for copies of
    tests/run.sh and tests/testbed/bed.py (whose default state directory is then in it)."""
    root = tmp_path_factory.mktemp("checkout")

    def mirror(source, target, copies, skip=()):
        target.mkdir(exist_ok=True)
        for entry in source.iterdir():
            if entry.name in copies:
                shutil.copy2(entry, target / entry.name)
            elif entry.name not in skip and not entry.name.startswith(".testbed"):
                (target / entry.name).symlink_to(entry)

    mirror(REPO, root, (), skip=(".git", "tests"))
    mirror(REPO / "tests", root / "tests", ("run.sh",), skip=("testbed",))
    mirror(TESTBED, root / "tests" / "testbed", ("bed.py",), skip=("__pycache__",))
    return root


@pytest.fixture(scope="module")
def ports():
    return free_ports(6)


@pytest.fixture(scope="module")
def own_bed(bed, ports, tmp_path_factory):
    """Where run.sh is to bring up a bed of its own (EOS_RUN_BED_DIR and ports); down at the end
    of the module, should a run have left it up."""
    own = TmpBed(tmp_path_factory.mktemp("run-bed"), ports[3:])
    share_venv(own.root, bed)
    yield own
    own.bed_py("down")


@pytest.fixture(scope="module")
def running_bed(bed, ports, tmp_path_factory):
    """A bed that is up and that every run must leave alone; down at the end of the module."""
    theirs = TmpBed(tmp_path_factory.mktemp("their-bed"), ports[:3])
    share_venv(theirs.root, bed)
    up = theirs.bed_py("up")
    assert up.returncode == 0, up.stderr
    yield theirs
    theirs.bed_py("down")


@pytest.fixture()
def marked(running_bed):
    """The running bed with a new marker: a domain, and acme's cores at a new value. Brought up
    again first, should an earlier test have stopped it. Returns a function that asserts the
    bed is still up, on its ports, with the same processes and the marker."""
    theirs = running_bed
    up = theirs.bed_py("up")
    assert up.returncode == 0, up.stderr
    client = theirs.client()
    name = "run-sh-marker-" + secrets.token_hex(4)
    created = client.api("POST", "/v3/domains", json={"domain": {"name": name}})
    assert created.status_code == 201, created.text
    domain_id = created.json()["domain"]["id"]
    acme = client.domains["acme"]
    cores = 100 + secrets.randbelow(900)  # the fixture seeds 72
    patched = client.api("PATCH", "/v3/domain_quotas/" + acme,
                         json={"domain": {"region": "RegionOne", "cores": cores}})
    assert patched.status_code == 200, patched.text
    before = (theirs.state()["ports"], theirs.pids())

    def assert_untouched():
        status = theirs.bed_py("status")
        assert status.returncode == 0, "the running bed is no longer up:\n" + status.stdout
        assert (theirs.state()["ports"], theirs.pids()) == before, "restarted or moved"
        after = theirs.client()
        found = after.api("GET", "/v3/domains", params={"name": name})
        assert found.status_code == 200, found.text
        assert [d["id"] for d in found.json()["domains"]] == [domain_id], \
            "the marker domain is gone: the bed was reset"
        quotas = after.api("GET", "/v3/domain_quotas/" + acme).json()["domain"]["RegionOne"]
        assert quotas["quotas"]["cores"] == cores, "acme's cores were reset"

    return assert_untouched


def run_sh(checkout, theirs, own, suite="demo"):
    """tests/run.sh SUITE of the checkout, with EOS_BED_DIR naming their bed, and its own."""
    env = dict(os.environ, **bed_env(theirs.root, theirs.ports))
    env.update(bed_env(own.root, own.ports, prefix="EOS_RUN_BED_"))
    return subprocess.run([str(checkout / "tests" / "run.sh"), suite], env=env,
                          capture_output=True, text=True, timeout=600, check=False)


def test_demo_runs_on_a_bed_of_its_own(checkout, running_bed, own_bed, marked):
    own = own_bed
    done = run_sh(checkout, running_bed, own)
    output = done.stdout + done.stderr
    marked()
    assert done.returncode == 0, output
    # The demo ran on the run's own bed (its second run wrote nothing, so count the first's
    # PATCHes there), which is down again afterwards.
    log = (own.root / "logs" / "requests.jsonl").read_text().splitlines()
    assert any(json.loads(line)["method"] == "PATCH" for line in log), output
    assert own.bed_py("status").returncode == 3, output
    assert not any(answers(port) for port in own.ports.values()), output


@pytest.mark.parametrize("taken_by", ["a port", "another run"])
def test_fails_when_its_own_bed_is_taken_too(checkout, running_bed, own_bed, marked, taken_by):
    own = own_bed
    before = own.files()
    with socket.socket() as listener, open(own.root / "run.lock", "a+", encoding="ascii") as lock:
        if taken_by == "a port":
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("127.0.0.1", own.ports["simulator"]))
            listener.listen()
            expected = "port %d answers" % own.ports["simulator"]
        else:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            lock.truncate(0)
            lock.write("%d\n" % os.getpid())
            lock.flush()
            expected = "another tests/run.sh (pid %d)" % os.getpid()
        done = run_sh(checkout, running_bed, own)
        output = done.stdout + done.stderr
        marked()
        assert done.returncode == 1, output
    # It says what is in use and what to do, and did nothing to its own bed either.
    for words in (str(running_bed.root), str(own.root), expected, "Nothing was started",
                  "bed.py down", "EOS_RUN_BED_DIR"):
        assert words in output, output
    assert own.files() == before, output
