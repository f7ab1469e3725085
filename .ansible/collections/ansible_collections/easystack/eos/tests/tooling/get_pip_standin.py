# Copyright: easystack.eos maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Offline stand-in for the pip bootstrap script (get-pip.py) used by ansible-test.

Why
---
When ansible-test creates a virtual environment (``--venv``, and the per-test
environments under ``~/.ansible/test/venv``), it creates it without pip and then
bootstraps pip with a ``get-pip.py`` script.  It downloads that script from a
host of its own (not a package index), which is unreachable on air-gapped
machines and on this project's developer/CI machines.  Before downloading,
ansible-test looks for a cached copy at::

    ~/.ansible/test/cache/get_pip_<pip version, dots replaced by "_">.py

e.g. ``get_pip_25_2.py`` for ansible-core 2.21, ``get_pip_23_1_2.py`` for 2.17.
``tests/tooling/ansible-test.sh`` copies this file there for the pip version(s)
the installed ansible-core asks for, so the download never happens.

How it is invoked
-----------------
ansible-test's ``quiet_pip.py`` runs the cached file in the new environment's
interpreter with ``runpy`` as ``__main__``; ``sys.argv[1:]`` are pip install
arguments, for example::

    --disable-pip-version-check pip==25.2 --no-setuptools --no-wheel

What it does
------------
1. If pip is not importable, run ``python -m ensurepip --default-pip`` (pip from
   the wheel bundled with CPython; no network).
2. Run ``python -m pip install <arguments>`` to reach the exact pinned versions,
   through the ordinary package index configuration.  ``--no-setuptools`` and
   ``--no-wheel`` are get-pip options that pip itself does not know; they are
   dropped (a venv made with ``--without-pip`` has neither package anyway).

Both steps run as child processes with the environment this script started
with: ensurepip sets ``PIP_CONFIG_FILE=/dev/null`` in its own process
environment, and the follow-up install must still see the machine's pip
configuration (index, extra index, find-links, certificates).

The file is kept free of anything but the standard library and works on every
Python 3 version that ansible-test supports for a controller.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

# A line that tests/tooling/ansible-test.sh looks for before refreshing a cached copy.
STANDIN_MARKER = 'easystack.eos get-pip stand-in'

GET_PIP_ONLY_OPTIONS = frozenset(('--no-setuptools', '--no-wheel'))


def main() -> int:
    """Bootstrap pip with ensurepip, then install the requested packages."""
    env = dict(os.environ)
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]

    if importlib.util.find_spec('pip') is None:
        result = subprocess.run([sys.executable, '-m', 'ensurepip', '--default-pip'], env=env, check=False)

        if result.returncode != 0:
            return result.returncode

    if not [arg for arg in args if not arg.startswith('-')]:
        return 0  # nothing to install: pip from ensurepip is enough

    return subprocess.run([sys.executable, '-m', 'pip', 'install'] + args, env=env, check=False).returncode


if __name__ == '__main__':
    sys.exit(main())
