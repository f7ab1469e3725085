"""The easystack.eos test bed: a real Keystone plus the EOS quota-service simulator on 127.0.0.1.

    bed.py up        install (first time), bootstrap (first time) and start both services
    bed.py down      stop both services by PID (the data stays)
    bed.py status    what runs where; exit 0 only when both answer
    bed.py reset     back to the seeded state (Keystone data and quotas), services restarted
    bed.py restart   restart one service or both, keeping all data
    bed.py env       connection settings: OS_* exports, a clouds.yaml, or JSON
    bed.py destroy   stop and delete all state except the venv

Layout under the state directory (``EOS_BED_DIR``, default ``<repo>/.testbed``): ``venv/`` (the
bed's own Python 3.12 venv: Keystone, gunicorn), ``keystone/`` (config, SQLite database, fernet and
credential keys), ``simulator/`` (the quota store), ``snapshot/`` (the seeded Keystone data that
``reset`` restores), ``run/`` (PID files), ``logs/`` (service logs and ``requests.jsonl``, one line
per request the EOS endpoint answered), and ``bed.json`` (URLs, generated credentials; mode 0600).

Only the standard library is used here, so any Python 3 can drive the bed.
"""
import argparse
import concurrent.futures
import grp
import hashlib
import json
import os
import pwd
import secrets
import shutil
import signal
import sqlite3
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
REQUIREMENTS = HERE / "requirements.txt"
SEED = HERE / "fixtures" / "seed.json"
QUOTA_FIXTURE = HERE / "fixtures" / "quota_service.json"
HOST = "127.0.0.1"
DEFAULT_PORTS = {"keystone": 18500, "simulator": 18501, "simulator-tls": 18502}
REGION = "RegionOne"
# simulator-tls: the same simulator (same store) over HTTPS, with a CA made for the bed.
SERVICES = ("keystone", "simulator", "simulator-tls")


class BedError(Exception):
    """A failure with a message that says what to do; printed without a traceback."""


def state_dir():
    return Path(os.environ.get("EOS_BED_DIR") or REPO / ".testbed").resolve()


class Paths:
    def __init__(self, root):
        self.root = root
        self.venv = root / "venv"
        self.keystone = root / "keystone"
        self.keystone_conf = self.keystone / "keystone.conf"
        # Written by `bed.py compliance`; a reset (snapshot) or a new bed has none.
        self.compliance_conf = self.keystone / "security_compliance.conf"
        self.keystone_db = self.keystone / "keystone.db"
        self.simulator = root / "simulator"
        self.quota_db = self.simulator / "quota.db"
        self.snapshot = root / "snapshot"
        self.run = root / "run"
        self.logs = root / "logs"
        self.request_log = self.logs / "requests.jsonl"
        self.state = root / "bed.json"
        self.tls = root / "tls"
        self.ca_cert = self.tls / "ca.pem"

    def pid_file(self, service):
        return self.run / ("%s.pid" % service)

    def log_file(self, service):
        return self.logs / ("%s.log" % service)


def log(message):
    print("bed: %s" % message, file=sys.stderr, flush=True)


# -- the bed's venv -------------------------------------------------------------------------------

def find_python():
    """Python 3.12 for Keystone 30: EOS_BED_PYTHON, else pyenv's 3.12, else python3.12."""
    explicit = os.environ.get("EOS_BED_PYTHON")
    if explicit:
        return explicit
    if shutil.which("pyenv"):
        found = subprocess.run(["pyenv", "which", "python3"], capture_output=True, text=True,
                               env=dict(os.environ, PYENV_VERSION="3.12"), check=False)
        if found.returncode == 0 and found.stdout.strip():
            return found.stdout.strip()
    for name in ("python3.12",):
        if shutil.which(name):
            return shutil.which(name)
    raise BedError("Python 3.12 not found: install it or set EOS_BED_PYTHON to its path")


