"""Every example of every module runs against the bed, read from the module file itself.

The tasks of each module's ``EXAMPLES`` (and the YAML blocks of docs/modules.md) are parsed, not
copied: each task becomes a playbook run by real ansible-core against the bed, and each ad hoc
command written in an ``EXAMPLES`` comment (``#   ansible localhost -m ...``) runs through
``ansible`` with the bed's OS_* variables. A changed example is tested as it now reads; a new one
is tested without anyone adding it here. The test supplies what the examples take from an
inventory: a clouds.yaml with the cloud ``eos-prod`` (the bed's admin), OS_* variables, and the
variables the examples name. A variable an example documents in a comment (``# eos_departments:``
and the indented YAML under it) is used as documented.
"""
import ast
import json
import re
import shlex
import subprocess
import uuid
from pathlib import Path

import pytest
import yaml

from bedkit import can_log_in, server_quotas
from playbook_runner import BIN, REPO, Run, write_clouds_yaml

MODULE_DIR = REPO / "plugins" / "modules"
PREFIX = "easystack.eos."
AD_HOC = re.compile(r"^#\s+(ansible\s+localhost\s+.*)$")
# "# name:" followed by more deeply indented comment lines: a variable the example documents.
DOCUMENTED = re.compile(r"^(\s*)#\s*([A-Za-z_][A-Za-z0-9_]*):\s*\n((?:\1#\s{2,}.*\n?)+)", re.M)
# Examples known to be wrong on the bed: (source, task name) -> the bed's error. Marked
# xfail(strict=True), so the test fails once the example is fixed and the entry must go.
BROKEN = {}


