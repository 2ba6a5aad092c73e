"""Issue 15, "See what happened" in the report: a command's output and a check's findings in the
step table, readable, bounded, redacted and escaped.

Before, the step table said only `—` for a command step whose run failed (the step stays open),
and the "Checks and commands" section poured the whole stored output (up to 64 KiB) into the
page; the Markdown report had the exit code and no output at all.

The command here runs for real through the walker: 200 lines of npm fetches, then on stderr a
line that tries to close the HTML block and open a script, a line of four backticks that tries to
close a Markdown fence, npm's auth-token line and its E403. A second step's output was written by
an "older irbook" straight into the store, with its token unredacted: the report masks it.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from irbook.console.walker import ConsoleDisplay
from irbook.domain.events import CommandRan, Kind, NewEvent
from irbook.loader.load import load_runbook
from irbook.prompts import ScriptedPrompter
from irbook.report.runs import OUTPUT_LINES
from irbook.report.service import report_incident
from irbook.runner import TerminalSource, Walker, WalkOptions
from irbook.store import open_store
from irbook.usecases.incidents import Responder, start_incident
from secret_samples import ALNUM, rnd

RUNBOOK = """\
apiVersion: irbook/v1
id: output
version: 1.0.0
title: Output
tlp: AMBER
phases:
  - id: publish
    title: Publish
    steps:
      - id: publish
        type: command
        run: sh ./publish.sh
        text: Publish the fixed package.
      - id: legacy
        type: command
        run: npm whoami
        text: Recorded by an older irbook.
"""
HOSTILE = "</pre></details><script>alert(1)</script>"
SCRIPT = f"""\
i=1
while [ $i -le 200 ]; do echo "npm http fetch GET 200 https://registry.npmjs.org/pkg-$i"; \
i=$((i+1)); done
echo '{HOSTILE}' >&2
echo '````' >&2
echo "//registry.npmjs.org/:_authToken=$OUTPUT_TOKEN" >&2
echo 'npm ERR! code E403' >&2
exit 1
"""
TOTAL = 204  # 200 fetches and four lines on stderr
CASE = Path(__file__).resolve().parents[1] / "fixtures" / "runner" / "case"  # advisories/


@pytest.fixture
def walked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str, str, str]:
    """(database, incident id, the token the command printed, the token stored raw)."""
    token, raw = ("npm_" + rnd(ALNUM, 36) for _ in range(2))
    monkeypatch.setenv("OUTPUT_TOKEN", token)
    (tmp_path / "publish.sh").write_text(SCRIPT)
    (tmp_path / "output.yaml").write_text(RUNBOOK)
    db = tmp_path / "irbook.db"
    store = open_store(f"sqlite:///{db}")
    try:
        who = Responder(actor="alice", host="laptop-1")
        incident = start_incident(
            load_runbook(tmp_path / "output.yaml"), store=store, responder=who
        ).incident_id
        Walker(
            store=store,
            responder=who,
            display=ConsoleDisplay(),
            source=TerminalSource(ScriptedPrompter(["done", "run", True, "pause"])),
            options=WalkOptions(cwd=tmp_path, interactive=True, resume_command="irbook resume"),
        ).run(incident)
        store.append(  # an older irbook: no redaction before the store
            incident,
            NewEvent(
                Kind.COMMAND_RAN,
                CommandRan(command="npm whoami", exit_code=1, output=f"token {raw}\nE401\n"),
                step_id="legacy",
            ),
            expected_seq=store.last_seq(incident) + 1,
            actor="bob",
            host="old-laptop",
            at=datetime.now(UTC),
        )
    finally:
        store.close()
    return db, incident, token, raw


def _export(db: Path, incident: str, fmt: str) -> str:
    store = open_store(f"sqlite:///{db}")
    try:
        return report_incident(store, incident, fmt).text
    finally:
        store.close()


class _Blocks(HTMLParser):
    """Each <details> of the page: whether it is open, its summary and its <pre> text."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[dict[str, object]] = []
        self.tags: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "details":
            self.blocks.append({"open": "open" in dict(attrs), "summary": "", "pre": ""})
        elif tag in ("summary", "pre") and self.blocks:
            self._in = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in and self.blocks:
            self.blocks[-1][self._in] = str(self.blocks[-1][self._in]) + data


def _step_row(html: str, step: str) -> str:
    phases = html.split('<section id="phases">', 1)[1].split("</section>", 1)[0]
    row = phases.split(f"<code>{step}</code>", 1)[1]
    return row.split("</tr>", 1)[0]


