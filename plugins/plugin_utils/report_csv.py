# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal to easystack.eos, not a public API: no compatibility promise (docs/development.md).
"""The quota report's CSV, on the controller: the rows of the filter easystack.eos.quota_report
as text for a spreadsheet, written with Python's ``csv`` module.

Safe by construction, whatever the department and item names hold:

- RFC 4180 - lines end in CRLF and a field is quoted (``"`` doubled) when it holds a comma, a
  quote, a CR or an LF, so that no name can split a row or add one;
- a formula guard (OWASP, "CSV injection") - a text cell whose first non-blank character is
  ``= + - @`` (or their full-width forms), or that starts with blanks among which is a TAB or
  CR, gets a leading ``'``, so that a spreadsheet shows it as text instead of evaluating it.
  Blank here is whitespace and the invisible control and format characters (Unicode Cc, Cf).
  Numbers stay numbers (``-5`` free is a number, not a formula).

The columns and what they hold are the role's contract (roles/quota_report/README.md).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import Any, Dict, List

import csv
import functools
import io
import unicodedata

COLUMNS = ("region", "scope", "name", "item", "label", "unit", "quota", "allocated", "used",
           "free", "percent_allocated", "percent_used", "limit", "above_threshold",
           "departments_quota", "departments_unlimited", "departments_cover", "oversubscribed")
# What makes a spreadsheet evaluate a cell, as its first non-blank character.
FORMULA_STARTS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
# Blank characters before which a guard is needed whatever follows.
DANGEROUS_BLANKS = frozenset("\t\r")
GUARD = "'"
# How many decimals a fractional number keeps (as the page's data: 69.4, 12.5).
DECIMALS = 6


class ReportCsvError(ValueError):
    """Input that is not the filter easystack.eos.quota_report's result."""


def _blank(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf")


def needs_guard(text: str) -> bool:
    """Whether a spreadsheet could take the text cell for a formula."""
    index = 0
    while index < len(text) and _blank(text[index]):
        if text[index] in DANGEROUS_BLANKS:
            return True
        index += 1
    return index < len(text) and text[index] in FORMULA_STARTS


def guard(text: str) -> str:
    """The text, with a leading ``'`` when a spreadsheet could take it for a formula."""
    return GUARD + text if needs_guard(text) else text


def cell(value: Any) -> str:
    """One cell: empty for no value, ``yes``/``no``, a whole number without a decimal point
    (``31146`` for the API's ``31146.0``), a fractional one rounded to DECIMALS, any other value
    as guarded text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _guarded(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return "%d" % value
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 2 ** 53:  # 31146, not 31146.0
            return "%d" % value
        return "%r" % round(value, DECIMALS)
    return _guarded("%s" % (value,))


# Names, labels and regions repeat on every row of their department: each is guarded once.
_guarded = functools.lru_cache(maxsize=8192)(guard)
_SPECIAL = dict((column, COLUMNS.index(column)) for column in (
    "quota", "departments_quota", "departments_unlimited", "departments_cover"))


def row_cells(row: Dict[str, Any], cover: Any) -> List[str]:
    """The cells of one report row, in COLUMNS' order. ``cover``: ``all`` or ``listed``, shown
    on the rows whose departments were added up (platform rows, when they were)."""
    compared = row.get("oversubscribed") is not None
    unlimited = row.get("departments_unlimited") or []
    if not isinstance(unlimited, (list, tuple)):
        raise ReportCsvError("a row's departments_unlimited must be a list, not %r"
                             % (type(unlimited).__name__,))
    cells = [cell(row.get(column)) for column in COLUMNS]
    if row.get("unlimited"):
        cells[_SPECIAL["quota"]] = "unlimited"
    if unlimited:
        cells[_SPECIAL["departments_quota"]] = "unlimited"
    cells[_SPECIAL["departments_unlimited"]] = (
        guard(";".join("%s" % (name,) for name in unlimited)) if compared else "")
    cells[_SPECIAL["departments_cover"]] = guard("%s" % (cover,)) if compared else ""
    return cells


def report_csv(report: Any) -> str:
    """The CSV text (header line, then one line per row) of a report of the filter
    easystack.eos.quota_report."""
    if not isinstance(report, dict) or not isinstance(report.get("rows"), (list, tuple)):
        raise ReportCsvError("the input must be the filter easystack.eos.quota_report's result "
                             "(a dict with rows), not %r" % (type(report).__name__,))
    summary = report.get("summary") or {}
    cover = ((summary.get("oversubscription") or {}).get("cover")
             if isinstance(summary, dict) else None)
    out = io.StringIO()
    writer = csv.writer(out, dialect="excel", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    for row in report["rows"]:
        if not isinstance(row, dict):
            raise ReportCsvError("each row must be a dict, not %r" % (type(row).__name__,))
        writer.writerow(row_cells(row, cover))
    return out.getvalue()
