"""Find IOCs in a buffer of log lines: a multi-literal engine proposes, Python verifies.

Hyperscan (the Vectorscan build bundled in the ``hyperscan`` wheel) finds every occurrence of every
IOC's literal in one pass at GB/s; only those candidates reach Python, which applies the rules
of the IOC's kind at the edges of the match:

- domain: on label boundaries. ``evil.com`` matches ``a.evil.com`` and ``evil.com:443`` but not
  ``notevil.com``, ``evil.company`` or ``evil.com.au``. Case-insensitive.
- url: scheme dropped (a log may show ``hxxp`` as ``https`` or no scheme at all); host as a
  domain on the left, path exact and either complete or followed by ``/``, ``?``, ``#``...
- ipv4 / ipv6: not inside a longer number or address; IPv6 in compressed and full form.
- sha256: not inside a longer alphanumeric run. Case-insensitive.
- filename (or path): not inside a longer name (``router_init.js`` does not match
  ``my_router_init.js`` or ``router_init.json``). Case-insensitive.
- marker: exact, case-sensitive substring, as ``grep -F``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from irbook.audit.logs.iocs import Ioc

_ALNUM = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_DIGITS = frozenset(b"0123456789")
_HEX = frozenset(b"0123456789abcdefABCDEF")
_HOST = _ALNUM | frozenset(b"-_")
_NAME = _ALNUM | frozenset(b"-_")
_PATH_SEGMENT = _ALNUM | frozenset(b"-_~%")

Edge = Callable[[bytes, int], bool]  # is there a boundary at this offset of the buffer?

# A left edge reads at most two bytes before a match and a right edge two bytes after it:
# callers keep that much context around a cut.
EDGE_CONTEXT = 2


def _free(buf: bytes, pos: int) -> bool:
    return True


def _host_left(buf: bytes, pos: int) -> bool:
    return pos == 0 or buf[pos - 1] not in _HOST


def _dot_then(chars: frozenset[int]) -> Callable[[bytes, int], bool]:
    """A right edge: the next byte is not in ``chars`` and is no '.' that a char of them follows.

    The dot rule keeps a trailing full stop ("visit evil.com.") a boundary while ``evil.com.au``
    and ``router_init.js.map`` are other names.
    """

    def edge(buf: bytes, pos: int) -> bool:
        if pos >= len(buf):
            return True
        char = buf[pos]
        if char in chars:
            return False
        return not (char == 0x2E and pos + 1 < len(buf) and buf[pos + 1] in _ALNUM)

    return edge


_host_right = _dot_then(_HOST)
_name_right = _dot_then(_NAME)
_path_right = _dot_then(_PATH_SEGMENT)


def _port_right(buf: bytes, pos: int) -> bool:
    return pos >= len(buf) or buf[pos] not in _DIGITS


def _ipv4_left(buf: bytes, pos: int) -> bool:
    if pos == 0:
        return True
    char = buf[pos - 1]
    return char not in _DIGITS and not (char == 0x2E and pos >= 2 and buf[pos - 2] in _DIGITS)


def _ipv4_right(buf: bytes, pos: int) -> bool:
    if pos >= len(buf):
        return True
    char = buf[pos]
    dotted = char == 0x2E and pos + 1 < len(buf) and buf[pos + 1] in _DIGITS
    return char not in _DIGITS and not dotted


def _ipv6_left(buf: bytes, pos: int) -> bool:
    return pos == 0 or (buf[pos - 1] not in _HEX and buf[pos - 1] != 0x3A)


def _ipv6_right(buf: bytes, pos: int) -> bool:
    if pos >= len(buf):
        return True
    char = buf[pos]
    return char not in _HEX and not (char == 0x3A and pos + 1 < len(buf) and buf[pos + 1] in _HEX)


def _name_left(buf: bytes, pos: int) -> bool:
    return pos == 0 or (buf[pos - 1] not in _NAME and buf[pos - 1] != 0x2E)


def _alnum_left(buf: bytes, pos: int) -> bool:
    return pos == 0 or buf[pos - 1] not in _ALNUM


def _alnum_right(buf: bytes, pos: int) -> bool:
    return pos >= len(buf) or buf[pos] not in _ALNUM


@dataclass(frozen=True, slots=True)
class Needle:
    """One literal searched for, and how to confirm a candidate as a hit of its IOC."""

    ioc: int  # index into the matcher's IOC list
    text: bytes
    caseless: bool
    left: Edge
    right: Edge
    exact_from: int = -1  # from this offset the match must equal ``text`` byte for byte


def needles(index: int, ioc: Ioc) -> list[Needle]:
    """The literals that find ``ioc`` in a log, with the edge rules of its kind."""
    value = ioc.value
    if ioc.kind == "domain":
        return [Needle(index, value.encode(), True, _host_left, _host_right)]
    if ioc.kind == "url":
        return [_url_needle(index, value)]
    if ioc.kind == "ipv4":
        return [Needle(index, value.encode(), False, _ipv4_left, _ipv4_right)]
    if ioc.kind == "ipv6":
        address = ipaddress.IPv6Address(value)
        forms = dict.fromkeys([address.compressed, address.exploded])  # ordered, no duplicate
        return [Needle(index, form.encode(), True, _ipv6_left, _ipv6_right) for form in forms]
    if ioc.kind == "sha256":
        return [Needle(index, value.encode(), True, _alnum_left, _alnum_right)]
    if ioc.kind == "filename":
        return [Needle(index, value.encode(), True, _name_left, _name_right)]
    return [Needle(index, value.encode(), False, _free, _free)]


def _url_needle(index: int, value: str) -> Needle:
    parts = urlsplit(value)
    host = (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
    rest = parts.path + (f"?{parts.query}" if parts.query else "")
    if rest in ("", "/"):
        right = _port_right if parts.port else _host_right
        return Needle(index, host.encode(), True, _host_left, right)
    # A URL ending in a separator names a prefix ("evil.com/drop/"); otherwise the last
    # path segment must end where the IOC ends.
    right = _free if rest[-1] in "/?=&" else _path_right
    text = (host + rest).encode()
    return Needle(index, text, True, _host_left, right, exact_from=len(host.encode()))


class Matcher:
    """A compiled set of IOCs; ``find`` returns verified (start, end, ioc index) in a buffer."""

    def __init__(self, iocs: Sequence[Ioc]) -> None:
        import hyperscan  # a compiled extension: imported only when a scan runs

        self.iocs = list(iocs)
        self.needles = [n for i, ioc in enumerate(self.iocs) for n in needles(i, ioc)]
        self.longest = max((len(n.text) for n in self.needles), default=0)
        self._db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        self._db.compile(
            expressions=[n.text for n in self.needles],
            ids=list(range(len(self.needles))),
            elements=len(self.needles),
            flags=[hyperscan.HS_FLAG_CASELESS if n.caseless else 0 for n in self.needles],
            literal=True,  # IOCs are strings, never regular expressions
        )
        self._scratch = hyperscan.Scratch(self._db)

    def candidates(self, buf: bytes) -> list[tuple[int, int]]:
        """(end offset, needle index) of every occurrence of a literal, unverified."""
        found: list[tuple[int, int]] = []
        add = found.append

        def on_match(needle: int, start: int, end: int, flags: int, context: object) -> None:
            add((end, needle))

        self._db.scan(buf, match_event_handler=on_match, scratch=self._scratch)
        return found

    def find(self, buf: bytes) -> list[tuple[int, int, int]]:
        """Verified hits as (start, end, ioc index), sorted by position."""
        hits = []
        for end, index in self.candidates(buf):
            needle = self.needles[index]
            start = end - len(needle.text)
            if self.verify(needle, buf, start, end):
                hits.append((start, end, needle.ioc))
        hits.sort()
        return hits

    @staticmethod
    def verify(needle: Needle, buf: bytes, start: int, end: int) -> bool:
        if not (needle.left(buf, start) and needle.right(buf, end)):
            return False
        exact = needle.exact_from
        return exact < 0 or buf[start + exact : end] == needle.text[exact:]
