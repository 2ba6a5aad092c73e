"""A responder in its own process, for the team concurrency tests (not a test module).

    python driver.py walk|record DB_URL INCIDENT_ID ACTOR ANSWERS_FILE [ROLE]

Opens the store, prints "ready", waits for one line on stdin (so every driver starts appending at
the same moment), then:

- ``walk``: walks the incident through the real runner with the answers file, as
  `irbook resume INCIDENT --as ACTOR --role ROLE --answers FILE` does;
- ``record``: appends a step_completed event for each step of the answers file with
  ``incidents.record_anyway`` (appended at the end of the log: the store queues the writers).

Prints one JSON line with what it was told (other responders' actions, answers it lost to someone
else) and exits.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


class RecordingDisplay:
    """The runner's Display port, keeping what it would have shown."""

    def __init__(self) -> None:
        self.notices: list[str] = []
        self.recorded_messages: list[str] = []
        self.problems: list[str] = []

    def incident(self, state: Any, *, resumed: bool) -> None:
        pass

    def phase(self, phase: Any, progress: Any) -> None:
        pass

    def step(self, step: Any, state: Any, progress: Any) -> None:
        pass

    def recorded(self, message: str) -> None:
        self.recorded_messages.append(message)

    def notice(self, message: str) -> None:
        self.notices.append(message)

    def problem(self, message: str) -> None:
        self.problems.append(message)

    def finished(self, state: Any) -> None:
        pass

    def waiting(self, state: Any, waits: Any) -> None:
        pass

    def help(self, topic: Any) -> None:
        pass

    def input(self, spec: Any) -> None:
        pass

    def details(self, lines: Any) -> None:
        pass

    def message(self, title: Any, text: Any) -> None:
        pass

    def inject(self, inject: Any, due_at: Any) -> None:
        self.notices.append(f"DRILL INJECT {inject.id}")


def record(store: Any, incident_id: str, actor: str, answers: Path) -> dict[str, Any]:
    from irbook.domain.events import Kind, NewEvent, StepCompleted
    from irbook.errors import AppendConflict
    from irbook.usecases.incidents import Responder, record_anyway

    conflicts = 0
    append = store.append

    def counted(*args: Any, **kwargs: Any) -> Any:  # the store's own append, conflicts counted
        nonlocal conflicts
        try:
            return append(*args, **kwargs)
        except AppendConflict:
            conflicts += 1
            raise

    store.append = counted
    responder = Responder(actor=actor, host=f"host-{actor}")
    steps = json.loads(answers.read_text(encoding="utf-8"))["steps"]
    for step_id in steps:
        new = NewEvent(Kind.STEP_COMPLETED, StepCompleted(value=f"by {actor}"), step_id=step_id)
        record_anyway(store, incident_id, new, responder)
    return {
        "actor": actor,
        "outcome": "recorded",
        "lost": 0,
        "conflicts": conflicts,
        "notices": [],
        "problems": [],
    }


def main(argv: list[str]) -> int:
    from irbook.runner.api import resume
    from irbook.runner.walk import WalkOptions
    from irbook.store import open_store
    from irbook.usecases.incidents import Responder

    mode, url, incident_id, actor, answers = argv[:5]
    role = argv[5] if len(argv) > 5 else None
    store = open_store(url)
    print("ready", flush=True)
    sys.stdin.readline()
    if mode == "record":
        print(json.dumps(record(store, incident_id, actor, Path(answers))), flush=True)
        store.close()
        return 0
    display = RecordingDisplay()
    result = resume(
        incident_id,
        store=store,
        responder=Responder(actor=actor, host=f"host-{actor}"),
        display=display,
        answers=Path(answers),
        options=WalkOptions(role=role),
    )
    store.close()
    lost = [n for n in display.notices if n.startswith("your answer to this step was not")]
    print(
        json.dumps(
            {
                "actor": actor,
                "outcome": result.outcome,
                "lost": len(lost),
                "notices": display.notices,
                "problems": display.problems,
            }
        ),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
