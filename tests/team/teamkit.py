"""Helpers for the team-mode tests: PostgreSQL URLs, generated runbooks, responder processes
and the integrity check every concurrency test ends with."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from shared import libpq, server_url, with_database

if TYPE_CHECKING:
    from irbook.domain.events import Event
    from irbook.store import Store

TEAM_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "team"
DRILL = TEAM_FIXTURES / "team-drill.yaml"

# The PostgreSQL URL helpers, re-exported: their home is tests/shared.py (`pg_url`: tests/conftest.py)
__all__ = ["libpq", "server_url", "with_database"]


def big_runbook(path: Path, roles: list[str], steps_per_role: int) -> Path:
    """A runbook with ``steps_per_role`` confirm steps owned by each role (concurrency tests)."""
    lines = [
        "apiVersion: irbook/v1",
        "id: load-drill",
        "version: 1.0.0",
        "title: Load drill",
        f"roles: [{', '.join(roles)}]",
        "phases:",
    ]
    for role in roles:
        lines += [f"  - id: {role}-work", f"    title: Work of {role}", "    steps:"]
        for n in range(steps_per_role):
            lines += [
                f"      - id: {role}-{n:04d}",
                "        type: confirm",
                f"        text: Step {n} of {role}.",
                f"        role: {role}",
            ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


DRIVER = Path(__file__).resolve().parent / "driver.py"


def write_answers(
    path: Path, steps: dict[str, object], inputs: dict[str, object] | None = None
) -> Path:
    """An answers file (JSON is YAML, and keeps yaml out of the tests)."""
    path.write_text(json.dumps({"inputs": inputs or {}, "steps": steps}), encoding="utf-8")
    return path


def run_drivers(
    url: str,
    incident_id: str,
    walkers: list[tuple[str, Path, str | None]],
    *,
    mode: str = "walk",
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    urls: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Start one driver process per (actor, answers file, role), release them together once all
    are ready, and return each one's JSON report (failing with its stderr if it failed).
    ``cwd`` and ``env`` are the drivers' (answers files name paths relative to the cwd); ``urls``
    gives each driver its own database URL (another login), instead of ``url`` for all."""
    procs = []
    for n, (actor, answers, role) in enumerate(walkers):
        db = urls[n] if urls else url
        args = [sys.executable, str(DRIVER), mode, db, incident_id, actor, str(answers)]
        procs.append(
            subprocess.Popen(
                [*args, *([role] if role else [])],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=cwd,
                env=None if env is None else {**os.environ, **env},
            )
        )
    for proc in procs:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.strip() == "ready", (line, proc.communicate()[1])
    for proc in procs:  # the starting gun: every driver is blocked on this line
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    reports = []
    for proc in procs:
        out, err = proc.communicate()
        assert proc.returncode == 0, f"driver failed ({proc.returncode}):\n{err}"
        reports.append(json.loads(out.strip().splitlines()[-1]))
    return reports


def assert_log_intact(store: Store, incident_id: str) -> list[Event]:
    """Seqs are gapless 1..N and `irbook verify` (the real CLI, in its own process) passes."""
    events = store.events(incident_id)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    done = subprocess.run(
        [sys.executable, "-m", "irbook", "verify", incident_id, "--db", store.url, "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout)
    assert result["ok"] is True and result["events"] == len(events)
    assert result["head_hash"] == events[-1].hash
    return events


class Proxy:
    """A TCP proxy in front of the test server, to pull the network cable between irbook and
    PostgreSQL (``cut``) and plug it back in (``restore``) on the same port."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.target = (parts.hostname or "127.0.0.1", parts.port or 5432)
        self._parts = parts
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self.port = 0
        self._listener: socket.socket | None = None
        self.restore()

    @property
    def url(self) -> str:
        netloc = self._parts.netloc.rsplit("@", 1)[0] + f"@127.0.0.1:{self.port}"
        return urlunsplit(self._parts._replace(netloc=netloc))

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        """Refuse new connections and drop every open one."""
        assert self._listener is not None
        # shutdown first: close() alone does not wake the thread blocked in accept(), and the
        # port would go on accepting.
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:  # closed by cut()
                return
            server = socket.create_connection(self.target)
            with self._lock:
                self._sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)


def raw_connect(url: str) -> Any:
    """A plain DB-API connection from outside irbook (sqlite3 or psycopg), autocommitting: what a
    responder's psql session or a script can do to the tables."""
    if url.startswith("sqlite"):
        import sqlite3

        return sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    import psycopg

    return psycopg.connect(libpq(url), autocommit=True)


def sql(url: str, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Run one statement from outside irbook (placeholders: ``?``) and return its rows."""
    conn = raw_connect(url)
    try:
        if not url.startswith("sqlite"):
            statement = statement.replace("?", "%s")
        cursor = conn.execute(statement, params)
        return list(cursor.fetchall()) if cursor.description else []
    finally:
        conn.close()
