"""The collection's benchmark against the test bed: prints tables, writes JSON.

    <bench venv>/bin/python tests/bench/benchmark.py [--quick] [--only SECTION] [--json PATH]

Run it with the benchmark venv (``make bench`` builds ``.venv-bench`` from requirements/bench.txt:
the ``ansible`` package, which bundles openstack.cloud, and openstacksdk 4.14.x), so that both
collections run on the same ansible-core. The bed must be up (``make bench`` brings it up).

Sections, every comparison side by side in one run:
  1. per-task cost of each module path next to ansible.builtin.ping (Ansible's own floor),
     with and without the token cache, and the HTTP requests per task against the minimum;
  2. the same playbook shape with openstack.cloud modules on the same Keystone;
     (1 and 2: medians of 5 rounds, each round running every playbook once, interleaved)
  1b. the module's process alone (python -m), next to ping's: the cost above the floor without
     the controller's noise;
  1c. each eos path against the reference floor for a requests-based module: a minimal module
     (tests/bench/library/requests_reference.py: AnsibleModule + requests, nothing of ours)
     making the same HTTP requests, run in 1 and 1b beside the eos rows; per path, the eos
     module's +ping, the reference's, their ratio, against the target "within 1.5x";
  3. scale: 100, 500 and 1,000 departments (bench-NNNN domains it creates at Keystone and deletes
     at the end), changed and unchanged, in one eos_domain_quota task with ``domains`` (the list
     form) against a ``loop:`` of one task per department (at 100; extrapolated beyond) and the
     domain_quotas role (at 100), each task's own time (a callback, tests/bench/callback_plugins)
     beside the bed's own time answering its requests and their count by kind;
  4. import time of the modules' Python code on the target, beside ``import openstack``;
  5. the client alone: each eos path and its reference (as in 1c) against a server that answers
     at once (tests/reliability/hostile_server.py, mode normal, started in this process on a free
     127.0.0.1 port; no bed needed: ``--only client``), the 10th percentile of the per-task times
     (bench_timer callback) over interleaved rounds, above ping's, against the target "within
     1.2x"; the requests of every playbook checked in the server's log;
  5b. the same paths as module processes alone: one kept AnsiballZ_*.py of each, run directly,
     interleaved, against the same kind of server: wall time (10th percentile) and CPU time
     (median) above ping's, without the controller's noise.
"""
import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "testbed"))

from bedclient import Bed  # noqa: E402  pylint: disable=wrong-import-position
from simulator.keystone import Keystone  # noqa: E402  pylint: disable=wrong-import-position

BIN = Path(sys.executable).parent
# The reference module's folder: ANSIBLE_LIBRARY for the playbooks, PYTHONPATH for 1b. Not in
# plugins/, so it is no module of the collection.
LIBRARY = Path(__file__).resolve().parent / "library"
REFERENCE = "requests_reference"
BENCH_PASSWORD = "Bench-Password-" + uuid.uuid4().hex[:8]

# label, module, args, minimum requests per task (login + lookups by name + read + write)
TASKS = [
    ("ping", "ansible.builtin.ping", {}, 0),
    ("eos_domain_usage_info (platform)", "easystack.eos.eos_domain_usage_info", {}, 2),
    ("eos_domain_usage_info domain=acme", "easystack.eos.eos_domain_usage_info",
     {"domain": "acme"}, 3),
    ("eos_domain_quota unchanged", "easystack.eos.eos_domain_quota",
     {"domain": "acme", "quotas": {"cores": 72}}, 3),
    ("eos_domain_quota changed", "easystack.eos.eos_domain_quota",
     # Every task differs from the one before, and each run from the last (bench_salt).
     {"domain": "acme", "quotas": {
         "cores": "{{ 100 + (task_index | int) % 2 + 2 * (bench_salt | int) }}"}}, 4),
    ("eos_user_password on_mismatch unchanged", "easystack.eos.eos_user_password",
     {"user": "bench-user", "domain": "acme", "password": BENCH_PASSWORD}, 4),
    ("eos_user_password always", "easystack.eos.eos_user_password",
     {"user": "bench-user", "domain": "acme", "password": BENCH_PASSWORD,
      "update_password": "always"}, 4),
]
# The requests of one task of each path, (method, path with Keystone IDs as {id}, status): what
# the reference must send, and what the eos module is compared with (1c).
LOGIN = ("POST", "/v3/auth/tokens", 201)  # project-scoped admin login (or the password check)
DOMAIN = ("GET", "/v3/domains?name=acme", 200)
QUOTAS = ("GET", "/v3/domain_quotas/{id}", 200)
USER = ("GET", "/v3/users?name=bench-user&domain_id={id}", 200)
# eos module path -> the reference module's path option and the requests of one task (see 1c)
REFERENCE_PATHS = {
    "eos_domain_usage_info (platform)": ("usage_platform", [LOGIN, ("GET", "/v3/domain_usage", 200)]),
    "eos_domain_usage_info domain=acme": ("usage_domain", [LOGIN, DOMAIN, QUOTAS]),
    "eos_domain_quota unchanged": ("quota_unchanged", [LOGIN, DOMAIN, QUOTAS]),
    "eos_domain_quota changed": ("quota_changed",
                                 [LOGIN, DOMAIN, QUOTAS, ("PATCH", "/v3/domain_quotas/{id}", 200)]),
    "eos_user_password on_mismatch unchanged": ("password_check", [LOGIN, DOMAIN, USER, LOGIN]),
    "eos_user_password always": ("password_always",
                                 [LOGIN, DOMAIN, USER, ("PATCH", "/v3/users/{id}", 200)]),
}
REFERENCE_TARGET = 1.5  # each eos path's cost above ping at most this times the reference's


def reference_label(eos_label):
    return "requests reference: " + REFERENCE_PATHS[eos_label][0]


def reference_args(eos_label, args):
    """The reference's arguments for an eos path: the same inputs (the quotas template too)."""
    ref = {"path": REFERENCE_PATHS[eos_label][0]}
    for key, ref_key in (("domain", "domain"), ("quotas", "quotas"), ("user", "user"),
                         ("password", "user_password")):
        if key in args:
            ref[ref_key] = args[key]
    return ref


# eos module path -> its openstack.cloud counterpart
COUNTERPARTS = [
    ("eos_user_password always", "openstack.cloud.identity_user always",
     "openstack.cloud.identity_user",
     {"name": "bench-user", "domain": "acme", "password": BENCH_PASSWORD,
      "update_password": "always"}),
    ("eos_domain_usage_info domain=acme", "openstack.cloud.identity_domain_info name=acme",
     "openstack.cloud.identity_domain_info", {"name": "acme"}),
]


