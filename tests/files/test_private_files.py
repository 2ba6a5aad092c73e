"""The one private-file writer (irbook.files.private): 0600, no symlinks, no partial files."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from irbook.cli import run
from irbook.errors import UsageError
from irbook.files.private import ensure_private_file, write_private


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_is_0600_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        write_private(tmp_path / "out.txt", "héllo\r\n")
    finally:
        os.umask(old)
    assert mode(tmp_path / "out.txt") == 0o600
    assert (tmp_path / "out.txt").read_bytes() == "héllo\r\n".encode()  # no newline translation


def test_an_existing_0644_file_is_replaced_by_a_0600_one(tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    out.write_text("old and longer than the new text")
    out.chmod(0o644)
    write_private(out, b"new")
    assert mode(out) == 0o600
    assert out.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]  # no temp file left


def test_a_symlink_is_refused_and_its_target_left_unchanged(tmp_path: Path) -> None:
    target = tmp_path / "authorized_keys"
    target.write_text("ssh-ed25519 AAAA keep-me\n")
    link = tmp_path / "report.html"
    link.symlink_to(target)
    with pytest.raises(UsageError, match=r"report\.html: it is a symbolic link"):
        write_private(link, "<html>")
    assert target.read_text() == "ssh-ed25519 AAAA keep-me\n"
    assert link.is_symlink()


def test_a_dangling_symlink_is_refused_too(tmp_path: Path) -> None:
    link = tmp_path / "out.json"
    link.symlink_to(tmp_path / "would-be-created")
    with pytest.raises(UsageError, match="symbolic link"):
        write_private(link, "{}")
    with pytest.raises(FileExistsError):
        write_private(link, "{}", exclusive=True)
    assert not (tmp_path / "would-be-created").exists()


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        write_private(tmp_path / "missing-dir" / "x.json", "{}")
    assert caught.value.message == (
        f"cannot write {tmp_path / 'missing-dir' / 'x.json'}: "
        f"the folder {tmp_path / 'missing-dir'} does not exist"
    )


def test_a_fifo_or_directory_at_the_path_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "folder").mkdir()
    for name in ("pipe", "folder"):
        with pytest.raises(UsageError, match="not a regular file"):
            write_private(tmp_path / name, "x")


def test_exclusive_never_replaces(tmp_path: Path) -> None:
    out = tmp_path / "m.eml"
    write_private(out, b"first", exclusive=True)
    with pytest.raises(FileExistsError):
        write_private(out, b"second", exclusive=True)
    assert out.read_bytes() == b"first"
    assert mode(out) == 0o600


_FULL_DISK = """
import resource, signal, sys
from pathlib import Path
from irbook.errors import UsageError
from irbook.files.private import write_private
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a signal: a disk that fills up
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
try:
    write_private(Path(sys.argv[1]), b"n" * 100_000, exclusive=sys.argv[2] == "new")
except UsageError as err:
    print(err.message)
"""


@pytest.mark.parametrize("how", ["replace", "new"])
def test_a_write_that_fails_half_way_leaves_no_partial_file(tmp_path: Path, how: str) -> None:
    out = tmp_path / "report.md"
    if how == "replace":
        out.write_bytes(b"the previous report")
    done = subprocess.run(
        [sys.executable, "-c", _FULL_DISK, str(out), how],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.startswith(f"cannot write {out}: File too large")
    assert [p.name for p in tmp_path.iterdir()] == (["report.md"] if how == "replace" else [])
    if how == "replace":
        assert out.read_bytes() == b"the previous report"


def test_ensure_private_file_makes_a_touched_file_0600(tmp_path: Path) -> None:
    db = tmp_path / "irbook.db"
    db.touch(mode=0o644)
    db.chmod(0o644)
    ensure_private_file(db, what="database file")
    assert mode(db) == 0o600


def test_ensure_private_file_refuses_a_symlink_and_a_fifo(tmp_path: Path) -> None:
    real = tmp_path / "real.db"
    real.touch()
    real.chmod(0o644)
    (tmp_path / "link.db").symlink_to(real)
    with pytest.raises(UsageError, match=r"link\.db: it is a symbolic link"):
        ensure_private_file(tmp_path / "link.db", what="database file")
    assert mode(real) == 0o644
    os.mkfifo(tmp_path / "pipe.db")
    with pytest.raises(UsageError, match="is not a regular file"):
        ensure_private_file(tmp_path / "pipe.db", what="database file")


def test_a_touched_database_file_is_made_0600_on_open(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "touched.db"
    db.touch()
    db.chmod(0o644)
    # `db init` (or `start`): read commands refuse an empty file instead of making it a database
    assert run(["db", "init", "--db", str(db)]) == 0
    assert mode(db) == 0o600
    for companion in tmp_path.glob("touched.db-*"):  # SQLite copies the mode to -wal / -shm
        assert mode(companion) == 0o600


def test_runbooks_schema_to_a_missing_folder_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["runbooks", "schema", "-o", str(tmp_path / "nope" / "s.json")]) == 2
    assert f"the folder {tmp_path / 'nope'} does not exist" in capsys.readouterr().err
    assert run(["runbooks", "schema", "-o", str(tmp_path / "s.json")]) == 0
    assert mode(tmp_path / "s.json") == 0o600
