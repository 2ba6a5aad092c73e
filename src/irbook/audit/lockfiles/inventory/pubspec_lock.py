"""pubspec.lock: the Dart and Flutter packages of ``packages``.

``hosted`` packages come from a registry (pub.dev or another host); ``git`` ones are kept as
``git+<url>#<resolved-ref>``, ``path`` ones as ``file:<path>`` and ``sdk`` ones (shipped inside
the Flutter or Dart SDK) as ``sdk:<name>``, never matched. ``dependency: "direct dev"`` is the
group ``dev``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from irbook.audit.lockfiles.inventory._common import fail, locked, unique
from irbook.audit.lockfiles.packages import LockedPackage

KIND = "pubspec.lock"


def parse(path: Path) -> list[LockedPackage]:
    from irbook.loader.load import load_yaml_data  # PyYAML lives in the loader; imported on demand

    data: Any = load_yaml_data(path, kind=KIND)
    if data is None:
        raise fail(path, f"{KIND} is empty", hint="regenerate it with `dart pub get`")
    if not isinstance(data, dict):
        raise fail(path, f"{KIND} must be a mapping, found {type(data).__name__}")
    packages = data.get("packages") or {}
    if not isinstance(packages, dict):
        raise fail(path, "'packages' must be a mapping", location="packages")
    found = []
    for name, entry in packages.items():
        if not isinstance(entry, dict):
            raise fail(path, "entry must be a mapping", location=f"packages.{name}")
        dependency = str(entry.get("dependency") or "")
        groups = ["dev"] if dependency == "direct dev" else []
        version = "" if entry.get("version") is None else str(entry["version"])
        direct = dependency.startswith("direct") if dependency else None
        found.append(locked("Pub", str(name), version, path, _source(entry), groups, direct))
    return unique(found)


def _source(entry: dict[str, Any]) -> str | None:
    kind, description = entry.get("source"), entry.get("description")
    described = description if isinstance(description, dict) else {}
    if kind == "git":
        return f"git+{described.get('url', '')}#{described.get('resolved-ref', '')}"
    if kind == "path":
        return f"file:{described.get('path', '')}"
    if kind == "sdk":
        return f"sdk:{description if isinstance(description, str) else ''}"
    return None
