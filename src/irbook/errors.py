"""Every exception class of irbook, in one tree with fixed exit codes.

``IrbookError`` and its subclasses reach the user: only ``irbook.cli`` catches them (and Python
callers of ``irbook.api``), and the exit codes are part of the public interface (docs/cli.md). The
classes at the end are signals that one layer raises and the layer above it catches and translates;
they never reach the user as they are. This module imports nothing from irbook, so every layer,
the pure domain included, may import it (tests/test_errors_home.py keeps classes from drifting
back into other modules).
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
    """A file (runbook, answers file, lockfile, template...) has one or more problems.

    The message shows at most MAX_SHOWN problems, then a count of the rest (``more`` counts
    problems the raiser did not even keep): a wrong file can have thousands of bad lines.
    """

    MAX_SHOWN = 20

    def __init__(self, problems: list[Problem], *, hint: str | None = None, more: int = 0) -> None:
        self.problems = problems
        self.more = more + max(0, len(problems) - self.MAX_SHOWN)
        lines = [str(p) for p in problems[: self.MAX_SHOWN]]
        if self.more:
            lines.append(f"... and {self.more} more problem(s) not shown")
        super().__init__("\n".join(lines), hint=hint)


class TemplateLimitError(IrbookError):
    """A template went over one of the rendering limits (loops, output, recursion, sizes).

    Raised inside a render and reported as a template problem at the template's line."""


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


class CommandInterrupted(Exception):
    """Ctrl-C inside a command, carried past typer to ``cli.run``: typer turns the
    KeyboardInterrupt into a bare exit code, and the responder would see nothing at all."""


class TerminalInputError(Interrupted):
    """The terminal's input ended or failed while a question was open (a dropped SSH session, a
    closed stdin): like Ctrl-C, only the answer being typed is lost."""


# --- user-facing errors raised by one layer (see the module that raises each) -----------------


class AppendConflict(IrbookError):
    """Another responder appended to this incident first; reload and decide again (store)."""

    def __init__(self, incident_id: str, expected_seq: int) -> None:
        super().__init__(f"incident {incident_id} changed meanwhile (expected seq {expected_seq})")
        self.incident_id = incident_id
        self.expected_seq = expected_seq


class CloseRefusedError(IrbookError):
    """Critical steps are still open (usecases.incidents.close_incident)."""


class SecretsInMessageError(IrbookError):
    """The rendered message contains what looks like a credential (notify)."""


class DrillRefusedError(IrbookError):
    """What only a real incident may do, asked of a drill: publish an advisory, send mail."""


class SmtpError(IrbookError):
    """The server could not be reached or refused the message: nothing (more) was sent."""

    exit_code = ExitCode.UNAVAILABLE


class ActionUnavailable(IrbookError):
    """The check cannot run here (its native dependency did not import)."""


class CommandFailed(IrbookError):
    """A command step's command exited non-zero in a non-interactive run."""


class CheckFailed(IrbookError):
    """A check step's check could not run (a path not found); recorded, the step stays open.

    Exit 1 like an answers file that stops early: correct the input, or override, and resume."""

    exit_code = ExitCode.FINDINGS


# --- signals caught and translated inside one layer -------------------------------------------


class ConditionError(ValueError):
    """The expression is not valid; the message says why (and ``column`` where, 1-based)."""

    def __init__(self, message: str, column: int = 1) -> None:
        super().__init__(message)
        self.column = column


class TooManyValues(Exception):
    """The YAML builder's stop (an alias bomb, nesting too deep); the loader raises its Problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


class VersionError(ValueError):
    """A string that is not a valid version for its ecosystem."""


class RecordError(Exception):
    """An OSV record whose structure is wrong: where (a JSON path) and what."""

    def __init__(self, location: str, message: str) -> None:
        super().__init__(message)
        self.location = location
        self.message = message


class ScriptExhausted(RuntimeError):
    """A scripted prompter was asked more questions than its script answers."""


class HelpRequested(Exception):  # a signal, not an error: the responder pressed ?
    """The responder pressed ``?`` at a prompt: show the help, then ask the same question again."""
