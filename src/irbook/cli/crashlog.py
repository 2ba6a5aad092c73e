"""Unexpected errors write their traceback to a file, never to the screen."""

import os
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path

from irbook.errors import IrbookError
from irbook.files.private import write_private


def log_dir() -> Path:
    env = os.environ.get("IRBOOK_LOG_DIR")
    if env:
        return Path(env)
    from platformdirs import user_log_dir

    return Path(user_log_dir("irbook", appauthor=False))


def write_crash_log(exc: BaseException) -> Path:
    text = "".join(traceback.format_exception(exc))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    try:
        directory = log_dir()
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = directory / f"crash-{stamp}-{os.getpid()}.log"
        write_private(path, text, exclusive=True)
    except (OSError, IrbookError):
        # The log must land somewhere: mkstemp is 0600 and never follows a symlink either.
        fd, name = tempfile.mkstemp(prefix="irbook-crash-", suffix=".log")
        path = Path(name)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
    return path
