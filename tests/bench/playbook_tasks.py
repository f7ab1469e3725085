"""Wall time of 20-task playbooks of each module against the test bed, beside ansible.builtin.ping.

    .venv/bin/python tests/bench/playbook_tasks.py [--runs 3] [--tasks 20]

Each scenario is one playbook of TASKS identical tasks (the quota "changed" scenario alternates
two values so that every task writes). Prints the median wall time of RUNS runs, the time per
task above the ping playbook, and the HTTP requests per task from the bed's request log.
The bed must be up; it is left with the quota values of the last scenario.
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

SCENARIOS = [
    ("ansible.builtin.ping (floor)", "ansible.builtin.ping", lambda i: {}),
    ("eos_domain_usage_info domain=acme", "easystack.eos.eos_domain_usage_info",
     lambda i: {"domain": "acme"}),
    ("eos_domain_quota unchanged", "easystack.eos.eos_domain_quota",
     lambda i: {"domain": "acme", "quotas": {"cores": 72}}),
    ("eos_domain_quota changed", "easystack.eos.eos_domain_quota",
     lambda i: {"domain": "acme", "quotas": {"cores": 80 + i % 2}}),
    ("eos_user_password on_mismatch unchanged", "easystack.eos.eos_user_password",
     lambda i: {"user": "bob", "domain": "acme", "password": "{{ pw }}"}),
    ("eos_user_password always", "easystack.eos.eos_user_password",
     lambda i: {"user": "bob", "domain": "acme", "password": "{{ pw }}",
                "update_password": "always"}),
]


def playbook(module, args_of, tasks):
    plays = [{"hosts": "localhost", "gather_facts": False, "vars": {"pw": "Bench-password-1"},
              "tasks": [{"name": "task %d" % i, module: args_of(i)} for i in range(tasks)]}]
    return json.dumps(plays)  # JSON is YAML


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tasks", type=int, default=20)
    options = parser.parse_args()
    bed = Bed.load()
    admin = bed.users["admin"]
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        (work / "ansible_collections" / "easystack").mkdir(parents=True)
        (work / "ansible_collections" / "easystack" / "eos").symlink_to(REPO)
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(work),
                   ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
                   ANSIBLE_PYTHON_INTERPRETER=sys.executable,
                   OS_AUTH_URL=bed.auth_url, OS_USERNAME="admin", OS_PASSWORD=admin["password"],
                   OS_PROJECT_NAME="admin", OS_USER_DOMAIN_NAME="Default",
                   OS_PROJECT_DOMAIN_NAME="Default", OS_REGION_NAME=bed.region)
        command = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,",
                   "-c", "local"]
        title = "%d-task playbook, median of %d" % (options.tasks, options.runs)
        print("%-42s %9s %9s %6s %6s" % (title, "total", "per task", "+ping", "reqs"))
        floor = None
        for label, module, args_of in SCENARIOS:
            path = work / "playbook.yml"
            path.write_text(playbook(module, args_of, options.tasks))
            samples, counts = [], []
            for dummy in range(options.runs):
                mark = bed.log_mark()
                started = time.perf_counter()
                done = subprocess.run(command + [str(path)], env=env, capture_output=True,
                                      text=True, check=False)
                samples.append(time.perf_counter() - started)
                counts.append(len(bed.requests_since(mark)) / options.tasks)
                if done.returncode != 0:
                    sys.exit("%s failed:\n%s%s" % (label, done.stdout[-3000:], done.stderr[-3000:]))
            total = statistics.median(samples)
            per_task = total / options.tasks * 1000
            floor = per_task if floor is None else floor
            extra = "" if module == "ansible.builtin.ping" else "+%.0f" % (per_task - floor)
            print("%-42s %8.2fs %7.0fms %6s %6.2f"
                  % (label, total, per_task, extra, statistics.median(counts)))


if __name__ == "__main__":
    main()
