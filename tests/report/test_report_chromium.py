"""Issue 15, report look: the HTML report as Chromium lays it out, at 1280 and 400 pixels.

The page is measured through Chromium's DOM (bench/report_browser.py): its visible text must hold
no raw JSON (answers in words), no word may be broken between two letters across lines ("don" /
"e"), no text may be drawn under 11 px (the SVG timeline at phone width was 4 px), and nothing
may reach past the screen's edge. Runs when Chromium is installed; skipped otherwise, except in
CI (env CI set), where a missing Chromium is a failure: `.ci/run` installs it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from irbook.report import export_report
from irbook.store import open_store

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

from demo_incident import build_demo  # noqa: E402
from report_browser import Page, find_chromium, inspect, screenshot  # noqa: E402

WIDTHS = (1280, 400)


@pytest.fixture(scope="module")
def demo_html(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo incident (every step type, a lockfile audit with long paths) as an HTML report."""
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    store = open_store(f"sqlite:///{db}")
    try:
        return export_report(build_demo(store), "html")
    finally:
        store.close()


@pytest.fixture(scope="module")
def demo_markdown(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = tmp_path_factory.mktemp("demo-md") / "demo.db"
    store = open_store(f"sqlite:///{db}")
    try:
        return export_report(build_demo(store), "md")
    finally:
        store.close()


def test_markdown_answers_and_findings_read_well(demo_markdown: str) -> None:
    """The Markdown report: answers in words, and a lockfile audit as five readable columns
    (it was every raw key, 13 columns, with lists and nulls as JSON)."""
    assert '{"' not in demo_markdown and "check found problems: 2 finding(s)" in demo_markdown
    assert "| File | Package | Advisory | Match | Safe version |" in demo_markdown
    assert "| @tanstack/react-router 1.169.5 | GHSA-g7cv-rxg3-hmpx (CVE-2026-45321) |" in (
        demo_markdown
    )


@pytest.fixture(scope="module")
def chromium() -> str:
    browser = find_chromium()
    if browser is None:
        reason = "Chromium is not installed (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; in CI it must be: .ci/run installs it")
        pytest.skip(reason)
    return browser


def test_answers_are_words_not_json(demo_html: str) -> None:
    """Without a browser: check and notify answers read as sentences in the page's source."""
    assert "check found problems: 2 finding(s)" in demo_html
    assert "rendered internal-alert.eml" in demo_html
    assert "{&quot;" not in demo_html and '{"' not in demo_html.split("</style>", 1)[1]


@pytest.mark.parametrize("width", WIDTHS)
def test_page_reads_well(chromium: str, demo_html: str, width: int) -> None:
    page: Page = inspect(chromium, demo_html, width=width)
    assert page.window == width  # the layout really was this wide
    braces = [line for line in page.text.splitlines() if "{" in line or "}" in line]
    assert braces == [], f"raw JSON on the page: {braces[:3]}"
    assert page.broken == [], f"words broken across lines at {width}px: {page.broken[:10]}"
    assert page.small == [], f"text under 11px at {width}px: {page.small[:5]}"
    assert page.width <= width, f"wider than the screen: {page.wide}"
    assert "time to contain" in page.text.lower()  # the measured page is the report


@pytest.mark.parametrize("width", WIDTHS)
def test_screenshot(chromium: str, demo_html: str, tmp_path: Path, width: int) -> None:
    out = tmp_path / f"report-{width}.png"
    screenshot(chromium, demo_html, out, width=width, height=1600)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("width", WIDTHS)
def test_command_output_is_closed_on_screen_and_open_on_paper(
    chromium: str, demo_html: str, width: int
) -> None:
    """A command's output is a closed block under its step (the summary says exit code and how
    many lines); the print stylesheet opens every block, so "Save as PDF" has the output."""
    summary = "Output: exit 1 (failed), last 40 of 51 lines"
    last = "npm ERR! A complete log of this run can be found in"
    screen = inspect(chromium, demo_html, width=width)
    assert summary in screen.text and last not in screen.text
    paper = inspect(chromium, demo_html, width=width, printed=True)
    assert last in paper.text and "11 earlier line(s) in the event log" in paper.text
    assert paper.broken == [] and paper.width <= width, paper.broken[:5] or paper.wide
