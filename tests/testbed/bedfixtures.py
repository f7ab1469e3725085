"""The pytest fixture every suite that needs the running test bed imports into its conftest."""
import pytest

from bedclient import Bed, BedNotUp


@pytest.fixture(scope="session")
def bed():
    """The running bed (``make bed-up``); a clear failure, not an error, when it is not up."""
    try:
        return Bed.load()
    except BedNotUp as exc:
        pytest.fail(str(exc), pytrace=False)
