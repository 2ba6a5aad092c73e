"""What `irbook drill start` adds to `irbook start`: the scenario, read with typed inputs checked
as an answers file's are, and the rule between the scenario's inputs and an answers file's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from irbook.domain.describe import show_value
from irbook.domain.models import RunbookInput
from irbook.errors import UsageError
from irbook.loader.load import LoadedRunbook
from irbook.loader.scenario import LoadedScenario, load_scenario
from irbook.runner.answers import AnswersFile, from_file
from irbook.runner.values import ValueContext, ValueSpec


def load_drill_scenario(path: Path, loaded: LoadedRunbook, *, cwd: Path) -> LoadedScenario:
    """The scenario for ``loaded``; its inputs checked and stored as an answers file's `inputs:`
    would be (a relative path names what is next to the scenario when it is there)."""
    context = ValueContext(cwd=cwd)

    def check(spec: RunbookInput, raw: Any) -> Any:
        return from_file(ValueSpec.of(spec), raw, path.parent, context)

    return load_scenario(path, loaded.runbook, check_input=check)


def refuse_overridden_inputs(answers: AnswersFile, scenario: LoadedScenario) -> None:
    """The facilitator fixes the scenario's inputs: an answers file may repeat them, but a
    different value is refused before anything is opened (taking either one silently would
    rehearse a different incident from the one one of the two files describes)."""
    fixed = scenario.scenario.inputs
    clashes = [
        f"{name}: the answers file says {show_value(value)}, the scenario {show_value(fixed[name])}"
        for name, value in answers.inputs.items()
        if name in fixed and fixed[name] != value
    ]
    if clashes:
        raise UsageError(
            f"the answers file {answers.path} changes inputs the scenario {scenario.path} fixes: "
            + "; ".join(clashes)
            + "; no drill was opened",
            hint="drop them from the answers file's `inputs:` (the scenario's values are used)",
        )
