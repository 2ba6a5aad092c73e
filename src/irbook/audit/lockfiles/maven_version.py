"""Maven version ordering, as Maven's own ``ComparableVersion`` defines it.

A version is split into items at ``.``, at ``-`` (which opens a sub-list) and where digits and
letters meet (which also opens a sub-list): ``1.0-alpha-1`` is ``[1, [alpha, [1]]]``. Numbers
compare as numbers; qualifiers in this order: ``alpha`` (``a``) < ``beta`` (``b``) <
``milestone`` (``m``) < ``rc`` = ``cr`` < ``snapshot`` < release (``""`` = ``ga`` = ``final`` =
``release``) < ``sp``, then any other qualifier, alphabetically. A number sorts after a qualifier
and after a sub-list; trailing zeros and release qualifiers are dropped (``1.0`` == ``1``).
Checked against the ordered lists of Maven's own ComparableVersionTest (3.9).
"""

from __future__ import annotations

import functools
from typing import Union

from irbook.audit.lockfiles.semver import VersionError

_QUALIFIERS = ("alpha", "beta", "milestone", "rc", "snapshot", "", "sp")
_ALIASES = {"ga": "", "final": "", "release": "", "cr": "rc"}
_RELEASE = str(_QUALIFIERS.index(""))
Item = Union[int, str, "list[Item]"]


def _string_item(value: str, followed_by_digit: bool) -> str:
    if followed_by_digit and len(value) == 1:
        value = {"a": "alpha", "b": "beta", "m": "milestone"}.get(value, value)
    return _ALIASES.get(value, value)


def _qualifier_rank(value: str) -> str:
    if value in _QUALIFIERS:
        return str(_QUALIFIERS.index(value))
    return f"{len(_QUALIFIERS)}-{value}"


def _number(text: str) -> int:
    return int(text)


def parse(version: str) -> list[Item]:
    text = version.strip().lower()
    if not text or len(text) > 256 or any(c.isspace() for c in text):
        raise VersionError(f"not a Maven version: {version!r}")
    root: list[Item] = []
    lists = [root]
    current = root
    is_digit = False
    start = 0

    def item(digit: bool, token: str, followed_by_digit: bool = False) -> Item:
        return _number(token) if digit else _string_item(token, followed_by_digit)

    for i, char in enumerate(text):
        if char in ".-":
            current.append(0 if i == start else item(is_digit, text[start:i]))
            start = i + 1
            if char == "-":
                new: list[Item] = []
                current.append(new)
                current = new
                lists.append(new)
        elif char.isdigit():
            if not is_digit and i > start:
                current.append(_string_item(text[start:i], True))
                start = i
                new = []
                current.append(new)
                current = new
                lists.append(new)
            is_digit = True
        else:
            if is_digit and i > start:
                current.append(_number(text[start:i]))
                start = i
                new = []
                current.append(new)
                current = new
                lists.append(new)
            is_digit = False
    if len(text) > start:
        if not is_digit and current:
            # Maven 3.9 (MNG-7644): a final ".X" reads as "-X" for a qualifier X, so that
            # 2.0.a < 2-1 (a sub-list outranks a qualifier at the same place).
            new = []
            current.append(new)
            current = new
            lists.append(new)
        current.append(item(is_digit, text[start:]))
    for items in reversed(lists):
        _normalise(items)
    return root


def _is_null(item: Item) -> bool:
    if isinstance(item, int):
        return item == 0
    if isinstance(item, str):
        return _qualifier_rank(item) == _RELEASE
    return not item


def _normalise(items: list[Item]) -> None:
    """Drop trailing null items (0, release qualifiers, empty sub-lists) up to a non-list."""
    i = len(items) - 1
    while i >= 0:
        last = items[i]
        if _is_null(last):
            del items[i]
        elif not isinstance(last, list):
            break
        i -= 1


def _compare(left: Item | None, right: Item | None) -> int:
    """ComparableVersion's Item.compareTo, with None for a missing item on either side."""
    if left is None:
        return 0 if right is None else -_compare(right, None)
    if isinstance(left, int):
        if right is None:
            return 0 if left == 0 else 1
        if isinstance(right, int):
            return (left > right) - (left < right)
        return 1  # a number is newer than a qualifier or a sub-list
    if isinstance(left, str):
        if right is None:
            a, b = _qualifier_rank(left), _RELEASE
            return (a > b) - (a < b)
        if isinstance(right, int):
            return -1
        if isinstance(right, str):
            a, b = _qualifier_rank(left), _qualifier_rank(right)
            return (a > b) - (a < b)
        return -1  # a qualifier is older than a sub-list
    if right is None:
        return _compare(left[0], None) if left else 0
    if isinstance(right, int):
        return -1
    if isinstance(right, str):
        return 1
    for i in range(max(len(left), len(right))):
        result = _compare(left[i] if i < len(left) else None, right[i] if i < len(right) else None)
        if result:
            return result
    return 0


@functools.total_ordering
class MavenVersion:
    """A sort key: compares with ``<`` and ``==`` as ComparableVersion does."""

    __slots__ = ("items",)

    def __init__(self, version: str) -> None:
        self.items = parse(version)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MavenVersion):
            return NotImplemented
        return _compare(self.items, other.items) == 0

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, MavenVersion):
            return NotImplemented
        return _compare(self.items, other.items) < 0

    def __hash__(self) -> int:
        return hash(repr(self.items))
