"""The log scan: matching rules per IOC kind, file:line, chunk edges, gzip, memory, run_action."""

from __future__ import annotations

import gzip
import tracemalloc
from pathlib import Path

import pytest

from irbook.audit import actions
from irbook.audit.logs.iocs import Ioc, parse_ioc
from irbook.audit.logs.scan import LogHit, audit_logs, run_action, scan_logs, summary
from irbook.errors import InvalidInputError, NotFoundError, UsageError


def _iocs(*texts: str) -> list[Ioc]:
    return [parse_ioc(t, source="test") for t in texts]


def _scan(tmp_path: Path, text: str | bytes, *iocs: str, **kwargs: int) -> list[LogHit]:
    log = tmp_path / "app.log"
    log.write_bytes(text.encode() if isinstance(text, str) else text)
    return scan_logs([log], _iocs(*iocs), **kwargs).hits  # type: ignore[arg-type]  # ints only


def _found(tmp_path: Path, line: str, ioc: str) -> bool:
    return bool(_scan(tmp_path, line + "\n", ioc))


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("query: evil.com IN A", True),
        ("CONNECT a.b.evil.com:443 HTTP/1.1", True),
        ("GET https://EVIL.COM/x", True),
        ("mail from user@evil.com", True),
        ("visited evil.com.", True),
        ("(evil.com)", True),
        ("query: notevil.com IN A", False),
        ("host=my-evil.com", False),
        ("https://evil.company/", False),
        ("evil.com.au", False),
        ("evil.com-cdn.net", False),
        ("evil_com", False),
    ],
)
def test_domain_on_label_boundaries(tmp_path: Path, line: str, found: bool) -> None:
    assert _found(tmp_path, line, "evil.com") is found


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("dst=142.11.206.73", True),
        ("connect 142.11.206.73:8000", True),
        ("[142.11.206.73]", True),
        ("at 142.11.206.73.", True),
        ("dst=1142.11.206.73", False),
        ("dst=142.11.206.731", False),
        ("oid 142.11.206.73.5", False),
        ("oid 5.142.11.206.73", False),
    ],
)
def test_ipv4_not_inside_a_longer_number(tmp_path: Path, line: str, found: bool) -> None:
    assert _found(tmp_path, line, "142.11.206.73") is found


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("from [2001:db8::1]:443", True),
        ("from 2001:DB8::1 port 5", True),
        ("from 2001:0db8:0000:0000:0000:0000:0000:0001 x", True),
        ("from 2001:db8::10", False),
        ("from 2001:db8::1:5", False),
        ("from fe80:2001:db8::1", False),
    ],
)
def test_ipv6_forms_and_edges(tmp_path: Path, line: str, found: bool) -> None:
    assert _found(tmp_path, line, "2001:db8::1") is found


HASH = "5e1924464368f0c5816ee84e000cc47017f44045140feafbbc9e685d847ed5a5"


@pytest.mark.parametrize(
    ("line", "found"),
    [
        (f"sha256={HASH}", True),
        (f"SHA256:{HASH.upper()}", True),
        (f"digest {HASH}0", False),
        (f"digest f{HASH}", False),
    ],
)
def test_sha256(tmp_path: Path, line: str, found: bool) -> None:
    assert _found(tmp_path, line, HASH) is found


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("sh -c node router_init.js", True),
        ("open /tmp/pkg/router_init.js failed", True),
        ('"C:\\work\\Router_Init.JS"', True),
        ("wrote router_init.js.", True),
        ("node my_router_init.js", False),
        ("read router_init.json", False),
        ("load router_init.js.map", False),
        ("load old.router_init.js", False),
    ],
)
def test_file_names(tmp_path: Path, line: str, found: bool) -> None:
    assert _found(tmp_path, line, "router_init.js") is found


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("GET http://sfrclak.com/6202033 200", True),
        ("GET https://SFRCLAK.com/6202033?x=1 200", True),  # scheme and host case do not matter
        ("GET sfrclak.com/6202033/ 200", True),
        ("GET http://sfrclak.com/62020334 200", False),
        ("GET http://notsfrclak.com/6202033 200", False),
    ],
)
def test_urls(tmp_path: Path, line: str, found: bool) -> None:
    assert _found(tmp_path, line, "hxxp://sfrclak[.]com/6202033") is found


def test_url_path_is_case_sensitive(tmp_path: Path) -> None:
    assert _found(tmp_path, "GET https://evil.com/Payload", "https://evil.com/Payload")
    assert not _found(tmp_path, "GET https://evil.com/payload", "https://evil.com/Payload")


def test_url_without_path_matches_as_a_domain(tmp_path: Path) -> None:
    assert _found(tmp_path, "CONNECT evil.com:443", "https://evil.com/")
    assert not _found(tmp_path, "CONNECT evil.company:443", "https://evil.com/")


def test_marker_is_exact_and_case_sensitive(tmp_path: Path) -> None:
    assert _found(tmp_path, "npm i @tanstack/setup@1.0", "@tanstack/setup")
    assert not _found(tmp_path, "npm i @TanStack/Setup@1.0", "@tanstack/setup")


