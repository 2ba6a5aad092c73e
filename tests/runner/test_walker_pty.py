"""The real CLI in a real pseudo-terminal (pexpect): questionary prompts, kill -9, Ctrl-C, resume.

These drive ``python -m irbook start supply-chain-compromise`` exactly as a responder would, then
assert on the SQLite file the walker wrote.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from walker_support import CASE

pexpect = pytest.importorskip("pexpect", reason="pexpect drives the real terminal")

pytestmark = pytest.mark.pty
TIMEOUT = 60
KEY_ENTER = "\r"
KEY_DOWN = "\x1b[B"
KEY_UP = "\x1b[A"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
INPUTS = [  # prompt fragment, keys
    ("Name of your organisation", "Acme Corp" + KEY_ENTER),
    ("How were the malicious versions published", KEY_DOWN + KEY_ENTER),  # ci-cd-pipeline
    ("What does the malicious code do", KEY_ENTER),  # worm
    ("When was the compromise detected", "2026-05-11T19:46:00Z" + KEY_ENTER),
    ("Which notification rules may apply", " " + KEY_ENTER),  # gdpr (space ticks the first)
    ("lockfiles should be audited", "app" + KEY_ENTER),
    ("Advisory sources", "advisories" + KEY_ENTER),
    ("scan for indicators", "logs" + KEY_ENTER),
    ("File of indicators", "iocs.txt" + KEY_ENTER),
]
LIST_ANSWERS = {
    "affected-devices": "dev-laptop-17 ci-runner-4",
    "affected-packages": "npm:@tanstack/react-router@1.169.5",
    "safe-versions": "npm:@tanstack/react-router@1.169.9",
    "iocs": "filev2.getsession.org router_init.js",
    "advisory-ids": "MAL-2026-3465",
}
CHOICE_ANSWERS = {"affected-registries": " " + KEY_ENTER}  # npm (space ticks the first)


def screen_text(raw: str) -> str:
    return ANSI.sub("", raw).replace("\r", "")


def parse_header(before: str) -> tuple[str, str]:
    """The step header "Label  type · critical · ... · N/M" (the text before "steps settled")."""
    line = screen_text(before).rstrip().split("\n")[-1]
    match = re.match(r"\s*(.*?)  (confirm|input|checklist|check|command|notify)\b", line)
    assert match, line
    return match.group(1).strip(), match.group(2)


class Responder:
    """A person at the terminal: starts irbook, answers prompts, can be killed."""

    def __init__(self, tmp_path: Path) -> None:
        self.db = tmp_path / "irbook.db"
        self.env = {
            **os.environ,
            "IRBOOK_DB": str(self.db),
            "TERM": "xterm-256color",
            "PROMPT_TOOLKIT_NO_CPR": "1",
            "IRBOOK_ACTOR": "alice",
            "COLUMNS": "120",
            "IRBOOK_OUTPUT_DIR": str(tmp_path / "out"),
            "PAGER": "cat",  # long notifications go through $PAGER (test_notify_review uses less)
        }
        self.child: pexpect.spawn | None = None

    def spawn(self, *args: str) -> None:
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "irbook", *args],
            cwd=str(CASE),
            env=self.env,
            encoding="utf-8",
            timeout=TIMEOUT,
            dimensions=(50, 120),
        )

    @property
    def c(self) -> pexpect.spawn:
        assert self.child is not None
        return self.child

    def answer_inputs(self) -> None:
        for fragment, keys in INPUTS:
            self.c.expect(re.escape(fragment))
            self.c.expect(r"\?|:")  # the rest of the prompt line
            self.c.send(keys)

    def next_step(self) -> tuple[str, str]:
        """Wait for the next step's header and its action menu; return (label, type)."""
        self.c.expect("steps settled")
        header = parse_header(self.c.before)
        self.c.expect("What now\\?")
        return header

    def runbook_steps(self) -> list[dict[str, object]]:
        with sqlite3.connect(self.db) as conn:
            text = conn.execute("select payload from event where seq = 1").fetchone()[0]
        runbook = yaml.safe_load(json.loads(text)["runbook_text"])
        return [s for phase in runbook["phases"] for s in phase["steps"]]

    def step_id(self, label: str) -> str:
        (step_id,) = [s["id"] for s in self.runbook_steps() if s.get("title", s["id"]) == label]
        return str(step_id)

    def critical(self, label: str) -> bool:
        steps = self.runbook_steps()
        return any(s.get("title", s["id"]) == label and s.get("critical") for s in steps)

    def answer(self, label: str, kind: str) -> None:
        # The first action is the default: done / answer / run / render / tick; a critical step's
        # menu starts on "Read the step again", so its action is one down.
        self.c.send((KEY_DOWN if self.critical(label) else "") + KEY_ENTER)
        if kind == "input":
            step_id = self.step_id(label)
            self.c.expect(r"\?")
            if step_id in LIST_ANSWERS:
                # "?" also matches the echo of the menu's answer ("? What now? Answer"): wait
                # for the text prompt's own hint ("(separate items ...", "..., separated by
                # ...") and its cursor, or the keys are discarded as typed ahead
                self.c.expect("separate")
                self.c.expect(re.escape("\x1b[?25h"))
                self.c.send(LIST_ANSWERS[step_id] + KEY_ENTER)
            elif step_id in CHOICE_ANSWERS:
                self.c.send(CHOICE_ANSWERS[step_id])
            else:  # yes/no questions of the shipped runbook (own releases hit, keys exposed)
                self.c.expect(r"Enter\)")  # "(yes/no, then Enter)"
                self.c.send("n" + KEY_ENTER)
        elif kind == "checklist":
            self.c.expect("Tick what is done")
            self.c.send("a")  # questionary: toggle all
            self.c.send(KEY_ENTER)
        elif kind == "command":
            self.c.expect("How\\?")
            self.c.send(KEY_DOWN + KEY_ENTER)  # "I ran it myself: mark done"
        elif kind == "notify":  # the rendered message is shown, then: record it?
            self.c.expect("Record this notification")
            self.c.expect("No leaves the step open")
            self.c.send("y" + KEY_ENTER)

    def kill9(self) -> None:
        os.kill(self.c.pid, signal.SIGKILL)
        self.c.expect(pexpect.EOF)
        self.c.close()

    def rows(self, sql: str) -> list[tuple[object, ...]]:
        with sqlite3.connect(self.db) as conn:
            return list(conn.execute(sql))

    def settled(self) -> list[str]:
        return [
            str(r[0])
            for r in self.rows(
                "select step_id from event where kind in ('step_completed', 'step_skipped') order by seq"
            )
        ]

    def incident(self) -> str:
        return str(self.rows("select id from incident")[0][0])


