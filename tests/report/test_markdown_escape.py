"""``esc`` skips the fold of whitespace where it would change nothing (issue 17): the same cell
as folding every time, for every whitespace character and random text."""

from __future__ import annotations

import random
import sys

from irbook.report.markdown import _ESCAPES, esc

SPACES = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]


def folded_every_time(text: object) -> str:
    return " ".join(str(text).split()).translate(_ESCAPES)


def test_esc_is_the_fold_then_the_escape() -> None:
    rng = random.Random(17)
    alphabet = [*SPACES, "a", "b", "é", "_", "|", "\\", "`", "\x00", "\u200b", "✓"]
    texts: list[object] = [42, None, "", " ", "a  b", " a", "a ", "plain words", *SPACES]
    texts += [f"a{s}b" for s in SPACES]
    texts += ["".join(rng.choices(alphabet, k=rng.randint(1, 12))) for _ in range(3000)]
    for text in texts:
        assert esc(text) == folded_every_time(text), repr(text)