def test_file_and_line_numbers(tmp_path: Path) -> None:
    lines = [
        f"2026-05-11T19:{i % 60:02d}:00Z GET https://cdn{i}.example.net/a" for i in range(3000)
    ]
    planted = {7: "filev2.getsession.org", 1500: "142.11.206.73", 2999: "router_init.js"}
    for number, ioc in planted.items():
        lines[number - 1] += f" via {ioc}"
    hits = _scan(tmp_path, "\n".join(lines) + "\n", *planted.values(), chunk_size=1000)
    assert [(h.line, h.ioc.value) for h in hits] == sorted(planted.items())
    assert all(h.file == str(tmp_path / "app.log") for h in hits)
    assert hits[0].text == lines[6]


def test_one_hit_per_line_and_ioc(tmp_path: Path) -> None:
    hits = _scan(tmp_path, "evil.com then a.evil.com and 1.2.3.4\n", "evil.com", "1.2.3.4")
    assert [(h.line, h.ioc.value) for h in hits] == [(1, "evil.com"), (1, "1.2.3.4")]


def test_last_line_without_newline_and_crlf(tmp_path: Path) -> None:
    hits = _scan(tmp_path, "a\r\nb evil.com\r\nc evil.com", "evil.com")
    assert [(h.line, h.text) for h in hits] == [(2, "b evil.com"), (3, "c evil.com")]


@pytest.mark.parametrize("chunk_size", range(20, 60))
def test_ioc_straddling_a_chunk_edge(tmp_path: Path, chunk_size: int) -> None:
    # Every chunk size from 20 to 59 puts a chunk edge at another byte of the IOC (at 24-44)
    # or of the decoy that must not match (at 50-71).
    text = (
        "x" * 10
        + " line one\n"
        + "GET https://filev2.getsession.org/f\n"
        + "notfilev2.getsession.orgx\n"
    )
    hits = _scan(tmp_path, text, "filev2.getsession.org", chunk_size=chunk_size, max_line=64)
    assert [(h.line, h.ioc.value) for h in hits] == [(2, "filev2.getsession.org")]


@pytest.mark.parametrize("offset", range(0, 70, 3))
def test_long_line_scanned_in_overlapping_pieces(tmp_path: Path, offset: int) -> None:
    # A single 2,000-byte line with 16-byte chunks and a 64-byte line limit: the line is cut,
    # wherever the IOC and the decoys fall, each is decided once and correctly.
    line = "a" * offset + " api.masscan.cloud " + "b" * 500 + " api.masscan.cloudy "
    line += "c" * 300 + " x.api.masscan.cloud:443 " + "d" * 1000
    text = "first\n" + line + "\nlast api.masscan.cloud\n"
    hits = _scan(tmp_path, text, "api.masscan.cloud", chunk_size=16, max_line=64)
    assert [h.line for h in hits] == [2, 3]


@pytest.mark.parametrize("decoy", ["notapi.masscan.cloud", "api.masscan.cloudy"])
def test_long_line_decoys_cut_anywhere(tmp_path: Path, decoy: str) -> None:
    for offset in range(0, 70):
        text = "z" * offset + f" {decoy} " + "y" * 200
        assert _scan(tmp_path, text, "api.masscan.cloud", chunk_size=16, max_line=64) == []


def test_gzip_gives_the_same_hits(tmp_path: Path) -> None:
    text = "".join(
        f"line {i} {'seed2.getsession.org' if i % 97 == 0 else 'ok.example'}\n"
        for i in range(1, 2000)
    )
    plain = tmp_path / "plain.log"
    plain.write_text(text, encoding="utf-8")
    packed = tmp_path / "rotated.log.1"  # no .gz suffix: detected by its magic bytes
    packed.write_bytes(gzip.compress(text.encode()))
    iocs = _iocs("seed2.getsession.org")
    want = [(h.line, h.text) for h in scan_logs([plain], iocs, chunk_size=512).hits]
    got = scan_logs([packed], iocs, chunk_size=512)
    assert [(h.line, h.text) for h in got.hits] == want
    assert len(want) == 1999 // 97
    assert got.bytes_scanned == len(text)


def test_multi_member_gzip_continues_line_numbers(tmp_path: Path) -> None:
    log = tmp_path / "cat.gz"
    log.write_bytes(gzip.compress(b"a\nb\n") + gzip.compress(b"c\nsfrclak.com\n"))
    hits = scan_logs([log], _iocs("sfrclak.com")).hits
    assert [(h.file, h.line) for h in hits] == [(str(log), 4)]


def test_truncated_gzip_is_invalid_input(tmp_path: Path) -> None:
    log = tmp_path / "proxy.log.gz"
    log.write_bytes(gzip.compress(b"evil.com\n" * 10_000)[:200])
    with pytest.raises(InvalidInputError, match=r"proxy.log.gz:1:1: not a readable gzip file"):
        scan_logs([log], _iocs("evil.com"))


