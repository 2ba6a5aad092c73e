"""The streamed report (issue 17): the log is read a batch at a time, folded without being held,
and each per-event section is formatted into a spill as it goes.

The reports must be exactly the ones the in-memory exporter gave before (digests below, taken
with that exporter at commit 0d52bc1 (drills, command output blocks), on the same deterministic incident), whatever the batch,
page and spill sizes; the peak memory must not grow with the log.
"""

from __future__ import annotations

import hashlib
import sqlite3
import tracemalloc
from pathlib import Path

import pytest
from big_incident import GROWN_EVENTS, grow
from scripted_incident import Scripted, script_incident

from irbook.domain import engine
from irbook.domain.events import Kind
from irbook.errors import DamagedLogError
from irbook.report import FORMATS, build_report, export_report, stream
from irbook.report import service as report_service
from irbook.report.service import report_incident
from irbook.store import open_reader, open_store
from irbook.store import reader as reader_module
from irbook.store import store as store_module
from irbook.usecases.incidents import load_state

EVENTS = GROWN_EVENTS
BEFORE_STREAMING = {  # sha256 of each format of the 3,000-event incident, in-memory exporter
    "md": "e67ff9a257bf1289bed37ed1fb8e73d15d580f6fe7acec66eaa74ee7b6738775",
    "html": "6f92f89a0f93e641f863a5789196d08aefd778069fbaf766f5fe7b193bca086d",
    "json": "719c293ecc95e65aa7e607ea3c1e5a273bc20919517473b3a50e9032b40bccb5",
    "csv": "7378a93cedbd5f37099af26fe68caf66f0058bec020fd134d16040e4feb2c6e5",
    "followups-csv": "1642b128b77aead841d0681c2420e6466734e08320ba473e12fe114fc06f025c",
}


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Odd, small sizes everywhere: many batches, pages and spills that move to disk."""
    monkeypatch.setattr(stream, "BATCH", 7)
    monkeypatch.setattr(stream, "SPILL_IN_MEMORY", 2048)
    monkeypatch.setattr(report_service, "IN_MEMORY", 4096)
    monkeypatch.setattr(reader_module, "_BATCH", 13)
    monkeypatch.setattr(store_module, "_PAGE", 101)


def test_every_format_is_byte_identical_to_the_report_before_streaming(
    grown: Scripted, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = open_reader(grown.db_url)
    try:
        assert len(grown.store.events(grown.incident_id)) == EVENTS
        for fmt in FORMATS:  # default sizes, on the stdlib read path and the ORM store
            assert (
                digest(report_incident(fast, grown.incident_id, fmt).text)
                == (BEFORE_STREAMING[fmt])
            ), fmt
            assert digest(export_report(grown.state(), fmt)) == BEFORE_STREAMING[fmt], fmt
        small_batches(monkeypatch)
        for fmt in FORMATS:
            for reader in (fast, grown.store):
                exported = report_incident(reader, grown.incident_id, fmt)
                assert digest(exported.text) == BEFORE_STREAMING[fmt], (fmt, reader)
                assert exported.redacted == ()
    finally:
        fast.close()


def test_the_json_export_is_the_report_model_as_pydantic_dumps_it(grown: Scripted) -> None:
    exported = report_incident(grown.store, grown.incident_id, "json").text
    model = build_report(load_state(grown.store, grown.incident_id))
    assert exported == model.model_dump_json(indent=2) + "\n"
    assert len(model.timeline) == EVENTS and model.notes and model.checks and model.followups


def test_a_secret_in_a_late_batch_is_masked_in_every_format(
    grown: Scripted, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last check runs on each spilled batch: a secret planted (as an older irbook could
    have stored it) in the last event's note is masked, the kind is reported."""
    token = "ghp_" + "Zx9" * 12  # fake
    conn = sqlite3.connect(grown.db_path)
    with conn:
        last = conn.execute("SELECT max(seq) FROM event WHERE kind = 'note_added'").fetchone()[0]
        conn.execute(
            "UPDATE event SET payload = json_set(payload, '$.text', ?) WHERE seq = ?",
            (f"pasted {token} here", last),
        )
    conn.close()
    small_batches(monkeypatch)
    for fmt in ("md", "html", "json", "csv"):
        exported = report_incident(open_reader(grown.db_url), grown.incident_id, fmt)
        assert token not in exported.text and "[REDACTED" in exported.text, fmt
        assert exported.redacted, fmt


