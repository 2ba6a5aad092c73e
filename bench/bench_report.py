"""Benchmark: report export of an incident with 10,000 events, in every format.

Builds the demo incident on the shipped runbook (bench/demo_incident.py), bulk-appends events
(notes, evidence, check results with findings, command output, notifications, step starts) with
``Store.append_many`` up to --events, closes it, then times in the same run:

- floor: ``json.dumps`` of the raw events (every field), the least any export has to do;
- load: reading the events from SQLite and folding them (``incidents.load_state``);
- build: ``build_report(state)`` alone;
- each format: ``export_report(state, fmt)`` (build + format), and load + export end to end.

Median of --repeat runs; ratios against the floor. Results: docs/performance.md, "Report export".

``--big N`` (issue 17) then builds an incident of N events the same way and runs each command as
its own process under GNU time (``/usr/bin/time -f "%e %U %S %M"``: wall, CPU, true peak RSS of
that process alone): ``irbook report ID --format F -o FILE`` for every format and ``irbook status
ID``, each beside its goal (2 s and 200 MiB per report format, 1 s for status), against the floor
of the same run: a fresh Python that reads every event row with ``sqlite3``, decodes its payload
and writes it out as JSON lines (the least any report of the log does). A report of that size is
written by two processes (report/split.py): GNU time gives the larger peak of the two, so each
one's own peak is then measured apart (the child's from ``wait4``), with their sum. ``--compare-src DIR``
runs every command a second time, interleaved, with ``PYTHONPATH=DIR`` (the ``src`` folder of an
older checkout: before and after in one run). ``--postgresql`` puts the big incident in a fresh
database on PostgreSQL instead (IRBOOK_TEST_PG_URL's server, or a throwaway one that
``.ci/postgres.sh`` starts and removes, as bench_team.py does); its floor reads the rows with
psycopg.

    python bench/bench_report.py                 # 10,000 events
    python bench/bench_report.py --events 2000   # a quick run
    python bench/bench_report.py --events 2000 --repeat 1 --big 100000 --compare-src ../old/src
    python bench/bench_report.py --events 2000 --repeat 1 --big 100000 --postgresql
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
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


FLOOR = """
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
with open(sys.argv[3], "w") as out:
    for row in db.execute("SELECT * FROM event WHERE incident_id = ? ORDER BY seq", (sys.argv[2],)):
        out.write(json.dumps([*row[:7], json.loads(row[7]), *row[8:]]) + "\\n")
"""
FLOOR_POSTGRESQL = """
import json, psycopg, sys
conn = psycopg.connect(sys.argv[1].replace("postgresql+psycopg://", "postgresql://", 1))
sql = ("SELECT incident_id, seq, at, actor, host, kind, step_id, payload::text, prev_hash, hash, "
       "login FROM event WHERE incident_id = %s ORDER BY seq")
with open(sys.argv[3], "w") as out, conn.cursor(name="floor") as cursor:
    cursor.itersize = 5000
    for row in cursor.execute(sql, (sys.argv[2],)):
        out.write(json.dumps([*row[:2], row[2].isoformat(), *row[3:7], json.loads(row[7]),
                              *row[8:]]) + "\\n")
"""
# A split report's child (report/split.py) is reaped by the report process, so GNU time's peak
# is the larger of the two; this reports each one's own peak (the child's from wait4: it was
# forked, not exec'd, so its peak counts the pages it shares with the report process, and the sum
# counts those twice).
SPLIT_PEAKS = """
import os, sys
from irbook.report import split
from irbook.report.service import report_incident
from irbook.store import open_reader
child = []
def waitpid(pid, options):
    got, status, usage = os.wait4(pid, options)
    child.append(usage.ru_maxrss / 1024)
    return got, status
split.os.waitpid = waitpid  # only the report's own child is waited for in this process
reader = open_reader(sys.argv[1])
report_incident(reader, sys.argv[2], sys.argv[3]).close()
# VmHWM, not getrusage: ru_maxrss survives exec and would carry this benchmark's own peak
status = open("/proc/self/status").read().split("VmHWM:")[1].split()
print(int(status[0]) / 1024, child[0] if child else 0.0)
"""
GOALS = {"status": (1.0, None)}  # seconds, MiB; every report format: 2 s and 200 MiB


def measured(command: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS in MiB of one process."""
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%e %U %S %M", *command],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr[-500:]}")
    wall, user, system, kib = done.stderr.strip().splitlines()[-1].split()
    return float(wall), float(user) + float(system), int(kib) / 1024


def settle(url: str) -> None:
    """VACUUM ANALYZE the freshly loaded tables, as autovacuum soon would: otherwise the first
    commands measured race it (and set every row's hint bits), and wait on the server."""
    import psycopg

    libpq = url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(libpq, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) event, incident")


