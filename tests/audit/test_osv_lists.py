"""Plain compromise lists in the public lists' own format (issue 16, "Lists")."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from irbook.audit.lockfiles.advisories import load_advisories
from irbook.cli import run
from irbook.errors import InvalidInputError
from shared import FIXTURES

OWN = FIXTURES / "lockfile-audit"
FORMAT_COPY = OWN / "lists" / "compromised-packages-format.txt"


def test_bare_lines_are_npm_and_known_ecosystems_in_any_case_are_read() -> None:
    index = load_advisories([FORMAT_COPY])
    got = {(eco, name, e.versions) for (eco, name), es in index.entries.items() for e in es}
    assert got == {
        ("npm", "@tanstack/react-router", ("1.169.8",)),
        ("npm", "@ctrl/tinycolor", ("4.1.1",)),
        ("npm", "@tanstack/history", ("1.161.12",)),
        ("PyPI", "mistralai", ("2.4.6",)),
        ("Go", "github.com/example/evil", ("v1.2.3",)),
        ("Packagist", "evil/package", ("2.0.1",)),
        ("crates.io", "evil-crate", ("0.1.0",)),
        ("Maven", "org.evil:lib", ("1.0.0",)),  # group:artifact names keep their colon
    }
    assert index.skipped == {"list lines for unknown ecosystem 'cocoapods'": 1}


@pytest.fixture
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A 200-column console, so table cells are not folded across lines."""
    from irbook import console

    monkeypatch.setenv("COLUMNS", "200")
    console.stdout.cache_clear()
    yield
    console.stdout.cache_clear()


@pytest.mark.usefixtures("wide_terminal")
def test_the_list_audits_a_lockfile_folder(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["audit", "lockfiles", str(OWN / "app"), "-a", str(FORMAT_COPY)])
    out = capsys.readouterr().out
    assert code == 1
    assert "@tanstack/react-router" in out and "@tanstack/history" in out
    assert "@ctrl/tinycolor" not in out  # 4.1.0 is locked, 4.1.1 listed
    assert "list lines for unknown ecosystem 'cocoapods'" in " ".join(out.split())


@pytest.mark.parametrize(
    ("line", "column", "message"),
    [
        (
            "npm:ws:>=8.0.0",
            8,
            "version '>=8.0.0' is a range: list each exact version on its own line",
        ),
        (
            "npm:ws:8.21.0,8.21.1",
            8,
            "version '8.21.0,8.21.1' is a list: put each version on its own line",
        ),
        ("npm:debug:4.4.3#x", 11, "'4.4.3#x' is not one npm version (trailing characters?)"),
        (
            "  left-pad:^1.3.0",
            12,
            "version '^1.3.0' is a range: list each exact version on its own line",
        ),
        (
            "pypi:requests:2.0 || 3.0",
            15,
            "version '2.0 || 3.0' is a range: list each exact version on its own line",
        ),
        (
            "go:github.com/a/b:v1.0.0;x",
            19,
            "version 'v1.0.0;x' is a list: put each version on its own line",
        ),
    ],
)
def test_a_version_that_is_not_one_version_is_an_error_at_its_column(
    tmp_path: Path, line: str, column: int, message: str
) -> None:
    listing = tmp_path / "list.txt"
    listing.write_text(f"# header\nnpm:ok:1.0.0\n{line}\n")
    with pytest.raises(InvalidInputError) as caught:
        load_advisories([listing])
    assert [str(p) for p in caught.value.problems] == [f"{listing}:3:{column}: {message}"]


def test_at_most_20_errors_are_printed_then_a_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = tmp_path / "list.txt"
    listing.write_text("".join(f"npm:pkg{i}:>={i}.0.0\n" for i in range(25)))
    code = run(["audit", "lockfiles", str(OWN / "app"), "-a", str(listing)])
    err = capsys.readouterr().err
    assert code == 2
    shown = [line for line in err.splitlines() if f"{listing}:" in line]
    assert len(shown) == 20
    assert shown[0].startswith(f"error: {listing}:1:10: ")
    assert "... and 5 more problem(s) not shown" in err


def test_a_list_that_is_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "list.txt"
    os.mkfifo(fifo)
    with pytest.raises(InvalidInputError) as caught:
        load_advisories([fifo])
    assert (
        str(caught.value) == f"{fifo}:1:1: advisory list is a named pipe (FIFO), not a regular file"
    )
