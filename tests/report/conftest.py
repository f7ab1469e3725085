"""Fixtures of the quota report's browser test: the running test bed (tests/testbed)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "testbed"))

from bedfixtures import bed  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import
