"""Running ansible-playbook against the test bed as its admin, for the quota report's tests."""
import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def run_playbook(bed, collections, work, playbook):
    """ansible-playbook (this venv's) on ``playbook`` in ``work``, as the bed's admin (OS_*
    variables); nothing of the caller's OS_* or ANSIBLE_* environment leaks in."""
    admin = bed.users["admin"]
    env = {key: value for key, value in os.environ.items() if not key.startswith(("OS_", "ANSIBLE_"))}
    env.update({
        "HOME": str(work), "ANSIBLE_COLLECTIONS_PATH": str(collections),
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable, "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_LOCALHOST_WARNING": "0", "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
        "OS_AUTH_URL": bed.auth_url, "OS_USERNAME": "admin", "OS_PASSWORD": admin["password"],
        "OS_PROJECT_NAME": admin["project"], "OS_USER_DOMAIN_NAME": admin["domain"],
        "OS_PROJECT_DOMAIN_NAME": admin["domain"], "OS_REGION_NAME": bed.region,
    })
    return subprocess.run([str(BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local",
                           str(playbook)], env=env, cwd=str(work), capture_output=True, text=True,
                          timeout=600, check=False)
