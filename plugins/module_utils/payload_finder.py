# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal to easystack.eos, not a public API: no compatibility promise (docs/development.md).
"""The finder that payload_import.py installs on a target, and the writing of its bytecode cache.

``PayloadFinder`` finds this collection's module_utils in the payload zip; ``PayloadLoader``
runs each one from the code in the cache when it was compiled from the same source (the hash
of the zip's source is compared at every import), else compiles it once. ``Bundle`` is the
cache of one run: what payload_import.py read at the start, and what this run compiled, which
is written when the process exits, merged with what other runs wrote meanwhile.

Writing: the directory is created only if missing, 0700 with its missing parents, and only
inside a directory of this user's (root with another user's HOME, a ``become`` that keeps it,
leaves that home alone); it is then opened and checked as payload_import.py does before any
use. The file is written to ``<name>.<pid>.tmp`` (0600, no symlink followed) and renamed over
the old one in one step through the directory's descriptor, so parallel runs never read half a
file. A failure is ignored: the next run compiles again. Nothing is written when Python is told
not to write bytecode (``PYTHONDONTWRITEBYTECODE``, ``-B``); an existing cache is still read.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import Any, Dict, Optional, Sequence, Tuple, cast

import atexit
import importlib.machinery
import importlib.util
import marshal
import os
import sys
import types
import zipimport

from ansible_collections.easystack.eos.plugins.module_utils.payload_import import (
    FINDER, FORMAT, MAX_BUNDLE, PACKAGE, bundle_name, cached_code, open_dir, read_bundle,
    well_formed)


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
        pass  # another run made it; open_dir checks what it is
    except OSError:
        return False
    return True


class Bundle:
    """The bytecode cache of one run (``directory`` None: none, compile everything)."""

    def __init__(self, directory: Optional[str], dir_fd: Optional[int],
                 entries: Dict[Any, Any]) -> None:
        self.directory = directory
        self.dir_fd = dir_fd
        self.entries = entries
        self.compiled: Dict[str, Tuple[bytes, bytes]] = {}

    def code(self, name: str, source: bytes, path: str) -> types.CodeType:
        """The code of module_utils ``name``: from the cache if compiled from ``source``, else
        compiled now (and kept for the cache)."""
        code = cached_code(self.entries, name, source, path)
        if code is None:
            code = compile(source, path, "exec", dont_inherit=True)
            self.keep(name, source, code)
        return code

    def keep(self, name: str, source: bytes, code: types.CodeType) -> None:
        """Write ``code``, compiled from ``source``, into the cache at exit."""
        if self.directory is None or sys.dont_write_bytecode:
            return
        if not self.compiled:
            atexit.register(self.save)
        self.compiled[name] = (importlib.util.source_hash(source), marshal.dumps(code))

    def save(self) -> None:
        """Write the cache file: what is in it now, with this run's code replacing the same
        names' (everything else this run only read is already there)."""
        dir_fd = self.dir_fd
        if dir_fd is None and self.directory is not None and _create(self.directory):
            dir_fd = open_dir(self.directory)
        if dir_fd is None:
            return
        entries = {name: entry for name, entry in read_bundle(dir_fd).items()
                   if isinstance(name, str) and well_formed(entry)}
        entries.update(self.compiled)
        head = importlib.util.MAGIC_NUMBER + FORMAT
        data = head + marshal.dumps(entries)
        if len(data) > MAX_BUNDLE:  # names no payload has any more piled up: start again
            data = head + marshal.dumps(self.compiled)
        final = bundle_name()
        temporary = "%s.%d.tmp" % (final, os.getpid())
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
                         | os.O_CLOEXEC, 0o600, dir_fd=dir_fd)
        except OSError:
            return
        try:
            with os.fdopen(fd, "wb", closefd=False) as handle:
                handle.write(data)
            os.replace(temporary, final, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        except OSError:
            try:
                os.unlink(temporary, dir_fd=dir_fd)
            except OSError:
                pass
        finally:
            os.close(fd)


class PayloadLoader:
    """Loads one module of PACKAGE from the zip, with the code ``Bundle`` gives for it; the
    module gets the ``__file__``, ``__path__``, source and tracebacks zipimport would give it."""

    def __init__(self, bundle: Bundle, archive: zipimport.zipimporter, path: str,
                 source: bytes) -> None:
        self.bundle = bundle
        self.archive = archive
        self.path = path
        self.source: Optional[bytes] = source

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None  # the default module

    def exec_module(self, module: types.ModuleType) -> None:
        exec(self.get_code(module.__name__), module.__dict__)  # pylint: disable=exec-used

    def get_code(self, fullname: str) -> types.CodeType:
        source, self.source = self.source, None  # read once by find_spec; again if asked again
        if source is None:
            source = self.archive.get_data(self.path)
        return self.bundle.code(fullname[len(PACKAGE) + 1:], source, self.path)

    def get_source(self, fullname: str) -> str:
        return importlib.util.decode_source(self.archive.get_data(self.path))

    def get_filename(self, fullname: str) -> str:
        return self.path

    def get_data(self, path: str) -> bytes:
        return self.archive.get_data(path)

    def is_package(self, fullname: str) -> bool:
        return os.path.basename(self.path) == "__init__.py"


class PayloadFinder:
    """Finds ``PACKAGE``'s modules in the zip ``archive`` for PayloadLoader; anything else (and
    anything not in that zip) is left to the other finders."""

    def __init__(self, archive: zipimport.zipimporter, bundle: Bundle) -> None:
        self.archive = archive
        self.root = archive.archive + os.sep
        self.bundle = bundle

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
                loader = PayloadLoader(self.bundle, self.archive, filename, source)
                # a package when the file is __init__.py (loader.is_package), as zipimport's
                # (typeshed's LoaderProtocol is importlib.abc.Loader, not loaded yet here)
                return importlib.util.spec_from_file_location(fullname, filename,
                                                              loader=cast(Any, loader))
        return None

    def invalidate_caches(self) -> None:
        pass


def install(archive: zipimport.zipimporter, directory: Optional[str], dir_fd: Optional[int],
            entries: Dict[Any, Any], finder_source: Optional[bytes] = None) -> PayloadFinder:
    """Put a PayloadFinder for ``archive`` first on sys.meta_path (once). ``finder_source``: this
    file's source, when it was not in the cache (zipimport compiled it), to be kept there."""
    for finder in sys.meta_path:
        if isinstance(finder, PayloadFinder):
            return finder
    bundle = Bundle(directory, dir_fd, entries)
    if finder_source is not None:
        path = globals()["__file__"]
        bundle.keep(FINDER, finder_source, compile(finder_source, path, "exec", dont_inherit=True))
    finder = PayloadFinder(archive, bundle)
    sys.meta_path.insert(0, finder)
    return finder
