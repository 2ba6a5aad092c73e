"""Package URLs (purl) of the ecosystems irbook audits; every other type is ignored."""

from __future__ import annotations

from urllib.parse import unquote

from irbook.audit.lockfiles.packages import Ecosystem

_ECOSYSTEMS: dict[str, Ecosystem] = {
    "npm": "npm",
    "pypi": "PyPI",
    "golang": "Go",
    "cargo": "crates.io",
    "composer": "Packagist",
    "gem": "RubyGems",
    "nuget": "NuGet",
    "pub": "Pub",
    "maven": "Maven",
}


def parse_purl(purl: str) -> tuple[Ecosystem, str, str, dict[str, str]] | None:
    """``pkg:npm/%40scope/name@1.0.0?vcs_url=...`` -> ("npm", "@scope/name", "1.0.0", qualifiers).

    None for a purl of another type or one that is not a purl at all.
    """
    if not purl.startswith("pkg:"):
        return None
    rest = purl[4:].lstrip("/").split("#", 1)[0]
    rest, _, query = rest.partition("?")
    kind, _, path = rest.partition("/")
    ecosystem = _ECOSYSTEMS.get(kind.lower())
    if ecosystem is None or not path:
        return None
    slash = path.rfind("/")
    at = path.find("@", slash + 1 if slash >= 0 else 1)
    name_part, version = (path[:at], path[at + 1 :]) if at > 0 else (path, "")
    separator = ":" if ecosystem == "Maven" else "/"  # OSV names Maven packages group:artifact
    name = separator.join(unquote(segment) for segment in name_part.split("/") if segment)
    qualifiers = {}
    for pair in query.split("&") if query else []:
        key, _, value = pair.partition("=")
        qualifiers[key.lower()] = unquote(value)
    return ecosystem, name, unquote(version), qualifiers


def purl_source(qualifiers: dict[str, str]) -> str | None:
    """Where the package came from when the purl says it is not the default registry."""
    return qualifiers.get("vcs_url") or qualifiers.get("download_url") or None
