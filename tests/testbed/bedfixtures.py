"""Pytest fixtures shared by the suites that run against the bed (imported into their conftest):
``bed``, the running test bed, and ``collections``, a collections path holding this checkout."""
import pytest

from bedclient import REPO, Bed, BedNotUp


@pytest.fixture(scope="session")
def bed():
    """The running bed (``make bed-up``); a clear failure, not an error, when it is not up."""
    try:
        return Bed.load()
    except BedNotUp as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def collections(tmp_path_factory):
    """A collections path whose easystack/eos is this checkout (for ANSIBLE_COLLECTIONS_PATH)."""
    root = tmp_path_factory.mktemp("collections")
    (root / "ansible_collections" / "easystack").mkdir(parents=True)
    (root / "ansible_collections" / "easystack" / "eos").symlink_to(REPO)
    return root
