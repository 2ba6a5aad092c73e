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
