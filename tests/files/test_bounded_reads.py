"""irbook.files.read: regular files only, whole-file reads capped, streams cut off at the limit."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest

from irbook.errors import InvalidInputError
from irbook.files.parsing import limit_problem
from irbook.files.read import open_regular, read_bounded, read_stream_bounded


def test_a_regular_file_is_read_whole_up_to_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"x" * 100)
    assert read_bounded(path, kind="IOC file", max_bytes=100) == b"x" * 100
    with pytest.raises(InvalidInputError) as caught:
        read_bounded(path, kind="IOC file", max_bytes=99)
    assert (
        str(caught.value)
        == f"{path}:1:1: IOC file is 0 KiB; the limit is 0 KiB (is this the right file?)"
    )


def test_a_stream_longer_than_it_said_is_cut_off() -> None:
    """A zip member whose header lies about its size, or a file that grows while read."""
    with pytest.raises(
        InvalidInputError, match=r"advisory is over 1\.0 MiB; the limit is 1\.0 MiB"
    ):
        read_stream_bounded(
            io.BytesIO(b"y" * (3 << 20)),
            name="d.zip!a.json",
            kind="advisory",
            max_bytes=1 << 20,
            size=10,
        )


@pytest.mark.parametrize(
    ("make", "what"),
    [
        (lambda p: os.mkfifo(p), "a named pipe (FIFO)"),
        (lambda p: p.symlink_to("/dev/null"), "a character device"),
    ],
)
def test_special_files_are_refused_without_blocking(tmp_path: Path, make, what: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "special"
    make(path)
    with pytest.raises(
        InvalidInputError,
        match=f"runbook is {re.escape(what)}, not a regular file",
    ):
        open_regular(path, kind="runbook")


def test_a_directory_raises_like_open(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError):
        open_regular(tmp_path, kind="runbook")
    with pytest.raises(FileNotFoundError):
        open_regular(tmp_path / "missing", kind="runbook")


def test_parser_limits_become_positioned_problems() -> None:
    text = '{"a": ' + "[" * 2000
    try:
        raise RecursionError
    except RecursionError as exc:
        problem = limit_problem(exc, "x.json", text, "lockfile")
    assert problem is not None
    assert (problem.line, problem.column, problem.message) == (
        1,
        1006,  # the 1001st bracket, counting the '{'
        "lockfile is nested too deeply (over 1000 levels)",
    )
    digits = "a: 1\nb: " + "9" * 5000
    try:
        int(digits[8:])
    except ValueError as exc:
        problem = limit_problem(exc, "x.yaml", digits, "runbook")
    assert problem is not None and (problem.line, problem.column) == (2, 4)
    assert limit_problem(ValueError("other"), "x", "", "k") is None
