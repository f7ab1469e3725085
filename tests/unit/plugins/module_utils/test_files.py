# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""files: a mode option read one way; a file written whole or not at all."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat

import pytest

from ansible_collections.easystack.eos.plugins.module_utils import files


@pytest.mark.parametrize("value, mode", [("0644", 0o644), ("640", 0o640), (0o600, 0o600), ("0", 0)])
def test_modes(value, mode):
    assert files.file_mode(value) == mode


@pytest.mark.parametrize("value", ["rwx", "0999", "01777", "", True, None, -1])
def test_not_modes(value):
    with pytest.raises(ValueError) as info:
        files.file_mode(value)
    assert "mode must be an octal file mode such as '0644'" in str(info.value)


def test_written_whole_with_its_mode_and_nothing_left_beside_it(tmp_path):
    path = tmp_path / "a.prom"
    path.write_text("old")
    files.write_atomically(str(path), b"new", 0o640)
    assert path.read_bytes() == b"new" and stat.S_IMODE(os.stat(str(path)).st_mode) == 0o640
    assert os.listdir(str(tmp_path)) == ["a.prom"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "a.prom"
    path.write_text("old")

    def broken(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError):
        files.write_atomically(str(path), b"new", 0o644)
    assert path.read_text() == "old" and os.listdir(str(tmp_path)) == ["a.prom"]
