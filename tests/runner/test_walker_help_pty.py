"""`?` at a prompt and Esc in the go-back list, in a real pseudo-terminal (issue 15, "Help" and
"Going back").

Before: `?` did nothing, an input's `help` (for example `vector`'s) was never shown, and the only
way out of the go-back list was Ctrl-C.
"""

from __future__ import annotations

import re

import pytest
from test_walker_pty import INPUTS, KEY_ENTER, KEY_UP, Responder, screen_text

pexpect = pytest.importorskip("pexpect", reason="pexpect drives the real terminal")

pytestmark = pytest.mark.pty
ESC = "\x1b"


@pytest.fixture
def person(tmp_path):  # type: ignore[no-untyped-def]
    return Responder(tmp_path)


def test_question_mark_shows_the_input_help_and_the_step_help_references_and_keys(
    person: Responder,
) -> None:
    person.spawn("start", "supply-chain-compromise")
    (org, org_keys), (vector, vector_keys), *rest = INPUTS
    person.c.expect(re.escape(org))
    person.c.expect(r"\?|:")
    person.c.send(org_keys)
    # the input's help is shown with its question, unasked
    person.c.expect("Answer for the packages at the root of the incident")
    person.c.expect(re.escape(vector))
    person.c.send("?")
    person.c.expect("Help: input vector")
    person.c.expect("Keys:")
    person.c.expect(re.escape(vector))  # then the same question again
    person.c.send(vector_keys)
    for fragment, keys in rest:
        person.c.expect(re.escape(fragment))
        person.c.expect(r"\?|:")
        person.c.send(keys)

    label, kind = person.next_step()
    person.c.send("?")
    person.c.expect(r"Help: .*\(confirm, critical\)")
    person.c.expect("References:")
    person.c.expect("csrc.nist.gov/pubs/sp/800/61/r3/final")
    person.c.expect("Keys:")
    person.c.expect("Ctrl-C stops")
    person.c.expect("What now\\?")  # the same step's menu again; nothing was recorded
    assert person.settled() == []
    person.answer(label, kind)
    person.next_step()
    assert len(person.settled()) == 1
    person.c.sendintr()
    person.c.expect(pexpect.EOF)


def test_go_back_starts_at_the_current_phase_and_esc_returns_to_the_current_step(
    person: Responder,
) -> None:
    person.spawn("start", "supply-chain-compromise")
    person.answer_inputs()
    person.answer(*person.next_step())
    person.answer(*person.next_step())
    label, _ = person.next_step()  # the third step, in the same first phase
    settled = person.settled()

    # up from the top wraps to the last line (Pause), then "Change an input", then "Go back"
    person.c.send(KEY_UP * 3 + KEY_ENTER)
    person.c.expect("Go back to which step\\? \\(Esc: back to the current step\\)")
    person.c.send(ESC)
    again, _ = person.next_step()
    assert again == label  # the current step, nothing reopened
    assert person.rows("select count(*) from event where kind = 'step_reopened'") == [(0,)]

    person.c.send(KEY_UP * 3 + KEY_ENTER)
    person.c.expect("Go back to which step\\?")
    person.c.expect(r"\n")  # the list is drawn
    person.c.send(KEY_ENTER)  # the cursor starts on the latest settled step of this phase
    person.next_step()
    reopened = person.rows("select step_id from event where kind = 'step_reopened'")
    assert reopened == [(settled[-1],)], screen_text(person.c.before)
    person.c.sendintr()
    person.c.expect(pexpect.EOF)