def ensure_venv(paths):
    """Create or refresh the venv when requirements.txt changed (stamped by its hash)."""
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    stamp = paths.venv / ".requirements.sha256"
    if stamp.exists() and stamp.read_text().strip() == digest:
        return
    started = time.monotonic()
    log("installing Keystone and gunicorn into %s (one time: 30-60 s, more on a slow package mirror)" % paths.venv)
    if paths.venv.exists():
        shutil.rmtree(paths.venv)
    run([find_python(), "-m", "venv", str(paths.venv)])
    run([str(paths.venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check",
         "-r", str(REQUIREMENTS)])
    stamp.write_text(digest + "\n")
    log("venv ready in %.1f s" % (time.monotonic() - started))


def run(argv, **kwargs):
    result = subprocess.run(argv, capture_output=True, text=True, check=False, **kwargs)
    if result.returncode != 0:
        raise BedError("%s failed (exit %d):\n%s%s" % (
            " ".join(argv[:3]), result.returncode, result.stdout[-3000:], result.stderr[-3000:]))
    return result


# -- state file --------------------------------------------------------------------------------

def load_state(paths, required=True):
    if not paths.state.exists():
        if required:
            raise BedError("no test bed at %s: run 'bed.py up' first" % paths.root)
        return None
    return json.loads(paths.state.read_text())


def write_private(path, text):
    """Write a file only its owner can read (it holds generated passwords)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(tmp, path)


def wanted_ports(args):
    ports = dict(DEFAULT_PORTS)
    for service, env in (("keystone", "EOS_BED_KEYSTONE_PORT"), ("simulator", "EOS_BED_PORT"),
                         ("simulator-tls", "EOS_BED_TLS_PORT")):
        if os.environ.get(env):
            ports[service] = int(os.environ[env])
    if getattr(args, "keystone_port", None):
        ports["keystone"] = args.keystone_port
    if getattr(args, "port", None):
        ports["simulator"] = args.port
    if getattr(args, "tls_port", None):
        ports["simulator-tls"] = args.tls_port
    return ports


# -- processes -----------------------------------------------------------------------------------

def pid_of(paths, service):
    """The PID of a running service of this bed, else None (stale PID files are removed)."""
    pid_file = paths.pid_file(service)
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    if not alive(pid):
        pid_file.unlink(missing_ok=True)
        return None
    return pid


def alive(pid):
    """True while the process runs; a child of ours that exited is reaped, not 'alive'."""
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass  # not our child: ask the kernel
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def service_command(paths, state, service):
    gunicorn = str(paths.venv / "bin" / "gunicorn")
    port = state["ports"][service]
    common = [gunicorn, "--bind", "%s:%d" % (HOST, port), "--chdir", str(HERE),
              "--no-control-socket", "--worker-class", "gthread", "--timeout", "120",
              "--graceful-timeout", "5"]
    if service == "keystone":
        files = [str(paths.keystone_conf)]
        if paths.compliance_conf.exists():  # bed.py compliance: Keystone's lockout/password rules
            files.append(str(paths.compliance_conf))
        env = {"OS_KEYSTONE_CONFIG_FILES": ";".join(files)}
        return common + ["--workers", "1", "--threads", "8", "keystone_wsgi:application"], env
    env = {
        "EOS_SIM_KEYSTONE_URL": state["keystone_url"],
        "EOS_SIM_DB": str(paths.quota_db),
        "EOS_SIM_FIXTURE": str(QUOTA_FIXTURE),
        "EOS_SIM_REQUEST_LOG": str(paths.request_log),
        "EOS_SIM_CONTROL_TOKEN": state["control_token"],
    }
    if service == "simulator-tls":
        common += ["--certfile", str(paths.tls / "server.pem"),
                   "--keyfile", str(paths.tls / "server.key")]
        # Tokens issued over HTTPS name HTTPS endpoints, as a real cloud served over TLS does.
        env["EOS_SIM_CATALOG_REWRITE"] = "%s %s" % (state["url"], state["tls_url"])
    # One process so request log lines and fault counters have a single writer; threads for
    # concurrent forks (and for tests that delay responses on purpose).
    return common + ["--workers", "1", "--threads", "16", "simulator.app:create_app()"], env


def start(paths, state, service):
    if pid_of(paths, service):
        return
    argv, extra_env = service_command(paths, state, service)
    paths.run.mkdir(parents=True, exist_ok=True)
    paths.logs.mkdir(parents=True, exist_ok=True)
    paths.simulator.mkdir(parents=True, exist_ok=True)
    with open(paths.log_file(service), "ab") as log_handle:
        process = subprocess.Popen(  # pylint: disable=consider-using-with
            argv, stdin=subprocess.DEVNULL, stdout=log_handle, stderr=log_handle,
            env=dict(os.environ, **extra_env), start_new_session=True, cwd=str(HERE))
    # Our own PID file, written at once: the gunicorn master is the process we started, and
    # its session (process group) holds every worker, so 'down' can stop them all by PID.
    paths.pid_file(service).write_text("%d\n" % process.pid)


def wait_ready(paths, state, service, timeout=90):
    url = health_url(state, service)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_of(paths, service):
            raise BedError("%s exited while starting; see %s" % (service, paths.log_file(service)))
        if answers(url, paths.ca_cert):
            return
        time.sleep(0.1)
    raise BedError("%s did not answer %s within %d s; see %s"
                   % (service, url, timeout, paths.log_file(service)))


def health_url(state, service):
    if service == "keystone":
        return state["keystone_url"] + "/v3"
    if service == "simulator-tls":
        return state["tls_url"] + "/_bed/health"
    return state["url"] + "/_bed/health"


def answers(url, ca_cert=None):
    context = ssl.create_default_context(cafile=str(ca_cert)) if url.startswith("https") else None
    try:
        with urllib.request.urlopen(url, timeout=2, context=context) as response:
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


def make_tls(paths):
    """A CA made for this bed and a certificate for 127.0.0.1/localhost signed by it."""
    if (paths.tls / "server.pem").exists():
        return
    paths.tls.mkdir(parents=True, exist_ok=True)
    tls = str(paths.tls)
    run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650",
         "-keyout", tls + "/ca.key", "-out", tls + "/ca.pem", "-subj", "/CN=easystack.eos test bed CA"])
    run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", tls + "/server.key",
         "-out", tls + "/server.csr", "-subj", "/CN=127.0.0.1"])
    (paths.tls / "san.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    run(["openssl", "x509", "-req", "-in", tls + "/server.csr", "-CA", tls + "/ca.pem",
         "-CAkey", tls + "/ca.key", "-CAcreateserial", "-days", "3650",
         "-extfile", tls + "/san.cnf", "-out", tls + "/server.pem"])


def stop(paths, service, timeout=15):
    pid = pid_of(paths, service)
    if pid is None:
        return False
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and group_alive(pid):
        time.sleep(0.05)
    if group_alive(pid):
        os.killpg(pid, signal.SIGKILL)
        while group_alive(pid):
            time.sleep(0.05)
    paths.pid_file(service).unlink(missing_ok=True)
    return True


def group_alive(pgid):
    alive(pgid)  # reap the leader if it is our exited child, so the group can go away
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


# -- Keystone bootstrap and seeding -----------------------------------------------------------

KEYSTONE_CONF = """\
# Keystone for the easystack.eos test bed only: SQLite, fernet tokens, loopback.
[DEFAULT]
debug = false
use_stderr = true

[database]
connection = sqlite:///{db}

[token]
provider = fernet
expiration = 3600

[fernet_tokens]
key_repository = {keys}/fernet-keys

[fernet_receipts]
key_repository = {keys}/fernet-keys

[credential]
key_repository = {keys}/credential-keys

[identity]
# Cheap hashing: a password login costs about 90 ms instead of 350 ms. Test bed only.
password_hash_rounds = 4

[cache]
# Without a cache every authenticated request costs Keystone ~300 SQL queries (~250 ms).
# Real clouds cache in memcached; one process with an in-memory cache is the same thing here
# (revocations invalidate it), which is why Keystone runs as a single gunicorn process.
enabled = true
backend = oslo_cache.dict

[oslo_middleware]
# The simulator in front of Keystone forwards the client's scheme.
enable_proxy_headers_parsing = true

[oslo_policy]
enforce_new_defaults = true
enforce_scope = false
"""


def keystone_manage(paths, *args, env=None):
    argv = [str(paths.venv / "bin" / "keystone-manage"), "--config-file",
            str(paths.keystone_conf)] + list(args)
    return run(argv, env=dict(os.environ, **(env or {})))


def bootstrap_keystone(paths, state):
    user = pwd.getpwuid(os.getuid()).pw_name
    group = grp.getgrgid(os.getgid()).gr_name
    paths.keystone.mkdir(parents=True)
    paths.keystone_conf.write_text(KEYSTONE_CONF.format(db=paths.keystone_db,
                                                        keys=paths.keystone))
    identity_url = state["url"] + "/v3"

    def database():
        keystone_manage(paths, "db_sync")
        keystone_manage(
            paths, "bootstrap", "--bootstrap-username", "admin",
            "--bootstrap-project-name", "admin", "--bootstrap-role-name", "admin",
            "--bootstrap-service-name", "keystone", "--bootstrap-region-id", REGION,
            "--bootstrap-admin-url", identity_url, "--bootstrap-internal-url", identity_url,
            "--bootstrap-public-url", identity_url,
            env={"OS_BOOTSTRAP_PASSWORD": state["users"]["admin"]["password"]})

    # The key repositories do not depend on the database: set them up alongside.
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        jobs = [pool.submit(database),
                pool.submit(keystone_manage, paths, "fernet_setup", "--keystone-user", user,
                            "--keystone-group", group),
                pool.submit(keystone_manage, paths, "credential_setup", "--keystone-user", user,
                            "--keystone-group", group)]
        for job in jobs:
            job.result()


class Api:
    """Just enough of a Keystone v3 client (urllib) to seed the bed."""

    def __init__(self, url):
        self.url = url
        self.token = None

    def call(self, method, path, body=None, expect=(200, 201, 204)):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("X-Auth-Token", self.token)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
                headers = response.headers
                status = response.status
        except urllib.error.HTTPError as exc:
            raise BedError("seeding: %s %s answered %s: %s"
                           % (method, path, exc.code, exc.read()[:500])) from exc
        if status not in expect:
            raise BedError("seeding: %s %s answered %s" % (method, path, status))
        return (json.loads(raw) if raw else {}), headers

    def login(self, username, password, project, domain="Default"):
        body, headers = self.call("POST", "/v3/auth/tokens", {"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": username, "password": password, "domain": {"name": domain}}}},
            "scope": {"project": {"name": project, "domain": {"name": domain}}}}})
        self.token = headers["X-Subject-Token"]
        return body["token"]


def seed_identities(state):
    """Create the seed's regions, domains, projects, users, roles and services via the API."""
    seed = json.loads(SEED.read_text())
    api = Api(state["keystone_url"])
    token = api.login("admin", state["users"]["admin"]["password"], "admin")
    state["users"]["admin"].update(id=token["user"]["id"], project_id=token["project"]["id"])
    roles = {r["name"]: r["id"] for r in api.call("GET", "/v3/roles")[0]["roles"]}
    for region in seed["regions"]:
        api.call("POST", "/v3/regions", {"region": {"id": region}})
    state["domains"] = {"Default": "default"}
    for domain in seed["domains"]:
        if domain.get("existing"):
            found = api.call("GET", "/v3/domains?name=%s" % domain["name"])[0]["domains"]
            domain_id = found[0]["id"]
        else:
            domain_id = api.call("POST", "/v3/domains", {"domain": {
                "name": domain["name"], "description": domain.get("description", "")}}
            )[0]["domain"]["id"]
        state["domains"][domain["name"]] = domain_id
        projects = {}
        for project in domain["projects"]:
            projects[project] = api.call("POST", "/v3/projects", {"project": {
                "name": project, "domain_id": domain_id}})[0]["project"]["id"]
        for user in domain["users"]:
            password = secrets.token_urlsafe(16)
            user_id = api.call("POST", "/v3/users", {"user": {
                "name": user["name"], "domain_id": domain_id, "password": password,
                "default_project_id": projects[user["project"]]}})[0]["user"]["id"]
            for role in user["roles"]:
                api.call("PUT", "/v3/projects/%s/users/%s/roles/%s"
                         % (projects[user["project"]], user_id, roles[role]))
            state["users"][user["name"]] = {
                "id": user_id, "password": password, "domain": domain["name"],
                "domain_id": domain_id, "project": user["project"],
                "project_id": projects[user["project"]], "roles": user["roles"]}
    for service in seed["services"]:
        service_id = api.call("POST", "/v3/services", {"service": {
            "type": service["type"], "name": service["name"],
            "description": service["description"]}})[0]["service"]["id"]
        for region in service["regions"]:
            for interface in ("public", "internal", "admin"):
                api.call("POST", "/v3/endpoints", {"endpoint": {
                    "service_id": service_id, "interface": interface, "region_id": region,
                    "url": state["url"] + service["path"]}})
    credential = api.call("POST", "/v3/users/%s/application_credentials"
                          % state["users"]["admin"]["id"],
                          {"application_credential": {"name": "eos-bed",
                                                      "description": "test bed"}}
                          )[0]["application_credential"]
    state["application_credential"] = {"id": credential["id"], "secret": credential["secret"],
                                       "user": "admin"}


def take_snapshot(paths):
    """Keep the seeded Keystone data, so 'reset' is a copy instead of a bootstrap."""
    if paths.snapshot.exists():
        shutil.rmtree(paths.snapshot)
    paths.snapshot.mkdir(parents=True)
    target = paths.snapshot / "keystone"
    shutil.copytree(paths.keystone, target,
                    ignore=shutil.ignore_patterns("keystone.db*", "security_compliance.conf"))
    # The sqlite backup API gives a consistent copy even while Keystone has the file open.
    with sqlite3.connect(paths.keystone_db) as source, \
            sqlite3.connect(target / "keystone.db") as copy:
        source.backup(copy)
    shutil.copy2(paths.state, paths.snapshot / "bed.json")


def restore_snapshot(paths):
    shutil.rmtree(paths.keystone, ignore_errors=True)
    shutil.copytree(paths.snapshot / "keystone", paths.keystone)
    shutil.copy2(paths.snapshot / "bed.json", paths.state)
    shutil.rmtree(paths.simulator, ignore_errors=True)  # re-seeded from the fixture on start


def build(paths, ports):
    """A new bed from nothing (the venv aside): bootstrap, start, seed, snapshot."""
    for service in SERVICES:
        stop(paths, service)
    for stale in (paths.keystone, paths.simulator, paths.snapshot, paths.logs, paths.tls):
        shutil.rmtree(stale, ignore_errors=True)
    paths.state.unlink(missing_ok=True)
    state = {
        "root": str(paths.root),
        "ports": ports,
        "keystone_url": "http://%s:%d" % (HOST, ports["keystone"]),
        "url": "http://%s:%d" % (HOST, ports["simulator"]),
        "region": REGION,
        "control_token": secrets.token_urlsafe(24),
        "users": {"admin": {"password": secrets.token_urlsafe(16), "domain": "Default",
                            "domain_id": "default", "project": "admin", "roles": ["admin"]}},
    }
    state["auth_url"] = state["url"] + "/v3"
    state["tls_url"] = "https://%s:%d" % (HOST, ports["simulator-tls"])
    state["ca_cert"] = str(paths.ca_cert)
    started = time.monotonic()
    make_tls(paths)
    bootstrap_keystone(paths, state)
    log("Keystone bootstrapped in %.1f s" % (time.monotonic() - started))
    for service in SERVICES:
        start(paths, state, service)
    for service in SERVICES:
        wait_ready(paths, state, service)
    seed_identities(state)
    write_private(paths.state, json.dumps(state, indent=2, sort_keys=True) + "\n")
    take_snapshot(paths)
    log("seeded and snapshotted in %.1f s" % (time.monotonic() - started))
    return state


# -- commands ------------------------------------------------------------------------------------

def cmd_up(paths, args):
    started = time.monotonic()
    ensure_venv(paths)
    ports = wanted_ports(args)
    state = load_state(paths, required=False)
    if state is None or state["ports"] != ports or state["root"] != str(paths.root) \
            or not paths.keystone_db.exists():
        if state is not None and paths.snapshot.exists() \
                and json.loads((paths.snapshot / "bed.json").read_text())["ports"] == ports \
                and state["root"] == str(paths.root):
            restore_snapshot(paths)
            state = load_state(paths)
        else:
            state = build(paths, ports)
    for service in SERVICES:
        start(paths, state, service)
    for service in SERVICES:
        wait_ready(paths, state, service)
    log("up in %.1f s: EOS endpoint %s (Keystone behind it at %s)"
        % (time.monotonic() - started, state["auth_url"], state["keystone_url"]))
    return 0


def cmd_down(paths, _args):
    for service in SERVICES:
        if stop(paths, service):
            log("%s stopped" % service)
    state = load_state(paths, required=False)
    left = leftovers(state) if state else []
    if left:
        raise BedError("processes still serve the bed's ports after 'down': %s"
                       % ", ".join("%d (%s)" % item for item in left))
    return 0


def leftovers(state):
    """Any process on this machine whose command line binds one of this bed's ports."""
    binds = {"%s:%d" % (HOST, port) for port in state["ports"].values()}
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        words = {word.decode(errors="replace") for word in argv}
        if words & binds and any("gunicorn" in word for word in words):
            found.append((int(entry.name), " ".join(sorted(words & binds))))
    return found


def cmd_status(paths, _args):
    state = load_state(paths, required=False)
    if state is None:
        print("test bed: not created (%s)" % paths.root)
        return 3
    healthy = True
    for service in SERVICES:
        pid = pid_of(paths, service)
        ok = bool(pid) and answers(health_url(state, service), paths.ca_cert)
        healthy = healthy and ok
        print("%-13s %-5s pid=%-8s %s" % (service, "up" if ok else "down", pid or "-",
                                          health_url(state, service).split("/_bed")[0]))
    print("auth_url   %s  region %s  state %s" % (state["auth_url"], state["region"], paths.root))
    return 0 if healthy else 3


def cmd_reset(paths, args):
    if not paths.snapshot.exists():
        raise BedError("nothing to reset to: run 'bed.py up' first")
    if args.quotas_only:
        state = load_state(paths)
        request = urllib.request.Request(state["url"] + "/_bed/reset", method="POST",
                                         headers={"X-Bed-Control": state["control_token"]})
        with urllib.request.urlopen(request, timeout=10):
            pass
        log("quota state reset from the fixture")
        return 0
    cmd_down(paths, args)
    restore_snapshot(paths)
    state = load_state(paths)
    for service in SERVICES:
        start(paths, state, service)
    for service in SERVICES:
        wait_ready(paths, state, service)
    log("reset to the seeded state")
    return 0


def cmd_restart(paths, args):
    state = load_state(paths)
    services = SERVICES if args.service == "all" else (args.service,)
    for service in services:
        stop(paths, service)
        start(paths, state, service)
    for service in services:
        wait_ready(paths, state, service)
    return 0


# [security_compliance] options the bed accepts (Keystone's own names), with their value types.
COMPLIANCE_OPTIONS = {
    "lockout_failure_attempts": int, "lockout_duration": int, "unique_last_password_count": int,
    "password_expires_days": int, "minimum_password_age": int,
    "change_password_upon_first_use": bool, "password_regex": str,
    "password_regex_description": str, "disable_user_account_days_inactive": int,
}


def cmd_compliance(paths, args):
    """Run Keystone with [security_compliance] settings (or none), restarting only Keystone."""
    lines = []
    for setting in args.set or []:
        name, sep, value = setting.partition("=")
        if not sep or name not in COMPLIANCE_OPTIONS:
            raise BedError("--set NAME=VALUE with NAME one of: %s" % ", ".join(COMPLIANCE_OPTIONS))
        if COMPLIANCE_OPTIONS[name] is int and not value.isdigit():
            raise BedError("%s takes a whole number, not %r" % (name, value))
        if COMPLIANCE_OPTIONS[name] is bool and value.lower() not in ("true", "false"):
            raise BedError("%s takes true or false, not %r" % (name, value))
        lines.append("%s = %s" % (name, value))
    if args.off or not lines:
        paths.compliance_conf.unlink(missing_ok=True)
    else:
        paths.compliance_conf.write_text("[security_compliance]\n" + "\n".join(lines) + "\n")
    state = load_state(paths)
    stop(paths, "keystone")
    start(paths, state, "keystone")
    wait_ready(paths, state, "keystone")
    log("Keystone runs with %s" % (
        "[security_compliance] " + ", ".join(lines) if paths.compliance_conf.exists()
        else "no [security_compliance] settings"))
    return 0


def cmd_destroy(paths, args):
    cmd_down(paths, args)
    for path in (paths.keystone, paths.simulator, paths.snapshot, paths.logs, paths.run, paths.tls):
        shutil.rmtree(path, ignore_errors=True)
    paths.state.unlink(missing_ok=True)
    log("state removed (the venv stays: %s)" % paths.venv)
    return 0


def clouds_yaml(state):
    """A clouds.yaml with the admin, a non-admin member and an application credential."""
    alice = state["users"]["alice"]
    admin = state["users"]["admin"]
    app = state["application_credential"]
    lines = ["# easystack.eos test bed (%s): generated by tests/testbed/bed.py" % state["root"],
             "clouds:"]

    def cloud(name, auth, auth_type=None):
        lines.append("  %s:" % name)
        if auth_type:
            lines.append("    auth_type: %s" % auth_type)
        lines.append("    auth:")
        lines.append("      auth_url: %s" % json.dumps(state["auth_url"]))
        lines.extend("      %s: %s" % (key, json.dumps(value)) for key, value in auth)
        lines.append("    region_name: %s" % state["region"])
        lines.append("    interface: public")
        lines.append("    identity_api_version: 3")

    cloud("eos-bed", [("username", "admin"), ("password", admin["password"]),
                      ("project_name", "admin"), ("user_domain_name", "Default"),
                      ("project_domain_name", "Default")])
    cloud("eos-bed-member", [("username", "alice"), ("password", alice["password"]),
                             ("project_name", alice["project"]),
                             ("user_domain_name", alice["domain"]),
                             ("project_domain_name", alice["domain"])])
    cloud("eos-bed-appcred", [("application_credential_id", app["id"]),
                              ("application_credential_secret", app["secret"])],
          auth_type="v3applicationcredential")
    return "\n".join(lines) + "\n"


def shell_env(state, user):
    account = state["users"].get(user)
    if account is None:
        raise BedError("unknown bed user %r; users: %s" % (user, ", ".join(state["users"])))
    values = [("OS_AUTH_URL", state["auth_url"]), ("OS_USERNAME", user),
              ("OS_PASSWORD", account["password"]), ("OS_PROJECT_NAME", account["project"]),
              ("OS_USER_DOMAIN_NAME", account["domain"]),
              ("OS_PROJECT_DOMAIN_NAME", account["domain"]),
              ("OS_REGION_NAME", state["region"]), ("OS_INTERFACE", "public"),
              ("OS_IDENTITY_API_VERSION", "3")]
    return "".join("export %s=%s\n" % (key, shell_quote(value)) for key, value in values)


def shell_quote(value):
    return "'" + str(value).replace("'", "'\"'\"'") + "'"


def cmd_env(paths, args):
    state = load_state(paths)
    if args.format == "shell":
        text = shell_env(state, args.user)
    elif args.format == "clouds-yaml":
        text = clouds_yaml(state)
    else:
        text = json.dumps(state, indent=2, sort_keys=True) + "\n"
    if args.output:
        write_private(Path(args.output), text)
        log("wrote %s" % args.output)
    else:
        sys.stdout.write(text)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="install, bootstrap (first time) and start the bed")
    up.add_argument("--port", type=int, help="EOS endpoint port (env EOS_BED_PORT; 18501)")
    up.add_argument("--keystone-port", type=int,
                    help="Keystone's own port (env EOS_BED_KEYSTONE_PORT; 18500)")
    up.add_argument("--tls-port", type=int,
                    help="the EOS endpoint over HTTPS (env EOS_BED_TLS_PORT; 18502)")
    sub.add_parser("down", help="stop the services (data stays)")
    sub.add_parser("status", help="show what runs; exit 0 when all answer")
    reset = sub.add_parser("reset", help="back to the seeded state")
    reset.add_argument("--quotas-only", action="store_true",
                       help="reset only the simulator's quota state, without a restart")
    restart = sub.add_parser("restart", help="restart services, keeping data")
    restart.add_argument("service", nargs="?", default="all", choices=SERVICES + ("all",))
    compliance = sub.add_parser(
        "compliance", help="restart Keystone with [security_compliance] settings, or without")
    compliance.add_argument("--set", action="append", metavar="NAME=VALUE",
                            help="a setting, e.g. lockout_failure_attempts=3 (repeatable)")
    compliance.add_argument("--off", action="store_true", help="back to no settings")
    sub.add_parser("destroy", help="stop and delete all state but the venv")
    env = sub.add_parser("env", help="print connection settings")
    env.add_argument("--format", choices=("shell", "clouds-yaml", "json"), default="shell")
    env.add_argument("--user", default="admin", help="whose credentials (shell format)")
    env.add_argument("--output", help="write to this file (mode 0600) instead of stdout")
    args = parser.parse_args(argv)
    paths = Paths(state_dir())
    commands = {"up": cmd_up, "down": cmd_down, "status": cmd_status, "reset": cmd_reset,
                "restart": cmd_restart, "destroy": cmd_destroy, "env": cmd_env,
                "compliance": cmd_compliance}
    try:
        return commands[args.command](paths, args)
    except BedError as exc:
        log("error: %s" % exc)
        return 1


if __name__ == "__main__":
    sys.exit(main())
