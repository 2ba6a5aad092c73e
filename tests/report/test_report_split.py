"""A long log's report written by two processes (report/split.py, issue 17).

The split must change nothing a reader can see: every format byte for byte the report of one
process (the digests of test_report_stream.py), the same verdict on an edited, deleted or moved
event wherever it lies (in the part this process formats, in the child's, on the boundary), a
secret in the child's part masked and named, and the same report when the child fails or there
is no fork. The split threshold is lowered so that a 3,000-event log is split.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from big_incident import grow
from scripted_incident import Scripted
from test_report_stream import BEFORE_STREAMING, EVENTS, digest, small_batches

from irbook.report import FORMATS, split
from irbook.report.service import report_incident
from irbook.store import open_reader


def report(scripted: Scripted, fmt: str) -> str:
    reader = open_reader(scripted.db_url)
    try:
        exported = report_incident(reader, scripted.incident_id, fmt)
        try:
            return exported.text
        finally:
            exported.close()
    finally:
        reader.close()


def one_process_report(scripted: Scripted, fmt: str, monkeypatch: pytest.MonkeyPatch) -> str:
    with monkeypatch.context() as m:
        m.setattr(split, "SPLIT_FROM", 10**9)
        return report(scripted, fmt)


def test_a_split_report_is_byte_identical_in_every_format(
    grown: Scripted, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    for fmt in FORMATS:
        assert digest(report(grown, fmt)) == BEFORE_STREAMING[fmt], fmt
    assert len(forks) == len(FORMATS) - 1  # not the follow-ups CSV: a handful of events
    small_batches(monkeypatch)  # many batches and spills on disk, in both processes
    for fmt in ("md", "html", "json"):
        assert digest(report(grown, fmt)) == BEFORE_STREAMING[fmt], fmt


def test_when_the_child_fails_this_process_does_its_part(
    grown: Scripted, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = os.getpid()
    real = split.SplitReport._format_rest

    def dies_in_the_child(self: split.SplitReport, reader: object) -> object:
        if os.getpid() != parent:
            raise MemoryError("the child ran out of memory")
        return real(self, reader)  # type: ignore[arg-type]

    monkeypatch.setattr(split.SplitReport, "_format_rest", dies_in_the_child)
    for fmt in ("md", "json"):
        assert digest(report(grown, fmt)) == BEFORE_STREAMING[fmt], fmt
    assert len(forks) == 2


def test_without_fork_the_report_is_the_same(
    grown: Scripted, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_fork() -> int:
        raise OSError("fork: Resource temporarily unavailable")

    monkeypatch.setattr(split.os, "fork", no_fork)
    assert digest(report(grown, "html")) == BEFORE_STREAMING["html"]


def tamper(db: Path, statement: str) -> None:
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(statement)
    conn.close()


def note_seq(db: Path, *, after: int) -> int:
    conn = sqlite3.connect(db)
    try:
        row = conn.execute(
            "SELECT min(seq) FROM event WHERE kind = 'note_added' AND seq > ?", (after,)
        ).fetchone()
        return int(row[0])
    finally:
        conn.close()


def edit(seq: int) -> str:
    return f"UPDATE event SET payload = json_set(payload, '$.text', 'edited') WHERE seq = {seq}"


BOUNDARY = int(EVENTS * split.HERE_SHARE)  # the last event formatted by the report process


@pytest.mark.parametrize(
    "where",
    ["parent's part", "on the boundary", "just after it", "child's part", "last event"],
)
def test_an_edited_event_gets_the_same_verdict_wherever_it_lies(
    grown: Scripted, forks: list[int], monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    seq = {
        "parent's part": note_seq(grown.db_path, after=100),
        "on the boundary": BOUNDARY,
        "just after it": BOUNDARY + 1,
        "child's part": note_seq(grown.db_path, after=2000),
        "last event": EVENTS,
    }[where]
    tamper(grown.db_path, f"UPDATE event SET actor = 'mallory' WHERE seq = {seq}")
    split_json = report(grown, "json")
    assert forks
    verdict = json.loads(split_json)
    assert verdict["chain_intact"] is False
    assert f"event {seq} " in verdict["chain_problem"]
    assert split_json == one_process_report(grown, "json", monkeypatch)


def test_a_deleted_event_in_the_childs_part_is_named_missing(
    grown: Scripted, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    seq = note_seq(grown.db_path, after=2200)
    tamper(grown.db_path, f"DELETE FROM event WHERE seq = {seq}")
    verdict = json.loads(report(grown, "json"))
    assert forks
    assert verdict["chain_intact"] is False
    assert f"event {seq} is missing" in verdict["chain_problem"]
    assert report(grown, "md") == one_process_report(grown, "md", monkeypatch)


def test_a_payload_edited_in_the_childs_part_breaks_the_chain_there(
    grown: Scripted, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    seq = note_seq(grown.db_path, after=2600)
    tamper(grown.db_path, edit(seq))
    text = report(grown, "md")
    assert forks
    assert f"event {seq} (note\\_added) was edited" in text  # Markdown escapes the _
    assert text == one_process_report(grown, "md", monkeypatch)


def test_a_secret_in_the_childs_part_is_masked_and_named(grown: Scripted, forks: list[int]) -> None:
    token = "ghp_" + "Qw7" * 12  # fake
    seq = note_seq(grown.db_path, after=2400)
    tamper(
        grown.db_path,
        f"UPDATE event SET payload = json_set(payload, '$.text', 'pasted {token}') WHERE seq = {seq}",
    )
    for fmt in ("md", "html", "json", "csv"):
        reader = open_reader(grown.db_url)
        exported = report_incident(reader, grown.incident_id, fmt)
        assert token not in exported.text and "[REDACTED" in exported.text, fmt
        assert "github-pat" in exported.redacted or "token-prefix-github" in exported.redacted
        exported.close()
        reader.close()
    assert len(forks) == 4


def test_events_appended_after_the_report_began_are_left_out_by_both_processes(
    grown: Scripted, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plan fixes the last event when the report begins; one appended while it is written
    is in neither part (here: the plan is made, then ten events are appended)."""
    before = report(grown, "json")
    real_plan = split.plan

    def plan_then_append(*args: object) -> split.Plan | None:
        planned = real_plan(*args)  # type: ignore[arg-type]
        grow(grown.store, grown.incident_id, EVENTS + 10)
        return planned

    monkeypatch.setattr(split, "plan", plan_then_append)  # service imports it when it reports
    assert report(grown, "json") == before


