"""Inventory readers: what a lockfile or SBOM says is installed, as ``LockedPackage`` records.

One small module per format, each with ``parse(path) -> list[LockedPackage]``. This module finds
the files (``find_inventories``), tells their format (``detect``) and dispatches
(``read_inventory``). Bad input raises ``InvalidInputError`` naming the file and, when known, the
line: never a traceback.

What the records mean, for every format:

- ``name`` is the real registry name: npm aliases (``npm:real@1.0.0``) are resolved; PyPI names
  are kept as written (matching normalises them, PEP 503).
- ``version`` is the exact locked version, or ``""`` when the lockfile pins something else (a git
  commit, a tarball, a path) instead; ``source`` then says what.
- ``source`` is None for a package from a registry (the default one or a private one). Otherwise
  it is where the code came from: ``git+<url>#<commit>``, a tarball URL, ``github:owner/repo#sha``,
  or local code: ``file:<path>``, ``link:<path>``, ``workspace:<path>``.
- A package installed several times in one file is listed once (groups merged).
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator
from importlib import import_module
from pathlib import Path

from irbook.audit.lockfiles.packages import LockedPackage
from irbook.errors import InvalidInputError, Problem

# format -> module (imported on first use: a walk over Python projects never loads PyYAML).
FORMATS: dict[str, str] = {
    "package-lock": "package_lock",
    "yarn": "yarn_lock",
    "pnpm": "pnpm_lock",
    "bun": "bun_lock",
    "requirements": "requirements",
    "poetry": "poetry_lock",
    "pipfile": "pipfile_lock",
    "uv": "uv_lock",
    "pdm": "pdm_lock",
    "pylock": "pylock",
    "cyclonedx": "cyclonedx",
    "spdx": "spdx",
    "gomod": "go_mod",
    "cargo": "cargo_lock",
    "composer": "composer_lock",
    "gemfile": "gemfile_lock",
    "pubspec": "pubspec_lock",
    "nuget": "nuget_lock",
    "gradle": "gradle_lock",
}

_BY_NAME: dict[str, str] = {
    "package-lock.json": "package-lock",
    "npm-shrinkwrap.json": "package-lock",
    "yarn.lock": "yarn",
    "pnpm-lock.yaml": "pnpm",
    "bun.lock": "bun",
    "bun.lockb": "bun",  # only to say clearly that the binary lockfile is not read
    "poetry.lock": "poetry",
    "pipfile.lock": "pipfile",
    "uv.lock": "uv",
    "pdm.lock": "pdm",
    "pylock.toml": "pylock",
    "bom.json": "cyclonedx",
    "go.mod": "gomod",
    "cargo.lock": "cargo",
    "composer.lock": "composer",
    "gemfile.lock": "gemfile",
    "gems.locked": "gemfile",
    "pubspec.lock": "pubspec",
    "packages.lock.json": "nuget",
    "gradle.lockfile": "gradle",
    "buildscript-gradle.lockfile": "gradle",
}
_BY_PATTERN: tuple[tuple[str, str], ...] = (
    ("pylock.*.toml", "pylock"),
    ("*.cdx.json", "cyclonedx"),
    ("*.spdx.json", "spdx"),
    ("requirements*.txt", "requirements"),
    ("*requirements.txt", "requirements"),
    ("*-requirements-*.txt", "requirements"),
)
SKIP_DIRS = frozenset({"node_modules", ".git", ".hg", ".svn"})
_SNIFF_BYTES = 64 * 1024
KNOWN = (
    "package-lock.json, npm-shrinkwrap.json, yarn.lock, pnpm-lock.yaml, bun.lock, "
    "requirements*.txt, poetry.lock, Pipfile.lock, uv.lock, pdm.lock, pylock.toml, go.mod, "
    "Cargo.lock, composer.lock, Gemfile.lock, pubspec.lock, packages.lock.json, gradle.lockfile, "
    "CycloneDX JSON (*.cdx.json, bom.json) and SPDX JSON (*.spdx.json)"
)


def detect(path: Path) -> str | None:
    """Format of a lockfile or SBOM by its name, else by its first bytes; None if unknown."""
    return _detect_by_name(path) or _sniff(path)


def _detect_by_name(path: Path) -> str | None:
    name = path.name.lower()
    if name in _BY_NAME:
        return _BY_NAME[name]
    for pattern, fmt in _BY_PATTERN:
        if fnmatch.fnmatchcase(name, pattern):
            return fmt
    if path.parent.name.lower() == "requirements" and name.endswith(".txt"):
        return "requirements"  # requirements/base.txt, requirements/dev.txt
    return None


def _sniff(path: Path) -> str | None:
    from irbook.files.read import open_regular

    try:
        with open_regular(path, kind="lockfile") as handle:  # a FIFO is refused, never waited on
            head = handle.read(_SNIFF_BYTES).decode("utf-8", "replace")
    except OSError:
        return None
    from irbook.audit.lockfiles.inventory._outline import json_outline

    outline = json_outline(head)
    if outline is None:
        return _sniff_text(head)
    return _sniff_json(*outline)


def _sniff_json(keys: dict[str, str], first_package: str | None) -> str | None:
    """The format of a JSON file by its structure: its top-level keys and what kind of value
    each has (never a substring, which a package name or a string can contain)."""
    if "bomFormat" in keys:
        return "cyclonedx"
    if "spdxVersion" in keys:
        return "spdx"
    if keys.get("_meta") == "{" and "default" in keys:
        return "pipfile"
    if "content-hash" in keys and "packages" in keys:
        return "composer"
    if (
        not {"lockfileVersion", "name"} & keys.keys()
        and "version" in keys
        and keys.get("dependencies") == "{"
    ):
        return "nuget"  # packages.lock.json: {"version": 1, "dependencies": {framework: ...}}
    if "lockfileVersion" not in keys and "dependencies" not in keys:
        return None
    # bun.lock: "workspaces" is a top-level object and each package is an array;
    # package-lock: packages are objects ("workspaces" is only inside packages[""]).
    if first_package is not None:
        return "bun" if first_package == "[" else "package-lock"
    return "bun" if keys.get("workspaces") == "{" else "package-lock"


def _sniff_text(head: str) -> str | None:
    if "# yarn lockfile v1" in head or head.startswith("__metadata:") or "\n__metadata:" in head:
        return "yarn"
    if head.startswith("lockfileVersion:"):
        return "pnpm"
    if "lock-version" in head and "[[packages]]" in head:
        return "pylock"
    if "@generated by Cargo" in head:
        return "cargo"
    if "[[package]]" in head:
        if "@generated by PDM" in head:
            return "pdm"
        return "uv" if "requires-python" in head.split("[[package]]", 1)[0] else "poetry"
    return None


def read_inventory(path: Path, *, format: str | None = None) -> list[LockedPackage]:
    """The packages a lockfile or SBOM records; InvalidInputError if it is unreadable or unknown."""
    fmt = format or detect(path)
    if fmt is None:
        if path.is_dir():
            message = "is a directory; pass it to find_inventories to search it"
        elif not path.exists():
            message = "not found"
        else:
            message = "is not a lockfile or SBOM irbook recognises"
        raise InvalidInputError(
            [Problem(str(path), 1, 1, "", message)], hint=f"irbook reads {KNOWN}"
        )
    if fmt not in FORMATS:
        raise InvalidInputError(
            [Problem(str(path), 1, 1, "", f"unknown format '{fmt}'")],
            hint=f"formats: {', '.join(FORMATS)}",
        )
    module = import_module(f"{__name__}.{FORMATS[fmt]}")
    packages: list[LockedPackage] = module.parse(path)
    return packages


def find_inventories(paths: list[Path]) -> Iterator[Path]:
    """Lockfiles and SBOMs under ``paths``, each once, in a stable order.

    Files named explicitly are yielded as they are (reading them says if they are not known).
    Directories are walked without following symlinks, skipping ``node_modules`` (installed copies,
    not the lock) and VCS metadata. A package-lock.json next to an npm-shrinkwrap.json is skipped:
    npm ignores it then, so the shrinkwrap is what was installed.
    """
    seen: set[Path] = set()
    for path in paths:
        candidates = [path] if not path.is_dir() else _walk(path)
        for candidate in candidates:
            key = candidate.resolve()
            if key not in seen:
                seen.add(key)
                yield candidate


def _walk(root: Path) -> Iterator[Path]:
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        names = set(filenames)
        for filename in sorted(filenames):
            if filename == "package-lock.json" and "npm-shrinkwrap.json" in names:
                continue
            candidate = Path(directory, filename)
            if _detect_by_name(candidate) is not None:
                yield candidate
