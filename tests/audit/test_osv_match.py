"""Strict OSV matching against the real records in ../shared/data/osv and a few written here."""

from __future__ import annotations

from pathlib import Path

import pytest

from irbook.audit.lockfiles.advisories import ECOSYSTEMS, AdvisoryIndex, load_advisories
from irbook.audit.lockfiles.audit import match_all
from irbook.audit.lockfiles.packages import Finding, LockedPackage
from shared import FIXTURES, shared_data

OWN = FIXTURES / "lockfile-audit"


@pytest.fixture(scope="module")
def real() -> AdvisoryIndex:
    return load_advisories([shared_data("osv")])


@pytest.fixture(scope="module")
def own() -> AdvisoryIndex:
    return load_advisories([OWN / "osv"])


def findings(index: AdvisoryIndex, name: str, version: str, eco: str = "npm") -> list[Finding]:
    package = LockedPackage(eco, name, version, "package-lock.json")  # type: ignore[arg-type]  # eco is npm or PyPI
    return match_all([package], index)


def summary(found: list[Finding]) -> set[tuple[str, str, str | None]]:
    return {(f.advisory, f.match, f.safe_version) for f in found}


@pytest.mark.parametrize("version", ["1.169.5", "1.169.8"])
def test_tanstack_react_router_malicious_versions_are_found(
    real: AdvisoryIndex, version: str
) -> None:
    assert summary(findings(real, "@tanstack/react-router", version)) == {
        ("GHSA-g7cv-rxg3-hmpx", "exact", "1.169.9"),
        ("MAL-2026-3465", "exact", None),
    }


@pytest.mark.parametrize("version", ["1.169.9", "1.169.4", "1.170.0"])
def test_tanstack_react_router_clean_versions_are_not(real: AdvisoryIndex, version: str) -> None:
    assert findings(real, "@tanstack/react-router", version) == []


def test_ghsa_finding_carries_aliases_and_summary(real: AdvisoryIndex) -> None:
    (ghsa,) = [
        f
        for f in findings(real, "@tanstack/router-core", "1.169.8")
        if f.advisory.startswith("GHSA")
    ]
    assert ghsa.aliases == ("CVE-2026-45321",)
    assert ghsa.safe_version == "1.169.9"
    assert ghsa.summary


def test_range_between_listed_versions_matches_as_range(real: AdvisoryIndex) -> None:
    # GHSA and MAL-2026-3463 both list 1.161.9 and 1.161.12 and a range [1.161.9, 1.161.13):
    # strict OSV evaluation puts 1.161.10 in the range although it is not listed.
    assert summary(findings(real, "@tanstack/history", "1.161.10")) == {
        ("GHSA-g7cv-rxg3-hmpx", "range", "1.161.13"),
        ("MAL-2026-3463", "range", "1.161.13"),
    }
    assert findings(real, "@tanstack/history", "1.161.13") == []


def test_staging_copy_with_empty_id_never_matches(real: AdvisoryIndex) -> None:
    # 1.167.4 is listed only by the MAL-0000 staging file; the real record lists other versions.
    assert findings(real, "@tanstack/start-storage-context", "1.167.4") == []
    assert real.skipped["staging"] == 1
    assert all(e.advisory.id for entries in real.entries.values() for e in entries)


def test_withdrawn_record_never_matches(real: AdvisoryIndex) -> None:
    assert findings(real, "@ctrl/plex", "6.0.0") == []
    assert real.skipped["withdrawn"] == 1


def test_introduced_zero_inside_database_specific_is_not_evaluated(real: AdvisoryIndex) -> None:
    # MAL-2025-47141 keeps an origin's {"introduced": "0"} range in database_specific; only the
    # top-level [4.1.1, 4.1.2] range and the versions list count.
    assert summary(findings(real, "@ctrl/tinycolor", "4.1.2")) == {
        ("MAL-2025-47141", "exact", None)
    }
    assert findings(real, "@ctrl/tinycolor", "4.1.0") == []
    assert findings(real, "@ctrl/tinycolor", "4.1.3") == []


def test_pypi_names_match_after_pep503_normalisation(real: AdvisoryIndex) -> None:
    assert summary(findings(real, "MistralAI", "2.4.6", "PyPI")) == {
        ("MAL-2026-3608", "exact", None)
    }
    assert findings(real, "mistralai", "2.4.7", "PyPI") == []


def test_open_ended_introduced_zero_is_all_versions_low_confidence(own: AdvisoryIndex) -> None:
    assert summary(findings(own, "left-padder", "9.9.9")) == {
        ("x_IRBOOK-TEST-1", "all-versions", None)
    }
    # The listed version is an exact match: the stronger evidence wins.
    assert summary(findings(own, "left-padder", "2.0.1")) == {("x_IRBOOK-TEST-1", "exact", None)}


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("0.9.9", set()),
        ("1.0.0", {("x_IRBOOK-TEST-2", "range", None)}),
        ("1.4.0", {("x_IRBOOK-TEST-2", "range", None)}),  # last_affected is inclusive
        ("1.4.1", set()),
        ("1.4.0-rc.1", {("x_IRBOOK-TEST-2", "range", None)}),
        ("3.1.9", {("x_IRBOOK-TEST-2", "range", None)}),
        ("3.2.0", set()),  # limit is exclusive
        ("not-a-version", set()),
    ],
)
def test_last_affected_and_limit(
    own: AdvisoryIndex, version: str, expected: set[tuple[str, str, None]]
) -> None:
    assert summary(findings(own, "ranged", version)) == expected


def test_pypi_range_uses_pep440_and_reports_the_fix(own: AdvisoryIndex) -> None:
    assert summary(findings(own, "evil-pkg", "1.9.post1", "PyPI")) == {
        ("x_IRBOOK-TEST-2", "range", "2.0")
    }
    assert summary(findings(own, "evil.pkg", "2.0rc1", "PyPI")) == {
        ("x_IRBOOK-TEST-2", "range", "2.0")
    }
    assert findings(own, "Evil_Pkg", "2.0.0", "PyPI") == []


def test_other_ecosystems_are_not_indexed(own: AdvisoryIndex) -> None:
    assert all(eco in ECOSYSTEMS for eco, _ in own.entries)


def test_wrong_ecosystem_does_not_match(real: AdvisoryIndex) -> None:
    assert findings(real, "@tanstack/react-router", "1.169.5", "PyPI") == []


def test_unparsable_locked_version_still_matches_an_exact_listing(tmp_path: Path) -> None:
    record = tmp_path / "git.json"
    record.write_text(
        '{"id": "x_GIT", "affected": [{"package": {"ecosystem": "npm", "name": "g"},'
        ' "versions": ["github:o/r#abc"], "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}]}]}'
    )
    index = load_advisories([record])
    assert summary(findings(index, "g", "github:o/r#abc")) == {("x_GIT", "exact", None)}
    assert findings(index, "g", "github:o/r#def") == []
