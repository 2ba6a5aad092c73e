"""The interactive loop and its non-interactive twin (answers files)."""

from irbook.runner.answers import AnswersFile, load_answers
from irbook.runner.sources import FileSource, TerminalSource
from irbook.runner.walk import Walker, WalkOptions, WalkResult, describe_event

__all__ = [
    "AnswersFile",
    "FileSource",
    "TerminalSource",
    "WalkOptions",
    "WalkResult",
    "Walker",
    "describe_event",
    "load_answers",
]
