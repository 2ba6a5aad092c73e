"""Benchmark: `irbook audit logs` against `LC_ALL=C grep -F -f` and `rg -F -f`, same file, same run.

Generates a realistic log (squid-style proxy lines, BIND query log lines, CI/npm lines) of about
--size-mb megabytes with a few planted true hits and some decoys, and 1,000 IOCs (domains, IPv4
addresses, file names, sha256 hashes). Times each tool on the warm file (best of --repeat runs),
reports MB/s and ratios, and checks that the hit lines agree: every line we report is one grep
reports too, and grep's extra lines are exactly the planted decoys (``notevil.com``-style names
that grep's substring match takes and label boundaries reject).

    python bench/bench_logscan.py                # ~1 GB, as in docs/performance.md
    python bench/bench_logscan.py --size-mb 100  # a quick run
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = [
    "api",
    "cdn",
    "static",
    "login",
    "mail",
    "img",
    "assets",
    "update",
    "telemetry",
    "files",
    "auth",
    "download",
    "graph",
    "edge",
    "m",
    "www",
    "registry",
    "objects",
    "gw",
    "s3",
]
TLDS = ["com", "net", "org", "io", "dev", "cloud", "co.uk", "de", "fr", "app"]


def _host(rng: random.Random) -> str:
    org = "".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 10)))
    return f"{rng.choice(WORDS)}{rng.randint(0, 999)}.{org}.{rng.choice(TLDS)}"


def _ip(rng: random.Random) -> str:
    return ".".join(str(rng.randint(1, 254)) for _ in range(4))


def _line(rng: random.Random, host: str, n: int, *, uses_host: bool = False) -> str:
    """One log line; ``uses_host`` picks a kind of line that shows the host (proxy or DNS)."""
    kind = rng.random() * (0.85 if uses_host else 1.0)
    if kind < 0.45:
        return (
            f"1778527{n % 1000000:06d}.{n % 1000:03d} {rng.randint(1, 9999):6d} {_ip(rng)} "
            f"TCP_TUNNEL/200 {rng.randint(200, 999999)} CONNECT {host}:443 - "
            f"HIER_DIRECT/{_ip(rng)} -\n"
        )
    if kind < 0.85:
        return (
            f"11-May-2026 19:{n % 60:02d}:{n * 7 % 60:02d}.{n % 1000:03d} queries: info: "
            f"client @0x7f{n:010x} {_ip(rng)}#{rng.randint(1024, 65535)} ({host}): "
            f"query: {host} IN {rng.choice(['A', 'AAAA', 'HTTPS'])} +E(0)K ({_ip(rng)})\n"
        )
    pkg = f"@{rng.choice(WORDS)}/{rng.choice(WORDS)}-{rng.randint(0, 500)}"
    return (
        f"2026-05-11T19:{n % 60:02d}:{n * 3 % 60:02d}.{n % 1000:03d}Z ci-runner[{n % 97}]: "
        f"npm http fetch GET 200 https://registry.npmjs.org/{pkg}/-/{pkg.split('/')[1]}"
        f"-1.{n % 40}.{n % 9}.tgz {rng.randint(5, 900)}ms (cache miss)\n"
    )


def make_iocs(rng: random.Random, count: int) -> list[str]:
    iocs: set[str] = set()
    while len(iocs) < count:
        name = "".join(rng.choices(string.ascii_lowercase, k=rng.randint(5, 12)))
        roll = rng.random()
        if roll < 0.85:
            iocs.add(f"{name}{rng.choice(['', '-cdn', '-api', '-update'])}.{rng.choice(TLDS)}")
        elif roll < 0.92:
            iocs.add(
                f"{rng.randint(11, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
            )
        elif roll < 0.96:
            iocs.add(f"{name}_loader.js")
        else:
            iocs.add("".join(rng.choices("0123456789abcdef", k=64)))
    return sorted(iocs)


def make_log(path: Path, size: int, iocs: list[str], rng: random.Random) -> tuple[int, int]:
    """Write the log; returns (planted true-hit lines, planted decoy lines)."""
    hosts = [_host(rng) for _ in range(30_000)]
    pool = "".join(_line(rng, rng.choice(hosts), n) for n in range(120_000)).encode()
    domains = [i for i in iocs if i[-1].isalpha() and "_" not in i]
    hits = decoys = written = 0
    with path.open("wb") as out:
        while written < size:
            start = rng.randrange(len(pool) // 2)
            start = pool.index(b"\n", start) + 1
            block = pool[start : start + (4 << 20)]
            block = block[: block.rindex(b"\n") + 1]
            out.write(block)
            written += len(block)
            ioc = rng.choice(iocs)
            out.write(_line(rng, ioc, hits, uses_host=True).encode())  # a true hit
            hits += 1
            if rng.random() < 0.5:  # a decoy: a longer name that grep -F takes and we must not
                decoy = f"not{rng.choice(domains)}"
                out.write(_line(rng, decoy, decoys, uses_host=True).encode())
                decoys += 1
    return hits, decoys


GNU_TIME = Path("/usr/bin/time")


def timed(
    command: list[str], out_path: Path, env: dict[str, str] | None = None
) -> tuple[float, int]:
    """Wall time and peak RSS (KiB) of one run of a command, its stdout written to out_path.

    The peak is measured by GNU time around the command, not with ``wait4`` from here: a child
    forked from this process inherits this process's high-water mark (the kernel carries it
    across ``exec``), so ``wait4`` reported the generator's peak for grep and irbook alike. GNU
    time is a small C program whose own footprint (~2 MiB) is what its child starts from.
    """
    rss_file = out_path.with_suffix(".rss")
    wrapped = [str(GNU_TIME), "-f", "%M", "-o", str(rss_file), *command]
    with out_path.open("wb") as out:
        start = time.perf_counter()
        process = subprocess.run(wrapped, stdout=out, stderr=subprocess.PIPE, env=env, check=False)
        elapsed = time.perf_counter() - start
    if process.returncode not in (0, 1):
        sys.exit(f"{command[0]} failed ({process.returncode}): {process.stderr.decode()}")
    # GNU time writes "Command exited with non-zero status 1" before the figure on exit 1.
    return elapsed, int(rss_file.read_text().split()[-1])


def best(
    command: list[str], out_path: Path, repeat: int, env: dict[str, str] | None = None
) -> tuple[float, int]:
    runs = [timed(command, out_path, env) for _ in range(repeat)]
    return min(r[0] for r in runs), max(r[1] for r in runs)


def grep_lines(path: Path) -> set[int]:
    """Line numbers of `-n` output (grep and rg print `N:text`)."""
    return {int(line.split(b":", 1)[0]) for line in path.read_bytes().splitlines() if line}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1000)
    parser.add_argument("--iocs", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--gzip-mb",
        type=int,
        default=300,
        help="also time a .gz of the first N MB of the log: irbook vs `zcat | grep -F -f` (0: off)",
    )
    args = parser.parse_args()
    if not GNU_TIME.exists():
        sys.exit("needs GNU time for peak RSS: apt-get install time")
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="irbook-bench-logscan-"))
    try:
        run(work, args, rng)
    finally:
        shutil.rmtree(work)


def run(work: Path, args: argparse.Namespace, rng: random.Random) -> None:
    ioc_file, log = work / "iocs.txt", work / "big.log"
    iocs = make_iocs(rng, args.iocs)
    ioc_file.write_text("\n".join(iocs) + "\n", encoding="utf-8")
    t0 = time.perf_counter()
    planted, decoys = make_log(log, args.size_mb * 1_000_000, iocs, rng)
    size = log.stat().st_size
    print(
        f"log: {size / 1e6:.0f} MB, {planted} planted hits, {decoys} decoys, {len(iocs)} IOCs "
        f"(generated in {time.perf_counter() - t0:.0f} s)"
    )
    with log.open("rb") as f:  # warm the page cache so every tool reads from memory
        while f.read(64 << 20):
            pass

    results: dict[str, tuple[float, int]] = {}
    outputs: dict[str, Path] = {}
    c_env = {**os.environ, "LC_ALL": "C"}
    outputs["grep"] = work / "grep.out"
    results["grep"] = best(
        ["grep", "-F", "-n", "-f", str(ioc_file), str(log)], outputs["grep"], args.repeat, c_env
    )
    if shutil.which("rg"):
        outputs["rg"] = work / "rg.out"
        results["rg"] = best(
            ["rg", "-F", "-n", "--no-heading", "-f", str(ioc_file), str(log)],
            outputs["rg"],
            args.repeat,
        )
    else:
        print("rg: not installed, skipped (apt-get install ripgrep)")
    outputs["irbook"] = work / "irbook.json"
    results["irbook"] = best(
        [
            sys.executable,
            "-m",
            "irbook",
            "audit",
            "logs",
            str(log),
            "--ioc",
            str(ioc_file),
            "--json",
        ],
        outputs["irbook"],
        args.repeat,
    )

    import json

    ours = {hit["line"] for hit in json.loads(outputs["irbook"].read_text())}
    grep = grep_lines(outputs["grep"])
    print(f"\n{'tool':8} {'seconds':>8} {'MB/s':>8} {'peak RSS':>10} {'hit lines':>10}")
    for name, (seconds, rss) in results.items():
        lines = len(ours) if name == "irbook" else len(grep_lines(outputs[name]))
        print(
            f"{name:8} {seconds:8.2f} {size / 1e6 / seconds:8.0f} {rss / 1024:8.0f} MiB {lines:10}"
        )
    ours_s = results["irbook"][0]
    print(f"\nirbook vs grep: {results['grep'][0] / ours_s:.2f}x as fast")
    if "rg" in results:
        print(f"irbook vs rg:   {results['rg'][0] / ours_s:.2f}x as fast")
    extra = len(grep - ours)
    agree = ours <= grep and len(ours) == planted and extra == decoys
    print(
        f"agreement: ours={len(ours)} planted={planted}; grep-only lines={extra} "
        f"decoys={decoys}; ours within grep's: {ours <= grep} -> {'OK' if agree else 'MISMATCH'}"
    )
    if not agree:
        sys.exit(1)
    if args.gzip_mb:
        gzip_case(work, log, ioc_file, args)


def gzip_case(work: Path, log: Path, ioc_file: Path, args: argparse.Namespace) -> None:
    """A compressed log: irbook reads .gz itself; the reference is `zcat | grep -F -f`."""
    import gzip

    sample = work / "sample.log.gz"
    with log.open("rb") as src, gzip.open(sample, "wb", compresslevel=6) as dst:
        remaining = args.gzip_mb * 1_000_000
        while remaining > 0 and (block := src.read(min(remaining, 16 << 20))):
            dst.write(block)
            remaining -= len(block)
    text_mb = args.gzip_mb
    c_env = {**os.environ, "LC_ALL": "C"}
    zcat_grep = ["sh", "-c", f"zcat '{sample}' | grep -F -n -f '{ioc_file}'"]
    ref = best(zcat_grep, work / "zgrep.out", args.repeat, c_env)
    zcat_only = best(["sh", "-c", f"zcat '{sample}' > /dev/null"], work / "zcat.out", 1)
    ours = best(
        [
            sys.executable,
            "-m",
            "irbook",
            "audit",
            "logs",
            str(sample),
            "--ioc",
            str(ioc_file),
            "--json",
        ],
        work / "irbook-gz.json",
        args.repeat,
    )
    size = sample.stat().st_size / 1e6
    print(f"\ngzip: {text_mb} MB of log as a {size:.0f} MB .gz")
    print(f"  zcat alone        {zcat_only[0]:6.2f} s")
    print(f"  zcat | grep -F -f {ref[0]:6.2f} s  {ref[1] / 1024:6.0f} MiB")
    print(f"  irbook audit logs {ours[0]:6.2f} s  {ours[1] / 1024:6.0f} MiB")
    print(f"  irbook vs zcat|grep: {ref[0] / ours[0]:.2f}x as fast")


if __name__ == "__main__":
    main()
