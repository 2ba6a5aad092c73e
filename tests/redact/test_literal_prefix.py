"""Rules that start with ``\\b`` run with the literal first (issue 17: the jwt rule, run wherever
"ey" occurs, cost as much as all the others but one over a big report): the same matches."""

from __future__ import annotations

import random
import re

from irbook.domain.redact import with_literal_prefix
from irbook.domain.secret_rules import RULES
from secret_samples import ISSUE_SECRETS, SAMPLES, typed

REWRITTEN = [r for r in RULES if with_literal_prefix(r.regex) != r.regex]


def test_the_jwt_rule_and_others_are_rewritten() -> None:
    ids = {r.id for r in REWRITTEN}
    assert {"jwt", "artifactory-api-key", "sendgrid-api-token"} <= ids
    assert with_literal_prefix(r"\bx{3}") == r"\bx{3}"  # no literal left: as is
    assert with_literal_prefix(r"\bab+c") == r"a(?<!\wa)b+c"
    assert with_literal_prefix(r"\b(?:a|b)") == r"\b(?:a|b)"


def corpus() -> list[str]:
    rng = random.Random(17)
    texts = [sample for sample, _ in SAMPLES.values()] + [typed(n) for n in ISSUE_SECRETS]
    out = []
    for text in texts:  # each secret at the start, after a word character, after punctuation
        out += [text, "x" + text, "_" + text, "-" + text, " " + text, "é" + text, text.lower()]
    pieces = [s for s, _ in SAMPLES.values()] + ["ey", "key", "eyJ", ".", "_", "-", " ", "a1"]
    for _ in range(400):
        out.append("".join(rng.choices(pieces, k=rng.randint(1, 8))))
    return out


def found(pattern: re.Pattern[str], text: str) -> list[tuple[tuple[int, int], tuple[str, ...]]]:
    return [(m.span(), m.groups()) for m in pattern.finditer(text)]


def test_the_rewritten_rules_match_what_the_originals_match() -> None:
    texts = corpus()
    hits = 0
    for rule in REWRITTEN:
        old = re.compile(rule.regex, re.ASCII)
        new = re.compile(with_literal_prefix(rule.regex), re.ASCII)
        for text in texts:
            expected = found(old, text)
            assert found(new, text) == expected, (rule.id, text)
            hits += bool(expected)
    assert hits > 100  # the corpus does hold what these rules find
