"""Fixtures of the integration tests: the bed, a collections path, and an ansible runner."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "testbed"))

from bedfixtures import bed, collections  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import
from playbook_runner import Ansible  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture()
def ansible(bed, collections, tmp_path):
    bed.reset_quotas()
    yield Ansible(bed, collections, tmp_path)
    bed.clear_faults()
