# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Opt-in reuse of a still-valid Keystone token across tasks and runs.

Stored only in a 0600 file inside a 0700 directory under the user's cache directory
(``$XDG_CACHE_HOME/easystack.eos/tokens``, else ``~/.cache/easystack.eos/tokens``), one file per
auth URL + identity + scope, named by a SHA-256 of those (never of a secret). A token within
``MARGIN`` seconds of expiry is not used. Writes are atomic (a temporary file renamed into
place), so parallel forks never read a torn file; anything unreadable is simply a cache miss.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import hashlib
import json
import os
import stat
import tempfile

MARGIN = 300  # seconds: a token closer than this to expiry is not reused
IDENTITY_KEYS = ("auth_url", "username", "user_id", "user_domain_name", "user_domain_id",
                 "project_name", "project_id", "project_domain_name", "project_domain_id",
                 "domain_name", "domain_id", "application_credential_id")


def cache_dir(environ=None):
    environ = os.environ if environ is None else environ
    base = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "easystack.eos", "tokens")


def cache_key(settings):
    """Hash of what identifies a token: auth URL, method, identity, scope; never a secret."""
    parts = [settings.auth_type] + ["%s=%s" % (key, settings.auth.get(key) or "")
                                    for key in IDENTITY_KEYS]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def _parse_time(value):
    """Keystone's ``expires_at`` (``2026-11-28T02:00:00.000000Z``) as an aware datetime."""
    text = str(value).replace("Z", "+00:00")
    for pattern in ("%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            return datetime.datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


class TokenCache:
    def __init__(self, settings, directory=None, now=_now):
        self.directory = directory or cache_dir()
        self.path = os.path.join(self.directory, cache_key(settings) + ".json")
        self.now = now

    def _safe_directory(self):
        """Create the directory 0700; refuse one that others can write or that is not ours."""
        try:
            os.makedirs(self.directory, mode=0o700)
        except OSError:
            pass  # exists already (or cannot be made: the checks below say no)
        try:
            info = os.stat(self.directory)
        except OSError:
            return False
        if info.st_uid != os.getuid() or info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            return False
        return True

    def load(self):
        """``(token value, body)`` of a cached token that is still valid long enough, or None."""
        try:
            info = os.stat(self.path)
            if info.st_uid != os.getuid() or info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
                return None
            with open(self.path) as handle:
                entry = json.load(handle)
            value, body = entry["token"], entry["body"]
            expires = _parse_time(body["token"]["expires_at"])
        except (OSError, IOError, ValueError, KeyError, TypeError):
            return None
        if expires is None or (expires - self.now()).total_seconds() < MARGIN:
            return None
        return value, body

    def store(self, value, body):
        if not body.get("token", {}).get("expires_at") or not self._safe_directory():
            return
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w") as handle:  # mkstemp files are 0600 already
                json.dump({"token": value, "body": body}, handle)
            os.replace(tmp, self.path)
        except (OSError, IOError):
            try:
                os.unlink(tmp)
            except OSError:
                pass

    def drop(self):
        try:
            os.unlink(self.path)
        except OSError:
            pass
