"""`irbook audit logs`: scan logs (plain or .gz) for indicators of compromise."""

from pathlib import Path
from typing import Annotated

import typer

from irbook.cli.audit import audit_app
from irbook.cli.options import JsonOption
from irbook.errors import ExitCode
from irbook.files.limits import LOG_HITS_PER_IOC as DEFAULT_MAX_HITS


@audit_app.command("logs")
def audit_logs(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Log files (plain or .gz) or directories (scanned recursively).",
            metavar="PATH",
            show_default=False,
        ),
    ],
    ioc: Annotated[
        list[Path] | None,
        typer.Option(
            "--ioc",
            metavar="FILE",
            help="IOC file: one indicator per line, # comments. Repeatable.",
            show_default=False,
        ),
    ] = None,
    advisories: Annotated[
        list[Path] | None,
        typer.Option(
            "--advisories",
            metavar="PATH",
            help="OSV records (file, directory or all.zip): their database_specific.iocs. "
            "Repeatable.",
            show_default=False,
        ),
    ] = None,
    domain: Annotated[
        list[str] | None,
        typer.Option(
            "--domain",
            metavar="NAME",
            help="A domain to look for (its subdomains match too). Repeatable.",
            show_default=False,
        ),
    ] = None,
    max_hits: Annotated[
        int,
        typer.Option(
            "--max-hits",
            metavar="N",
            min=1,
            help="List at most N hits per indicator (the count stays exact).",
        ),
    ] = DEFAULT_MAX_HITS,
    json_output: JsonOption = False,
) -> int:
    """Find indicators of compromise in logs; print each hit as file:line.

    Indicators are domains (matched on label boundaries: evil.com finds a.evil.com and
    evil.com:443, never notevil.com), URLs, IPv4/IPv6 addresses, sha256 hashes, file names
    and marker strings. Defanged forms (hxxp, [.]) are understood. An IOC file line may start
    with a kind to overrule detection: domain:, url:, ip:, sha256:, filename:, marker:.

    A log with many hits lists the first --max-hits of each indicator and counts the rest.
    Exit 0 when nothing is found, 1 on hits, 2 on bad input.

    Example: irbook audit logs /var/log/squid/ --domain filev2.getsession.org --ioc iocs.txt
    """
    from irbook.audit.logs.scan import audit_logs as run_audit
    from irbook.console import audit_logs as show

    with show.progress() as on_progress:
        result = run_audit(
            paths,
            ioc_files=ioc or [],
            advisories=advisories or [],
            domains=domain or [],
            progress=on_progress,
            max_hits=max_hits,
        )
    show.hits(result, as_json=json_output)
    return int(ExitCode.OK if result.ok else ExitCode.FINDINGS)
