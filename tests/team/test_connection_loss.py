"""Losing the shared database mid-walk: a clear message, nothing committed is lost, resume goes on.

The network is cut with a TCP proxy between irbook and PostgreSQL (what a laptop leaving the VPN
does); the server itself is killed from the inside with pg_terminate_backend.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from driver import RecordingDisplay
from teamkit import DRILL, Proxy, assert_log_intact, libpq, write_answers

from irbook.cli import run
from irbook.domain.engine import IncidentState
from irbook.domain.events import Kind, NewEvent, NoteAdded
from irbook.domain.models import CommandStep, RunbookInput, Step
from irbook.errors import StoreUnavailableError
from irbook.loader.load import load_runbook
from irbook.runner.api import resume
from irbook.runner.decisions import Complete, Decision
from irbook.runner.walk import Walker, WalkOptions
from irbook.store import open_store
from irbook.usecases.incidents import Responder, record_anyway, start_incident

ANSWERS: dict[str, Any] = {
    "declare": True,
    "disconnect": True,
    "affected-devices": ["laptop-17"],
    "npm-tokens": True,
    "ci-secrets": True,
    "internal-update": True,
}


class CutsTheCable:
    """Answers every step; when asked ``at``, the network goes down first."""

    def __init__(self, proxy: Proxy, at: str) -> None:
        self.proxy, self.at = proxy, at

    def input_value(self, spec: RunbookInput) -> Any:
        raise AssertionError("the drill has no inputs")

    def decide(self, step: Step, state: IncidentState) -> Decision:
        if step.id == self.at:
            self.proxy.cut()
        return Complete(ANSWERS[step.id])

    def confirm_command(self, step: CommandStep) -> bool:
        return False

    def close_at_end(self) -> bool:
        return False


def test_network_lost_mid_walk_clear_error_committed_kept_resume_continues(
    pg_url: str, tmp_path: Path
) -> None:
    direct = open_store(pg_url)
    incident = start_incident(load_runbook(DRILL), store=direct, responder=Responder("lead", "h"))
    proxy = Proxy(pg_url)
    store = open_store(proxy.url)
    walker = Walker(
        store=store,
        responder=Responder("bob", "laptop-b"),
        source=CutsTheCable(proxy, "npm-tokens"),
        display=RecordingDisplay(),
        options=WalkOptions(interactive=False),
    )

    with pytest.raises(StoreUnavailableError) as caught:
        walker.run(incident.incident_id)

    err = caught.value
    assert err.message.startswith("lost or could not open the connection to postgresql+psycopg://")
    assert f"127.0.0.1:{proxy.port}" in err.message
    password = pg_url.split("@")[0].rsplit(":", 1)[1]
    assert password not in err.message and "***" in err.message
    assert err.hint is not None and "irbook resume" in err.hint and "kept" in err.hint
    # Everything answered before the cable was cut is committed.
    done = [e.step_id for e in direct.events(incident.incident_id) if e.kind == Kind.STEP_COMPLETED]
    assert done == ["declare", "disconnect", "affected-devices"]

    proxy.restore()  # back on the network: the same store reconnects, resume goes on
    answers = write_answers(tmp_path / "rest.json", ANSWERS)
    result = resume(
        incident.incident_id,
        store=store,
        responder=Responder("bob", "laptop-b"),
        display=RecordingDisplay(),
        answers=answers,
    )

    assert result.outcome == "settled"
    events = assert_log_intact(direct, incident.incident_id)
    completed = [e.step_id for e in events if e.kind == Kind.STEP_COMPLETED]
    assert sorted(completed) == sorted(ANSWERS)  # each once, nothing lost, nothing doubled
    proxy.cut()
    store.close()
    direct.close()


def test_backend_terminated_between_appends_next_append_reconnects(pg_url: str) -> None:
    """The server kills our session (restart, failover, idle timeout): the dead pooled
    connection is replaced on the next use, so the walker never notices and nothing is lost."""
    import psycopg

    store = open_store(pg_url)
    incident = start_incident(load_runbook(DRILL), store=store, responder=Responder("lead", "h"))
    alice = Responder("alice", "laptop-a")
    note = NewEvent(Kind.NOTE_ADDED, NoteAdded(text="before"))
    record_anyway(store, incident.incident_id, note, alice)
    with psycopg.connect(libpq(pg_url), autocommit=True) as admin:
        killed = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    assert killed is not None and killed[0] >= 1  # our pooled session was really killed

    after = NewEvent(Kind.NOTE_ADDED, NoteAdded(text="after"))
    record_anyway(store, incident.incident_id, after, alice)

    events = assert_log_intact(store, incident.incident_id)
    assert [e.payload["text"] for e in events if e.kind == Kind.NOTE_ADDED] == ["before", "after"]
    store.close()


def test_cli_with_the_server_unreachable_exits_4_with_a_clear_message(
    pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    direct = open_store(pg_url)
    incident = start_incident(load_runbook(DRILL), store=direct, responder=Responder("lead", "h"))
    direct.close()
    proxy = Proxy(pg_url)
    proxy.cut()  # nothing listens on that port any more
    answers = write_answers(tmp_path / "a.json", ANSWERS)

    code = run(["resume", incident.incident_id, "--answers", str(answers), "--db", proxy.url])

    err = capsys.readouterr().err
    assert code == 4
    assert "error: lost or could not open the connection to postgresql+psycopg://" in err
    assert "Traceback" not in err
    assert "hint: check the database is reachable" in err