def test_html_step_table_shows_the_last_lines_closed_redacted_and_escaped(
    walked: tuple[Path, str, str, str],
) -> None:
    db, incident, token, raw = walked
    html = _export(db, incident, "html")
    assert token not in html and raw not in html
    assert HOSTILE not in html and "<script" not in html.lower()
    assert "&lt;/pre&gt;&lt;/details&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html

    row = _step_row(html, "publish")
    assert "last run exited with 1" in row  # the step is open: no answer, but its last run
    parser = _Blocks()
    parser.feed(row)
    (block,) = parser.blocks
    assert block["open"] is False  # closed on screen; the print stylesheet opens it
    assert block["summary"] == f"Output: exit 1 (failed), last {OUTPUT_LINES} of {TOTAL} lines"
    assert str(block["pre"]).startswith("\n")  # the newline HTML drops after <pre>
    lines = str(block["pre"])[1:].split("\n")
    assert len(lines) == OUTPUT_LINES
    assert lines[-1] == "npm ERR! code E403" and lines[-4] == HOSTILE  # text, once unescaped
    assert lines[-2].startswith("//registry.npmjs.org/:_authToken=[REDACTED")
    assert lines[0].endswith(f"pkg-{200 - (OUTPUT_LINES - 4) + 1}")  # the earliest shown
    assert f"{TOTAL - OUTPUT_LINES} earlier line(s) in the event log" in row
    assert "pkg-164<" not in row and "pkg-164\n" not in row

    legacy = _Blocks()
    legacy.feed(_step_row(html, "legacy"))
    assert "token [REDACTED" in str(legacy.blocks[0]["pre"])  # stored raw, masked on the way out


def test_markdown_fence_holds_against_the_output(walked: tuple[Path, str, str, str]) -> None:
    db, incident, token, raw = walked
    md = _export(db, incident, "md")
    assert token not in md and raw not in md
    assert f"{TOTAL - OUTPUT_LINES} earlier line(s) in the event log" in md
    # the output has a run of four backticks: the fence is five long, so that line stays inside
    start = md.index("`````text\n")
    body = md[start:].split("\n")[1 : OUTPUT_LINES + 2]
    assert body[-1] == "`````" and body[-2] == "npm ERR! code E403"
    rendered = MarkdownIt("commonmark").render(md)
    blocks = re.findall(r'<pre><code class="language-text">(.*?)</code></pre>', rendered, re.S)
    publish = next(b for b in blocks if "E403" in b)
    assert publish.rstrip("\n").split("\n")[-3:] == [
        "````",
        next(x for x in publish.split("\n") if "_authToken" in x),
        "npm ERR! code E403",
    ]
    assert "&lt;/pre&gt;&lt;/details&gt;&lt;script&gt;" in publish
    assert "<script" not in rendered  # nothing left the fence


def test_json_keeps_the_whole_output_and_the_step_its_bounded_end(
    walked: tuple[Path, str, str, str],
) -> None:
    db, incident, token, raw = walked
    data = json.loads(_export(db, incident, "json"))
    publish = next(c for c in data["commands"] if c["step_id"] == "publish")
    assert publish["exit_code"] == 1
    assert len(publish["output"].splitlines()) == TOTAL  # the export keeps the whole output
    steps = {s["id"]: s for p in data["phases"] for s in p["steps"]}
    run = steps["publish"]["last_run"]
    assert (run["kind"], run["exit_code"], run["ok"], run["seq"]) == (
        "command",
        1,
        False,
        publish["seq"],
    )
    assert len(run["output"]) == OUTPUT_LINES and run["earlier_lines"] == TOTAL - OUTPUT_LINES
    assert "token [REDACTED" in steps["legacy"]["last_run"]["output"][0]
    assert token not in json.dumps(data) and raw not in json.dumps(data)


CHECK_RUNBOOK = """\
apiVersion: irbook/v1
id: failed-check
version: 1.0.0
title: Failed check
tlp: AMBER
phases:
  - id: find
    title: Find
    steps:
      - id: audit
        type: check
        uses: lockfile-audit
        with: {paths: [no-such-dir], advisories: [advisories]}
        text: Audit the lockfiles.
"""


def test_a_check_that_could_not_run_says_why_in_the_step_table(tmp_path: Path) -> None:
    """A check that could not run leaves its step open with no answer: the step table said
    `—`; now it says what the last run said."""
    (tmp_path / "check.yaml").write_text(CHECK_RUNBOOK)
    db = tmp_path / "irbook.db"
    store = open_store(f"sqlite:///{db}")
    try:
        who = Responder(actor="alice", host="laptop-1")
        incident = start_incident(
            load_runbook(tmp_path / "check.yaml"), store=store, responder=who
        ).incident_id
        Walker(
            store=store,
            responder=who,
            display=ConsoleDisplay(),
            source=TerminalSource(ScriptedPrompter(["done", "pause"])),
            options=WalkOptions(cwd=CASE, interactive=True, resume_command="irbook resume"),
        ).run(incident)
    finally:
        store.close()
    row = _step_row(_export(db, incident, "html"), "audit")
    assert "last run failed: " in row and "no-such-dir" in row, row
    md = _export(db, incident, "md")
    assert next(line for line in md.splitlines() if line.startswith("| `audit`")).count(
        "last run failed: "
    )
