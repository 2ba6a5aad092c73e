"""go.mod (with go.sum for Go <= 1.16): the Go modules a module requires.

Since Go 1.17 go.mod lists every module the build needs (``// indirect`` ones too); before, the
indirect ones were only in go.sum, so for ``go 1.16`` and older the modules that go.sum has
content hashes for are added. ``replace`` directives swap the required module for its
replacement (a local folder becomes a ``file:`` package, never matched); the main module is not
listed; the Go standard library is listed as ``stdlib`` at the ``toolchain`` version, else the
``go`` version, because OSV publishes advisories about it under that name. Versions are written
without their ``v``, as OSV writes them.
"""

from __future__ import annotations

import re
from pathlib import Path

from irbook.audit.lockfiles.inventory._common import fail, locked, read_text, unique
from irbook.audit.lockfiles.packages import LockedPackage

KIND = "go.mod"
_VERBS = frozenset(
    {
        "module",
        "go",
        "toolchain",
        "require",
        "replace",
        "exclude",
        "retract",
        "godebug",
        "tool",
        "ignore",
    }
)
_TOOLCHAIN = re.compile(r"go(\d+(?:\.\d+)*)")

Require = tuple[str, str, bool]  # module, version, indirect


def parse(path: Path) -> list[LockedPackage]:
    text = read_text(path, KIND)
    requires: list[Require] = []
    replaces: list[tuple[str, str, str, str]] = []  # old, old version ('' = any), new, new version
    go_version = toolchain = ""
    for verb, args, indirect, line in _directives(text, path):
        if verb == "require" and len(args) >= 2:
            requires.append((args[0], args[1], indirect))
        elif verb == "replace":
            replaces.append(_replace(args, path, line))
        elif verb == "go" and args:
            go_version = args[0]
        elif verb == "toolchain" and args and (m := _TOOLCHAIN.match(args[0])):
            toolchain = m[1]
    if _before_1_17(go_version):
        requires += _from_go_sum(path.with_suffix(".sum"), {r[0] for r in requires})
    found = [
        _package(module, version, indirect, replaces, path)
        for module, version, indirect in requires
    ]
    if toolchain or go_version:
        found.append(locked("Go", "stdlib", toolchain or go_version, path))
    return unique(found)


def _directives(text: str, path: Path) -> list[tuple[str, list[str], bool, int]]:
    """(verb, arguments, marked // indirect, line) of every directive, blocks unfolded."""
    out: list[tuple[str, list[str], bool, int]] = []
    block: str | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        code, _, comment = raw.partition("//")
        indirect = comment.strip().startswith("indirect")
        words = [w.strip('"`') for w in code.split()]
        if not words:
            continue
        if block is not None:
            if words == [")"]:
                block = None
            else:
                out.append((block, words, indirect, number))
            continue
        verb = words[0]
        if verb not in _VERBS:
            raise fail(
                path,
                f"not a go.mod file: unknown directive {verb!r}",
                line=number,
                column=raw.find(verb) + 1,
                hint="is this really a go.mod? `go mod tidy` rewrites it",
            )
        if words[1:] == ["("]:
            block = verb
        else:
            out.append((verb, words[1:], indirect, number))
    if block is not None:
        raise fail(
            path, f"'{block} (' block is never closed", hint="the file ends early (truncated?)"
        )
    return out


def _replace(args: list[str], path: Path, line: int) -> tuple[str, str, str, str]:
    if "=>" not in args:
        raise fail(path, "replace needs 'old => new'", line=line)
    arrow = args.index("=>")
    old, new = args[:arrow], args[arrow + 1 :]
    if not old or not new:
        raise fail(path, "replace needs 'old => new'", line=line)
    return old[0], old[1] if len(old) > 1 else "", new[0], new[1] if len(new) > 1 else ""


def _package(
    module: str, version: str, indirect: bool, replaces: list[tuple[str, str, str, str]], path: Path
) -> LockedPackage:
    groups = ["indirect"] if indirect else []
    direct = not indirect
    for old, old_version, new, new_version in replaces:
        if old == module and old_version in ("", version):
            if new.startswith((".", "/")):  # a local folder
                return locked("Go", new, "", path, f"file:{new}", groups, direct)
            return locked("Go", new, _plain(new_version), path, None, groups, direct)
    return locked("Go", module, _plain(version), path, None, groups, direct)


def _plain(version: str) -> str:
    return version[1:] if version.startswith("v") else version


def _before_1_17(go_version: str) -> bool:
    parts = go_version.split(".")
    try:
        return len(parts) >= 2 and (int(parts[0]), int(parts[1])) < (1, 17)
    except ValueError:
        return False


def _from_go_sum(path: Path, required: set[str]) -> list[Require]:
    """Modules with a content hash in go.sum that go.mod does not require (indirect ones)."""
    if not path.is_file():
        return []
    found: list[Require] = []
    for line in read_text(path, "go.sum").splitlines():
        words = line.split()
        if len(words) != 3 or words[1].endswith("/go.mod") or words[0] in required:
            continue
        found.append((words[0], words[1], True))
    return found
