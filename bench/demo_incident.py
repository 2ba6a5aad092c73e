"""A realistic demo incident on the shipped supply-chain runbook, for the README picture and bench.

Scenario (fictitious company, real public facts): on 2026-05-11 malicious versions of
`@tanstack/*` packages were published through TanStack's CI (GHSA-g7cv-rxg3-hmpx); "Northwind Apps"
finds that three of its machines installed `@tanstack/react-router` 1.169.5 and responds with the
shipped runbook. Every event goes through the real store and incident operations with a scripted
clock, so the output is the same on every run.

    python bench/demo_incident.py /tmp/demo.db   # builds it and prints the incident id
"""

from __future__ import annotations

import hashlib
import random
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from irbook.domain import engine
from irbook.domain.engine import IncidentState
from irbook.domain.events import (
    CheckRan,
    CommandRan,
    EvidenceAttached,
    InputRecorded,
    Kind,
    NewEvent,
    NotificationRendered,
    NotificationSent,
    Payload,
    RoleAssigned,
    StepCompleted,
    StepSkipped,
)
from irbook.loader import catalog
from irbook.store import Store
from irbook.usecases import incidents
from irbook.usecases.followups import add_followup
from irbook.usecases.incidents import Responder

DEMO_ID = "IR-20260511-7F3A"
PEOPLE = {  # role -> (actor, host)
    "incident-commander": ("maya.okafor", "mokafor-mbp"),
    "ops-lead": ("jonas.weber", "ops-jump-01"),
    "security-engineer": ("priya.raman", "sec-ws-07"),
    "comms-lead": ("lea.martin", "lmartin-laptop"),
    "legal": ("tom.becker", "legal-03"),
}
INPUTS: dict[str, Any] = {
    "organisation": "Northwind Apps",
    "vector": "ci-cd-pipeline",
    "detected_at": "2026-05-11T20:05:00+00:00",
    "repo_paths": ["src/web-console", "src/desktop-app"],
    "advisories": ["osv/GHSA-g7cv-rxg3-hmpx.json"],
    "log_paths": ["logs/squid/access.log.1.gz"],
}
ANSWERS: dict[str, Any] = {
    "affected-devices": ["dev-mbp-114", "dev-mbp-131", "ci-runner-07"],
    "own-releases-hit": False,
    "signing-keys-exposed": True,
    "affected-packages": [
        "npm:@tanstack/react-router:1.169.5",
        "npm:@tanstack/router-core:1.169.5",
    ],
    "safe-versions": ["npm:@tanstack/react-router:1.169.9", "npm:@tanstack/router-core:1.169.9"],
    "iocs": [
        "filev2.getsession.org",
        "seed1.getsession.org",
        "router_init.js",
        "tanstack_runner.js",
    ],
}
SKIPS = {
    "check-cloud-audit-logs": "CloudTrail data events were off for the build account; nothing "
    "to search, enabling them is a follow-up",
    "registry-report": "TanStack reported to npm already; GHSA-g7cv-rxg3-hmpx is published",
    "software-install-policy": "needs works-council approval; scheduled for June",
}
NOTES = {
    "affected-devices": "dev-mbp-114 ran `npm install` in web-console at 19:31 UTC; ci-runner-07 "
    "built the desktop app at 19:40 UTC with the same lockfile.",
    "remove-persistence": "Removed the user service before revoking tokens (vendor reports say it "
    "wipes $HOME when the stolen GitHub token is revoked).",
    "rotate-ssh-keys": "Two deploy keys were shared between repos; split while rotating.",
    "internal-alert": "Engineers who ran npm install on 2026-05-11 asked to report in #ir-7f3a.",
}
FINDINGS = {
    # the shape `audit lockfiles --json` and the lockfile-audit action record (finding_json)
    "lockfile-audit": [
        {
            "file": "services/web-console/frontend/packages/router-shell/package-lock.json",
            "ecosystem": "npm",
            "name": "@tanstack/react-router",
            "version": "1.169.5",
            "advisory": "GHSA-g7cv-rxg3-hmpx",
            "aliases": ["CVE-2026-45321"],
            "match": "exact",
            "low_confidence": False,
            "safe_version": "1.169.9",
            "summary": "Malicious versions published through a compromised CI workflow",
            "source": None,
            "groups": [],
            "direct": True,
            "references": ["https://github.com/advisories/GHSA-g7cv-rxg3-hmpx"],
        },
        {
            "file": "apps/desktop-app/package-lock.json",
            "ecosystem": "npm",
            "name": "@tanstack/router-core",
            "version": "1.169.5",
            "advisory": "GHSA-g7cv-rxg3-hmpx",
            "aliases": ["CVE-2026-45321"],
            "match": "exact",
            "low_confidence": False,
            "safe_version": "1.169.9",
            "summary": "Malicious versions published through a compromised CI workflow",
            "source": None,
            "groups": [],
            "direct": False,
            "references": ["https://github.com/advisories/GHSA-g7cv-rxg3-hmpx"],
        },
    ],
    "log-ioc-scan": [
        {
            "file": "logs/squid/access.log.1.gz",
            "line": 48213,
            "kind": "domain",
            "ioc": "filev2.getsession.org",
        },
        {
            "file": "logs/squid/access.log.1.gz",
            "line": 48214,
            "kind": "domain",
            "ioc": "seed1.getsession.org",
        },
    ],
}
SUBJECTS = {
    "internal-alert": "[SEV1] Malicious @tanstack packages installed on three machines",
    "leadership-brief": "Leadership brief: npm supply-chain compromise, containment done",
    "legal-notice": "Legal notice: credentials exposed on company devices",
    "advisory-downstream": "Security advisory: Northwind desktop signing certificate replaced",
}
PHASE_PACE = {
    "isolate": (4, 9),
    "rotate": (6, 14),
    "audit": (8, 18),
    "notify": (10, 25),
    "harden": (15, 40),
    "monitor": (20, 45),
}  # minutes per step
PHASE_GAP = {"harden": 11 * 60, "monitor": 3 * 60}  # overnight, then the next afternoon


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += timedelta(minutes=minutes)