def big_case(events: int, compare_src: str | None, server: str | None) -> None:
    """``server``: a PostgreSQL server URL (the incident goes in a fresh database there)."""
    with tempfile.TemporaryDirectory() as tmp:
        db = f"{tmp}/big.db"
        url = f"sqlite:///{db}"
        floor = [sys.executable, "-c", FLOOR, db]
        if server:
            from bench_team import fresh_database

            url = fresh_database(server)
            floor = [sys.executable, "-c", FLOOR_POSTGRESQL, url]
        store = open_store(url)
        iid = make_incident(store, events)
        store.close()
        if server:
            settle(url)
        env = os.environ | {"IRBOOK_DB": url, "IRBOOK_ACTOR": "bench"}
        env.pop("PYTHONPATH", None)
        variants = [("after", env)]
        if compare_src:
            variants.append(("before", env | {"PYTHONPATH": str(Path(compare_src).resolve())}))
        irbook = [sys.executable, "-m", "irbook"]
        commands: list[tuple[str, list[str], bool]] = [
            ("floor", [*floor, iid, f"{tmp}/floor.jsonl"], False)
        ]
        for fmt in FORMATS:
            out = f"{tmp}/report.{fmt}"
            commands.append((f"report {fmt}", [*irbook, "report", iid, "-f", fmt, "-o", out], True))
        commands.append(("status", [*irbook, "status", iid], True))
        rows = []
        for name, command, is_irbook in commands:
            for variant, variant_env in variants if is_irbook else variants[:1]:
                wall, cpu, mib = measured(command, variant_env)
                rows.append((name, variant if is_irbook else "", wall, cpu, mib))
        peaks = []
        for fmt in ("md", "html", "json"):
            done = subprocess.run(
                [sys.executable, "-c", SPLIT_PEAKS, url, iid, fmt],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            parent, child = map(float, done.stdout.split())
            peaks.append((fmt, parent, child))
    floor = rows[0][2]
    where = "PostgreSQL" if server else "a SQLite file"
    print(
        f"\n{events} events on {where}, one process per command (GNU time), floor = reading the log"
    )
    print(
        f"{'command':<22} {'code':<7} {'wall s':>7} {'cpu s':>6} {'x floor':>8} {'peak MiB':>9}  goal"
    )
    for name, variant, wall, cpu, mib in rows:
        seconds, memory = GOALS.get(name, (2.0, 200.0) if name.startswith("report") else (0, 0))
        goal = ""
        if seconds:
            goal = f"< {seconds:g} s {'met' if wall < seconds else 'NOT met'}"
        if memory:
            goal += f", < {memory:g} MiB {'met' if mib < memory else 'NOT met'}"
        print(
            f"{name:<22} {variant:<7} {wall:7.2f} {cpu:6.2f} {wall / floor:8.1f} {mib:9.0f}  {goal}"
        )
    print("\nsplit report (report/split.py): each process's own peak, and both together")
    for fmt, parent, child in peaks:
        together = parent + child
        verdict = "met" if together < 200 else "NOT met"
        print(
            f"report {fmt:<6} report process {parent:4.0f} MiB, child {child:4.0f} MiB, "
            f"together {together:4.0f} MiB  (< 200 MiB {verdict})"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--big", type=int, default=0, help="also the per-process N-event case")
    parser.add_argument("--compare-src", default=None, help="src folder of an older checkout")
    parser.add_argument(
        "--postgresql", action="store_true", help="the --big incident on PostgreSQL"
    )
    args = parser.parse_args()
    server = os.environ.get("IRBOOK_TEST_PG_URL") if args.postgresql else None
    if args.postgresql and not server:
        # a throwaway server, as the tests use: .ci/postgres.sh starts it, runs us, removes it
        script = Path(__file__).resolve().parent.parent / ".ci" / "postgres.sh"
        return subprocess.call(["bash", str(script), sys.executable, *sys.argv])
    small_case(args.events, args.repeat)
    if args.big:
        big_case(args.big, args.compare_src, server)
    return 0


def small_case(total: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/bench.db")
        iid = make_incident(store, total)
        events = store.events(iid)
        state = incidents.load_state(store, iid)
        raw = [e.__dict__ | {"at": e.at.isoformat()} for e in events]
        floor = timed(lambda: json.dumps(raw), repeat)
        load = timed(lambda: incidents.load_state(store, iid), repeat)
        build = timed(lambda: build_report(state), repeat)
        rows = [
            ("floor: json.dumps(raw events)", floor, len(json.dumps(raw))),
            ("load + fold from SQLite", load, 0),
            ("build_report", build, 0),
        ]
        for fmt in FORMATS:
            size = len(export_report(state, fmt).encode())
            rows.append(
                (f"export {fmt}", timed(lambda f=fmt: export_report(state, f), repeat), size)
            )
        end_to_end = timed(lambda: export_report(incidents.load_state(store, iid), "html"), repeat)
        rows.append(("load + export html (end to end)", end_to_end, 0))
        checked = timed(lambda: report_incident(store, iid, "html").close(), repeat)
        rows.append(("streamed from the store (CLI path)", checked, 0))
        store.close()
    print(f"{len(events)} events, median of {repeat} runs, Python {sys.version.split()[0]}")
    print(f"{'step':<34} {'ms':>9} {'x floor':>8} {'output':>10}")
    for name, seconds, size in rows:
        shown = f"{size / 1e6:.2f} MB" if size else ""
        print(f"{name:<34} {seconds * 1000:9.1f} {seconds / floor:8.1f} {shown:>10}")


if __name__ == "__main__":
    raise SystemExit(main())
