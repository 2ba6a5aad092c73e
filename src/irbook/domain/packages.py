"""Package specs as responders type them: ``ECOSYSTEM:NAME@VERSION``. Pure, no I/O.

Ecosystems are spelled as OSV spells them (https://ossf.github.io/osv-schema/#affectedpackage-field),
whatever case the responder used; names are normalised as the ecosystem does (PyPI: PEP 503),
so one package is one key however it was typed. Scoped npm names start with ``@`` too, so the
version is split at the *last* ``@`` after the first character of the name.
"""

from __future__ import annotations

import difflib
import re

# OSV's language ecosystems (and the few distribution ones responders meet in SBOMs).
OSV_ECOSYSTEMS: tuple[str, ...] = (
    "npm",
    "PyPI",
    "crates.io",
    "Go",
    "Maven",
    "NuGet",
    "RubyGems",
    "Packagist",
    "Pub",
    "Hex",
    "Hackage",
    "CRAN",
    "SwiftURL",
    "GitHub Actions",
    "Bioconductor",
    "ConanCenter",
    "Debian",
    "Alpine",
    "Ubuntu",
)
_BY_LOWER = {e.lower(): e for e in OSV_ECOSYSTEMS}
_PEP503_SEPARATORS = re.compile(r"[-_.]+")
# npm's name rules (validate-npm-package-name), upper case allowed for old packages.
_NPM_NAME = re.compile(r"^(@[a-zA-Z0-9][a-zA-Z0-9._~-]*/)?[a-zA-Z0-9~][a-zA-Z0-9._~-]*$")
_PYPI_NAME = re.compile(r"^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$")  # PEP 508
EXAMPLE = "npm:@tanstack/react-router@1.169.5"


def osv_ecosystem(text: str) -> str | None:
    """The OSV spelling of an ecosystem name ("pypi" -> "PyPI"), or None when unknown."""
    return _BY_LOWER.get(text.strip().lower())


def normalise_name(ecosystem: str, name: str) -> str:
    """The name under which the ecosystem indexes a package: PEP 503 for PyPI, else as typed."""
    if ecosystem == "PyPI":
        return _PEP503_SEPARATORS.sub("-", name).lower()
    return name


def split_entry(text: str) -> tuple[str, str, str]:
    """``ECOSYSTEM:NAME@VERSION`` -> its three parts as written, checking only the shape. npm
    scopes start with ``@`` too, so the version is split at the *last* ``@``."""
    entry = text.strip()
    ecosystem, sep, rest = entry.partition(":")
    at = rest.rfind("@")
    if (
        not sep
        or not ecosystem
        or at <= 0
        or at == len(rest) - 1
        or any(c.isspace() for c in entry)
    ):
        raise ValueError(f"'{entry}' is not ECOSYSTEM:NAME@VERSION (e.g. {EXAMPLE})")
    return ecosystem, rest[:at], rest[at + 1 :]


def split_spec(text: str) -> tuple[str, str, str]:
    """``ECOSYSTEM:NAME@VERSION`` -> (OSV ecosystem, normalised name, version).

    ValueError says what is wrong, for the responder (the version itself is checked by the
    caller, which knows each ecosystem's version grammar)."""
    entry = text.strip()
    ecosystem, name, version = split_entry(entry)
    known = osv_ecosystem(ecosystem)
    if known is None:
        close = difflib.get_close_matches(ecosystem.lower(), list(_BY_LOWER), n=1, cutoff=0.5)
        hint = f" (did you mean '{_BY_LOWER[close[0]]}'?)" if close else ""
        raise ValueError(
            f"'{entry}': unknown ecosystem '{ecosystem}'{hint}; OSV spells them "
            f"{', '.join(OSV_ECOSYSTEMS[:8])}, ..."
        )
    if known == "npm" and not _NPM_NAME.match(name):
        raise ValueError(f"'{entry}': '{name}' is not an npm package name")
    if known == "PyPI" and not _PYPI_NAME.match(name):
        raise ValueError(f"'{entry}': '{name}' is not a PyPI project name")
    return known, normalise_name(known, name), version