@pytest.fixture
def person(tmp_path: Path) -> Responder:
    return Responder(tmp_path)


def test_answer_a_few_steps_kill_9_resume_and_finish(person: Responder) -> None:
    person.spawn("start", "supply-chain-compromise", "--title", "TanStack 2026-05-11")
    person.answer_inputs()
    for _ in range(4):
        person.answer(*person.next_step())
    label, _ = person.next_step()  # the fifth step is on screen, unanswered
    person.kill9()
    before = person.settled()
    assert len(before) == 4
    assert len(set(before)) == 4

    person.spawn("resume")
    resumed_label, resumed_kind = person.next_step()
    assert resumed_label == label  # exactly where it stopped
    person.answer(resumed_label, resumed_kind)
    while True:
        index = person.c.expect(["steps settled", "Close the incident now\\?"])
        if index == 1:
            person.c.send("y" + KEY_ENTER)
            break
        label, kind = parse_header(person.c.before)
        person.c.expect("What now\\?")
        person.answer(label, kind)
    person.c.expect(pexpect.EOF)
    person.c.close()
    assert person.c.exitstatus == 0, person.c.before
    settled = person.settled()
    assert settled[:4] == before
    assert len(settled) == len(set(settled)), "a step was settled twice"
    status = person.rows("select status from incident")[0][0]
    assert status == "completed"
    notified = person.rows("select count(*) from event where kind = 'notification_rendered'")
    assert notified[0][0] >= 3
    assert len(list((Path(person.env["IRBOOK_OUTPUT_DIR"]) / person.incident()).glob("*.eml"))) >= 3


