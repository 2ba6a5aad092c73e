"""Team-mode bench: bursts of appends to one incident on PostgreSQL from 1, 4 and 16 processes.

Run: python bench/bench_team.py [--appends 250] [--procs 1,4,16] [--rounds 3] [--sqlite | --floor]

Each process is a responder adding events that do not depend on the state (notes, evidence:
``usecases.incidents.record_anyway``) as fast as it can, all released together once every one has
opened its store. Prints events per second over the whole burst (first release to last commit),
its ratio to the same run's single process (the reference: more responders should not make the
team slower), the conflicts per append (``AppendConflict`` raised inside the store's append,
counted in each process), the CPU time per append of the workers and of their PostgreSQL server
processes (Linux ``/proc``, when the server runs on this machine), and how busy the machine's
cores were during the burst (by anything: other jobs too) and how much of their time the
hypervisor gave to other guests ("stolen", Linux ``/proc/stat``). Each process count runs ``--rounds``
times, interleaved with the others so that a change in the machine's load hits all of them; the
median round is shown. ``--floor`` runs the client's own work per note without any database (a
sleep in place of each round trip), to show what sharing two cores among 16 processes costs by
itself.

Without IRBOOK_TEST_PG_URL it starts its own throwaway server the way the tests do, by running
itself under ``.ci/postgres.sh`` (which stops and deletes the server afterwards). To measure
another irbook (the code before a change), put its ``src`` first: ``PYTHONPATH=/tmp/old/src``.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent


def worker(url: str, incident_id: str, actor: str, count: int) -> None:
    """One responder: open the store, say ready, wait for the start, append ``count`` notes."""
    from irbook.domain.events import Kind, NewEvent, NoteAdded
    from irbook.errors import AppendConflict
    from irbook.store import open_store
    from irbook.usecases.incidents import Responder, record_anyway

    store = open_store(url)
    conflicts = 0
    real_append = store.append

    def counting_append(*args: object, **kwargs: object) -> object:
        nonlocal conflicts
        try:
            return real_append(*args, **kwargs)  # type: ignore[arg-type]
        except AppendConflict:
            conflicts += 1
            raise

    store.append = counting_append  # type: ignore[method-assign]
    responder = Responder(actor, f"host-{actor}")
    backend = server_process(store)
    print("ready", flush=True)
    sys.stdin.readline()
    client0, server0 = time.process_time(), cpu_seconds(backend)
    for n in range(count):
        new = NewEvent(Kind.NOTE_ADDED, NoteAdded(text=f"note {n} from {actor}"))
        record_anyway(store, incident_id, new, responder)
    client, server = time.process_time() - client0, cpu_seconds(backend) - server0
    store.close()
    report = {"conflicts": conflicts, "done": time.time(), "client_s": client, "server_s": server}
    print(json.dumps(report), flush=True)


def floor_worker(count: int) -> None:
    """The client's own work for ``count`` notes without a database: the note, the last secret
    check, the payload and the canonical JSON around the seq, and a sleep in place of the round
    trip. Its CPU per event, alone and 16 at once, shows what sharing the cores costs by itself."""
    from irbook.domain.eventlog import canonical_around_seq
    from irbook.domain.events import Kind, NewEvent, NoteAdded
    from irbook.domain.redact import scrub_event

    print("ready", flush=True)
    sys.stdin.readline()
    at = datetime.now(UTC)
    client0 = time.process_time()
    for n in range(count):
        new, _ = scrub_event(NewEvent(Kind.NOTE_ADDED, NoteAdded(text=f"note {n}")))
        canonical_around_seq("IR-1", at, "r", "h", str(new.kind), None, new.payload_json(), "r")
        time.sleep(FLOOR_ROUND_TRIP_S)
    print(json.dumps({"client_s": time.process_time() - client0}), flush=True)


FLOOR_ROUND_TRIP_S = 0.0003


def floor_burst(procs: int, count: int) -> float:
    """Client CPU ms per event of ``procs`` floor workers released together."""
    children = [
        subprocess.Popen(
            [sys.executable, __file__, "--floor-worker", str(count)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(procs)
    ]
    for child in children:
        assert child.stdout is not None
        if child.stdout.readline().strip() != "ready":
            raise SystemExit("a worker did not start")
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    spent = [float(json.loads(child.communicate()[0])["client_s"]) for child in children]
    return 1000 * sum(spent) / (procs * count)


def server_process(store: Any) -> int | None:
    """The pid of the server process serving this store's (one, pooled) connection, when the
    server runs on this machine and is PostgreSQL; None otherwise."""
    if not store.url.startswith("postgresql"):
        return None
    with store.engine.connect() as connection:
        pid = int(connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())
    return pid if Path(f"/proc/{pid}/stat").exists() else None


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU time of a process on this machine (Linux /proc), 0 when unknown."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def burst(url: str, procs: int, count: int) -> dict[str, float]:
    from irbook.domain.events import IncidentOpened, Kind, NewEvent
    from irbook.store import Incident, open_store

    store = open_store(url)
    incident_id = f"IR-BENCH-{secrets.token_hex(3)}"
    now = datetime.now(UTC)
    opened = IncidentOpened(
        title="bench",
        severity="SEV2",
        tlp="AMBER",
        runbook_id="bench",
        runbook_version="1",
        runbook_sha256="0" * 64,
        runbook_path="bench.yaml",
        runbook_text="",
    )
    incident = Incident(
        incident_id, "bench", "SEV2", "open", "bench", "1", "0" * 64, now, "lead", None
    )
    store.create_incident(
        incident, NewEvent(Kind.INCIDENT_OPENED, opened), actor="lead", host="h", at=now
    )
    children = [
        subprocess.Popen(
            [sys.executable, __file__, "--worker", url, incident_id, f"r{i}", str(count)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(procs)
    ]
    for child in children:
        assert child.stdout is not None
        if child.stdout.readline().strip() != "ready":
            raise SystemExit("a worker did not start")
    start = time.time()
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    reports = []
    for child in children:
        out, _ = child.communicate()
        if child.returncode != 0:
            raise SystemExit(f"a worker failed ({child.returncode})")
        reports.append(json.loads(out.strip().splitlines()[-1]))
    elapsed = max(r["done"] for r in reports) - start
    events = store.events(incident_id)
    if [e.seq for e in events] != list(range(1, procs * count + 2)):
        raise SystemExit("the log is not gapless")
    store.close()
    total = procs * count
    return {
        "procs": procs,
        "events_per_s": total / elapsed,
        "conflicts_per_append": sum(r["conflicts"] for r in reports) / total,
        "seconds": elapsed,
        "client_ms": 1000 * sum(r["client_s"] for r in reports) / total,
        "server_ms": 1000 * sum(r["server_s"] for r in reports) / total,
    }


def fresh_database(server: str) -> str:
    """A new empty database on the bench server, as an irbook --db URL."""
    import psycopg

    parts = urlsplit(server)
    name = f"irbook_bench_{secrets.token_hex(4)}"
    with psycopg.connect(urlunsplit(parts._replace(scheme="postgresql")), autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def print_floor(counts: list[int], count: int, rounds: int) -> None:
    print("## The client's work alone (no database; a 0.3 ms sleep per round trip)\n")
    print("| processes | client CPU ms/event | x 1 process |")
    print("| ---: | ---: | ---: |")
    spent: dict[int, list[float]] = {procs: [] for procs in counts}
    for _ in range(rounds):
        for procs in counts:
            spent[procs].append(floor_burst(procs, count))
    base = 0.0
    for procs in counts:
        ms = sorted(spent[procs])[len(spent[procs]) // 2]
        base = base or ms
        print(f"| {procs} | {ms:.3f} | {ms / base:.2f} |", flush=True)


def machine_cpu() -> tuple[int, int, int]:
    """(busy, stolen, total) clock ticks of every CPU since boot (Linux /proc/stat; zeros
    elsewhere). Stolen: time the hypervisor gave this VM's CPUs to another guest, which the
    16-process bursts feel first (docs/performance.md)."""
    try:
        ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0, 0, 0
    idle = ticks[3] + ticks[4]  # idle + iowait
    stolen = ticks[7] if len(ticks) > 7 else 0
    return sum(ticks) - idle, stolen, sum(ticks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appends", type=int, default=250, help="appends per process")
    parser.add_argument("--procs", default="1,4,16", help="process counts, comma-separated")
    parser.add_argument("--rounds", type=int, default=3, help="bursts per process count (median)")
    parser.add_argument("--sqlite", action="store_true", help="one SQLite file instead")
    parser.add_argument(
        "--floor",
        action="store_true",
        help="no database: the client's own CPU per event, alone and in company",
    )
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--floor-worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        url, incident_id, actor, count = args.worker
        worker(url, incident_id, actor, int(count))
        return
    if args.floor_worker:
        floor_worker(args.floor_worker)
        return
    if args.floor:
        print_floor([int(p) for p in args.procs.split(",")], args.appends, args.rounds)
        return
    server = os.environ.get("IRBOOK_TEST_PG_URL")
    if not args.sqlite and not server:
        # the same throwaway server as the tests: .ci/postgres.sh starts it, runs us, removes it
        script = REPO / ".ci" / "postgres.sh"
        sys.exit(subprocess.call(["bash", str(script), sys.executable, *sys.argv]))
    counts = [int(p) for p in args.procs.split(",")]
    print(f"## Bursts on {'SQLite (one file)' if args.sqlite else 'PostgreSQL'}: ")
    print(
        f"{args.appends} appends per process (record_anyway), all released together; median of "
        f"{args.rounds} rounds, the process counts interleaved; load average "
        f"{os.getloadavg()[0]:.1f} at the start\n"
    )
    print(
        "| processes | events/s | x 1 process | conflicts per append | client CPU ms/append "
        "| server CPU ms/append | machine busy | stolen | seconds |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    results: dict[int, list[dict[str, float]]] = {procs: [] for procs in counts}
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(args.rounds):
            for procs in counts:  # interleaved: a change in the machine's load hits every count
                if args.sqlite:
                    url = f"sqlite:///{Path(tmp) / f'team-{procs}-{round_}.db'}"
                else:
                    assert server is not None
                    url = fresh_database(server)
                busy0, stolen0, total0 = machine_cpu()
                r = burst(url, procs, args.appends)
                busy1, stolen1, total1 = machine_cpu()
                r["busy"] = (busy1 - busy0) / max(total1 - total0, 1)
                r["stolen"] = (stolen1 - stolen0) / max(total1 - total0, 1)
                results[procs].append(r)
    base = 0.0
    for procs in counts:
        runs = sorted(results[procs], key=lambda r: r["events_per_s"])
        r = runs[len(runs) // 2]  # the median round, with its own CPU figures
        base = base or r["events_per_s"]
        print(
            f"| {procs} | {r['events_per_s']:.0f} | {r['events_per_s'] / base:.2f} | "
            f"{r['conflicts_per_append']:.2f} | {r['client_ms']:.2f} | {r['server_ms']:.2f} | "
            f"{r['busy']:.0%} | {r['stolen']:.0%} | {r['seconds']:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
