# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal to easystack.eos, not a public API: no compatibility promise (docs/development.md).
"""Import this collection's module_utils from the AnsiballZ payload at the cost of one compile.

On a target, ansible-core (2.17 to 2.21 alike) writes the module's payload to a temporary zip
file, puts that file first on ``sys.path`` and runs the module with ``runpy``: Python's
``zipimport`` loads every module_utils file from the zip, as source, and compiles each one
twice (``find_spec`` compiles it to learn its file name, ``exec_module`` again: CPython issue
#141276). A module imports this file first; when it was itself loaded from a zip, it puts a
finder on ``sys.meta_path`` for ``ansible_collections.easystack.eos.plugins.module_utils.*``
that loads those modules from the same zip with importlib's own source loader: one compile, the
same ``__file__``, ``__path__``, source and tracebacks. Loaded from anywhere else (the unit
tests, a checkout), this file does nothing.

The compiled code is also kept in a bytecode cache, importlib's checked hash-based pyc format
(PEP 552): ``$XDG_CACHE_HOME/easystack.eos/bytecode``, else ``~/.cache/easystack.eos/bytecode``,
one file per module_utils file and Python (``client.cpython-312.pyc``), replaced when the
source changes. Every use reads the source from the zip and compares its hash with the one the
file was written for, so a stale file is never run. The directory is used only when it is a
real directory (no symlink) of this user that no one else can read or write (created 0700,
only inside a directory of this user's: root with a user's HOME leaves it alone); files are
opened relative to it without following symlinks, must be this user's and private,
and are written to a temporary file renamed into place, so that parallel runs never read half a
file. Anything else (no HOME, a read-only one, another user's directory, a broken file) means no
cache, silently. ``EOS_NO_BYTECODE_CACHE=1`` turns the cache off; when Python is told not to
write bytecode (``PYTHONDONTWRITEBYTECODE``, ``-B``), nothing is written to it. More, with the
measurements: docs/performance.md, "Client-only cost against an instant server".
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import Any, Callable, Dict, Mapping, Optional, Sequence

import _imp
import importlib.machinery
import importlib.util
import marshal
import os
import stat
import sys
import types
import zipimport

PACKAGE = __name__.rpartition(".")[0]  # ansible_collections.easystack.eos.plugins.module_utils
OPT_OUT = "EOS_NO_BYTECODE_CACHE"
FLAGS = b"\x03\x00\x00\x00"  # PEP 552: hash-based, check_source
MAX_PYC = 8 * 1024 * 1024  # bytes: a larger file in the cache is not read
_DIR_FLAGS = ("O_DIRECTORY", "O_NOFOLLOW", "O_CLOEXEC")
# What importlib uses to give cached code its source's current file name (CPython); without it
# (another Python) there is no cache.
_FIX_FILENAME: Optional[Callable[[types.CodeType, str], None]] = getattr(_imp, "_fix_co_filename", None)


def cache_dir(environ: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """The bytecode cache's path: under $XDG_CACHE_HOME when it is absolute, else ~/.cache; None
    when neither is known (no HOME is not looked up elsewhere)."""
    environ = os.environ if environ is None else environ
    base = environ.get("XDG_CACHE_HOME") or ""
    if not os.path.isabs(base):
        home = environ.get("HOME") or ""
        if not os.path.isabs(home):
            return None
        base = os.path.join(home, ".cache")
    return os.path.join(base, "easystack.eos", "bytecode")


def _private(info: os.stat_result) -> bool:
    """Owned by this user, and no one else can read or write it."""
    return info.st_uid == os.geteuid() and not info.st_mode & (stat.S_IRWXG | stat.S_IRWXO)


def _create(path: str) -> bool:
    """Make ``path`` and its missing parents (0700), only in a directory of this user's: root
    with another user's HOME leaves it alone. False when it cannot (read-only, no such user...)."""
    parent = os.path.dirname(path)
    try:
        if os.stat(parent).st_uid != os.geteuid():
            return False
    except FileNotFoundError:
        if parent == path or not _create(parent):
            return False
    except OSError:
        return False
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass  # another run made it; the caller checks what it is
    except OSError:
        return False
    return True


