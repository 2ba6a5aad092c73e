"""SPDX 2.x JSON SBOMs: packages with npm or PyPI purls; other purl types ignored."""

from __future__ import annotations

from irbook.audit.lockfiles.inventory import spdx
from irbook.audit.lockfiles.inventory._purl import parse_purl
from shared import shared_data

from .helpers import OWN, assert_invalid


def test_official_example_parses_and_its_maven_package_is_listed() -> None:
    # The SPDX 2.3 example's only purl is pkg:maven/org.apache.jena/apache-jena@3.12.0.
    found = spdx.parse(shared_data("sboms", "SPDXJSONExample-v2.3.spdx.json"))
    assert [(p.ecosystem, p.name, p.version) for p in found] == [
        ("Maven", "org.apache.jena:apache-jena", "3.12.0")
    ]


def test_own_sbom_version_from_purl_or_version_info() -> None:
    packages = spdx.parse(OWN / "sbom" / "app.spdx.json")
    assert sorted((p.ecosystem, p.name, p.version) for p in packages) == [
        ("Maven", "org.apache.jena:apache-jena", "3.12.0"),
        ("PyPI", "guardrails-ai", "0.10.1"),  # purl without version: versionInfo
        ("npm", "@tanstack/history", "1.161.9"),
    ]


def test_spdx_3_is_refused() -> None:
    path = OWN / "malformed" / "spdx-v3" / "app.spdx.json"
    assert_invalid(spdx.parse, path, "not an SPDX 2.x JSON document")


def test_purls() -> None:
    assert parse_purl("pkg:npm/%40s/n@1.0.0%2Bb?vcs_url=git%2Bhttps://x#sub") == (
        "npm",
        "@s/n",
        "1.0.0+b",
        {"vcs_url": "git+https://x"},
    )
    assert parse_purl("pkg:pypi/Django@4.2") == ("PyPI", "Django", "4.2", {})
    assert parse_purl("pkg:npm/left-pad") == ("npm", "left-pad", "", {})
    assert parse_purl("pkg:golang/github.com/x/y@v1.0.0") == ("Go", "github.com/x/y", "v1.0.0", {})
    assert parse_purl("pkg:maven/org.example/lib@1") == ("Maven", "org.example:lib", "1", {})
    assert parse_purl("pkg:swift/github.com/x/y@1") is None  # not an audited ecosystem
    assert parse_purl("https://example.com") is None
