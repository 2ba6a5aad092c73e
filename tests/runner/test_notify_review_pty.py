"""A notify step shows the rendered message, paged, and asks before recording it (issue 15,
"Notify review"). Before, "Render the notification" recorded it unread.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_walker_pty import KEY_DOWN, KEY_ENTER, Responder

pexpect = pytest.importorskip("pexpect", reason="pexpect drives the real terminal")

pytestmark = pytest.mark.pty


def walk_to_first_notify(person: Responder) -> str:
    person.answer_inputs()
    while True:
        label, kind = person.next_step()
        if kind == "notify":
            return label
        person.answer(label, kind)


def test_a_notification_is_read_through_the_pager_then_recorded_or_left_open(
    tmp_path: Path,
) -> None:
    person = Responder(tmp_path)
    person.env["PAGER"] = "less"  # what a responder gets by default: q leaves it
    person.env.pop("LESS", None)
    person.spawn("start", "supply-chain-compromise")
    person.child.setwinsize(12, 120)  # a short terminal: the message is longer than the screen
    label = walk_to_first_notify(person)
    rendered = "select count(*) from event where kind = 'notification_rendered'"

    render = (KEY_DOWN if person.critical(label) else "") + KEY_ENTER  # "Render the notification"
    person.c.send(render)
    person.c.expect("From: ")  # the message, in the pager
    person.c.expect("Subject: ")
    person.c.expect(re.escape("\r\n:\x1b[K"))  # less's ":" prompt: more of the message below
    person.c.send("q")  # leave the pager
    person.c.expect("Record this notification")
    person.c.expect("No leaves the step open")
    assert person.rows(rendered) == [(0,)]  # nothing recorded while it is read
    person.c.send("n" + KEY_ENTER)
    person.c.expect("not recorded; the step stays open")
    again, _ = person.next_step()
    assert again == label
    assert person.rows(rendered) == [(0,)]
    out = Path(person.env["IRBOOK_OUTPUT_DIR"])
    assert not list(out.glob("**/*.eml"))

    person.c.send(render)
    person.c.expect("From: ")
    person.c.send("q")
    person.c.expect("No leaves the step open")
    person.c.send("y" + KEY_ENTER)
    person.next_step()  # the walk moved on
    assert person.rows(rendered) == [(1,)]
    assert len(list(out.glob("**/*.eml"))) == 1
    person.c.sendintr()
    person.c.expect(pexpect.EOF)
