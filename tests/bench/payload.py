"""What each module ships to its target: the files of its AnsiballZ payload, with their sizes.

    .venv/bin/python tests/bench/payload.py [--rev REV ...] [--all] [--json PATH]

The payload is built by ansible-core itself, the way a task builds it: the script calls
``ansible.executor.module_common.modify_module`` (what the action plugin calls before sending a
module; it walks the module's imports with ansible-core's own recursive finder and packs what it
finds into the zip), takes the zip out of the wrapper it returns and lists the zip. Nothing runs
on a target and no test bed is needed.

Without ``--rev`` it measures the working tree. Each ``--rev`` (a commit, a branch, ``HEAD``)
measures that commit's tree instead (``git archive``), one column per tree, in the order given;
``--rev WORKTREE`` names the working tree among them, e.g. ``--rev bd1c4f8 --rev WORKTREE`` for
before and after. Each tree is measured in its own Python process (the collection loader is
global to a process) with its own, empty AnsiballZ cache.

Sizes are bytes: each file's own size (uncompressed), the zip's (compressed with the
configured ``module_compression``, ZIP_DEFLATED by default) and the wrapper's, which is the file
sent to the target (the zip in base64 inside ansible-core's bootstrap code, here with empty
module arguments; it also holds the time of the build, so it varies by a few bytes from run to
run). The collection's files are listed one by one; ansible-core's own files
(``ansible/...``, the same for every module) and the empty ``__init__.py`` files of the packages
are one line each unless ``--all`` lists them. Last, the files of ``plugins/module_utils/`` that
no module's payload holds: code there that only the controller uses (it belongs in
``plugins/plugin_utils/``).
"""
import argparse
import base64
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NAMESPACE, NAME = "easystack", "eos"
COLLECTION = "ansible_collections/%s/%s/" % (NAMESPACE, NAME)
WORKTREE = "WORKTREE"


def modules_of(root):
    """The collection's modules in the tree at ``root`` that run on a target, by name (not those
    an action plugin of the same name runs on the controller, such as eos_quota_report: what it
    sends to the target is eos_domain_usage_info's payload)."""
    actions = root / "plugins" / "action"
    return sorted(path.stem for path in (root / "plugins" / "modules").glob("*.py")
                  if path.name != "__init__.py" and not (actions / path.name).exists())


def measure(root):
    """This process: the payload of every module in the collection at ``root`` (a directory),
    as a dict; called through ``--measure`` in a process of its own."""
    temp = tempfile.mkdtemp(prefix="payload-")
    collections = Path(temp) / "collections"
    (collections / "ansible_collections" / NAMESPACE).mkdir(parents=True)
    (collections / "ansible_collections" / NAMESPACE / NAME).symlink_to(root)
    # Before ansible is imported: only this tree's collection, a fresh AnsiballZ cache (the cache
    # is keyed by the module's name only, so another tree's payload would be found there), no
    # ansible.cfg of the caller's.
    config = Path(temp) / "ansible.cfg"
    config.write_text("")
    os.environ.update({
        "ANSIBLE_CONFIG": str(config),
        "ANSIBLE_COLLECTIONS_PATH": str(collections),
        "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "False",
        "ANSIBLE_LOCAL_TEMP": str(Path(temp) / "tmp"),
    })
    # pylint: disable=import-outside-toplevel
    from ansible import __version__ as core_version
    from ansible import constants as C
    from ansible.executor.module_common import modify_module
    from ansible.parsing.dataloader import DataLoader
    from ansible.plugins.loader import init_plugin_loader, module_loader
    from ansible.template import Templar

    init_plugin_loader([str(collections)])
    templar = Templar(loader=DataLoader())
    # A fixed interpreter, so that the wrapper's size does not depend on this machine's paths.
    task_vars = {"ansible_python_interpreter": "/usr/bin/python3"}
    result = {"ansible_core": core_version, "compression": C.DEFAULT_MODULE_COMPRESSION,
              "modules": {}}
    for name in modules_of(root):
        found = module_loader.find_plugin_with_context("%s.%s.%s" % (NAMESPACE, NAME, name))
        if not found.resolved:
            raise SystemExit("%s.%s.%s not found under %s" % (NAMESPACE, NAME, name, collections))
        built = modify_module(module_name=name, module_path=found.plugin_resolved_path,
                              module_args={}, templar=templar, task_vars=task_vars,
                              module_compression=C.DEFAULT_MODULE_COMPRESSION)
        wrapper = built.b_module_data
        match = re.search(rb"\bzip_data='([A-Za-z0-9+/=]+)'", wrapper)
        if not match:
            raise SystemExit("no zip_data in the AnsiballZ wrapper of %s" % name)
        data = base64.b64decode(match.group(1))
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            files = {info.filename: info.file_size for info in archive.infolist()}
        result["modules"][name] = {"wrapper": len(wrapper), "zip": len(data), "files": files}
    shipped = set().union(*(module["files"] for module in result["modules"].values()))
    result["module_utils_not_shipped"] = sorted(
        path.name for path in (root / "plugins" / "module_utils").glob("*.py")
        if path.name != "__init__.py"
        and COLLECTION + "plugins/module_utils/" + path.name not in shipped)
    return result


