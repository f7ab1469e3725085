"""The fleet benchmark: the quota report and the many-department reads, at 100 to 5,000
departments. Prints tables, writes JSON.

    <venv>/bin/python tests/bench/fleet.py [--quick] [--sizes 100,1000,5000] [--bed-size 1000]
                                            [--only report|metrics|usage] [--json PATH]

Sections, each comparison side by side in one run (alternating, best of the rounds):
  R. the report (easystack.eos.eos_quota_report, platform view and ``all_domains``) against
     reading the same data with easystack.eos.eos_domain_usage_info (the platform view, then
     ``all_domains``), task times on the controller (the bench_timer callback): on an instant
     server (tests/reliability/hostile_server.py in normal mode, N departments of the bed's
     shape: 40 items in one region) at each size, and on the bed at --bed-size. Per row: read
     and report seconds, their ratio (target: within 1.5x), the report's own render seconds and
     its share of the report task (target: at most 5 %), the peak RSS of ansible-playbook, the
     HTML and CSV sizes. The render target is judged on the bed's row: against an instant server
     reading costs next to nothing, and rendering's share there measures the server.
  U. eos_domain_usage_info ``all_domains`` on the bed at --bed-size, ``parallel`` 1 (sequential)
     against 4 and 8: task seconds against the bed's busy time answering its requests (target for
     parallel reads: within 1.5x of that busy time).

  M. the metrics (easystack.eos.eos_quota_metrics, ``all_domains``: the platform view and every
     department, written as a Prometheus text file) against reading the same data with
     easystack.eos.eos_domain_usage_info (platform view, then ``all_domains``), task seconds on
     the instant server at each size and on the bed at --bed-size. Per row: read and metrics
     seconds, their ratio (target: within 1.2x), the file's size and series, the peak RSS.

  B. (--before REV) the role easystack.eos.quota_report with ``all`` on the bed: the collection at
     git revision REV against this checkout, every task's time added up.

The bed must be up (``make bench`` brings it up); sections U and B and the bed row of R create
bench-NNNN departments at Keystone and delete them at the end.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "tests" / "reliability"))
sys.path.insert(0, str(HERE))

from benchmark import BIN, TIMER, BenchDomains, Bed, busy_seconds  # noqa: E402  pylint: disable=wrong-import-position
from hostile_server import HostileServer  # noqa: E402  pylint: disable=wrong-import-position

REPORT_TARGET = 1.5   # the whole report within this of reading the same data
METRICS_TARGET = 1.2  # the metrics file within this of reading the same data
RENDER_SHARE = 0.05   # rendering at most this share of the report task
PARALLEL_TARGET = 1.5  # parallel reads within this of the bed's busy time
JUDGED = {"quick": False}  # quick mode's sizes are too small to judge the targets by
TIME = Path("/usr/bin/time")
# The bed's shape: 40 items in a region (base items, three volume types, containers).
BASE = ["instances", "cores", "ram", "backup_gigabytes", "backups", "network", "subnet",
        "floatingip", "router", "security_group", "security_group_rule", "port", "loadbalancer"]
SHAPE = dict([(item, 10 * (n + 1)) for n, item in enumerate(BASE)]
             + [("%s_%s" % (item, kind), 100) for item in ("volumes", "gigabytes", "snapshots")
                for kind in ("hdd", "ssd", "nvme")]
             + [(item, -1) for item in ("cpu", "pods", "memory", "gpu", "alcub_storage",
                                        "general_storage")]
             + [("extra_%d" % n, 5) for n in range(12)])


def verdict(met):
    return "(quick mode: not judged)" if JUDGED["quick"] else ("met" if met else "NOT MET")


class Playbooks:
    """ansible-playbook runs timed per task, with this checkout (or ``tree``) as easystack.eos."""

    def __init__(self, work, env, tree=REPO):
        self.work = Path(work)
        collections = self.work / "collections"
        (collections / "ansible_collections" / "easystack").mkdir(parents=True)
        (collections / "ansible_collections" / "easystack" / "eos").symlink_to(tree)
        self.env = {key: value for key, value in os.environ.items()
                    if not key.startswith(("OS_", "ANSIBLE_", "EOS_TOKEN"))}
        self.env.update(
            HOME=str(self.work), ANSIBLE_COLLECTIONS_PATH=str(collections),
            ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
            ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_DEPRECATION_WARNINGS="0",
            ANSIBLE_CALLBACK_PLUGINS=str(TIMER), ANSIBLE_CALLBACKS_ENABLED="bench_timer", **env)

    def run(self, tasks, keep=True):
        """``{task name: seconds}``, the last task's result (a ``register``; ``keep``) and the
        peak RSS (MB)."""
        tag = uuid.uuid4().hex[:6]
        play = self.work / ("play-%s.yml" % tag)
        timer, rss, result = (self.work / ("%s-%s" % (name, tag)) for name in ("timer.json", "rss", "result.json"))
        if keep:
            tasks = tasks + [{"name": "keep the result", "ansible.builtin.copy": {
                "content": "{{ last | to_json }}", "dest": str(result), "mode": "0600"}}]
        play.write_text(json.dumps([{"hosts": "localhost", "gather_facts": False, "tasks": tasks}]))
        command = [str(BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local", str(play)]
        if TIME.exists():
            command = [str(TIME), "-f", "%M", "-o", str(rss)] + command
        done = subprocess.run(command, env=dict(self.env, EOS_BENCH_TIMER_FILE=str(timer)),
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.exit("fleet benchmark playbook failed:\n%s\n%s" % (done.stdout[-4000:], done.stderr[-2000:]))
        times = dict((entry["name"], entry["end"] - entry["start"])
                     for entry in json.loads(timer.read_text())["tasks"] if entry["end"])
        peak = int(rss.read_text().strip().splitlines()[-1]) / 1024.0 if TIME.exists() else None
        return times, json.loads(result.read_text()) if keep else None, peak


def admin_env(auth_url, password, region=None):
    """The OS_* variables of an admin login (the bed's, or any password on the instant server,
    which takes every one)."""
    env = {"OS_AUTH_URL": auth_url, "OS_USERNAME": "admin", "OS_PASSWORD": password,
           "OS_PROJECT_NAME": "admin", "OS_USER_DOMAIN_NAME": "Default",
           "OS_PROJECT_DOMAIN_NAME": "Default"}
    if region:
        env["OS_REGION_NAME"] = region
    return env


def read_tasks(parallel=4):
    return [{"name": "platform", "easystack.eos.eos_domain_usage_info": {}},
            {"name": "departments", "easystack.eos.eos_domain_usage_info": {
                "all_domains": True, "parallel": parallel}, "register": "last"}]


def report_tasks(dest):
    return [{"name": "report", "easystack.eos.eos_quota_report": {
        "all_domains": True, "dest": str(dest), "name": "fleet"}, "register": "last"}]


def compare(playbooks, label, size, rounds, dest):
    """Section R's row: read against report, alternating, best of ``rounds``."""
    reads, reports = [], []
    for round_ in range(rounds):
        times, result, peak_read = playbooks.run(read_tasks())
        assert len(result["domains"]) >= size, (len(result["domains"]), size)
        reads.append((times["platform"] + times["departments"], peak_read))
        for stale in Path(dest).glob("fleet.*"):  # every round writes its files anew
            stale.unlink()
        times, result, peak = playbooks.run(report_tasks(dest))
        reports.append((times["report"], result, peak))
        del round_
    read_s, peak_read = min(reads)
    report_s, result, peak = min(reports, key=lambda entry: entry[0])
    render = result["timing"]["render_seconds"]
    return {
        "server": label, "departments": result["departments"], "read_s": read_s,
        "report_s": report_s, "ratio": report_s / read_s, "render_s": render,
        "render_share": render / report_s, "peak_rss_mb": peak, "peak_rss_read_mb": peak_read,
        "html_mb": result["size"]["html_bytes"] / 1e6, "csv_mb": result["size"]["csv_bytes"] / 1e6,
        "load": os.getloadavg()[0],
    }


