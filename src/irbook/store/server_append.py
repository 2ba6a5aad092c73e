"""The append as one call on the PostgreSQL server: queue, read the head, hash, insert (issue 17).

With the head read and the event hashed by the client, every writer of a busy incident held its
lock across two round trips and a turn of its own process on the CPU: the next writer in the
queue waited for this process to be scheduled, read the head and send its INSERT. Sixteen
responders on two cores spent most of a burst on those hand-overs (docs/performance.md).
``irbook_append`` does the same steps inside the server, so the lock is held only while the server
inserts and commits, and the whole append is one statement and one round trip.

The hash stays the one ``domain/eventlog.py`` defines, byte for byte: the client sends its
canonical JSON split around the seq (``canonical_around_seq``) and the server computes
``sha256(prev_hash || before || seq || after)`` with the built-in ``sha256()`` (PostgreSQL 11 and
later; no extension). ``irbook verify`` recomputes it from the stored event like any other.

The function runs with the caller's rights (SECURITY INVOKER): it can do nothing the caller's own
INSERT could not, and the triggers of store/guards.py check its rows as they check any other
(the seq after the head, the head's hash, the login). It is created with the tables (``irbook db
init``); a database made by a development build before it existed has no such function, and the
store then appends the way SQLite does (store/store.py), taking the same advisory lock, until
``irbook db init`` is run on it again (store/admin.py adds the function where it is missing).
"""

from __future__ import annotations

from sqlalchemy import Connection

from irbook.domain.eventlog import GENESIS_HASH

# The first key of irbook's advisory locks ("irb" in ASCII), so they cannot collide with another
# application's locks on the same server; the second is the incident id's hashtext(). Every
# writer of an incident takes this one lock, in this function or in store/append.py.
ADVISORY_LOCK_CLASS = 0x697262

FUNCTION = "irbook_append"
# Its signature, to look it up (to_regprocedure) and to grant or revoke it.
SIGNATURE = (
    f"{FUNCTION}(text, integer, timestamp with time zone, text, text, text, text, json, text, "
    "bytea, bytea)"
)

# The call: one row (seq, prev_hash, hash), as the server chose and computed them.
CALL = (
    "SELECT event_seq, event_prev_hash, event_hash FROM irbook_append(CAST(:incident_id AS TEXT), "
    "CAST(:expected_seq AS INTEGER), CAST(:at AS TIMESTAMP WITH TIME ZONE), CAST(:actor AS TEXT), "
    "CAST(:host AS TEXT), CAST(:kind AS TEXT), CAST(:step_id AS TEXT), CAST(:payload AS JSON), "
    "CAST(:login AS TEXT), CAST(:before_seq AS BYTEA), CAST(:after_seq AS BYTEA))"
)

# Whether this database has the function and the connected role may call it (a database made
# before it existed, or an administrator who revoked EXECUTE: the store appends the other way).
AVAILABLE = (
    f"SELECT coalesce(has_function_privilege(to_regprocedure('{SIGNATURE}'), 'EXECUTE'), false)"
)


def _definition(schema: str) -> str:
    # Only constants are interpolated (the genesis hash, the lock class, the schema irbook itself
    # found with current_schema()). The lock is taken in its own statement before the head is
    # read: in a volatile function each statement reads with a new snapshot (READ COMMITTED), so
    # the head query sees what the previous holder committed while this call waited.
    return f"""
CREATE OR REPLACE FUNCTION {FUNCTION}(
    p_incident_id text, p_expected_seq integer, p_at timestamp with time zone, p_actor text,
    p_host text, p_kind text, p_step_id text, p_payload json, p_login text,
    p_before_seq bytea, p_after_seq bytea,
    OUT event_seq integer, OUT event_prev_hash text, OUT event_hash text)
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = "{schema}", pg_temp AS $$
DECLARE
    head_seq integer;
BEGIN
    PERFORM pg_advisory_xact_lock({ADVISORY_LOCK_CLASS}, hashtext(p_incident_id));
    SELECT e.seq, e.hash INTO head_seq, event_prev_hash FROM event e
        WHERE e.incident_id = p_incident_id ORDER BY e.seq DESC LIMIT 1;
    IF NOT FOUND THEN
        head_seq := 0;
        event_prev_hash := '{GENESIS_HASH}';
    END IF;
    -- An expected seq that is not the next one is refused by the chain guard (guards.py) as a
    -- lost race, like any other insert: the caller reloads.
    event_seq := coalesce(p_expected_seq, head_seq + 1);
    event_hash := encode(sha256(convert_to(event_prev_hash, 'UTF8') || p_before_seq
        || convert_to(event_seq::text, 'UTF8') || p_after_seq), 'hex');
    INSERT INTO event (incident_id, seq, at, actor, host, kind, step_id, payload, prev_hash,
            hash, login)
        VALUES (p_incident_id, event_seq, p_at, p_actor, p_host, p_kind, p_step_id, p_payload,
            event_prev_hash, event_hash, p_login);
END
$$"""  # noqa: S608 -- constants only, see above


def install_append_function(connection: Connection, schema: str) -> None:
    """Create (or replace) ``irbook_append`` in ``schema``; run by whoever creates the tables."""
    connection.exec_driver_sql(_definition(schema.replace('"', '""')))
