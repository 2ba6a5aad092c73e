"""The least-privilege setup of docs/team-mode.md, run verbatim on a real server.

The SQL is read from the document itself, so the documentation cannot drift from what works:
responders (irbook_app) can open, walk, assign and close incidents, and nobody, the table owner
included, can edit, delete or truncate events.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from driver import RecordingDisplay
from teamkit import DRILL, assert_log_intact, libpq, server_url, with_database, write_answers

from irbook.cli import run
from irbook.domain.events import Kind, NewEvent, NoteAdded
from irbook.loader.load import load_runbook
from irbook.runner.api import resume
from irbook.store import open_store
from irbook.store.admin import init_database
from irbook.usecases.incidents import Responder, close_incident, record_anyway, start_incident
from irbook.usecases.team import assign_role

DOC = Path(__file__).resolve().parents[2] / "docs" / "team-mode.md"
pytestmark = pytest.mark.postgres


def sql_block(marker: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    found = re.search(rf"<!-- {marker} -->\n```sql\n(.*?)```", text, re.S)
    assert found, f"docs/team-mode.md lost its {marker} block"
    return found.group(1)


class Cluster:
    """Unique names for this test's roles and database (roles are server-wide)."""

    def __init__(self) -> None:
        tag = secrets.token_hex(4)
        self.names = {
            "irbook_owner": f"irbook_owner_{tag}",
            "irbook_app": f"irbook_app_{tag}",
            "alice": f"alice_{tag}",
            "irbook": f"irbook_{tag}",
        }
        self.password = secrets.token_hex(8)

    def rename(self, sql: str, *, database: bool) -> str:
        for old in ("irbook_owner", "irbook_app", "alice") + (("irbook",) if database else ()):
            sql = re.sub(rf"\b{old}\b", self.names[old], sql)
        return sql

    def url(self, role: str) -> str:
        base = with_database(server_url(), self.names["irbook"])
        return re.sub(r"//[^@]*@", f"//{self.names[role]}:{self.password}@", base)


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    import psycopg

    c = Cluster()
    admin_url = libpq(server_url())
    with psycopg.connect(admin_url, autocommit=True) as admin:
        # CREATE DATABASE cannot run inside a transaction: one statement at a time.
        setup = c.rename(sql_block("team-mode:setup-roles"), database=True)
        code = "\n".join(line.split("--")[0] for line in setup.splitlines())
        for statement in code.split(";"):
            if statement.strip():
                admin.execute(statement)
        for role in ("irbook_owner", "alice"):
            admin.execute(f"ALTER ROLE {c.names[role]} PASSWORD '{c.password}'")
    try:
        yield c
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {c.names['irbook']} WITH (FORCE)")
            for role in ("alice", "irbook_app", "irbook_owner"):
                admin.execute(f"DROP ROLE IF EXISTS {c.names[role]}")


def set_up_as_documented(cluster: Cluster) -> None:
    """`irbook db init` as the owner, then the grants block, as the document says."""
    import psycopg

    assert init_database(cluster.url("irbook_owner")).created
    with psycopg.connect(libpq(cluster.url("irbook_owner")), autocommit=True) as owner:
        owner.execute(cluster.rename(sql_block("team-mode:grants"), database=False))


def test_documented_roles_walk_an_incident_and_cannot_rewrite_the_log(
    cluster: Cluster, tmp_path: Path
) -> None:
    import psycopg

    set_up_as_documented(cluster)

    # Everything a responder does, as the least-privileged login.
    alice_url = cluster.url("alice")
    store = open_store(alice_url)
    alice = Responder("alice", "laptop-a")
    state = start_incident(load_runbook(DRILL), store=store, responder=alice)
    assign_role(store, state.incident_id, "ops-lead", "alice", responder=alice)
    steps = {s.id: "done" for _, s in state.runbook.steps()} | {"affected-devices": ["ci-4"]}
    walked = resume(
        state.incident_id,
        store=store,
        responder=alice,
        display=RecordingDisplay(),
        answers=write_answers(tmp_path / "a.json", steps),
    )
    assert walked.outcome == "settled"
    closed = close_incident(store, state.incident_id, responder=alice)
    assert closed.status == "completed"
    assert store.incident(state.incident_id).status == "completed"
    events = assert_log_intact(store, state.incident_id)
    assert events[-1].kind == Kind.INCIDENT_CLOSED
    store.close()

    # Nobody rewrites history: alice lacks the privilege, the owner hits the trigger.
    for role, refusal in (("alice", "permission denied"), ("irbook_owner", "append-only")):
        with psycopg.connect(libpq(cluster.url(role)), autocommit=True) as conn:
            for statement in (
                "UPDATE event SET actor = 'mallory' WHERE seq = 2",
                "DELETE FROM event WHERE seq = 2",
                "TRUNCATE event CASCADE",
            ):
                with pytest.raises(psycopg.errors.InsufficientPrivilege) as refused:
                    conn.execute(statement)
                assert refusal in str(refused.value), (role, statement)

    check = open_store(cluster.url("irbook_owner"))
    assert [e.hash for e in assert_log_intact(check, state.incident_id)] == [e.hash for e in events]
    check.close()


