"""Cold start: whole-process timings of irbook commands against a one-command typer app.

Run: python bench/bench_cold_start.py [--runs 15] [--importtime]

The reference is a typer app with irbook's help settings and one command, built in a temporary
folder and run by the same interpreter: its `--help` is the floor for `irbook --help`, and its
command *running* (it prints one line) is the floor for every irbook command that does work.
Runs are interleaved (one of each, then again), so load on the shared machine hits every command
alike; the figures are medians of --runs rounds, and the ratio to the reference is the result.
Both sides run from bytecode, as an installed irbook does (pip compiles a wheel's modules when it
installs them): PYTHONDONTWRITEBYTECODE is dropped from the children's environment and one
discarded warm-up round writes the __pycache__ files, otherwise every run would compile irbook's
sources again (10-20 ms on this machine) while typer, pydantic and the rest load from bytecode.

Goals (issue 17): `irbook --help` <= 1.25x the app's --help; `irbook status` on an empty database
<= 1.5x the app running its command.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

REFERENCE_APP = '''
import typer

app = typer.Typer(
    help="Reference app.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    add_completion=False,
)


@app.command()
def status(db: str = typer.Option("", "--db", help="A database URL.")) -> None:
    """Print one line."""
    print("ok")


@app.callback()
def _root() -> None:
    """Root."""


if __name__ == "__main__":
    app()
'''


def run_once(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    )
    return time.perf_counter() - start


def setup(work: Path) -> dict[str, list[str]]:
    """The commands, and a database with one incident for the commands that need one."""
    app = work / "reference_app.py"
    app.write_text(REFERENCE_APP)
    empty = f"sqlite:///{work / 'empty.db'}"
    full = f"sqlite:///{work / 'one.db'}"
    irbook = [sys.executable, "-m", "irbook"]
    subprocess.run([*irbook, "db", "init", "--db", empty], check=True, capture_output=True)
    incident = make_incident(work / "one.db")
    return {
        "reference --help": [sys.executable, str(app), "--help"],
        "reference status (runs)": [sys.executable, str(app), "status"],
        "irbook --help": [*irbook, "--help"],
        "irbook runbooks --help": [*irbook, "runbooks", "--help"],
        "irbook status (empty db)": [*irbook, "status", "--db", empty],
        "irbook list": [*irbook, "list", "--db", full],
        "irbook status INCIDENT": [*irbook, "status", incident, "--db", full],
        "irbook note INCIDENT": [*irbook, "note", incident, "bench note", "--db", full],
        "irbook report --format md": [*irbook, "report", incident, "--format", "md", "--db", full],
        "irbook verify": [*irbook, "verify", incident, "--db", full],
        "irbook runbooks validate": [
            *irbook,
            "runbooks",
            "validate",
            str(REPO / "runbooks" / "leaked-secret.yaml"),
        ],
    }


def make_incident(path: Path) -> str:
    from irbook.loader.load import load_runbook
    from irbook.store import open_store
    from irbook.usecases.incidents import Responder, start_incident

    store = open_store(f"sqlite:///{path}")
    try:
        loaded = load_runbook(REPO / "runbooks" / "supply-chain-compromise.yaml")
        state = start_incident(loaded, store=store, responder=Responder("bench", "bench-host"))
        return state.incident_id
    finally:
        store.close()


def importtime(command: list[str], env: dict[str, str], top: int = 12) -> list[tuple[int, str]]:
    """The slowest top-level imports (cumulative microseconds) of one run, from -X importtime."""
    result = subprocess.run(
        [command[0], "-X", "importtime", *command[1:]],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    rows = []
    for line in result.stderr.splitlines():
        # "import time:   self [us] | cumulative | imported package"; nested imports are indented.
        parts = line.split("|")
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        name = parts[2]
        if not name.startswith("  "):  # one separating space: a top-level import
            rows.append((int(parts[1]), name.strip()))
    return sorted(rows, reverse=True)[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--importtime", action="store_true", help="also list the slowest imports")
    args = parser.parse_args()
    env = {**os.environ, "NO_COLOR": "1", "IRBOOK_ACTOR": "bench"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # run from bytecode, as an installed irbook does
    with tempfile.TemporaryDirectory(prefix="irbook-bench-cold-") as tmp:
        commands = setup(Path(tmp))
        for command in commands.values():  # warm-up round, not counted: writes __pycache__
            run_once(command, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                times[name].append(run_once(command, env))
        medians = {name: statistics.median(values) * 1000 for name, values in times.items()}
        ref_help = medians["reference --help"]
        ref_run = medians["reference status (runs)"]
        print(f"{'command':32} {'median ms':>10} {'x ref --help':>13} {'x ref runs':>11}")
        for name, ms in medians.items():
            print(f"{name:32} {ms:10.0f} {ms / ref_help:13.2f} {ms / ref_run:11.2f}")
        print(
            f"\ngoals: irbook --help {medians['irbook --help'] / ref_help:.2f}x ref --help "
            f"(goal <= 1.25); irbook status (empty db) "
            f"{medians['irbook status (empty db)'] / ref_run:.2f}x ref running (goal <= 1.5)"
        )
        if args.importtime:
            print("\nslowest imports of `irbook status (empty db)` (cumulative ms):")
            for us, name in importtime(commands["irbook status (empty db)"], env):
                print(f"  {us / 1000:7.1f}  {name}")


if __name__ == "__main__":
    main()
