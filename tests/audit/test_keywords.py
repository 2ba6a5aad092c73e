"""The hyperscan keyword finder gives the domain's own answer, so the report's secret check that
uses it (report/stream.py) finds exactly what the check without it finds (issue 17)."""

from __future__ import annotations

import random

import pytest

from irbook.audit.keywords import KeywordScanner, keyword_finder
from irbook.domain import redact
from secret_samples import ISSUE_SECRETS, SAMPLES, typed

KEYWORDS = redact.keywords()


def domain_answer(text: str) -> set[str]:
    """What ``matches`` sees without a finder: the keywords in the normalised text."""
    has = redact._keyword_search(redact._lower(text))
    return {k for k in KEYWORDS if has(k)}


def texts() -> list[str]:
    rng = random.Random(17)
    out = [sample for sample, _ in SAMPLES.values()]
    out += [typed(name) for name in ISSUE_SECRETS]
    for keyword in KEYWORDS:  # every keyword in every case, alone and inside other text
        out += [keyword, keyword.upper(), keyword.title(), f"x{keyword.upper()}y", f"é{keyword}é"]
    # characters whose lower case is ASCII (the Kelvin sign, U+0130), non-ASCII neighbours, a
    # lone surrogate, zero-width characters inside keywords
    out += [
        "\u212aey=abc",
        "\u0130TOKEN",
        "to\u200bken",
        "pass\ud800word",
        "ｔｏｋｅｎ",
        "",
        "no keyword here at all ✓",
    ]
    alphabet = "abcdefghijklmnopqrstuvwxyzAEKSTY_-.~ =\n0123456789é\u212a\u0130"
    for _ in range(300):  # random text long enough to go through the distinct-words search
        out.append("".join(rng.choices(alphabet, k=rng.randint(1, 6000))))
    return out


@pytest.mark.parametrize("text", texts())
def test_the_scanner_finds_the_keywords_the_domain_finds(text: str) -> None:
    norm = redact.normalise(text)
    assert KeywordScanner(KEYWORDS)(norm) == domain_answer(norm)


def test_the_check_with_the_finder_finds_the_same_secrets() -> None:
    finder = keyword_finder()
    assert finder is not None  # hyperscan is a dependency: the report uses it
    for text in [sample for sample, _ in SAMPLES.values()] + [typed(n) for n in ISSUE_SECRETS]:
        assert redact.redact(text, finder=finder) == redact.redact(text)
        assert redact.find_secrets(text, finder=finder)
    joined = "\n".join(sample for sample, _ in SAMPLES.values())
    assert redact.redact(joined, finder=finder) == redact.redact(joined)


def test_each_report_scans_with_its_own_scratch() -> None:
    """Reports made at once in two threads (the Python API) must not share hyperscan scratch."""
    import threading

    from irbook.audit.keywords import _rule_keywords

    first, second = keyword_finder(), keyword_finder()
    assert isinstance(first, KeywordScanner) and isinstance(second, KeywordScanner)
    assert first._scratch is not second._scratch
    compiled = _rule_keywords()
    assert compiled is not None and first._db is second._db is compiled[1]  # compiled once
    text = "token " * 200_000 + "password"
    results: list[set[str]] = []

    def scan() -> None:
        finder = keyword_finder()
        assert finder is not None
        results.extend(finder(text) for _ in range(5))

    threads = [threading.Thread(target=scan) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [domain_answer(text)] * 20


# The rule prefilter (``rule_filter``): a rule it leaves out must be one whose regex finds nothing.


def python_rules(text: str) -> set[str]:
    """The rules whose regex (as ``matches`` runs it) matches somewhere in ``text``."""
    lower = redact._lower(text)
    return {
        rule.spec.id
        for rule in redact._rules()
        if rule.pattern.search(lower if rule.spec.lowercase else text)
    }


def prefilter_texts() -> list[str]:
    """Every sample in many surroundings, and random text built from the rules' own pieces."""
    from irbook.audit.keywords import PREFILTERED

    rng = random.Random(1130)
    samples = [sample for sample, _ in SAMPLES.values()] + [typed(n) for n in ISSUE_SECRETS]
    out = list(samples)
    around = ["", " ", "\n", "\x0b", "\t", "é", "ü" * 40, "x", "_", '"', "=", "\u212a", "\u0130"]
    for sample in samples:
        for left, right in rng.sample([(a, b) for a in around for b in around], 12):
            out.append(left + sample + right)
    # the prefiltered rules' keywords and separators among multi-byte letters: a repeat counted
    # in characters must not become one counted in bytes
    pieces = [k for spec in redact.RULES if spec.id in PREFILTERED for k in spec.keywords]
    pieces += ["=", ":", "=>", " ", '"', "'", "`", "\n", "\x0b", ".", "-", "_", "eyJ", "[redacted"]
    letters = "aZ09éüß\u212a\u0130€😀"
    for _ in range(1500):
        parts = []
        for _ in range(rng.randint(1, 12)):
            if rng.random() < 0.5:
                parts.append(rng.choice(pieces))
            else:
                parts.append("".join(rng.choices(letters, k=rng.randint(1, 60))))
        out.append("".join(parts))
    return out


def test_the_rule_prefilter_never_leaves_out_a_rule_that_matches() -> None:
    from irbook.audit.keywords import PREFILTERED, rule_filter

    rules = rule_filter()
    assert rules is not None  # hyperscan is a dependency: the report uses it
    missed = []
    matched: set[str] = set()
    for text in prefilter_texts():
        norm = redact.normalise(text)
        expected = python_rules(norm)
        matched |= expected & PREFILTERED
        possible = set(rules(norm, redact._lower(norm)))
        if not expected <= possible:
            missed.append((norm[:80], sorted(expected - possible)))
    assert not missed
    assert matched == PREFILTERED  # every prefiltered rule was seen matching


def test_the_rule_prefilter_rules_out_clean_prose_and_runs_every_other_rule() -> None:
    from irbook.audit.keywords import PREFILTERED, rule_filter

    rules = rule_filter()
    assert rules is not None
    prose = "rotated the npm token and the deploy key; they checked the high-risk task. ok."
    possible = set(rules(prose, prose.lower()))
    assert not possible & PREFILTERED  # keywords everywhere, but no pattern
    assert possible == {spec.id for spec in redact.RULES} - PREFILTERED
    surrogate = "token=\ud800abcdefgh"  # not UTF-8: hyperscan cannot vouch for it
    assert set(rules(surrogate, surrogate)) == {spec.id for spec in redact.RULES}


def test_the_check_with_the_rule_prefilter_finds_the_same_secrets() -> None:
    from irbook.audit.keywords import rule_filter

    finder, rules = keyword_finder(), rule_filter()
    for text in prefilter_texts()[:800]:
        with_filter = redact.redact(text, finder=finder, rules=rules)
        assert with_filter == redact.redact(text), text[:80]
