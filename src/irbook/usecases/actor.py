"""Who the responder is, when ``--as`` does not say: IRBOOK_ACTOR, git's user.name, or the name
asked once and remembered per machine.

The login name (``root`` in a container, ``ubuntu`` on a cloud VM) says nothing about who acted,
and it lands on every event and in every report, so it is only the last resort, for scripts with no
terminal to ask on. Nothing here prompts: the CLI passes ``ask`` when there is a terminal.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

from irbook.errors import IrbookError
from irbook.files.private import write_private
from irbook.files.read import read_bounded

MAX_NAME_BYTES = 256  # a name, not a file: a bigger "remembered name" is not one
GIT_TIMEOUT_S = 5  # a hung credential helper or network filesystem must not hang the walker


def remembered_path() -> Path:
    """The file holding the remembered name (IRBOOK_CONFIG_DIR, else the user config folder)."""
    base = os.environ.get("IRBOOK_CONFIG_DIR")
    if base:
        return Path(base) / "actor"
    from platformdirs import user_config_dir

    return Path(user_config_dir("irbook", appauthor=False)) / "actor"


def remembered() -> str | None:
    path = remembered_path()
    try:
        text = read_bounded(path, kind="remembered name", max_bytes=MAX_NAME_BYTES)
    except FileNotFoundError:
        return None
    except (OSError, IrbookError):  # unreadable or not a regular file: ask again rather than fail
        return None
    name = text.decode("utf-8", errors="replace").strip()
    return name or None


def remember(name: str) -> Path:
    path = remembered_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_private(path, name.strip() + "\n")
    return path


def git_user_name() -> str | None:
    """``git config user.name``, or None when git is missing, slow or has no name set."""
    try:
        done = subprocess.run(  # a fixed argument list, no shell
            ["git", "config", "user.name"],  # git from PATH, as the user runs it
            capture_output=True,
            timeout=GIT_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    name = done.stdout.decode("utf-8", errors="replace").strip() if done.returncode == 0 else ""
    return name or None


def actor_name(
    actor: str | None, *, ask: Callable[[], str] | None = None
) -> tuple[str | None, bool]:
    """``--as``, IRBOOK_ACTOR, git's user.name, the remembered name, or (with ``ask``) the name
    asked now; None when none of them gives one. The flag says it was asked (the caller
    remembers it once it is known to be a valid name)."""
    for name in (actor, os.environ.get("IRBOOK_ACTOR"), git_user_name(), remembered()):
        if name and name.strip():
            return name.strip(), False
    if ask is None:
        return None, False
    answer = ask().strip()
    return (answer, True) if answer else (None, False)
