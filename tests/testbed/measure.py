"""Print the test bed's own numbers: memory of its processes and median request latencies.

    python3 tests/testbed/measure.py [--runs 50]     (the bed must be up; uses the bed's venv)
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bedclient import Bed  # noqa: E402  pylint: disable=wrong-import-position


def rss_mib(pid):
    """Resident memory of a process and its children (gunicorn master + workers), in MiB."""
    total = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines()
                          if ":" in line)
        except OSError:
            continue
        if str(pid) in (status.parent.name, fields.get("PPid", "").strip()):
            total += int(fields.get("VmRSS", "0 kB").split()[0])
    return total / 1024


def median_ms(call, runs):
    samples = []
    for dummy in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), min(samples), max(samples)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    bed = Bed.load()
    acme = bed.domains["acme"]
    token = bed.token()

    def login():
        assert bed.login("admin").status_code == 201

    def quota_get():
        assert bed.api("GET", "/v3/domain_quotas/" + acme,
                       headers={"X-Auth-Token": token}).status_code == 200

    def usage_get():
        assert bed.api("GET", "/v3/domain_usage", headers={"X-Auth-Token": token}).status_code == 200

    print("%-34s %8s %8s %8s" % ("request (%d runs)" % args.runs, "median", "min", "max"))
    for name, call in (("token (password, project scope)", login),
                       ("GET /v3/domain_quotas/{id}", quota_get),
                       ("GET /v3/domain_usage", usage_get)):
        print("%-34s %6.1fms %6.1fms %6.1fms" % ((name,) + median_ms(call, args.runs)))
    for service in ("keystone", "simulator"):
        pid = int((bed.root / "run" / ("%s.pid" % service)).read_text())
        print("%-34s %6.0f MiB RSS" % (service + " (master + workers)", rss_mib(pid)))


if __name__ == "__main__":
    main()
