"""An audit report as SARIF 2.1.0, so CI systems (GitHub code scanning and others) can show it.

One rule per advisory (id, summary, first reference, aliases); one result per finding, located
in the lockfile or SBOM at the first line that names the package. A low-confidence match
(``all-versions``) is a ``warning``, every other one an ``error``. Advisory files that could not
be read (``--keep-going``) become error notifications of the invocation, which is then not
successful. Checked against the OASIS schema in tests/audit/test_sarif.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from irbook import __version__
from irbook.errors import Problem

if TYPE_CHECKING:
    from irbook.audit.lockfiles.audit import AuditReport
    from irbook.audit.lockfiles.packages import Finding

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/irbook/irbook"
_SCAN_LIMIT = 64 * 1024 * 1024  # past this, a finding's line is not looked up (it stays 1)


def sarif_document(report: AuditReport) -> dict[str, Any]:
    rules: dict[str, dict[str, Any]] = {}
    for finding in report.findings:
        rules.setdefault(finding.advisory, _rule(finding))
    index = {ident: i for i, ident in enumerate(rules)}
    lines = _Lines()
    results = [_result(f, index[f.advisory], lines) for f in report.findings]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "irbook",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": list(rules.values()),
                    }
                },
                "invocations": [_invocation(report.unreadable)],
                "results": results,
            }
        ],
    }


def _rule(finding: Finding) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": finding.advisory,
        "shortDescription": {"text": finding.summary or finding.advisory},
        "properties": {"aliases": list(finding.aliases), "tags": ["supply-chain"]},
    }
    if finding.references:
        rule["helpUri"] = finding.references[0]
    return rule


def _result(finding: Finding, rule_index: int, lines: _Lines) -> dict[str, Any]:
    p = finding.package
    safe = f"; first fixed version: {finding.safe_version}" if finding.safe_version else ""
    low = (
        " (low confidence: every version is listed as affected)"
        if finding.match == "all-versions"
        else ""
    )
    return {
        "ruleId": finding.advisory,
        "ruleIndex": rule_index,
        "level": "warning" if finding.match == "all-versions" else "error",
        "message": {
            "text": f"{p.ecosystem} package {p.name} {p.version} is affected by "
            f"{finding.advisory} (match: {finding.match}){low}{safe}"
        },
        "locations": [_location(p.file, lines.line_of(p.file, p.name))],
        "partialFingerprints": {"package": f"{p.ecosystem}/{p.name}@{p.version}"},
        "properties": {
            "ecosystem": p.ecosystem,
            "package": p.name,
            "version": p.version,
            "match": finding.match,
            "safeVersion": finding.safe_version,
            "aliases": list(finding.aliases),
        },
    }


def _invocation(unreadable: Iterable[Problem]) -> dict[str, Any]:
    notes = [
        {
            "level": "error",
            "message": {"text": f"unreadable advisory file: {p.message}"},
            "locations": [_location(p.path, p.line, p.column)],
        }
        for p in unreadable
    ]
    return {"executionSuccessful": not notes, "toolExecutionNotifications": notes}


def _location(file: str, line: int, column: int = 1) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": artifact_uri(file)},
            "region": {"startLine": max(line, 1), "startColumn": max(column, 1)},
        }
    }


def artifact_uri(file: str) -> str:
    """A relative path stays relative (CI systems resolve it against the checkout); an absolute
    one becomes a file: URI. A zip member (``dump.zip!a.json``) is named by its zip."""
    path = Path(file.split("!", 1)[0])
    return path.as_uri() if path.is_absolute() else quote(path.as_posix())


class _Lines:
    """The first line naming a package in a file, read once per file and only for findings."""

    def __init__(self) -> None:
        self._texts: dict[str, str] = {}

    def line_of(self, file: str, name: str) -> int:
        if file not in self._texts:
            self._texts[file] = _read(Path(file))
        text = self._texts[file]
        for needle in (f'"{name}"', f"'{name}'", name):
            at = text.find(needle)
            if at >= 0:
                return text.count("\n", 0, at) + 1
        return 1


def _read(path: Path) -> str:
    from irbook.errors import InvalidInputError
    from irbook.files.read import open_regular

    try:
        with open_regular(path, kind="lockfile") as handle:  # swapped for a FIFO: not waited on
            return handle.read(_SCAN_LIMIT).decode("utf-8", "replace")
    except (OSError, InvalidInputError):
        return ""