def examples_of(path):
    """The EXAMPLES string of a module file, read without importing it."""
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(
                isinstance(target, ast.Name) and target.id == "EXAMPLES" for target in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError("%s has no EXAMPLES" % path)


def documented_vars(text):
    """Variables an example documents in a comment, as YAML under ``# name:``."""
    found = {}
    for match in DOCUMENTED.finditer(text):
        body = "\n".join(re.sub(r"^\s*#", "", line) for line in match.group(3).splitlines())
        found[match.group(2)] = yaml.safe_load(body)
    return found


def doc_blocks():
    """The YAML blocks of docs/modules.md that are lists of tasks."""
    text = (REPO / "docs" / "modules.md").read_text()
    return [block for block in re.findall(r"^```ya?ml\n(.*?)^```", text, re.M | re.S)
            if isinstance(yaml.safe_load(block), list)]


def sources():
    """(source name, example text) of every module file and every docs/modules.md block."""
    found = [(path.stem, examples_of(path)) for path in sorted(MODULE_DIR.glob("*.py"))
             if not path.name.startswith("_")]
    found += [("docs/modules.md#%d" % number, block) for number, block in enumerate(doc_blocks())]
    return found


def module_of(task):
    modules = [key[len(PREFIX):] for key in task if key.startswith(PREFIX)]
    return modules[0] if modules else None


def task_cases():
    cases = []
    for source, text in sources():
        tasks = yaml.safe_load(text)
        assert isinstance(tasks, list) and tasks, "%s: EXAMPLES is no list of tasks" % source
        for index, task in enumerate(tasks):
            marks = ()
            if (source, task["name"]) in BROKEN:
                marks = pytest.mark.xfail(strict=True, reason=BROKEN[source, task["name"]])
            cases.append(pytest.param(source, text, index, marks=marks,
                                      id="%s/%d %s" % (source, index, task["name"])))
    return cases


def ad_hoc_cases():
    cases = []
    for source, text in sources():
        for number, line in enumerate(line for line in text.splitlines() if AD_HOC.match(line)):
            cases.append(pytest.param(AD_HOC.match(line).group(1), id="%s/ad-hoc-%d" % (source, number)))
    return cases


def with_registered_inputs(tasks, index):
    """Task ``index`` after the earlier tasks whose registered result it uses."""
    text = json.dumps(tasks[index])
    needed = [task for task in tasks[:index]
              if task.get("register") and re.search(r"\b%s\b" % task["register"], text)]
    return needed + [tasks[index]]


def writes_to_bob_or_acme(bed, records):
    """Writes to what the examples target (the bed is shared: others' writes are not counted)."""
    targets = ("/v3/users/" + bed.users["bob"]["id"], "/v3/domain_quotas/" + bed.domains["acme"])
    return [(r["method"], r["path"]) for r in records
            if r["method"] in ("PATCH", "PUT", "POST", "DELETE") and r["path"].startswith(targets)]


@pytest.fixture()
def service_accounts(bed):
    """Throwaway users in acme for the rotation example, so no seeded password changes."""
    accounts = []
    for dummy in range(2):
        name = "ex-" + uuid.uuid4().hex[:8]
        created = bed.api("POST", "/v3/users", json={"user": {
            "name": name, "domain_id": bed.domains["acme"],
            "password": "Old-" + uuid.uuid4().hex}}).json()["user"]
        accounts.append({"id": created["id"], "name": name, "domain": "acme",
                         "password": "Rotated-" + uuid.uuid4().hex})
    yield accounts
    for account in accounts:
        bed.api("DELETE", "/v3/users/" + account["id"])


@pytest.fixture()
def inventory(ansible, bed, service_accounts):
    """What the examples expect from an inventory, and the clouds.yaml naming eos-prod."""
    config = Path(ansible.home) / ".config" / "openstack"
    config.mkdir(parents=True, exist_ok=True)
    textfile = Path(ansible.home) / "textfile_collector"
    textfile.mkdir(exist_ok=True)
    admin = bed.users["admin"]
    write_clouds_yaml(config / "clouds.yaml", {"eos-prod": {
        "auth": {"auth_url": bed.auth_url, "username": "admin", "password": admin["password"],
                 "project_name": admin["project"], "user_domain_name": admin["domain"],
                 "project_domain_name": admin["domain"]},
        "region_name": bed.region}})
    return {
        # bob keeps the password the bed gave him (others' tests log in as bob): the example
        # runs for real and finds nothing to change; test_reset_example_would_change_a_different_
        # password checks a new one in check mode.
        "vault_bob_password": bed.users["bob"]["password"],
        "eos_service_accounts": [{key: account[key] for key in ("name", "domain", "password")}
                                 for account in service_accounts],
        # eos_quota_metrics' examples write to node_exporter's textfile directory: here a new one
        "eos_textfile_dir": str(textfile),
    }


def variables_for(source, task, inventory, documented):
    """The inventory, with what the source documents (eos_departments: the one inventory of
    eos_domain_quota's example, which eos_domain_usage_info's example reads too)."""
    extra = dict(inventory)
    if module_of(task) == "eos_domain_usage_info" or source.startswith("docs/"):
        quota_examples = examples_of(MODULE_DIR / "eos_domain_quota.py")
        extra["eos_departments"] = documented_vars(quota_examples)["eos_departments"]
    extra.update(documented)
    if source == "eos_quota_metrics":  # documented as /var/lib/node_exporter/...
        extra["eos_textfile_dir"] = inventory["eos_textfile_dir"]
    return extra


def check_effect(bed, task, result, extra, service_accounts):
    """What the example says it does, seen on the bed."""
    args = task[PREFIX + module_of(task)] or {}
    if module_of(task) == "eos_domain_quota" and task.get("check_mode"):
        assert result["plan"].startswith("sha256:") and result["drift"], result  # nothing written
    elif module_of(task) == "eos_domain_quota":
        domains = args.get("domains")
        if isinstance(domains, str):  # "{{ name }}" of a variable
            domains = extra[re.fullmatch(r"\{\{\s*(\w+)\s*\}\}", domains).group(1)]
        for entry in domains or [args]:
            region = entry.get("region") or args.get("region") or bed.region
            server = server_quotas(bed, entry["domain"], region)
            for item, value in entry["quotas"].items():
                number = -1 if str(value).lower() == "unlimited" else float(value)
                # the plural aliases (networks, subnets, ...) name the server's singular items
                actual = server.get(item, server.get(item[:-1] if item.endswith("s") else item))
                assert actual == number, (entry["domain"], region, item, actual, number)
    elif module_of(task) == "eos_domain_usage_info":
        if args.get("all_domains"):
            names = [entry["domain"]["name"] for entry in result["domains"]]
            assert names == sorted(names) and {"acme", "globex", "Default"} <= set(names)
        elif args.get("domains"):
            assert [entry["domain"]["name"] for entry in result["domains"]] == ["acme", "globex"]
        elif args.get("domain"):
            assert result["domain"]["name"] == args["domain"]
    elif module_of(task) == "eos_quota_report":
        # the files are where the result says, and hold every department asked for
        page = Path(result["html"]).read_text(encoding="utf-8")
        names = ["acme", "globex"] if args.get("domains") else ["acme", "globex", "Default"]
        for name in names:
            assert 'data-name="%s" data-scope="domain"' % name in page, name
        assert Path(result["csv"]).read_text(encoding="utf-8").startswith("region,scope,name,item")
        assert result["summary"]["html"] == result["html"]
        if args.get("regions"):
            assert result["summary"]["regions"] == args["regions"]
    elif module_of(task) == "eos_quota_metrics":
        # the file is where the example says, whole, and holds what was asked for
        text = Path(result["path"]).read_text(encoding="utf-8")
        assert text == result["metrics"] and result["path"].startswith(extra["eos_textfile_dir"])
        assert "eos_quota_read_success 1\n" in text
        domains = set(re.findall(r'^eos_domain_quota_limit\{region="[^"]*",domain="([^"]*)"', text, re.M))
        regions = set(re.findall(r'^eos_platform_quota_limit\{region="([^"]*)"', text, re.M))
        if args.get("all_domains"):
            assert {"acme", "globex", "Default"} <= domains and len(domains) == result["departments"]
        else:
            assert domains == set(args.get("domains") or ())
        assert regions == ({args["region"]} if args.get("region") else {"RegionOne", "RegionTwo"})
        if args.get("mode"):
            assert oct(Path(result["path"]).stat().st_mode & 0o777) == oct(int(args["mode"], 8))
    elif module_of(task) == "eos_user_password" and task.get("loop"):
        for account in service_accounts:
            assert can_log_in(bed, account["id"], account["password"]), account["name"]
    elif module_of(task) == "eos_user_password":
        # "updated" only when someone on the shared bed left bob with another password
        assert result["password_state"] in ("unchanged", "updated"), result
        assert can_log_in(bed, result["user"]["id"], extra["vault_bob_password"])


def playbook(tasks):
    return yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "tasks": tasks}],
                          sort_keys=False)