class Demo:
    def __init__(self, store: Store, clock: Clock, state: IncidentState) -> None:
        self.store, self.clock, self.state = store, clock, state
        self.rng = random.Random(7)
        self.who = {role: Responder(a, h, clock=clock) for role, (a, h) in PEOPLE.items()}

    def rec(
        self,
        role: str,
        kind: Kind,
        payload: Payload | None = None,
        step: str | None = None,
        *,
        wait: float = 1,
    ) -> None:
        self.clock.advance(wait)
        incidents.record(
            self.store, self.state, NewEvent(kind, payload, step_id=step), self.who[role]
        )


def build_demo(store: Store, *, close: bool = True) -> IncidentState:
    clock = Clock(datetime(2026, 5, 11, 20, 12, tzinfo=UTC))
    loaded = catalog.load("supply-chain-compromise")
    commander = Responder(*PEOPLE["incident-commander"], clock=clock)
    # a fixed id, so the picture stays the same; put back after, since tests build it in-process
    new_id = incidents.new_incident_id
    incidents.new_incident_id = lambda now, drill=False: DEMO_ID
    try:
        state = incidents.start_incident(
            loaded,
            store=store,
            responder=commander,
            severity="SEV1",
            title="Malicious @tanstack/react-router 1.169.5 on developer machines and a CI runner",
        )
    finally:
        incidents.new_incident_id = new_id
    demo = Demo(store, clock, state)
    for role, (actor, _) in PEOPLE.items():
        demo.rec("incident-commander", Kind.ROLE_ASSIGNED, RoleAssigned(role=role, person=actor))
    for name, value in INPUTS.items():
        demo.rec(
            "incident-commander", Kind.INPUT_RECORDED, InputRecorded(input_id=name, value=value)
        )
    previous = ""
    for phase, step in loaded.runbook.steps():
        if phase.id != previous:
            clock.advance(PHASE_GAP.get(phase.id, 0))
            previous = phase.id
        if engine.applicable(demo.state, step):
            _walk_step(demo, phase.id, step)
    if close:
        finish(demo)
    return incidents.load_state(store, demo.state.incident_id)


def _walk_step(demo: Demo, phase_id: str, step: Any) -> None:
    role = step.role or "incident-commander"
    demo.clock.advance(demo.rng.randint(*PHASE_PACE[phase_id]))
    if step.id in SKIPS:
        demo.rec(role, Kind.STEP_SKIPPED, StepSkipped(reason=SKIPS[step.id]), step.id)
        return
    if step.id in NOTES:
        incidents.add_note(
            demo.store,
            demo.state.incident_id,
            NOTES[step.id],
            responder=demo.who[role],
            step_id=step.id,
        )
        demo.state = incidents.load_state(demo.store, demo.state.incident_id)
    _side_events(demo, role, step)
    value: Any = True
    if step.type == "checklist":
        value = list(step.items)
    elif step.type == "input":
        value = ANSWERS.get(step.id, "see notes")
    elif step.type == "check":  # what the walker records (runner/walk.py)
        findings = FINDINGS.get(step.id, [])
        value = {"ok": not findings, "summary": _summary(findings), "findings": len(findings)}
    elif step.type == "notify":
        value = {"files": [f"out/{DEMO_ID}/{step.template}.eml"]}
    elif step.type == "command":
        value = {"exit_code": 0}
    demo.rec(role, Kind.STEP_COMPLETED, StepCompleted(value=value), step.id)


