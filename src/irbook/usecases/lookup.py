"""Finding an incident: by id, or the most recently opened open one.

Its own module so that a command that stops here (``irbook status`` on an empty database) imports
neither the engine nor the runbook models (``usecases/incidents.py`` re-exports it).
"""

from __future__ import annotations

from irbook.errors import NotFoundError
from irbook.store import Incident, Reader


def find_incident(store: Reader, incident_id: str | None) -> Incident:
    """An incident by id, or the most recently opened open one: a real incident before any
    drill, so a bare `irbook resume` during a breach never lands in a rehearsal left open."""
    if incident_id:
        return store.incident(incident_id)
    latest = store.latest_open()
    if latest is None:
        raise NotFoundError(
            f"no open incident in {store.where}",
            hint="start one with `irbook start supply-chain-compromise`, or name one "
            "(`irbook list` shows them all)",
        )
    from irbook.domain.drills import is_drill_id  # here: an empty database needs no models

    if is_drill_id(latest.id):
        real = [i for i in store.incidents(status="open") if not is_drill_id(i.id)]
        latest = real[0] if real else latest
    return latest
