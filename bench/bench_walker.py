"""Walker benchmarks: answer-to-durable-commit latency, and `irbook --help` cold start.

Run: python bench/bench_walker.py [--appends 2000] [--runs 20]

Both are compared with a reference measured in the same run on the same machine:
- an answer's append (irbook.usecases.incidents.record: hash chain + expected-seq check + SQLAlchemy +
  commit in SQLite WAL) against a bare stdlib sqlite3 INSERT + COMMIT in the same WAL/NORMAL mode;
- `irbook --help` against `python -c pass` (the interpreter floor) and `python -c "import typer"`.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def bench_appends(n: int, workdir: Path) -> dict[str, list[float]]:
    from irbook.domain.events import Kind, NewEvent, StepCompleted
    from irbook.loader.load import load_runbook
    from irbook.store import open_store
    from irbook.usecases.incidents import Responder, record, start_incident

    store = open_store(str(workdir / "irbook.db"))
    loaded = load_runbook(REPO / "runbooks" / "supply-chain-compromise.yaml")
    responder = Responder("bench", "bench-host")
    state = start_incident(loaded, store=store, responder=responder)
    ours = []
    for i in range(n):
        new = NewEvent(Kind.STEP_COMPLETED, StepCompleted(value=f"answer {i}"), step_id="iocs")
        t0 = time.perf_counter()
        record(store, state, new, responder)  # returns after COMMIT
        ours.append(time.perf_counter() - t0)

    floor = []
    conn = sqlite3.connect(workdir / "floor.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("create table e (seq integer primary key, payload text)")
    for i in range(n):
        t0 = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("insert into e values (?, ?)", (i, f'{{"value": "answer {i}"}}'))
        conn.execute("COMMIT")
        floor.append(time.perf_counter() - t0)
    conn.close()
    return {"irbook record()": ours, "sqlite3 INSERT+COMMIT": floor}


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
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        appends = bench_appends(args.appends, Path(tmp))
    floor = statistics.median(appends["sqlite3 INSERT+COMMIT"])
    print(f"## Answer to durable commit ({args.appends} appends, SQLite WAL, synchronous=NORMAL)")
    print("| what | median ms | p95 ms | p99 ms | x floor (median) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, values in appends.items():
        med = statistics.median(values)
        print(
            f"| {name} | {med * 1000:.3f} | {percentile(values, 0.95) * 1000:.3f} | "
            f"{percentile(values, 0.99) * 1000:.3f} | {med / floor:.1f} |"
        )

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
