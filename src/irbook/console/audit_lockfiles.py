"""Rendering of `irbook audit lockfiles`: a findings table, or JSON; a progress bar on stderr."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from irbook.console import print_json, stderr, stdout, success, warn

if TYPE_CHECKING:
    from irbook.audit.lockfiles.audit import AuditReport

MATCH_LABEL = {"exact": "exact", "range": "range", "all-versions": "all versions (low confidence)"}


@contextmanager
def advisory_progress() -> Iterator[Callable[[int, int | None], None]]:
    """A progress callback for reading large advisory sets; shown only on a terminal and only
    once a source turns out to be large (small runs print nothing)."""
    console = stderr()
    if not console.is_terminal:
        yield lambda done, total: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        "reading advisories",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("advisories", total=None)

        def advance(done: int, total: int | None) -> None:
            bar.update(task, advance=done, total=total)

        yield advance


def report(result: AuditReport, *, output: str = "table") -> None:
    """``output``: table, json (the list of findings) or sarif (a SARIF 2.1.0 document)."""
    from irbook.audit.lockfiles.audit import finding_json

    unreadable(result)
    if output in ("json", "sarif"):
        if output == "json":
            print_json([finding_json(f) for f in result.findings])
        else:
            from irbook.audit.lockfiles.sarif import sarif_document

            print_json(sarif_document(result))
        note = _scope(result)
        stderr().print(f"{len(result.findings)} finding(s): {note}.", markup=False, style="dim")
        return
    scope = _scope(result)
    if not result.files:
        warn("no lockfile or SBOM found in the given paths")
    if not result.findings:
        if result.unreadable:
            warn(f"no affected package found, but the audit is incomplete: {scope}.")
            return
        success(f"No affected package: {scope}.")
        return
    from irbook.console.layout import table

    rows, styles = [], []
    for f in result.findings:
        aliases = f" ({', '.join(f.aliases)})" if f.aliases else ""
        styles.append("yellow" if f.match == "all-versions" else "red")
        rows.append(
            [
                f.package.file,
                f.package.ecosystem,
                f.package.name,
                f.package.version,
                f.advisory + aliases,
                MATCH_LABEL[f.match],
                f.safe_version or "-",
            ]
        )
    headers = ("file", "ecosystem", "package", "version", "advisory", "match", "safe version")
    table(headers, rows, styles=styles, paths=(0,))
    out = stdout()
    low = sum(1 for f in result.findings if f.match == "all-versions")
    note = f"; {low} low-confidence (all-versions) match(es): check them by hand" if low else ""
    out.print(f"\n{len(result.findings)} finding(s): {scope}{note}.", markup=False, style="bold")


def unreadable(result: AuditReport) -> None:
    """Advisory files that did not parse (--keep-going): on stderr, whatever the format."""
    if not result.unreadable:
        return
    for problem in result.unreadable:
        warn(f"unreadable advisory file: {problem}")
    files = len({p.path for p in result.unreadable})
    warn(f"{files} advisory file(s) could not be read: the audit is incomplete (exit 2)")


def _scope(result: AuditReport) -> str:
    """What was checked, what was skipped and what was not matched, in one line."""
    scope = (
        f"{result.packages} package version(s) in {len(result.files)} file(s) against "
        f"{result.advisories} advisory record(s)"
    )
    skipped = ", ".join(f"{n} {why}" for why, n in sorted(result.skipped.items()))
    if skipped:
        scope += f" (skipped: {skipped})"
    if result.not_matched:
        others = ", ".join(f"{n} {kind}" for kind, n in sorted(result.not_matched.items()))
        scope += f"; not matched, not from a registry: {others}"
    return scope
