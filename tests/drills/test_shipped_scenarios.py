"""The example scenarios shipped beside the runbooks load and validate against their runbooks."""

from __future__ import annotations

from pathlib import Path

import pytest

from irbook.loader import catalog, resources
from irbook.runner.drill import load_drill_scenario

SHIPPED = sorted((resources.shipped_dir("runbooks") / resources.SCENARIOS).glob("*.yaml"))


def test_two_example_scenarios_ship_with_the_runbooks() -> None:
    assert [p.stem for p in SHIPPED] == ["hijacked-ci-npm-publish", "vendor-device-signing-keys"]
    assert resources.available_scenarios() == {p.stem: p for p in SHIPPED}
    # a scenario is not a runbook: `irbook runbooks list` does not offer it
    assert not set(resources.available_runbooks()) & {p.stem for p in SHIPPED}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_each_shipped_scenario_validates_against_its_runbook(path: Path) -> None:
    runbook_id = next(
        line.split(":", 1)[1].strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("runbook:")
    )
    loaded = catalog.load(runbook_id)
    scenario = load_drill_scenario(path, loaded, cwd=path.parent).scenario
    assert scenario.runbook == loaded.runbook.id
    assert len(scenario.injects) >= 2
    assert {i.at is not None for i in scenario.injects} == {True, False}  # both kinds of trigger
    assert scenario.targets and set(scenario.targets) <= {
        p.milestone for p in loaded.runbook.phases if p.milestone
    }


def test_a_user_scenario_folder_is_searched_first(tmp_path: Path) -> None:
    own = tmp_path / resources.SCENARIOS
    own.mkdir()
    mine = own / "hijacked-ci-npm-publish.yaml"
    mine.write_text("id: x\n", encoding="utf-8")
    assert resources.find_scenario("hijacked-ci-npm-publish", tmp_path) == mine
    assert resources.find_scenario("vendor-device-signing-keys", tmp_path) in SHIPPED
    assert resources.find_scenario(str(mine)) == mine  # a path stays a path