def test_a_damaged_row_in_a_later_batch_is_refused_with_every_damaged_row_counted(
    grown: Scripted, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = sqlite3.connect(grown.db_path)
    with conn:
        conn.execute("UPDATE event SET payload = '{not json' WHERE seq IN (2500, 2900)")
    conn.close()
    small_batches(monkeypatch)
    for reader in (open_reader(grown.db_url), grown.store):
        with pytest.raises(DamagedLogError) as whole:
            reader.events(grown.incident_id)
        with pytest.raises(DamagedLogError) as streamed:
            list(reader.iter_events(grown.incident_id))
        assert streamed.value.message == whole.value.message
        assert "event 2500" in streamed.value.message and "1 more" in streamed.value.message
        with pytest.raises(DamagedLogError):
            report_incident(reader, grown.incident_id, "md")


def test_both_readers_stream_the_same_events_as_they_list(
    grown: Scripted, monkeypatch: pytest.MonkeyPatch
) -> None:
    small_batches(monkeypatch)
    fast = open_reader(grown.db_url)
    whole = grown.store.events(grown.incident_id)
    assert list(fast.iter_events(grown.incident_id)) == whole
    assert list(grown.store.iter_events(grown.incident_id)) == whole
    assert list(fast.iter_events(grown.incident_id, after_seq=2000)) == whole[2000:]
    assert list(grown.store.iter_events(grown.incident_id, after_seq=2000)) == whole[2000:]


def _peak(scripted: Scripted) -> int:
    reader = open_reader(scripted.db_url)
    tracemalloc.start()
    try:
        report_incident(reader, scripted.incident_id, "md").close()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        reader.close()


def test_peak_memory_does_not_grow_with_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Eight times the events, about the same peak: the log, the fold and the formatted
    sections are never held whole (the in-memory exporter grew about linearly)."""
    # Sizes at which both logs fill every batch and spill to disk, so the peak is that of the
    # bounded parts in both (the defaults are larger, and as bounded).
    monkeypatch.setattr(stream, "BATCH", 10)
    monkeypatch.setattr(stream, "SPILL_IN_MEMORY", 64 << 10)
    monkeypatch.setattr(report_service, "IN_MEMORY", 64 << 10)
    url = f"sqlite:///{tmp_path / 'irbook.db'}"
    store = open_store(url)
    try:
        scripted = Scripted(store, url, tmp_path / "irbook.db", "")
        scripted.incident_id = script_incident(store, monkeypatch, close=False)
        grow(store, scripted.incident_id, 1000)
        _peak(scripted)  # first use compiles the secret rules and imports the writers
        small = _peak(scripted)
        grow(store, scripted.incident_id, 8000)
        big = _peak(scripted)
    finally:
        store.close()
    assert big < 1.3 * small, (small, big)  # the in-memory exporter: 7.9 times


def test_status_folds_without_the_payloads_it_does_not_read(grown: Scripted) -> None:
    """`status` reads the log with only the fold's payloads decoded (the others are checked by
    SQLite and left out): the same view as a fold of every event, whole."""
    from irbook.usecases.status import status_view

    now = grown.state().last.at  # type: ignore[union-attr]  # the log is not empty
    whole = status_view(grown.state(), now=now)
    fast = open_reader(grown.db_url)
    try:
        lean = load_state(fast, grown.incident_id, keep_events=False)
        assert lean.events == [] and lean.event_count == EVENTS
        assert status_view(lean, now=now) == whole
        skipped = list(fast.iter_events(grown.incident_id, payloads=engine.PAYLOAD_KINDS))
        assert {e.kind for e in skipped if not e.payload} <= {
            k for k in Kind if k not in engine.PAYLOAD_KINDS
        }
    finally:
        fast.close()


def test_status_still_refuses_a_damaged_payload_it_does_not_read(grown: Scripted) -> None:
    conn = sqlite3.connect(grown.db_path)
    with conn:
        seq = conn.execute("SELECT max(seq) FROM event WHERE kind = 'note_added'").fetchone()[0]
        conn.execute("UPDATE event SET payload = '{not json' WHERE seq = ?", (seq,))
    conn.close()
    fast = open_reader(grown.db_url)
    try:
        with pytest.raises(DamagedLogError) as refused:
            load_state(fast, grown.incident_id, keep_events=False)
        assert f"event {seq}: its payload is not valid JSON" in refused.value.message
    finally:
        fast.close()


def test_the_follow_ups_csv_decodes_only_what_it_lists_and_still_refuses_damage(
    grown: Scripted,
) -> None:
    """followups-csv reads the payloads of the fold and of follow-ups only (SQLite checks the
    rest): a damaged note is refused as in every other format."""
    assert stream.payloads_needed("csv") is None  # the timeline describes every event
    needed = stream.payloads_needed("followups-csv")
    assert needed is not None and Kind.FOLLOWUP_ADDED in needed
    assert Kind.NOTE_ADDED not in needed
    conn = sqlite3.connect(grown.db_path)
    with conn:
        seq = conn.execute("SELECT min(seq) FROM event WHERE kind = 'note_added'").fetchone()[0]
        conn.execute("UPDATE event SET payload = x'00ff' WHERE seq = ?", (seq,))
    conn.close()
    with pytest.raises(DamagedLogError) as refused:
        report_incident(open_reader(grown.db_url), grown.incident_id, "followups-csv")
    assert f"event {seq}: its payload is binary data" in refused.value.message


def test_a_token_in_an_answer_is_masked_before_markdown_escapes_it(grown: Scripted) -> None:
    """A token left in an input's value by an older irbook: the Markdown head escapes its `_`
    (`ghp\\_...`), which a check of the written text alone did not recognise; the head is now
    checked before it is formatted, like each event's entry."""
    token = "ghp_" + "Qw7" * 12  # fake
    conn = sqlite3.connect(grown.db_path)
    with conn:
        conn.execute(
            "UPDATE event SET payload = json_set(payload, '$.value', ?) "
            "WHERE kind = 'input_recorded' AND json_extract(payload, '$.input_id') = 'detected_at'",
            (f"stolen {token}",),
        )
    conn.close()
    for fmt in ("md", "html", "json"):
        exported = report_incident(open_reader(grown.db_url), grown.incident_id, fmt)
        body = token[4:]
        assert body not in exported.text, fmt  # neither ghp_... nor ghp\_...
        assert exported.redacted, fmt