class Runner:
    def __init__(self, bed, workdir, runs=1):
        self.bed = bed
        self.work = Path(workdir)
        self.runs = runs
        self.salt = uuid.uuid4().int % 400
        self.foreign = {}  # row -> requests in its log window that were not its own (check_reference)
        collections = self.work / "collections"
        (collections / "ansible_collections" / "easystack").mkdir(parents=True)
        (collections / "ansible_collections" / "easystack" / "eos").symlink_to(REPO)
        admin = bed.users["admin"]
        self.env = {key: value for key, value in os.environ.items()
                    if not key.startswith(("OS_", "ANSIBLE_", "EOS_TOKEN"))}
        self.env.update(
            HOME=str(self.work), XDG_CACHE_HOME=str(self.work / "cache"),
            ANSIBLE_COLLECTIONS_PATH=str(collections), ANSIBLE_LOCALHOST_WARNING="0",
            ANSIBLE_INVENTORY_UNPARSED_WARNING="0", ANSIBLE_PYTHON_INTERPRETER=sys.executable,
            ANSIBLE_DEPRECATION_WARNINGS="0", ANSIBLE_LIBRARY=str(LIBRARY),
            OS_AUTH_URL=bed.auth_url, OS_USERNAME="admin", OS_PASSWORD=admin["password"],
            OS_PROJECT_NAME="admin", OS_USER_DOMAIN_NAME="Default",
            OS_PROJECT_DOMAIN_NAME="Default", OS_REGION_NAME=bed.region,
            OS_IDENTITY_API_VERSION="3", OS_INTERFACE="public")

    def playbook(self, plays, forks=5, extra_env=None):
        """Median wall time (s) and requests of RUNS runs of ``plays``; fails loudly on error."""
        path = self.work / ("playbook-%s.yml" % uuid.uuid4().hex[:6])
        path.write_text(json.dumps(plays))
        env = dict(self.env, **(extra_env or {}))
        samples, requests = [], []
        for dummy in range(self.runs):
            self.salt = (self.salt + 1) % 400
            mark = self.bed.log_mark()
            started = time.perf_counter()
            done = subprocess.run([str(BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local",
                                   "-f", str(forks), "-e", "bench_salt=%d" % self.salt, str(path)],
                                  env=env, capture_output=True, text=True, check=False)
            samples.append(time.perf_counter() - started)
            requests.append(self.bed.requests_since(mark))
            if done.returncode != 0:
                sys.exit("benchmark playbook failed:\n%s\n%s"
                         % (done.stdout[-4000:], done.stderr[-2000:]))
        return statistics.median(samples), requests[len(requests) // 2]

    def tasks(self, module, args, count, extra_env=None):
        tasks = [{"name": "task %d" % i, "vars": {"task_index": i}, module: args}
                 for i in range(count)]
        return self.playbook([{"hosts": "localhost", "gather_facts": False, "tasks": tasks}],
                             extra_env=extra_env)


def prepare_bed(bed):
    """A user for the password paths, with the bench password set (so on_mismatch is unchanged)."""
    found = bed.api("GET", "/v3/users", params={"name": "bench-user",
                                                "domain_id": bed.domains["acme"]}).json()["users"]
    if found:
        user_id = found[0]["id"]
        bed.api("PATCH", "/v3/users/" + user_id, json={"user": {"password": BENCH_PASSWORD}})
    else:
        bed.api("POST", "/v3/users", json={"user": {
            "name": "bench-user", "password": BENCH_PASSWORD, "domain_id": bed.domains["acme"]}})
    time.sleep(1.1)  # revocation events have one-second granularity
    bed.reset_quotas()


CACHE_ENV = {"EOS_TOKEN_CACHE": "1"}


def cases():
    """Every playbook of sections 1 and 2: (label, module, args, token cache on, minimum).

    Each eos path is followed by the reference module making the same requests (no cache).
    """
    rows = []
    for label, module, args, minimum in TASKS:
        for cache in ((False,) if module == "ansible.builtin.ping" else (False, True)):
            rows.append((label + (" +token_cache" if cache else ""), module, args, cache,
                         minimum - (1 if cache and minimum else 0)))
        if label in REFERENCE_PATHS:
            if len(REFERENCE_PATHS[label][1]) != minimum:
                sys.exit("benchmark: REFERENCE_PATHS lists %d requests for '%s', TASKS %d"
                         % (len(REFERENCE_PATHS[label][1]), label, minimum))
            rows.append((reference_label(label), REFERENCE, reference_args(label, args), False,
                         minimum))
    for dummy, label, module, args in COUNTERPARTS:
        rows.append((label, module, args, False, None))
    return rows


def calls(requests):
    """The requests as (method, path with Keystone IDs as {id}, status), to compare two rows."""
    return [(entry["method"], re.sub(r"[0-9a-f]{32}", "{id}", entry["path"]), entry["status"])
            for entry in requests]


def unmatched(observed, expected):
    """The ``observed`` requests beyond ``expected`` (matched in order), or None when some
    expected request is missing."""
    position, others = 0, []
    for call in observed:
        if position < len(expected) and call == expected[position]:
            position += 1
        else:
            others.append(call)
    return others if position == len(expected) else None


def spec_of(label):
    """The requests of one task of an eos path or its reference row (REFERENCE_PATHS)."""
    return next(spec for eos, (dummy, spec) in REFERENCE_PATHS.items()
                if label in (eos, reference_label(eos)))


def same_requests(label, observed, tasks):
    """For a row with a spec in REFERENCE_PATHS: [] when it sent exactly the spec's requests
    (x tasks), the others when it sent them and others too, None when it did not send them."""
    return unmatched(calls(observed), spec_of(label) * tasks)


def check_reference(runner, label, requests, tasks):
    """The reference must send exactly its requests (REFERENCE_PATHS), all answered as listed:
    else it has rotted (or the bed changed), and every comparison with it would be wrong. Fails
    loudly. The request log cannot tell clients apart: when the bed is shared with other test
    runs, requests beyond the expected ones are taken for theirs and reported (``runner.foreign``)
    instead; on a bed of its own (make test, make bench) there are none."""
    extra = same_requests(label, requests, tasks)
    if extra is None:
        sys.exit("benchmark reference row '%s': not the requests of REFERENCE_PATHS (%d tasks "
                 "of %s); the bed logged:\n%s" % (
                     label, tasks, ", ".join("%s %s %s" % call for call in spec_of(label)),
                     "\n".join("  %s %s %s" % call for call in calls(requests))))
    if extra:
        runner.foreign[label] = runner.foreign.get(label, 0) + len(extra)


def settle(bed, label):
    """Before an 'unchanged' quota path: acme's cores back at the value it asks for (a 'changed'
    path ran before it in the round), set at the bed directly, before the request-log mark."""
    if label.startswith("eos_domain_quota unchanged"):
        bed.set_domain_values(bed.domains["acme"], bed.region, quotas={"cores": 72})


def measure(runner, count, rounds):
    """{label: [(ms per task, requests per task), ...]}, one sample per round.

    Every round runs every case once, in the same order, so that a slow spell of the machine
    touches all cases alike instead of one; the figures are medians over the rounds.
    """
    samples = {case[0]: [] for case in cases()}
    samples["calls"] = {}  # label -> (requests beyond the spec or None, one task's requests)
    for dummy in range(rounds):
        warmed = False
        for label, module, args, cache, dummy_minimum in cases():
            if cache and not warmed:  # a token in the cache, so that no cached task logs in
                runner.tasks("easystack.eos.eos_domain_usage_info", {}, 1, CACHE_ENV)
                warmed = True
            settle(runner.bed, label)
            seconds, requests = runner.tasks(module, args, count, CACHE_ENV if cache else {})
            if module == REFERENCE:
                check_reference(runner, label, requests, count)
            elif module == "ansible.builtin.ping" and requests:
                runner.foreign[label] = runner.foreign.get(label, 0) + len(requests)
            if not cache and (label in REFERENCE_PATHS or module == REFERENCE):
                samples["calls"].setdefault(label, (same_requests(label, requests, count),
                                                    calls(requests[:len(requests) // count])))
            server = sum(entry.get("ms", 0.0) for entry in requests)  # the bed's own time
            samples[label].append((seconds / count * 1000, len(requests) / count, server / count))
    return samples


def _median(values):
    return statistics.median(values)


def section_tasks(samples, count, rounds):
    rows = []
    floor = _median([sample[0] for sample in samples["ping"]])
    for label, dummy_module, dummy_args, dummy_cache, minimum in cases():
        if minimum is None:
            continue  # an openstack.cloud row: section 2
        times = [sample[0] for sample in samples[label]]
        per_task = _median(times)
        server = _median([sample[2] for sample in samples[label]])
        rows.append({"path": label, "ms_per_task": per_task, "ms_above_ping": per_task - floor,
                     "ratio_to_ping": per_task / floor, "ms_min": min(times), "ms_max": max(times),
                     "server_ms": server, "client_ms_above_ping": per_task - floor - server,
                     "requests_per_task": _median([sample[1] for sample in samples[label]]),
                     "minimum_requests": minimum})
    print("\n1. Per-task cost, %d-task playbooks, median of %d interleaved rounds" % (count, rounds))
    print("(server: the bed's own time answering the task's requests, from its log; "
          "client = +ping - server)")
    print("%-50s %8s %10s %9s %6s %7s %7s %9s %4s" % (
        "module path", "ms/task", "min-max", "+ping ms", "xping", "server", "client",
        "requests", "min"))
    for row in rows:
        print("%-50s %8.0f %10s %9.0f %6.2f %7.0f %7.0f %9.2f %4d" % (
            row["path"], row["ms_per_task"], "%.0f-%.0f" % (row["ms_min"], row["ms_max"]),
            row["ms_above_ping"], row["ratio_to_ping"], row["server_ms"],
            row["client_ms_above_ping"], row["requests_per_task"], row["minimum_requests"]))
    return rows


def section_openstack(samples, task_rows):
    rows = []
    by_path = {row["path"]: row for row in task_rows}
    floor = task_rows[0]["ms_per_task"]
    for eos_label, label, dummy_module, dummy_args in COUNTERPARTS:
        per_task = _median([sample[0] for sample in samples[label]])
        ours = by_path[eos_label]
        rows.append({"eos": eos_label, "openstack": label, "eos_ms": ours["ms_per_task"],
                     "openstack_ms": per_task, "eos_above_ping": ours["ms_above_ping"],
                     "openstack_above_ping": per_task - floor,
                     "ratio": ours["ms_per_task"] / per_task,
                     # undefined when the counterpart is not above the floor (noise, quick mode)
                     "ratio_above_ping": (ours["ms_above_ping"] / (per_task - floor)
                                          if per_task - floor > 0 else None),
                     "eos_requests": ours["requests_per_task"],
                     "openstack_requests": _median([sample[1] for sample in samples[label]]),
                     "openstack_server_ms": _median([sample[2] for sample in samples[label]])})
    print("\n2. Side by side with openstack.cloud (same ansible-core, same Keystone, same rounds)")
    print("%-42s %8s %8s %7s %11s %9s" % ("eos path vs openstack.cloud", "eos ms", "os ms",
                                          "ratio", "ratio>ping", "requests"))
    for row in rows:
        above = row["ratio_above_ping"]
        print("%-42s %8.0f %8.0f %7.2f %11s %4.1f/%-4.1f" % (
            row["eos"], row["eos_ms"], row["openstack_ms"], row["ratio"],
            "n/a" if above is None else "%.2f" % above, row["eos_requests"],
            row["openstack_requests"]))
        print("  vs %s" % row["openstack"])
    return rows


def section_process(runner, rounds):
    """The module's process alone (python -m <module>, as the target runs it, no controller).

    Per-task figures through ansible-playbook swing by tens of ms between rounds on a small
    machine; this measures the part a module adds above ping (imports, HTTP, work) directly,
    interleaved with ping's own process, so that the +ping column is not lost in that noise.
    """
    # The same PYTHONPATH for every row (the reference is found in LIBRARY, the eos modules in
    # the collections folder), so that no row pays for a longer search path than another.
    env = dict(runner.env, PYTHONPATH=os.pathsep.join([str(runner.work / "collections"),
                                                       str(LIBRARY)]))
    folder = runner.work / "process"
    folder.mkdir()
    paths = [("ping", "ansible.modules.ping", {}, False)]
    for label, module, args, cache in [c[:4] for c in cases() if c[4] is not None]:
        if module == REFERENCE:
            paths.append((label, REFERENCE, args, cache))
        elif module != "ansible.builtin.ping":
            paths.append((label, "ansible_collections.easystack.eos.plugins.modules."
                          + module.rsplit(".", 1)[1], args, cache))
    samples = {path[0]: [] for path in paths}
    flips = 0
    for dummy in range(rounds):
        for label, module, args, cache in paths:
            if "quotas" in args and "{{" in str(args["quotas"]):  # 'changed': differ every time
                flips += 1
                args = dict(args, quotas={"cores": 100 + flips % 2})
            settle(runner.bed, label)
            args_file = folder / "args.json"
            args_file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
            mark = runner.bed.log_mark()
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", module, str(args_file)],
                                  env=dict(env, **(CACHE_ENV if cache else {})),
                                  capture_output=True, text=True, check=False)
            elapsed = (time.perf_counter() - started) * 1000
            if done.returncode != 0 or '"failed": true' in done.stdout:
                sys.exit("benchmark module run failed (%s):\n%s\n%s"
                         % (label, done.stdout[-2000:], done.stderr[-2000:]))
            requests = runner.bed.requests_since(mark)
            if module == REFERENCE:
                check_reference(runner, label, requests, 1)
            elif label == "ping" and requests:
                runner.foreign["ping (1b)"] = runner.foreign.get("ping (1b)", 0) + len(requests)
            server = sum(entry.get("ms", 0.0) for entry in requests)
            samples[label].append((elapsed, server))
    floor = statistics.median([sample[0] for sample in samples["ping"]])
    print("\n1b. The module process alone on the target (python -m, no controller), "
          "median of %d interleaved rounds" % rounds)
    print("%-50s %8s %10s %9s %7s %7s" % ("module path", "ms", "min-max", "+ping ms", "server",
                                          "client"))
    rows = []
    for label, dummy_module, dummy_args, dummy_cache in paths:
        times = [sample[0] for sample in samples[label]]
        ms = statistics.median(times)
        server = statistics.median([sample[1] for sample in samples[label]])
        rows.append({"path": label, "ms": ms, "ms_min": min(times), "ms_max": max(times),
                     "ms_above_ping": ms - floor, "server_ms": server,
                     "client_ms_above_ping": ms - floor - server})
        print("%-50s %8.0f %10s %9.0f %7.0f %7.0f" % (label, ms, "%.0f-%.0f" % (
            min(times), max(times)), ms - floor, server, ms - floor - server))
    return rows


def _ratio(ours, reference):
    """eos +ping over the reference's +ping; undefined when the reference is not above ping."""
    return ours / reference if reference > 0 else None


def _verdict(ratio):
    if ratio is None:
        return "n/a"
    return "met" if ratio <= REFERENCE_TARGET else "NOT met"


def section_reference(samples, task_rows, process_rows, quick, foreign):
    """Per eos path: its +ping, the reference's +ping and their ratio, in playbooks (1) and as
    a process alone (1b), and whether the eos module sent the same requests as the reference."""
    tasks = {row["path"]: row for row in task_rows}
    process = {row["path"]: row for row in process_rows}
    print("\n1c. Against the reference floor for a requests module (%s: AnsibleModule +"
          " requests, the same requests, nothing else)" % (LIBRARY / (REFERENCE + ".py"))
          .relative_to(REPO))
    print("target: each eos path's cost above ping within %.1fx the reference's; ratio = eos "
          "+ping / reference +ping" % REFERENCE_TARGET)
    if quick:
        print("(quick mode: one round of 3 tasks; these figures are noise, not findings)")
    print("%-40s %-31s   %-31s  %s" % ("", "playbooks (1), +ping ms", "process alone (1b), +ping ms",
                                       "same"))
    print("%-40s %8s %8s %5s %7s   %8s %8s %5s %7s  %s" % (
        "eos path", "eos", "ref", "ratio", "target", "eos", "ref", "ratio", "target", "requests?"))
    rows = []
    for eos_label in REFERENCE_PATHS:
        ref_label = reference_label(eos_label)
        extra, one_task = samples["calls"][eos_label]
        row = {"eos": eos_label, "reference": ref_label, "target": REFERENCE_TARGET,
               "same_requests": extra == [],
               "other_requests": None if extra is None else [list(call) for call in extra],
               "eos_requests_one_task": [list(call) for call in one_task],
               "reference_requests_one_task": [list(call) for call in REFERENCE_PATHS[eos_label][1]]}
        for key, table in (("tasks", tasks), ("process", process)):
            ours, ref = table[eos_label]["ms_above_ping"], table[ref_label]["ms_above_ping"]
            row.update({key + "_eos_above_ping": ours, key + "_reference_above_ping": ref,
                        key + "_ratio": _ratio(ours, ref)})
        rows.append(row)
        cells = []
        for key in ("tasks", "process"):
            ratio = row[key + "_ratio"]
            cells += [row[key + "_eos_above_ping"], row[key + "_reference_above_ping"],
                      "n/a" if ratio is None else "%.2f" % ratio, _verdict(ratio)]
        same = "NO" if extra is None else "yes +%d" % len(extra) if extra else "yes"
        print("%-40s %8.0f %8.0f %5s %7s   %8.0f %8.0f %5s %7s  %s"
              % tuple([eos_label] + cells + [same]))
    for row in rows:  # the comparison is not like for like: show how
        if row["other_requests"] is None:
            print("\nNOTE: %s did not send the reference's requests (first round, one task):"
                  % row["eos"])
            for who in ("eos", "reference"):
                print("  %-10s %s" % (who + ":", ", ".join(
                    "%s %s %s" % tuple(call) for call in row[who + "_requests_one_task"])))
        elif row["other_requests"] and not foreign:  # with other clients about, they are noise
            others = ", ".join("%s %s %s" % tuple(call) for call in row["other_requests"])
            print("\nNOTE: %s sent the reference's requests and these too (first round, all "
                  "tasks): %s" % (row["eos"], others))
    if foreign:
        print("\nWARNING: the bed answered other clients during this run (requests that were not "
              "the benchmark's, seen in: %s): request counts ('yes +N' included), server times "
              "and timings of this run are not clean; run it with the bed to itself (make bench)"
              % ", ".join("%s %d" % item for item in sorted(foreign.items())))
    return rows


SCALE_NAME = "bench-%04d"  # the benchmark's departments; nothing else on the bed is named so
SCALE_NAMES = re.compile(r"^bench-\d{4}$")
SCALE_TARGET_BED = 1.5  # the list form, 1,000 departments unchanged: task time / bed time
SCALE_TARGET_LOOP = 10.0  # the list form at least this much faster per department than the loop
TIMER = Path(__file__).resolve().parent / "callback_plugins"
KEYSTONE_PAGE = 1000  # the modules page the domain listing at Keystone's max_db_limit


class BenchDomains:
    """The bench-NNNN departments, created and deleted at Keystone directly.

    Not through the EOS endpoint: set-up and tear-down stay out of the bed's request log, so they
    are never counted as a task's requests (nor in another client's log window). Created as
    needed, every bench-NNNN deleted at the end (disabled first, as Keystone requires), also those
    an interrupted run left behind: the bed keeps its domain count, which ``all_domains``,
    ``/v3/domain_usage`` and the quota report's ``all`` depend on.
    """

    def __init__(self, bed):
        import requests  # pylint: disable=import-outside-toplevel
        self.url = bed.state["keystone_url"].rstrip("/") + "/v3"
        self.bed = bed
        self.http = requests.Session()
        self.http.headers["Connection"] = "close"
        answer = self.http.post(self.url + "/auth/tokens", json=bed.password_auth("admin"),
                                timeout=30)
        answer.raise_for_status()
        self.http.headers["X-Auth-Token"] = answer.headers["X-Subject-Token"]
        self.ids = {}  # name -> id, in bench-NNNN order

    def listed(self):
        return [d for d in Keystone(self.url[:-3]).domains(self.http.headers["X-Auth-Token"])
                if SCALE_NAMES.match(d["name"])]

    def ensure(self, count):
        """The first ``count`` bench-NNNN names, each an existing domain; seconds spent."""
        started = time.perf_counter()
        self.ids.update((d["name"], d["id"]) for d in self.listed())
        missing = [SCALE_NAME % i for i in range(count) if SCALE_NAME % i not in self.ids]

        def create(name):
            answer = self.http.post(self.url + "/domains", json={"domain": {
                "name": name, "description": "easystack.eos benchmark, deleted by it"}}, timeout=60)
            answer.raise_for_status()
            return name, answer.json()["domain"]["id"]

        self.ids.update(self._each(create, missing))
        return [SCALE_NAME % i for i in range(count)], time.perf_counter() - started

    def delete_all(self):
        """Every bench-NNNN domain gone (disabled, then deleted); how many, seconds spent."""
        started = time.perf_counter()
        found = self.listed()

        def delete(domain):
            url = self.url + "/domains/" + domain["id"]
            answer = self.http.patch(url, json={"domain": {"enabled": False}}, timeout=60)
            if answer.status_code != 404:  # 404: gone already (a listing from Keystone's cache)
                answer.raise_for_status()
                answer = self.http.delete(url, timeout=60)
                if answer.status_code != 404:
                    answer.raise_for_status()
            return domain["id"]

        self._each(delete, found)
        self.ids.clear()
        return len(found), time.perf_counter() - started

    @staticmethod
    def _each(work, items):
        """``work(item)`` for each item, 3 at once; Keystone's SQLite answers a write that met
        another one "database is locked" (500): such a call is tried again."""
        from concurrent.futures import ThreadPoolExecutor  # pylint: disable=import-outside-toplevel
        import requests  # pylint: disable=import-outside-toplevel

        def patient(item):
            for attempt in range(10):
                try:
                    return work(item)
                except requests.HTTPError as error:
                    if error.response is None or error.response.status_code != 500 or attempt == 9:
                        raise
                    time.sleep(0.05 * (attempt + 1))
            return None

        with ThreadPoolExecutor(max_workers=3) as pool:
            return list(pool.map(patient, items))


def scale_requests(requests, ids):
    """The task's requests by kind; ``other`` are those no task of ours sends (another client's).

    Logins, listings and lookups cannot be told from another client's; their counts against
    what the form needs show it (``disturbed``).
    """
    kinds = {"login": [], "listing": [], "lookup": [], "get": [], "patch": [], "other": []}
    for entry in requests:
        path, method = entry["path"], entry["method"]
        if method == "POST" and path == "/v3/auth/tokens":
            kind = "login"
        elif method == "GET" and path.startswith("/v3/domains?limit="):
            kind = "listing"
        elif method == "GET" and path.startswith(("/v3/domains?name=bench-", "/v3/domains/")):
            kind = "lookup"
        elif path.startswith("/v3/domain_quotas/") and path.rsplit("/", 1)[1] in ids:
            kind = {"GET": "get", "PATCH": "patch"}.get(method, "other")
        else:
            kind = "other"
        kinds[kind].append(entry)
    return kinds


def busy_seconds(entries):
    """Wall time during which the bed was answering at least one of ``entries`` (the log's
    ``ts`` is written when an answer is done, ``ms`` is how long it took)."""
    spans = sorted((entry["ts"] - entry["ms"] / 1000.0, entry["ts"]) for entry in entries)
    total, end = 0.0, None
    for start, stop in spans:
        if end is None or start > end:
            total += stop - start
            end = stop
        elif stop > end:
            total += stop - end
            end = stop
    return total


class ScaleRunner:
    """One timed run of one form over ``size`` departments; the numbers of one table row."""

    def __init__(self, runner, domains):
        self.runner = runner
        self.domains = domains
        self.value = 100 + uuid.uuid4().int % 300  # instances; each 'changed' run moves it on
        self.env = dict(runner.env, ANSIBLE_CALLBACK_PLUGINS=str(TIMER),
                        ANSIBLE_CALLBACKS_ENABLED="bench_timer")

    def plays(self, form, names, parallel):
        wanted = [{"domain": name, "quotas": {"instances": self.value}} for name in names]
        if form == "list":
            task = {"name": "apply", "easystack.eos.eos_domain_quota": {
                "domains": "{{ bench_departments }}", "parallel": parallel}}
        elif form == "loop":
            task = {"name": "apply", "easystack.eos.eos_domain_quota": {
                "domain": "{{ item.domain }}", "quotas": "{{ item.quotas }}"},
                "loop": "{{ bench_departments }}", "loop_control": {"label": "{{ item.domain }}"}}
        else:  # the role, as it is (one task, or a loop while it is being rewritten)
            task = {"name": "apply", "ansible.builtin.include_role": {
                "name": "easystack.eos.domain_quotas"},
                "vars": {"eos_domain_quotas": "{{ bench_departments }}"}}
        return [{"hosts": "localhost", "gather_facts": False, "tasks": [task],
                 "vars": {"bench_departments": wanted}}]

    def run(self, form, size, state, parallel=4, attempts=2):
        """Time one run; a run disturbed by another client's requests is run once more (the
        second stands either way: on a shared bed the next may be no cleaner)."""
        names = [SCALE_NAME % i for i in range(size)]
        ids = {self.domains.ids[name] for name in names}
        for attempt in range(1, attempts + 1):
            if state == "changed":  # a value that differs from what every department has
                self.value = 100 + (self.value - 99) % 300
            row = self._once(form, names, ids, state, parallel)
            row["attempts"] = attempt
            if not row["disturbed"]:
                break
        return row

    def _once(self, form, names, ids, state, parallel):
        size = len(names)
        path = self.runner.work / ("scale-%s.yml" % uuid.uuid4().hex[:6])
        path.write_text(json.dumps(self.plays(form, names, parallel)))
        timer = self.runner.work / "timer.json"
        if timer.exists():
            timer.unlink()
        mark = self.runner.bed.log_mark()
        started = time.perf_counter()
        done = subprocess.run([str(BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local",
                               str(path)], env=dict(self.env, EOS_BENCH_TIMER_FILE=str(timer)),
                              capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
        if done.returncode != 0:
            sys.exit("benchmark scale playbook failed (%s, %d, %s):\n%s\n%s"
                     % (form, size, state, done.stdout[-4000:], done.stderr[-2000:]))
        tasks = json.loads(timer.read_text())["tasks"]
        task = max(t["end"] for t in tasks if t["end"]) - min(t["start"] for t in tasks)
        kinds = scale_requests(self.runner.bed.requests_since(mark), ids)
        ours = [entry for kind, entries in kinds.items() if kind != "other" for entry in entries]
        counts = {kind: len(entries) for kind, entries in kinds.items()}
        # a task per department: a login and a lookup each (the role may loop while it changes)
        one = form == "loop" or (form == "role" and counts["login"] == size)
        expected = {"login": size if one else 1, "lookup": size if one else 0,
                    "listing": 0 if one else -(-(size + 8) // KEYSTONE_PAGE),
                    "get": size, "patch": size if state == "changed" else 0}
        # fewer is a bug; more is another client reading the bench departments (all_domains)
        if counts["get"] < size or counts["patch"] < expected["patch"]:
            sys.exit("benchmark scale run (%s, %d, %s) sent %d GETs and %d PATCHes of the "
                     "bench departments, expected %d and %d"
                     % (form, size, state, counts["get"], counts["patch"], size,
                        expected["patch"]))
        return {
            "departments": size, "form": form, "state": state, "parallel": parallel,
            "task_s": task, "playbook_s": wall, "startup_s": wall - task,
            "ms_per_department": task / size * 1000,
            "bed_s": sum(entry["ms"] for entry in ours) / 1000.0, "bed_busy_s": busy_seconds(ours),
            "requests": counts,
            # more logins or listings than the form needs, or others' requests: not clean
            "disturbed": (bool(counts["other"]) or counts["login"] > expected["login"]
                          or counts["get"] > size or counts["patch"] > expected["patch"]
                          or counts["lookup"] > expected["lookup"]
                          or counts["listing"] > expected["listing"] + 1),
            "extrapolated": False,
            "load": os.getloadavg()[0],  # the machine's 1-minute load average after the run
        }


def extrapolated(row, size):
    """The loop's row at ``size`` from its per-department figures at the size measured."""
    factor = size / float(row["departments"])
    return dict(row, departments=size, extrapolated=True, attempts=0, disturbed=False,
                task_s=row["task_s"] * factor, playbook_s=None, startup_s=None,
                bed_s=row["bed_s"] * factor, bed_busy_s=row["bed_busy_s"] * factor,
                requests={kind: int(round(count * factor)) if kind != "other" else 0
                          for kind, count in row["requests"].items()})


def section_scale(runner, sizes, loop_size, runs, keep, quick=False,
                  forms=("list", "loop", "role")):
    """Section 3: the list form over ``sizes`` departments against the loop (at ``loop_size``,
    extrapolated beyond) and the role, with the bed's own time for the same requests."""
    domains = BenchDomains(runner.bed)
    scale = ScaleRunner(runner, domains)
    rows = []
    try:
        dummy, seconds = domains.ensure(max(sizes))
        print("\n3. Scale: many departments in one task (list form) against a loop of one task "
              "per department\n(%d bench-NNNN domains at Keystone, %.0f s to create; %s)" % (
                  max(sizes), seconds, "list form: median of %d runs per cell, loop and role: one "
                  "run" % runs if runs > 1 else "one run per cell"))
        cells = []  # (form, size, state, parallel, runs)
        for size in sizes:
            for state in ("changed", "unchanged"):
                cells.append(("list", size, state, 4, runs))
            if size == loop_size:  # quick: only 'unchanged' (the targets' state), to stay fast
                for form in ("loop", "role"):
                    for state in ("unchanged",) if quick else ("changed", "unchanged"):
                        cells.append((form, size, state, 4, 1))
        if runs > 1:  # the list form without overlapping requests: the bed's time adds up
            cells.append(("list", max(sizes), "unchanged", 1, 1))
        for form, size, state, parallel, count in cells:
            if form not in forms or (form == "role"
                                     and not (REPO / "roles" / "domain_quotas").is_dir()):
                continue
            # 'changed' moves every department to a new value; 'unchanged' asks for that value.
            # The loop and the role take minutes: not run again when disturbed.
            samples = [scale.run(form, size, state, parallel, 2 if form == "list" else 1)
                       for dummy in range(count)]
            row = sorted(samples, key=lambda r: r["task_s"])[len(samples) // 2]
            row["runs"] = len(samples)
            row["task_s_all"] = [sample["task_s"] for sample in samples]
            rows.append(row)
        for size in sizes:
            for row in [r for r in rows if r["form"] == "loop" and r["departments"] == loop_size]:
                if size != loop_size:
                    rows.append(extrapolated(row, size))
    finally:
        if keep:
            print("(--keep-domains: the bench-NNNN domains stay on the bed)")
        else:
            deleted, seconds = domains.delete_all()
            print("(%d bench-NNNN domains deleted at Keystone, %.0f s)" % (deleted, seconds))
    order = {"list": 0, "loop": 1, "role": 2}
    rows.sort(key=lambda r: (r["departments"], order[r["form"]], r["parallel"] != 4,
                             r["state"]))
    print_scale(rows, sizes, loop_size)
    if quick:
        print("(quick mode: %d departments, one run; the targets are set at 1,000 and 100, where "
              "the task's fixed cost of ~0.7 s is shared by more departments: these verdicts are "
              "not findings)" % max(sizes))
    return rows


def print_scale(rows, sizes, loop_size):
    print("task: the task's own time (bench_timer callback: its start to its last result, "
          "without ansible-playbook's start-up)")
    print("bed: the bed's own answer time for the task's requests, summed from its log; busy: the "
          "time it was answering at least one")
    print("load: the machine's 1-minute load average after the run (2 cores: above ~2, other "
          "work shared the machine)")
    print("%6s %-12s %-9s %8s %8s %7s %7s %6s %6s  %6s %4s %6s %6s %6s %5s" % (
        "depts", "form", "state", "task s", "ms/dept", "bed s", "busy s", "/bed", "/busy",
        "logins", "list", "lookup", "GETs", "PATCH", "load"))
    for row in rows:
        form = row["form"] + ("" if row["parallel"] == 4 else " par=%d" % row["parallel"])
        form += " (extr.)" if row["extrapolated"] else ""
        counts = row["requests"]
        print("%6d %-12s %-9s %8.1f %8.1f %7.1f %7.1f %6.2f %6.2f  %6d %4d %6d %6d %6d %5s%s" % (
            row["departments"], form, row["state"], row["task_s"], row["ms_per_department"],
            row["bed_s"], row["bed_busy_s"], row["task_s"] / row["bed_s"],
            row["task_s"] / row["bed_busy_s"], counts["login"], counts["listing"],
            counts["lookup"], counts["get"], counts["patch"],
            "-" if row["extrapolated"] else "%.1f" % row["load"],
            "  (other clients' requests: %d)" % counts["other"] if row["disturbed"] else ""))
    if any(row["extrapolated"] for row in rows):
        print("(extr.: not run; the loop measured at %d departments, its per-department figures "
              "times the size)" % loop_size)

    def find(form, size, state, parallel=4):
        for row in rows:
            if (row["form"], row["departments"], row["state"], row["parallel"],
                    row["extrapolated"]) == (form, size, state, parallel, False):
                return row
        return None

    print("\ntargets")
    biggest = max(sizes)
    checked = find("list", biggest, "unchanged")
    if checked:
        ratio = checked["task_s"] / checked["bed_s"]
        print("%-72s %6.2fx  target <= %.1fx  %s" % (
            "%d departments checked (unchanged) in one task: task time / bed time" % biggest,
            ratio, SCALE_TARGET_BED, "met" if ratio <= SCALE_TARGET_BED else "NOT met"))
        print("%-72s %6.2fx  (the same task against the bed's busy time)" % (
            "", checked["task_s"] / checked["bed_busy_s"]))
    for state in ("unchanged", "changed"):
        listed, looped = find("list", loop_size, state), find("loop", loop_size, state)
        if listed and looped:
            speedup = looped["ms_per_department"] / listed["ms_per_department"]
            print("%-72s %6.1fx  target >= %.0fx   %s" % (
                "list form against the loop at %d departments, per department, %s"
                % (loop_size, state), speedup, SCALE_TARGET_LOOP,
                "met" if speedup >= SCALE_TARGET_LOOP else "NOT met"))


def section_imports(runs):
    """Cumulative import time of what a module run imports, and what it adds to ``basic``.

    A module run imports the module, then (when it builds its client) module_utils.client with
    the session and transport; both are in each eos row. Interleaved rounds, medians.
    """
    package = "ansible_collections.easystack.eos.plugins."
    code = {
        "ansible.module_utils.basic (every module)": "import ansible.module_utils.basic",
        "eos_domain_usage_info": "import %smodules.eos_domain_usage_info, %smodule_utils.client"
                                 % (package, package),
        "eos_domain_quota": "import %smodules.eos_domain_quota, %smodule_utils.client"
                            % (package, package),
        "eos_user_password": "import %smodules.eos_user_password, %smodule_utils.client"
                             % (package, package),
        "basic + http.client + ssl (stdlib HTTP)": "import ansible.module_utils.basic, http.client, ssl",
        "basic + requests (what the modules use)": "import ansible.module_utils.basic, requests",
        "basic + openstack (openstack.cloud)": "import ansible.module_utils.basic, openstack",
    }
    collections = tempfile.mkdtemp()
    (Path(collections) / "ansible_collections" / "easystack").mkdir(parents=True)
    (Path(collections) / "ansible_collections" / "easystack" / "eos").symlink_to(REPO)
    env = dict(os.environ, PYTHONPATH=collections)
    samples = {label: [] for label in code}
    for dummy in range(runs):
        for label, statement in code.items():
            done = subprocess.run([sys.executable, "-X", "importtime", "-c", statement], env=env,
                                  capture_output=True, text=True, check=True)
            total = 0
            for line in done.stderr.splitlines():
                match = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\S.*)$", line)
                if match and not match.group(2).startswith(" "):
                    total += int(match.group(1))  # top-level imports only
            samples[label].append(total / 1000.0)
    print("\n4. Import time on the target (python -X importtime, cumulative, median of %d "
          "interleaved rounds)" % runs)
    print("%-48s %8s %12s" % ("code", "ms", "above basic"))
    rows = []
    basic = statistics.median(samples["ansible.module_utils.basic (every module)"])
    for label in code:
        ms = statistics.median(samples[label])
        rows.append({"code": label, "ms": ms, "above_basic_ms": ms - basic})
        print("%-48s %8.1f %12.1f" % (label, ms, ms - basic))
    return rows


# Section 5: the client alone, against a server that answers at once (the reliability suite's
# hostile server in its well-behaved mode, in this process): what is left of a task above ping is
# the client's own cost, which the bed's 10-35 ms a request hides in sections 1 and 1c.
RELIABILITY = REPO / "tests" / "reliability"
CLIENT_TARGET = 1.2  # each eos path's client cost above ping at most this times the reference's
CLIENT_PERCENTILE = 10
CLIENT_ROUNDS, CLIENT_TASKS = 5, 10  # interleaved rounds, tasks a playbook (quick: 1 and 3)


def client_paths(server, before=False):
    """(label, module, args, requests of one task as (method, target), tree) of section 5: ping,
    then each eos path of REFERENCE_PATHS (also from the ``before`` tree: BEFORE + its label)
    followed by its reference, with the hostile server's names (domain acme, user bob and his
    password). ``tree``: "before" for a row of the before tree, else None."""
    rows = [("ping", "ansible.builtin.ping", {}, [], None)]
    for label, module, args, dummy_minimum in TASKS:
        if label not in REFERENCE_PATHS:
            continue
        args = dict(args)
        if "user" in args:
            args.update(user="bob", password=server.password)
        if "{{" in str(args.get("quotas")):  # 'changed': 100, 101, 100, ... (settled at 72 first)
            args["quotas"] = {"cores": "{{ 100 + (task_index | int) % 2 }}"}
        spec = [(method, path.replace("bench-user", "bob"))
                for method, path, dummy_status in REFERENCE_PATHS[label][1]]
        rows.append((label, module, args, spec, None))
        if before:
            rows.append((BEFORE + label, module, args, spec, "before"))
        rows.append((reference_label(label), REFERENCE, reference_args(label, args), spec, None))
    return rows


BEFORE = "before: "


def _percentile(values, percent):
    """The ``percent`` percentile of ``values``, interpolated between the nearest ranks."""
    ordered = sorted(values)
    rank = (len(ordered) - 1) * percent / 100.0
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _collections(folder, tree):
    """A collections path in ``folder`` whose easystack.eos is ``tree``."""
    (folder / "ansible_collections" / "easystack").mkdir(parents=True)
    (folder / "ansible_collections" / "easystack" / "eos").symlink_to(tree)
    return str(folder)


def _client_env(work, server):
    """The environment of section 5's playbooks and 5b's processes (credentials for ``server``)."""
    # A target's Python writes bytecode unless told not to: the modules' bytecode cache
    # (module_utils/payload_import.py, in XDG_CACHE_HOME below, filled by the first task of a
    # row, or by 5b's playbook) honours PYTHONDONTWRITEBYTECODE, which a developer's or a
    # container's environment may set. EOS_NO_BYTECODE_CACHE=1 is passed on: the eos rows
    # without the cache.
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("OS_", "ANSIBLE_", "EOS_TOKEN", "PYTHONDONTWRITEBYTECODE"))}
    env.update(
        HOME=str(work), XDG_CACHE_HOME=str(work / "cache"), ANSIBLE_LOCALHOST_WARNING="0",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="0", ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        ANSIBLE_DEPRECATION_WARNINGS="0", ANSIBLE_LIBRARY=str(LIBRARY),
        ANSIBLE_CALLBACK_PLUGINS=str(TIMER), ANSIBLE_CALLBACKS_ENABLED="bench_timer",
        OS_AUTH_URL=server.url + "/v3", OS_USERNAME="admin", OS_PASSWORD="Bench-Admin-1",
        OS_PROJECT_NAME="admin", OS_USER_DOMAIN_NAME="Default", OS_PROJECT_DOMAIN_NAME="Default",
        OS_REGION_NAME="RegionOne", OS_IDENTITY_API_VERSION="3", OS_INTERFACE="public")
    return env


def _client_setup(work, before):
    """What sections 5 and 5b start with: the instant server (started), ``work``, the
    collection trees by row kind (None: this checkout, "before": ``before``), the environment
    and the rows (client_paths)."""
    sys.path.insert(0, str(RELIABILITY))
    from hostile_server import HostileServer  # pylint: disable=import-outside-toplevel

    server = HostileServer("127.0.0.1").start()
    # Not in work/collections: a collections/ folder beside the playbook comes first in
    # ansible's search, whatever ANSIBLE_COLLECTIONS_PATH says (the before rows ran this tree).
    trees = {None: _collections(work / "tree", REPO)}
    if before:
        trees["before"] = _collections(work / "tree-before", Path(before).resolve())
    return server, work, trees, _client_env(work, server), client_paths(server, bool(before))


def section_client(work, rounds, count, quick=False, before=None):
    """Section 5: per path, the 10th percentile of the task times of ``rounds`` interleaved rounds
    of ``count``-task playbooks against an instant server, above ping's, for the eos module and
    the reference module making the same requests (checked in the server's log), and their
    ratio against CLIENT_TARGET. ``before``: a checkout of another commit, whose eos rows run in
    the same rounds (a before/after without the machine's drift between two runs)."""
    server, work, trees, env, paths = _client_setup(Path(work) / "client", before)
    samples = {path[0]: [] for path in paths}
    loads = [os.getloadavg()[0]]
    try:
        for dummy in range(rounds):
            for label, module, args, spec, tree in paths:
                server.quotas["cores"] = 72  # 'unchanged' asks for 72; 'changed' differs from it
                tasks = [{"name": "task %d" % i, "vars": {"task_index": i}, module: args}
                         for i in range(count)]
                playbook = work / "client.yml"
                playbook.write_text(json.dumps([{"hosts": "localhost", "gather_facts": False,
                                                 "tasks": tasks}]))
                timer = work / "timer.json"
                if timer.exists():
                    timer.unlink()
                del server.seen[:]
                done = subprocess.run([str(BIN / "ansible-playbook"), "-i", "localhost,", "-c",
                                       "local", str(playbook)],
                                      env=dict(env, EOS_BENCH_TIMER_FILE=str(timer),
                                               ANSIBLE_COLLECTIONS_PATH=trees[tree]),
                                      capture_output=True, text=True, check=False)
                if done.returncode != 0:
                    sys.exit("benchmark client playbook failed (%s):\n%s\n%s"
                             % (label, done.stdout[-4000:], done.stderr[-2000:]))
                sent = [(r["method"], re.sub(r"[0-9a-f]{32}", "{id}", r["target"]))
                        for r in server.seen]
                if sent != spec * count:
                    sys.exit("benchmark client row '%s': not the requests of REFERENCE_PATHS "
                             "(%d tasks of %s); the server saw:\n%s" % (
                                 label, count, ", ".join("%s %s" % call for call in spec),
                                 "\n".join("  %s %s" % call for call in sent)))
                timed = json.loads(timer.read_text())["tasks"]
                samples[label] += [(t["end"] - t["start"]) * 1000 for t in timed]
            loads.append(os.getloadavg()[0])
    finally:
        server.close()
    return client_report(paths, samples, rounds, count, loads, quick, before)


def client_report(paths, samples, rounds, count, loads, quick, before=None):
    """The table of section 5 and its rows for the JSON."""
    floor = _percentile(samples["ping"], CLIENT_PERCENTILE)
    print("\n5. Client only: per-task cost against an instant server (tests/reliability/"
          "hostile_server.py, mode normal, plain http on 127.0.0.1)")
    print("task times from the bench_timer callback, %dth percentile of %d tasks (%d interleaved "
          "rounds of %d-task playbooks); ping %.0f ms a task" % (
              CLIENT_PERCENTILE, rounds * count, rounds, count, floor))
    print("target: each eos path's cost above ping within %.1fx the reference's (%s, the same "
          "requests, checked in the server's log); 1-minute load average at the start and after "
          "each round: %s" % (CLIENT_TARGET, (LIBRARY / (REFERENCE + ".py")).relative_to(REPO),
                              " ".join("%.2f" % load for load in loads)))
    if before:
        print("before: the eos rows of %s, in the same rounds" % before)
    if os.environ.get("EOS_NO_BYTECODE_CACHE", "") not in ("", "0"):
        print("EOS_NO_BYTECODE_CACHE=%s: the modules' bytecode cache is off"
              % os.environ["EOS_NO_BYTECODE_CACHE"])
    if quick:
        print("(quick mode: %d tasks a path; these figures are noise, not findings)" % count)
    print("%-40s %9s %9s %9s %9s %6s %7s%s" % (
        "eos path", "eos ms", "+ping", "ref ms", "+ping", "ratio", "target",
        " %13s %6s" % ("before +ping", "ratio") if before else ""))
    rows = []
    for label, module, dummy_args, spec, tree in paths:
        if module == REFERENCE or label == "ping" or tree:
            continue
        ours = _percentile(samples[label], CLIENT_PERCENTILE)
        ref = _percentile(samples[reference_label(label)], CLIENT_PERCENTILE)
        ratio = _ratio(ours - floor, ref - floor)
        verdict = "n/a" if ratio is None else "met" if ratio <= CLIENT_TARGET else "NOT met"
        row = {"eos": label, "reference": reference_label(label), "requests": len(spec),
               "percentile": CLIENT_PERCENTILE, "ping_ms": floor, "eos_ms": ours,
               "eos_above_ping": ours - floor, "reference_ms": ref,
               "reference_above_ping": ref - floor, "ratio": ratio, "target": CLIENT_TARGET,
               "met": verdict == "met",
               "eos_ms_median": statistics.median(samples[label]),
               "reference_ms_median": statistics.median(samples[reference_label(label)])}
        extra = ""
        if before:
            old = _percentile(samples[BEFORE + label], CLIENT_PERCENTILE)
            row.update(before_ms=old, before_above_ping=old - floor,
                       before_ratio=_ratio(old - floor, ref - floor))
            extra = " %13.0f %6s" % (old - floor, "n/a" if row["before_ratio"] is None
                                     else "%.2f" % row["before_ratio"])
        rows.append(row)
        print("%-40s %9.0f %9.0f %9.0f %9.0f %6s %7s%s" % (
            label, ours, ours - floor, ref, ref - floor,
            "n/a" if ratio is None else "%.2f" % ratio, verdict, extra))
    return {"rounds": rounds, "tasks_per_playbook": count, "ping_ms": floor, "loadavg": loads,
            "before": before, "rows": rows}


PROCESS_ROUNDS = 20  # section 5b: interleaved rounds of every kept payload (quick: 2)


def section_client_process(work, rounds, before=None):
    """Section 5b: the module process alone, as a target runs it, without the controller. One
    ``AnsiballZ_*.py`` of each path of section 5 (eos and reference, kept from a one-task
    playbook with ANSIBLE_KEEP_REMOTE_FILES) is run directly with this Python, ``rounds`` times
    after one warm-up round, interleaved, against the same kind of instant server, its requests
    checked as in section 5. Per path: the wall time's 10th percentile and the median CPU time
    (user + system of the process) above ping's. The eos payloads filled the bytecode cache in
    their playbook, so each run is a task after the first. ``before``: another checkout's eos
    payloads in the same rounds."""
    server, work, trees, env, paths = _client_setup(Path(work) / "process", before)
    kept = {}
    samples = {path[0]: ([], []) for path in paths}
    loads = [os.getloadavg()[0]]
    try:
        for label, module, args, spec, tree in paths:
            if "{{" in str(args.get("quotas")):  # a payload's arguments are fixed: 100 vs 72
                args = dict(args, quotas={"cores": 100})
            remote = work / "remote"
            shutil.rmtree(str(remote), ignore_errors=True)
            playbook = work / "keep.yml"
            playbook.write_text(json.dumps([{"hosts": "localhost", "gather_facts": False,
                                             "tasks": [{module: args}]}]))
            server.quotas["cores"] = 72
            done = subprocess.run(
                [str(BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local", str(playbook)],
                env=dict(env, ANSIBLE_KEEP_REMOTE_FILES="1", ANSIBLE_REMOTE_TMP=str(remote),
                         ANSIBLE_COLLECTIONS_PATH=trees[tree]),
                capture_output=True, text=True, check=False)
            found = sorted(remote.glob("*/AnsiballZ_*.py"))
            if done.returncode != 0 or len(found) != 1:
                sys.exit("benchmark 5b: no payload kept for %s:\n%s\n%s"
                         % (label, done.stdout[-3000:], done.stderr[-2000:]))
            kept[label] = work / ("payload-%d.py" % len(kept))
            shutil.copy(str(found[0]), str(kept[label]))
        shutil.rmtree(str(work / "remote"), ignore_errors=True)
        for round_number in range(rounds + 1):  # round 0 warms the OS caches, not counted
            for label, module, args, spec, tree in paths:
                server.quotas["cores"] = 72
                del server.seen[:]
                used = resource.getrusage(resource.RUSAGE_CHILDREN)
                started = time.perf_counter()
                done = subprocess.run([sys.executable, str(kept[label])], env=env,
                                      capture_output=True, text=True, check=False)
                wall = (time.perf_counter() - started) * 1000
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu = ((after.ru_utime - used.ru_utime) + (after.ru_stime - used.ru_stime)) * 1000
                result = json.loads(done.stdout or "{}") if done.returncode == 0 else {}
                sent = [(r["method"], re.sub(r"[0-9a-f]{32}", "{id}", r["target"]))
                        for r in server.seen]
                if done.returncode != 0 or result.get("failed") or sent != spec:
                    sys.exit("benchmark 5b: %s failed or sent other requests (%s):\n%s\n%s"
                             % (label, sent, done.stdout[-2000:], done.stderr[-2000:]))
                if round_number:
                    samples[label][0].append(wall)
                    samples[label][1].append(cpu)
            loads.append(os.getloadavg()[0])
    finally:
        server.close()
    return client_process_report(paths, samples, rounds, loads, before)


def client_process_report(paths, samples, rounds, loads, before=None):
    """The table of section 5b and its rows for the JSON."""
    ping_wall = _percentile(samples["ping"][0], CLIENT_PERCENTILE)
    ping_cpu = statistics.median(samples["ping"][1])
    print("\n5b. Client only, the module process alone (the kept AnsiballZ_*.py run directly "
          "against an instant server, no controller)")
    print("%d interleaved rounds after a warm-up one; wall: %dth percentile, CPU (user + system): "
          "median; ping %.0f ms wall, %.0f ms CPU; 1-minute load average at the start and after "
          "each round: %s" % (rounds, CLIENT_PERCENTILE, ping_wall, ping_cpu,
                              " ".join("%.2f" % load for load in loads)))
    if before:
        print("before: the eos rows of %s, in the same rounds" % before)
    print("%-40s %9s %9s %6s %7s %9s %9s %6s%s" % (
        "eos path (ms above ping)", "eos wall", "ref wall", "ratio", "target", "eos CPU",
        "ref CPU", "ratio", " %12s %12s" % ("before wall", "before CPU") if before else ""))
    rows = []
    for label, module, dummy_args, spec, tree in paths:
        if module == REFERENCE or label == "ping" or tree:
            continue
        reference = reference_label(label)
        ours = _percentile(samples[label][0], CLIENT_PERCENTILE) - ping_wall
        ref = _percentile(samples[reference][0], CLIENT_PERCENTILE) - ping_wall
        ours_cpu = statistics.median(samples[label][1]) - ping_cpu
        ref_cpu = statistics.median(samples[reference][1]) - ping_cpu
        ratio, cpu_ratio = _ratio(ours, ref), _ratio(ours_cpu, ref_cpu)
        verdict = "n/a" if ratio is None else "met" if ratio <= CLIENT_TARGET else "NOT met"
        row = {"eos": label, "reference": reference, "wall_above_ping": ours,
               "reference_wall_above_ping": ref, "ratio": ratio, "met": verdict == "met",
               "cpu_above_ping": ours_cpu, "reference_cpu_above_ping": ref_cpu,
               "cpu_ratio": cpu_ratio, "target": CLIENT_TARGET}
        extra = ""
        if before:
            old = _percentile(samples[BEFORE + label][0], CLIENT_PERCENTILE) - ping_wall
            old_cpu = statistics.median(samples[BEFORE + label][1]) - ping_cpu
            row.update(before_wall_above_ping=old, before_cpu_above_ping=old_cpu)
            extra = " %12.0f %12.0f" % (old, old_cpu)
        rows.append(row)
        print("%-40s %9.0f %9.0f %6s %7s %9.0f %9.0f %6s%s" % (
            label, ours, ref, "n/a" if ratio is None else "%.2f" % ratio, verdict, ours_cpu,
            ref_cpu, "n/a" if cpu_ratio is None else "%.2f" % cpu_ratio, extra))
    return {"rounds": rounds, "ping_wall_ms": ping_wall, "ping_cpu_ms": ping_cpu,
            "loadavg": loads, "before": before, "rows": rows}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true",
                        help="one run each, 3-task playbooks, scale 20 departments, the loop at 20 "
                             "(for the test command)")
    parser.add_argument("--only", choices=("all", "tasks", "scale", "imports", "client"),
                        default="all",
                        help="tasks: sections 1, 1b, 1c and 2; scale: section 3; imports: 4; "
                             "client: 5 and 5b, which need no bed (default: all of them)")
    parser.add_argument("--client-rounds", type=int, help="section 5: this many rounds (default: "
                        "%d, quick: 1)" % CLIENT_ROUNDS)
    parser.add_argument("--client-tasks", type=int, help="section 5: tasks a playbook (default: "
                        "%d, quick: 3)" % CLIENT_TASKS)
    parser.add_argument("--process-rounds", type=int, help="section 5b: this many rounds "
                        "(default: %d, quick: 2)" % PROCESS_ROUNDS)
    parser.add_argument("--client-before", metavar="TREE",
                        help="section 5: also run the eos rows from the collection at TREE (a "
                             "checkout of another commit, e.g. from git archive), in the same "
                             "rounds: before and after without the machine's drift between runs")
    parser.add_argument("--keep-domains", action="store_true",
                        help="leave the bench-NNNN domains on the bed (the next run reuses them); "
                             "by default section 3 deletes them")
    parser.add_argument("--sizes", help="section 3: these department counts (e.g. 1000), not "
                        "the mode's; the loop and the role run at the first")
    parser.add_argument("--forms", default="list,loop,role",
                        help="section 3: which forms to run (default: list,loop,role)")
    parser.add_argument("--json", default=str(REPO / "tests" / "output" / "benchmark.json"))
    options = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # progress shows in a log file as it comes
    run = {"tasks", "scale", "imports", "client"} if options.only == "all" else {options.only}
    bed = Bed.load() if run & {"tasks", "scale"} else None
    if "tasks" in run:  # sections 1 and 2 need the bench user and the seeded quotas
        prepare_bed(bed)
    rounds, count = (1, 3) if options.quick else (5, 10)
    # departments, the loop's size, runs per list-form cell
    sizes, loop_size, scale_runs = ((20,), 20, 1) if options.quick else ((100, 500, 1000), 100, 3)
    if options.sizes:
        sizes = tuple(int(size) for size in options.sizes.split(","))
        loop_size = sizes[0]
    report = {"quick": options.quick, "only": options.only, "rounds": rounds,
              "tasks_per_playbook": count}
    started = time.time()
    with tempfile.TemporaryDirectory() as work:
        runner = Runner(bed, work) if bed else None  # one run per playbook: measure() repeats
        if "tasks" in run:
            samples = measure(runner, count, rounds)
            report["per_task"] = tasks = section_tasks(samples, count, rounds)
            report["openstack"] = section_openstack(samples, tasks)
            report["process"] = process = section_process(runner, 3 if options.quick else 21)
            report["reference"] = section_reference(samples, tasks, process, options.quick,
                                                    runner.foreign)
            report["foreign_requests"] = dict(runner.foreign)
        if "scale" in run:
            report["scale"] = section_scale(runner, sizes, loop_size, scale_runs,
                                            options.keep_domains, options.quick,
                                            set(options.forms.split(",")))
    if "imports" in run:
        report["imports"] = section_imports(3 if options.quick else 10)
    if "client" in run:
        with tempfile.TemporaryDirectory() as work:
            report["client"] = section_client(
                work, options.client_rounds or (1 if options.quick else CLIENT_ROUNDS),
                options.client_tasks or (3 if options.quick else CLIENT_TASKS), options.quick,
                options.client_before)
        with tempfile.TemporaryDirectory() as work:
            report["client_process"] = section_client_process(
                work, options.process_rounds or (2 if options.quick else PROCESS_ROUNDS),
                options.client_before)
    report["seconds"] = round(time.time() - started)
    Path(options.json).parent.mkdir(parents=True, exist_ok=True)
    Path(options.json).write_text(json.dumps(report, indent=2))
    print("\nJSON: %s (%d s)" % (options.json, report["seconds"]))
    if "tasks" in run:
        bed.reset_quotas()  # acme's quotas as seeded (sections 1 and 2 changed them)


if __name__ == "__main__":
    main()
