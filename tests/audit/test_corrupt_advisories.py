"""Corrupt advisory files are never skipped (issue 16): a folder, a zip or a direct path gives
exit 2 naming the file; --keep-going lists every unreadable file and still exits 2."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from irbook.cli import run
from shared import FIXTURES

OWN = FIXTURES / "lockfile-audit"
# A truncated record: the prefilter finds no "name" in it, so the old code skipped it unparsed.
TRUNCATED = b'{"id":"MAL-1","affected":[{"package":{"ecosystem":"npm",'


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    advisories = tmp_path / "advisories"
    advisories.mkdir()
    shutil.copy(OWN / "osv" / "x_ranges.json", advisories / "good.json")
    (advisories / "MAL-1.json").write_bytes(TRUNCATED)
    (advisories / "MAL-2.json").write_bytes(b"not json at all")
    return advisories


def audit(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = run(["audit", "lockfiles", str(OWN / "clean"), *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_corrupt_file_in_a_folder_exits_2_naming_it(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = audit(capsys, "-a", str(folder))
    assert code == 2
    assert f"{folder / 'MAL-1.json'}:1:57: advisory is not valid JSON" in out
    assert "No affected package" not in out


def test_corrupt_file_passed_directly_exits_2(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = audit(capsys, "-a", str(folder / "MAL-1.json"))
    assert code == 2
    assert f"{folder / 'MAL-1.json'}:1:57:" in out


def test_corrupt_member_of_a_zip_exits_2_with_or_without_cache(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dump = tmp_path / "all.zip"
    with zipfile.ZipFile(dump, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
    for extra in (["--no-cache"], []):
        code, out = audit(capsys, "-a", str(dump), *extra)
        assert code == 2, extra
        assert f"{dump}!MAL-1.json:1:57:" in out


def test_keep_going_lists_every_unreadable_file_and_exits_2(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = audit(capsys, "-a", str(folder), "--keep-going")
    text = " ".join(out.split())
    assert code == 2
    assert f"unreadable advisory file: {folder / 'MAL-1.json'}:1:57:" in text
    assert f"unreadable advisory file: {folder / 'MAL-2.json'}:1:1:" in text
    assert "2 advisory file(s) could not be read: the audit is incomplete" in text
    assert "No affected package" not in text


def test_keep_going_still_reports_findings_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = tmp_path / "list.txt"
    listing.write_text("@tanstack/react-router:1.169.8\nnpm:ws:>=8\n")
    code = run(["audit", "lockfiles", str(OWN / "app"), "-a", str(listing), "--keep-going"])
    captured = capsys.readouterr()
    assert code == 2
    assert "1 finding(s)" in captured.out
    assert f"unreadable advisory file: {listing}:2:8:" in " ".join(captured.err.split())