def measure_in_process(rev):
    """The payloads of the tree ``rev`` (WORKTREE or a git revision), measured by a child
    process."""
    with tempfile.TemporaryDirectory(prefix="payload-tree-") as work:
        if rev == WORKTREE:
            root = REPO
        else:
            root = Path(work) / "tree"
            root.mkdir()
            archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", rev],
                                     capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", str(root)], input=archive, check=True)
        done = subprocess.run([sys.executable, __file__, "--measure", str(root)],
                              capture_output=True, text=True, check=False)
        if done.returncode:
            raise SystemExit("measuring %s failed:\n%s%s" % (rev, done.stdout, done.stderr))
        return json.loads(done.stdout)


def label_of(rev):
    """A column's name: the short commit, or WORKTREE (with the commit it is on)."""
    if rev == WORKTREE:
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=False).stdout.strip()
        return "worktree (%s+)" % head if head else "worktree"
    return subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", rev],
                          capture_output=True, text=True, check=True).stdout.strip()


CORE = "ansible-core's own: ansible/..."
INITS = "empty __init__.py of the packages"


def rows_of(module, show_all):
    """(file, size) rows of one module's payload: the collection's files one by one (their
    path in the collection), ansible-core's and the empty package __init__.py files as one
    line each unless ``show_all``."""
    rows, grouped = [], {CORE: [0, 0], INITS: [0, 0]}
    for path, size in sorted(module["files"].items()):
        group = (CORE if path.startswith("ansible/") else
                 INITS if path.endswith("__init__.py") and not size else None)
        if group and not show_all:
            grouped[group][0] += 1
            grouped[group][1] += size
        else:
            rows.append((path[len(COLLECTION):] if path.startswith(COLLECTION) else path, size))
    rows.extend(("%s (%d files)" % (group, count), size)
                for group, (count, size) in grouped.items() if count)
    return rows


def table(results, labels, show_all):
    """Markdown tables: per module, every file of its payload in any of the trees, its size in
    each (- where it is not packed); then the totals."""
    lines = []
    names = sorted(set().union(*(result["modules"] for result in results)))
    for name in names:
        columns = [rows_of(result["modules"][name], show_all) if name in result["modules"]
                   else None for result in results]
        files = []
        for column in columns:
            for path, dummy in column or ():
                if path not in files:
                    files.append(path)
        # the module, the collection's other files, the grouped lines (counts vary) last
        grouped = tuple(label_ + " (" for label_ in (INITS, CORE))
        files.sort(key=lambda path: (path.startswith(grouped), path.startswith(CORE),
                                     not path.startswith("plugins/modules/"), path))
        lines.append("**%s**" % name)
        lines.append("")
        lines.append("| file | " + " | ".join(labels) + " |")
        lines.append("|---|" + "---:|" * len(labels))
        for path in files:
            cells = []
            for column in columns:
                sizes = dict(column or ())
                cells.append("{:,}".format(sizes[path]) if path in sizes else "-")
            shown = path if path.startswith(grouped) else "`%s`" % path
            lines.append("| %s | %s |" % (shown, " | ".join(cells)))
        for key, what in (("collection", "the collection's files"), ("files", "files in the zip"),
                          ("zip", "zip"), ("wrapper", "sent to the target (wrapper)")):
            cells = []
            for result in results:
                module = result["modules"].get(name)
                if module is None:
                    cells.append("-")
                elif key in ("collection", "files"):
                    sizes = [size for path, size in module["files"].items()
                             if key == "files" or path.startswith(COLLECTION)]
                    cells.append("%d files, %s" % (len(sizes), "{:,}".format(sum(sizes))))
                else:
                    cells.append("{:,}".format(module[key]))
            lines.append("| **%s** | %s |" % (what, " | ".join("**%s**" % cell for cell in cells)))
        lines.append("")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rev", action="append",
                        help="measure this git revision's tree (repeatable, one column each; "
                             "WORKTREE is the working tree; default: the working tree only)")
    parser.add_argument("--all", action="store_true",
                        help="list ansible-core's own files one by one too")
    parser.add_argument("--json", help="also write the measurements to this file")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.measure:  # the child process: one tree, JSON on stdout
        json.dump(measure(Path(options.measure).resolve()), sys.stdout)
        return
    revs = options.rev or [WORKTREE]
    results = [measure_in_process(rev) for rev in revs]
    labels = [label_of(rev) for rev in revs]
    cores = sorted(set("%s, module_compression %s" % (result["ansible_core"], result["compression"])
                       for result in results))
    print("AnsiballZ payload per module, built by ansible-core %s (bytes)\n" % "; ".join(cores))
    print(table(results, labels, options.all))
    print("plugins/module_utils/ files that no module ships (controller-only code there):")
    for label, result in zip(labels, results):
        print("- %s: %s" % (label, ", ".join("`%s`" % name for name in
                                             result["module_utils_not_shipped"]) or "none"))
    if options.json:
        Path(options.json).parent.mkdir(parents=True, exist_ok=True)
        Path(options.json).write_text(json.dumps(dict(zip(labels, results)), indent=1) + "\n")


if __name__ == "__main__":
    main()