def test_when_the_childs_verdict_does_not_fit_the_chain_is_checked_here(
    grown: Scripted, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """E.g. the child read a different event at the boundary than this process checked: its
    verdict is not taken, and its part of the chain is checked again from the store."""
    seq = note_seq(grown.db_path, after=2300)
    tamper(grown.db_path, f"UPDATE event SET host = 'elsewhere' WHERE seq = {seq}")
    monkeypatch.setattr(split.SplitReport, "rest_verdict", lambda self, head, last: None)
    split_json = report(grown, "json")
    assert forks
    verdict = json.loads(split_json)
    assert verdict["chain_intact"] is False and f"event {seq} " in verdict["chain_problem"]
    assert split_json == one_process_report(grown, "json", monkeypatch)


def test_a_stuck_child_is_stopped_and_its_part_done_here(
    grown: Scripted, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    parent = os.getpid()
    real = split.SplitReport._format_rest

    def hangs_in_the_child(self: split.SplitReport, reader: object) -> object:
        if os.getpid() != parent:
            time.sleep(600)
        return real(self, reader)  # type: ignore[arg-type]

    monkeypatch.setattr(split.SplitReport, "_format_rest", hangs_in_the_child)
    monkeypatch.setattr(split, "MIN_WAIT_S", 0.5)
    assert digest(report(grown, "md")) == BEFORE_STREAMING["md"]
    assert len(forks) == 1
    with pytest.raises(ChildProcessError):  # stopped and reaped: no child left behind
        os.waitpid(forks[0], os.WNOHANG)


def test_a_program_with_threads_is_not_forked(grown: Scripted, forks: list[int]) -> None:
    """The Python API may run inside a threaded program: a fork there could leave the child
    waiting on a lock another thread held. One process writes the report instead."""
    import threading

    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    try:
        assert digest(report(grown, "json")) == BEFORE_STREAMING["json"]
    finally:
        stop.set()
        worker.join()
    assert forks == []
    assert digest(report(grown, "json")) == BEFORE_STREAMING["json"]
    assert len(forks) == 1


def test_a_damaged_row_in_the_childs_part_is_refused_as_by_one_process(
    grown: Scripted, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from irbook.errors import DamagedLogError

    tamper(grown.db_path, "UPDATE event SET payload = '{not json' WHERE seq IN (2500, 2900)")
    with pytest.raises(DamagedLogError) as split_error:
        report(grown, "md")
    assert forks  # the child was started, and stopped with the report
    with monkeypatch.context() as m:
        m.setattr(split, "SPLIT_FROM", 10**9)
        with pytest.raises(DamagedLogError) as one_error:
            report(grown, "md")
    assert split_error.value.message == one_error.value.message
    assert "event 2500" in split_error.value.message
    with pytest.raises(ChildProcessError):  # no child left behind
        os.waitpid(forks[0], os.WNOHANG)


@pytest.mark.parametrize("offset", [0, 1])
def test_a_deleted_event_at_the_boundary_is_named_missing_as_by_one_process(
    grown: Scripted, forks: list[int], monkeypatch: pytest.MonkeyPatch, offset: int
) -> None:
    """The event the split falls on (or the one after it) is gone: this process's part ends one
    event early, the child's starts one late, and neither alone sees the gap."""
    seq = BOUNDARY + offset
    tamper(grown.db_path, f"DELETE FROM event WHERE seq = {seq}")
    split_json = report(grown, "json")
    assert forks
    verdict = json.loads(split_json)
    assert verdict["chain_intact"] is False
    assert f"event {seq} is missing" in verdict["chain_problem"], verdict["chain_problem"]
    assert split_json == one_process_report(grown, "json", monkeypatch)