def test_every_module_has_examples_and_each_is_collected():
    modules = sorted(path.stem for path in MODULE_DIR.glob("*.py") if not path.name.startswith("_"))
    assert modules == ["eos_domain_quota", "eos_domain_usage_info", "eos_quota_metrics",
                       "eos_quota_report", "eos_user_password"]
    ids = [case.id for case in task_cases()]
    for module in modules:
        tasks = yaml.safe_load(examples_of(MODULE_DIR / (module + ".py")))
        assert [case for case in ids if case.startswith(module + "/")] == [
            "%s/%d %s" % (module, index, task["name"]) for index, task in enumerate(tasks)]
        assert any(PREFIX + module in task for task in tasks), module
    for source, text in sources():  # every command written in a comment is run
        commands = [line for line in text.splitlines() if re.match(r"^#.*\bansible(-playbook)?\s", line)]
        assert all(AD_HOC.match(line) for line in commands), commands
        assert commands or source.startswith("docs/"), "%s: no ad hoc example" % source
    assert len(ad_hoc_cases()) >= len(modules)
    assert len(doc_blocks()) >= 2
    stale = set(BROKEN) - {(source, task["name"]) for source, text in sources()
                           for task in yaml.safe_load(text)}
    assert not stale, "BROKEN names examples that no longer exist: %s" % stale


