"""`irbook audit lockfiles`: lockfiles and SBOMs against OSV advisories, offline."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from irbook.cli.audit import audit_app
from irbook.cli.options import JsonOption


class Format(StrEnum):
    table = "table"
    json = "json"
    sarif = "sarif"


@audit_app.command("lockfiles")
def audit_lockfiles(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Lockfiles, SBOMs, or folders to search for them (node_modules is skipped).",
            show_default=False,
        ),
    ],
    advisories: Annotated[
        list[Path],
        typer.Option(
            "--advisories",
            "-a",
            show_default=False,
            help="OSV JSON file, folder (e.g. an ossf/malicious-packages checkout), "
            "all.zip dump, or a list of ecosystem:name:version lines. Repeatable.",
        ),
    ],
    json_output: JsonOption = False,
    output_format: Annotated[
        Format | None,
        typer.Option(
            "--format",
            "-f",
            show_default=False,
            help="table (default), json (a list of findings; same as --json) or sarif "
            "(SARIF 2.1.0 for CI code scanning).",
        ),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Do not read or write the cache of all.zip dumps.")
    ] = False,
    keep_going: Annotated[
        bool,
        typer.Option(
            "--keep-going",
            help="List advisory files that do not parse and go on; the exit code is still 2.",
        ),
    ] = False,
) -> int:
    """Find locked package versions that OSV advisories say are affected (malicious or vulnerable).

    Each finding says how it matched: exact (the version is listed), range (inside an affected
    range), or all-versions (only an open-ended "introduced: 0" range: low confidence).
    Exit 0 when nothing is affected, 1 when something is, 2 for unreadable input (also with
    --keep-going, which lists unreadable advisory files instead of stopping at the first).

    Example: irbook audit lockfiles ./repos --advisories ./malicious-packages --format sarif
    """
    from irbook.audit.lockfiles.audit import audit, default_cache_dir
    from irbook.console import audit_lockfiles as show
    from irbook.errors import UsageError

    if json_output and output_format not in (None, Format.json):
        raise UsageError(f"--json and --format {output_format.value} disagree: pick one")
    chosen = Format.json if json_output else output_format or Format.table

    with show.advisory_progress() as progress:
        report = audit(
            paths,
            advisories,
            progress=progress,
            cache_dir=None if no_cache else default_cache_dir(),
            keep_going=keep_going,
        )
    show.report(report, output=chosen.value)
    return int(report.exit_code)
