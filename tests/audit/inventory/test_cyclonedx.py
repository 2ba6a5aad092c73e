"""CycloneDX JSON SBOMs: npm and PyPI purls, nested components; other purl types ignored."""

from __future__ import annotations

from irbook.audit.lockfiles.inventory import cyclonedx
from shared import shared_data

from .helpers import OWN, assert_invalid


def test_official_examples_parse_and_their_maven_components_are_listed() -> None:
    # The CycloneDX specification's examples list only maven components (audited since issue 16).
    found = cyclonedx.parse(shared_data("sboms", "valid-bom-1.6.json"))
    assert [(p.ecosystem, p.name, p.version) for p in found] == [
        ("Maven", "com.acme:tomcat-catalina", "9.0.14"),
        ("Maven", "com.example:myapplication", "1.0.0"),
        ("Maven", "com.example:myframework", "1.0.0"),
    ]
    assert cyclonedx.parse(shared_data("sboms", "valid-minimal-viable-1.6.json")) == []


def test_own_sbom() -> None:
    packages = cyclonedx.parse(OWN / "sbom" / "app.cdx.json")
    found = {(p.ecosystem, p.name, p.version): p for p in packages}
    assert set(found) == {
        ("npm", "@tanstack/react-router", "1.169.5"),  # %40 decoded
        ("npm", "@tanstack/history", "1.161.12"),  # nested component, unencoded scope
        ("PyPI", "mistralai", "2.4.6"),
        ("npm", "@tanstack/setup", "0.0.1"),
        ("Maven", "org.apache.tomcat:tomcat-catalina", "9.0.14"),
    }  # not: the metadata component (the product), a component without purl
    assert found[("PyPI", "mistralai", "2.4.6")].groups == ("optional",)
    assert found[("npm", "@tanstack/setup", "0.0.1")].source == (
        "git+https://github.com/tanstack/router@79ac49e"
    )


def test_wrong_bom_format() -> None:
    path = OWN / "malformed" / "cdx-wrong" / "bom.json"
    assert_invalid(cyclonedx.parse, path, "not a CycloneDX SBOM", line=1)
