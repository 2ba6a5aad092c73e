"""What ``?`` shows at a prompt: the step's (or input's) help, its references, and the keys.

Pure text; ``irbook.console.walker`` prints it (the runner never prints).
"""

from __future__ import annotations

from dataclasses import dataclass

from irbook.domain.models import RunbookInput, Step

# The keys of each kind of prompt, as questionary and prompt_toolkit handle them.
KEYS_MENU = (
    "↑/↓ move · Enter chooses · a number or letter picks that line",
    "? this help · Ctrl-C stops (everything answered is saved; the resume command is printed)",
)
KEYS_TEXT = (
    "Enter submits · ? on an empty answer shows this help (type it after other text to keep it)",
    "Ctrl-C stops (everything answered is saved; the resume command is printed)",
)
KEYS_GO_BACK = ("Esc returns to the current step without going back",)


@dataclass(frozen=True)
class HelpTopic:
    title: str
    help: str = ""  # markdown, from the runbook
    references: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()


def step_topic(step: Step, *, keys: tuple[str, ...] = KEYS_MENU) -> HelpTopic:
    text = step.help or ""
    if step.evidence:
        text += f"\n\nEvidence to attach: {step.evidence}"
    return HelpTopic(
        title=f"Help: {step.label} ({step.type}{', critical' if step.critical else ''})",
        help=text.strip() or "This step has no help text in the runbook.",
        references=tuple(step.references),
        keys=keys,
    )


def input_topic(spec: RunbookInput, *, keys: tuple[str, ...] = KEYS_TEXT) -> HelpTopic:
    return HelpTopic(
        title=f"Help: input {spec.id}",
        help=(spec.help or "").strip() or "This input has no help text in the runbook.",
        keys=keys,
    )
