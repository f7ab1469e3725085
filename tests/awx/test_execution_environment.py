"""The collection's execution-environment metadata and the example EE definition, checked with
ansible-builder itself (no container engine and no test bed needed).

- ``ansible-builder introspect`` finds no dependency at all (meta/execution-environment.yml
  declares none), and nothing of the test requirements;
- the plugins import only the standard library and ansible-core, which is what makes that true;
- ``ansible-builder create`` renders docs/execution-environment.yml, and the steps of the
  rendered build that can run here (ansible-galaxy installing the collection from the build
  context, then the build's own introspect.py) end with nothing to pip-install.
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


def test_introspect_finds_no_dependency(collections):
    output = run([BIN / "ansible-builder", "introspect", collections])
    assert yaml.safe_load(output) == {"python": [], "system": []}, output


def test_metadata_declares_no_dependency():
    meta = yaml.safe_load((REPO / "meta" / "execution-environment.yml").read_text())
    assert meta == {"version": 1, "dependencies": {}}
    for name in ("ee-requirements.txt", "ee-bindep.txt", "requirements.txt", "bindep.txt"):
        assert not (REPO / "meta" / name).exists() and not (REPO / name).exists()


def test_plugins_import_only_the_standard_library_and_ansible():
    imported = set()
    for path in (REPO / "plugins").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - WITH_ANSIBLE_CORE - {"__future__"}
    assert third_party == set()


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
    assert not pip_file.exists() or pip_file.read_text().strip() == "", pip_file.read_text()
    assert not (tmp_path / "bindep.txt").exists()
