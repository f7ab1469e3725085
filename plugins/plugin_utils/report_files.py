# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal to easystack.eos, not a public API: no compatibility promise (docs/development.md).
"""The quota report's files on the controller: the page and the CSV, written whole or not at all.

- The page says when its numbers were read. So that a run that finds the same numbers leaves the
  files alone (and reports no change), the page carries a fingerprint of what it shows (the
  report's content, the title, the page's own code) and keeps its time as long as that stays.
- A file is written only when its bytes (or its mode) differ: to a temporary file in the same
  directory, then renamed over the old one, so that a reader never sees half a report.
- Check mode writes nothing and says what would change.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import Any, Dict, List, Optional, Tuple

import hashlib
import json
import os
import re
import time

from ansible_collections.easystack.eos.plugins.module_utils.files import write_atomically
from ansible_collections.easystack.eos.plugins.plugin_utils import report_html
from ansible_collections.easystack.eos.plugins.plugin_utils.report_csv import report_csv

# Where the earlier page's fingerprint and time are: its head, well within this many bytes.
HEAD_BYTES = 65536
FINGERPRINT = re.compile(r'<meta name="eos-quota-report-fingerprint" content="([0-9a-f]{40})">')
GENERATED = re.compile(r'<meta name="eos-quota-report-generated" content="([^"<>]{1,64})">')


class ReportFileError(Exception):
    """A file or directory the report cannot write; the message says which and why."""


def _page_code() -> str:
    """A digest of the page's own code: a new look makes a new page, even on the same numbers."""
    with open(report_html.__file__, "rb") as handle:
        return hashlib.sha1(handle.read()).hexdigest()


def fingerprint(report: Dict[str, Any], title: str, zero_rows: bool) -> str:
    text = json.dumps([report["fingerprint"], title, zero_rows, _page_code()])
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def earlier(path: str) -> Tuple[Optional[str], Optional[str]]:
    """``(fingerprint, generated)`` of the page at ``path``, ``(None, None)`` when there is none."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(HEAD_BYTES).decode("utf-8", "replace")
    except (IOError, OSError):
        return None, None
    found, when = FINGERPRINT.search(head), GENERATED.search(head)
    return (found.group(1) if found else None), (when.group(1) if when else None)


def _same(path: str, data: bytes, mode: int) -> Tuple[bool, bool]:
    """``(same bytes, same mode)`` of the file at ``path``."""
    try:
        with open(path, "rb") as handle:
            same = handle.read() == data
        return same, (os.stat(path).st_mode & 0o7777) == mode
    except (IOError, OSError):
        return False, False


def put(path: str, data: bytes, mode: int, check_mode: bool) -> bool:
    """Writes ``data`` to ``path`` (mode ``mode``) unless it is there already; whether it
    changed (or would)."""
    same, same_mode = _same(path, data, mode)
    if same and same_mode:
        return False
    if check_mode:
        return True
    if same:
        os.chmod(path, mode)
        return True
    write_atomically(path, data, mode)
    return True


def write_report(report: Dict[str, Any], directory: str, name: str, mode: int, title: str,
                 zero_rows: bool = False, check_mode: bool = False,
                 now: Optional[float] = None) -> Dict[str, Any]:
    """Renders and writes ``<directory>/<name>.html`` and ``.csv``; returns ``changed``,
    ``html``, ``csv``, ``generated`` and how long rendering took (``render_seconds``)."""
    started = time.monotonic()
    html_path = os.path.join(directory, name + ".html")
    csv_path = os.path.join(directory, name + ".csv")
    digest = fingerprint(report, title, zero_rows)
    earlier_digest, earlier_time = earlier(html_path)
    if earlier_digest == digest and earlier_time:
        generated = earlier_time
    else:
        generated = time.strftime("%Y-%m-%d %H:%M UTC",
                                  time.gmtime(time.time() if now is None else now))
    page = report_html.render(report, title, generated, digest, name + ".csv",
                              zero_rows).encode("utf-8")
    text = report_csv(report).encode("utf-8")
    rendered = time.monotonic() - started
    changed: List[str] = []
    try:
        if not os.path.isdir(directory):
            if not check_mode:
                os.makedirs(directory, 0o755)
            changed.append(directory)
        for path, data in ((html_path, page), (csv_path, text)):
            if put(path, data, mode, check_mode):
                changed.append(path)
    except (IOError, OSError) as error:
        raise ReportFileError("Cannot write the quota report in %s: %s (errno %s). Check that the "
                              "directory is writable on the controller, or set another one."
                              % (directory, error.strerror or error, error.errno))
    return {"changed": bool(changed), "html": html_path, "csv": csv_path, "generated": generated,
            "written": changed, "render_seconds": round(rendered, 3),
            "html_bytes": len(page), "csv_bytes": len(text)}
