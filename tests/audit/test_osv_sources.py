"""Advisory sources: files, folders (ossf layout), all.zip dumps with their cache, plain lists."""

from __future__ import annotations

import gc
import json
import os
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest

from irbook.audit.lockfiles.advisories import AdvisoryIndex, load_advisories, wanted_keys
from irbook.errors import InvalidInputError, NotFoundError
from shared import FIXTURES, shared_data

OWN = FIXTURES / "lockfile-audit"
TANSTACK = [("npm", "@tanstack/react-router"), ("npm", "@tanstack/history"), ("PyPI", "MistralAI")]


def ids(index: AdvisoryIndex) -> set[tuple[str, str, str]]:
    return {
        (eco, name, e.advisory.id)
        for (eco, name), entries in index.entries.items()
        for e in entries
    }


def make_zip(target: Path, sources: list[Path]) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for source in sources:
            archive.write(source, source.name)
    return target


def real_records() -> list[Path]:
    return sorted(shared_data("osv").rglob("*.json"))


def test_ossf_layout_reads_only_wanted_package_folders_with_the_same_result() -> None:
    checkout = shared_data("osv", "malicious-packages")
    only = wanted_keys(TANSTACK)
    pruned = load_advisories([checkout], only=only)
    full = load_advisories([checkout])
    assert ids(pruned) == {k for k in ids(full) if k[:2] in only}
    assert ids(pruned) == {
        ("npm", "@tanstack/react-router", "MAL-2026-3465"),
        ("npm", "@tanstack/history", "MAL-2026-3463"),
        ("PyPI", "mistralai", "MAL-2026-3608"),
    }
    # The pruned read never opened the other packages' folders.
    assert pruned.records == 3
    # Every record under osv/malicious is read or counted as skipped; withdrawn/ is outside it.
    malicious = list((checkout / "osv" / "malicious").rglob("*.json"))
    assert full.records + sum(full.skipped.values()) == len(malicious)
    assert full.records > pruned.records


def test_flat_folder_is_walked_and_prefiltered_without_changing_the_result() -> None:
    only = wanted_keys(TANSTACK)
    filtered = load_advisories([shared_data("osv")], only=only)
    full = load_advisories([shared_data("osv")])
    assert ids(filtered) == {k for k in ids(full) if k[:2] in only}
    assert filtered.records < full.records  # records about other packages were not parsed


def test_zip_dump_matches_the_folder_and_skips_staging_and_withdrawn(tmp_path: Path) -> None:
    dump = make_zip(tmp_path / "all.zip", real_records())
    from_zip = load_advisories([dump])
    assert ids(from_zip) == ids(load_advisories([shared_data("osv")]))
    assert from_zip.skipped == {"staging": 1, "withdrawn": 1}


