"""WSGI entry point for the test bed's Keystone.

The keystone wheel ships no ``keystone-wsgi-public`` script, so gunicorn serves this module.
Keystone reads its configuration from ``OS_KEYSTONE_CONFIG_FILES`` (set by ``bed.py``).
"""
import sys

# Keystone's config loader parses the process command line and exits on gunicorn's own flags,
# after which gunicorn restarts the worker forever: hide them before keystone is imported.
sys.argv = sys.argv[:1]

from keystone.server import wsgi  # noqa: E402  pylint: disable=wrong-import-position

application = wsgi.initialize_public_application()
