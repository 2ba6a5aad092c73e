"""Event rows as stored -> events, or an account of why a row cannot be one.

The event table can be edited behind irbook's back (a hand-run UPDATE, a disk error, a bad
restore). The commands that diagnose that (`verify`) and the ones that refuse to work on it
(`status`, `report`, the walker) must read such a row without a traceback: every column is read
as the database holds it and checked here, and a row that does not decode becomes a
``DamagedRow`` naming its seq and what is wrong with it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from irbook.domain.eventlog import Event
from irbook.errors import DamagedLogError

TEXT_COLUMNS = ("incident_id", "actor", "host", "kind", "prev_hash", "hash")


@dataclass(frozen=True)
class DamagedRow:
    """An event row irbook cannot read, by the seq it holds (as text: it may not be a number)."""

    seq: str
    cause: str

    def __str__(self) -> str:
        return f"event {self.seq}: {self.cause}"


class StoredRow(NamedTuple):
    """The event columns in ``Event`` order, as the database handed them back (the read paths'
    queries select them in this order)."""

    incident_id: Any
    seq: Any
    at: Any
    actor: Any
    host: Any
    kind: Any
    step_id: Any
    payload: Any
    prev_hash: Any
    hash: Any
    login: Any


def damaged_log_error(incident_id: str, damaged: list[DamagedRow]) -> DamagedLogError:
    """What status, report and the walker say when an incident's log has unreadable rows."""
    first = damaged[0]
    more = f" and {len(damaged) - 1} more" if len(damaged) > 1 else ""
    return DamagedLogError(
        f"the event log of {incident_id} is damaged ({first}{more}); nothing was changed",
        hint=f"`irbook verify {incident_id}` lists every damaged event; keep the "
        "database for forensics and restore the incident from a backup",
    )


def utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def decode_event(row: Any) -> Event | DamagedRow:
    """``row`` has the event columns, uncoerced (SQLite hands back whatever was stored)."""
    seq = row.seq
    if not isinstance(seq, int) or isinstance(seq, bool):
        return DamagedRow(_shown(seq), f"its seq {_shown(seq)!r} is not a number")
    causes = [
        f"{name} is {_kind_of(getattr(row, name))}, not text"
        for name in TEXT_COLUMNS
        if not isinstance(getattr(row, name), str)
    ]
    for name in ("step_id", "login"):  # nullable text
        value = getattr(row, name, None)
        if value is not None and not isinstance(value, str):
            causes.append(f"{name} is {_kind_of(value)}, not text")
    at, problem = _time(row.at)
    if problem:
        causes.append(problem)
    payload, problem = _payload(row.payload)
    if problem:
        causes.append(problem)
    if causes or at is None or payload is None:
        return DamagedRow(str(seq), "; ".join(causes))
    return Event(
        incident_id=row.incident_id,
        seq=seq,
        at=at,
        actor=row.actor,
        host=row.host,
        kind=row.kind,
        step_id=row.step_id,
        payload=payload,
        prev_hash=row.prev_hash,
        hash=row.hash,
        login=getattr(row, "login", None),
    )


def decode_plain(row: tuple[Any, ...]) -> Event | None:
    """The fast path for a row that is exactly as irbook writes it (the columns in ``Event``
    order, ``payload`` as JSON text, ``at`` as text on SQLite or as the driver's datetime on
    PostgreSQL, naive ones in UTC): the event, or None for anything else, which
    ``decode_event`` then reads and explains. Same result as ``decode_event`` for every row it
    accepts (tests/report/test_read_path.py, test_server_read.py); about twice as fast on a
    100,000-event log."""
    incident_id, seq, at, actor, host, kind, step_id, payload, prev_hash, hash_, login = row
    if not (
        type(seq) is int
        and type(incident_id) is str
        and type(actor) is str
        and type(host) is str
        and type(kind) is str
        and type(prev_hash) is str
        and type(hash_) is str
        and type(payload) is str
        and (step_id is None or type(step_id) is str)
        and (login is None or type(login) is str)
    ):
        return None
    try:
        if type(at) is datetime:  # PostgreSQL: UTC wall time (server_read._COLUMNS) or aware
            when = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
        elif type(at) is not str:
            return None
        elif len(at) == 26 and at[19] == ".":  # as SQLAlchemy stores it: naive, microseconds
            when = datetime.fromisoformat(at + "+00:00")  # UTC, 4x faster than .replace
        else:
            when = utc(datetime.fromisoformat(at))
        # '{}': a payload the caller does not read (reader._SKIPPED, server_read._SKIPPED)
        data = {} if payload == "{}" else json.loads(payload)
    except (ValueError, RecursionError):
        return None
    if type(data) is not dict:
        return None
    return Event(incident_id, seq, when, actor, host, kind, step_id, data, prev_hash, hash_, login)


def _time(value: Any) -> tuple[datetime | None, str | None]:
    if isinstance(value, datetime):
        return utc(value), None
    if isinstance(value, str):
        try:
            return utc(datetime.fromisoformat(value)), None
        except ValueError:
            return None, f"its time {_shown(value)!r} is not a date and time"
    return None, f"its time is {_kind_of(value)}, not a date and time"


def _payload(value: Any) -> tuple[dict[str, Any] | None, str | None]:
    if isinstance(value, str):  # SQLite: JSON text; PostgreSQL hands back the decoded value
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            return None, f"its payload is not valid JSON ({exc.msg} at character {exc.pos})"
        except ValueError:  # e.g. a number too long to convert
            return None, "its payload is not valid JSON"
        except RecursionError:  # sound JSON (the server took it), nested past Python's limit
            return None, "its payload is nested too deeply to read"
    if isinstance(value, dict):
        return value, None
    if isinstance(value, bytes | bytearray | memoryview):
        return None, f"its payload is binary data ({len(bytes(value))} bytes), not JSON text"
    return None, f"its payload is {_kind_of(value)}, not a JSON object"


def _kind_of(value: Any) -> str:
    if value is None:
        return "empty (NULL)"
    if isinstance(value, bytes | bytearray | memoryview):
        return "binary data"
    names = {bool: "a boolean", int: "a number", float: "a number", str: "text", list: "a list"}
    return names.get(type(value), f"a {type(value).__name__}")


def _shown(value: Any, limit: int = 40) -> str:
    """A stored value as it may appear in a message (cut short: it can be anything)."""
    text = value.hex() if isinstance(value, bytes) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
