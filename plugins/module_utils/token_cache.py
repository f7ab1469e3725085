# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal to easystack.eos, not a public API: no compatibility promise (docs/development.md).
"""Opt-in reuse of a still-valid Keystone token across tasks and runs.

Stored only in a 0600 file inside a 0700 directory under the user's cache directory
(``$XDG_CACHE_HOME/easystack.eos/tokens``, else ``~/.cache/easystack.eos/tokens``), one file per
auth URL + method + identity + scope + secret, named by an HMAC-SHA256 of those under a random
key kept 0600 beside the files (``.key``). The secret is in the key so that a task with a wrong
password never gets the cached token of a right one; the HMAC (never the secret, never a plain
hash of it) so that the name tells nothing about the secret. A token within ``MARGIN`` seconds of
expiry is not used. Writes are atomic (a temporary file renamed into place), so parallel forks
never read a torn file.

Nothing is read or written through a symlink, nor in a directory or file that is not this user's
or that others can write or read: such an entry is a cache miss, never an error.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import TYPE_CHECKING, Any, Callable, Dict, Mapping, Optional, Tuple

if TYPE_CHECKING:  # annotations only
    from ansible_collections.easystack.eos.plugins.module_utils.options import ConnectionSettings

import datetime
import hashlib
import hmac
import json
import os
import stat
import tempfile

MARGIN = 300  # seconds: a token closer than this to expiry is not reused
IDENTITY_KEYS = ("auth_url", "username", "user_id", "user_domain_name", "user_domain_id",
                 "project_name", "project_id", "project_domain_name", "project_domain_id",
                 "domain_name", "domain_id", "application_credential_id")
SECRET_KEYS = ("password", "application_credential_secret")
KEY_FILE = ".key"
KEY_BYTES = 32
# Open without following a symlink in the last path component.
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def cache_dir(environ: Optional[Mapping[str, str]] = None) -> str:
    environ = os.environ if environ is None else environ
    base = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "easystack.eos", "tokens")


def cache_key(settings: "ConnectionSettings", key: bytes) -> str:
    """HMAC of what a token stands for: auth URL, method, identity, scope and the secret."""
    auth = settings.auth
    parts = [settings.auth_type] + ["%s=%s" % (name, auth.get(name) or "")
                                    for name in IDENTITY_KEYS + SECRET_KEYS]
    return hmac.new(key, "\n".join(parts).encode("utf-8"), hashlib.sha256).hexdigest()


def _private(info: os.stat_result, kind: Callable[[int], bool]) -> bool:
    """A regular file (or directory) of this user that no one else can read or write."""
    return (kind(info.st_mode) and info.st_uid == os.getuid()
            and not info.st_mode & (stat.S_IRWXG | stat.S_IRWXO))


def _read_private(path: str) -> Optional[bytes]:
    """The bytes of ``path`` if it is a private regular file (no symlink), else None."""
    try:
        fd = os.open(path, os.O_RDONLY | NOFOLLOW)
    except OSError:
        return None
    try:
        if not _private(os.fstat(fd), stat.S_ISREG):
            return None
        with os.fdopen(fd, "rb") as handle:
            # ignored for mypy: None marks the descriptor as the handle's now (see finally)
            fd = None  # type: ignore[assignment]
            return handle.read(1024 * 1024)
    finally:
        if fd is not None:
            os.close(fd)


def _parse_time(value: Any) -> Optional[datetime.datetime]:
    """Keystone's ``expires_at`` (``2026-11-28T02:00:00.000000Z``) as an aware datetime."""
    text = str(value).replace("Z", "+00:00")
    for pattern in ("%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            return datetime.datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


class TokenCache:
    def __init__(self, settings: "ConnectionSettings", directory: Optional[str] = None,
                 now: Callable[[], datetime.datetime] = _now) -> None:
        self.settings = settings
        self.directory = directory or cache_dir()
        self.now = now
        self._path: Optional[str] = None

    @property
    def path(self) -> Optional[str]:
        """This identity's cache file, once the directory and key exist and are trusted."""
        return self._file()

    def _directory_ok(self, create: bool = False) -> bool:
        """The directory exists (made 0700 if ``create``), is no symlink and is private."""
        if create:
            try:
                os.makedirs(self.directory, mode=0o700)
            except OSError:
                pass  # exists already (or cannot be made: the check below says no)
        try:
            return _private(os.lstat(self.directory), stat.S_ISDIR)
        except OSError:
            return False

    def _key(self, create: bool = False) -> Optional[bytes]:
        """The HMAC key beside the cache files: made once (0600), else read.

        The key is written to a temporary file and linked into place, so a parallel fork never
        reads a key that is half written, and the first link wins (``link`` never replaces).
        """
        path = os.path.join(self.directory, KEY_FILE)
        key = _read_private(path)
        if key is not None and len(key) == KEY_BYTES:
            return key
        if not create or key is not None:
            return None  # a key of the wrong size is someone else's doing: do not trust it
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".key")
        try:
            with os.fdopen(fd, "wb") as handle:  # mkstemp files are 0600 already
                handle.write(os.urandom(KEY_BYTES))
            os.link(tmp, path)
        except OSError:
            pass  # another fork linked its key first (or the directory refuses: checked below)
        finally:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        key = _read_private(path)
        return key if key is not None and len(key) == KEY_BYTES else None

    def _file(self, create: bool = False) -> Optional[str]:
        """The path of this identity's cache file, or None when the cache cannot be trusted."""
        if self._path is None:
            if not self._directory_ok(create):
                return None
            key = self._key(create)
            if key is None:
                return None
            self._path = os.path.join(self.directory, cache_key(self.settings, key) + ".json")
        return self._path

    def load(self) -> Optional[Tuple[str, Any]]:
        """``(token value, body)`` of a cached token that is still valid long enough, or None."""
        path = self._file()
        raw = _read_private(path) if path else None
        if raw is None:
            return None
        try:
            entry = json.loads(raw.decode("utf-8"))
            value, body = entry["token"], entry["body"]
            expires = _parse_time(body["token"]["expires_at"])
        except (ValueError, KeyError, TypeError, AttributeError):
            return None
        if not isinstance(value, str) or expires is None \
                or (expires - self.now()).total_seconds() < MARGIN:
            return None
        return value, body

    def store(self, value: str, body: Dict[str, Any]) -> None:
        path = self._file(create=True)
        if not body.get("token", {}).get("expires_at") or path is None:
            return
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w") as handle:  # mkstemp files are 0600 already
                json.dump({"token": value, "body": body}, handle)
            os.replace(tmp, path)  # replaces a symlink itself, never writes through it
        except (OSError, IOError):
            try:
                os.unlink(tmp)
            except OSError:
                pass

    def drop(self) -> None:
        path = self._file()
        if path is None:
            return
        try:
            os.unlink(path)
        except OSError:
            pass
