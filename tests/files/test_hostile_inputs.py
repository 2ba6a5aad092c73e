"""Unbounded inputs end in one clear message and exit 2, under 200 MiB, through the real CLI.

Each case runs ``python -m irbook`` in a subprocess whose address space is capped with
``RLIMIT_AS`` at 200 MiB: an input read whole, or a hit list that grows without end, fails with
MemoryError (exit 3) instead of passing. A case that would wait forever (a FIFO) is caught by
pytest-timeout. No timing assertion anywhere.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from shared import FIXTURES

MEMORY_LIMIT = 200 * 1024 * 1024
CASE = FIXTURES / "runner" / "case"
MINI = FIXTURES / "runner" / "mini.yaml"


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def irbook(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "irbook", *map(str, args)],
        cwd=cwd,
        preexec_fn=_limit_memory,  # no threads are started before the fork here
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def refused(done: subprocess.CompletedProcess[str], *needles: str) -> None:
    """Exit 2, no crash, and each needle in the output (stderr; `runbooks validate` reports
    its findings on stdout)."""
    assert "internal error" not in done.stderr, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 2, done.stderr
    for needle in needles:
        assert needle in done.stderr + done.stdout, done.stderr


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


@pytest.fixture
def sparse(tmp_path: Path) -> Path:
    """A 2 GiB file that takes no disk space (all holes)."""
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(2 << 30)
    return path


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "proxy.log"
    path.write_text("GET https://example.org/\n")
    return path


# --- IOC lists (audit logs, answers) ------------------------------------------------------------


def test_ioc_file_dev_zero_is_refused(log: Path) -> None:
    refused(
        irbook("audit", "logs", log, "--ioc", "/dev/zero"),
        "/dev/zero:1:1: IOC file is a character device, not a regular file",
    )


def test_ioc_file_fifo_is_refused_without_waiting(log: Path, fifo: Path) -> None:
    refused(
        irbook("audit", "logs", log, "--ioc", fifo),
        f"{fifo}:1:1: IOC file is a named pipe (FIFO), not a regular file",
    )


def test_ioc_file_of_2_gib_is_refused_before_reading(log: Path, sparse: Path) -> None:
    refused(
        irbook("audit", "logs", log, "--ioc", sparse),
        f"{sparse}:1:1: IOC file is 2048.0 MiB; the limit is 16.0 MiB",
    )


def test_answers_with_ioc_file_dev_zero_is_refused(tmp_path: Path) -> None:
    case = tmp_path / "case"
    shutil.copytree(CASE, case)
    answers = case / "answers.yaml"
    answers.write_text(answers.read_text().replace("ioc_file: iocs.txt", "ioc_file: /dev/zero"))
    done = irbook(
        "start", "supply-chain-compromise", "--answers", answers, "--db", tmp_path / "x.db",
        "--as", "alice", "--out", tmp_path / "out", cwd=case,
    )  # fmt: skip
    # ioc_file is a `path` input with `path_kind: file`: refused where the answers file says it,
    # before anything is recorded (issue 11); the scan's own refusal stays as the second guard
    refused(
        done, "answers.yaml:12:13: inputs.ioc_file: input 'ioc_file': /dev/zero: not a regular file"
    )


def test_a_log_with_a_million_hits_keeps_the_first_n_and_counts_all(tmp_path: Path) -> None:
    log = tmp_path / "beacon.log"
    log.write_bytes(b"10.0.0.7 CONNECT filev2.getsession.org:443\n" * 1_000_000)
    done = irbook("audit", "logs", log, "--domain", "filev2.getsession.org", "--max-hits", "3")
    assert done.returncode == 1, done.stderr
    assert "internal error" not in done.stderr
    assert done.stdout.count("filev2.getsession.org:443") == 3
    assert "1000000 hit(s) of 1 of 1 indicator(s) in 1 of 1 file(s)" in done.stdout
    assert "999997 not listed (the first 3 per indicator are)" in done.stdout


def test_max_hits_must_be_positive(log: Path) -> None:
    done = irbook("audit", "logs", log, "--domain", "evil.example", "--max-hits", "0")
    refused(done, "--max-hits")


# --- evidence -----------------------------------------------------------------------------------


@pytest.fixture
def incident(tmp_path: Path) -> tuple[str, Path]:
    from irbook.loader.load import load_runbook
    from irbook.store import open_store
    from irbook.usecases.incidents import Responder, start_incident

    db = tmp_path / "ir.db"
    store = open_store(str(db))
    try:
        state = start_incident(
            load_runbook(MINI), store=store, responder=Responder(actor="alice", host="h"), title="t"
        )
    finally:
        store.close()
    return state.incident_id, db


def test_attach_dev_zero_is_refused(incident: tuple[str, Path]) -> None:
    incident_id, db = incident
    refused(
        irbook("attach", incident_id, "/dev/zero", "--db", db),
        "evidence file is a character device, not a regular file",
    )


def test_attach_fifo_is_refused_without_waiting(incident: tuple[str, Path], fifo: Path) -> None:
    incident_id, db = incident
    refused(
        irbook("attach", incident_id, fifo, "--db", db),
        "evidence file is a named pipe (FIFO), not a regular file",
    )


# --- runbooks, answers, templates ---------------------------------------------------------------


def test_runbook_fifo_and_device_are_refused(fifo: Path) -> None:
    refused(irbook("runbooks", "validate", fifo), "runbook is a named pipe (FIFO)")
    refused(irbook("runbooks", "validate", "/dev/zero"), "runbook is a character device")


def test_answers_file_fifo_is_refused(tmp_path: Path, fifo: Path) -> None:
    done = irbook("start", MINI, "--answers", fifo, "--db", tmp_path / "x.db", "--as", "a")
    refused(done, "answers file is a named pipe (FIFO)")


def test_a_2_gib_template_is_refused_before_reading(
    incident: tuple[str, Path], tmp_path: Path, sparse: Path
) -> None:
    incident_id, db = incident
    (tmp_path / "templates" / "notify").mkdir(parents=True)
    template = sparse.rename(tmp_path / "templates" / "notify" / "internal-alert.txt.j2")
    done = irbook(
        "notify", incident_id, "internal-alert", "--templates", tmp_path / "templates", "--db", db
    )
    refused(done, f"{template}:1:1: template is 2048.0 MiB; the limit is 1.0 MiB")


# --- parsers ------------------------------------------------------------------------------------


def test_runbook_with_a_5000_digit_number(tmp_path: Path) -> None:
    runbook = tmp_path / "r.yaml"
    runbook.write_text(
        MINI.read_text().replace("version: 1.0.0", "version: 1.0.0\nx: " + "9" * 5000)
    )
    refused(
        irbook("runbooks", "validate", runbook),
        f"{runbook}:4:4: x: a number with more than 4300 digits is not allowed",
    )


def test_runbook_nested_700_levels_by_indentation(tmp_path: Path) -> None:
    runbook = tmp_path / "deep.yaml"
    nested = "".join(" " * depth + "a:\n" for depth in range(1, 701))
    runbook.write_text(
        MINI.read_text().replace("version: 1.0.0", "version: 1.0.0\nx:\n" + nested[:-1] + " 1")
    )
    refused(
        irbook("runbooks", "validate", runbook),
        f"{runbook}:105:102: values nest more than 100 levels deep",
    )


def test_answers_with_a_5000_digit_number(tmp_path: Path) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_text("inputs:\n  vector: unknown\n  organisation: " + "7" * 5000 + "\n")
    done = irbook("start", MINI, "--answers", answers, "--db", tmp_path / "x.db", "--as", "a")
    refused(done, f"{answers}:3:17: inputs.organisation: a number with more than 4300 digits")


def test_package_lock_with_100k_nested_brackets(tmp_path: Path) -> None:
    lock = tmp_path / "package-lock.json"
    lock.write_text('{"lockfileVersion": 3, "packages": ' + "[" * 100_000 + "]" * 100_000 + "}")
    refused(
        irbook("audit", "lockfiles", lock, "--advisories", CASE / "advisories"),
        f"{lock}:1:1035: npm lockfile is nested too deeply (over 1000 levels)",
    )


def test_bun_lock_with_100k_nested_brackets(tmp_path: Path) -> None:
    lock = tmp_path / "bun.lock"
    lock.write_text('{"lockfileVersion": 1, "packages": ' + "[" * 100_000 + "]" * 100_000 + "}")
    refused(
        irbook("audit", "lockfiles", lock, "--advisories", CASE / "advisories"),
        f"{lock}:1:1035: bun lockfile is nested too deeply (over 1000 levels)",
    )


def test_pnpm_lock_with_a_5000_digit_number(tmp_path: Path) -> None:
    lock = tmp_path / "pnpm-lock.yaml"
    lock.write_text("lockfileVersion: '9.0'\nimporters:\n  .:\n    x: " + "1" * 5000 + "\n")
    refused(
        irbook("audit", "lockfiles", lock, "--advisories", CASE / "advisories"),
        f"{lock}:4:8: a number with more than 4300 digits is not allowed",
    )


# --- advisory files and lockfiles ---------------------------------------------------------------


def test_advisory_file_of_2_gib_is_refused_before_reading(tmp_path: Path, sparse: Path) -> None:
    advisory = sparse.rename(tmp_path / "dump.json")
    lock = CASE / "app" / "package-lock.json"
    refused(
        irbook("audit", "lockfiles", lock, "--advisories", advisory),
        f"{advisory}:1:1: advisory file is 2048.0 MiB; the limit is 256.0 MiB",
    )


def test_advisory_fifo_for_the_log_scan_is_refused(log: Path, fifo: Path) -> None:
    refused(
        irbook("audit", "logs", log, "--advisories", fifo),
        "advisory file is a named pipe (FIFO), not a regular file",
    )


def test_lockfile_fifo_and_device_are_refused(tmp_path: Path) -> None:
    lock = tmp_path / "package-lock.json"
    os.mkfifo(lock)
    refused(
        irbook("audit", "lockfiles", lock, "--advisories", CASE / "advisories"),
        "package-lock.json:1:1: npm lockfile is a named pipe (FIFO), not a regular file",
    )
    refused(
        irbook("audit", "lockfiles", "/dev/zero", "--advisories", CASE / "advisories"),
        "/dev/zero",
    )


def test_advisory_dump_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    dump = tmp_path / "all.zip"
    os.mkfifo(dump)
    refused(
        irbook("audit", "lockfiles", CASE / "app" / "package-lock.json", "--advisories", dump),
        f"{dump}:1:1: advisory dump is a named pipe (FIFO), not a regular file",
    )
