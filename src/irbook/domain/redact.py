"""Detect and redact secrets typed or pasted into free text, before anything is stored.

Responders paste tokens into notes under stress; the event log is shared, exported and handed to
regulators, so a secret must never reach it. Patterns follow the token formats the issuers
document (npm, GitHub, AWS, PyPI, Slack, private key blocks).
"""

from __future__ import annotations

import re

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "private key",
        re.compile(
            r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----.*?(-----END [A-Z0-9 ]*PRIVATE KEY"
            r"( BLOCK)?-----|\Z)",
            re.S,
        ),
    ),
    ("npm token", re.compile(r"\bnpm_[A-Za-z0-9]{36}\b")),
    (
        "GitHub token",
        re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b"),
    ),
    ("AWS access key", re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b")),
    ("PyPI token", re.compile(r"\bpypi-[A-Za-z0-9_-]{50,}")),
    ("Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("GitLab token", re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}")),
]


def find_secrets(text: str) -> list[str]:
    """Kinds of secrets found in ``text`` (empty when clean)."""
    return [name for name, pattern in _PATTERNS if pattern.search(text)]


def redact(text: str) -> tuple[str, list[str]]:
    """``text`` with each secret replaced by ``[REDACTED <kind>]``, and the kinds found."""
    found = []
    for name, pattern in _PATTERNS:
        text, count = pattern.subn(f"[REDACTED {name}]", text)
        if count:
            found.append(name)
    return text, found


def redact_value(value: object) -> tuple[object, list[str]]:
    """Redact strings inside an answer (a string, or a list of strings)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        found: list[str] = []
        out = []
        for item in value:
            clean, kinds = redact_value(item)
            out.append(clean)
            found.extend(k for k in kinds if k not in found)
        return out, found
    return value, []
