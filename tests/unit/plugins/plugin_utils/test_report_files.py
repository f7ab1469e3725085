# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""report_files: the report's files are written whole, only when they change, never in check mode."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat

import pytest

from ansible_collections.easystack.eos.plugins.plugin_utils.report import build
from ansible_collections.easystack.eos.plugins.plugin_utils.report_files import (
    ReportFileError, write_report)

PLATFORM = {"RegionOne": {"cores": {"quota": 72, "unlimited": False, "allocated": 50, "used": 9,
                                    "free": 22, "percent_allocated": 69.4, "percent_used": 12.5}}}
MONDAY, TUESDAY = 1796000000.0, 1796086400.0


def report(allocated=50):
    platform = {"RegionOne": {"cores": dict(PLATFORM["RegionOne"]["cores"], allocated=allocated)}}
    return build(platform, [], threshold=80)


def write(directory, data=None, **kwargs):
    kwargs.setdefault("now", MONDAY)
    return write_report(data or report(), str(directory), "r", 0o640, "Quotas", **kwargs)


def test_first_run_writes_both_files_whole_with_the_mode(tmp_path):
    result = write(tmp_path / "new")
    assert result["changed"] is True and result["generated"] == "2026-11-30 00:53 UTC"
    for path in (result["html"], result["csv"]):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert sorted(os.listdir(str(tmp_path / "new"))) == ["r.csv", "r.html"]  # no temp file left


def test_same_numbers_later_change_nothing_and_keep_the_time(tmp_path):
    first = write(tmp_path)
    before = os.stat(first["html"]).st_mtime_ns, os.stat(first["csv"]).st_mtime_ns
    again = write(tmp_path, now=TUESDAY)
    assert again["changed"] is False and again["generated"] == first["generated"]
    assert (os.stat(first["html"]).st_mtime_ns, os.stat(first["csv"]).st_mtime_ns) == before


def test_new_numbers_make_a_new_page_with_a_new_time(tmp_path):
    first = write(tmp_path)
    again = write(tmp_path, report(allocated=70), now=TUESDAY)
    assert again["changed"] is True and again["generated"] != first["generated"]
    assert again["written"] == [again["html"], again["csv"]]


def test_check_mode_writes_nothing_and_says_it_would(tmp_path):
    result = write(tmp_path / "new", check_mode=True)
    assert result["changed"] is True and not os.path.exists(str(tmp_path / "new"))
    write(tmp_path)
    assert write(tmp_path, report(allocated=70), check_mode=True)["changed"] is True
    assert write(tmp_path, now=TUESDAY, check_mode=True)["changed"] is False


def test_a_changed_mode_alone_is_a_change(tmp_path):
    first = write(tmp_path)
    os.chmod(first["csv"], 0o600)
    again = write(tmp_path, now=TUESDAY)
    assert again["changed"] is True and again["written"] == [first["csv"]]
    assert stat.S_IMODE(os.stat(first["csv"]).st_mode) == 0o640


def test_an_unwritable_directory_is_a_clean_error_naming_it(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(ReportFileError) as info:
        write(blocker / "sub")
    assert str(blocker / "sub") in str(info.value) and "writable" in str(info.value)
