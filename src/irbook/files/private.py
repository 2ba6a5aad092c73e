"""The one private-file writer: every file irbook writes (reports, advisories, schemas, .eml
messages, crash logs, the SQLite database) is mode 0600 and never reached through a symlink.

Outputs hold TLP-marked incident detail, so:

- a symlink at the output path is refused, never followed (an attacker who can plant
  ``report.html -> ~/.ssh/authorized_keys`` must not get that file overwritten);
- the content goes to a temporary file in the same folder (created 0600 with ``O_EXCL``, so it is
  never a symlink either) and is renamed into place: an error half-way leaves no partial file, and
  an existing file is replaced by a new 0600 one instead of keeping its old, wider mode;
- a missing folder is the user's mistake, reported as such (exit 2), not a crash.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

from irbook.errors import UsageError

# O_NOFOLLOW and O_NONBLOCK exist on every POSIX system irbook supports; 0 elsewhere keeps
# the module importable (Windows has no symlink-following open to guard against here).
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)

PRIVATE_MODE = 0o600


def write_private(path: Path, data: str | bytes, *, exclusive: bool = False) -> None:
    """Write ``data`` to ``path`` as a private file (0600), all or nothing.

    ``exclusive``: never replace an existing file; raises FileExistsError instead (the caller
    picks another name). Text is written as UTF-8 exactly as given (no newline translation).
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if exclusive:
        _check_folder(path, path.parent)
        _write_new(path, payload)
        return
    write_private_from(path, lambda handle: handle.write(payload))


def write_private_from(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """As ``write_private``, for content too big to hold as one string (a report of 100,000
    events): ``write`` is given the open temporary file and writes the content into it."""
    folder = path.parent
    _check_folder(path, folder)
    _check_target(path)
    try:
        fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise _cannot(path, exc) from None
    try:
        _write_all(fd, write)
        _check_target(path)  # narrows the window; rename replaces a link, never its target
        Path(temp).replace(path)
    except OSError as exc:
        raise _cannot(path, exc) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            Path(temp).unlink()


def _write_new(path: Path, payload: bytes) -> None:
    """O_EXCL refuses any existing name, a dangling symlink included; a failed write removes
    the file it created, so no partial file stays behind."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
    try:
        fd = os.open(path, flags, PRIVATE_MODE)
    except FileExistsError:
        raise
    except OSError as exc:
        raise _cannot(path, exc) from None
    try:
        _write_all(fd, lambda handle: handle.write(payload))
    except OSError as exc:
        with contextlib.suppress(OSError):
            path.unlink()
        raise _cannot(path, exc) from None


def _write_all(fd: int, write: Callable[[IO[bytes]], object]) -> None:
    """Write, 0600 whatever the umask did, and flush to disk before the name points at it."""
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), PRIVATE_MODE)
        write(handle)
        handle.flush()
        os.fsync(handle.fileno())


def ensure_private_file(path: Path, *, what: str = "file") -> None:
    """Create ``path`` empty with mode 0600, or make an existing regular file 0600.

    For files another library then opens by name (SQLite): the folder is created (0700) when
    missing, a symlink or anything but a regular file is refused.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | _NOFOLLOW | _NONBLOCK | _CLOEXEC, PRIVATE_MODE)
    except OSError as exc:
        if _is_symlink(path):
            raise _symlink(path, what) from None
        raise _cannot(path, exc, what=what) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UsageError(f"{what} {path} is not a regular file")
        if stat.S_IMODE(info.st_mode) != PRIVATE_MODE:
            os.fchmod(fd, PRIVATE_MODE)
    except OSError as exc:
        raise _cannot(path, exc, what=what) from None
    finally:
        os.close(fd)


def _check_folder(path: Path, folder: Path) -> None:
    if not folder.is_dir():
        missing = folder if not folder.exists() else None
        why = "does not exist" if missing is not None else "is not a folder"
        raise UsageError(
            f"cannot write {path}: the folder {folder} {why}",
            hint="create the folder first, or write somewhere else",
        )


def _check_target(path: Path) -> None:
    try:
        info = path.lstat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise _cannot(path, exc) from None
    if stat.S_ISLNK(info.st_mode):
        raise _symlink(path, "output file")
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(
            f"cannot write {path}: it exists and is not a regular file",
            hint="choose a new file name; irbook writes outputs as private regular files",
        )


def _is_symlink(path: Path) -> bool:
    try:
        return stat.S_ISLNK(path.lstat().st_mode)
    except OSError:
        return False


def _symlink(path: Path, what: str) -> UsageError:
    return UsageError(
        f"refusing to use {what} {path}: it is a symbolic link",
        hint="give the real path, or remove the link; irbook never writes through a symlink",
    )


def _cannot(path: Path, exc: OSError, *, what: str = "") -> UsageError:
    label = f"{what} {path}" if what else str(path)
    return UsageError(f"cannot write {label}: {exc.strerror or exc}")
