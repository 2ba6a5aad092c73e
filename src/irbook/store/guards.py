"""Rules the database server enforces itself, whoever connects: triggers installed with the tables.

irbook checks all of this in its own code too; the triggers are for everything else that can
reach the tables (a responder's login in psql, a script, a bug). They are installed by whoever
creates the tables (``irbook db init``, on PostgreSQL as the owner), so the app role can neither
drop nor disable them.

- ``event_follows_head``: an event is the next one of its incident (seq = last + 1) and links to
  the last event's hash; anything else (seq 1000000, a junk prev_hash) is refused with an
  integrity error, the same class as two responders racing for one seq.
- On PostgreSQL the same trigger sets ``event.login`` from ``session_user`` (whatever the client
  sent), and, when ``irbook db init --enforce-actor`` stored ``enforce_actor = on`` in
  ``irbook_meta``, refuses an event whose actor is not that login.

The hash itself is computed by the client over canonical JSON, which SQL cannot reproduce; a
linked event with a wrong hash is caught by ``irbook verify``, which names it.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from irbook.domain.events import GENESIS_HASH

# Messages start with "irbook:" so store.database can tell the server's refusals from driver noise.
REFUSED = "irbook:"
ENFORCE_ACTOR = "enforce_actor"  # the irbook_meta key; value "on" or "off"

# Only constants are interpolated (the genesis hash, the marker, the schema irbook itself found
# with current_schema()): no input reaches these statements.
_SQLITE = [
    f"""
CREATE TRIGGER IF NOT EXISTS event_follows_head BEFORE INSERT ON event
WHEN NEW.seq IS NOT coalesce(
        (SELECT max(seq) FROM event WHERE incident_id = NEW.incident_id), 0) + 1
    OR NEW.prev_hash IS NOT coalesce(
        (SELECT hash FROM event WHERE incident_id = NEW.incident_id ORDER BY seq DESC LIMIT 1),
        '{GENESIS_HASH}')
BEGIN
    SELECT RAISE(ABORT, '{REFUSED} event refused: its seq must be the next one of the incident and its prev_hash the hash of the last event');
END
""",  # noqa: S608 -- constants only, see above
]


def _postgres(schema: str) -> list[str]:
    # A fixed search_path: the functions never resolve `event` through a schema or temporary
    # table the connecting role might control.
    path = f'SET search_path = "{schema}", pg_temp'
    return [
        f"""
CREATE OR REPLACE FUNCTION irbook_event_follows_head() RETURNS trigger
LANGUAGE plpgsql {path} AS $$
DECLARE
    head_seq bigint;
    head_hash text;
BEGIN
    NEW.login := session_user;  -- the authenticated login, not what the client claims
    IF (SELECT m.value FROM irbook_meta m WHERE m.key = '{ENFORCE_ACTOR}') = 'on'
            AND NEW.actor IS DISTINCT FROM session_user THEN
        RAISE EXCEPTION '{REFUSED} the actor "%" is not your database login "%": this database '
            'records only events whose actor is the login (irbook db init --enforce-actor)',
            NEW.actor, session_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT e.seq, e.hash INTO head_seq, head_hash FROM event e
        WHERE e.incident_id = NEW.incident_id ORDER BY e.seq DESC LIMIT 1;
    IF NOT FOUND THEN
        head_seq := 0;
        head_hash := '{GENESIS_HASH}';
    END IF;
    IF NEW.seq IS DISTINCT FROM head_seq + 1 OR NEW.prev_hash IS DISTINCT FROM head_hash THEN
        RAISE EXCEPTION '{REFUSED} event % of incident % refused: the next event is % and '
            'must follow hash %', NEW.seq, NEW.incident_id, head_seq + 1, head_hash
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$""",  # noqa: S608 -- constants only, see _SQLITE
        "DROP TRIGGER IF EXISTS event_follows_head ON event",
        """
CREATE TRIGGER event_follows_head BEFORE INSERT ON event
    FOR EACH ROW EXECUTE FUNCTION irbook_event_follows_head()""",
    ]


def install_guards(connection: Connection) -> None:
    """Create (or replace) every trigger; idempotent, run inside the caller's transaction."""
    if connection.dialect.name == "postgresql":
        schema = connection.execute(text("SELECT current_schema()")).scalar_one()
        # psycopg reads % as a placeholder even without parameters; plpgsql's RAISE needs one
        statements = [s.replace("%", "%%") for s in _postgres(str(schema).replace('"', '""'))]
    else:
        statements = _SQLITE
    for statement in statements:
        connection.exec_driver_sql(statement)