def test_directories_are_walked_and_missing_paths_fail(tmp_path: Path) -> None:
    (tmp_path / "logs" / "old").mkdir(parents=True)
    (tmp_path / "logs" / "a.log").write_text("evil.com\n", encoding="utf-8")
    (tmp_path / "logs" / "old" / "b.log.gz").write_bytes(gzip.compress(b"x\nevil.com\n"))
    result = scan_logs([tmp_path / "logs"], _iocs("evil.com"))
    assert [(Path(h.file).name, h.line) for h in result.hits] == [("a.log", 1), ("b.log.gz", 2)]
    with pytest.raises(NotFoundError, match=r"missing\.log: no such file"):
        scan_logs([tmp_path / "missing.log"], _iocs("evil.com"))


def test_progress_reaches_the_total(tmp_path: Path) -> None:
    first, second = tmp_path / "1.log", tmp_path / "2.log.gz"
    first.write_bytes(b"line\n" * 5000)
    second.write_bytes(gzip.compress(b"other line\n" * 20000))
    calls: list[tuple[int, int]] = []
    scan_logs(
        [first, second],
        _iocs("evil.com"),
        progress=lambda d, t: calls.append((d, t)),
        chunk_size=4096,
    )
    total = first.stat().st_size + second.stat().st_size
    assert {t for _, t in calls} == {total}
    done = [d for d, _ in calls]
    assert done == sorted(done) and done[-1] == total and len(done) > 5


def test_memory_stays_flat(tmp_path: Path) -> None:
    log = tmp_path / "big.log"
    line = b"2026-05-11T19:20:00Z proxy GET https://cdn.example.net/assets/app.js 200 1234\n"
    with log.open("wb") as out:
        for _ in range(40):
            out.write(line * 5000)  # 40 x ~400 KB = ~16 MB
    chunk = 256 << 10
    tracemalloc.start()
    try:
        scan_logs([log], _iocs("evil.com", "142.11.206.73"), chunk_size=chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert log.stat().st_size > 50 * chunk
    assert peak < 6 * chunk  # a chunk, the carried partial line, their join: never the file


def test_audit_logs_and_run_action(tmp_path: Path) -> None:
    (tmp_path / "ci.log").write_text("ok\nnode tanstack_runner.js\n", encoding="utf-8")
    (tmp_path / "iocs.txt").write_text("tanstack_runner.js\n", encoding="utf-8")
    result = actions.run_action(
        "log-ioc-scan",
        {"paths": "ci.log\n", "iocs": ["iocs.txt"], "domains": "a.example, b.example"},
        cwd=tmp_path,
    )
    assert result.action == "log-ioc-scan" and not result.ok
    assert result.findings == [
        {
            "file": str(tmp_path / "ci.log"),
            "line": 2,
            "kind": "filename",
            "ioc": "tanstack_runner.js",
            "sources": [f"{tmp_path}/iocs.txt:1"],
            "text": "node tanstack_runner.js",
        }
    ]
    assert result.inputs == [str(tmp_path / "ci.log"), str(tmp_path / "iocs.txt")]
    assert result.summary.startswith("1 hit(s) of 1 of 3 indicator(s) in 1 of 1 file(s)")
    clean = run_action({"paths": ["ci.log"], "domains": ["evil.com"]}, cwd=tmp_path)
    assert clean.ok and clean.findings == [] and clean.summary.startswith("no hit of 1")


def test_run_action_rejects_unknown_arguments_and_no_iocs(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown argument"):
        run_action({"paths": ["x"], "ioc": ["typo"]}, cwd=tmp_path)
    (tmp_path / "x.log").write_text("x\n", encoding="utf-8")
    with pytest.raises(UsageError, match="no indicators given"):
        audit_logs([tmp_path / "x.log"])
    with pytest.raises(UsageError, match="no log files given"):
        audit_logs([], domains=["evil.com"])


def test_hits_keep_the_first_max_hits_per_ioc_and_count_all(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    log.write_text("evil.com\n" * 5 + "142.11.206.73\n" * 3 + "quiet\n")
    (tmp_path / "b.log").write_text("x evil.com\n")
    result = scan_logs([log, tmp_path / "b.log"], _iocs("evil.com", "142.11.206.73"), max_hits=2)
    assert [(Path(h.file).name, h.line, h.ioc.value) for h in result.hits] == [
        ("a.log", 1, "evil.com"),
        ("a.log", 2, "evil.com"),
        ("a.log", 6, "142.11.206.73"),
        ("a.log", 7, "142.11.206.73"),
    ]
    assert {i.value: n for i, n in result.counts.items()} == {"evil.com": 6, "142.11.206.73": 3}
    assert result.total == 9
    assert summary(result).endswith(
        "9 hit(s) of 2 of 2 indicator(s) in 2 of 2 file(s), 104 B of log text; "
        "5 not listed (the first 2 per indicator are)"
    )
    with pytest.raises(UsageError, match="--max-hits must be at least 1"):
        scan_logs([log], _iocs("evil.com"), max_hits=0)