def instant_server(size):
    """A hostile server in normal mode holding ``size`` departments of the bed's shape."""
    server = HostileServer().start()
    server.quotas = dict(SHAPE)
    server.usage = dict((item, value // 3 if value > 0 else 0) for item, value in SHAPE.items())
    server.limits = dict.fromkeys(SHAPE, -1)
    for index in range(size - 1):  # acme is the first
        domain = server.add_domain("dept-%05d" % index)
        server.other_quotas[domain["id"]] = dict(SHAPE)
    return server


def each_server(work, sizes, bed, bed_size, rounds, bench_domains, measure):
    """``measure(playbooks, label, size, rounds)`` on an instant server of each size (one round
    at 5,000), then on the bed at ``bed_size``; the rows."""
    rows = []
    for size in sizes:
        server = instant_server(size)
        try:
            env = admin_env(server.url + "/v3", "Admin-" + uuid.uuid4().hex)
            rows.append(measure(Playbooks(work / ("instant-%d" % size), env), "instant", size,
                                1 if size >= 5000 else rounds))
        finally:
            server.close()
    if bed is not None and bed_size:
        bench_domains.ensure(bed_size)
        env = admin_env(bed.auth_url, bed.users["admin"]["password"], bed.region)
        rows.append(measure(Playbooks(work / "bed", env), "bed", bed_size, rounds))
    return rows


def section_report(work, sizes, bed, bed_size, rounds, bench_domains):
    rows = each_server(work / "report", sizes, bed, bed_size, rounds, bench_domains,
                       lambda playbooks, label, size, runs: compare(
                           playbooks, label, size, runs, playbooks.work / "out"))
    print("\nR. The report against reading the same data (eos_domain_usage_info: platform + "
          "all_domains), task seconds, best of %d" % rounds)
    print("%-8s %6s %8s %9s %7s %9s %8s %9s %8s %8s %5s" % (
        "server", "depts", "read s", "report s", "ratio", "render s", "render %", "peak MB",
        "HTML MB", "CSV MB", "load"))
    for row in rows:
        print("%-8s %6d %8.2f %9.2f %6.2fx %9.2f %7.1f%% %9s %8.2f %8.2f %5.2f" % (
            row["server"], row["departments"], row["read_s"], row["report_s"], row["ratio"],
            row["render_s"], 100 * row["render_share"],
            "%.0f" % row["peak_rss_mb"] if row["peak_rss_mb"] else "-", row["html_mb"],
            row["csv_mb"], row["load"]))
    print("target: the report within %.1fx of the read: %s" % (
        REPORT_TARGET, verdict(all(row["ratio"] <= REPORT_TARGET for row in rows))))
    # rendering's share of a real run: on the bed (on the instant server the read costs next to
    # nothing, so the share says how fast the server is, not how slow rendering is)
    real = [row for row in rows if row["server"] == "bed"]
    if real:
        print("target: rendering at most %d %% of the report on the bed: %s" % (
            100 * RENDER_SHARE, verdict(all(row["render_share"] <= RENDER_SHARE for row in real))))
    return rows


def metrics_tasks(path):
    return [{"name": "metrics", "easystack.eos.eos_quota_metrics": {
        "all_domains": True, "path": str(path)}, "register": "last"}]


def compare_metrics(playbooks, label, size, rounds):
    """Section M's row: read against metrics, alternating, best of ``rounds``; every round
    writes the file anew (as a run whose numbers changed)."""
    path = playbooks.work / "eos_quota.prom"
    reads, alls, writes = [], [], []
    for dummy in range(rounds):
        times, result, peak_read = playbooks.run(read_tasks())
        assert len(result["domains"]) >= size, (len(result["domains"]), size)
        reads.append((times["platform"] + times["departments"], peak_read))
        alls.append(times["departments"])
        if path.exists():
            path.unlink()
        times, result, peak = playbooks.run(metrics_tasks(path))
        assert result["changed"] and result["departments"] >= size, result.get("msg")
        writes.append((times["metrics"], result, peak))
    read_s, peak_read = min(reads)
    metrics_s, result, peak = min(writes, key=lambda entry: entry[0])
    return {"server": label, "departments": result["departments"], "read_s": read_s,
            "all_domains_s": min(alls), "metrics_s": metrics_s, "ratio": metrics_s / min(alls),
            "ratio_read": metrics_s / read_s, "series": result["series"],
            "file_mb": path.stat().st_size / 1e6, "peak_rss_mb": peak,
            "peak_rss_read_mb": peak_read, "load": os.getloadavg()[0]}


def section_metrics(work, sizes, bed, bed_size, rounds, bench_domains):
    rows = each_server(work / "metrics", sizes, bed, bed_size, rounds, bench_domains,
                       compare_metrics)
    print("\nM. The metrics file against reading the same data (eos_domain_usage_info: platform + "
          "all_domains), task seconds, best of %d" % rounds)
    print("(read s: both tasks; all_domains s: that task alone, which the target is judged by - "
          "the metrics task reads the platform view as well)")
    print("%-8s %6s %8s %14s %10s %7s %11s %8s %8s %9s %5s" % (
        "server", "depts", "read s", "all_domains s", "metrics s", "ratio", "ratio read",
        "series", "file MB", "peak MB", "load"))
    for row in rows:
        print("%-8s %6d %8.2f %14.2f %10.2f %6.2fx %10.2fx %8d %8.2f %9s %5.2f" % (
            row["server"], row["departments"], row["read_s"], row["all_domains_s"],
            row["metrics_s"], row["ratio"], row["ratio_read"], row["series"], row["file_mb"],
            "%.0f" % row["peak_rss_mb"] if row["peak_rss_mb"] else "-", row["load"]))
    print("target: the metrics within %.1fx of eos_domain_usage_info all_domains: %s" % (
        METRICS_TARGET, verdict(all(row["ratio"] <= METRICS_TARGET for row in rows))))
    return rows


def role_task(dest):
    return [{"name": "role", "ansible.builtin.include_role": {"name": "easystack.eos.quota_report"},
             "vars": {"eos_quota_report_domains": "all", "eos_quota_report_dir": str(dest)}}]


def section_role(work, bed, size, before, bench_domains):
    """The role easystack.eos.quota_report with ``all`` on the bed: this checkout against the
    collection at git revision ``before``, one run each, every task's time added up."""
    bench_domains.ensure(size)
    env = admin_env(bed.auth_url, bed.users["admin"]["password"], bed.region)
    old = work / "before-tree"
    old.mkdir()
    archive = subprocess.run(["git", "-C", str(REPO), "archive", before], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
    rows = []
    for label, tree in (("before (%s)" % before, old), ("now", REPO)):
        playbooks = Playbooks(work / ("role-%s" % len(rows)), env, tree)
        started = time.perf_counter()
        times, dummy, peak = playbooks.run(role_task(playbooks.work / "out"), keep=False)
        wall = time.perf_counter() - started
        page = playbooks.work / "out" / "eos-quota-report.html"
        rows.append({"collection": label, "tasks_s": sum(times.values()), "playbook_s": wall,
                     "peak_rss_mb": peak, "html_mb": page.stat().st_size / 1e6,
                     "load": os.getloadavg()[0]})
    print("\nB. The role quota_report with all on the bed (%d departments), before and now" % size)
    print("%-22s %9s %11s %8s %8s %5s"
          % ("collection", "tasks s", "playbook s", "peak MB", "HTML MB", "load"))
    for row in rows:
        print("%-22s %9.1f %11.1f %8s %8.2f %5.2f" % (
            row["collection"], row["tasks_s"], row["playbook_s"],
            "%.0f" % row["peak_rss_mb"] if row["peak_rss_mb"] else "-", row["html_mb"], row["load"]))
    return rows


def section_usage(work, bed, size, rounds, bench_domains):
    bench_domains.ensure(size)
    env = admin_env(bed.auth_url, bed.users["admin"]["password"], bed.region)
    playbooks = Playbooks(work / "bed-usage", env)
    best = {}
    for dummy in range(rounds):
        for parallel in (1, 4, 8):
            mark = bed.log_mark()
            times, result, dummy_peak = playbooks.run(read_tasks(parallel)[1:])
            ours = list(bed.requests_since(mark))
            row = {"parallel": parallel, "departments": len(result["domains"]),
                   "task_s": times["departments"], "bed_busy_s": busy_seconds(ours),
                   "requests": len(ours), "load": os.getloadavg()[0]}
            row["ratio"] = row["task_s"] / row["bed_busy_s"]
            if parallel not in best or row["task_s"] < best[parallel]["task_s"]:
                best[parallel] = row
    rows = [best[parallel] for parallel in (1, 4, 8)]
    print("\nU. eos_domain_usage_info all_domains on the bed, sequential against parallel, best of %d"
          % rounds)
    print("%8s %6s %8s %12s %9s %7s %5s" % ("parallel", "depts", "task s", "bed busy s",
                                            "requests", "ratio", "load"))
    for row in rows:
        print("%8d %6d %8.2f %12.2f %9d %6.2fx %5.2f" % (
            row["parallel"], row["departments"], row["task_s"], row["bed_busy_s"],
            row["requests"], row["ratio"], row["load"]))
    print("target: parallel reads within %.1fx of the bed's busy time: %s" % (
        PARALLEL_TARGET, verdict(all(row["ratio"] <= PARALLEL_TARGET for row in rows[1:]))))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true",
                        help="100 departments on the instant server, 20 on the bed, one round")
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument("--bed-size", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--no-bed", action="store_true", help="only the instant server")
    parser.add_argument("--before", help="also run the role of the collection at this git "
                        "revision on the bed, beside this checkout's (section B)")
    parser.add_argument("--only", choices=("report", "metrics", "usage"),
                        help="only this section (R, M or U)")
    parser.add_argument("--json", default=str(REPO / "tests" / "output" / "fleet.json"))
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")] if not args.quick else [100]
    bed_size = 20 if args.quick else args.bed_size
    rounds = 1 if args.quick else args.rounds
    JUDGED["quick"] = args.quick
    bed = None if args.no_bed else Bed.load()
    bench_domains = BenchDomains(bed) if bed is not None else None
    started = time.time()
    try:
        with tempfile.TemporaryDirectory(prefix="eos-fleet-") as work:
            work = Path(work)
            wanted = dict((name, args.only in (None, name)) for name in ("report", "metrics", "usage"))
            report = (section_report(work, sizes, bed, bed_size, rounds, bench_domains)
                      if wanted["report"] else [])
            metrics = (section_metrics(work, sizes, bed, bed_size, rounds, bench_domains)
                       if wanted["metrics"] else [])
            usage = (section_usage(work, bed, bed_size, rounds, bench_domains)
                     if bed and wanted["usage"] else [])
            role = (section_role(work, bed, bed_size, args.before, bench_domains)
                    if bed and args.before else [])
    finally:
        if bench_domains is not None:
            count, seconds = bench_domains.delete_all()
            print("\n(deleted %d bench departments in %.0f s)" % (count, seconds))
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps({"report": report, "metrics": metrics, "usage": usage, "role": role,
                                           "quick": args.quick,
                                           "seconds": time.time() - started}, indent=1))
    print("JSON: %s (%.0f s)" % (args.json, time.time() - started))


if __name__ == "__main__":
    main()
