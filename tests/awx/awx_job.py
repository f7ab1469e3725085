"""A job run the way AWX runs one: ansible-runner on a private data directory.

AWX copies the project, writes the inventory, the extra vars and the credentials' environment
into a private data directory and starts ``ansible-runner`` on it; the job's result is the
runner's status and rc, its output and its job events (``artifacts/<ident>/``). ``AwxJob`` does
the same without a container (process isolation off), starting ansible-runner with a scrubbed
environment, so the playbook sees only what the private data directory gives it.
"""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

BIN = Path(sys.executable).parent  # the controller venv: ansible-runner, ansible-playbook
HERE = Path(__file__).resolve().parent
PROJECT = HERE / "project"


class JobResult:
    def __init__(self, artifacts, process):
        self.artifacts = artifacts
        self.process = process
        self.status = (artifacts / "status").read_text().strip()
        self.rc = int((artifacts / "rc").read_text().strip())
        self.stdout = (artifacts / "stdout").read_text()
        stderr = artifacts / "stderr"
        self.stderr = stderr.read_text() if stderr.exists() else ""
        self.events = [json.loads(path.read_text())
                       for path in sorted((artifacts / "job_events").glob("*.json"),
                                          key=lambda p: int(p.name.split("-", 1)[0]))]

    def describe(self):
        return "status %s, rc %s\n...%s\n%s" % (
            self.status, self.rc, self.stdout[-4000:], self.process.stderr[-2000:])

    def task_results(self, task):
        """``(event, result)`` of every host result of the tasks with this name."""
        return [(event["event"], event["event_data"].get("res", {})) for event in self.events
                if event["event"].startswith("runner_on_") and event["event"] != "runner_on_start"
                and event["event_data"].get("task") == task]

    def result(self, task, event="runner_on_ok"):
        results = self.task_results(task)
        assert [name for name, _res in results] == [event], (task, [n for n, _r in results],
                                                             self.describe())
        return results[0][1]

    def stats(self):
        stats = [e for e in self.events if e["event"] == "playbook_on_stats"]
        assert len(stats) == 1, self.describe()
        return stats[0]["event_data"]

    def recorded_text(self):
        """What AWX keeps of a job: its output and its job events."""
        return self.stdout + self.stderr + "".join(json.dumps(event) for event in self.events)


class AwxJob:
    """A private data directory laid out as AWX gives it to ansible-runner."""

    def __init__(self, root, collections, ident):
        self.root = Path(root)
        self.collections = collections
        self.ident = ident
        self.home = self.root.parent / ("%s-home" % ident)  # no ~/.config/openstack of anyone's
        for sub in ("env", "inventory"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self.home.mkdir(exist_ok=True)
        self.process_env = None
        shutil.copytree(PROJECT, self.root / "project")
        # AWX's demo inventory: localhost, local connection, the playbook's own Python.
        self._write("inventory/hosts.yml", {"all": {"hosts": {"localhost": {
            "ansible_connection": "local",
            "ansible_python_interpreter": "{{ ansible_playbook_python }}"}}}})

    @property
    def private_data_dir(self):
        return str(self.root)

    def _write(self, relative, data):
        path = self.root / relative
        path.write_text(yaml.safe_dump(data, default_flow_style=False))
        path.chmod(0o600)
        return path

    def run(self, playbook, envvars, extravars, verbosity=0, check=False):
        """Run ``project/<playbook>``; ``envvars`` is exactly what the credential injects;
        ``check``: the template's Job Type is Check (AWX passes --check)."""
        self._write("env/envvars", dict(envvars))
        self._write("env/extravars", dict(extravars))
        cmdline = self.root / "env" / "cmdline"
        if check:
            cmdline.write_text("--check")
        elif cmdline.exists():
            cmdline.unlink()
        # Not inherited from the test process: no OS_*, no clouds.yaml, no ANSIBLE_* settings.
        # In an EE the collection is installed where ansible looks by default; here the path says.
        scrubbed = {
            "PATH": "%s:/usr/bin:/bin" % BIN,
            "HOME": str(self.home),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "ANSIBLE_COLLECTIONS_PATH": str(self.collections),
        }
        self.process_env = scrubbed
        argv = [str(BIN / "ansible-runner"), "run", self.private_data_dir, "-p", playbook,
                "--ident", self.ident]
        if verbosity:
            argv.append("-" + "v" * verbosity)
        process = subprocess.run(argv, env=scrubbed, cwd=str(self.home), capture_output=True,
                                 text=True, timeout=300, check=False)
        artifacts = self.root / "artifacts" / self.ident
        assert (artifacts / "status").exists(), "ansible-runner left no status: %s\n%s" % (
            process.stdout, process.stderr)
        return JobResult(artifacts, process)
