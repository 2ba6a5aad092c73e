"""The HTML report is one self-contained file: nothing fetched, no script, all user text escaped."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from scripted_incident import SCRIPT_NOTE, Scripted

from irbook.domain.events import Kind, NewEvent, NoteAdded
from irbook.report import export_report
from irbook.usecases.incidents import Responder, record_anyway

# Tags the exporter writes; anything else in the output came from user text that was not escaped.
ALLOWED_TAGS = {
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "main",
    "header",
    "footer",
    "section",
    "h1",
    "h2",
    "h3",
    "p",
    "div",
    "span",
    "dl",
    "dt",
    "dd",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "code",
    "em",
    "br",
    "i",
    "svg",
    "line",
    "rect",
    "path",
    "text",
    # issue 15: the narrow-screen timeline list and paths that break only after "/"
    "ol",
    "li",
    "strong",
    "wbr",
    # issue 15: a check's first findings and a command's output (closed, opened when printed)
    "ul",
    "details",
    "summary",
    "pre",
}
HOSTILE = '"><img src=https://evil.example/x onerror=alert(1)><a href="http://evil.example">'


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.style = ""
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style += data


def parse(html: str) -> Collector:
    collector = Collector()
    collector.feed(html)
    return collector


def test_html_references_nothing_outside_the_file(scripted: Scripted) -> None:
    html = export_report(scripted.state(), "html")
    page = parse(html)
    for tag, attrs in page.tags:
        assert tag in ALLOWED_TAGS, f"unexpected <{tag}>"
        for name, value in attrs:
            assert name not in {"src", "href", "srcset", "action", "xlink:href", "data"}, tag
            assert not name.startswith("on"), f"event handler {name} on <{tag}>"
            assert "url(" not in (value or ""), f"{name} of <{tag}> fetches something"
    assert page.style, "the stylesheet is inline"
    assert "@import" not in page.style and "url(" not in page.style
    assert not re.search(r"(src|href)\s*=\s*[\"']?\s*(https?:)?//", html, re.I)
    assert "<script" not in html.lower() and "<link" not in html.lower()
    assert "@media print" in page.style


def test_html_escapes_user_text(scripted: Scripted) -> None:
    html = export_report(scripted.state(), "html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert SCRIPT_NOTE not in html


def test_hostile_text_everywhere_stays_text(scripted: Scripted) -> None:
    hostile = Responder(actor=HOSTILE, host=HOSTILE)
    record_anyway(
        scripted.store,
        scripted.incident_id,
        NewEvent(Kind.NOTE_ADDED, NoteAdded(text=HOSTILE)),
        hostile,
    )
    html = export_report(scripted.state(), "html")
    page = parse(html)
    assert {t for t, _ in page.tags} <= ALLOWED_TAGS
    assert "<img" not in html and "<a " not in html
    assert html.count("&quot;&gt;&lt;img src=https://evil.example/x") >= 2  # note and actor


def test_svg_timeline_draws_every_phase_and_milestone(scripted: Scripted) -> None:
    state = scripted.state()
    svg = re.search(r"<svg.*?</svg>", export_report(state, "html"), re.S)
    assert svg is not None
    drawn = svg.group(0)
    for phase in state.runbook.phases:
        assert f">{phase.title}<title>" in drawn
    for name in (
        "contained",
        "credentials-rotated",
        "stakeholders-notified",
        "detected",
        "opened",
        "closed",
    ):
        assert f">{name} " in drawn
    assert drawn.count("<rect") == len(state.runbook.phases)  # every phase was worked on
