"""Walker benchmarks: answer-to-durable-commit latency, and `irbook --help` cold start.

Run: python bench/bench_walker.py [--appends 2000] [--runs 20] [--no-cold-start]

Both are compared with a reference measured in the same run on the same machine:
- an answer's append (irbook.usecases.incidents.record: the last secret check, hash chain,
  expected-seq check, server-side guards, commit in SQLite WAL) against stdlib sqlite3 doing the
  same work (BEGIN IMMEDIATE, read the head, canonical JSON + sha256, INSERT, COMMIT) in the same
  WAL/NORMAL mode, one of each in turn; the goal is at most 3x;
- `irbook --help` against `python -c pass` (the interpreter floor) and `python -c "import typer"`.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def bench_appends(n: int, workdir: Path) -> dict[str, list[float]]:
    """``n`` answers through irbook and ``n`` through the same-work floor, interleaved one by one
    so that load from other jobs hits both alike."""
    from irbook.domain.events import Kind, NewEvent, StepCompleted
    from irbook.loader.load import load_runbook
    from irbook.store import open_store
    from irbook.usecases.incidents import Responder, record, start_incident

    store = open_store(str(workdir / "irbook.db"))
    loaded = load_runbook(REPO / "runbooks" / "supply-chain-compromise.yaml")
    responder = Responder("bench", "bench-host")
    state = start_incident(loaded, store=store, responder=responder)
    other = start_incident(loaded, store=store, responder=responder)  # for store.append alone
    floor = SameWorkFloor(workdir / "floor.db")
    times: dict[str, list[float]] = {RECORD: [], APPEND: [], FLOOR: []}
    for i in range(n):
        new = NewEvent(Kind.STEP_COMPLETED, StepCompleted(value=f"answer {i}"), step_id="iocs")
        t0 = time.perf_counter()
        record(store, state, new, responder)  # returns after COMMIT and the state's update
        times[RECORD].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        new = NewEvent(Kind.STEP_COMPLETED, StepCompleted(value=f"answer {i}"), step_id="iocs")
        store.append(
            other.incident_id,
            new,
            expected_seq=i + 2,
            actor=responder.actor,
            host=responder.host,
            at=datetime.now(UTC),
        )
        times[APPEND].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        floor.append(f"answer {i}")
        times[FLOOR].append(time.perf_counter() - t0)
    floor.close()
    store.close()
    return times


RECORD = "irbook `record()`: last secret check, commit, state update"
APPEND = "irbook `Store.append()`: the same work as the floor"
FLOOR = "stdlib sqlite3, same work (floor)"

# The floor's table has the event table's columns and primary key; no triggers (irbook's guards
# are part of what the ratio measures).
FLOOR_SCHEMA = """
create table event (
    incident_id varchar(64) not null, seq integer not null, at datetime not null,
    actor varchar(128) not null, host varchar(256) not null, kind varchar(32) not null,
    step_id varchar(64), payload json not null, prev_hash varchar(64) not null,
    hash varchar(64) not null, login varchar(128), primary key (incident_id, seq))
"""


class SameWorkFloor:
    """What one answer needs, in plain stdlib sqlite3 and the same WAL/NORMAL mode as irbook's
    store: BEGIN IMMEDIATE, read the head (seq and hash of the last event), check the expected
    seq, canonical JSON + sha256 over the event, INSERT, COMMIT."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute(FLOOR_SCHEMA)
        self.expected = 1

    def append(self, value: str) -> None:
        from irbook.domain.events import GENESIS_HASH, canonical, chain_hash

        at = datetime.now(UTC)
        payload = {"value": value, "redacted": []}
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        head = conn.execute(
            "select seq, hash from event where incident_id = ? order by seq desc limit 1",
            ("IR-1",),
        ).fetchone()
        seq, prev = head if head else (0, GENESIS_HASH)
        if seq != self.expected - 1:
            raise AssertionError("the floor's expected-seq check failed")
        body = canonical(
            "IR-1", seq + 1, at, "bench", "bench-host", "step_completed", "iocs", payload
        )
        row = ("IR-1", seq + 1, at.isoformat(), "bench", "bench-host", "step_completed", "iocs")
        conn.execute(
            "insert into event values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*row, json.dumps(payload), prev, chain_hash(prev, body), None),
        )
        conn.execute("COMMIT")
        self.expected += 1

    def close(self) -> None:
        self.conn.close()


def bench_cold_start(runs: int) -> dict[str, list[float]]:
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -c 'import typer'": [sys.executable, "-c", "import typer"],
        "irbook --help": [sys.executable, "-m", "irbook", "--help"],
        "irbook runbooks --help": [sys.executable, "-m", "irbook", "runbooks", "--help"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):  # interleaved, so load changes hit every command alike
        for name, argv in commands.items():
            t0 = time.perf_counter()
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
            times[name].append(time.perf_counter() - t0)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appends", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--no-cold-start", action="store_true", help="the commit latency only")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        appends = bench_appends(args.appends, Path(tmp))
    floor = statistics.median(appends[FLOOR])
    print(f"## Answer to durable commit ({args.appends} appends, SQLite WAL, synchronous=NORMAL)")
    print("| what | median ms | p95 ms | p99 ms | x floor (median) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, values in appends.items():
        med = statistics.median(values)
        print(
            f"| {name} | {med * 1000:.3f} | {percentile(values, 0.95) * 1000:.3f} | "
            f"{percentile(values, 0.99) * 1000:.3f} | {med / floor:.1f} |"
        )

    if args.no_cold_start:
        return
    cold = bench_cold_start(args.runs)
    base = statistics.median(cold["python -c pass"])
    print(f"\n## Cold start ({args.runs} runs each, interleaved)")
    print("| command | median ms | x `python -c pass` |")
    print("| --- | ---: | ---: |")
    for name, values in cold.items():
        med = statistics.median(values)
        print(f"| {name} | {med * 1000:.0f} | {med / base:.1f} |")


if __name__ == "__main__":
    main()
