"""`irbook db init|info` and the schema-version check, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from teamkit import DRILL, libpq

from irbook.cli import run
from irbook.errors import StoreError
from irbook.loader.load import load_runbook
from irbook.store import open_store
from irbook.store.tables import SCHEMA_VERSION
from irbook.usecases.incidents import Responder, start_incident


def set_schema_version(url: str, version: int) -> None:
    """Write the version row from outside irbook, as a newer irbook would have."""
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            conn.execute(
                "UPDATE irbook_meta SET value = ? WHERE key = 'schema_version'", (str(version),)
            )
        return
    import psycopg

    with psycopg.connect(libpq(url), autocommit=True) as conn:
        conn.execute(
            "UPDATE irbook_meta SET value = %s WHERE key = 'schema_version'", (str(version),)
        )


def test_db_init_creates_then_changes_nothing(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["db", "init", "--db", db_url]) == 0
    first = capsys.readouterr().out
    assert run(["db", "init", "--db", db_url]) == 0
    second = capsys.readouterr().out

    assert f"created the irbook tables (schema {SCHEMA_VERSION}) in " in first
    assert "is already an irbook database" in second and "nothing changed" in second
    if db_url.startswith("postgresql"):
        password = db_url.split("@")[0].rsplit(":", 1)[1]
        assert password not in first + second
        assert "irbook:***@127.0.0.1" in first


def test_db_info_counts_incidents_and_events(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    store = open_store(db_url)
    start_incident(load_runbook(DRILL), store=store, responder=Responder("lead", "h"))
    start_incident(load_runbook(DRILL), store=store, responder=Responder("lead", "h"))
    store.close()

    assert run(["db", "info", "--db", db_url, "--json"]) == 0
    info = json.loads(capsys.readouterr().out)

    assert info["backend"] == db_url.split(":")[0].split("+")[0]
    assert info["schema_version"] == SCHEMA_VERSION and info["compatible"] is True
    assert (info["incidents"], info["open_incidents"], info["events"]) == (2, 2, 2)
    assert "***" in info["url"] or info["backend"] == "sqlite"


def test_db_info_creates_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.db"
    assert run(["db", "info", "--db", str(missing)]) == 2
    err = capsys.readouterr().err
    assert "error: no database at sqlite:///" in err and "irbook db init" in err
    assert not missing.exists()


def test_db_info_on_an_empty_postgres_database_creates_no_tables(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import psycopg

    assert run(["db", "info", "--db", pg_url]) == 2
    assert "holds no irbook tables" in capsys.readouterr().err
    with psycopg.connect(libpq(pg_url)) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
    assert tables == (0,)


def test_a_database_from_a_newer_irbook_is_refused_unchanged(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    open_store(db_url).close()
    set_schema_version(db_url, SCHEMA_VERSION + 1)

    with pytest.raises(StoreError) as caught:
        open_store(db_url)
    assert "was written by a newer irbook" in caught.value.message
    assert f"(schema {SCHEMA_VERSION + 1}; this irbook knows {SCHEMA_VERSION})" in (
        caught.value.message
    )

    assert run(["list", "--db", db_url]) == 2
    err = capsys.readouterr().err
    assert "newer irbook" in err and "hint: upgrade irbook" in err and "Traceback" not in err
    # `db info` describes it instead of refusing, and warns
    assert run(["db", "info", "--db", db_url]) == 0
    captured = capsys.readouterr()
    assert f"{SCHEMA_VERSION + 1} (this irbook: {SCHEMA_VERSION})" in captured.out
    assert "needs a newer irbook" in captured.err


def test_a_libpq_url_means_psycopg(pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`postgresql://...` as psql takes it works (SQLAlchemy alone would want psycopg2)."""
    assert run(["db", "init", "--db", libpq(pg_url), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["backend"] == "postgresql"


def drop_table(url: str, table: str) -> None:
    """Drop a table from outside irbook (a hand-run DROP, a restore that lost it)."""
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            conn.execute("PRAGMA foreign_keys = OFF")
            conn.execute(f"DROP TABLE {table}")
        return
    import psycopg

    with psycopg.connect(libpq(url), autocommit=True) as conn:
        conn.execute(f"DROP TABLE {table} CASCADE")


def test_a_dropped_event_table_is_corrupt_not_unreachable(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    store = open_store(db_url)
    incident = start_incident(load_runbook(DRILL), store=store, responder=Responder("a", "h"))
    store.close()
    drop_table(db_url, "event")

    for argv in (["status", incident.incident_id], ["verify", incident.incident_id], ["list"]):
        assert run([*argv, "--db", db_url]) == 2, argv
        err = capsys.readouterr().err
        assert "is not a valid irbook database" in err and "table event is missing" in err
        assert "Traceback" not in err and "resume" not in err
