"""Fixtures for the test bed's own tests: they need a bed that is up (``make bed-up``)."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bedfixtures import bed  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import


@pytest.fixture(autouse=True)
def fresh_quotas(bed):
    """Every test starts from the fixture's quota state with no fault armed."""
    bed.reset_quotas()
    yield
    bed.clear_faults()


@pytest.fixture()
def acme(bed):
    return bed.domains["acme"]
