"""Fixtures of the quota report's tests: the running test bed (tests/testbed) and a collections
path holding this checkout."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "testbed"))

from bedfixtures import bed, collections  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import