class BytecodeCache:
    """A private directory of checked hash-based pyc files, held open by a descriptor: every
    file is opened relative to it, so that the checked directory is the one used."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        tag = sys.implementation.cache_tag
        optimize = sys.flags.optimize
        self.suffix = ".%s%s.pyc" % (tag, ".opt-%d" % optimize if optimize else "")

    @classmethod
    def open(cls, path: Optional[str]) -> Optional["BytecodeCache"]:
        """The cache in ``path`` (created 0700 if missing), or None when it is not usable."""
        if (path is None or sys.implementation.cache_tag is None or _FIX_FILENAME is None
                or not all(hasattr(os, flag) for flag in _DIR_FLAGS)
                # os.replace takes directory descriptors where os.rename does (renameat)
                or not {os.open, os.rename, os.unlink} <= os.supports_dir_fd):
            return None
        flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
        try:
            fd = os.open(path, flags)
        except FileNotFoundError:
            if sys.dont_write_bytecode or not _create(path):
                return None
            try:
                fd = os.open(path, flags)
            except OSError:
                return None
        except OSError:
            return None
        try:
            info = os.fstat(fd)
            if stat.S_ISDIR(info.st_mode) and _private(info):
                return cls(fd)
        except OSError:
            pass
        os.close(fd)
        return None

    def load(self, name: str, source: bytes, path: str) -> Optional[types.CodeType]:
        """The code cached for ``name`` if it was compiled from ``source``, with ``path`` as its
        file name; else None."""
        try:
            fd = os.open(name + self.suffix, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC,
                         dir_fd=self.fd)
        except OSError:
            return None
        try:
            info = os.fstat(fd)
            if not (stat.S_ISREG(info.st_mode) and _private(info) and info.st_size <= MAX_PYC):
                return None
            with os.fdopen(fd, "rb", closefd=False) as handle:
                data = handle.read(MAX_PYC + 1)
        except OSError:
            return None
        finally:
            os.close(fd)
        if (len(data) < 16 or data[:4] != importlib.util.MAGIC_NUMBER or data[4:8] != FLAGS
                or data[8:16] != importlib.util.source_hash(source)):
            return None
        try:
            code = marshal.loads(data[16:])
        except (EOFError, ValueError, TypeError):
            return None
        if not isinstance(code, types.CodeType) or _FIX_FILENAME is None:
            return None
        _FIX_FILENAME(code, path)
        return code

    def store(self, name: str, source: bytes, code: types.CodeType) -> None:
        """Cache ``code``, compiled from ``source``, for ``name``: written to a temporary file
        of this process, then renamed over the old file in one step. Failures are ignored."""
        data = (importlib.util.MAGIC_NUMBER + FLAGS + importlib.util.source_hash(source)
                + marshal.dumps(code))
        final = name + self.suffix
        temporary = "%s.%d.tmp" % (final, os.getpid())
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
                         | os.O_CLOEXEC, 0o600, dir_fd=self.fd)
        except OSError:
            return
        try:
            with os.fdopen(fd, "wb", closefd=False) as handle:
                handle.write(data)
            os.replace(temporary, final, src_dir_fd=self.fd, dst_dir_fd=self.fd)
        except OSError:
            try:
                os.unlink(temporary, dir_fd=self.fd)
            except OSError:
                pass
        finally:
            os.close(fd)


class PayloadLoader(importlib.machinery.SourceFileLoader):
    """importlib's source loader, reading from the zip (``zipimporter.get_data``): compiles once,
    or takes the code from the cache when it was compiled from the same source."""

    def __init__(self, fullname: str, path: str, archive: zipimport.zipimporter,
                 source: bytes, cache: Optional[BytecodeCache]) -> None:
        super().__init__(fullname, path)
        self.archive = archive
        self.source: Optional[bytes] = source
        self.cache = cache

    def get_data(self, path: str) -> bytes:
        if path == self.path and self.source is not None:
            return self.source
        return self.archive.get_data(path)

    def path_stats(self, path: str) -> Dict[str, Any]:
        raise OSError("no file system stats inside a zip")

    def get_code(self, fullname: str) -> types.CodeType:
        source = self.get_data(self.path)
        self.source = None  # read once; get_source reads it again from the zip
        key = fullname[len(PACKAGE) + 1:]
        code = self.cache.load(key, source, self.path) if self.cache else None
        if code is None:
            code = self.source_to_code(source, self.path)
            if self.cache and not sys.dont_write_bytecode:
                self.cache.store(key, source, code)
        return code


class PayloadFinder:
    """Finds ``PACKAGE``'s modules in the zip ``archive`` for PayloadLoader; anything else (and
    anything not in that zip) is left to the other finders."""

    def __init__(self, archive: zipimport.zipimporter, cache: Optional[BytecodeCache]) -> None:
        self.archive = archive
        self.root = archive.archive + os.sep
        self.cache = cache

    def find_spec(self, fullname: str, path: Optional[Sequence[str]] = None,
                  target: Any = None) -> Optional[importlib.machinery.ModuleSpec]:
        if not fullname.startswith(PACKAGE + ".") or not path:
            return None
        tail = fullname.rpartition(".")[2]
        for entry in path:
            if not entry.startswith(self.root):
                continue
            for filename in (os.path.join(entry, tail, "__init__.py"),
                             os.path.join(entry, tail + ".py")):
                try:
                    source = self.archive.get_data(filename)
                except OSError:
                    continue
                loader = PayloadLoader(fullname, filename, self.archive, source, self.cache)
                # a package when the file is __init__.py (loader.is_package), as zipimport's
                return importlib.util.spec_from_file_location(fullname, filename, loader=loader)
        return None

    def invalidate_caches(self) -> None:
        pass


def install() -> Optional[PayloadFinder]:
    """Put a PayloadFinder first on sys.meta_path if this module was loaded from a zip (once)."""
    spec = globals().get("__spec__")
    archive = getattr(spec, "loader", None)
    if not isinstance(archive, zipimport.zipimporter):
        return None
    for finder in sys.meta_path:
        if isinstance(finder, PayloadFinder):
            return finder
    cache = None
    if os.environ.get(OPT_OUT, "") in ("", "0"):
        cache = BytecodeCache.open(cache_dir())
    finder = PayloadFinder(archive, cache)
    sys.meta_path.insert(0, finder)
    return finder


install()