def test_the_app_role_cannot_append_an_event_that_breaks_the_chain(cluster: Cluster) -> None:
    """Issue 12: as the app role, `INSERT ... seq=1000000` with a junk hash used to succeed, and
    every later append chained after it, so `verify` failed for good."""
    import psycopg

    set_up_as_documented(cluster)
    store = open_store(cluster.url("alice"))
    alice = Responder(cluster.names["alice"], "laptop-a")
    incident = start_incident(load_runbook(DRILL), store=store, responder=alice).incident_id
    columns = "incident_id, seq, at, actor, host, kind, payload, prev_hash, hash"
    forged = f"INSERT INTO event ({columns}) VALUES (%s, %s, now(), 'x', 'h', 'note_added', '{{}}', %s, %s)"

    with psycopg.connect(libpq(cluster.url("alice")), autocommit=True) as conn:
        for seq, prev in ((1_000_000, "0" * 64), (2, "junk"), (3, store.events(incident)[0].hash)):
            with pytest.raises(psycopg.errors.IntegrityConstraintViolation) as caught:
                conn.execute(forged, (incident, seq, prev, "f" * 64))
            assert "irbook: event" in str(caught.value) and "refused" in str(caught.value)

    record_anyway(store, incident, NewEvent(Kind.NOTE_ADDED, NoteAdded(text="on we go")), alice)
    assert [e.seq for e in assert_log_intact(store, incident)] == [1, 2]
    store.close()