def test_zip_cache_is_reused_and_rebuilt_when_the_dump_changes(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    dump = make_zip(tmp_path / "all.zip", real_records())
    first = load_advisories([dump], cache_dir=cache)
    (cache_file,) = cache.glob("osv-*.sqlite3")
    assert ids(load_advisories([dump], cache_dir=cache)) == ids(first)
    assert load_advisories([dump], cache_dir=cache).skipped == first.skipped

    # A new dump (different size and mtime) must not be answered from the old cache.
    make_zip(dump, [OWN / "osv" / "x_open-ended.json"])
    os.utime(dump, ns=(1, 1))
    assert {k[2] for k in ids(load_advisories([dump], cache_dir=cache))} == {"x_IRBOOK-TEST-1"}

    # A corrupt cache is ignored and rewritten.
    os.chmod(cache_file, 0o600)
    cache_file.write_bytes(b"\x00garbage")
    assert {k[2] for k in ids(load_advisories([dump], cache_dir=cache))} == {"x_IRBOOK-TEST-1"}
    assert cache_file.read_bytes() != b"\x00garbage"


def test_zip_prefilter_without_cache(tmp_path: Path) -> None:
    dump = make_zip(tmp_path / "all.zip", real_records())
    index = load_advisories([dump], only=wanted_keys(TANSTACK))
    assert {k[2] for k in ids(index)} == {
        "MAL-2026-3465",
        "MAL-2026-3463",
        "MAL-2026-3608",
        "GHSA-g7cv-rxg3-hmpx",
    }


def test_plain_list(tmp_path: Path) -> None:
    index = load_advisories([OWN / "lists" / "seen.txt"])
    assert ids(index) == {
        ("npm", "@tanstack/react-router", "seen.txt:2"),
        ("PyPI", "mistralai", "seen.txt:4"),
        ("PyPI", "guardrails-ai", "seen.txt:5"),
    }


def test_bad_list_names_every_bad_line() -> None:
    with pytest.raises(InvalidInputError) as caught:
        load_advisories([OWN / "bad" / "bad-list.txt"])
    lines = [(p.line, p.message) for p in caught.value.problems]
    # cargo is not an OSV ecosystem name: that line is skipped and counted (tests/audit/test_osv_lists.py)
    assert lines == [(2, "expected ecosystem:name:version or name:version, found 'npm-no-version'")]
    assert str(caught.value).startswith(f"{OWN / 'bad' / 'bad-list.txt'}:2:1: ")


def test_malformed_json_names_file_line_and_column() -> None:
    path = OWN / "bad" / "broken.json"
    with pytest.raises(InvalidInputError) as caught:
        load_advisories([path])
    (problem,) = caught.value.problems
    assert (problem.path, problem.line, problem.column) == (str(path), 4, 51)
    assert problem.message.startswith("advisory is not valid JSON: Expecting property name")


def test_truncated_json_says_so(tmp_path: Path) -> None:
    path = tmp_path / "MAL-2026-1.json"
    text = (OWN / "osv" / "x_open-ended.json").read_text()
    path.write_text(text[: len(text) // 2])
    with pytest.raises(InvalidInputError, match="ends early"):
        load_advisories([path])


def test_malformed_member_of_a_zip_names_the_member(tmp_path: Path) -> None:
    dump = make_zip(
        tmp_path / "all.zip", [OWN / "osv" / "x_open-ended.json", OWN / "bad" / "broken.json"]
    )
    with pytest.raises(InvalidInputError) as caught:
        load_advisories([dump])
    assert caught.value.problems[0].path == f"{dump}!broken.json"
    assert caught.value.problems[0].line == 4


def test_not_a_zip() -> None:
    path = OWN / "bad" / "truncated.zip"
    with pytest.raises(InvalidInputError) as caught:
        load_advisories([path])
    assert caught.value.problems[0].path == str(path)
    assert "not a readable zip file" in caught.value.message


def test_record_of_wrong_shape_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "odd.json"
    path.write_text(
        '{"id": "x_ODD", "affected": [{"package": {"ecosystem": "npm", "name": "a"}, "versions": "1.0.0"}]}'
    )
    with pytest.raises(InvalidInputError) as caught:
        load_advisories([path])
    assert caught.value.problems[0].location == "affected[0].versions"


def test_missing_source_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="advisory source not found"):
        load_advisories([tmp_path / "nope"])


def test_package_names_cannot_escape_the_ossf_folder(tmp_path: Path) -> None:
    root = tmp_path / "osv" / "malicious"
    outside = tmp_path / "osv" / "secret"
    outside.mkdir(parents=True)
    shutil.copy(OWN / "osv" / "x_open-ended.json", outside / "x.json")
    (root / "npm").mkdir(parents=True)
    index = load_advisories(
        [tmp_path], only=wanted_keys([("npm", "../../secret"), ("npm", "left-padder")])
    )
    assert index.records == 0


def test_prefilter_decodes_escaped_names(tmp_path: Path) -> None:
    folder = tmp_path / "advisories"
    folder.mkdir()
    (folder / "escaped.json").write_text(
        '{"id": "x_ESC", "details": "a\\nb", "affected": [{"package": {"ecosystem": "npm",'
        ' "name": "@tanstack\\/react-router"}, "versions": ["1.0.0"]}]}'
    )
    (folder / "other.json").write_text(
        '{"id": "x_OTHER", "affected": [{"package": {"ecosystem": "npm", "name": "other"}, "versions": ["1.0.0"]}]}'
    )
    index = load_advisories([folder], only=wanted_keys(TANSTACK))
    assert ids(index) == {("npm", "@tanstack/react-router", "x_ESC")}
    assert index.records == 1


def _stored_zip(target: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, (2026, 5, 12, 0, 0, 0)), data)
    return target


def _record(ident: str, version: str) -> bytes:
    affected = [{"package": {"ecosystem": "npm", "name": "left-pad"}, "versions": [version]}]
    return json.dumps({"id": ident, "affected": affected}).encode()


def test_a_changed_dump_of_the_same_size_and_mtime_is_reimported(tmp_path: Path) -> None:
    """The fingerprint is the size and a digest of the central directory, not the mtime."""
    cache = tmp_path / "cache"
    dump = _stored_zip(tmp_path / "all.zip", {"MAL-1.json": _record("MAL-1", "1.0.1")})
    stamp = dump.stat().st_mtime_ns
    first = load_advisories([dump], cache_dir=cache)
    assert [e.versions for e in first.lookup("npm", "left-pad")] == [("1.0.1",)]
    _stored_zip(dump, {"MAL-1.json": _record("MAL-1", "1.0.2")})  # same size, other bytes
    os.utime(dump, ns=(stamp, stamp))
    again = load_advisories([dump], cache_dir=cache)
    assert [e.versions for e in again.lookup("npm", "left-pad")] == [("1.0.2",)]


def test_the_cache_is_one_indexed_sqlite_row_per_record(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    dump = make_zip(tmp_path / "all.zip", real_records())
    full = load_advisories([dump])
    load_advisories([dump], cache_dir=cache)
    (cache_file,) = cache.glob("osv-*.sqlite3")
    assert cache_file.stat().st_mode & 0o777 == 0o600
    with sqlite3.connect(cache_file) as db:
        rows = db.execute("SELECT ecosystem, name, id FROM records").fetchall()
        plan = " ".join(
            str(step)
            for step in db.execute(
                "EXPLAIN QUERY PLAN SELECT row FROM records WHERE ecosystem = 'npm' AND name = 'x'"
            )
        )
    assert "USING INDEX records_by_package" in plan
    assert len(rows) == len(set(rows)) == len(ids(full))  # one row per record and package
    assert {(eco, name, ident) for eco, name, ident in rows} == ids(full)
    cached = load_advisories([dump], cache_dir=cache, only=wanted_keys(TANSTACK))
    assert ids(cached) == {k for k in ids(full) if k[:2] in wanted_keys(TANSTACK)}


def test_the_import_runs_without_cyclic_garbage_collections(tmp_path: Path) -> None:
    members = {f"MAL-{i}.json": _record(f"MAL-{i}", f"1.0.{i}") for i in range(3000)}
    dump = _stored_zip(tmp_path / "all.zip", members)
    collections: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    gc.collect()
    gc.callbacks.append(count)
    try:
        index = load_advisories([dump], cache_dir=tmp_path / "cache")
    finally:
        gc.callbacks.remove(count)
    assert len(index.lookup("npm", "left-pad")) == 3000
    # At most the one collection that was pending when the collector came back on (with it
    # running throughout, this import triggered about twenty).
    assert len(collections) <= 1
    assert gc.isenabled()


def test_keep_going_reads_the_members_after_a_corrupt_one(tmp_path: Path) -> None:
    dump = _stored_zip(
        tmp_path / "all.zip",
        {"a.json": b'{"id": "MAL-1", "affected": [', "b.json": _record("MAL-2", "1.0.0")},
    )
    for cache in (None, tmp_path / "cache"):
        index = load_advisories([dump], cache_dir=cache, keep_going=True)
        assert [p.path for p in index.unreadable] == [f"{dump}!a.json"]
        assert [e.advisory.id for e in index.lookup("npm", "left-pad")] == ["MAL-2"]
    assert not list((tmp_path / "cache").glob("osv-*.sqlite3"))  # never cached with a bad member


def test_an_unwritable_cache_folder_only_costs_speed(tmp_path: Path) -> None:
    dump = _stored_zip(tmp_path / "all.zip", {"MAL-1.json": _record("MAL-1", "1.0.1")})
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder should be")
    index = load_advisories([dump], cache_dir=blocked)
    assert [e.advisory.id for e in index.lookup("npm", "left-pad")] == ["MAL-1"]
