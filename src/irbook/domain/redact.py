"""Detect and redact secrets typed or pasted into free text, before anything is stored or sent.

Responders paste tokens into notes under stress; the event log is shared, exported and handed to
regulators, so a secret must never reach it. The rules are data: a vendored subset of gitleaks'
default configuration plus irbook's own keyword-value, URL-credential and prefix rules
(src/irbook/domain/secret-rules/, compiled into ``secret_rules``). docs/security.md lists them and their limits.

Text is normalised before matching (zero-width and other invisible characters removed, NFKC), so
``gh<U+200B>p_...`` is caught. Clean text is returned unchanged; text with a secret is returned
normalised, with each secret replaced by ``[REDACTED <rule id>]``.
"""

from __future__ import annotations

import dataclasses
import math
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from irbook.domain.secret_rules import RULES, RuleSpec

if TYPE_CHECKING:  # the domain's pydantic models are not needed to redact a string
    from irbook.domain.events import NewEvent

MARK = "[REDACTED {}]"

# Invisible characters an attacker or a chat client slips into a token: every format character
# (Unicode category Cf; a test checks this list against the Unicode database), plus the fillers and
# joiners that render as nothing (Hangul fillers, combining grapheme joiner, variation selectors).
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160\u17b4\u17b5"
    "\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0f"
    "\ufeff\uffa0\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f\U000e0100-\U000e01ef]"
)


@dataclass(frozen=True)
class _Rule:
    spec: RuleSpec
    pattern: re.Pattern[str]
    allow: tuple[re.Pattern[str], ...]


@cache
def _rules() -> tuple[_Rule, ...]:
    # Compiled on first use, not at import: every command imports this module, few redact.
    return tuple(
        _Rule(
            spec,
            re.compile(with_literal_prefix(spec.regex), re.ASCII),
            tuple(re.compile(a, re.ASCII) for a in spec.allow),
        )
        for spec in RULES
    )


# A regex that starts with ``\b`` has no literal prefix for Python's engine to search for, so it
# tries a match at every position: the jwt rule ("\b(ey...", run wherever "ey" occurs, as in
# "key") cost as much as all the other rules but one over a big report. Before a literal that
# starts with a word character, ``\b`` says only that no word character precedes the literal;
# a lookbehind after it says the same and leaves the literal first (about four times faster).
_LEADING_BOUNDARY = re.compile(r"\\b(\(?)([A-Za-z0-9_][A-Za-z0-9_-]*)")


def with_literal_prefix(regex: str) -> str:
    r"""``regex`` with a leading ``\bLITERAL`` written ``LITERAL(?<!\wLITERAL)`` (same matches)."""
    found = _LEADING_BOUNDARY.match(regex)
    if found is None:
        return regex
    group, literal = found.groups()
    rest = regex[found.end() :]
    if rest[:1] in ("*", "+", "?", "{"):  # a quantifier binds the literal's last character
        literal, rest = literal[:-1], literal[-1] + rest
    if not literal or not (literal[0].isalnum() or literal[0] == "_"):
        return regex
    return f"{group}{literal}(?<!\\w{literal}){rest}"


def rule_ids() -> list[str]:
    return [spec.id for spec in RULES]


# Which rule keywords occur in a text, compared without ASCII case: what ``matches`` asks before
# running a rule's regex. The domain searches for each keyword itself; a caller with a one-pass
# literal scanner (audit/keywords.py: hyperscan, an I/O library the domain may not import) passes
# one instead, which must give the same answer (tests/audit/test_keywords.py holds it to that).
KeywordFinder = Callable[[str], Collection[str]]

# Which rules may match a text: a superset of the rules ``matches`` would report (never fewer),
# given the text and its ``_lower``. ``matches`` runs only those rules' regexes. Over a big report
# most rules' keywords occur ("token", "key" and "ey" are in most notes) but their patterns do
# not, and running each regex is most of the check; audit/keywords.py answers this in one
# hyperscan pass (prefilter mode, whose matches are a superset by construction).
RuleFilter = Callable[[str, str], Collection[str]]


def keywords() -> tuple[str, ...]:
    """Every rule's keywords, lower case, each once (what a ``KeywordFinder`` looks for)."""
    return tuple(dict.fromkeys(k for spec in RULES for k in spec.keywords))


