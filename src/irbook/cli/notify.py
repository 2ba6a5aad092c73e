"""`irbook notify` and `irbook advisory`: stakeholder messages and machine-readable advisories."""

from pathlib import Path
from typing import Annotated

import typer

from irbook.cli.app import app
from irbook.cli.options import (
    AsOption,
    DbOption,
    IncidentArg,
    JsonOption,
    TemplatesDirOption,
    opened_store,
)


@app.command("notify")
def notify_command(
    incident: IncidentArg,
    template: Annotated[
        str,
        typer.Argument(
            help="Template name: internal-alert, leadership-brief, legal-notice, advisory-downstream, "
            "registry-report, status-update, or one of yours (notify/NAME.txt.j2 in --templates).",
        ),
    ],
    to: Annotated[
        list[str] | None,
        typer.Option(
            "--to",
            help="Recipient address (repeat for several). Without it the .eml is a draft "
            "addressed to undisclosed-recipients.",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Folder for the .eml file (default: the incident's folder in the user "
            "data directory, or IRBOOK_OUTPUT_DIR).",
            show_default=False,
        ),
    ] = None,
    send: Annotated[
        bool,
        typer.Option(
            "--send",
            help="Also deliver over SMTP. Server and credentials come from the environment "
            "only: IRBOOK_SMTP_HOST, _PORT, _TLS (starttls|ssl|none), _USER, _PASSWORD, _FROM.",
        ),
    ] = False,
    preview: Annotated[
        bool,
        typer.Option(
            "--preview",
            help="Show the message in the terminal and write nothing (unless --send).",
        ),
    ] = False,
    allow_secrets: Annotated[
        bool,
        typer.Option(
            "--allow-secrets",
            help="Write and send even if the message looks like it contains a "
            "credential (by default that stops everything).",
        ),
    ] = False,
    actor: AsOption = None,
    json_output: JsonOption = False,
    db: DbOption = None,
    templates_dir: TemplatesDirOption = None,
) -> None:
    """Render a notification for one audience: preview it, write an RFC 5322 .eml (text + HTML),
    and with --send deliver it. A missing variable, a bad address or a newline in a header stops
    everything before a byte is written or sent; each render and send is recorded in the timeline.

    Example: irbook notify IR-20260511-1A2B advisory-downstream --to users@example.com --preview
    """
    from irbook.cli.options import responder as responder_for
    from irbook.console import notify as show
    from irbook.notify import notify

    responder = responder_for(actor)
    with opened_store(db) as store:
        result = notify(
            store=store,
            incident_id=incident,
            template=template,
            responder=responder,
            to=tuple(to or ()),
            out_dir=out,
            send=send,
            preview=preview,
            allow_secrets=allow_secrets,
            templates_dir=templates_dir,
        )
    show.notification(result, preview=preview, as_json=json_output)


@app.command("advisory")
def advisory_command(
    incident: IncidentArg,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="osv (OSV JSON, id x_INCIDENT), csaf (CSAF 2.0 JSON) or md.",
        ),
    ] = "md",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write to this file instead of stdout.",
            show_default=False,
        ),
    ] = None,
    csaf_category: Annotated[
        str,
        typer.Option(
            "--csaf-category",
            help="incident-response (we were breached) or advisory (our product "
            "shipped a bad dependency).",
        ),
    ] = "incident-response",
    namespace: Annotated[
        str | None,
        typer.Option(
            "--namespace",
            envvar="IRBOOK_CSAF_NAMESPACE",
            help="Your organisation's URL for the CSAF "
            "publisher namespace (default: an unpublished placeholder URN).",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    templates_dir: TemplatesDirOption = None,
    actor: AsOption = None,
) -> None:
    """Write the incident's advisory: affected packages and versions, safe versions, IOCs and
    references, as OSV JSON, CSAF 2.0 JSON (valid against the official schemas) or Markdown.

    Example: irbook advisory IR-20260511-1A2B --format csaf --csaf-category advisory -o advisory.json
    """
    from irbook.cli.options import responder as responder_for
    from irbook.console import notify as show
    from irbook.notify.advisory.service import advisory

    with opened_store(db) as store:
        result = advisory(
            store=store,
            incident_id=incident,
            fmt=fmt,
            responder=responder_for(actor),
            category=csaf_category,
            namespace=namespace,
            templates_dir=templates_dir,
        )
    if output is not None:
        from irbook.files.private import write_private

        write_private(output, result.text)
    show.advisory(result, output)
