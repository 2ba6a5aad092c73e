"""Rendering of notifications (summary, preview, JSON) and advisories."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from irbook.console import escape, markup, print_json, stdout, success, warn

if TYPE_CHECKING:
    from irbook.notify.advisory.service import AdvisoryResult
    from irbook.notify.service import NotifyResult


def notification(result: NotifyResult, *, preview: bool, as_json: bool) -> None:
    n, message = result.notification, result.message
    if as_json:
        data: dict[str, Any] = {
            "incident": n.incident_id,
            "template": n.template,
            "audience": n.audience,
            "subject": n.subject,
            "to": list(n.to),
            "from": n.sender,
            "message_id": message.message_id,
            "sha256": message.sha256,
            "path": str(result.path) if result.path else None,
            "sent_to": list(result.sent_to),
            "refused": result.refused,
            "server": result.server,
            "secrets": list(result.secrets),
            "withheld": result.withheld,
        }
        if preview:
            data |= {"text": n.text, "html": n.html}
        print_json(data)
        return
    if result.secrets:
        warn(f"sent although it looks like it contains: {', '.join(result.secrets)}")
    if preview:
        _preview(result)
    if result.path:
        success(f"wrote {result.path}")
    markup(f"[bold]{escape(n.subject)}[/]  ({escape(n.audience)}, sha256 {message.sha256[:12]}…)")
    if result.server:
        success(f"sent to {', '.join(result.sent_to)} through {result.server}")
    if result.withheld:
        warn(f"not sent: a drill sends no mail; the message is in {result.path}")
    for address, reply in result.refused.items():
        warn(f"{address} was refused by the server: {reply}")


def _preview(result: NotifyResult) -> None:
    """The whole message: lines wrap to the terminal (a panel whose text wraps), never cropped;
    piped, the message as it is, one line for one line."""
    from rich.panel import Panel
    from rich.text import Text

    from irbook.console.layout import plain

    n = result.notification
    header = (
        f"From: {n.sender}\nTo: {', '.join(n.to) or '(draft: no recipients)'}\n"
        f"Subject: {n.subject}\n"
    )
    body = header + "\n" + n.text.rstrip()
    if plain():
        stdout().file.write(f"--- {n.template} → {n.audience}\n{body}\n---\n")
    else:
        title = f"{n.template} → {n.audience}"
        stdout().print(Panel(Text(body, overflow="fold"), title=title, expand=False), markup=False)
    if n.html is not None:
        stdout().print("(an HTML part with the same content is attached)", style="dim")


def advisory(result: AdvisoryResult, output: Path | None) -> None:
    for problem in result.problems:
        warn(f"left out: {problem}")
    if result.redacted:
        warn(f"masked in the advisory: {', '.join(result.redacted)}; rotate that secret")
    if output is None:
        stdout().file.write(result.text)
        return
    success(f"wrote {output} ({result.format})")
