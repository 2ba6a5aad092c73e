"""`irbook runbooks lint`: ordering and completeness hazards that a valid runbook can still have.

`validate` answers "will irbook load this?"; lint answers "would a senior responder sign it?".
Each rule has an id and a name, reports ``file:line:col``, and is explained in docs/runbook-lint.md.
The rules read what steps declare (``revokes``, ``provides``, ``destroys_evidence``, ``verify``,
``references``); L007 catches the commonest way to pass by silence, a step whose commands revoke
credentials (``npm token revoke``, ``gh ssh-key delete``...) without declaring ``revokes``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from irbook.domain import conditions
from irbook.domain.models import (
    INPUT_REFERENCE,
    Capability,
    ChecklistStep,
    CheckStep,
    CommandStep,
    ConfirmStep,
    NotifyStep,
    Runbook,
    Step,
)
from irbook.errors import InvalidInputError, Problem
from irbook.loader import resources
from irbook.loader.load import Document, load_runbook, parse_yaml, read_text
from irbook.loader.messages import Loc


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    summary: str


RULES: tuple[Rule, ...] = (
    Rule(
        "L001",
        "revoke-not-gated",
        "a revoking step does not wait for persistence removal and the fleet sweep",
    ),
    Rule(
        "L002",
        "evidence-not-protected",
        "evidence preservation is skippable, or a destructive step does not wait for it",
    ),
    Rule("L003", "internal-notice-late", "an internal notification sits after the first phase"),
    Rule("L004", "critical-unverifiable", "a critical step has no command and no way to verify it"),
    Rule("L005", "unused-input", "an input is asked but never used"),
    Rule(
        "L006",
        "missing-reference",
        "a step has no source reference where the runbook requires them",
    ),
    Rule(
        "L007",
        "undeclared-revocation",
        "a step's commands revoke credentials but it declares no `revokes`",
    ),
)
_RULE = {r.id: r for r in RULES}


@dataclass(frozen=True)
class Finding:
    rule: str
    path: str
    line: int
    column: int
    message: str

    @property
    def name(self) -> str:
        return _RULE[self.rule].name

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.rule} {self.name}: {self.message}"


@dataclass(frozen=True)
class LintResult:
    path: str
    findings: tuple[Finding, ...] = ()
    problems: tuple[Problem, ...] = ()  # the file is not a valid runbook: nothing was linted

    @property
    def valid(self) -> bool:
        return not self.problems


def lint_paths(paths: Iterable[Path], *, templates_dir: Path | None = None) -> list[LintResult]:
    templates = resources.notify_template_names(templates_dir)
    results = []
    for path in paths:
        try:
            loaded = load_runbook(path, known_templates=templates)
        except InvalidInputError as err:
            results.append(LintResult(str(path), problems=tuple(err.problems)))
            continue
        doc = parse_yaml(loaded.text, str(path), kind="runbook")
        template_text = _template_text(loaded.runbook, templates_dir)
        results.append(LintResult(str(path), tuple(lint(loaded.runbook, doc, template_text))))
    return results


def lint(runbook: Runbook, doc: Document, template_text: str = "") -> list[Finding]:
    """Every finding of every rule, in file order."""
    ctx = _Context(runbook, doc)
    findings = [
        *_revoke_not_gated(ctx),
        *_evidence_not_protected(ctx),
        *_internal_notice_late(ctx),
        *_critical_unverifiable(ctx),
        *_unused_inputs(ctx, template_text),
        *_missing_references(ctx),
        *_undeclared_revocations(ctx),
    ]
    return sorted(findings, key=lambda f: (f.line, f.column, f.rule))


class _Context:
    def __init__(self, runbook: Runbook, doc: Document) -> None:
        self.runbook = runbook
        self.doc = doc
        self.locs: dict[str, Loc] = {}
        for p, phase in enumerate(runbook.phases):
            for s, step in enumerate(phase.steps):
                self.locs[step.id] = ("phases", p, "steps", s)

    def finding(self, rule: str, loc: Loc, message: str) -> Finding:
        line, column = self.doc.position(loc)
        return Finding(rule, self.doc.path, line, column, message)

    def at_step(self, rule: str, step: Step, key: str | None, message: str) -> Finding:
        loc = self.locs[step.id]
        if key is not None and self.doc.position((*loc, key)) != self.doc.position(loc):
            loc = (*loc, key)
        return self.finding(rule, loc, message)

    def ancestors(self, step: Step) -> set[str]:
        """Every step this one needs, directly or through others."""
        seen: set[str] = set()
        todo = list(step.needs)
        while todo:
            need = todo.pop()
            if need not in seen:
                seen.add(need)
                todo.extend(self.runbook.step(need).needs)
        return seen

    def providers(self, capability: Capability) -> list[Step]:
        return [s for _, s in self.runbook.steps() if capability in s.provides]


# --- L001 -------------------------------------------------------------------------------------


def _revoke_not_gated(ctx: _Context) -> Iterator[Finding]:
    # A skipped need counts as met in the engine, so only a critical provider is a real gate.
    wanted = (Capability.PERSISTENCE_REMOVED, Capability.FLEET_SWEPT)
    for _, step in ctx.runbook.steps():
        if not step.revokes:
            continue
        before = ctx.ancestors(step)
        for capability in wanted:
            gates = [p for p in ctx.providers(capability) if p.critical and p.id in before]
            if gates:
                continue
            kinds = ", ".join(str(k) for k in step.revokes)
            providers = [p.id for p in ctx.providers(capability)]
            hint = (
                f"add one of {', '.join(providers)} to its needs (and make it critical)"
                if providers
                else f"no step provides {capability}"
            )
            yield ctx.at_step(
                "L001",
                step,
                "revokes",
                f"step '{step.id}' revokes {kinds} but does not wait for a critical step that "
                f"provides {capability}: {hint}",
            )


# --- L002 -------------------------------------------------------------------------------------


def _evidence_not_protected(ctx: _Context) -> Iterator[Finding]:
    preservers = ctx.providers(Capability.EVIDENCE_PRESERVED)
    for step in preservers:
        if not step.critical:
            yield ctx.at_step(
                "L002",
                step,
                "provides",
                f"step '{step.id}' preserves evidence but is not critical: it can be skipped",
            )
    for _, step in ctx.runbook.steps():
        if not step.destroys_evidence:
            continue
        before = ctx.ancestors(step)
        if not any(p.critical and p.id in before for p in preservers):
            yield ctx.at_step(
                "L002",
                step,
                "destroys_evidence",
                f"step '{step.id}' destroys evidence but does not need a critical step that "
                "provides evidence-preserved",
            )


# --- L003 -------------------------------------------------------------------------------------


def _internal_notice_late(ctx: _Context) -> Iterator[Finding]:
    first = ctx.runbook.phases[0].id
    for phase, step in ctx.runbook.steps():
        internal = isinstance(step, NotifyStep) and step.audience.startswith("internal")
        if internal and phase.id != first:
            audience = step.audience if isinstance(step, NotifyStep) else ""
            yield ctx.at_step(
                "L003",
                step,
                "audience",
                f"notify step '{step.id}' to {audience} is in phase '{phase.id}'; "
                f"internal teams must hear in the first phase ('{first}') to stop installs "
                "and not revoke on their own",
            )


# --- L004 -------------------------------------------------------------------------------------

_CODE = re.compile(r"`[^`\n]+`|^\s*```", re.MULTILINE)


def _has_command(step: Step) -> bool:
    if isinstance(step, CommandStep | CheckStep):
        return True
    texts = [step.help or "", getattr(step, "text", None) or ""]
    if isinstance(step, ChecklistStep):
        texts.extend(step.items)
    return any(_CODE.search(t) for t in texts)


def _critical_unverifiable(ctx: _Context) -> Iterator[Finding]:
    for _, step in ctx.runbook.steps():
        if not step.critical or not isinstance(step, ConfirmStep | ChecklistStep):
            continue  # input, check, command and notify steps record what they did themselves
        if _has_command(step) or step.verify or step.evidence:
            continue
        yield ctx.at_step(
            "L004",
            step,
            "critical",
            f"critical step '{step.id}' has no command, no `verify` and no `evidence`: "
            "nobody can tell whether it was really done",
        )


# --- L005 -------------------------------------------------------------------------------------


def _unused_inputs(ctx: _Context, template_text: str) -> Iterator[Finding]:
    runbook = ctx.runbook
    used: set[str] = set()
    expressions = [s.when for _, s in runbook.steps() if s.when]
    expressions += [d.when for d in runbook.deadlines if d.when]
    for expression in expressions:
        used |= conditions.references(expression).inputs
    for _, step in runbook.steps():
        if isinstance(step, CheckStep):
            for value in step.with_.values():
                for text in [value] if isinstance(value, str) else value:
                    used.update(m.group(1) for m in INPUT_REFERENCE.finditer(text))
    if runbook.deadlines:
        used.add("detected_at")  # the clocks start from it
    for i, spec in enumerate(runbook.inputs):
        if spec.id in used or re.search(rf"\b{re.escape(spec.id)}\b", template_text):
            continue
        yield ctx.finding(
            "L005",
            ("inputs", i, "id"),
            f"input '{spec.id}' is asked but never used in a `when`, a check's `with` or a "
            "notification template: drop it or branch on it",
        )


def _template_text(runbook: Runbook, templates_dir: Path | None) -> str:
    """The text of the notification templates the runbook uses (first found wins)."""
    names = {s.template for _, s in runbook.steps() if isinstance(s, NotifyStep)}
    parts: list[str] = []
    for name in sorted(names):
        for suffix in (".txt.j2", ".html.j2"):
            for directory in resources.template_dirs(templates_dir):
                path = directory / "notify" / f"{name}{suffix}"
                if path.is_file():
                    parts.append(read_text(path, kind="template"))
                    break
    return "\n".join(parts)


# --- L006 -------------------------------------------------------------------------------------


def _missing_references(ctx: _Context) -> Iterator[Finding]:
    if not ctx.runbook.references_required:
        return
    for _, step in ctx.runbook.steps():
        if not step.references:
            yield ctx.at_step(
                "L006",
                step,
                "id",
                f"step '{step.id}' has no `references:` entry, and the runbook declares "
                "references_required",
            )


# --- L007 -------------------------------------------------------------------------------------

# Commands that end a credential's life. Creating or listing is harmless; these are not.
_REVOKING = re.compile(
    r"npm token revoke|gh ssh-key delete|gh repo deploy-key delete|gh secret (set|delete)"
    r"|credential-authorizations|update-access-key\b.*Inactive|delete-access-key"
    r"|keys delete|vault token revoke|vault lease revoke|credentials/revoke"
    r"|--start-credential-rotation|gh auth logout",
)


def _undeclared_revocations(ctx: _Context) -> Iterator[Finding]:
    for _, step in ctx.runbook.steps():
        if step.revokes:
            continue
        texts = [step.help or "", getattr(step, "text", None) or "", getattr(step, "run", "")]
        if isinstance(step, ChecklistStep):
            texts.extend(step.items)
        match = next((m for t in texts if (m := _REVOKING.search(t))), None)
        if match:
            yield ctx.at_step(
                "L007",
                step,
                "id",
                f"step '{step.id}' shows `{match.group(0)}` but declares no `revokes:`; "
                "declare what it revokes so L001 can check its order",
            )
