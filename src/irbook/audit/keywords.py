r"""Which secret-rule keywords occur in a text, and which rules may match it, each in one pass
(issue 17: big reports).

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

``rule_filter()`` answers the next question, which rules may match (``domain.redact.RuleFilter``),
for the rules whose keywords occur in ordinary prose (``PREFILTERED``): their regexes compiled in
hyperscan's prefilter mode, whose matches are a superset of the pattern's. The other rules are
always run when their keywords occur (their keywords are rare, and some take 50 ms to compile). Hyperscan reads the regex as PCRE does, Python's ``re`` as Python does; the flags close
the gap for these rules: UTF-8 mode (a repeat counts characters, as ``re`` does, not bytes),
``\w``, ``\s`` and ``\b`` ASCII in both (the rules run with ``re.ASCII``; ``\s`` includes the
vertical tab in both), DOTALL (``.`` may only match more). Anything it does not vouch for is run:
a text that is not valid UTF-8 (a lone surrogate) gets every rule. tests/audit/test_keywords.py
holds it to Python's own matches, rule by rule.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from functools import cache
from typing import Any

from irbook.domain.redact import KeywordFinder, RuleFilter, keywords
from irbook.domain.secret_rules import RULES


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


# The rules whose keywords are everyday words or fragments of them, so that they occur in nearly
# every batch of a report and their regexes used to run on all of it (about 0.3 s of a
# 100,000-event report): "pass", "key", "token" (keyword-value), "ey" (jwt, in "key" and "they"),
# "s." (vault, every sentence), "sk" and "gh" (in "task", "high"), "hf_", "asia", "npm_", "pypi-".
# Compiling these takes about 40 ms, once per process, and only for a big check.
PREFILTERED = frozenset(
    {
        "keyword-value",
        "jwt",
        "jwt-any",
        "vault-service-token",
        "twilio-api-key",
        "token-prefix-github",
        "huggingface-access-token",
        "aws-access-token",
        "token-prefix-npm",
        "token-prefix-pypi",
    }
)


class RuleScanner:
    """Which secret rules may match a text (``RuleFilter``): two prefilter databases of the
    ``PREFILTERED`` rules, one for those matched against the text as it is, one for those
    matched against its lower case. Every other rule is always in the answer."""

    def __init__(self, compiled: tuple[tuple[str, ...], Any, tuple[str, ...], Any]) -> None:
        import hyperscan

        self._as_is_ids, self._as_is, self._lower_ids, self._lower = compiled
        self._unfiltered = frozenset(spec.id for spec in RULES if spec.id not in PREFILTERED)
        self._every = self._unfiltered | PREFILTERED
        self._scratch = hyperscan.Scratch(self._as_is)
        self._lower_scratch = hyperscan.Scratch(self._lower)

    def __call__(self, text: str, lower: str) -> Collection[str]:
        try:
            raw, raw_lower = text.encode(), lower.encode()
        except UnicodeEncodeError:  # a lone surrogate: not UTF-8, so every rule runs
            return self._every
        found = set(self._unfiltered)
        for db, ids, scratch, subject in (
            (self._as_is, self._as_is_ids, self._scratch, raw),
            (self._lower, self._lower_ids, self._lower_scratch, raw_lower),
        ):

            def on_match(
                index: int, start: int, end: int, flags: int, context: object, ids: Any = ids
            ) -> None:
                found.add(ids[index])

            db.scan(subject, match_event_handler=on_match, scratch=scratch)
        return found


def _compile_rules(lowercase: bool) -> tuple[tuple[str, ...], Any]:
    import hyperscan

    specs = [spec for spec in RULES if spec.id in PREFILTERED and spec.lowercase is lowercase]
    flags = (
        hyperscan.HS_FLAG_PREFILTER
        | hyperscan.HS_FLAG_SINGLEMATCH  # one report per rule is all the question needs
        | hyperscan.HS_FLAG_UTF8
        | hyperscan.HS_FLAG_DOTALL
        | hyperscan.HS_FLAG_ALLOWEMPTY
    )
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    db.compile(
        expressions=[spec.regex.encode() for spec in specs],
        ids=list(range(len(specs))),
        elements=len(specs),
        flags=[flags] * len(specs),
    )
    return tuple(spec.id for spec in specs), db


@cache
def _rule_databases() -> tuple[tuple[str, ...], Any, tuple[str, ...], Any] | None:
    """Both prefilter databases, once per process (about 40 ms), or None without hyperscan."""
    try:
        return (*_compile_rules(False), *_compile_rules(True))
    except ImportError:
        return None


def rule_filter() -> RuleFilter | None:
    """A ``RuleFilter`` with its own scratch, or None where hyperscan has no wheel (every rule
    is then run: slower, the same answer)."""
    compiled = _rule_databases()
    return None if compiled is None else RuleScanner(compiled)
