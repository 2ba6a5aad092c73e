"""The names a written .eml takes: the first free of STEM-TIME.eml, STEM-TIME-2.eml, ... for a
message written directly and for a staged draft alike, never an earlier message's, and a clear
error once 999 are taken."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from irbook.errors import UsageError
from irbook.notify.message import Message, stage_eml, write_eml

RAW = b"Subject: x\r\n\r\nbody\r\n"
MESSAGE = Message(
    RAW, "<id@h>", hashlib.sha256(RAW).hexdigest(), datetime(2026, 5, 11, 9, 30, tzinfo=UTC)
)
BASE = "advisory-20260511T093000Z"


def test_each_message_takes_the_first_free_name(tmp_path: Path) -> None:
    out = tmp_path / "out"  # made (0700) by the first write
    first = write_eml(MESSAGE, out, stem="advisory")
    second = write_eml(MESSAGE, out, stem="advisory")
    assert (first.name, second.name) == (f"{BASE}.eml", f"{BASE}-2.eml")
    assert out.stat().st_mode & 0o777 == 0o700
    draft, final = stage_eml(MESSAGE, out, stem="advisory")
    assert final.name == f"{BASE}-3.eml" and not final.exists() and draft.read_bytes() == RAW


def test_past_999_names_both_writers_refuse_with_one_message(tmp_path: Path) -> None:
    (tmp_path / f"{BASE}.eml").touch()
    for n in range(2, 1000):
        (tmp_path / f"{BASE}-{n}.eml").touch()
    for write in (write_eml, stage_eml):
        with pytest.raises(UsageError) as refused:
            write(MESSAGE, tmp_path, stem="advisory")
        assert refused.value.message == f"too many messages named {BASE}*.eml in {tmp_path}"
    assert len(list(tmp_path.iterdir())) == 999  # nothing written, no draft left
