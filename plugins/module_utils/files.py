# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal to easystack.eos, not a public API: no compatibility promise (docs/development.md).
"""Files the collection writes (the metrics file on a target, the report's files on the
controller): a mode option read one way, and a file written whole or not at all."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import Any

import os
import tempfile


def file_mode(value: Any) -> int:
    """A ``mode`` option as an int: octal text (``'0644'``, ``'644'``) or a number written as
    octal in YAML (``0644``); ValueError, saying what is wrong, for anything else."""
    text = "%o" % value if isinstance(value, int) and not isinstance(value, bool) else "%s" % (value,)
    try:
        mode = int(text, 8)
    except ValueError:
        mode = -1
    if not 0 <= mode <= 0o777:
        raise ValueError("mode must be an octal file mode such as '0644', not %r" % (value,))
    return mode


def write_atomically(path: str, data: bytes, mode: int) -> None:
    """``data`` to ``path`` with ``mode``: to a temporary file in the same directory (a dot file
    ending in .tmp, which no collector or browser picks up), flushed to disk, then renamed over
    the old file, so that a reader sees the old file or the new one, never half of one. The
    temporary file is removed when anything fails; IOError/OSError propagate."""
    handle, temporary = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), suffix=".tmp",
                                         dir=os.path.dirname(path) or ".")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
