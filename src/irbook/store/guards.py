"""Rules the database server enforces itself, whoever connects: triggers installed with the tables.

irbook checks all of this in its own code too; the triggers are for everything else that can
reach the tables (a responder's login in psql, a script, a bug). They are installed by whoever
creates the tables (``irbook db init``, on PostgreSQL as the owner), so the app role can neither
drop nor disable them.

- ``event_follows_head``: an event is the next one of its incident (seq = last + 1) and links to
  the last event's hash; anything else (seq 1000000, a junk prev_hash) is refused with an
  integrity error, the same class as two responders racing for one seq. On PostgreSQL it also
  sets ``event.login`` from ``session_user`` (whatever the client sent) and, when
  ``irbook db init --enforce-actor`` stored ``enforce_actor = on`` in ``irbook_meta``, refuses
  an event whose actor is not that login.
- ``event_closes_incident``: the ``incident_closed`` event sets the incident row's status and
  closed time in the same statement, so the row and the log cannot disagree (no second
  transaction, nothing a kill or a lost connection can split). On PostgreSQL it runs with the
  owner's rights (SECURITY DEFINER): responders need no UPDATE on ``incident`` at all.
- ``incident_follows_log``: a new incident row is ``open``; an update must leave everything but
  status and closed time alone, and make those agree with an ``incident_closed`` event of the
  log. A forged ``status = 'completed'`` is refused for every role, the owner included.

The hash itself is not checked here: it covers canonical JSON the client builds (on PostgreSQL
the server finishes it, store/server_append.py, but from bytes the client sent); a linked event
with a wrong hash is caught by ``irbook verify``, which names it.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from irbook.domain.events import GENESIS_HASH
from irbook.store.server_append import install_append_function

# Messages start with "irbook:" so store.database can tell the server's refusals from driver noise.
REFUSED = "irbook:"
ENFORCE_ACTOR = "enforce_actor"  # the irbook_meta key; value "on" or "off"
ROW_REFUSAL = (
    "the incident row changes only with its incident_closed event: status and closed time come "
    "from that event, and nothing else changes"
)

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
    """
CREATE TRIGGER IF NOT EXISTS event_closes_incident AFTER INSERT ON event
WHEN NEW.kind = 'incident_closed'
BEGIN
    UPDATE incident SET status = json_extract(NEW.payload, '$.outcome'), closed_at = NEW.at
        WHERE id = NEW.incident_id;
END
""",
    f"""
CREATE TRIGGER IF NOT EXISTS incident_opens_open BEFORE INSERT ON incident
WHEN NEW.status IS NOT 'open' OR NEW.closed_at IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, '{REFUSED} a new incident is open; it is closed only by its incident_closed event');
END
""",
    f"""
CREATE TRIGGER IF NOT EXISTS incident_follows_log BEFORE UPDATE ON incident
WHEN NEW.id IS NOT OLD.id OR NEW.title IS NOT OLD.title OR NEW.severity IS NOT OLD.severity
    OR NEW.runbook_id IS NOT OLD.runbook_id OR NEW.runbook_version IS NOT OLD.runbook_version
    OR NEW.runbook_sha256 IS NOT OLD.runbook_sha256 OR NEW.opened_at IS NOT OLD.opened_at
    OR NEW.opened_by IS NOT OLD.opened_by
    OR NOT EXISTS (SELECT 1 FROM event WHERE incident_id = NEW.id AND kind = 'incident_closed'
        AND json_extract(payload, '$.outcome') IS NEW.status AND at IS NEW.closed_at)
BEGIN
    SELECT RAISE(ABORT, '{REFUSED} {ROW_REFUSAL}');
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
        f"""
CREATE OR REPLACE FUNCTION irbook_event_closes_incident() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER {path} AS $$
BEGIN
    UPDATE incident SET status = NEW.payload->>'outcome', closed_at = NEW.at
        WHERE id = NEW.incident_id;
    RETURN NULL;
END
$$""",  # noqa: S608 -- constants only, see _SQLITE
        "DROP TRIGGER IF EXISTS event_closes_incident ON event",
        """
CREATE TRIGGER event_closes_incident AFTER INSERT ON event
    FOR EACH ROW WHEN (NEW.kind = 'incident_closed')
    EXECUTE FUNCTION irbook_event_closes_incident()""",
        f"""
CREATE OR REPLACE FUNCTION irbook_incident_follows_log() RETURNS trigger
LANGUAGE plpgsql {path} AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.status IS DISTINCT FROM 'open' OR NEW.closed_at IS NOT NULL THEN
            RAISE EXCEPTION '{REFUSED} a new incident is open; it is closed only by its '
                'incident_closed event' USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END IF;
    IF (NEW.id, NEW.title, NEW.severity, NEW.runbook_id, NEW.runbook_version,
            NEW.runbook_sha256, NEW.opened_at, NEW.opened_by)
        IS DISTINCT FROM (OLD.id, OLD.title, OLD.severity, OLD.runbook_id, OLD.runbook_version,
            OLD.runbook_sha256, OLD.opened_at, OLD.opened_by)
        OR NOT EXISTS (SELECT 1 FROM event e WHERE e.incident_id = NEW.id
            AND e.kind = 'incident_closed' AND e.payload->>'outcome' = NEW.status
            AND e.at = NEW.closed_at) THEN
        RAISE EXCEPTION '{REFUSED} incident %: {ROW_REFUSAL}', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$""",  # noqa: S608 -- constants only, see _SQLITE
        "DROP TRIGGER IF EXISTS incident_follows_log ON incident",
        """
CREATE TRIGGER incident_follows_log BEFORE INSERT OR UPDATE ON incident
    FOR EACH ROW EXECUTE FUNCTION irbook_incident_follows_log()""",
    ]


def install_guards(connection: Connection) -> None:
    """Create (or replace) every trigger, and on PostgreSQL the append function (not a guard,
    store/server_append.py, but made by the same owner at the same time); idempotent, run inside
    the caller's transaction."""
    if connection.dialect.name != "postgresql":
        for statement in _SQLITE:
            connection.exec_driver_sql(statement)
        return
    schema = str(connection.execute(text("SELECT current_schema()")).scalar_one())
    # psycopg reads % as a placeholder even without parameters; plpgsql's RAISE needs one
    for statement in _postgres(schema.replace('"', '""')):
        connection.exec_driver_sql(statement.replace("%", "%%"))
    install_append_function(connection, schema)
