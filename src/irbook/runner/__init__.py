"""The interactive loop and its non-interactive twin (answers files)."""

from irbook.runner.answers import AnswersFile, load_answers
from irbook.runner.sources import FileSource, TerminalSource
from irbook.runner.walk import Walker, WalkOptions, WalkResult, notice_of

__all__ = [
    "AnswersFile",
    "FileSource",
    "TerminalSource",
    "WalkOptions",
    "WalkResult",
    "Walker",
    "load_answers",
    "notice_of",
]
