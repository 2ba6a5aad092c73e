"""`irbook advisory`: the incident's advisory as OSV JSON, CSAF 2.0 JSON or Markdown."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from irbook.domain.facts import IncidentFacts, build_facts
from irbook.domain.redact import redact
from irbook.errors import UsageError
from irbook.usecases import incidents

if TYPE_CHECKING:
    from irbook.store import Store

FORMATS = ("osv", "csaf", "md")


@dataclass(frozen=True)
class AdvisoryResult:
    incident_id: str
    format: str
    text: str
    problems: tuple[str, ...] = ()  # package entries that could not be read (left out)
    redacted: tuple[str, ...] = ()  # kinds masked by the last check before the advisory leaves


def render_advisory(
    facts: IncidentFacts,
    *,
    fmt: str,
    now: datetime,
    category: str = "incident-response",
    namespace: str | None = None,
    templates_dir: Path | None = None,
) -> str:
    from irbook.notify.advisory.osv import osv_id, osv_record

    if fmt == "osv":
        if not facts.packages:
            raise UsageError(
                f"incident {facts.id} has no affected package yet",
                hint="record the 'affected-packages' step first",
            )
        return json.dumps(osv_record(facts, now=now), indent=2, ensure_ascii=False) + "\n"
    if fmt == "csaf":
        from irbook.notify.advisory.csaf import csaf_document

        doc = csaf_document(facts, now=now, category=category, namespace=namespace)
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if fmt == "md":
        from irbook.render.environment import Renderer

        context = {"incident": facts, "osv_id": osv_id(facts)}
        return Renderer(templates_dir).render("advisory/advisory.md.j2", context).text
    raise UsageError(f"unknown advisory format '{fmt}'; use one of {', '.join(FORMATS)}")


def advisory(
    *,
    store: Store,
    incident_id: str,
    fmt: str,
    now: datetime | None = None,
    category: str = "incident-response",
    namespace: str | None = None,
    templates_dir: Path | None = None,
) -> AdvisoryResult:
    if fmt not in FORMATS:
        raise UsageError(f"unknown advisory format '{fmt}'; use one of {', '.join(FORMATS)}")
    state = incidents.load_state(store, incident_id)
    facts = build_facts(state)
    if facts.problems and fmt != "md":
        raise UsageError(
            "cannot build the advisory: " + "; ".join(facts.problems),
            hint=f"correct the answer (`irbook resume {facts.id}`, go back to "
            "the step) so every entry reads ECOSYSTEM:NAME@VERSION",
        )
    text = render_advisory(
        facts,
        fmt=fmt,
        now=now or incidents.utc_now(),
        category=category,
        namespace=namespace,
        templates_dir=templates_dir,
    )
    # The last check before the advisory is published (often TLP:CLEAR): mask what looks like a
    # secret, and say so.
    text, found = redact(text)
    return AdvisoryResult(state.incident_id, fmt, text, facts.problems, tuple(found))
