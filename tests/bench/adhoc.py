"""Wall time of ad-hoc module calls against the test bed, and the requests each one makes.

    .venv/bin/python tests/bench/adhoc.py [--runs 10] [MODULE [ARGS-JSON]]

Runs ``ansible localhost -m easystack.eos.MODULE -a ARGS`` RUNS times with the bed admin's OS_*
variables, beside ``ansible.builtin.ping`` (Ansible's own floor), and prints the medians and
the HTTP requests per call counted from the bed's request log. The bed must be up.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "testbed"))

from bedclient import Bed  # noqa: E402  pylint: disable=wrong-import-position


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("module", nargs="?", default="eos_domain_usage_info")
    parser.add_argument("args", nargs="?", default="")
    options = parser.parse_args()
    bed = Bed.load()
    account = bed.users["admin"]
    with tempfile.TemporaryDirectory() as collections:
        (Path(collections) / "ansible_collections" / "easystack").mkdir(parents=True)
        (Path(collections) / "ansible_collections" / "easystack" / "eos").symlink_to(REPO)
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections,
                   ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
                   ANSIBLE_PYTHON_INTERPRETER=sys.executable,
                   OS_AUTH_URL=bed.auth_url, OS_USERNAME="admin", OS_PASSWORD=account["password"],
                   OS_PROJECT_NAME="admin", OS_USER_DOMAIN_NAME="Default",
                   OS_PROJECT_DOMAIN_NAME="Default", OS_REGION_NAME=bed.region)
        ansible = str(Path(sys.executable).parent / "ansible")
        print("%-48s %10s %10s %9s" % ("ad-hoc call (%d runs)" % options.runs, "median", "min",
                                       "requests"))
        for module, args in (("ansible.builtin.ping", ""),
                             ("easystack.eos." + options.module, options.args)):
            samples, counts = [], []
            for dummy in range(options.runs):
                mark = bed.log_mark()
                argv = [ansible, "localhost", "-m", module] + (["-a", args] if args else [])
                started = time.perf_counter()
                done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
                samples.append((time.perf_counter() - started) * 1000)
                counts.append(len(bed.requests_since(mark)))
                if done.returncode != 0:
                    sys.exit("%s failed:\n%s%s" % (module, done.stdout, done.stderr))
            label = "%s %s" % (module, args)
            print("%-48s %8.0fms %8.0fms %9s" % (label[:48], statistics.median(samples),
                                                 min(samples), json.dumps(sorted(set(counts)))))


if __name__ == "__main__":
    main()
