"""requirements.txt: exact pins only, includes, hashes, markers, comments, continuations."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from irbook.audit.lockfiles.inventory import requirements

from .helpers import OWN, assert_invalid, pairs, upstream

AREA = "python/requirements"

# From ../shared/data/lockfiles/osv-scalibr/python/requirements/EXPECTED.md, reduced to what irbook
# counts as a locked version: an exact pin (== or ===). Upstream also reports unpinned lines with
# an empty version and ranges with their bound (">=0.2.2" as 0.2.2, "~=1.1" as 1.1, "<=1.2.3" as
# 1.2.3); a bound is not what was installed, so irbook leaves those lines out. Each difference is
# named next to its file.
EXPECTED: dict[str, list[tuple[str, str]]] = {
    "comments.txt": [
        ("PyCrypto", "1.2-alpha"),
        ("GMPY2", "1"),
        ("SymPy", "1.2"),
        ("requests", "1.0"),
        ("six", "1.2"),
    ],
    # upstream too leaves out qwert==${MY_VARIABLE_1}
    "env_var.txt": [("asdf", "1.2"), ("another", "1.0")],
    # left out: pytest, pytest-cov, beautifulsoup4 (bare), requests (>=, ==2.8.*), keyring (>=),
    # coverage (!=), Mopidy-Dirble (~=); pandas comes from the -r include
    "example.txt": [("docopt", "0.6.1"), ("pandas", "2.2.3")],
    "extras.txt": [("pyjwt", "2.1.0"), ("celery", "4.4.7")],
    "multiline_and_comments.txt": [("pkgA", "1.0"), ("pkgB", "2.0")],
    "no_version.txt": [],  # upstream: the three names with no version
    # upstream's foo7 keeps the stray text in the version; irbook reads the pin 1.0
    "per_req_options.txt": [
        ("foo1", "1.0"),
        ("foo2", "1.0"),
        ("foo3", "1.0"),
        ("foo4", "1.0"),
        ("foo5", "1.0"),
        ("foo6", "1.0"),
        ("foo7", "1.0"),
        ("foo8", "1.0"),
        ("foo9", "1.0"),
        ("foo11", "1.0"),
        ("foo12", "1.0"),
        ("foo13", "1.0"),
        ("foo14", "1.0"),
        ("foo16-Client", "1.0"),
        ("foo17--hash", "1.0"),
        ("foo18-Client", "1.0"),
    ],
    "trailing_backslash.txt": [("pkg1", "1.0")],
    # left out: newspaper3k (>=), asdf (==0.7.*), combination-._-.also_-._valid (>=), pkg (<=)
    "with_versions.txt": [
        ("nltk", "3.2.2"),
        ("tabulate", "0.7.7"),
        ("qwerty", "0.1"),
        ("hy-phen", "1.2"),
        ("under_score", "1.3"),
        ("pkg.dot.name", "5.0.0"),
        ("yolo", "1.0"),
    ],
    # not in an upstream test table; what these files hold by irbook's rule
    "invalid.txt": [],
    "loop.txt": [],
    "other-requirements.txt": [("pandas", "2.2.3")],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_upstream_fixture_yields_exact_pins(name: str) -> None:
    packages = requirements.parse(upstream(AREA, name))
    assert pairs(packages) == Counter(EXPECTED[name])
    assert all(p.ecosystem == "PyPI" for p in packages)


def test_upstream_include_is_attributed_to_the_included_file() -> None:
    packages = requirements.parse(upstream(AREA, "example.txt"))
    files = {p.name: Path(p.file).name for p in packages}
    assert files == {"docopt": "example.txt", "pandas": "other-requirements.txt"}


def test_own_fixture_pins_includes_hashes_markers_and_loops() -> None:
    path = OWN / "python" / "requirements.txt"
    packages = requirements.parse(path)
    assert pairs(packages) == Counter(
        {
            ("Pillow", "10.3.0"): 1,  # from requirements/base.txt (included twice, read once)
            ("mistralai", "2.4.6"): 1,  # continuation lines with --hash
            ("guardrails-ai", "0.10.1"): 1,  # extras, marker and comment
            ("Django", "4.2.11"): 1,  # ===
        }
    )
    assert {p.name: Path(p.file).name for p in packages}["Pillow"] == "base.txt"


def test_missing_include_names_the_line() -> None:
    path = OWN / "python" / "missing-include.txt"
    assert_invalid(requirements.parse, path, "does-not-exist.txt", "not found", line=3)


def test_remote_include_is_refused_offline() -> None:
    path = OWN / "python" / "remote-include.txt"
    assert_invalid(requirements.parse, path, "remote", line=1)


def test_not_utf8_is_a_clear_error() -> None:
    path = OWN / "malformed" / "latin1" / "requirements.txt"
    assert_invalid(requirements.parse, path, "not UTF-8", line=2)


@pytest.mark.parametrize(
    ("line", "pinned"),
    [
        ("a==1.0", ("a", "1.0")),
        ("a == 1.0 ; sys_platform == 'win32'", ("a", "1.0")),
        ("a[x,y]==1.0", ("a", "1.0")),
        ("a==1.0 --hash=sha256:00", ("a", "1.0")),
        ("a===1.0+local", ("a", "1.0+local")),
        ("a>=1.0", None),
        ("a==1.*", None),
        ("a==1.0,<2", None),
        ("a==${VERSION}", None),
        ("a==", None),
        ("a @ https://example.com/a-1.0.tar.gz", None),
    ],
)
def test_what_counts_as_a_pin(tmp_path: Path, line: str, pinned: tuple[str, str] | None) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text(line + "\n")
    found = [(p.name, p.version) for p in requirements.parse(path)]
    assert found == ([pinned] if pinned else [])
