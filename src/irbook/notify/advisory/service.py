"""`irbook advisory`: the incident's advisory as OSV JSON, CSAF 2.0 JSON or Markdown.

Each advisory handed out is one revision of it, recorded as an ``advisory_issued`` event with the
hash of its content (without its own dates): issuing the same content again changes nothing, so
``published`` stays the first issue's time and ``modified`` (CSAF: the tracking version and the
revision history) moves only when the content changes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from irbook.domain.events import AdvisoryIssued, Kind, NewEvent
from irbook.domain.facts import IncidentFacts, build_facts
from irbook.domain.redact import redact
from irbook.errors import DrillRefusedError, UsageError
from irbook.usecases import incidents

if TYPE_CHECKING:
    from irbook.notify.advisory.csaf import Revision
    from irbook.store import Store
    from irbook.usecases.incidents import Responder

FORMATS = ("osv", "csaf", "md")


@dataclass(frozen=True)
class AdvisoryResult:
    incident_id: str
    format: str
    text: str
    problems: tuple[str, ...] = ()  # package entries that could not be read (left out)
    revision: int = 1
    new_revision: bool = True
    redacted: tuple[str, ...] = ()  # kinds masked by the last check before the advisory leaves


def render_advisory(
    facts: IncidentFacts,
    *,
    fmt: str,
    now: datetime,
    category: str = "incident-response",
    namespace: str | None = None,
    templates_dir: Path | None = None,
    published: datetime | None = None,
    history: tuple[Revision, ...] = (),
) -> str:
    from irbook.notify.advisory.osv import osv_id, osv_record

    refuse_a_drill(facts)
    if fmt == "osv":
        if not facts.packages:
            raise UsageError(
                f"incident {facts.id} has no affected package yet",
                hint="record the 'affected-packages' step first",
            )
        record = osv_record(facts, now=now, published=published)
        return json.dumps(record, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csaf":
        from irbook.notify.advisory.csaf import csaf_document

        doc = csaf_document(facts, now=now, category=category, namespace=namespace, history=history)
        # Keys sorted: CSAF optional test 6.2.13.
        return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    if fmt == "md":
        from irbook.notify.advisory.osv import id_url
        from irbook.notify.advisory.wording import payload_sentences
        from irbook.render.environment import Renderer

        does, action = payload_sentences(facts.payload)
        context = {
            "incident": facts,
            "osv_id": osv_id(facts),
            "id_url": id_url,
            "payload_does": does,
            "payload_action": action,
        }
        return Renderer(templates_dir).render("advisory/advisory.md.j2", context).text
    raise UsageError(f"unknown advisory format '{fmt}'; use one of {', '.join(FORMATS)}")


def advisory(
    *,
    store: Store,
    incident_id: str,
    fmt: str,
    responder: Responder,
    now: datetime | None = None,
    category: str = "incident-response",
    namespace: str | None = None,
    templates_dir: Path | None = None,
) -> AdvisoryResult:
    from irbook.notify.advisory.csaf import Revision
    from irbook.notify.advisory.osv import timestamp

    if fmt not in FORMATS:
        raise UsageError(f"unknown advisory format '{fmt}'; use one of {', '.join(FORMATS)}")
    state = incidents.load_state(store, incident_id)
    facts = build_facts(state)
    refuse_a_drill(facts)  # before anything else is said about its content
    if facts.problems and fmt != "md":
        raise UsageError(
            "cannot build the advisory: " + "; ".join(facts.problems),
            hint=f"correct the answer (`irbook resume {facts.id}`, go back to "
            "the step) so every entry reads ECOSYSTEM:NAME@VERSION",
        )
    now = now or incidents.utc_now()
    options: dict[str, Any] = {
        "fmt": fmt,
        "category": category,
        "namespace": namespace,
        "templates_dir": templates_dir,
    }
    issued = [
        AdvisoryIssued.model_validate(e.payload)
        for e in state.events_of(Kind.ADVISORY_ISSUED)
        if e.payload.get("format") == fmt
    ]
    digest = content_digest(fmt, render_advisory(facts, now=now, **options))
    last = issued[-1] if issued else None
    new = last is None or last.content_sha256 != digest
    history = [Revision(i.revision, i.modified, i.summary) for i in issued]
    if new:
        number = last.revision + 1 if last else 1
        summary = "Initial version." if last is None else "Content revised."
        history.append(Revision(number, timestamp(now), summary))
    published = datetime.fromisoformat(issued[0].published) if issued else now
    modified = now if new or last is None else datetime.fromisoformat(last.modified)
    text = render_advisory(
        facts, now=modified, published=published, history=tuple(history), **options
    )
    # The last check before the advisory is published (often TLP:CLEAR): mask what looks like a
    # secret, and say so.
    text, found = redact(text)
    if new:
        payload = AdvisoryIssued(
            format=fmt,
            revision=history[-1].number,
            content_sha256=digest,
            published=timestamp(published),
            modified=timestamp(modified),
            summary=history[-1].summary,
        )
        incidents.record_anyway(
            store, state.incident_id, NewEvent(Kind.ADVISORY_ISSUED, payload), responder
        )
    return AdvisoryResult(
        state.incident_id, fmt, text, facts.problems, history[-1].number, new, tuple(found)
    )


def refuse_a_drill(facts: IncidentFacts) -> None:
    """An advisory is published to the world (often TLP:CLEAR, into OSV and CSAF feeds): a
    rehearsal's would announce a breach that never happened, whatever banner it carried."""
    if facts.drill:
        raise DrillRefusedError(
            f"{facts.id} is a drill: a drill publishes no advisory; nothing was written",
            hint="rehearse the advisory step with the notify templates (`irbook notify "
            f"{facts.id} advisory-downstream`): they are marked DRILL and never sent",
        )


def content_digest(fmt: str, text: str) -> str:
    """sha256 of the advisory without the fields that only say when or which revision it is."""
    if fmt == "md":
        return hashlib.sha256(text.encode("utf-8")).hexdigest()
    doc = json.loads(text)
    if fmt == "osv":
        doc.pop("modified", None)
        doc.pop("published", None)
    else:
        tracking = doc.get("document", {}).get("tracking", {})
        for key in (
            "version",
            "initial_release_date",
            "current_release_date",
            "revision_history",
            "generator",
        ):
            tracking.pop(key, None)
    canonical = json.dumps(doc, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
