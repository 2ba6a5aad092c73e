"""`irbook assign` and `irbook watch`: who holds which role, and the live view of an incident."""

from __future__ import annotations

import json
import sys

import pytest
from teamkit import DRILL, Proxy

from irbook.cli import run
from irbook.domain.events import Kind, NewEvent, StepCompleted
from irbook.loader.load import load_runbook
from irbook.store import open_store
from irbook.usecases.incidents import Responder, load_state, record_anyway, start_incident
from irbook.usecases.team import Watcher


def opened(url: str) -> str:
    store = open_store(url)
    state = start_incident(
        load_runbook(DRILL),
        store=store,
        responder=Responder("lead", "h"),
        title="Malicious @acme/ui 2.3.1",
    )
    store.close()
    return state.incident_id


def complete(url: str, incident_id: str, step_id: str, actor: str) -> None:
    store = open_store(url)
    new = NewEvent(Kind.STEP_COMPLETED, StepCompleted(value=True), step_id=step_id)
    record_anyway(store, incident_id, new, Responder(actor, f"host-{actor}"))
    store.close()


def test_assign_records_the_role_and_a_later_one_replaces_it(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    incident = opened(db_url)
    assert run(["assign", incident, "ops-lead", "alice", "--db", db_url, "--as", "lead"]) == 0
    assert "ops-lead is now held by alice" in capsys.readouterr().out
    assert run(["assign", incident, "ops-lead", "bob", "--db", db_url, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["role"], out["person"]) == ("ops-lead", "bob")

    store = open_store(db_url)
    state = load_state(store, incident)
    assert state.roles == {"ops-lead": "bob"}
    events = state.events_of(Kind.ROLE_ASSIGNED)
    assert [(e.actor, e.payload["person"]) for e in events] == [
        ("lead", "alice"),
        (events[1].actor, "bob"),
    ]
    store.close()


def test_assign_an_unknown_role_says_which_roles_exist(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    incident = opened(sqlite_url)
    assert run(["assign", incident, "ops-led", "alice", "--db", sqlite_url]) == 2
    err = capsys.readouterr().err
    assert f"error: unknown role 'ops-led' for {incident} (did you mean 'ops-lead'?)" in err
    assert (
        "hint: the runbook's roles: incident-commander, ops-lead, security-engineer, "
        "comms-lead" in err
    )
    store = open_store(sqlite_url)
    assert load_state(store, incident).events_of(Kind.ROLE_ASSIGNED) == []
    store.close()


def test_watch_once_shows_progress_roles_and_latest_events(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    incident = opened(db_url)
    assert run(["assign", incident, "security-engineer", "carol", "--db", db_url]) == 0
    complete(db_url, incident, "npm-tokens", "carol")
    complete(db_url, incident, "declare", "dave")
    capsys.readouterr()

    assert run(["watch", incident, "--once", "--db", db_url]) == 0
    out = capsys.readouterr().out

    assert incident in out and "Malicious @acme/ui 2.3.1" in out
    assert "completed rotate/npm-tokens" in out and "carol" in out
    assert "completed isolate/declare" in out and "dave" in out
    assert "carol is security-engineer" in out
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    assert "1/2" in lines["Rotate"]  # npm-tokens of npm-tokens + ci-secrets
    assert "1/3" in lines["Isolate"]
    assert "unassigned" in lines["ops-lead"]


def test_watcher_reads_only_new_events_and_survives_a_lost_connection(pg_url: str) -> None:
    incident = opened(pg_url)
    proxy = Proxy(pg_url)
    store = open_store(proxy.url)
    watcher = Watcher.open(store, incident)
    assert watcher.poll() == 0

    complete(pg_url, incident, "declare", "alice")
    complete(pg_url, incident, "disconnect", "bob")
    assert watcher.poll() == 2
    assert watcher.frame().latest[0].text == "completed isolate/disconnect"

    proxy.cut()
    complete(pg_url, incident, "npm-tokens", "carol")  # others go on meanwhile
    assert watcher.poll() == 0
    frame = watcher.frame()
    assert frame.problem is not None and "lost or could not open the connection" in frame.problem
    assert frame.last_seq == 3  # what it had is still shown

    proxy.restore()
    assert watcher.poll() == 1
    assert watcher.frame().problem is None
    assert watcher.state.is_done("npm-tokens")
    assert watcher.state.last_seq == 4
    proxy.cut()
    store.close()


@pytest.mark.pty
def test_watch_ctrl_c_exits_130_without_a_traceback(sqlite_url: str) -> None:
    import pexpect

    incident = opened(sqlite_url)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "irbook", "watch", incident, "--interval", "0.2", "--db", sqlite_url],
        encoding="utf-8",
        timeout=120,
        dimensions=(40, 120),
    )
    child.expect("Latest events")
    complete(sqlite_url, incident, "declare", "alice")
    child.expect("completed isolate/declare")  # the live view picked it up
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in (child.before or "")
    assert f"stopped watching {incident}" in (child.before or "")
