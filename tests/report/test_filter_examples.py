"""The EXAMPLES of the filters easystack.eos.quota_report and easystack.eos.quota_report_csv run,
as written, against the test bed.

They are read from plugins/filter/quota_report.py and quota_report_csv.py (not copied) and run in
order as one play, so that a task's registered result reaches the next (the CSV filter's examples
use the report filter's registered results), by real ansible-core as the bed's admin. The
examples on literal numbers assert the filters' exact lines; the others must run and say what
they are meant to say.
"""
import ast
import json

import yaml

from reportkit import run_playbook

from bedclient import REPO

FILTER = REPO / "plugins" / "filter" / "quota_report.py"
CSV_FILTER = REPO / "plugins" / "filter" / "quota_report_csv.py"


def examples(path=FILTER):
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(
                isinstance(target, ast.Name) and target.id == "EXAMPLES" for target in node.targets):
            return yaml.safe_load(ast.literal_eval(node.value))
    raise AssertionError("no EXAMPLES in %s" % path)


def test_examples_run_against_the_bed(bed, collections, tmp_path):
    tasks = examples()
    assert len(tasks) >= 3 and all("name" in task for task in tasks)
    csv_tasks = examples(CSV_FILTER)
    assert len(csv_tasks) >= 2 and all("name" in task for task in csv_tasks)
    tasks += csv_tasks
    play = [{"name": "The filter's examples", "hosts": "localhost", "gather_facts": False,
             "tasks": tasks}]
    playbook = tmp_path / "examples.yml"
    playbook.write_text(yaml.safe_dump(play, sort_keys=False))
    run = run_playbook(bed, collections, tmp_path, playbook)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    recap = [line for line in run.stdout.splitlines() if line.startswith("localhost")]
    assert recap and "failed=0" in recap[-1] and "skipped=0" in recap[-1], output
    for task in tasks:
        assert "TASK [%s]" % task["name"] in run.stdout, task["name"]
    # the oversubscription example printed the summary's lines (a list, maybe empty)
    shown = run.stdout.split("TASK [Show where the departments' quotas add up")[1]
    message = shown[shown.index("{"):shown.index("\n}") + 2]
    assert isinstance(json.loads(message)["msg"], list), message
    assert "All assertions passed" in run.stdout.split("TASK [The same rules on literal numbers]")[1]
    assert "All assertions passed" in run.stdout.split(
        "TASK [A name that is a formula is text in the CSV]")[1]
    # the CSV written from the bed's report: one header and a row per region, scope and item
    written = (tmp_path / "eos-quota-report.csv").read_bytes().decode("utf-8")
    assert written.startswith("region,scope,name,item,") and written.endswith("\r\n")
