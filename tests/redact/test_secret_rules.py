"""The rule set: generated from its data, one real-format sample per rule, normalised matching."""

from __future__ import annotations

import importlib.util
import sys
import unicodedata

import pytest

from irbook.domain import redact as redact_mod
from irbook.domain.redact import matches, normalise, redact, rule_ids
from secret_samples import ISSUE_SECRETS, SAMPLES, typed
from shared import REPO


def _generator():  # .ci/ is not a package: load the script by path
    spec = importlib.util.spec_from_file_location(
        "gen_secret_rules", REPO / ".ci" / "gen_secret_rules.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_secret_rules"] = module
    spec.loader.exec_module(module)
    return module


def test_generated_module_matches_the_data_files() -> None:
    gen = _generator()
    expected = gen.generate(gen.read_sources())
    actual = (REPO / "src" / "irbook" / "domain" / "secret_rules.py").read_text(encoding="utf-8")
    assert actual == expected, "run: python .ci/gen_secret_rules.py"


def test_go_inline_flags_become_scoped_groups() -> None:
    gen = _generator()
    assert gen.go_to_python(r"dp\.pt\.(?i)[a-z0-9]{43}") == r"dp\.pt\.(?i:[a-z0-9]{43})"
    assert gen.go_to_python(r"\b(SG\.(?i)[a-z]{6})(?:x|$)") == r"\b(SG\.(?i:[a-z]{6}))(?:x|$)"
    assert gen.go_to_python(r"(?i)a(?:b|\z)") == r"(?i)a(?:b|\Z)"


def test_every_rule_has_a_sample_and_every_sample_a_rule() -> None:
    assert sorted(SAMPLES) == sorted(rule_ids())


@pytest.mark.parametrize("rule", sorted(SAMPLES))
def test_rule_catches_its_sample(rule: str) -> None:
    text, secret = SAMPLES[rule]
    assert rule in {found for _, _, found in matches(text)}
    clean, kinds = redact(text)
    assert kinds and secret not in clean
    assert redact(clean) == (clean, [])  # redacting twice changes nothing


@pytest.mark.parametrize("name", sorted(ISSUE_SECRETS))
def test_issue_formats_are_redacted_as_typed(name: str) -> None:
    clean, kinds = redact(f"note: {typed(name)} (from the build host)")
    assert kinds
    assert ISSUE_SECRETS[name] not in clean
    assert ISSUE_SECRETS[name] not in normalise(clean)


def test_npm_token_longer_than_36_characters_and_followed_by_a_full_stop() -> None:
    token = ISSUE_SECRETS["npm 40"]
    assert len(token) == 44
    clean, _ = redact(f"rotated {token}.")
    assert clean == "rotated [REDACTED token-prefix-npm]."


@pytest.mark.parametrize("invisible", ["\u200b", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e"])
def test_invisible_characters_do_not_hide_a_token(invisible: str) -> None:
    token = ISSUE_SECRETS["ghp"]
    clean, kinds = redact(f"token {token[:3]}{invisible}{token[3:10]}{invisible}{token[10:]} ok")
    assert kinds and token not in normalise(clean)


def test_full_width_letters_are_folded_before_matching() -> None:
    token = ISSUE_SECRETS["ghp"]
    wide = "".join(chr(ord(c) + 0xFEE0) for c in token[:4]) + token[4:]
    clean, kinds = redact(wide)
    assert kinds == ["github-pat"] or "github-pat" in kinds
    assert token not in clean


def test_every_format_character_is_removed() -> None:
    missing = [
        f"U+{cp:04X}"
        for cp in range(0x110000)
        if unicodedata.category(chr(cp)) == "Cf" and normalise(f"a{chr(cp)}b") != "ab"
    ]
    assert not missing


def test_clean_text_is_returned_unchanged() -> None:
    text = "Ａ full-width note with ﬁ ligature and a zero\u200bwidth space, no secret"
    assert redact(text) == (text, [])


def test_shipped_runbooks_and_templates_hold_nothing_that_looks_like_a_secret() -> None:
    # The last check refuses a notification that holds a secret: prose in a shipped template that
    # looked like one would block every notification.
    for folder in ("runbooks", "templates"):
        for path in sorted((REPO / folder).rglob("*")):
            if path.is_file():
                assert redact(path.read_text(encoding="utf-8"))[1] == [], path


def test_ioc_stays_visible_in_a_redacted_line() -> None:
    token = SAMPLES["npm-access-token"][1]
    line = f"GET https://evil.example/x?token={token} from 203.0.113.9"
    clean, kinds = redact(line, keep=["evil.example"])
    assert "evil.example" in clean and token not in clean and kinds
    # an IOC that is itself a token (the attacker's) stays visible: it is the finding
    clean, _ = redact(f"published with {token}", keep=[token])
    assert token in clean


def test_rules_compile_lazily() -> None:
    assert redact_mod._rules.cache_info().currsize in (0, 1)


def test_rare_keyword_windows_never_cut_a_long_secret() -> None:
    # A long text makes a rule with a rare keyword run only around it; a key block longer than the
    # window is still redacted to its end.
    body = "\n".join(rnd_line(i) for i in range(200))
    text = (
        "x" * 5000 + "\n-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\nafter"
    )
    clean, kinds = redact(text)
    assert "private-key" in kinds
    assert rnd_line(199) not in clean and rnd_line(0) not in clean
    assert clean.endswith("after") and clean.startswith("x" * 5000)


def test_a_token_far_into_a_long_text_is_found() -> None:
    token = SAMPLES["npm-access-token"][1]
    text = ("padding " * 5000) + f"npm token {token} " + ("tail " * 5000)
    assert token not in redact(text)[0]


def test_offsets_survive_letters_that_grow_when_lower_cased() -> None:
    token = ISSUE_SECRETS["ghp"]
    clean, _ = redact("\u0130" * 10 + f" {token} " + "\u0130")
    assert token not in clean and clean.endswith(" \u0130")


def rnd_line(i: int) -> str:
    return f"{i:04d}" + "Ab9+" * 15


@pytest.mark.parametrize("rule", sorted(SAMPLES))
def test_rule_catches_its_sample_deep_in_a_long_text(rule: str) -> None:
    # Long texts make rules with rare keywords read only windows around them: same findings.
    text, secret = SAMPLES[rule]
    long_text = "lorem ipsum dolor " * 600 + text + " sit amet" * 600
    assert rule in {found for _, _, found in matches(long_text)}
    assert not secret or secret not in redact(long_text)[0]


def test_no_keyword_holds_whitespace() -> None:
    """A long text is searched for keywords among its distinct words (issue 17: a report of
    100,000 events); that finds every keyword only if none spans two words."""
    keywords = {k for rule in redact_mod._rules() for k in rule.spec.keywords}
    assert keywords and not [k for k in keywords if len(k.split()) != 1 or k != k.strip()]


@pytest.mark.parametrize("rule", sorted(SAMPLES))
def test_rule_catches_its_sample_inside_a_long_text(rule: str) -> None:
    """The same secrets are found in a report-sized text as in the sample alone."""
    text, secret = SAMPLES[rule]
    filler = "| 12 | 2026-05-12 06:00:00 UTC | dana | `note_added` | rotated the runner |\n"
    long_text = filler * 60 + text + "\n" + filler * 60
    assert len(long_text) > redact_mod.DISTINCT_WORDS_FROM
    assert {r for *_, r in matches(long_text)} >= {r for *_, r in matches(text)}
    assert secret not in redact(long_text)[0]
