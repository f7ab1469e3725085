# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal to easystack.eos, not a public API: no compatibility promise (docs/development.md).
"""Import this collection's module_utils from the AnsiballZ payload without compiling them.

On a target, ansible-core (2.17 to 2.21 alike) writes the module's payload to a temporary zip
file, puts that file first on ``sys.path`` and runs the module with ``runpy``: Python's
``zipimport`` loads every module_utils file from the zip, as source, and compiles each one
twice (``find_spec`` compiles it to learn its file name, ``exec_module`` again: CPython issue
#141276). A module imports this file first; when it was itself loaded from a zip, it puts the
finder of payload_finder.py on ``sys.meta_path`` for
``ansible_collections.easystack.eos.plugins.module_utils.*``, which loads those modules from
the same zip with the same ``__file__``, ``__path__``, source and tracebacks, compiled once, or
not at all when the bytecode cache has them. Loaded from anywhere else (the unit tests, a
checkout), this file does nothing.

This file is the part that ``zipimport`` still compiles twice, so it holds only what reading
the cache needs; the finder itself (payload_finder.py) comes from the cache like the rest. The
cache is one file per Python (``module_utils.cpython-312.bundle``) in
``$XDG_CACHE_HOME/easystack.eos/bytecode``, else ``~/.cache/easystack.eos/bytecode``: the
compiled code of each module_utils file with the hash of the source it was compiled from
(importlib's ``source_hash``). Every use hashes the source in the zip and takes the code only
when the hashes are equal, so stale code is never run. The directory is used only when it is
a real directory (no symlink) of this user that no one else can read or write, and the file
only when it is a regular file of this user's that no one else can read or write, opened
relative to the checked directory without following symlinks. Anything else (no HOME, another
user's directory, a broken file) means no cache, silently. ``EOS_NO_BYTECODE_CACHE=1`` turns
it off. How it is written: payload_finder.py. More, with the measurements:
docs/performance.md, "Client-only cost against an instant server".
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import Any, Dict, Mapping, Optional, cast

import _imp
import gc
import importlib.machinery
import importlib.util
import marshal
import os
import stat
import sys
import types
import zipimport

PACKAGE = __name__.rpartition(".")[0]  # ansible_collections.easystack.eos.plugins.module_utils
FINDER = "payload_finder"
OPT_OUT = "EOS_NO_BYTECODE_CACHE"
FORMAT = b"eos1"  # after the magic number: the layout of what follows
MAX_BUNDLE = 16 * 1024 * 1024  # bytes: a larger cache file is not read
_DIR_FLAGS = ("O_DIRECTORY", "O_NOFOLLOW", "O_CLOEXEC")
# What importlib uses to give cached code its source's current file name (CPython); without it
# (another Python) there is no cache.
_FIX_FILENAME = getattr(_imp, "_fix_co_filename", None)
_IN_PAYLOAD = False  # set by install(): this process runs a module from its payload


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


def bundle_name() -> str:
    """The cache file of this Python and optimisation level."""
    optimize = sys.flags.optimize
    return "module_utils.%s%s.bundle" % (sys.implementation.cache_tag,
                                         ".opt-%d" % optimize if optimize else "")


def private(info: os.stat_result) -> bool:
    """Owned by this user, and no one else can read or write it."""
    return info.st_uid == os.geteuid() and not info.st_mode & (stat.S_IRWXG | stat.S_IRWXO)


def open_dir(path: Optional[str]) -> Optional[int]:
    """A descriptor of the cache directory ``path`` if it is usable, else None."""
    if (path is None or sys.implementation.cache_tag is None or _FIX_FILENAME is None
            or not all(hasattr(os, flag) for flag in _DIR_FLAGS)
            # os.replace takes directory descriptors where os.rename does (renameat)
            or not {os.open, os.rename, os.unlink} <= os.supports_dir_fd):
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode) and private(info):
            return fd
    except OSError:
        pass
    os.close(fd)
    return None


def read_bundle(dir_fd: int) -> Dict[Any, Any]:
    """The cache file's entries ({name: (source hash, marshalled code)}), {} when there is none
    or it is not this user's private regular file, too large, or not of this Python."""
    try:
        fd = os.open(bundle_name(), os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)
    except OSError:
        return {}
    try:
        info = os.fstat(fd)
        if not (stat.S_ISREG(info.st_mode) and private(info) and info.st_size <= MAX_BUNDLE):
            return {}
        data = os.read(fd, info.st_size + 1)  # one more: a file that grew (or shrank) is not read
    except OSError:
        return {}
    finally:
        os.close(fd)
    if (len(data) != info.st_size or data[:4] != importlib.util.MAGIC_NUMBER
            or data[4:8] != FORMAT):
        return {}
    try:
        entries = marshal.loads(memoryview(data)[8:])
    except (EOFError, ValueError, TypeError):
        return {}
    return entries if isinstance(entries, dict) else {}