@pytest.mark.parametrize("source, text, index", task_cases())
def test_example_task(ansible, bed, inventory, service_accounts, source, text, index):
    tasks = yaml.safe_load(text)
    task = tasks[index]
    extra = variables_for(source, task, inventory, documented_vars(text))
    run = ansible.playbook(playbook(with_registered_inputs(tasks, index)), env=ansible.os_env(),
                           extra_vars=extra)
    output = run.stdout + run.stderr
    assert run.rc == 0, output
    finals = [record for record in run.results if record["status"] in ("ok", "failed", "skipped")]
    assert [record["task"] for record in finals][-1] == task["name"], output
    assert all(record["status"] == "ok" for record in finals), output
    result = finals[-1]["result"]
    if module_of(task):
        assert result.get("failed") is not True, output
        check_effect(bed, task, result, extra, service_accounts)
    for secret in [inventory["vault_bob_password"]] + [a["password"] for a in service_accounts]:
        assert secret not in output


def alert_task():
    """The example that alerts through failed_when, found by its failed_when."""
    tasks = yaml.safe_load(examples_of(MODULE_DIR / "eos_domain_usage_info.py"))
    alerts = [task for task in tasks if "failed_when" in task]
    assert len(alerts) == 1, alerts
    return alerts[0]


def test_alert_example_fails_above_80_percent_allocated(ansible, bed, inventory):
    """The alert's documented outcome: quiet at the bed's 20 of 72 cores, failing at 60 of 72."""
    task = alert_task()
    args = task[PREFIX + "eos_domain_usage_info"]
    bed.set_domain_values(bed.domains[args["domain"]], args["region"], allocated={"cores": 60})
    run = ansible.playbook(playbook([task]), env=ansible.os_env(), extra_vars=inventory)
    assert run.rc != 0, run.stdout + run.stderr
    record = run.results[-1]
    assert record["status"] == "failed" and record["task"] == task["name"]
    assert record["result"]["failed_when_result"] is True
    assert record["result"]["summary"][args["region"]]["cores"]["percent_allocated"] > 80


def test_reset_example_would_change_a_different_password(ansible, bed, inventory):
    """The reset example with a new vault value: would_update in check mode (bob is shared)."""
    tasks = yaml.safe_load(examples_of(MODULE_DIR / "eos_user_password.py"))
    task = next(task for task in tasks if "vault_bob_password" in json.dumps(task))
    extra = dict(inventory, vault_bob_password="New-" + uuid.uuid4().hex)
    mark = bed.log_mark()
    run = ansible.playbook(playbook([task]), env=ansible.os_env(), extra_vars=extra, check=True)
    assert run.rc == 0, run.stdout + run.stderr
    assert run.last["changed"] is True and run.last["password_state"] == "would_update"
    assert run.last["user"]["id"] == bed.users["bob"]["id"]
    assert writes_to_bob_or_acme(bed, bed.requests_since(mark)) == []
    assert extra["vault_bob_password"] not in run.stdout + run.stderr


@pytest.mark.parametrize("command", ad_hoc_cases())
def test_ad_hoc_example(ansible, bed, command):
    """The commented ad hoc command, run by ``ansible`` with the OS_* variables of an openrc."""
    argv = shlex.split(command)
    argv[0] = str(BIN / "ansible")
    new = "New-" + uuid.uuid4().hex
    (Path(ansible.home) / "vault.yml").write_text(yaml.safe_dump({"new": new}))
    env = ansible.base_env()
    env.update(ansible.os_env())
    mark = bed.log_mark()
    process = subprocess.run(argv, env=env, cwd=str(ansible.home), capture_output=True,
                             text=True, timeout=300, check=False)
    run = Run(process, argv)
    assert run.rc == 0, run.stdout + run.stderr
    assert run.results and all(record["status"] == "ok" for record in run.results), run.stdout
    assert run.last.get("failed") is not True
    assert new not in run.stdout + run.stderr
    if "--check" in argv:  # previewed, nothing written
        assert run.last["changed"] is True, run.last
        assert writes_to_bob_or_acme(bed, bed.requests_since(mark)) == []
