"""Pausing the cyclic garbage collector while a large set of acyclic rows is built.

Reading 200,000 advisory records allocates millions of tuples and small objects that never form
cycles; with the collector on, each of the thousands of collections this triggers walks every
object made so far (quadratic in effect). Reference counting still frees everything as usual.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic collector off inside, restored to its previous state after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
