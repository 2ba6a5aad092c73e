"""`irbook audit lockfiles`: lockfiles and SBOMs against OSV advisories, offline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from irbook.cli.audit import audit_app
from irbook.cli.options import JsonOption


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

    Example: irbook audit lockfiles ./repos --advisories ./malicious-packages --json
    """
    from irbook.audit.lockfiles.audit import audit, default_cache_dir
    from irbook.console import audit_lockfiles as show

    with show.advisory_progress() as progress:
        report = audit(
            paths,
            advisories,
            progress=progress,
            cache_dir=None if no_cache else default_cache_dir(),
            keep_going=keep_going,
        )
    show.report(report, as_json=json_output)
    return int(report.exit_code)