def normalise(text: str) -> str:
    """``text`` without invisible characters, in NFKC (full-width letters become ASCII)."""
    if text.isascii():  # the common case, and already normal
        return text
    # A large report holds a few hundred distinct characters: look at those, not at every one;
    # only the non-ASCII ones matter, and deleting the ASCII bytes of the UTF-8 finds them about
    # ten times faster than a set of every character (a multi-byte character has no ASCII byte).
    distinct = "".join(set(_non_ascii(text)))
    if _INVISIBLE.search(distinct):
        text = _INVISIBLE.sub("", text)
    if any(_folds_to_ascii(c) for c in distinct if not c.isascii()):
        text = unicodedata.normalize("NFKC", text)
    return text


_ASCII_BYTES = bytes(range(128))


def _non_ascii(text: str) -> str:
    """The non-ASCII characters of ``text``, in order (lone surrogates included)."""
    raw = text.encode("utf-8", "surrogatepass").translate(None, _ASCII_BYTES)
    return raw.decode("utf-8", "surrogatepass")


@cache
def _folds_to_ascii(char: str) -> bool:
    """True for a character NFKC turns into ASCII letters or digits (full-width, ligature, ...):
    it could hide part of a token. Typographic marks ("…" becomes "...") do not matter."""
    folded = unicodedata.normalize("NFKC", char)
    return folded != char and any(c.isascii() and c.isalnum() for c in folded)


def entropy(text: str) -> float:
    """Shannon entropy in bits per character (gitleaks' measure for its ``entropy`` threshold)."""
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def _secret_span(match: re.Match[str], group: int) -> tuple[int, int]:
    if group:
        return match.span(group)
    for index in range(1, (match.re.groups or 0) + 1):
        if match.group(index):
            return match.span(index)
    return match.span()


# A rule of bounded match length whose keywords are rare in a long text runs only around them: a
# keyword lies inside the match, so the match lies within max_len characters of it on either side.
# Past MAX_WINDOWS occurrences, or for an unbounded rule (a private key block), the whole text.
MAX_WINDOWS = 64
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _lower(text: str) -> str:
    """``text`` lower-cased, with the same offsets (rules and keywords are ASCII)."""
    lower = text.lower()
    # a few non-ASCII letters grow when lower-cased (U+0130 becomes two characters)
    return lower if len(lower) == len(text) else text.translate(_ASCII_LOWER)


DISTINCT_WORDS_FROM = 4096  # characters


def matches(
    text: str, *, finder: KeywordFinder | None = None, rules: RuleFilter | None = None
) -> list[tuple[int, int, str]]:
    """(start, end, rule id) of every secret in ``text`` as given (not normalised; overlaps kept).

    ``finder``: which keywords occur in ``text`` (see ``KeywordFinder``); by default searched here.
    ``rules``: which rules may match (see ``RuleFilter``); by default every rule is run.
    """
    lower = _lower(text)
    spans = []
    if finder is not None:
        has: Callable[[str], bool] = frozenset(finder(text)).__contains__
    else:
        has = _keyword_search(lower)
    possible = None if rules is None else frozenset(rules(text, lower))

    for rule in _rules():
        spec = rule.spec
        if spec.keywords and not any(has(k) for k in spec.keywords):
            continue
        if possible is not None and spec.id not in possible:
            continue
        subject = lower if spec.lowercase else text
        for match in _finditer(spec, rule.pattern, subject, lower):
            start, end = _secret_span(match, spec.secret_group)
            secret = text[start:end]
            if not secret or (spec.entropy and entropy(secret) < spec.entropy):
                continue
            if any(a.search(secret) for a in rule.allow):
                continue
            spans.append((start, end, spec.id))
    return spans


def _keyword_search(lower: str) -> Callable[[str], bool]:
    present: dict[str, bool] = {}  # keywords are shared between rules: look for each once
    # A long text (a report) is searched for its ~80 keywords among its distinct words, not
    # whole: no keyword holds whitespace, so one is in the text exactly when it is in a word.
    # A report's words repeat, so this is several times less text to scan 80 times.
    words = " ".join(set(lower.split())) if len(lower) > DISTINCT_WORDS_FROM else lower

    def has(keyword: str) -> bool:
        if keyword not in present:
            present[keyword] = keyword in words
        return present[keyword]

    return has


def _finditer(
    spec: RuleSpec, pattern: re.Pattern[str], subject: str, lower: str
) -> Iterator[re.Match[str]]:
    windows = _windows(lower, spec.keywords, spec.max_len)
    if windows is None:
        yield from pattern.finditer(subject)
        return
    for start, end in windows:  # merged: disjoint, so no match is reported twice
        yield from pattern.finditer(subject, start, end)


