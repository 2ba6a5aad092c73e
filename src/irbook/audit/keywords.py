"""Which secret-rule keywords occur in a text, in one pass (issue 17: big reports).

Before running a rule's regex, ``domain.redact.matches`` asks which of the rules' ~80 keywords
occur in the text. Searched one keyword at a time that is 80 scans of the text; the report of a
100,000-event incident checks about 28 MB this way (each batch's strings joined), and the search
cost more than the regexes it saves. Hyperscan finds every keyword in one pass, each reported
once (``HS_FLAG_SINGLEMATCH``): about twenty times faster. The domain may not import hyperscan,
so the report passes ``keyword_finder()`` into the check.

Same answer as the domain's own search (tests/audit/test_keywords.py): the keywords are ASCII
and compared without ASCII case; the text is already normalised (NFKC turns the Kelvin sign into
"K", the one non-ASCII character besides U+0130 whose lower case is ASCII) and searched as
UTF-8, where no byte of a non-ASCII character is an ASCII byte.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from irbook.domain.redact import KeywordFinder, keywords


class KeywordScanner:
    """A compiled set of keywords; calling it with a text gives the keywords found in it.

    One scanner per report: the compiled database is shared, but a scan needs scratch space of
    its own (hyperscan refuses a scratch another thread is using), so each scanner has one.
    """

    def __init__(self, words: Sequence[str], db: Any = None) -> None:
        import hyperscan  # a compiled extension: imported only when a report is checked

        self.words = list(words)
        self._db = db if db is not None else _compile(self.words)
        self._scratch = hyperscan.Scratch(self._db)

    def __call__(self, text: str) -> set[str]:
        found: set[str] = set()
        words = self.words

        def on_match(index: int, start: int, end: int, flags: int, context: object) -> None:
            found.add(words[index])

        # surrogatepass: a lone surrogate (JSON allows "\ud800") becomes non-ASCII bytes
        raw = text.encode("utf-8", "surrogatepass")
        self._db.scan(raw, match_event_handler=on_match, scratch=self._scratch)
        return found


def _compile(words: Sequence[str]) -> Any:
    import hyperscan

    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    flags = hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_SINGLEMATCH
    db.compile(
        expressions=[w.encode() for w in words],
        ids=list(range(len(words))),
        elements=len(words),
        flags=[flags] * len(words),
        literal=True,  # keywords are strings ("s.", "q~"), never regular expressions
    )
    return db


@cache
def _rule_keywords() -> tuple[tuple[str, ...], Any] | None:
    """The rules' keywords and their compiled database, once per process (None: no hyperscan)."""
    words = keywords()
    try:
        return words, _compile(words)
    except ImportError:
        return None


def keyword_finder() -> KeywordFinder | None:
    """A scanner of the secret rules' keywords with its own scratch, or None where hyperscan has
    no wheel for the platform (the domain then searches for each keyword itself: slower, the
    same answer)."""
    compiled = _rule_keywords()
    return None if compiled is None else KeywordScanner(*compiled)
