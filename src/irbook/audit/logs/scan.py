"""Scan logs (plain or gzip, any size) for IOCs; each hit is reported as file:line.

Files are read in big chunks cut at the last newline, so memory stays flat whatever the size and
no line is ever split between two scans. A line longer than ``max_line`` bytes (a minified
bundle, a binary file) is scanned in overlapping pieces instead of being held whole.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from irbook.audit.actions import CheckResult
from irbook.audit.logs.iocmatch import EDGE_CONTEXT, Matcher
from irbook.audit.logs.iocs import Ioc, collect_iocs, typed_iocs
from irbook.domain.redact import redact
from irbook.errors import InvalidInputError, NotFoundError, Problem, UsageError
from irbook.files import limits
from irbook.files.read import open_regular

# Measured (bench/bench_logscan.py): 256 KiB chunks scan at ~1.1 GB/s, 8 MiB ones at ~0.3 GB/s.
# A chunk that stays in the CPU cache is read, joined, scanned and counted without a trip to
# memory, and the per-chunk Python work is still negligible.
CHUNK_SIZE = 256 << 10
DEFAULT_MAX_HITS = limits.LOG_HITS_PER_IOC  # `--max-hits`
MAX_LINE = 1 << 20  # a longer line is scanned in overlapping pieces instead of held whole
EXCERPT = 240  # bytes of context kept on each side of a hit in a long line

Progress = Callable[[int, int], None]  # (bytes done, bytes total), compressed bytes for .gz


@dataclass(frozen=True, slots=True)
class LogHit:
    file: str
    line: int
    ioc: Ioc
    text: str  # the line (or the part around the hit, for a long one), secrets masked
    redacted: tuple[str, ...] = ()  # rule ids of the secrets masked in ``text``

    def to_json(self) -> dict[str, Any]:
        found = {
            "file": self.file,
            "line": self.line,
            "kind": self.ioc.kind,
            "ioc": self.ioc.value,
            "sources": list(self.ioc.sources),
            "text": self.text,
        }
        return found | ({"redacted": list(self.redacted)} if self.redacted else {})


@dataclass
class HitList:
    """The first ``max_per_ioc`` hits of each IOC, and the exact count of all of them.

    A log with millions of hits (a beaconing implant, an IOC as common as a CDN name) must not
    grow memory without end; the responder needs where it starts and how often, not every line.
    """

    max_per_ioc: int = DEFAULT_MAX_HITS
    hits: list[LogHit] = field(default_factory=list)
    counts: dict[Ioc, int] = field(default_factory=dict)
    files: set[str] = field(default_factory=set)  # with at least one hit

    def add(self, hit: LogHit) -> None:
        self.files.add(hit.file)
        count = self.counts.get(hit.ioc, 0) + 1
        self.counts[hit.ioc] = count
        if count <= self.max_per_ioc:
            self.hits.append(hit)


@dataclass(frozen=True)
class LogScanResult:
    hits: list[LogHit]  # the first max_hits of each IOC, in scan order
    files: list[str]
    iocs: list[Ioc]
    bytes_read: int  # on disk (compressed for .gz)
    bytes_scanned: int  # of log text
    inputs: list[str] = field(default_factory=list)  # IOC files and advisories read
    counts: dict[Ioc, int] = field(default_factory=dict)  # all hits, per IOC
    max_hits: int = 0  # per IOC kept in ``hits``; 0 in results built by hand (nothing left out)
    hit_files: int = 0  # files with a hit, listed or not

    @property
    def ok(self) -> bool:
        return not self.hits

    @property
    def total(self) -> int:
        return sum(self.counts.values()) if self.counts else len(self.hits)

    @property
    def left_out(self) -> dict[Ioc, int]:
        """Hits counted but not kept, per IOC (beyond the first ``max_hits``)."""
        return {ioc: n - self.max_hits for ioc, n in self.counts.items() if n > self.max_hits}


def log_files(paths: Sequence[Path]) -> list[Path]:
    """The files to scan: files as given, directories walked (sorted). Missing ones raise."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file()))
        elif path.is_file():
            files.append(path)
        elif not path.exists():
            hint = "check the path; directories are scanned recursively"
            raise NotFoundError(f"{path}: no such file or directory", hint=hint)
        else:
            raise UsageError(f"{path}: not a regular file")
    return files


