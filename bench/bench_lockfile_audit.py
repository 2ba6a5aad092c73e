"""Lockfile audit benchmark: 5,000 locked packages against 200,000 OSV records, end to end.

    python bench/bench_lockfile_audit.py [--records 200000] [--packages 5000] [--data DIR] [--zip-only]

Generates (into a temporary folder, or DIR to keep and reuse it) synthetic OSV records shaped like
ossf/malicious-packages reports (npm and PyPI; versions lists, SEMVER/ECOSYSTEM ranges, open-ended
``introduced: "0"`` ranges, database_specific noise), both as the ossf folder layout and as one
``all.zip``, plus package-lock.json files and a requirements.txt with the locked packages.

Each measurement runs in a fresh child process (so peak RSS is its own) and is compared with a
reference measured in the same run on the same files: plain ``json.load`` of every record, the
floor of any reader that parses them all (for the zip: ``json.loads(zip.read(member))`` for every
member, the stdlib reading the same zip's members). The last lines compare the all.zip first run
and cached run with that floor against the goals (first run at most 3x the floor, peak RSS under
200 MiB). Results go to docs/performance.md, section "Lockfile audit".
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

CWE = {
    "cweId": "CWE-506",
    "description": "The product contains code that appears to be malicious in nature.",
    "name": "Embedded Malicious Code",
}


def package(i: int) -> tuple[str, str]:
    if i % 4 == 0:
        return "PyPI", f"Py_Pkg.{i}"
    return "npm", (f"@scope{i % 997}/pkg-{i}" if i % 3 == 0 else f"pkg-{i}")


def record(i: int, rng: random.Random) -> dict[str, object]:
    eco, name = package(i)
    kind = "SEMVER" if eco == "npm" else "ECOSYSTEM"
    affected: dict[str, object] = {
        "package": {"ecosystem": eco, "name": name},
        "database_specific": {"cwes": [CWE]},
    }
    shape = i % 5
    if shape in (0, 1, 2):
        affected["versions"] = [f"1.{i % 50}.{j}" for j in range(rng.randint(1, 3))]
    if shape in (1, 3):
        events = [{"introduced": f"1.{i % 50}.0"}, {"fixed": f"1.{i % 50}.9"}]
        affected["ranges"] = [{"type": kind, "events": events}]
    if shape == 4:
        affected["ranges"] = [{"type": kind, "events": [{"introduced": "0"}]}]
    return {
        "modified": "2026-05-12T13:57:30Z",
        "published": "2026-05-11T23:39:34Z",
        "schema_version": "1.7.4",
        "id": f"MAL-2026-{i}",
        "aliases": [f"GHSA-x{i:07d}"],
        "summary": f"Malicious code in {name} ({eco})",
        "details": "\n---\n_-= Per source details. Do not edit below this line.=-_\n\n## Source: "
        "ossf-package-analysis (0f3c)\nThe package runs a credential stealer at install time.\n",
        "affected": [affected],
        "references": [{"type": "WEB", "url": f"https://example.invalid/report/{i}"}],
        "database_specific": {
            "malicious-packages-origins": [
                {
                    "source": "ossf-package-analysis",
                    "sha256": "0" * 64,
                    "import_time": "2026-05-12T00:00:00Z",
                    "versions": affected.get("versions", []),
                }
            ]
        },
    }


def generate(root: Path, records: int, packages: int) -> None:
    rng = random.Random(7)
    root.mkdir(parents=True, exist_ok=True)
    tree = root / "malicious-packages" / "osv" / "malicious"
    with zipfile.ZipFile(root / "all.zip", "w", zipfile.ZIP_DEFLATED) as dump:
        for i in range(records):
            data = record(i, rng)
            text = json.dumps(data, indent=2)
            eco, name = package(i)
            folder = tree / eco.lower() / name
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{data['id']}.json").write_text(text)
            dump.writestr(f"{data['id']}.json", text)
    # Locked packages: ~2% of them named by an advisory (some affected, some not), the rest clean.
    locks = root / "repos"
    npm: list[tuple[str, str]] = []
    pypi: list[tuple[str, str]] = []
    for n in range(packages):
        i = rng.randrange(records) if n % 50 == 0 else records + n
        eco, name = package(i)
        version = f"1.{i % 50}.{rng.randint(0, 12)}"
        (pypi if eco == "PyPI" else npm).append((name, version))
    per_file = 1000
    for f in range(0, len(npm), per_file):
        entries = {
            f"node_modules/{name}": {
                "version": version,
                "resolved": f"https://registry.npmjs.org/{name}/-/x-{version}.tgz",
                "integrity": "sha512-AAAA",
            }
            for name, version in npm[f : f + per_file]
        }
        lock = {
            "name": f"app{f}",
            "version": "1.0.0",
            "lockfileVersion": 3,
            "requires": True,
            "packages": {"": {"name": f"app{f}", "version": "1.0.0"}, **entries},
        }
        (locks / f"app{f}").mkdir(parents=True, exist_ok=True)
        (locks / f"app{f}" / "package-lock.json").write_text(json.dumps(lock, indent=2))
    (locks / "py").mkdir(parents=True, exist_ok=True)
    pins = "".join(f"{name}=={version}\n" for name, version in pypi)
    (locks / "py" / "requirements.txt").write_text(pins)
    (root / "READY").write_text(f"{records} {packages}\n")


# --- measurements, each run in its own process --------------------------------------------------


def measure(kind: str, root: Path) -> dict[str, float]:
    start = time.perf_counter()
    result = MEASURES[kind](root)
    elapsed = time.perf_counter() - start
    return {"seconds": elapsed, "peak_mib": peak_rss_mib(), **result}


def peak_rss_mib() -> float:
    """Peak RSS of this process. VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec, so a
    child would report the parent's peak (the generator's)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _floor_tree(root: Path) -> dict[str, float]:
    count = 0
    for path in (root / "malicious-packages" / "osv" / "malicious").rglob("*.json"):
        with path.open("rb") as fh:
            json.load(fh)
        count += 1
    return {"records": count}


