"""Subjects and display names decode back to exactly the text that was written (issue 14: CPython's
folding lost spaces between encoded words, wrote empty encoded words, folded a 74-character ASCII
subject right after ``Subject:`` and put encoded words inside addresses)."""

from __future__ import annotations

from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from irbook.cli import run
from irbook.errors import UsageError
from irbook.notify.headers import MAX_LINE
from irbook.notify.message import Notification, check_address, to_message

WHEN = datetime(2026, 5, 11, 12, 0, tzinfo=UTC)


def message_for(
    subject: str, *, sender: str = "IR <ir@acme.example>", to: tuple[str, ...] = ()
) -> bytes:
    notification = Notification(
        "IR-20260511-1A2B", "internal-alert", "internal", subject, "body", None, to, sender
    )
    return to_message(notification, date=WHEN).raw


def parsed(raw: bytes):  # type: ignore[no-untyped-def]
    return BytesParser(policy=policy.default).parsebytes(raw)


def header_lines(raw: bytes) -> list[str]:
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")  # every header byte is ASCII
    return head.split("\r\n")


# Printable text as people type it: letters, digits, punctuation, symbols, spaces of any script,
# dashes and quotes; no control characters or line/paragraph separators (refused at start).
TITLE_CHARS = st.characters(
    categories=("L", "M", "N", "P", "S", "Zs"), exclude_characters="\u2028\u2029\x85"
)
titles = st.text(TITLE_CHARS, min_size=1, max_size=300).map(str.strip).filter(bool)


@settings(max_examples=500, deadline=None)
@given(title=titles)
def test_subject_round_trips_exactly_for_any_title(title: str) -> None:
    raw = message_for(title)
    assert parsed(raw)["Subject"] == title
    for line in header_lines(raw):
        assert len(line) <= 998 and "=?utf-8?b??=" not in line
        assert line.strip(), "a folded header line is never all white space"


@settings(max_examples=200, deadline=None)
@given(name=st.text(TITLE_CHARS, min_size=1, max_size=200).map(str.strip).filter(bool))
def test_display_name_round_trips_exactly(name: str) -> None:
    from irbook.notify.headers import mailbox

    raw = message_for("x", to=(mailbox_of(name),))
    assert parsed(raw)["To"].addresses[0].display_name == " ".join(name.split())
    assert parsed(raw)["To"].addresses[0].addr_spec == "dana@acme.example"
    assert mailbox(mailbox_of(name)).isascii()


def mailbox_of(name: str) -> str:
    """The mailbox as a person types it: a quoted display name, in any script."""
    escaped = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}" <dana@acme.example>'


@pytest.mark.parametrize(
    "subject",
    [
        "[IR-20260511-1A2B] [TLP:AMBER] Malicious releases — credential rotation under way",
        "[IR-20260511-1A2B] Leadership brief:  two spaces, kept",
        "[IR-20260511-1A2B] Status update – ünïcödé at the end é",
        "[IR-20260511-1A2B] [TLP:CLEAR] Malicious versions of acme-ui: report to registry x",
    ],
)
def test_the_subjects_seen_wrong_now_decode_exactly(subject: str) -> None:
    raw = message_for(subject)
    assert parsed(raw)["Subject"] == subject
    lines = header_lines(raw)
    first = next(line for line in lines if line.startswith("Subject:"))
    assert first != "Subject:" and not first.startswith("Subject:  ")
    assert all(len(line) <= MAX_LINE for line in lines if "Subject" in line or line.startswith(" "))


def test_a_74_character_ascii_subject_does_not_fold_after_the_name() -> None:
    subject = "[IR-20260511-1A2B] " + "x" * 55
    assert len(subject) == 74
    raw = message_for(subject)
    lines = header_lines(raw)
    assert (
        "Subject:" not in lines
    )  # never folded right after the name (it parsed back as " [IR-...")
    assert parsed(raw)["Subject"] == subject


def test_text_that_looks_like_an_encoded_word_stays_literal() -> None:
    subject = "About =?utf-8?b?SGk=?= in logs"
    assert parsed(message_for(subject))["Subject"] == subject


def test_non_ascii_address_is_refused_before_anything_is_written() -> None:
    with pytest.raises(UsageError, match="not ASCII"):
        check_address("Ünïcödé@acme.example", "recipient")
    assert check_address("Ünïcödé <unicode@acme.example>") == "Ünïcödé <unicode@acme.example>"


def test_notify_with_a_non_ascii_to_exits_2_and_writes_nothing(
    make_incident, tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    state = make_incident()
    out = tmp_path / "out"
    code = run(
        [
            "notify",
            state.incident_id,
            "registry-report",
            "--to",
            "Ünïcödé@acme.example",
            "--out",
            str(out),
            "--db",
            f"sqlite:///{tmp_path / 't.db'}",
        ]
    )
    assert code == 2
    assert "not ASCII" in capsys.readouterr().err
    assert not out.exists() or not any(out.iterdir())


def test_send_to_a_non_ascii_address_reaches_no_server_and_writes_nothing(
    make_incident, smtp_server, tmp_path: Path, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    state = make_incident()
    for key, value in smtp_server.env.items():
        monkeypatch.setenv(key, value)
    out = tmp_path / "out"
    code = run(
        [
            "notify",
            state.incident_id,
            "registry-report",
            "--to",
            "Ünïcödé@acme.example",
            "--out",
            str(out),
            "--db",
            f"sqlite:///{tmp_path / 't.db'}",
            "--send",
        ]
    )
    assert code == 2, capsys.readouterr().err
    assert smtp_server.messages == []
    assert not out.exists() or not any(out.iterdir())
