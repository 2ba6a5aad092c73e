"""One exception tree with fixed exit codes.

Only ``irbook.cli`` catches these; every other layer raises them. The exit codes are part of the
public interface and documented in docs/cli.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FINDINGS = 1  # audit findings, a failed verify, an answers file that stops early
    INVALID = 2  # bad usage or bad input: runbook, answers file, unknown id, corrupt database
    INTERNAL = 3  # a bug: the traceback goes to a log file, never the screen
    UNAVAILABLE = 4  # the database is locked or unreachable: nothing was lost, try again
    INTERRUPTED = 130


class IrbookError(Exception):
    """An error the user can act on: a message, an optional hint, and an exit code."""

    exit_code: ExitCode = ExitCode.INVALID

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(IrbookError):
    """The command line or an environment variable is wrong."""


class NotFoundError(IrbookError):
    """An unknown incident, runbook, template or step id."""


@dataclass(frozen=True)
class Problem:
    """One problem in an input file, pinned to a place in it."""

    path: str
    line: int
    column: int
    location: str  # e.g. "phases[2].steps[0].type"; empty for whole-file problems
    message: str

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        return f"{self.path}:{self.line}:{self.column}: {where}{self.message}"


class InvalidInputError(IrbookError):
    """A file (runbook, answers file, lockfile, template...) has one or more problems."""

    def __init__(self, problems: list[Problem], *, hint: str | None = None) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems), hint=hint)


class StoreError(IrbookError):
    """The database is corrupt, from a newer irbook, or otherwise unusable."""


class DamagedLogError(StoreError):
    """An incident's event log holds rows irbook cannot read (edited outside irbook)."""


class StoreUnavailableError(IrbookError):
    """The database is locked or the connection was lost; what was committed is safe."""

    exit_code = ExitCode.UNAVAILABLE


class StepUnansweredError(IrbookError):
    """Non-interactive run reached a step that the answers file does not answer."""

    exit_code = ExitCode.FINDINGS


class NoTerminalError(IrbookError):
    """An interactive command was started without a terminal."""


class Interrupted(IrbookError):
    """Ctrl-C: everything answered is kept; the message says how to resume."""

    exit_code = ExitCode.INTERRUPTED