def test_ctrl_c_exits_130_prints_the_resume_command_and_keeps_answers(person: Responder) -> None:
    person.spawn("start", "supply-chain-compromise")
    person.answer_inputs()
    person.answer(*person.next_step())
    person.answer(*person.next_step())
    person.next_step()
    person.c.sendintr()
    person.c.expect(pexpect.EOF)
    person.c.close()
    assert person.c.exitstatus == 130
    incident = person.incident()
    assert f"irbook resume {incident}" in person.c.before
    assert "Traceback" not in person.c.before
    assert len(person.settled()) == 2


def test_kill_9_while_typing_loses_only_the_answer_being_typed(person: Responder) -> None:
    person.spawn("start", "supply-chain-compromise")
    person.answer_inputs()
    for _ in range(3):  # open-incident-channel, internal-alert, block-indicators
        person.answer(*person.next_step())
    label, kind = person.next_step()  # affected-packages, the first input step
    assert kind == "input"
    person.c.send(KEY_ENTER)
    person.c.expect(r"\?")
    person.c.send("half-typed-host")  # no Enter: the answer is still being typed
    person.kill9()
    assert person.settled() == ["open-incident-channel", "internal-alert", "block-indicators"]
    inputs = person.rows("select count(*) from event where kind = 'input_recorded'")[0][0]
    assert inputs == len(INPUTS)
    person.spawn("resume")
    assert person.next_step() == (label, "input")
    person.c.close(force=True)


def test_status_after_a_pty_session_matches_the_database(person: Responder) -> None:
    person.spawn("start", "supply-chain-compromise")
    person.answer_inputs()
    person.answer(*person.next_step())
    person.next_step()
    person.kill9()
    proc = subprocess.run(
        [sys.executable, "-m", "irbook", "status", "--json"],
        env=person.env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=True,
    )
    view = json.loads(proc.stdout)
    first = view["phases"][0]["steps"][0]
    assert (first["id"], first["status"], first["actor"]) == (
        "open-incident-channel",
        "done",
        "alice",
    )
    assert view["next_step"] == "internal-alert"  # staff hear second, right after declaring


def test_typeahead_never_settles_the_next_critical_step(person: Responder) -> None:
    """Finding 1: at a yes/no question, "y" then Enter typed at once (faster than the screen).
    Before, "y" answered at once and the Enter landed on the next critical step's "What now?"
    menu, whose default was "Done": that step was recorded done unread."""
    person.spawn("start", "supply-chain-compromise")
    person.answer_inputs()
    while True:
        label, kind = person.next_step()
        if person.step_id(label) == "own-releases-hit":
            break
        person.answer(label, kind)
    before = person.settled()
    person.c.send(KEY_DOWN + KEY_ENTER)  # Answer (a critical step: one down)
    person.c.expect(r"Enter\)")  # "(yes/no, then Enter)"
    person.c.send("y" + KEY_ENTER + KEY_ENTER)  # the answer, and a stray Enter, in one write
    label, _ = person.next_step()
    assert person.critical(label), label
    # Whatever the stray Enter did (discarded, or "Read the step again"), these keys come after
    # it: up from the first action wraps to the last, "Pause".
    person.c.send(KEY_UP + KEY_ENTER)
    index = person.c.expect(["paused; resume with", "steps settled"])
    if index == 1:  # the stray Enter re-showed the step: pause from its menu
        person.c.expect("What now\\?")
        person.c.send(KEY_UP + KEY_ENTER)
        person.c.expect("paused; resume with")
    person.c.expect(pexpect.EOF)
    person.c.close()
    assert person.settled() == [*before, "own-releases-hit"]
    own = person.rows("select payload from event where step_id = 'own-releases-hit'")
    assert json.loads(str(own[0][0]))["value"] is True
