"""Running the collection's modules with real ansible-core: ad hoc or as playbooks.

Each test runs ``ansible`` (ad hoc) or ``ansible-playbook`` in a subprocess with exactly the
environment it chooses (OS_* variables, a clouds.yaml, nothing), reads every task result through
the test-only ``eos_results`` callback, and can count the HTTP requests the bed answered.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# How ansible-core reports an exception that escaped a module (2.19+ and older cores).
CRASH_MARKERS = ("Task failed: Module failed", "MODULE FAILURE", "Traceback (most recent call")


class Run:
    """One ansible/ansible-playbook run: exit code, output, and every task result."""

    def __init__(self, process, argv):
        self.rc = process.returncode
        self.stdout = process.stdout
        self.stderr = process.stderr
        self.argv = argv
        self.results = []
        for number, line in enumerate(self.stdout.splitlines(), 1):
            if line.startswith("{") and '"status"' in line:
                # A line of the eos_results callback: one that does not parse is a torn or
                # interleaved result, and dropping it would hide a task from the test.
                try:
                    self.results.append(json.loads(line))
                except ValueError as exc:
                    raise AssertionError(
                        "line %d of the output of %s looks like a task result but is not JSON "
                        "(%s):\n%s" % (number, Path(argv[0]).name, exc, line[:2000])) from exc

    def task(self, name):
        """The result of the (last) task with this name."""
        matches = [r for r in self.results if r["task"] == name]
        assert matches, "no task %r in:\n%s\n%s" % (name, self.stdout, self.stderr)
        return matches[-1]["result"]

    @property
    def last(self):
        assert self.results, "no task results:\n%s\n%s" % (self.stdout, self.stderr)
        return self.results[-1]["result"]

    def assert_clean_failure(self):
        """Failed through fail_json with a message, not by an exception escaping the module."""
        result = self.last
        assert self.results[-1]["status"] == "failed" and self.rc != 0, result
        text = json.dumps(result) + self.stderr
        for marker in CRASH_MARKERS:
            assert marker not in text, "module crashed:\n%s" % text
        assert result.get("msg")
        return result


class Ansible:
    def __init__(self, bed, collections, home):
        self.bed = bed
        self.collections = collections
        self.home = home

    def base_env(self):
        """A clean environment: no OS_*, clouds.yaml or *_proxy unless a test adds them."""
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("OS_", "ANSIBLE_")) and not key.lower().endswith("_proxy")}
        env.update({
            "HOME": str(self.home),  # no ~/.config/openstack/clouds.yaml of the developer's
            "ANSIBLE_COLLECTIONS_PATH": str(self.collections),
            "ANSIBLE_CALLBACK_PLUGINS": str(Path(__file__).parent / "callback_plugins"),
            "ANSIBLE_STDOUT_CALLBACK": "eos_results",
            "ANSIBLE_LOAD_CALLBACK_PLUGINS": "1",
            "ANSIBLE_LOCALHOST_WARNING": "0",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
            "ANSIBLE_NOCOLOR": "1",
        })
        return env

    def os_env(self, user="admin"):
        """OS_* variables of a seeded bed user, as an openrc file would set them."""
        account = self.bed.users[user]
        return {
            "OS_AUTH_URL": self.bed.auth_url, "OS_USERNAME": user,
            "OS_PASSWORD": account["password"], "OS_PROJECT_NAME": account["project"],
            "OS_USER_DOMAIN_NAME": account["domain"], "OS_PROJECT_DOMAIN_NAME": account["domain"],
            "OS_REGION_NAME": self.bed.region, "OS_INTERFACE": "public",
        }

    def _run(self, argv, env, cwd):
        full_env = self.base_env()
        full_env.update(env or {})
        process = subprocess.run(argv, env=full_env, cwd=str(cwd or self.home),
                                 capture_output=True, text=True, timeout=300, check=False)
        return Run(process, argv)

    def module(self, name, args=None, env=None, check=False, diff=False, cwd=None,
               verbosity=0, python=None):
        argv = [str(BIN / "ansible"), "localhost", "-m", "easystack.eos." + name]
        argv += ["-a", json.dumps(args)] if args else []
        # The implicit localhost pins the controller's Python as a host var: override it there.
        argv += ["-e", "ansible_python_interpreter=%s" % python] if python else []
        argv += ["--check"] if check else []
        argv += ["--diff"] if diff else []
        argv += ["-" + "v" * verbosity] if verbosity else []
        return self._run(argv, env, cwd)

    def playbook(self, text, env=None, check=False, diff=False, cwd=None, extra_vars=None,
                 verbosity=0):
        path = Path(self.home) / "playbook.yml"
        path.write_text(text)
        argv = [str(BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local", str(path)]
        argv += ["--check"] if check else []
        argv += ["--diff"] if diff else []
        argv += ["-e", json.dumps(extra_vars)] if extra_vars else []
        argv += ["-" + "v" * verbosity] if verbosity else []
        return self._run(argv, env, cwd)


def localhost_play(tasks, group_defaults=None):
    """A playbook of one play on localhost running ``tasks`` (a list of task dicts), with
    ``group_defaults`` for every module of the collection's action group (``module_defaults:
    group/easystack.eos.eos``). Written as JSON, which is YAML."""
    play = {"hosts": "localhost", "gather_facts": False, "tasks": tasks}
    if group_defaults:
        play["module_defaults"] = {"group/easystack.eos.eos": group_defaults}
    return json.dumps([play], indent=2)


def write_clouds_yaml(path, clouds):
    """Write a clouds.yaml (JSON is valid YAML) with mode 0600."""
    path.write_text(json.dumps({"clouds": clouds}, indent=2))
    path.chmod(0o600)
    return path