def test_each_event_records_the_login_the_server_authenticated(
    cluster: Cluster, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 12: `irbook note --as carol` while logged in as alice recorded actor carol and
    nothing else; the login is now set by the server (not sent by irbook) and shown next to it."""
    import psycopg

    set_up_as_documented(cluster)
    alice_login = cluster.names["alice"]
    url = cluster.url("alice")
    store = open_store(url)
    incident = start_incident(
        load_runbook(DRILL), store=store, responder=Responder(alice_login, "laptop-a")
    ).incident_id
    store.close()

    assert run(["note", incident, "seen from the VPN logs", "--as", "carol", "--db", url]) == 0
    # A client that sends its own login is overruled by the server.
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        head = conn.execute("SELECT hash FROM event WHERE seq = 2").fetchone()
        assert head is not None
        conn.execute(
            "INSERT INTO event (incident_id, seq, at, actor, host, kind, payload, prev_hash, hash, "
            "login) VALUES (%s, 3, now(), 'bob', 'h', 'note_added', '{}', %s, %s, 'bob')",
            (incident, head[0], "f" * 64),
        )
        logins = conn.execute("SELECT seq, actor, login FROM event ORDER BY seq").fetchall()
    assert logins == [
        (1, alice_login, alice_login),
        (2, "carol", alice_login),
        (3, "bob", alice_login),
    ]

    answers = write_answers(tmp_path / "a.json", {"declare": True})
    assert run(["resume", incident, "--as", "carol", "--answers", str(answers), "--db", url]) == 1
    capsys.readouterr()
    assert run(["status", incident, "--json", "--db", url]) == 0
    declare = json.loads(capsys.readouterr().out)["phases"][0]["steps"][0]
    assert (declare["id"], declare["actor"], declare["login"]) == ("declare", "carol", alice_login)
    assert run(["status", incident, "--db", url]) == 0
    assert f"declare  carol (login {alice_login})" in capsys.readouterr().out
    assert run(["watch", incident, "--once", "--db", url]) == 0
    watched = capsys.readouterr().out
    assert f"carol (login {alice_login})" in watched and f"bob (login {alice_login})" in watched
    report = tmp_path / "r.md"
    assert run(["report", incident, "--format", "md", "-o", str(report), "--db", url]) == 0
    markdown_login = alice_login.replace("_", "\\_")  # Markdown escapes the underscore
    assert f"carol (login {markdown_login})" in report.read_text(encoding="utf-8")

    # The login is part of what irbook hashes: the chain of irbook's own events verifies up to
    # the forged event 3 (whose hash is junk), and changing a login would break it.
    check = open_store(cluster.url("irbook_owner"))
    events = check.events(incident)
    from irbook.usecases.verify import verify_chain

    assert verify_chain(incident, events[:2]).ok
    assert verify_chain(incident, events).bad_seq == 3
    check.close()


def test_enforce_actor_makes_the_server_refuse_an_actor_that_is_not_the_login(
    cluster: Cluster, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    set_up_as_documented(cluster)
    alice_login = cluster.names["alice"]
    owner, url = cluster.url("irbook_owner"), cluster.url("alice")
    assert run(["db", "init", "--enforce-actor", "--db", owner]) == 0
    assert "now refuses an event whose actor is not the database login" in capsys.readouterr().out
    assert run(["db", "info", "--db", url]) == 0
    assert "must be the database login" in capsys.readouterr().out

    answers = str(write_answers(tmp_path / "a.json", {}))
    assert run(["start", str(DRILL), "--as", "carol", "--answers", answers, "--db", url]) == 2
    assert 'the actor "carol" is not your database login' in capsys.readouterr().err
    store = open_store(url)
    incident = start_incident(
        load_runbook(DRILL), store=store, responder=Responder(alice_login, "laptop-a")
    ).incident_id
    store.close()

    code = run(["note", incident, "hello", "--as", "carol", "--db", url])

    err = capsys.readouterr().err
    assert code == 2
    assert f'the actor "carol" is not your database login "{alice_login}"' in err
    assert "Traceback" not in err and "CONTEXT" not in err
    assert run(["note", incident, "hello", "--as", alice_login, "--db", url]) == 0
    # and off again: recorded, with the login next to it
    assert run(["db", "init", "--no-enforce-actor", "--db", owner]) == 0
    assert run(["note", incident, "hello", "--as", "carol", "--db", url]) == 0
    check = open_store(owner)
    who = [(e.actor, e.login) for e in check.events(incident)]
    check.close()
    assert who == [(alice_login, alice_login), (alice_login, alice_login), ("carol", alice_login)]


def test_enforce_actor_is_refused_on_sqlite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["db", "init", "--enforce-actor", "--db", str(tmp_path / "x.db")]) == 2
    assert "--enforce-actor needs PostgreSQL" in capsys.readouterr().err


def test_the_app_role_cannot_close_or_reopen_an_incident_without_the_close_event(
    cluster: Cluster, tmp_path: Path
) -> None:
    """Issue 12: the app role could set incident.status / closed_at with no close event. It now
    has no UPDATE on `incident`; the close event updates the row through the owner's trigger,
    and the owner's own UPDATE must agree with the log."""
    import psycopg

    set_up_as_documented(cluster)
    alice = Responder(cluster.names["alice"], "laptop-a")
    store = open_store(cluster.url("alice"))
    incident = start_incident(load_runbook(DRILL), store=store, responder=alice).incident_id
    forge = "UPDATE incident SET status = 'completed', closed_at = now() WHERE id = %s"
    with psycopg.connect(libpq(cluster.url("alice")), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
            conn.execute(forge, (incident,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="irbook: a new incident"):
            conn.execute(
                "INSERT INTO incident SELECT 'IR-FORGED', title, severity, 'completed', "
                "runbook_id, runbook_version, runbook_sha256, opened_at, opened_by, now() "
                "FROM incident WHERE id = %s",
                (incident,),
            )
    owner = psycopg.connect(libpq(cluster.url("irbook_owner")), autocommit=True)
    with owner, pytest.raises(psycopg.errors.InsufficientPrivilege, match="irbook: incident"):
        owner.execute(forge, (incident,))
    assert [i.id for i in store.incidents(status="open")] == [incident]

    steps = {s.id: "done" for _, s in load_runbook(DRILL).runbook.steps()}
    answers = write_answers(tmp_path / "a.json", steps | {"affected-devices": ["ci-4"]})
    resume(incident, store=store, responder=alice, display=RecordingDisplay(), answers=answers)
    close_incident(store, incident, responder=alice)  # as alice, who has no UPDATE on incident

    closed = store.incident(incident)
    close_event = store.events(incident)[-1]
    assert (closed.status, closed.closed_at) == ("completed", close_event.at)
    with psycopg.connect(libpq(cluster.url("irbook_owner")), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="irbook: incident"):
            conn.execute("UPDATE incident SET status = 'open', closed_at = NULL")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="irbook: incident"):
            conn.execute("UPDATE incident SET title = 'nothing happened'")
    store.close()
