# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal to easystack.eos, not a public API: no compatibility promise (docs/development.md).
"""What eos_quota_metrics does: read the platform view (and departments), write the Prometheus
text file for node_exporter's textfile collector on the host the module runs on.

- The file is written whole or not at all: to a temporary file in the same directory (named
  ``.<name>.<random>.tmp``: the collector reads only ``*.prom``), flushed to disk, given its
  mode, then renamed over the old one.
- ``changed`` means the numbers changed: the file is rewritten only when its text, apart from
  ``eos_quota_read_duration_seconds``, or its mode differs. A run that finds the same numbers
  leaves the text alone and only sets the file's modification time to now, so that
  node_exporter's ``node_textfile_mtime_seconds`` tells when the quotas were last read.
- A failed read still writes the file, with ``eos_quota_read_success 0`` and no quota series
  (no stale numbers), then fails the task. Check mode reads, and writes and touches nothing.

Internal to the collection. ``run(module)`` is the module's action.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import TYPE_CHECKING, Any, Dict, Optional, Tuple

import os
import time

if TYPE_CHECKING:  # annotations only
    from ansible_collections.easystack.eos.plugins.module_utils.module import EosModule

from ansible_collections.easystack.eos.plugins.module_utils import files
from ansible_collections.easystack.eos.plugins.module_utils.eos_api import domain_usage
from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
from ansible_collections.easystack.eos.plugins.module_utils.metrics import (
    build, read_failed, render, without_duration)
from ansible_collections.easystack.eos.plugins.module_utils.parallel import check_workers
from ansible_collections.easystack.eos.plugins.module_utils.usage import only_region, read_many


def file_mode(value: Any) -> int:
    """The ``mode`` option as an int; EosError (before anything is read) else."""
    try:
        return files.file_mode(value)
    except ValueError as error:
        raise EosError("%s. Nothing was read" % (error,))


def check_path(path: str) -> None:
    """Fails (before anything is read) when ``path`` cannot be the file: its directory must
    exist, and it must not be a directory itself."""
    directory = os.path.dirname(path) or "."
    if not os.path.isdir(directory):
        raise EosError("Cannot write the metrics to %s: the directory %s does not exist on this "
                       "host (create it, e.g. node_exporter's --collector.textfile.directory). "
                       "Nothing was read" % (path, directory))
    if os.path.isdir(path):
        raise EosError("Cannot write the metrics to %s: it is a directory; give the file's path "
                       "(ending in .prom). Nothing was read" % path)


def current(path: str) -> Tuple[Optional[str], Optional[int]]:
    """``(text, mode)`` of the file at ``path``; ``(None, None)`` when there is none (or it
    cannot be read: it is then written anew)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        return data.decode("utf-8", "replace"), os.stat(path).st_mode & 0o7777
    except (IOError, OSError):
        return None, None


def put(path: str, text: str, mode: int, check_mode: bool) -> Tuple[bool, str]:
    """Writes ``text`` to ``path`` unless the file already says the same apart from the read
    duration; ``(changed, the file's text)``. Unchanged, the file only gets its mtime set to
    now (not in check mode)."""
    old, old_mode = current(path)
    same = old is not None and without_duration(old) == without_duration(text)
    if same and old_mode == mode:
        if not check_mode:
            _touch(path)
        return False, old or text
    if check_mode:
        return True, old if same and old is not None else text
    try:
        if same and old is not None:
            os.chmod(path, mode)
            _touch(path)
            return True, old
        files.write_atomically(path, text.encode("utf-8"), mode)
    except (IOError, OSError) as error:
        raise EosError("Cannot write the metrics to %s: %s (errno %s). Check that the directory "
                       "is writable by the user the module runs as"
                       % (path, error.strerror or error, error.errno))
    return True, text


def _touch(path: str) -> None:
    try:
        os.utime(path, None)
    except (IOError, OSError):
        pass  # a file we may read but not touch: its numbers are right all the same


def read(module: "EosModule") -> Tuple[Optional[Dict[str, Any]], Any]:
    """The platform view's regions and the departments (``domains`` of read_many, or []).
    The departments first: names that cannot be read fail the task before anything is."""
    params = module.params
    domains = [] if params["domains"] is None and not params["all_domains"] else \
        read_many(module)["domains"]
    return only_region(domain_usage(module.client), params["region"]), domains


def run(module: "EosModule") -> Dict[str, Any]:
    """eos_quota_metrics' action."""
    params = module.params
    path = params["path"]
    mode = file_mode(params["mode"])
    check_workers(params["parallel"])
    check_path(path)
    if not path.endswith(".prom"):
        module.ansible.warn("%s does not end in .prom: node_exporter's textfile collector reads "
                            "only *.prom files" % path)
    started = time.monotonic()
    try:
        platform, domains = read(module)
    except EosError as error:
        seconds = time.monotonic() - started
        try:
            changed, text = put(path, read_failed(seconds), mode, module.check_mode)
        except EosError as failed:
            error.message += " (and the metrics file could not say so: %s)" % failed.message
            raise error
        error.result = dict(error.result, changed=changed, path=path, metrics=text,
                            read_success=False, read_seconds=round(seconds, 3))
        raise error
    seconds = time.monotonic() - started
    built = build(platform, domains, seconds, params["platform_domains"],
                  complete=bool(params["all_domains"]))
    changed, text = put(path, render(built["samples"]), mode, module.check_mode)
    return {
        "changed": changed,
        "path": path,
        "metrics": text,
        "read_success": True,
        "read_seconds": round(seconds, 3),
        "departments": built["departments"],
        "series": sum(1 for line in text.splitlines() if line and not line.startswith("#")),
        "inconsistencies": built["inconsistencies"],
    }
