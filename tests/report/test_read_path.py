"""The stdlib SQLite read path (store/reader.py) against the ORM store on the same databases.

Read commands (status, list, verify, report) open SQLite files with ``sqlite3`` instead of
SQLAlchemy; every record they get must be equal to the ORM store's, and every case the read path
does not cover must reach the ORM store and its messages unchanged.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from scripted_incident import Scripted

from irbook.errors import IrbookError, NotFoundError, StoreError
from irbook.loader.load import load_runbook
from irbook.store import Store, open_reader, open_store
from irbook.store.reader import SqliteReader
from irbook.usecases import incidents
from irbook.usecases.incidents import Responder, add_note, start_incident
from shared import REPO


def both(url: str) -> tuple[SqliteReader, Store]:
    reader = open_reader(url)
    assert isinstance(reader, SqliteReader), "a current SQLite file takes the stdlib path"
    return reader, open_store(url)


def test_every_record_equals_the_orm_stores(
    scripted: Scripted, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a second, open incident next to the closed scripted one, with a note holding odd text
    monkeypatch.setattr(incidents, "new_incident_id", lambda now, drill=False: "IR-20250909-0THR")
    loaded = load_runbook(REPO / "runbooks" / "leaked-secret.yaml")
    other = start_incident(loaded, store=scripted.store, responder=Responder("zoë", "h"))
    add_note(scripted.store, other.incident_id, 'ünïcode ✓ "quotes"', responder=Responder("a", "h"))
    reader, store = both(scripted.db_url)
    try:
        assert reader.where == store.where
        assert reader.incidents() == store.incidents()
        assert len(reader.incidents()) == 2
        assert reader.incidents(status="open") == store.incidents(status="open")
        assert reader.latest_open() == store.latest_open()
        for incident in store.incidents():
            assert reader.incident(incident.id) == store.incident(incident.id)
            assert reader.incident(incident.id.lower()) == store.incident(incident.id.lower())
            events = reader.events(incident.id)
            assert events == store.events(incident.id)
            assert reader.events(incident.id, after_seq=2) == store.events(incident.id, after_seq=2)
        assert len(reader.events(scripted.incident_id)) > 20
    finally:
        reader.close()
        store.close()


def test_an_unknown_incident_gets_the_same_message_and_hint(scripted: Scripted) -> None:
    reader, store = both(scripted.db_url)
    try:
        typo = scripted.incident_id[:-1] + "Z"
        with pytest.raises(NotFoundError) as fast:
            reader.incident(typo)
        with pytest.raises(NotFoundError) as orm:
            store.incident(typo)
        assert (fast.value.message, fast.value.hint) == (orm.value.message, orm.value.hint)
    finally:
        reader.close()
        store.close()


def test_a_sqlite_error_hands_the_call_to_the_orm_store(scripted: Scripted) -> None:
    reader = open_reader(scripted.db_url)
    assert isinstance(reader, SqliteReader)
    with sqlite3.connect(scripted.db_path) as conn:
        conn.execute("DROP TABLE event")
    conn.close()
    try:
        with pytest.raises(IrbookError) as fast:
            reader.events(scripted.incident_id)
        with pytest.raises(IrbookError) as orm:  # a missing table: corrupt, from opening on
            open_store(scripted.db_url).events(scripted.incident_id)
        assert type(fast.value) is type(orm.value)
        assert (fast.value.message, fast.value.hint) == (orm.value.message, orm.value.hint)
    finally:
        reader.close()


def test_what_the_read_path_does_not_cover_goes_the_orm_way(tmp_path: Path) -> None:
    # a missing file: a reader creates nothing ("no database at ..."), the ORM store's message
    new = tmp_path / "new.db"
    with pytest.raises(NotFoundError, match="no database at"):
        open_reader(f"sqlite:///{new}")
    assert not new.exists()
    open_store(f"sqlite:///{new}").close()  # as `irbook start` creates it
    assert new.stat().st_mode & 0o777 == 0o600
    # a URL with options, and a schema from a newer irbook: the ORM store decides, same message
    with_query = open_reader(f"sqlite:///{new}?timeout=5")
    assert isinstance(with_query, Store)
    with_query.close()
    with sqlite3.connect(new) as conn:
        conn.execute("UPDATE irbook_meta SET value = '99' WHERE key = 'schema_version'")
    conn.close()
    with pytest.raises(StoreError) as fast:
        open_reader(f"sqlite:///{new}")
    with pytest.raises(StoreError) as orm:
        open_store(f"sqlite:///{new}")
    assert fast.value.message == orm.value.message and "newer irbook" in fast.value.message


def test_the_read_path_makes_the_file_private_like_the_orm_store(scripted: Scripted) -> None:
    os.chmod(scripted.db_path, 0o644)
    reader = open_reader(scripted.db_url)
    try:
        assert isinstance(reader, SqliteReader)
        assert scripted.db_path.stat().st_mode & 0o777 == 0o600
    finally:
        reader.close()


def _modules_after(*args: str, exit_code: int = 2) -> set[str]:
    code = (
        "import json, sys\n"
        "from irbook.cli import run\n"
        f"code = run({list(args)!r})\n"
        "print(json.dumps([code, sorted({m.split('.')[0] for m in sys.modules})]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    code, loaded = json.loads(result.stdout.splitlines()[-1])
    assert code == exit_code, result.stderr
    return set(loaded)


def test_status_on_an_empty_database_imports_no_database_or_template_library(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    open_store(url).close()  # created (as `irbook db init` does)
    loaded = _modules_after("status", "--db", url)  # exit 2: "no open incident"
    assert "typer" in loaded and "sqlite3" in loaded  # the check sees what the command imports
    heavy = {"sqlalchemy", "sqlmodel", "jinja2", "yaml"}
    assert loaded.isdisjoint(heavy), sorted(loaded & heavy)


def test_list_and_verify_import_no_database_library(scripted: Scripted) -> None:
    for args in (["list"], ["verify", scripted.incident_id]):
        loaded = _modules_after(*args, "--db", scripted.db_url, exit_code=0)
        assert "sqlite3" in loaded
        assert loaded.isdisjoint({"sqlalchemy", "sqlmodel"}), (args, loaded & {"sqlalchemy"})
