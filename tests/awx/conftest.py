"""Fixtures of the AWX / execution-environment tests.

``test_awx_jobs.py`` needs the running test bed (``bed``, from EOS_BED_DIR like every suite);
the credential-type and ansible-builder tests do not.
"""
import sys
import uuid
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "tests" / "testbed"))
sys.path.insert(0, str(HERE))

from awx_credentials import load_credential_type  # noqa: E402  pylint: disable=wrong-import-position
from bedfixtures import bed, collections  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import


@pytest.fixture(scope="session")
def credential_type():
    """``(inputs, injectors)`` of the "EasyStack EOS" custom credential type (docs/awx.md)."""
    return load_credential_type(HERE / "credential_type_inputs.yml",
                                HERE / "credential_type_injectors.yml")


@pytest.fixture(scope="module")
def eos_domain(bed):  # pylint: disable=redefined-outer-name
    """A department of the tests' own, created through the EOS endpoint and deleted afterwards,
    so that no other test's quota state is touched."""
    name = "awx-test-%s" % uuid.uuid4().hex[:8]
    response = bed.api("POST", "/v3/domains",
                       json={"domain": {"name": name, "description": "tests/awx"}})
    assert response.status_code == 201, response.text
    domain = response.json()["domain"]
    yield {"id": domain["id"], "name": domain["name"]}
    path = "/v3/domains/%s" % domain["id"]
    bed.api("PATCH", path, json={"domain": {"enabled": False}}).raise_for_status()
    bed.api("DELETE", path).raise_for_status()
