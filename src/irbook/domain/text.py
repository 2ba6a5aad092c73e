"""Rules for one-line text that ends up in e-mail headers and report headings (titles, names)."""

from __future__ import annotations

import re

from irbook.errors import UsageError

# Every character Python's str.splitlines() breaks on (CR, LF, VT, FF, FS, GS, RS, NEL, U+2028
# LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR), plus the other C0/C1 controls and DEL. A title with
# one of them breaks the Subject header of every notification that uses it.
LINE_BREAK_OR_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def check_one_line(value: str, what: str) -> str:
    """``value`` unchanged, or a UsageError (exit 2) naming the offending character."""
    bad = LINE_BREAK_OR_CONTROL.search(value)
    if bad:
        raise UsageError(
            f"{what} must be one line: it contains U+{ord(bad.group()):04X} at position "
            f"{bad.start() + 1}",
            hint="remove line breaks and control characters (they would break e-mail headers)",
        )
    return value
