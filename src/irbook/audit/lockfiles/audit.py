"""Lockfile audit: which locked packages do the OSV advisories say are affected?

``audit`` is what ``irbook audit lockfiles`` and the runbook step ``uses: lockfile-audit`` both
call. Lockfiles are read first, so that advisories about packages nobody locked are skipped
unparsed (see ``irbook.audit.lockfiles.advisories``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from irbook.audit.actions import CheckResult
from irbook.audit.lockfiles.advisories import AdvisoryIndex, Progress, load_advisories, wanted_keys
from irbook.audit.lockfiles.osv_match import match_package
from irbook.audit.lockfiles.packages import Finding, LockedPackage
from irbook.errors import ExitCode, Problem, UsageError


@dataclass
class AuditReport:
    findings: list[Finding]
    files: list[str]  # lockfiles and SBOMs read
    advisory_sources: list[str]
    packages: int  # locked package versions checked (from a registry)
    advisories: int  # advisory records loaded (after skipping withdrawn and staging ones)
    skipped: Counter[str] = field(default_factory=Counter)
    unreadable: list[Problem] = field(default_factory=list)  # advisory files (--keep-going)
    not_matched: Counter[str] = field(default_factory=Counter)  # local, git, tarball packages

    @property
    def ok(self) -> bool:
        return not self.findings and not self.unreadable

    @property
    def exit_code(self) -> ExitCode:
        """2 when an advisory file was unreadable (the audit is incomplete), even with findings."""
        if self.unreadable:
            return ExitCode.INVALID
        return ExitCode.FINDINGS if self.findings else ExitCode.OK

    def counts(self) -> dict[str, int]:
        by_match = Counter(f.match for f in self.findings)
        return {
            "files": len(self.files),
            "packages": self.packages,
            "advisories": self.advisories,
            "findings": len(self.findings),
            **{f"match_{kind}": n for kind, n in sorted(by_match.items())},
        }


def audit(
    paths: Sequence[Path],
    advisories: Sequence[Path],
    *,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
    keep_going: bool = False,
) -> AuditReport:
    """Read the lockfiles/SBOMs under ``paths`` and match them against ``advisories``."""
    from irbook.audit.lockfiles.inventory import find_inventories, read_inventory

    if not advisories:
        raise UsageError(
            "no advisory source given",
            hint="pass OSV files, folders, all.zip dumps or ecosystem:name:version lists",
        )
    files = list(find_inventories(list(paths)))
    listed = [package for path in files for package in read_inventory(path)]
    packages = [p for p in listed if p.origin == "registry"]
    not_matched: Counter[str] = Counter(p.origin for p in listed if p.origin != "registry")
    index = load_advisories(
        advisories,
        only=wanted_keys((p.ecosystem, p.name) for p in packages),
        cache_dir=cache_dir,
        progress=progress,
        keep_going=keep_going,
    )
    return AuditReport(
        findings=match_all(packages, index),
        files=[str(f) for f in files],
        advisory_sources=index.files,
        packages=len(packages),
        advisories=index.records,
        skipped=index.skipped,
        unreadable=index.unreadable,
        not_matched=not_matched,
    )


def match_all(packages: Sequence[LockedPackage], index: AdvisoryIndex) -> list[Finding]:
    """Findings of the registry packages; local, git and tarball ones are never matched."""
    findings: list[Finding] = []
    for package in packages:
        if package.origin != "registry":
            continue
        entries = index.lookup(package.ecosystem, package.name)
        if entries:
            findings.extend(match_package(package, entries))
    return findings


def finding_json(finding: Finding) -> dict[str, Any]:
    p = finding.package
    return {
        "file": p.file,
        "ecosystem": p.ecosystem,
        "name": p.name,
        "version": p.version,
        "advisory": finding.advisory,
        "aliases": list(finding.aliases),
        "match": finding.match,
        "low_confidence": finding.match == "all-versions",
        "safe_version": finding.safe_version,
        "summary": finding.summary,
        "source": p.source,
        "groups": list(p.groups),
        "direct": p.direct,
        "references": list(finding.references),
    }


def run_action(args: Mapping[str, str | list[str]], *, cwd: Path) -> CheckResult:
    """The runbook step ``uses: lockfile-audit`` with ``with: {paths: ..., advisories: ...}``."""
    paths = _path_list(args, "paths", cwd)
    advisories = _path_list(args, "advisories", cwd)
    report = audit(paths, advisories, cache_dir=default_cache_dir())
    n = len(report.findings)
    summary = (
        f"{n} affected package version(s) in {len(report.files)} file(s)"
        if n
        else f"no affected package in {len(report.files)} file(s), {report.packages} "
        f"package version(s) checked against {report.advisories} advisories"
    )
    return CheckResult(
        action="lockfile-audit",
        ok=report.ok,
        summary=summary,
        findings=[finding_json(f) for f in report.findings],
        inputs=report.files + report.advisory_sources,
    )


def _path_list(args: Mapping[str, str | list[str]], name: str, cwd: Path) -> list[Path]:
    value = args.get(name)
    if value is None or value == "" or value == []:
        raise UsageError(
            f"lockfile-audit needs '{name}'", hint="with: {paths: [repo/], advisories: [osv/]}"
        )
    items = [value] if isinstance(value, str) else list(value)
    if not all(isinstance(item, str) and item for item in items):
        raise UsageError(f"lockfile-audit: '{name}' must be a path or a list of paths")
    return [cwd / item for item in items]


def default_cache_dir() -> Path:
    """Where parsed ``all.zip`` dumps are cached (the user cache directory)."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("irbook")) / "osv"
