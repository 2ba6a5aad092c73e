"""Benchmark: report export of an incident with 10,000 events, in every format.

Builds the demo incident on the shipped runbook (bench/demo_incident.py), bulk-appends events
(notes, evidence, check results with findings, command output, notifications, step starts) with
``Store.append_many`` up to --events, closes it, then times in the same run:

- floor: ``json.dumps`` of the raw events (every field), the least any export has to do;
- load: reading the events from SQLite and folding them (``incidents.load_state``);
- build: ``build_report(state)`` alone;
- each format: ``export_report(state, fmt)`` (build + format), and load + export end to end.

Median of --repeat runs; ratios against the floor. Results: docs/performance.md, "Report export".

    python bench/bench_report.py                 # 10,000 events
    python bench/bench_report.py --events 2000   # a quick run
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from demo_incident import PEOPLE, Clock, Demo, build_demo, finish

from irbook.domain.events import (
    CheckRan,
    CommandRan,
    EvidenceAttached,
    Kind,
    NewEvent,
    NoteAdded,
    NotificationRendered,
)
from irbook.report import FORMATS, build_report, export_report
from irbook.report.service import report_incident
from irbook.store import Store, open_store
from irbook.usecases import incidents

WORDS = [
    "token",
    "rotated",
    "host",
    "checked",
    "lockfile",
    "proxy",
    "runner",
    "cache",
    "npm",
    "registry",
    "advisory",
    "pinned",
    "version",
    "deploy",
    "key",
    "revoked",
    "laptop",
    "image",
    "evidence",
    "ticket",
    "owner",
    "verified",
]


def bulk_events(rng: random.Random, steps: list[str], n: int) -> list[NewEvent]:
    out = []
    for i in range(n):
        roll = rng.random()
        step = rng.choice(steps) if rng.random() < 0.6 else None
        text = " ".join(rng.choices(WORDS, k=rng.randint(8, 30)))
        if roll < 0.55:
            out.append(NewEvent(Kind.NOTE_ADDED, NoteAdded(text=text), step_id=step))
        elif roll < 0.65:
            out.append(
                NewEvent(
                    Kind.EVIDENCE_ATTACHED,
                    EvidenceAttached(
                        path=f"/evidence/file-{i}.log",
                        sha256=f"{i:064x}",
                        size=i * 10,
                        description=text[:40],
                    ),
                    step_id=step,
                )
            )
        elif roll < 0.75:
            findings = [
                {
                    "file": f"repo{j}/package-lock.json",
                    "package": "@tanstack/router-core",
                    "version": "1.169.5",
                    "advisory": "GHSA-g7cv-rxg3-hmpx",
                    "match": "exact version",
                }
                for j in range(5)
            ]
            out.append(
                NewEvent(
                    Kind.CHECK_RAN,
                    CheckRan(
                        action="lockfile-audit", ok=False, summary="5 findings", findings=findings
                    ),
                    step_id=step,
                )
            )
        elif roll < 0.80:
            out.append(
                NewEvent(
                    Kind.COMMAND_RAN,
                    CommandRan(command="npm token list", exit_code=0, output=text * 5),
                    step_id=step,
                )
            )
        elif roll < 0.85:
            out.append(
                NewEvent(
                    Kind.NOTIFICATION_RENDERED,
                    NotificationRendered(
                        template="status-update",
                        audience="internal-teams",
                        subject=text[:60],
                        sha256=f"{i:064x}",
                    ),
                    step_id=step,
                )
            )
        else:
            out.append(NewEvent(Kind.STEP_STARTED, None, step_id=rng.choice(steps)))
    return out


def make_incident(store: Store, total: int) -> str:
    state = build_demo(store, close=False)
    iid = state.incident_id
    rng = random.Random(11)
    steps = [s.id for _, s in state.runbook.steps()]
    missing = max(total - len(state.events) - 4, 0)  # 3 follow-ups and the close come after
    at = datetime(2026, 5, 12, 6, 0, tzinfo=UTC)
    batch = 250
    for start in range(0, missing, batch):
        actor, host = rng.choice(list(PEOPLE.values()))
        store.append_many(
            iid, bulk_events(rng, steps, min(batch, missing - start)), actor=actor, host=host, at=at
        )
        at += timedelta(minutes=7)
    clock = Clock(store.events(iid)[-1].at + timedelta(hours=12))
    finish(Demo(store, clock, incidents.load_state(store, iid)))
    return iid


def timed(fn: Callable[[], object], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/bench.db")
        iid = make_incident(store, args.events)
        events = store.events(iid)
        state = incidents.load_state(store, iid)
        raw = [e.__dict__ | {"at": e.at.isoformat()} for e in events]
        floor = timed(lambda: json.dumps(raw), args.repeat)
        load = timed(lambda: incidents.load_state(store, iid), args.repeat)
        build = timed(lambda: build_report(state), args.repeat)
        rows = [
            ("floor: json.dumps(raw events)", floor, len(json.dumps(raw))),
            ("load + fold from SQLite", load, 0),
            ("build_report", build, 0),
        ]
        for fmt in FORMATS:
            size = len(export_report(state, fmt).encode())
            rows.append(
                (f"export {fmt}", timed(lambda f=fmt: export_report(state, f), args.repeat), size)
            )
        end_to_end = timed(
            lambda: export_report(incidents.load_state(store, iid), "html"), args.repeat
        )
        rows.append(("load + export html (end to end)", end_to_end, 0))
        checked = timed(lambda: report_incident(store, iid, "html"), args.repeat)
        rows.append(("the same + last secret check", checked, 0))
        store.close()
    print(f"{len(events)} events, median of {args.repeat} runs, Python {sys.version.split()[0]}")
    print(f"{'step':<34} {'ms':>9} {'x floor':>8} {'output':>10}")
    for name, seconds, size in rows:
        shown = f"{size / 1e6:.2f} MB" if size else ""
        print(f"{name:<34} {seconds * 1000:9.1f} {seconds / floor:8.1f} {shown:>10}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
