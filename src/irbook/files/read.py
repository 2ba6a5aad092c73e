"""Bounded reads of untrusted input: regular files only, whole-file reads capped by a size limit.

Every file irbook reads comes from a user who may be under attack or mistaken: ``--ioc
/dev/zero`` grew to 22 GB, ``attach ID FIFO`` waited forever for a writer. So:

- a file is opened with ``O_NONBLOCK`` (opening a FIFO never waits for a writer) and checked
  with ``fstat`` on the open descriptor (no race with a rename): FIFOs, devices and sockets are
  refused; a directory raises ``IsADirectoryError`` like ``open()`` would, so callers keep their
  own wording for it;
- a file parsed whole is read only up to its limit (:mod:`irbook.files.limits`), checked against
  the size on disk first (a 2 GB sparse file costs nothing) and again while reading (a file that
  grows is cut off);
- a file that is scanned is streamed by the caller from :func:`open_regular`.

A missing or unreadable file raises the ``OSError`` ``open()`` would; the refusals above are
``InvalidInputError`` naming the file, so the CLI exits 2 with one clear line.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
from pathlib import Path
from typing import BinaryIO

from irbook.errors import InvalidInputError, Problem

_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)

_CHUNK = 1 << 20
_NOT_REGULAR = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def size_text(n: int) -> str:
    """``5.0 MiB`` / ``12 KiB``: sizes in messages and docs."""
    return f"{n / 1024 / 1024:.1f} MiB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KiB"


def open_regular(path: Path, *, kind: str = "file") -> BinaryIO:
    """``path`` opened for binary reading, refused unless it is a regular file (see above)."""
    fd = os.open(path, os.O_RDONLY | _NONBLOCK | _CLOEXEC)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(21, "Is a directory", str(path))
        for test, what in _NOT_REGULAR:
            if test(mode):
                raise refused(path, f"{kind} is {what}, not a regular file")
        # Reads of a regular file never block; clearing the flag keeps the descriptor ordinary.
        flags = fcntl.fcntl(fd, fcntl.F_GETFL)
        fcntl.fcntl(fd, fcntl.F_SETFL, flags & ~_NONBLOCK)
        return os.fdopen(fd, "rb")
    except BaseException:
        with contextlib.suppress(OSError):
            os.close(fd)
        raise


def read_bounded(path: Path, *, kind: str, max_bytes: int) -> bytes:
    """The whole file, at most ``max_bytes``; a bigger one is refused before it is read."""
    with open_regular(path, kind=kind) as handle:
        return read_stream_bounded(
            handle,
            name=str(path),
            kind=kind,
            max_bytes=max_bytes,
            size=os.fstat(handle.fileno()).st_size,
        )


def read_stream_bounded(
    handle: BinaryIO, *, name: str, kind: str, max_bytes: int, size: int | None = None
) -> bytes:
    """At most ``max_bytes`` from an open stream (a zip member, a regular file).

    ``size`` (from fstat, or a zip member's header) is only a first guess: the stream is read
    to its end in pieces, so a file that grows or a member that lies is still cut off, and no
    buffer of ``max_bytes`` is allocated up front.
    """
    if size is not None and size > max_bytes:
        raise too_big(name, kind, size, max_bytes)
    parts: list[bytes] = []
    total = 0
    want = size + 1 if size else _CHUNK  # the whole file in one read when the size is right
    while True:
        chunk = handle.read(min(want, max_bytes + 1 - total))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
        if total > max_bytes:
            raise too_big(name, kind, None, max_bytes)
        want = _CHUNK
    return parts[0] if len(parts) == 1 else b"".join(parts)


def too_big(name: str | Path, kind: str, size: int | None, max_bytes: int) -> InvalidInputError:
    actual = size_text(size) if size is not None else f"over {size_text(max_bytes)}"
    return refused(
        name, f"{kind} is {actual}; the limit is {size_text(max_bytes)} (is this the right file?)"
    )


def refused(name: str | Path, message: str) -> InvalidInputError:
    return InvalidInputError([Problem(str(name), 1, 1, "", message)])
