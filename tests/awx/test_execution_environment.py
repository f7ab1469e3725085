"""The collection's execution-environment metadata and the example EE definition, checked with
ansible-builder itself (no container engine and no test bed needed).

- ``ansible-builder introspect`` finds exactly ``requests`` (meta/execution-environment.yml
  names meta/ee-requirements.txt), and nothing of the test requirements;
- the plugins import only the standard library, ansible-core and requests, which is what makes
  that list complete;
- ``ansible-builder create`` renders docs/execution-environment.yml, and the steps of the
  rendered build that can run here (ansible-galaxy installing the collection from the build
  context, then the build's own introspect.py) end with requests to pip-install.
"""
import ast
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
BIN = Path(sys.executable).parent
# Packages every EE has with ansible-core (ansible-builder's introspection skips them too).
WITH_ANSIBLE_CORE = {"ansible", "ansible_collections", "yaml"}


def run(argv, cwd=None):
    process = subprocess.run([str(a) for a in argv], cwd=cwd, capture_output=True, text=True,
                             timeout=300, check=False)
    assert process.returncode == 0, "%s\n%s\n%s" % (argv, process.stdout, process.stderr)
    return process.stdout


def galaxy_version():
    return yaml.safe_load((REPO / "galaxy.yml").read_text())["version"]


RUNTIME = {"requests"}


def test_introspect_finds_requests_and_nothing_else(collections):
    output = run([BIN / "ansible-builder", "introspect", collections])
    found = yaml.safe_load(output)
    assert found["system"] == [], output
    assert [line.split("#")[0].split(">=")[0].strip() for line in found["python"]] == ["requests"], output
    assert "from collection easystack.eos" in found["python"][0], output


def test_metadata_declares_only_the_runtime_dependency():
    meta = yaml.safe_load((REPO / "meta" / "execution-environment.yml").read_text())
    assert meta == {"version": 1, "dependencies": {"python": "meta/ee-requirements.txt"}}
    for name in ("ee-bindep.txt", "requirements.txt", "bindep.txt"):
        assert not (REPO / "meta" / name).exists() and not (REPO / name).exists()


def test_plugins_import_only_the_standard_library_ansible_and_requests():
    imported = set()
    for path in (REPO / "plugins").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - WITH_ANSIBLE_CORE - {"__future__"}
    # urllib3 comes with requests (deadline.py subclasses its connection pools)
    assert third_party == RUNTIME | {"urllib3"}


def test_example_definition_renders_a_build_context(tmp_path):
    """What docs/execution-environment.yml tells users to do, up to the container build."""
    ee = tmp_path / "ee"
    ee.mkdir()
    shutil.copy(REPO / "docs" / "execution-environment.yml", ee)
    run([BIN / "ansible-galaxy", "collection", "build", "--output-path", ee, REPO])
    tarball = "easystack-eos-%s.tar.gz" % galaxy_version()
    assert (ee / tarball).exists()

    run([BIN / "ansible-builder", "create", "--output-filename", "Containerfile",
         "--context", "context"], cwd=ee)

    context = ee / "context"
    containerfile = (context / "Containerfile").read_text()
    assert "ansible-galaxy collection install" in containerfile
    assert "introspect.py introspect" in containerfile
    assert (context / "_build" / "collections" / tarball).exists()
    requirements = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    names = [c["name"] for c in requirements["collections"]]
    # /build is the context's _build/ during the build: the file must be there, in this version.
    assert names == ["/build/collections/%s" % tarball]

    # The galaxy stage (install from the build context) and the builder stage's introspection.
    installed = tmp_path / "usr-share-ansible-collections"
    local = dict(requirements, collections=[dict(c, name=str(context / "_build" / c["name"][len("/build/"):]))
                                            for c in requirements["collections"]])
    (tmp_path / "requirements.yml").write_text(yaml.safe_dump(local))
    run([BIN / "ansible-galaxy", "collection", "install", "--offline", "-r",
         tmp_path / "requirements.yml", "-p", installed])
    pip_file = tmp_path / "requirements.txt"
    run([sys.executable, context / "_build" / "scripts" / "introspect.py", "introspect", installed,
         "--write-pip", pip_file, "--write-bindep", tmp_path / "bindep.txt"])
    wanted = [line.split("#")[0].strip() for line in pip_file.read_text().splitlines()
              if line.split("#")[0].strip()]
    assert wanted == ["requests>=2.25"], pip_file.read_text()
    assert not (tmp_path / "bindep.txt").exists()
