"""The leadership brief names the steps waiting on others, with their age, due time and OVERDUE."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser

from notify_support import RESPONDER, fill, record

from irbook.domain.events import Kind, StepWaiting
from irbook.domain.models import NotifyStep
from irbook.loader.load import load_runbook
from irbook.loader.resources import shipped_dir
from irbook.notify import run_notify_step
from irbook.usecases import incidents


def test_leadership_brief_lists_waiting_steps_with_owner_and_overdue(store) -> None:  # type: ignore[no-untyped-def]
    loaded = load_runbook(shipped_dir("runbooks") / "supply-chain-compromise.yaml")
    state = incidents.start_incident(loaded, store=store, responder=RESPONDER)
    fill(store, state, findings=False)
    open_step = next(s for _, s in loaded.runbook.steps() if not state.is_done(s.id))
    waiting = StepWaiting(on="npm support", due="2020-01-01T10:00:00+00:00")
    record(store, state, Kind.STEP_WAITING, waiting, step=open_step.id)
    (brief,) = [
        s
        for _, s in loaded.runbook.steps()
        if isinstance(s, NotifyStep) and s.template == "leadership-brief"
    ]
    (path,) = run_notify_step(store=store, state=state, step=brief, responder=RESPONDER)
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert f'OVERDUE: "{open_step.label}" waiting on npm support for' in text
    assert "due 2020-01-01" in text
