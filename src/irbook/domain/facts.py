"""What is known about an incident, as plain frozen records for templates, advisories and reports.

Pure: built from an ``IncidentState`` (the folded event log) and nothing else. The runbook's input
steps hold the answers that matter to the outside world (``affected-packages``, ``safe-versions``,
``iocs``, ``affected-devices``); ``check`` events add the lockfile-audit findings. Package entries
are written ``ECOSYSTEM:NAME@VERSION``; npm scoped names (``@scope/name``) start with ``@`` too, so
the version is split at the *last* ``@`` after the first character.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from irbook.domain import engine
from irbook.domain.deadlines import DeadlineState, deadline_states
from irbook.domain.engine import IncidentState, StepStatus
from irbook.domain.events import Kind
from irbook.domain.packages import osv_ecosystem, split_entry

AFFECTED_STEP = "affected-packages"
SAFE_STEP = "safe-versions"
IOCS_STEP = "iocs"
DEVICES_STEP = "affected-devices"
LOCKFILE_AUDIT = "lockfile-audit"

ADVISORY_IDS_STEP = "advisory-ids"  # identifiers the responder enters (CVE, GHSA, MAL, own ids)
CREDITS_INPUT = "credits"
OWN_RELEASES_STEP = "own-releases-hit"
_ADVISORY_ID = re.compile(
    r"\b(CVE-\d{4}-\d{4,}|GHSA(-[23456789cfghjmpqrvwx]{4}){3}|MAL-\d{4}-\d+)\b"
)


@dataclass(frozen=True)
class PackageVersion:
    ecosystem: str  # "npm", "PyPI", or as written for other ecosystems
    name: str
    version: str

    @property
    def spec(self) -> str:
        return f"{self.ecosystem}:{self.name}@{self.version}"

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def purl(self) -> str | None:
        base = package_purl(self.ecosystem, self.name)
        return f"{base}@{quote(self.version, safe='')}" if base else None


@dataclass(frozen=True)
class AffectedPackage:
    """One package with its malicious versions and the first clean version, when known."""

    ecosystem: str
    name: str
    versions: tuple[str, ...]
    safe_version: str | None = None

    @property
    def purl(self) -> str | None:
        return package_purl(self.ecosystem, self.name)

    @property
    def label(self) -> str:
        return self.name


@dataclass(frozen=True)
class AuditFinding:
    """A locked package that matched an advisory (from a lockfile-audit check)."""

    ecosystem: str
    name: str
    version: str
    advisory: str
    aliases: tuple[str, ...] = ()
    match: str = "exact"
    safe_version: str | None = None
    file: str | None = None


@dataclass(frozen=True)
class PhaseFacts:
    id: str
    title: str
    status: str  # "done", "in progress", "not started"
    milestone: str | None
    reached_at: datetime | None


@dataclass(frozen=True)
class SkippedStep:
    id: str
    title: str
    reason: str


@dataclass(frozen=True)
class WaitingStep:
    """A step still open, waiting on someone or something (for the brief and notices)."""

    id: str
    title: str
    on: str
    since: datetime | None
    due: datetime | None
    overdue: bool
    age: str  # "3h 10m" as of the facts' `now`


@dataclass(frozen=True)
class IncidentFacts:
    id: str
    title: str
    severity: str
    tlp: str
    status: str
    opened_at: datetime | None
    opened_by: str
    actor: str  # who is rendering or sending now
    organisation: str
    vector: str
    detected_at: str | None
    runbook_id: str
    runbook_title: str
    runbook_version: str
    affected: tuple[PackageVersion, ...]
    safe_versions: tuple[PackageVersion, ...]
    packages: tuple[AffectedPackage, ...]
    iocs: tuple[str, ...]
    devices: tuple[str, ...]
    # The incident's own references and identifiers (typed by the responder, or matched by the
    # lockfile audit): what an advisory may cite. The runbook's background references (earlier
    # incidents it was written from) are kept apart and never cited as this incident's.
    references: tuple[str, ...]
    advisory_ids: tuple[str, ...]
    findings: tuple[AuditFinding, ...]
    roles: dict[str, str]
    phases: tuple[PhaseFacts, ...]
    skipped: tuple[SkippedStep, ...]
    steps_settled: int  # done, done with exceptions, or skipped
    steps_total: int  # applicable steps (engine.Progress)
    inputs: dict[str, Any] = field(default_factory=dict)
    answers: dict[str, Any] = field(default_factory=dict)
    problems: tuple[str, ...] = ()  # answers that could not be read (malformed package entries)
    deadlines: tuple[DeadlineState, ...] = ()  # the applicable ones, as of `now`
    background: tuple[str, ...] = ()  # the runbook's references: context, never cited as ours
    credits: tuple[str, ...] = ()  # who found or reported it (input or step `credits`)
    own_releases: bool | None = None  # were the organisation's own packages published? (step)
    own_products: tuple[str, ...] = ()  # the issuer's products that shipped a bad version
    payload: str = "unknown"  # what the malicious code does (input `payload`)
    waiting: tuple[WaitingStep, ...] = ()  # open steps waiting on someone, as of `now`
    drill: bool = False  # a rehearsal (irbook drill start): every message says so

    @property
    def tlp_label(self) -> str:
        return f"TLP:{self.tlp}"

    @property
    def ecosystems(self) -> tuple[str, ...]:
        return tuple(sorted({p.ecosystem for p in self.packages}))

    @property
    def urls(self) -> tuple[str, ...]:
        return tuple(r for r in self.references if r.startswith(("https://", "http://")))

    @property
    def milestones(self) -> dict[str, datetime | None]:
        return {p.milestone: p.reached_at for p in self.phases if p.milestone}


def package_purl(ecosystem: str, name: str) -> str | None:
    """The package URL without a version (purl spec: npm scopes as %40scope, PyPI normalised)."""
    if ecosystem == "npm":
        return "pkg:npm/" + "/".join(quote(part, safe="") for part in name.split("/", 1))
    if ecosystem == "PyPI":
        return "pkg:pypi/" + quote(re.sub(r"[-_.]+", "-", name).lower(), safe="")
    return None


def parse_package(text: str) -> PackageVersion:
    """``npm:@tanstack/react-router@1.169.5`` -> PackageVersion; ValueError says what is wrong.

    Lenient on the ecosystem (answers stored before typed inputs may name any), strict on shape."""
    ecosystem, name, version = split_entry(text)
    return PackageVersion(osv_ecosystem(ecosystem) or ecosystem, name, version)


def build_facts(
    state: IncidentState, *, actor: str = "", now: datetime | None = None
) -> IncidentFacts:
    """The facts as of ``now`` (default: the last recorded event, so the result stays a function
    of the log; callers that render for sending pass their clock)."""
    answers = state.answers
    problems: list[str] = []
    affected = _packages(answers.get(AFFECTED_STEP), AFFECTED_STEP, problems)
    safe = _packages(answers.get(SAFE_STEP), SAFE_STEP, problems)
    findings = audit_findings(state)
    inputs = dict(state.inputs)
    runbook = state.runbook
    references = _unique(
        [*_strings(inputs.get("references")), *_strings(answers.get("references"))]
    )
    advisory_ids = public_ids(
        [
            *_strings(inputs.get("advisory_ids")),
            *_strings(answers.get(ADVISORY_IDS_STEP)),
            *(m.group(0) for r in references for m in _ADVISORY_ID.finditer(r)),
            *(i for f in findings for i in (f.advisory, *f.aliases) if i),
        ]
    )
    return IncidentFacts(
        id=state.incident_id,
        drill=state.drill,
        title=state.title,
        severity=state.severity,
        tlp=state.tlp,
        status=state.status,
        opened_at=state.opened_at,
        opened_by=state.opened_by,
        actor=actor,
        organisation=str(inputs.get("organisation") or ""),
        vector=str(inputs.get("vector") or "unknown"),
        detected_at=str(inputs["detected_at"]) if inputs.get("detected_at") else None,
        runbook_id=runbook.id,
        runbook_title=runbook.title,
        runbook_version=runbook.version,
        affected=tuple(affected),
        safe_versions=tuple(safe),
        packages=group_packages(affected, safe, findings),
        iocs=tuple(_unique(_strings(answers.get(IOCS_STEP)))),
        devices=tuple(_unique(_strings(answers.get(DEVICES_STEP)))),
        references=tuple(references),
        advisory_ids=tuple(advisory_ids),
        background=tuple(runbook.references),
        credits=tuple(
            _unique([*_strings(inputs.get(CREDITS_INPUT)), *_strings(answers.get(CREDITS_INPUT))])
        ),
        own_releases=_bool(answers.get(OWN_RELEASES_STEP)),
        own_products=tuple(
            _unique([*_strings(inputs.get("own_products")), *_strings(answers.get("own-products"))])
        ),
        payload=str(inputs.get("payload") or "unknown"),
        findings=findings,
        roles=dict(state.roles),
        phases=_phases(state),
        skipped=_skipped(state),
        waiting=_waiting(state, now),
        # the one progress definition (settled of applicable), as the walker and report say it
        steps_settled=engine.progress(state).settled,
        steps_total=engine.progress(state).total,
        inputs=inputs,
        answers=dict(answers),
        problems=tuple(problems),
        deadlines=tuple(d for d in deadline_states(state, now=now or _as_of(state)) if d.applies),
    )


def _as_of(state: IncidentState) -> datetime:
    if state.events:
        return state.events[-1].at
    return state.opened_at or datetime.min.replace(tzinfo=UTC)


def public_ids(ids: Iterable[str]) -> list[str]:
    """Identifiers fit to publish, in order, once each: ``x_``-prefixed ids are private (OSV's
    convention for a database of one's own) and stay out of public text."""
    return _unique(i.strip() for i in ids if i.strip() and not i.strip().lower().startswith("x_"))


def audit_findings(state: IncidentState) -> tuple[AuditFinding, ...]:
    """Findings of the latest lockfile-audit run of each check step (a re-run replaces the last)."""
    latest: dict[str | None, list[dict[str, Any]]] = {}
    for event in state.events_of(Kind.CHECK_RAN):
        if event.payload.get("action") == LOCKFILE_AUDIT:
            latest[event.step_id] = list(event.payload.get("findings") or [])
    out: dict[tuple[str, str, str, str], AuditFinding] = {}
    for findings in latest.values():
        for raw in findings:
            finding = _finding(raw)
            if finding is not None:
                out.setdefault(
                    (finding.ecosystem, finding.name, finding.version, finding.advisory), finding
                )
    return tuple(out.values())


def group_packages(
    affected: Iterable[PackageVersion],
    safe: Iterable[PackageVersion],
    findings: Iterable[AuditFinding] = (),
) -> tuple[AffectedPackage, ...]:
    """Versions per package; the declared list wins, findings fill in when nothing was declared."""
    versions: dict[tuple[str, str], list[str]] = {}
    declared = list(affected)
    found = [PackageVersion(f.ecosystem, f.name, f.version) for f in findings]
    for pv in declared or found:
        listed = versions.setdefault((pv.ecosystem, _key(pv)), [])
        if pv.version not in listed:
            listed.append(pv.version)
    safe_by_key = {(s.ecosystem, _key(s)): s.version for s in safe}
    for f in findings:
        if f.safe_version:
            safe_by_key.setdefault((f.ecosystem, _key(f)), f.safe_version)
    names = {(pv.ecosystem, _key(pv)): pv.name for pv in [*declared, *found]}
    return tuple(
        AffectedPackage(eco, names[(eco, key)], tuple(vs), safe_by_key.get((eco, key)))
        for (eco, key), vs in versions.items()
    )


def _key(pkg: PackageVersion | AuditFinding) -> str:
    """Names compare as the registry does: PyPI normalised (PEP 503), npm exactly."""
    if pkg.ecosystem == "PyPI":
        return re.sub(r"[-_.]+", "-", pkg.name).lower()
    return pkg.name


def _finding(raw: Any) -> AuditFinding | None:
    if not isinstance(raw, dict) or not raw.get("name") or not raw.get("version"):
        return None
    ecosystem = str(raw.get("ecosystem") or "")
    return AuditFinding(
        ecosystem=osv_ecosystem(ecosystem) or ecosystem,
        name=str(raw["name"]),
        version=str(raw["version"]),
        advisory=str(raw.get("advisory") or ""),
        aliases=tuple(str(a) for a in raw.get("aliases") or ()),
        match=str(raw.get("match") or "exact"),
        safe_version=str(raw["safe_version"]) if raw.get("safe_version") else None,
        file=str(raw["file"]) if raw.get("file") else None,
    )


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _strings(value: Any) -> list[str]:
    """An answer as a list of non-empty strings (lists, or text with one entry per line)."""
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else str(value).splitlines()
    return [str(item).strip() for item in items if str(item).strip()]


def _packages(value: Any, step_id: str, problems: list[str]) -> list[PackageVersion]:
    out: list[PackageVersion] = []
    for entry in _strings(value):
        try:
            parsed = parse_package(entry)
        except ValueError as exc:
            problems.append(f"{step_id}: {exc}")
            continue
        if parsed not in out:
            out.append(parsed)
    return out


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _phases(state: IncidentState) -> tuple[PhaseFacts, ...]:
    out = []
    for phase in state.runbook.phases:
        statuses = [engine.status_of(state, s) for s in phase.steps]
        if all(s not in engine.OPEN_STATES for s in statuses):
            status = "done"
        elif any(s is not StepStatus.PENDING for s in statuses):
            status = "in progress"
        else:
            status = "not started"
        reached = state.milestones[phase.milestone].reached_at if phase.milestone else None
        out.append(PhaseFacts(phase.id, phase.title, status, phase.milestone, reached))
    return tuple(out)


def _waiting(state: IncidentState, now: datetime | None) -> tuple[WaitingStep, ...]:
    at = now or (state.events[-1].at if state.events else None)
    out = []
    for step, s in engine.waiting_steps(state):
        seconds = int((at - s.waiting_since).total_seconds()) if at and s.waiting_since else 0
        minutes = max(seconds, 0) // 60
        days, hours, mins = minutes // 1440, minutes // 60 % 24, minutes % 60
        age = f"{days}d {hours}h" if days else (f"{hours}h {mins}m" if hours else f"{mins}m")
        overdue = at is not None and s.overdue(at)
        out.append(
            WaitingStep(
                step.id, step.label, s.waiting_on or "", s.waiting_since, s.due, overdue, age
            )
        )
    return tuple(out)


def _skipped(state: IncidentState) -> tuple[SkippedStep, ...]:
    return tuple(
        SkippedStep(step.id, step.label, state.steps[step.id].reason or "")
        for _, step in state.runbook.steps()
        if state.steps[step.id].status is StepStatus.SKIPPED
    )
