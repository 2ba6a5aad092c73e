"""Compile src/irbook/domain/secret-rules/*.toml into src/irbook/domain/secret_rules.py.

The rules are data (a vendored subset of gitleaks' default configuration, plus irbook's own rules
in the same format); the domain may not read files, so this script turns them into a Python module
once, and tests/domain/test_secret_rules.py fails when the module and the data drift apart.

gitleaks' regexes are Go RE2; two constructs differ in Python and are translated here: a flag group
``(?i)`` in the middle of a pattern (Go: to the end of the enclosing group; Python 3.11 refuses it)
becomes a scoped ``(?i:...)``, and ``\\z`` becomes ``\\Z``. Rules are compiled with ``re.ASCII``,
as RE2's ``\\w``, ``\\d``, ``\\s`` and ``\\b`` are ASCII-only.

Run: python .ci/gen_secret_rules.py   (then ruff check and the tests)
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "irbook" / "domain" / "secret-rules"
SOURCES = ("gitleaks.toml", "irbook.toml")
TARGET = ROOT / "src" / "irbook" / "domain" / "secret_rules.py"
UNBOUNDED = 1 << 16  # a match this long comes from *, + or {n,}: the rule reads the whole text

HEADER = '''"""Secret-detection rules, generated from src/irbook/domain/secret-rules/*.toml by .ci/gen_secret_rules.py.

Do not edit: change the data files and run the script (a test fails when this file drifts).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RuleSpec:
    id: str
    regex: str  # Python syntax, compiled with re.ASCII
    secret_group: int  # 0: the first non-empty group, or the whole match
    entropy: float  # minimum Shannon entropy of the secret (0: none)
    keywords: tuple[str, ...]  # lower-case; the rule runs only when one occurs (none: always)
    lowercase: bool  # the regex is matched against the text with ASCII letters lower-cased
    max_len: int  # the longest match (0: unbounded); a keyword lies within it
    allow: tuple[str, ...]  # regexes: a secret that matches one is not a secret
    source: str  # the data file


RULES: tuple[RuleSpec, ...] = (
'''


def go_to_python(pattern: str) -> str:
    """Translate the RE2 constructs Python reads differently (see the module docstring)."""
    pattern = pattern.replace("\\z", "\\Z")
    while True:
        at = _inline_flag(pattern)
        if at is None:
            return pattern
        end = _group_end(pattern, at)
        pattern = pattern[:at] + "(?i:" + pattern[at + 4 : end] + ")" + pattern[end:]


def _inline_flag(pattern: str) -> int | None:
    """Offset of a ``(?i)`` that is not at the very start, outside character classes."""
    in_class = False
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if pattern[i + 1 : i + 2] == "]":
                i += 1
        elif pattern.startswith("(?i)", i) and i > 0:
            return i
        i += 1
    return None


def _group_end(pattern: str, start: int) -> int:
    """Offset of the ``)`` closing the group that holds ``start`` (or the pattern's end)."""
    depth = 0
    in_class = False
    i = start + 4
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if pattern[i + 1 : i + 2] == "]":
                i += 1
        elif ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return len(pattern)


def rules_from(text: str, source: str) -> list[dict[str, object]]:
    """The usable rules of one TOML file (path-only rules and path allowlists do not apply)."""
    out = []
    for rule in tomllib.loads(text)["rules"]:
        if "regex" not in rule:
            continue
        allow: list[str] = []
        for allowlist in rule.get("allowlists", []):
            if allowlist.get("regexTarget", "secret") == "secret":
                allow.extend(go_to_python(r) for r in allowlist.get("regexes", []))
        regex = go_to_python(rule["regex"])
        re.compile(regex, re.ASCII)  # fail here, not at the first redaction
        longest = re._parser.parse(regex, re.ASCII).getwidth()[1]  # type: ignore[attr-defined]
        out.append(
            {
                "id": rule["id"],
                "regex": regex,
                "secret_group": int(rule.get("secretGroup", 0)),
                "entropy": float(rule.get("entropy", 0)),
                "keywords": tuple(k.lower() for k in rule.get("keywords", [])),
                "lowercase": bool(rule.get("lowercase", False)),
                "max_len": longest if longest < UNBOUNDED else 0,
                "allow": tuple(allow),
                "source": source,
            }
        )
    return out


def generate(texts: dict[str, str]) -> str:
    lines = [HEADER]
    for source in SOURCES:
        for rule in rules_from(texts[source], source):
            fields = ", ".join(f"{key}={value!r}" for key, value in rule.items())
            lines.append(f"    RuleSpec({fields}),\n")
    lines.append(")\n")
    return "".join(lines)


def read_sources() -> dict[str, str]:
    return {name: (DATA / name).read_text(encoding="utf-8") for name in SOURCES}


def main() -> int:
    TARGET.write_text(generate(read_sources()), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")  # a developer script
    return 0


if __name__ == "__main__":
    sys.exit(main())