def _summary(findings: list[dict[str, Any]]) -> str:
    return f"{len(findings)} finding(s)" if findings else "nothing found"


def _side_events(demo: Demo, role: str, step: Any) -> None:
    """What a step leaves besides its answer: evidence, check results, notifications, output."""
    if step.id == "preserve-evidence":
        for name, size in [
            ("dev-mbp-114-memory.lime", 17_179_869_184),
            ("ci-runner-07-disk.img.zst", 42_949_672_960),
        ]:
            digest = hashlib.sha256(name.encode()).hexdigest()
            demo.rec(
                role,
                Kind.EVIDENCE_ATTACHED,
                EvidenceAttached(
                    path=f"/evidence/IR-20260511-7F3A/{name}",
                    sha256=digest,
                    size=size,
                    description="forensic image, taken before disconnecting",
                ),
                step.id,
            )
    if step.type == "check":
        findings = FINDINGS.get(step.id, [])
        demo.rec(
            role,
            Kind.CHECK_RAN,
            CheckRan(
                action=step.uses,
                ok=not findings,
                findings=findings,
                summary=_summary(findings),
            ),
            step.id,
        )
    if step.type == "command":  # first as the wrong account (npm's E401), then as the right one
        failed = CommandRan(command=step.run, exit_code=1, output=E401)
        demo.rec(role, Kind.COMMAND_RAN, failed, step.id, wait=40)
        demo.rec(
            role,
            Kind.COMMAND_RAN,
            CommandRan(
                command=step.run,
                exit_code=0,
                output="id       created     readonly\n"
                "a1b2c3…  2025-11-02  false\n9f8e7d…  2026-01-15  true\n",
            ),
            step.id,
        )
    if step.type == "notify":
        subject = SUBJECTS.get(step.template, step.template)
        digest = hashlib.sha256(subject.encode()).hexdigest()
        to = [f"{step.audience}@northwind.example"]
        demo.rec(
            role,
            Kind.NOTIFICATION_RENDERED,
            NotificationRendered(
                template=step.template,
                audience=step.audience,
                subject=subject,
                to=to,
                sha256=digest,
            ),
            step.id,
        )
        demo.rec(
            role,
            Kind.NOTIFICATION_SENT,
            NotificationSent(
                template=step.template,
                subject=subject,
                to=to,
                sha256=digest,
                message_id=f"<{step.template}.{DEMO_ID}@northwind.example>",
                server="smtp.northwind.example:587",
            ),
            step.id,
            wait=2,
        )


E401 = (
    "".join(f"npm timing npm:load:{n} Completed in {n * 3}ms\n" for n in range(1, 49))
    + "npm ERR! code E401\n"
    + "npm ERR! 401 Unauthorized - GET https://registry.npmjs.org/-/npm/v1/tokens - "
    + 'Unable to authenticate, need: Basic realm="GitHub Package Registry"\n'
    + "npm ERR! A complete log of this run can be found in: "
    + "/home/ops/.npm/_logs/2026-05-11T20_14_02_118Z-debug-0.log\n"
)


def finish(demo: Demo) -> None:
    iid = demo.state.incident_id
    lead = demo.who["incident-commander"]
    demo.clock.advance(30)
    add_followup(
        demo.store,
        iid,
        "Enable CloudTrail data events on the build account",
        responder=lead,
        owner="jonas.weber",
        due="2026-05-29",
    )
    add_followup(
        demo.store,
        iid,
        "Roll out the software-install policy after works-council approval",
        responder=lead,
        owner="maya.okafor",
        due="2026-06-30",
    )
    add_followup(
        demo.store,
        iid,
        "Move npm installs on laptops behind the internal proxy with a "
        "7-day quarantine for new versions",
        responder=lead,
        owner="priya.raman",
    )
    demo.clock.advance(5)
    incidents.close_incident(demo.store, iid, responder=lead)


if __name__ == "__main__":
    from irbook.store import open_store

    target = open_store(f"sqlite:///{sys.argv[1]}" if len(sys.argv) > 1 else None)
    print(build_demo(target).incident_id)
