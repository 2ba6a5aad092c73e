"""The one retry-on-conflict policy for everything that appends to an incident's event log.

An append names the seq it expects (``Store.append``); ``AppendConflict`` means another responder's
event was committed first. Every writer (the walker, notes and evidence, close, notifications)
answers it the same way:

1. catch up with what the others committed;
2. decide again on the fresh state: the attempt itself may find there is nothing left to do (the
   step was settled meanwhile, the incident was closed) and return without appending;
3. before the next try, pause a random moment, so the responder who just won does not win every
   race after it.

Retrying terminates while the log grows: every conflict is paid for by an event someone else
committed. A conflict with nothing new to catch up on means the log itself is damaged (or a seq
was taken by a row irbook cannot read), and the conflict is raised instead of looping.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from irbook.errors import AppendConflict

T = TypeVar("T")

# Seconds: the upper bound of the random pause after losing a race. Appends take about a
# millisecond on SQLite, so a few milliseconds spread the writers without slowing a walk.
BACKOFF_S = 0.005


def retry_on_conflict(attempt: Callable[[], T], *, catch_up: Callable[[], int]) -> T:
    """``attempt()`` until it returns without ``AppendConflict``.

    ``catch_up()`` is called after each conflict; it brings the caller's view of the log up to
    date and returns how many events it found. ``attempt`` must decide afresh from that view each
    time it is called (never append what the caught-up log already settled).
    """
    while True:
        try:
            return attempt()
        except AppendConflict:
            if catch_up() == 0:
                raise
            time.sleep(random.uniform(0, BACKOFF_S))  # noqa: S311  # jitter, not crypto
