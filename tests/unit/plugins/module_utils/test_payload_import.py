# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""payload_import.py and payload_finder.py: module_utils compiled once from an AnsiballZ-like
zip, the bytecode cache (used in a fresh interpreter, never when stale, never from a file or
directory that is not private).

Each run is a fresh interpreter (``python -I``) whose first path entry is a zip laid out as a
payload (the package's __init__.py files, payload_import.py and payload_finder.py as they are in
this checkout, and small modules: ``beta`` imports ``alpha``; ``late`` is imported only by a
function, after the others), with ``compile`` counted by file name.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import gc
import importlib.util
import json
import marshal
import os
import stat
import subprocess
import sys
import zipfile
import zipimport

import pytest

from ansible_collections.easystack.eos.plugins.module_utils import payload_finder, payload_import

PACKAGE = "ansible_collections/easystack/eos/plugins/module_utils"
NAME = "ansible_collections.easystack.eos.plugins.module_utils"
HERE = os.path.dirname(payload_import.__file__)
ALPHA = "VALUE = %d\n\n\ndef fail():\n    raise ValueError('from alpha')  # the failing line\n"
BETA = ("from %s import alpha\n\nTWICE = alpha.VALUE * 2\n\n\ndef later():\n"
        "    from %s import late\n    return late.LATE\n" % (NAME, NAME))
LATE = "LATE = 'late'\n"
TAG = sys.implementation.cache_tag
BUNDLE = "module_utils.%s.bundle" % TAG

# Counts compile() by file name, imports, reports as JSON on stdout.
PROBE = r"""
import builtins, gc, json, os, sys, traceback
counts = {}
real = builtins.compile
def counting(source, filename, *args, **kwargs):
    name = os.path.basename(str(filename))
    counts[name] = counts.get(name, 0) + 1
    return real(source, filename, *args, **kwargs)
builtins.compile = counting
sys.path.insert(0, sys.argv[1])
if sys.argv[2] == "finder":
    import %(name)s.payload_import
from %(name)s import beta
alpha = sys.modules["%(name)s.alpha"]
late = beta.later()
try:
    alpha.fail()
except ValueError:
    lines = traceback.format_exc().splitlines()
spec = alpha.__spec__
print(json.dumps({
    "counts": counts, "value": alpha.VALUE, "twice": beta.TWICE, "file": alpha.__file__,
    "cached": getattr(alpha, "__cached__", None), "origin": spec.origin,
    "has_location": spec.has_location, "package": alpha.__package__,
    "source": spec.loader.get_source(spec.name), "loader": type(spec.loader).__name__,
    "traceback": lines, "finders": [type(f).__name__ for f in sys.meta_path], "late": late,
    "frozen": gc.get_freeze_count(),
}))
""" % {"name": NAME}


