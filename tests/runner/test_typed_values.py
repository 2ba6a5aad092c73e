"""Typed answers are checked when given: at the terminal (re-asked with the reason) and in
answers files (file:line:col), before anything is recorded (issue 11, finding 8)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from walker_support import CASE

from irbook.domain.models import PathKind, ValueType
from irbook.errors import InvalidInputError
from irbook.loader.catalog import load as load_catalog_runbook
from irbook.prompts.terminal import QuestionaryPrompter
from irbook.runner import TerminalSource, load_answers
from irbook.runner.decisions import Complete
from irbook.runner.values import ValueContext, ValueSpec, coerce

NOW = datetime(2026, 5, 11, 20, 0, tzinfo=UTC)
CTX = ValueContext(cwd=CASE, now=NOW)


def ok(kind: ValueType, raw: object, **options: object) -> object:
    return coerce(ValueSpec(kind, **options), raw, CTX)  # type: ignore[arg-type]  # test options


def refused(kind: ValueType, raw: object, **options: object) -> str:
    with pytest.raises(ValueError) as caught:
        ok(kind, raw, **options)
    return str(caught.value)


def test_package_typed_with_a_space_is_refused_with_the_reason() -> None:
    reason = refused(ValueType.PACKAGES, "@tanstack/react-router 1.169.9")
    assert "'@tanstack/react-router' is not ECOSYSTEM:NAME@VERSION" in reason
    assert "'1.169.9' is not ECOSYSTEM:NAME@VERSION" in reason
    assert "e.g. npm:@tanstack/react-router@1.169.5" in reason
    assert "is not ECOSYSTEM:NAME@VERSION" in refused(
        ValueType.PACKAGE, "@tanstack/react-router 1.169.9"
    )


def test_packages_are_normalised_as_the_ecosystem_does() -> None:
    assert ok(
        ValueType.PACKAGES, "NPM:@tanstack/react-router@1.169.9, pypi:Mistral_AI.sdk@2.4.6"
    ) == [
        "npm:@tanstack/react-router@1.169.9",
        "PyPI:mistral-ai-sdk@2.4.6",
    ]
    assert ok(ValueType.PACKAGE, "crates.io:serde@1.0.0") == "crates.io:serde@1.0.0"


def test_package_versions_and_ecosystems_are_checked() -> None:
    assert "'1.169' is not a npm version (SemVer)" in refused(ValueType.PACKAGE, "npm:a@1.169")
    assert "not a PyPI version (PEP 440)" in refused(ValueType.PACKAGE, "PyPI:a@not.a.version")
    assert "unknown ecosystem 'pipy' (did you mean 'PyPI'?)" in refused(
        ValueType.PACKAGE, "pipy:requests@2.0.0"
    )


def test_datetime_needs_a_zone_and_is_not_in_the_future() -> None:
    assert ok(ValueType.DATETIME, "2026-05-11T21:46:00+02:00") == "2026-05-11T19:46:00+00:00"
    assert "no time zone" in refused(ValueType.DATETIME, "2026-05-11T19:46:00")
    future = (NOW + timedelta(hours=4)).isoformat()
    assert "is in the future" in refused(ValueType.DATETIME, future)
    assert ok(ValueType.DATETIME, (NOW + timedelta(minutes=2)).isoformat())  # clock skew


def test_datetime_not_before_the_runbook_allows() -> None:
    assert "the earliest this runbook accepts (not_before: 365d)" in refused(
        ValueType.DATETIME, "2024-01-01T00:00:00Z", not_before="365d"
    )
    assert "before 2026-01-01 00:00 UTC" in refused(
        ValueType.DATETIME, "2025-12-31T23:00:00Z", not_before="2026-01-01"
    )
    assert ok(ValueType.DATETIME, "2026-03-01T00:00:00Z", not_before="365d")


def test_paths_exist_and_have_their_kind() -> None:
    assert ok(ValueType.PATH, "iocs.txt", path_kind=PathKind.FILE) == "iocs.txt"
    assert "no such file or directory" in refused(ValueType.PATH, "nope.txt")
    assert "not a regular file" in refused(ValueType.PATH, "app", path_kind=PathKind.FILE)
    assert "not a directory" in refused(
        ValueType.PATHS, "app iocs.txt", path_kind=PathKind.DIRECTORY
    )


def test_email_url_and_choice() -> None:
    assert ok(ValueType.EMAIL, "security@example.org") == "security@example.org"
    assert "not an e-mail address" in refused(ValueType.EMAIL, "security at example.org")
    assert ok(ValueType.URL, "https://github.com/advisories/GHSA-g7cv-rxg3-hmpx")
    assert "not an http(s) URL" in refused(ValueType.URL, "javascript:alert(1)")
    assert "is not one of: a, b" in refused(ValueType.CHOICE, "c", choices=("a", "b"))


# --- answers files -----------------------------------------------------------------------------


def test_answers_file_refuses_a_future_detected_at_and_a_spaced_package(tmp_path: Path) -> None:
    future = (datetime.now(UTC) + timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M:%SZ")
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        f"inputs:\n  detected_at: '{future}'\n"
        "steps:\n  affected-packages: ['@tanstack/react-router 1.169.9']\n",
        encoding="utf-8",
    )
    runbook = load_catalog_runbook("supply-chain-compromise").runbook
    with pytest.raises(InvalidInputError) as caught:
        load_answers(answers, runbook, ValueContext(cwd=CASE))
    problems = [(p.line, p.column, p.message) for p in caught.value.problems]
    assert problems[0][:2] == (2, 16)
    assert "input 'detected_at':" in problems[0][2] and "is in the future" in problems[0][2]
    assert problems[1][:2] == (4, 22)
    assert "'@tanstack/react-router 1.169.9' is not ECOSYSTEM:NAME@VERSION" in problems[1][2]


def test_answers_file_checks_paths_relative_to_the_working_directory(tmp_path: Path) -> None:
    # Nothing of these next to the answers file: the working directory, as before.
    answers = tmp_path / "answers.yaml"
    answers.write_text("inputs:\n  ioc_file: app\n  log_paths: [logs, missing]\n", "utf-8")
    runbook = load_catalog_runbook("supply-chain-compromise").runbook
    with pytest.raises(InvalidInputError) as caught:
        load_answers(answers, runbook, ValueContext(cwd=CASE))
    assert [p.message for p in caught.value.problems] == [
        "input 'ioc_file': app: not a regular file",
        "input 'log_paths': missing: no such file or directory",
    ]


def test_answers_file_reads_paths_next_to_the_answers_file_first(tmp_path: Path) -> None:
    # Next to the file first (the working directory CASE/app has neither), named as written.
    (tmp_path / "app").mkdir()
    (tmp_path / "logs").mkdir()
    answers = tmp_path / "answers.yaml"
    answers.write_text("inputs:\n  ioc_file: app\n  log_paths: [logs, missing]\n", "utf-8")
    runbook = load_catalog_runbook("supply-chain-compromise").runbook
    with pytest.raises(InvalidInputError) as caught:
        load_answers(answers, runbook, ValueContext(cwd=CASE / "app"))
    assert [p.message for p in caught.value.problems] == [
        "input 'ioc_file': app: not a regular file",
        "input 'log_paths': missing: no such file or directory",
    ]


# --- the terminal ------------------------------------------------------------------------------


@pytest.fixture
def keys() -> Iterator[object]:
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        yield pipe


def test_terminal_re_asks_a_package_until_it_is_valid(keys) -> None:  # type: ignore[no-untyped-def]
    step = load_catalog_runbook("supply-chain-compromise").runbook.step("safe-versions")
    # the refused answer, Ctrl-U to clear the line, then a valid one
    keys.send_text("@tanstack/react-router 1.169.9\r\x15npm:@tanstack/react-router@1.169.9\r")
    source = TerminalSource(QuestionaryPrompter(), ValueContext(cwd=CASE))
    assert source._complete(step) == Complete(["npm:@tanstack/react-router@1.169.9"])


def test_terminal_yes_no_waits_for_enter(keys) -> None:  # type: ignore[no-untyped-def]
    # "n" alone used to answer at once; now the answer is what is on the line at Enter
    keys.send_text("n\x7fyes\r")
    step = load_catalog_runbook("supply-chain-compromise").runbook.step("own-releases-hit")
    source = TerminalSource(QuestionaryPrompter(), ValueContext(cwd=CASE))
    assert source._complete(step) == Complete(True)


def test_confirm_waits_for_enter(keys) -> None:  # type: ignore[no-untyped-def]
    keys.send_text("ny\r")  # with auto_enter, "n" alone returned False
    assert QuestionaryPrompter().confirm("Run `npm token list` on this machine now?") is True


def test_terminal_re_asks_a_future_detected_at(keys) -> None:  # type: ignore[no-untyped-def]
    spec = next(
        i
        for i in load_catalog_runbook("supply-chain-compromise").runbook.inputs
        if i.id == "detected_at"
    )
    future = (datetime.now(UTC) + timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M:%SZ")
    keys.send_text(f"{future}\r\x152026-05-11T19:46:00Z\r")  # refused, cleared, then a past time
    source = TerminalSource(QuestionaryPrompter(), ValueContext(cwd=CASE))
    assert source.input_value(spec) == "2026-05-11T19:46:00+00:00"