class _Stream(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...
    def tell(self) -> int: ...


@contextmanager
def _open(path: Path) -> Iterator[tuple[_Stream, Callable[[], int]]]:
    """The log as a byte stream (gunzipped when it starts with the gzip magic) and the position
    in the file on disk, for progress."""
    with open_regular(path, kind="log file") as raw:  # a FIFO swapped in is refused, not read
        if raw.read(2) != b"\x1f\x8b":
            raw.seek(0)
            yield raw, raw.tell
            return
        raw.seek(0)
        with gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
            yield unzipped, raw.tell


def scan_file(
    path: Path,
    matcher: Matcher,
    *,
    on_read: Callable[[int], None] | None = None,
    chunk_size: int = CHUNK_SIZE,
    max_line: int = MAX_LINE,
    hits: HitList | None = None,
) -> tuple[list[LogHit], int]:
    """Hits in one file (one per line and IOC, kept in ``hits`` up to its limit per IOC) and
    the number of log bytes scanned."""
    kept = HitList() if hits is None else hits
    try:
        with _open(path) as (stream, position):
            scan = _scan_stream(
                stream, str(path), matcher, position, on_read, chunk_size, max(max_line, chunk_size)
            )
            for hit in scan:
                kept.add(hit)
            return kept.hits, stream.tell()
    except (gzip.BadGzipFile, EOFError, zlib.error) as err:
        message = f"not a readable gzip file ({err or 'truncated'})"
        hint = "a truncated .gz (still being written?) can be read with `zcat FILE > out.log`"
        raise InvalidInputError([Problem(str(path), 1, 1, "", message)], hint=hint) from None
    except OSError as err:
        message = f"cannot read: {err.strerror or err}"
        raise InvalidInputError([Problem(str(path), 1, 1, "", message)]) from None


def _scan_stream(
    stream: _Stream,
    name: str,
    matcher: Matcher,
    position: Callable[[], int],
    on_read: Callable[[int], None] | None,
    chunk_size: int,
    max_line: int,
) -> Iterator[LogHit]:
    line = 1  # number of the line that the buffer starts in
    carry = b""
    skip = 0  # matches ending at or before this offset were decided in the previous buffer
    seen: set[tuple[int, int]] = set()  # (line, ioc): one hit per line and IOC
    keep = matcher.longest + 2 * EDGE_CONTEXT
    while True:
        data = stream.read(chunk_size)
        if on_read is not None:
            on_read(position())
        buf = carry + data if carry else data
        if not data:  # end of file: the last line may lack its newline
            yield from _hits(buf, len(buf), skip, line, name, matcher, seen)
            return
        cut = buf.rfind(b"\n") + 1
        if cut:
            yield from _hits(buf, cut, skip, line, name, matcher, seen)
            line += buf.count(b"\n", 0, cut)
            carry, skip = buf[cut:], 0
            seen.clear()  # lines before the cut are done
        elif len(buf) >= max_line:
            # One huge line: decide what ends well before the end, re-scan the tail next time.
            limit = len(buf) - EDGE_CONTEXT
            yield from _hits(buf, limit, skip, line, name, matcher, seen)
            carry = buf[-keep:]
            skip = len(carry) - EDGE_CONTEXT
        else:
            carry = buf


def _hits(
    buf: bytes,
    limit: int,
    skip: int,
    line: int,
    name: str,
    matcher: Matcher,
    seen: set[tuple[int, int]],
) -> Iterator[LogHit]:
    """Verified hits ending in (skip, limit] of ``buf``; ``line`` is the line buf starts in."""
    if limit <= skip:
        return
    pos = 0
    for start, end, ioc in matcher.find(buf):
        if end <= skip or end > limit:
            continue
        line += buf.count(b"\n", pos, start)
        pos = start
        if (line, ioc) in seen:
            continue
        seen.add((line, ioc))
        found = matcher.iocs[ioc]
        # The line is stored as evidence and put in reports: secrets in it are masked, the IOC
        # stays visible (it is the finding).
        text, kinds = redact(_excerpt(buf, start, end), keep=(found.value,))
        yield LogHit(name, line, found, text, tuple(kinds))


def _excerpt(buf: bytes, start: int, end: int) -> str:
    first = buf.rfind(b"\n", 0, start) + 1
    last = buf.find(b"\n", end)
    last = len(buf) if last < 0 else last
    head = "…" if start - first > EXCERPT else ""
    tail = "…" if last - end > EXCERPT else ""
    first, last = max(first, start - EXCERPT), min(last, end + EXCERPT)
    text = buf[first:last].decode("utf-8", errors="replace").rstrip("\r")
    return f"{head}{text}{tail}"


def scan_logs(
    paths: Sequence[Path],
    iocs: Sequence[Ioc],
    *,
    progress: Progress | None = None,
    chunk_size: int = CHUNK_SIZE,
    max_line: int = MAX_LINE,
    max_hits: int = DEFAULT_MAX_HITS,
) -> LogScanResult:
    """Scan files and directories for the given IOCs; keep the first ``max_hits`` per IOC."""
    if not iocs:
        raise UsageError("no indicators given")
    if max_hits < 1:
        raise UsageError(f"--max-hits must be at least 1, not {max_hits}")
    files = log_files(paths)
    sizes = [f.stat().st_size for f in files]
    total, done = sum(sizes), 0
    matcher = Matcher(iocs)
    hits = HitList(max_hits)
    scanned = 0
    for path, size in zip(files, sizes, strict=True):

        def on_read(pos: int, base: int = done) -> None:
            if progress is not None:
                progress(min(base + pos, total), total)

        _, file_bytes = scan_file(
            path, matcher, on_read=on_read, chunk_size=chunk_size, max_line=max_line, hits=hits
        )
        scanned += file_bytes
        done += size
    return LogScanResult(
        hits=hits.hits,
        files=[str(f) for f in files],
        iocs=list(iocs),
        bytes_read=total,
        bytes_scanned=scanned,
        counts=hits.counts,
        max_hits=max_hits,
        hit_files=len(hits.files),
    )


def audit_logs(
    paths: Sequence[Path],
    *,
    ioc_files: Sequence[Path] = (),
    advisories: Sequence[Path] = (),
    domains: Sequence[str] = (),
    typed: Sequence[Ioc] = (),
    progress: Progress | None = None,
    max_hits: int = DEFAULT_MAX_HITS,
) -> LogScanResult:
    """`irbook audit logs`: gather the IOCs from every source, then scan."""
    if not paths:
        raise UsageError("no log files given", hint="irbook audit logs PATH... --ioc FILE")
    files = log_files(paths)  # a missing log fails before a big advisory dump is read
    iocs = collect_iocs(ioc_files=ioc_files, advisories=advisories, domains=domains, typed=typed)
    result = scan_logs(files, iocs, progress=progress, max_hits=max_hits)
    inputs = [str(p) for p in [*ioc_files, *advisories]]
    return replace(result, inputs=inputs)


def summary(result: LogScanResult) -> str:
    scanned = f"{len(result.files)} file(s), {_human_bytes(result.bytes_scanned)} of log text"
    if result.ok:
        return f"no hit of {len(result.iocs)} indicator(s) in {scanned}"
    iocs = len({(h.ioc.kind, h.ioc.value) for h in result.hits})
    files = max(result.hit_files, len({h.file for h in result.hits}))
    text = (
        f"{result.total} hit(s) of {iocs} of {len(result.iocs)} indicator(s) "
        f"in {files} of {scanned}"
    )
    left_out = sum(result.left_out.values())
    if left_out:
        text += f"; {left_out} not listed (the first {result.max_hits} per indicator are)"
    return text


def _human_bytes(count: int) -> str:
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"


def _paths(args: Mapping[str, str | list[str]], key: str, cwd: Path) -> list[Path]:
    return [cwd / item for item in _items(args.get(key))]


def _items(value: str | list[str] | None) -> list[str]:
    """A step argument as a list: a list as is, a rendered template string one item per line."""
    if value is None:
        return []
    items = value.splitlines() if isinstance(value, str) else value
    return [item.strip() for item in items if item.strip()]


def run_action(args: Mapping[str, str | list[str]], *, cwd: Path) -> CheckResult:
    """Runbook step ``uses: log-ioc-scan``: ``paths`` and ``iocs`` (IOC files), ``advisories``,
    ``domains``, and ``indicators`` (typed ones, usually ``{{ answers.iocs }}``)."""
    unknown = set(args) - {"paths", "iocs", "advisories", "domains", "indicators"}
    if unknown:
        raise UsageError(
            f"log-ioc-scan: unknown argument(s) {', '.join(sorted(unknown))}",
            hint="use paths, iocs, advisories, domains, indicators",
        )
    domains = [d for item in _items(args.get("domains")) for d in item.replace(",", " ").split()]
    result = audit_logs(
        _paths(args, "paths", cwd),
        ioc_files=_paths(args, "iocs", cwd),
        advisories=_paths(args, "advisories", cwd),
        domains=domains,
        typed=typed_iocs(_items(args.get("indicators")), source="typed at the iocs step"),
    )
    return CheckResult(
        action="log-ioc-scan",
        ok=result.ok,
        summary=summary(result),
        findings=[h.to_json() for h in result.hits],
        inputs=[*result.files, *result.inputs],
    )