def _floor_zip(root: Path) -> dict[str, float]:
    count = 0
    with zipfile.ZipFile(root / "all.zip") as dump:
        for member in dump.infolist():
            json.loads(dump.read(member))
            count += 1
    return {"records": count}


def _audit(root: Path, source: Path, cache: Path | None) -> dict[str, float]:
    from irbook.audit.lockfiles.audit import audit

    report = audit([root / "repos"], [source], cache_dir=cache)
    return {
        "packages": report.packages,
        "findings": len(report.findings),
        "records_parsed": report.advisories,
    }


MEASURES = {
    "floor-tree": _floor_tree,
    "floor-zip": _floor_zip,
    "audit-tree": lambda root: _audit(root, root / "malicious-packages", None),
    "audit-zip": lambda root: _audit(root, root / "all.zip", None),
    "audit-zip-cache": lambda root: _audit(root, root / "all.zip", root / "cache"),
    "python": lambda root: {},
}


def run(kind: str, root: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--measure", kind, "--data", str(root)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(out.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--packages", type=int, default=5_000)
    parser.add_argument("--data", type=Path, help="keep generated data here (reused if present)")
    parser.add_argument("--zip-only", action="store_true", help="skip the ossf folder rows")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.data)))
        return
    with tempfile.TemporaryDirectory(prefix="irbook-bench-") as tmp:
        root = args.data or Path(tmp)
        if not (root / "READY").exists():
            t = time.perf_counter()
            generate(root, args.records, args.packages)
            print(
                f"generated {args.records} records, {args.packages} packages in "
                f"{time.perf_counter() - t:.0f} s",
                file=sys.stderr,
            )
        report(root, zip_only=args.zip_only)


def report(root: Path, *, zip_only: bool = False) -> None:
    base = run("python", root)
    rows = []
    if not zip_only:
        rows.append(("json.load of every record, ossf folder (floor)", run("floor-tree", root)))
        rows.append(("audit, ossf folder", run("audit-tree", root)))
    rows.append(("json.loads of every record, all.zip (floor)", run("floor-zip", root)))
    rows.append(("audit, all.zip, no cache (prefilter)", run("audit-zip", root)))
    shutil.rmtree(root / "cache", ignore_errors=True)
    rows.append(
        ("audit, all.zip, first run (full parse, writes cache)", run("audit-zip-cache", root))
    )
    rows.append(("audit, all.zip, cached", run("audit-zip-cache", root)))
    by_label = dict(rows)
    floors = {"zip": by_label["json.loads of every record, all.zip (floor)"]["seconds"]}
    if not zip_only:
        floors["tree"] = by_label["json.load of every record, ossf folder (floor)"]["seconds"]
    print(f"python startup: {base['seconds']:.3f} s, {base['peak_mib']:.0f} MiB peak RSS")
    print("| measurement | seconds | x floor | peak RSS MiB | notes |")
    print("| --- | ---: | ---: | ---: | --- |")
    for label, r in rows:
        floor = floors["tree" if "folder" in label else "zip"]
        notes = ", ".join(f"{k} {int(v)}" for k, v in r.items() if k not in ("seconds", "peak_mib"))
        print(
            f"| {label} | {r['seconds']:.3f} | {r['seconds'] / floor:.2f} | "
            f"{r['peak_mib']:.0f} | {notes} |"
        )
    first = by_label["audit, all.zip, first run (full parse, writes cache)"]
    cached = by_label["audit, all.zip, cached"]
    for label, r, goal in (("first run", first, 3.0), ("cached run", cached, None)):
        ratio = r["seconds"] / floors["zip"]
        verdict = (
            ""
            if goal is None
            else f" (goal <= {goal:.0f}x: {'met' if ratio <= goal else 'MISSED'})"
        )
        memory = "met" if r["peak_mib"] < 200 else "MISSED"
        print(
            f"all.zip {label}: {r['seconds']:.2f} s = {ratio:.2f}x the stdlib floor{verdict}; "
            f"peak RSS {r['peak_mib']:.0f} MiB (goal < 200 MiB: {memory})"
        )


if __name__ == "__main__":
    main()
