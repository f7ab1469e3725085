"""Fixtures of the integration tests: the bed, a collections path, and an ansible runner."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "testbed"))

from bedfixtures import bed  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import
from playbook_runner import REPO, Ansible  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(scope="session")
def collections(tmp_path_factory):
    """A collections path whose easystack/eos is this checkout."""
    root = tmp_path_factory.mktemp("collections")
    (root / "ansible_collections" / "easystack").mkdir(parents=True)
    (root / "ansible_collections" / "easystack" / "eos").symlink_to(REPO)
    return root


@pytest.fixture()
def ansible(bed, collections, tmp_path):
    bed.reset_quotas()
    yield Ansible(bed, collections, tmp_path)
    bed.clear_faults()