def well_formed(entry: Any) -> bool:
    """A cache entry as the file holds them: (source hash, marshalled code), both bytes."""
    return (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], bytes)
            and isinstance(entry[1], bytes))


def cached_code(entries: Mapping[Any, Any], name: str, source: bytes,
                path: str) -> Optional[types.CodeType]:
    """The code of ``entries`` for ``name`` if it was compiled from ``source``, with ``path`` as
    its file name; else None."""
    entry: Any = entries.get(name)  # checked by well_formed
    if not (well_formed(entry) and entry[0] == importlib.util.source_hash(source)):
        return None
    try:
        code = marshal.loads(entry[1])
    except (EOFError, ValueError, TypeError):
        return None
    if not isinstance(code, types.CodeType) or _FIX_FILENAME is None:
        return None
    _FIX_FILENAME(code, path)
    return code


def settle() -> None:
    """In a module's own process (install() found the payload): ``gc.freeze()`` what is
    allocated so far. The process lives for one task, and what it imported (ansible-core's,
    requests' and our modules: about 29,000 objects the collector tracks) stays until it exits,
    yet the collector's full collections and the interpreter's teardown at exit would walk and
    free it all again: 25-30 ms a task, measured (docs/performance.md). Frozen, collections see only what the task
    allocates after; cycles among frozen objects are never freed, which costs nothing in a
    process that ends with the task. Elsewhere (the unit tests, a long-lived process) it does
    nothing."""
    if _IN_PAYLOAD:
        gc.freeze()


def install() -> Any:
    """Put payload_finder's finder first on sys.meta_path if this module was loaded from a zip
    (once); returns it, or None."""
    spec = globals().get("__spec__")
    archive = getattr(spec, "loader", None)
    if not isinstance(archive, zipimport.zipimporter):
        return None
    global _IN_PAYLOAD  # pylint: disable=global-statement
    _IN_PAYLOAD = True
    settle()  # ansible-core's modules, imported before this one
    directory = cache_dir() if os.environ.get(OPT_OUT, "") in ("", "0") else None
    name = PACKAGE + "." + FINDER
    if name in sys.modules:  # installed by an earlier import
        return sys.modules[name].install(archive, directory, None, {})
    dir_fd = open_dir(directory)
    entries = read_bundle(dir_fd) if dir_fd is not None else {}
    path = os.path.join(os.path.dirname(__file__), FINDER + ".py")
    try:
        source = archive.get_data(path)
    except OSError:  # not in this payload: zipimport's as ever
        return None
    code = cached_code(entries, FINDER, source, path)
    if code is None:  # zipimport's (compiled twice), kept in the cache for the next runs
        from ansible_collections.easystack.eos.plugins.module_utils import payload_finder
        return payload_finder.install(archive, directory, dir_fd, entries, source)
    # zipimport's module, as far as anyone can tell (typeshed does not call zipimporter a Loader)
    finder_spec = importlib.machinery.ModuleSpec(name, cast(Any, archive), origin=path)
    finder_spec.has_location = True  # __file__, as zipimport sets it
    module = importlib.util.module_from_spec(finder_spec)
    sys.modules[name] = module
    exec(code, module.__dict__)  # pylint: disable=exec-used
    setattr(sys.modules[PACKAGE], FINDER, module)
    return module.install(archive, directory, dir_fd, entries)


install()
