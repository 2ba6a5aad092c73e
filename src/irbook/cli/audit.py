"""`irbook audit ...`: supply-chain checks usable outside an incident."""

import typer

from irbook.cli.app import app

audit_app = typer.Typer(
    help="Offline supply-chain checks: lockfiles and SBOMs against OSV advisories, their "
    "inventory, IOC scan of logs.\n\nExamples:\n\n"
    "  irbook audit lockfiles . --advisories ./osv/\n\n"
    "  irbook audit packages . --name '@tanstack/*'\n\n"
    "  irbook audit logs /var/log/proxy/*.gz --domain filev2.getsession.org",
    no_args_is_help=True,
)
app.add_typer(audit_app, name="audit")

# Each command module registers itself on audit_app when imported (one line each below).
from irbook.cli import (  # noqa: E402, F401
    audit_lockfiles,
    audit_logs,
    audit_packages,
)
