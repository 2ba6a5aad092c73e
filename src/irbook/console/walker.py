"""The walker's screen: phase banners, the step with its help as markdown, progress, notices."""

from __future__ import annotations

from typing import TYPE_CHECKING

from irbook.console import escape, markdown, markup, stdout
from irbook.console.incident import drill_banner

if TYPE_CHECKING:
    from datetime import datetime

    from irbook.domain.drills import Inject
    from irbook.domain.engine import IncidentState, Progress
    from irbook.domain.models import Phase, RunbookInput, Step
    from irbook.runner.help import HelpTopic


def _holder(state: IncidentState, step: Step) -> str:
    """Who a step waits on: its role and the person holding it, or that nobody does."""
    if not step.role:
        return "any responder"
    person = state.roles.get(step.role)
    return f"{step.role}: {person}" if person else f"{step.role}, unassigned"


class ConsoleDisplay:
    """Implements irbook.runner.display.Display with rich."""

    def incident(self, state: IncidentState, *, resumed: bool) -> None:
        verb = "Resuming" if resumed else "Started"
        if state.drill:
            drill_banner()
        markup(
            f"[bold]{verb} {escape(state.incident_id)}[/]: {escape(state.title)}  "
            f"[dim]{escape(state.severity)} · TLP:{escape(state.tlp)} · "
            f"{escape(state.runbook.id)} {escape(state.runbook.version)}[/]"
        )
        markup("[dim]Every answer is saved the moment you give it. Ctrl-C is safe.[/]")

    def phase(self, phase: Phase, progress: Progress) -> None:
        from rich.rule import Rule

        title = f"Phase {progress.phase_index} of {progress.phase_count}: {phase.title}"
        stdout().print()
        stdout().print(Rule(title, style="cyan"), markup=False)
        if phase.summary:
            stdout().print(phase.summary.strip(), markup=False, style="dim")

    def step(self, step: Step, state: IncidentState, progress: Progress) -> None:
        tags: list[str] = [step.type]
        if step.critical:
            tags.append("critical")
        if step.role:
            holder = state.roles.get(step.role)
            tags.append(f"role: {step.role}" + (f" ({holder})" if holder else ""))
        stdout().print()
        if state.drill:  # on every step: a screenshot or a glance must never pass for a breach
            drill_banner()
        # one logical line (the terminal folds it if it must): tools and people find a step by
        # its header, "Label  type · ... · N/M steps settled"
        stdout().print(
            f"[bold]{escape(step.label)}[/]  [dim]{escape(' · '.join(tags))} · "
            f"{progress.settled}/{progress.total} steps settled[/]",
            soft_wrap=True,
        )
        body = getattr(step, "text", None) or getattr(step, "prompt", None)
        if body:
            stdout().print(body.strip(), markup=False)
        items = getattr(step, "items", None)
        if items:
            for item in items:
                stdout().print(f"  - {item}", markup=False)
        command = getattr(step, "run", None)
        if command:
            markup("[bold]Command:[/]")
            stdout().print(f"  {command}", markup=False, style="yellow")
        if step.evidence:
            markup(f"[magenta]Evidence to attach:[/] {escape(step.evidence)}")
        if step.help:
            markdown(step.help)

    def help(self, topic: HelpTopic) -> None:
        stdout().print()
        markup(f"[bold cyan]{escape(topic.title)}[/]")
        markdown(topic.help)
        if topic.references:
            markup("[bold]References:[/]")
            for reference in topic.references:
                stdout().print(f"  - {reference}", markup=False)
        if topic.keys:
            markup("[bold]Keys:[/]")
            for line in topic.keys:
                stdout().print(f"  {line}", markup=False, style="dim")
        stdout().print()

    def input(self, spec: RunbookInput) -> None:
        if spec.help:
            stdout().print()
            markdown(spec.help)

    def message(self, title: str, text: str) -> None:
        """The message in a panel; through the pager ($PAGER, else less) when it is taller than
        the terminal, so its top is not scrolled away before the question."""
        import shutil

        from rich.panel import Panel

        panel = Panel(text.rstrip(), title=title, expand=False)
        console = stdout()
        if text.count("\n") + 6 > shutil.get_terminal_size().lines and console.is_terminal:
            with console.pager(styles=False):
                console.print(panel, markup=False)
        else:
            console.print(panel, markup=False)

    def details(self, lines: list[str]) -> None:
        for line in lines:
            stdout().print(f"    {line}", markup=False, soft_wrap=False)

    def recorded(self, message: str) -> None:
        stdout().print(f"✓ {message}", markup=False, style="green")

    def notice(self, message: str) -> None:
        stdout().print(f"! {message}", markup=False, style="yellow")

    def problem(self, message: str) -> None:
        stdout().print(f"✗ {message}", markup=False, style="red")

    def waiting(self, state: IncidentState, waits: list[tuple[Step, list[Step]]]) -> None:
        stdout().print()
        markup(
            f"[bold yellow]Nothing left for you in {escape(state.incident_id)} now.[/] Waiting on:"
        )
        for step, needs in waits:
            on = ", ".join(f"{n.id} ({_holder(state, n)})" for n in needs)
            stdout().print(f"  {step.id} needs {on}", markup=False)
        markup("[dim]Resume when they are done; `irbook watch` shows them as they happen.[/]")

    def finished(self, state: IncidentState) -> None:
        stdout().print()
        markup(f"[bold green]All steps of {escape(state.incident_id)} are settled.[/]")

    def inject(self, inject: Inject, due_at: datetime) -> None:
        """A drill's inject as a marked block between two rules (no panel: piped output is not
        wrapped, and a panel would crop the text at its border)."""
        from rich.rule import Rule

        console = stdout()
        console.print()
        title = f"DRILL INJECT: {inject.id}, due {due_at:%H:%M} UTC (exercise only)"
        console.print(Rule(title, style="magenta"), markup=False)
        console.print(inject.title, markup=False, style="bold magenta")
        if inject.text.strip():
            console.print(inject.text.strip(), markup=False)
        console.print(Rule(style="magenta"), markup=False)