def build(path, value=1, extra=None):
    """A payload-like zip at ``path``: alpha.VALUE is ``value``."""
    files = {"ansible_collections/__init__.py": "", "ansible_collections/easystack/__init__.py": "",
             "ansible_collections/easystack/eos/__init__.py": "",
             "ansible_collections/easystack/eos/plugins/__init__.py": "",
             PACKAGE + "/__init__.py": "", PACKAGE + "/alpha.py": ALPHA % value,
             PACKAGE + "/beta.py": BETA, PACKAGE + "/late.py": LATE}
    for name in ("payload_import.py", "payload_finder.py"):
        with open(os.path.join(HERE, name)) as handle:
            files[PACKAGE + "/" + name] = handle.read()
    files.update(extra or {})
    with zipfile.ZipFile(str(path), "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return str(path)


def shows_source(lines, archive):
    """The traceback names alpha.py in ``archive`` and shows its failing line."""
    where = '  File "%s", line 5, in fail' % os.path.join(archive, PACKAGE, "alpha.py")
    return where in lines and lines[lines.index(where) + 1].endswith("# the failing line")


def run(archive, env, mode="finder", flags=()):
    """One fresh interpreter importing beta (and alpha) from ``archive``; its report."""
    done = subprocess.run([sys.executable, "-I"] + list(flags) + ["-c", PROBE, archive, mode],
                          env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no error, no warning, whatever the cache's state
    return json.loads(done.stdout)


@pytest.fixture
def env(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    return {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}


def compiled(result):
    """What the run compiled of the collection's files (not the packages' empty __init__.py),
    by file name."""
    return {name: count for name, count in result["counts"].items()
            if name.endswith(".py") and name != "__init__.py"}


def cache_of(env):
    return os.path.join(env["HOME"], ".cache", "easystack.eos", "bytecode")


def bundle_of(env):
    return os.path.join(cache_of(env), BUNDLE)


def entries(env):
    """The cache file's entries: {name: (source hash, marshalled code)}."""
    with open(bundle_of(env), "rb") as handle:
        data = handle.read()
    assert data[:8] == importlib.util.MAGIC_NUMBER + b"eos1"
    return marshal.loads(data[8:])


def write_bundle(env, content, head=None):
    """Replace the cache file with ``content`` (entries, or raw bytes after the header)."""
    head = importlib.util.MAGIC_NUMBER + b"eos1" if head is None else head
    with open(bundle_of(env), "wb") as handle:
        handle.write(head + (content if isinstance(content, bytes) else marshal.dumps(content)))
    os.chmod(bundle_of(env), 0o600)


def test_compiled_once_and_the_same_module_as_zipimport_makes(tmp_path, env):
    archive = build(tmp_path / "payload.zip")
    plain = run(archive, dict(env, EOS_NO_BYTECODE_CACHE="1"), mode="zipimport")
    ours = run(archive, dict(env, EOS_NO_BYTECODE_CACHE="1"))
    # zipimport compiles each file twice (CPython issue #141276), the finder once
    assert plain["counts"]["alpha.py"] == plain["counts"]["beta.py"] == 2
    assert ours["counts"]["alpha.py"] == ours["counts"]["beta.py"] == ours["counts"]["late.py"] == 1
    assert plain["loader"] == "zipimporter" and ours["loader"] == "PayloadLoader"
    assert ours["finders"][0] == "PayloadFinder" and "PayloadFinder" not in plain["finders"]
    for key in ("value", "twice", "late", "file", "cached", "origin", "has_location", "package",
                "source", "traceback"):
        if key == "cached" and sys.version_info < (3, 10):
            continue  # 3.9's zipimport (load_module) sets no __cached__; importlib's loaders do
        assert ours[key] == plain[key], key
    assert ours["file"] == os.path.join(archive, PACKAGE, "alpha.py")
    assert shows_source(ours["traceback"], archive)
    assert not os.path.exists(cache_of(env))  # opted out: nothing written
    # settle(): in a payload, what was imported is out of the garbage collector's way
    assert ours["frozen"] > plain["frozen"] + 1000


def test_the_cache_is_used_in_a_fresh_interpreter(tmp_path, env):
    archive = build(tmp_path / "payload.zip")
    first = run(archive, env)
    assert first["counts"]["alpha.py"] == first["counts"]["beta.py"] == 1
    assert stat.S_IMODE(os.lstat(cache_of(env)).st_mode) == 0o700
    # one file, written at exit: the modules imported first, the one imported later, and the
    # finder (zipimport's the first time); payload_import.py itself is always zipimport's
    assert os.listdir(cache_of(env)) == [BUNDLE]
    assert stat.S_IMODE(os.lstat(bundle_of(env)).st_mode) == 0o600
    assert sorted(entries(env)) == ["alpha", "beta", "late", "payload_finder"]
    # another payload (another temporary path, as each task has), the same sources
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    archive2 = build(moved / "payload.zip")
    second = run(archive2, env)
    assert compiled(second) == {"payload_import.py": 2}  # nothing else compiled; payload_import.py is zipimport's: small on purpose
    assert (second["value"], second["twice"], second["late"]) == (1, 2, "late")
    assert second["loader"] == "PayloadLoader" and second["finders"][0] == "PayloadFinder"
    # the cached code names the new payload's file, so tracebacks show its source
    assert second["file"] == os.path.join(archive2, PACKAGE, "alpha.py")
    assert second["traceback"] == [line.replace(archive, archive2) for line in first["traceback"]]
    assert shows_source(second["traceback"], archive2)
    before = os.stat(bundle_of(env))
    run(archive2, env)
    assert os.stat(bundle_of(env)).st_mtime_ns == before.st_mtime_ns  # nothing new: not written


def test_a_stale_or_broken_cache_file_is_never_used(tmp_path, env):
    run(build(tmp_path / "payload.zip"), env)
    changed = run(build(tmp_path / "payload.zip", value=5), env)
    assert compiled(changed) == {"alpha.py": 1, "payload_import.py": 2}
    assert (changed["value"], changed["twice"]) == (5, 10)
    assert sorted(entries(env)) == ["alpha", "beta", "late", "payload_finder"]  # merged
    assert "alpha.py" not in run(build(tmp_path / "payload.zip", value=5), env)["counts"]
    # back to the first source: the entry (now for value 5) is stale again
    assert run(build(tmp_path / "payload.zip", value=1), env)["value"] == 1
    good = entries(env)
    code = good["alpha"][1]
    broken = [
        b"\0" * 8 + marshal.dumps(good),  # another Python's (or no) header
        marshal.dumps(good)[:-7],  # truncated
        b"garbage",  # not marshal data
        marshal.dumps(["alpha"]),  # not a dict
        marshal.dumps(dict(good, alpha=(good["alpha"][0],))),  # an entry of one part
        marshal.dumps(dict(good, alpha=[good["alpha"][0], code])),  # a list, not a tuple
        marshal.dumps(dict(good, alpha=(good["alpha"][0], code[:-9]))),  # truncated code
        marshal.dumps(dict(good, alpha=(good["alpha"][0], marshal.dumps("not code")))),
    ]
    for content in broken:
        if content.startswith(b"\0" * 8):
            write_bundle(env, content[8:], head=content[:8])
        else:
            write_bundle(env, content)
        result = run(build(tmp_path / "payload.zip", value=1), env)
        assert (result["counts"].get("alpha.py"), result["value"]) == (1, 1), content[:40]
        assert entries(env)["alpha"] == good["alpha"]  # rewritten as it was
    os.truncate(bundle_of(env), 3)
    result = run(build(tmp_path / "payload.zip", value=1), env)
    # payload_finder.py too: zipimport's twice, then once more for the cache
    assert compiled(result) == {"alpha.py": 1, "beta.py": 1, "late.py": 1, "payload_finder.py": 3,
                                "payload_import.py": 2}
    assert entries(env) == good


def test_code_planted_for_the_same_source_runs_only_from_a_private_file(tmp_path, env):
    """The hash covers the zip's source; a file others could have written is not read."""
    archive = build(tmp_path / "payload.zip")
    run(archive, env)
    good = entries(env)
    planted = compile("VALUE = 666\nfail = None\n", "x", "exec")
    write_bundle(env, dict(good, alpha=(good["alpha"][0], marshal.dumps(planted))))
    os.chmod(bundle_of(env), 0o620)  # group-writable: not ours alone
    result = run(archive, env)
    assert (result["value"], result["counts"].get("alpha.py")) == (1, 1)
    assert stat.S_IMODE(os.stat(bundle_of(env)).st_mode) == 0o600  # replaced by ours
    if os.geteuid() == 0:  # another user's file
        write_bundle(env, dict(good, alpha=(good["alpha"][0], marshal.dumps(planted))))
        os.chown(bundle_of(env), 65534, 65534)
        result = run(archive, env)
        assert (result["value"], result["counts"].get("alpha.py")) == (1, 1)
        assert os.stat(bundle_of(env)).st_uid == 0  # replaced by ours


def test_symlinked_cache_file_is_not_followed(tmp_path, env):
    archive = build(tmp_path / "payload.zip")
    run(archive, env)
    target = tmp_path / "target"
    target.write_bytes(open(bundle_of(env), "rb").read())
    os.chmod(str(target), 0o600)
    os.unlink(bundle_of(env))
    os.symlink(str(target), bundle_of(env))
    before = target.read_bytes()
    result = run(build(tmp_path / "payload.zip", value=3), env)
    assert (result["value"], result["counts"].get("alpha.py"), result["counts"].get("beta.py")) == (3, 1, 1)
    assert target.read_bytes() == before  # replaced the link, never read or wrote through it
    assert not os.path.islink(bundle_of(env))


def _group_writable(path):
    os.makedirs(path, mode=0o700)
    os.chmod(path, 0o770)


def _world_readable(path):
    os.makedirs(path, mode=0o700)
    os.chmod(path, 0o755)


def _symlink(path):
    real = path + "-real"
    os.makedirs(real, mode=0o700)
    os.symlink(real, path)


def _other_owner(path):
    if os.geteuid() != 0:
        pytest.skip("needs root to give the directory to another user")
    os.makedirs(path, mode=0o700)
    os.chown(path, 65534, 65534)


@pytest.mark.parametrize("spoil", [_group_writable, _world_readable, _symlink, _other_owner])
def test_a_directory_that_is_not_private_means_no_cache(tmp_path, env, spoil):
    spoil(cache_of(env))
    archive = build(tmp_path / "payload.zip")
    for dummy in range(2):
        result = run(archive, env)
        assert result["counts"]["alpha.py"] == 1 and result["value"] == 1
    real = os.path.realpath(cache_of(env))
    assert os.listdir(real) == []


def test_read_only_or_missing_home_works_without_cache(tmp_path, env):
    archive = build(tmp_path / "payload.zip")
    home = env["HOME"]
    os.chmod(home, 0o500)
    try:
        result = run(archive, env)
    finally:
        os.chmod(home, 0o700)
    assert result["counts"]["alpha.py"] == 1 and result["value"] == 1
    if os.geteuid() != 0:  # root writes anyway
        assert not os.path.exists(os.path.join(home, ".cache"))
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("")
    for changed in ({"HOME": str(not_a_dir)}, {"HOME": ""}, {"HOME": "relative"}):
        result = run(archive, dict(env, **changed))
        assert result["counts"]["alpha.py"] == 1 and result["value"] == 1
    no_home = {key: value for key, value in env.items() if key != "HOME"}
    assert run(archive, no_home)["value"] == 1


def test_nothing_made_in_another_users_home(tmp_path, env):
    """root (become) with a user's HOME: no root-owned directories left in that user's home."""
    if os.geteuid() != 0:
        pytest.skip("needs root to give HOME to another user")
    os.chown(env["HOME"], 65534, 65534)
    result = run(build(tmp_path / "payload.zip"), env)
    assert result["counts"]["alpha.py"] == 1 and result["value"] == 1
    assert os.listdir(env["HOME"]) == []


def test_where_the_cache_is():
    assert payload_import.cache_dir({"HOME": "/h"}) == "/h/.cache/easystack.eos/bytecode"
    assert payload_import.cache_dir({"HOME": "/h", "XDG_CACHE_HOME": "/x"}) == "/x/easystack.eos/bytecode"
    # a relative XDG_CACHE_HOME is ignored (XDG base directory specification)
    assert payload_import.cache_dir({"HOME": "/h", "XDG_CACHE_HOME": "x"}) == "/h/.cache/easystack.eos/bytecode"
    assert payload_import.cache_dir({}) is None
    assert payload_import.cache_dir({"HOME": "h"}) is None


def test_xdg_cache_home_and_no_write_bytecode(tmp_path, env):
    archive = build(tmp_path / "payload.zip")
    xdg = tmp_path / "xdg"
    run(archive, dict(env, XDG_CACHE_HOME=str(xdg)))
    assert os.listdir(str(xdg / "easystack.eos" / "bytecode")) == [BUNDLE]
    # python -B: nothing written (the directory is not even made)...
    result = run(archive, env, flags=["-B"])
    assert result["counts"]["alpha.py"] == 1 and not os.path.exists(cache_of(env))
    # ... but what is there is read
    result = run(archive, dict(env, XDG_CACHE_HOME=str(xdg)), flags=["-B"])
    assert compiled(result) == {"payload_import.py": 2}


def test_parallel_runs_share_the_cache(tmp_path, env):
    archive = build(tmp_path / "payload.zip")
    runs = [subprocess.Popen([sys.executable, "-I", "-c", PROBE, archive, "finder"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for dummy in range(6)]
    for process in runs:
        out, err = process.communicate()
        assert process.returncode == 0 and err == ""
        assert json.loads(out)["twice"] == 2
    # one file, no temporary file left behind
    assert os.listdir(cache_of(env)) == [BUNDLE]
    assert compiled(run(archive, env)) == {"payload_import.py": 2}


def test_payloads_of_other_modules_add_to_the_cache(tmp_path, env):
    """Each module ships its own module_utils: the file keeps every run's, one entry a name."""
    run(build(tmp_path / "payload.zip"), env)
    other = build(tmp_path / "other.zip", extra={PACKAGE + "/gamma.py": "GAMMA = 3\n"})
    probe = PROBE.replace("late = beta.later()", "late = beta.later()\nimport %s.gamma" % NAME)
    done = subprocess.run([sys.executable, "-I", "-c", probe, other, "finder"], env=env,
                          capture_output=True, text=True, check=True)
    assert compiled(json.loads(done.stdout)) == {"payload_import.py": 2, "gamma.py": 1}
    assert sorted(entries(env)) == ["alpha", "beta", "gamma", "late", "payload_finder"]
    assert compiled(run(build(tmp_path / "payload.zip"), env)) == {"payload_import.py": 2}


def test_only_the_package_in_the_payload_zip(tmp_path):
    archive = zipimport_of(build(tmp_path / "payload.zip"))
    finder = payload_finder.PayloadFinder(archive, payload_finder.Bundle(None, None, {}))
    inside = [os.path.join(archive.archive, PACKAGE)]
    assert finder.find_spec("json") is None
    assert finder.find_spec(NAME + ".alpha", None) is None  # not in a package
    assert finder.find_spec(NAME + ".missing", inside) is None  # left to zipimport (and its error)
    assert finder.find_spec(NAME + ".alpha", [str(tmp_path)]) is None  # another path entry
    assert finder.find_spec("ansible_collections.other.alpha", inside) is None
    spec = finder.find_spec(NAME + ".alpha", inside)
    assert spec.origin == os.path.join(archive.archive, PACKAGE, "alpha.py")
    assert spec.submodule_search_locations is None


def zipimport_of(archive):
    return zipimport.zipimporter(os.path.join(archive, PACKAGE))


def test_loaded_from_files_it_does_nothing():
    """In the unit tests (a checkout, not a zip) the modules import from files as ever, and
    nothing is frozen (in a long-lived process it would keep every cycle of the time alive)."""
    assert payload_import.install() is None
    assert not any(isinstance(finder, payload_finder.PayloadFinder) for finder in sys.meta_path)
    frozen = gc.get_freeze_count()
    payload_import.settle()
    assert gc.get_freeze_count() == frozen
