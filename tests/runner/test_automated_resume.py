"""A kill around an automated step (check, notify) never makes a resume run it a second time.

A check's result and a notify step's notification_rendered are committed together with the
step's completion, and a notify step's .eml gets its name only after that commit. So:

- kills targeted at each automated step's result event (by committed-event count, as in
  test_crash.py) leave, after resume, one result event, one completion and one .eml per step;
- a kill after the commit but before the .eml was published leaves a hidden draft that the
  resume publishes (the file the event names, byte for byte);
- a result recorded without its completion (what an older irbook left when killed between the
  two) is used by the resume instead of running the check or rendering the message again.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from test_crash import count_events, events
from walker_support import CASE, RecordingDisplay, responder

from irbook.domain.events import Kind, NewEvent
from irbook.errors import StepUnansweredError
from irbook.loader import catalog
from irbook.notify.message import draft_path
from irbook.notify.service import run_notify_step
from irbook.prompts import ScriptedPrompter
from irbook.runner import TerminalSource, Walker, actions
from irbook.runner.api import resume, start
from irbook.runner.walk import WalkOptions
from irbook.store import Store, open_store
from irbook.usecases.incidents import load_state, record_anyway

ANSWERS = CASE / "answers.yaml"
RESULTS = (Kind.CHECK_RAN, Kind.NOTIFICATION_RENDERED)


def irbook(*args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "irbook", *args],
        cwd=CASE,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def assert_each_automated_step_once(db: Path, out: Path, expected: Counter[str | None]) -> None:
    log = events(db)
    results = Counter(e.step_id for e in log if e.kind in RESULTS)
    assert results == expected, "a check ran or a message was rendered twice"
    settled = Counter(e.step_id for e in log if e.kind in ("step_completed", "step_skipped"))
    assert set(settled.values()) == {1}, "a step was settled twice"
    rendered = [e for e in log if e.kind == Kind.NOTIFICATION_RENDERED]
    (folder,) = out.iterdir()
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        Path(e.payload["path"]).name for e in rendered
    ), "a second .eml, or a draft left behind"
    for event in rendered:
        data = Path(event.payload["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == event.payload["sha256"]


def test_kills_at_each_automated_result_then_resume_runs_nothing_twice(tmp_path: Path) -> None:
    base = {**os.environ, "IRBOOK_ACTOR": "kill-test"}
    ref_env = {
        **base,
        "IRBOOK_DB": str(tmp_path / "ref.db"),
        "IRBOOK_OUTPUT_DIR": str(tmp_path / "ref"),
    }
    ref = irbook("start", "supply-chain-compromise", "--answers", str(ANSWERS), env=ref_env)
    assert ref.wait(timeout=120) == 0
    reference = [e for e in events(tmp_path / "ref.db") if e.kind in RESULTS]
    expected = Counter(e.step_id for e in reference)  # one result per check and notify step
    assert set(expected.values()) == {1} and len(expected) >= 6
    targets = [e.seq for e in reference]

    def kill_at(n: int) -> None:
        db, out = tmp_path / f"kill-{n}.db", tmp_path / f"out-{n}"
        env = {**base, "IRBOOK_DB": str(db), "IRBOOK_OUTPUT_DIR": str(out)}
        proc = irbook("start", "supply-chain-compromise", "--answers", str(ANSWERS), env=env)
        # the moment the result event is committed (on the old code: before the completion)
        while proc.poll() is None and count_events(db) < targets[n]:
            pass
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        resumed = irbook("resume", "--answers", str(ANSWERS), env=env)
        _, err = resumed.communicate(timeout=120)
        assert resumed.returncode == 0, err.decode()
        assert_each_automated_step_once(db, out, expected)

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(kill_at, range(len(targets))))


@pytest.fixture
def walked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Store, str, Path]:
    """The shipped runbook walked with an answers file that lacks legal-notice and
    lockfile-audit: it stops at legal-notice (the notify step before the check)."""
    monkeypatch.chdir(CASE)  # the answers' paths are relative to the working directory
    text = ANSWERS.read_text(encoding="utf-8")
    partial = tmp_path / "partial.yaml"
    held = ("lockfile-audit: done", "legal-notice: done")
    kept = [line for line in text.splitlines(keepends=True) if line.strip() not in held]
    partial.write_text("".join(kept), encoding="utf-8")
    store = open_store(str(tmp_path / "irbook.db"))
    out = tmp_path / "out"
    with pytest.raises(StepUnansweredError):
        start(
            catalog.load("supply-chain-compromise"),
            store=store,
            responder=responder(),
            display=RecordingDisplay(),
            answers=partial,
            options=WalkOptions(out_dir=out),
        )
    (incident,) = store.incidents()
    return store, incident.id, out


def finish(store: Store, incident_id: str, out: Path) -> RecordingDisplay:
    display = RecordingDisplay()
    result = resume(
        incident_id,
        store=store,
        responder=responder("bob"),
        display=display,
        answers=ANSWERS,
        options=WalkOptions(out_dir=out),
    )
    assert result.outcome == "settled"
    return display


def test_a_result_recorded_without_its_completion_is_used_not_run_again(
    walked: tuple[Store, str, Path], tmp_path: Path
) -> None:
    """What an older irbook left when killed between notification_rendered (with its .eml) and
    step_completed, and between check_ran and step_completed."""
    store, incident_id, out = walked
    state = load_state(store, incident_id)
    (eml,) = run_notify_step(
        store=store,
        state=state,
        step=state.runbook.step("legal-notice"),  # type: ignore[arg-type]  # a NotifyStep
        responder=responder(),
        out_dir=out,
    )
    no_check = tmp_path / "no-check.yaml"
    text = ANSWERS.read_text(encoding="utf-8")
    no_check.write_text(text.replace("  lockfile-audit: done\n", ""), encoding="utf-8")
    first = RecordingDisplay()
    with pytest.raises(StepUnansweredError):  # uses the rendered message, stops at the check
        resume(
            incident_id,
            store=store,
            responder=responder("bob"),
            display=first,
            answers=no_check,
            options=WalkOptions(out_dir=out),
        )
    state = load_state(store, incident_id)
    step = state.runbook.step("lockfile-audit")
    check = actions.run_check(step, state, cwd=CASE)  # type: ignore[arg-type]  # a CheckStep
    new = NewEvent(Kind.CHECK_RAN, check, step_id=step.id)
    ran = record_anyway(store, incident_id, new, responder())

    second = finish(store, incident_id, out)

    final = load_state(store, incident_id)
    assert [e.seq for e in final.events_of(Kind.CHECK_RAN) if e.step_id == step.id] == [ran.seq]
    assert final.steps["lockfile-audit"].value == {
        "ok": check.ok,
        "summary": check.summary,
        "findings": len(check.findings),
    }
    rendered = [e for e in final.events_of(Kind.NOTIFICATION_RENDERED)]
    assert [e.step_id for e in rendered].count("legal-notice") == 1, [
        (e.seq, e.kind, e.step_id, e.actor) for e in final.events if e.step_id == "legal-notice"
    ]
    assert final.steps["legal-notice"].value == {"files": [str(eml.resolve())]}
    assert len(list(out.glob("*legal-notice*.eml"))) == 1
    used = [
        line for line in first.lines + second.lines if "using the result recorded at event" in line
    ]
    assert len(used) == 2, first.lines + second.lines


def test_a_draft_left_by_a_kill_after_its_commit_is_published_on_resume(
    walked: tuple[Store, str, Path],
) -> None:
    store, incident_id, out = walked
    finish(store, incident_id, out)
    state = load_state(store, incident_id)
    rendered = len(state.events_of(Kind.NOTIFICATION_RENDERED))
    (event,) = [
        e for e in state.events_of(Kind.NOTIFICATION_RENDERED) if e.step_id == "legal-notice"
    ]
    final = Path(event.payload["path"])
    # the state a kill leaves between the commit and the rename: the bytes under the draft name
    final.rename(draft_path(final, event.payload["sha256"]))

    display = finish(store, incident_id, out)

    assert hashlib.sha256(final.read_bytes()).hexdigest() == event.payload["sha256"]
    assert not draft_path(final, event.payload["sha256"]).exists()
    assert f"notice: wrote {final} (recorded before the last run was stopped)" in display.lines
    assert len(load_state(store, incident_id).events_of(Kind.NOTIFICATION_RENDERED)) == rendered


def test_running_a_check_again_is_recorded_as_such(walked: tuple[Store, str, Path]) -> None:
    """The responder asks for a re-run by going back to the step: the reopening and the second
    result are both in the log, each result with its own completion."""
    store, incident_id, out = walked
    text = ANSWERS.read_text(encoding="utf-8")
    no_check = out.parent / "no-check.yaml"
    no_check.write_text(text.replace("  lockfile-audit: done\n", ""), encoding="utf-8")
    with pytest.raises(StepUnansweredError):  # everything up to the check, by answers file
        resume(
            incident_id,
            store=store,
            responder=responder("bob"),
            display=RecordingDisplay(),
            answers=no_check,
            options=WalkOptions(out_dir=out),
        )
    script = ["done", "back", "lockfile-audit", "done", "pause"]  # run, go back, run again
    walker = Walker(
        store=store,
        responder=responder("carol"),
        source=TerminalSource(ScriptedPrompter(script)),
        display=RecordingDisplay(),
        options=WalkOptions(out_dir=out),
    )
    assert walker.run(incident_id).outcome == "paused"

    log = [e for e in store.events(incident_id) if e.step_id == "lockfile-audit"]
    assert [e.kind for e in log] == [
        Kind.CHECK_RAN,
        Kind.STEP_COMPLETED,
        Kind.STEP_REOPENED,
        Kind.CHECK_RAN,
        Kind.STEP_COMPLETED,
    ]