def _windows(lower: str, keywords: tuple[str, ...], reach: int) -> list[tuple[int, int]] | None:
    if not keywords or not reach or len(lower) <= 4 * reach:
        return None
    found: list[tuple[int, int]] = []
    for keyword in keywords:
        at = lower.find(keyword)
        while at >= 0:
            if len(found) == MAX_WINDOWS:
                return None
            found.append((max(0, at - reach), min(len(lower), at + len(keyword) + reach)))
            at = lower.find(keyword, at + 1)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _without(
    spans: list[tuple[int, int, str]], text: str, keep: Iterable[str]
) -> list[tuple[int, int, str]]:
    """``spans`` minus every occurrence of a ``keep`` string (an IOC stays visible)."""
    if not spans or not keep:
        return spans
    lower = _lower(text)
    kept: list[tuple[int, int]] = []
    for value in {k.lower() for k in keep if k}:
        at = lower.find(value)
        while at >= 0:
            kept.append((at, at + len(value)))
            at = lower.find(value, at + 1)
    out: list[tuple[int, int, str]] = []
    for start, end, rule in spans:
        pieces = [(start, end)]
        for k_start, k_end in kept:
            pieces = [
                part
                for s, e in pieces
                for part in ((s, min(e, k_start)), (max(s, k_end), e))
                if part[0] < part[1]
            ]
        out.extend((s, e, rule) for s, e in pieces)
    return out


def _merge(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    merged: list[tuple[int, int, str]] = []
    for start, end, rule in sorted(spans):
        if merged and start <= merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), last[2])
        else:
            merged.append((start, end, rule))
    return merged


def find_secrets(
    text: str, *, finder: KeywordFinder | None = None, rules: RuleFilter | None = None
) -> list[str]:
    """Rule ids of the secrets found in ``text`` (empty when clean)."""
    return redact(text, finder=finder, rules=rules)[1]


def redact(
    text: str,
    *,
    keep: Sequence[str] = (),
    finder: KeywordFinder | None = None,
    rules: RuleFilter | None = None,
) -> tuple[str, list[str]]:
    """``text`` with each secret replaced by ``[REDACTED <rule id>]``, and the rule ids found.

    ``keep``: strings that stay visible even where a rule matches them (the IOC of a log hit).
    ``finder``, ``rules``: see ``KeywordFinder`` and ``RuleFilter`` (the same answer, faster).
    """
    norm = normalise(text)
    spans = _merge(_without(matches(norm, finder=finder, rules=rules), norm, keep))
    if not spans:
        return text, []
    out, pos, found = [], 0, []
    for start, end, rule in spans:
        out.append(norm[pos:start])
        out.append(MARK.format(rule))
        pos = end
        if rule not in found:
            found.append(rule)
    out.append(norm[pos:])
    return "".join(out), found


def redact_value(value: Any, *, keep: Sequence[str] = ()) -> tuple[Any, list[str]]:
    """Redact every string inside an answer or payload (strings, lists, dicts), keys excepted."""
    if isinstance(value, str):
        return redact(value, keep=keep)
    found: list[str] = []

    def collect(kinds: list[str]) -> None:
        found.extend(k for k in kinds if k not in found)

    if isinstance(value, list | tuple):
        items = []
        for item in value:
            clean, kinds = redact_value(item, keep=keep)
            items.append(clean)
            collect(kinds)
        return items, found
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            clean, kinds = redact_value(item, keep=keep)
            out[key] = clean
            collect(kinds)
        return out, found
    return value, []


# Payload fields never rewritten: the exact runbook text (its sha256 is recorded beside it) and
# digests, which are hex and identify files.
_VERBATIM = frozenset({"runbook_text", "runbook_sha256", "sha256"})


def scrub_event(new: NewEvent) -> tuple[NewEvent, list[str]]:
    """The event with every secret in its payload redacted, and the rule ids found.

    The last guard before the store: entry points redact first and tell the responder; this
    catches what they missed. Payloads with a ``redacted`` field record the ids there. An ``ioc``
    value inside the payload (a log hit) stays visible.
    """
    if new.payload is None:
        return new, []
    data = new.payload.model_dump(mode="python")
    keep = list(_iocs(data))
    found: list[str] = []
    for key, value in data.items():
        if key in _VERBATIM or key.endswith("sha256") or key == "redacted":
            continue
        clean, kinds = redact_value(value, keep=keep)
        data[key] = clean
        found.extend(k for k in kinds if k not in found)
    if not found:
        return new, []
    if "redacted" in type(new.payload).model_fields:
        data["redacted"] = [*data["redacted"], *(k for k in found if k not in data["redacted"])]
    payload = type(new.payload).model_validate(data)
    return dataclasses.replace(new, payload=payload), found


def _iocs(value: Any) -> Iterable[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "ioc" and isinstance(item, str):
                yield item
            else:
                yield from _iocs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _iocs(item)
