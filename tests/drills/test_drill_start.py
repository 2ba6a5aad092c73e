"""`irbook drill start` through the real CLI on real SQLite files: the scenario file and its
checks, its inputs, drills kept apart from real incidents in `list`, `start` and the screens."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from irbook.cli import run
from irbook.domain.drills import BANNER, Scenario
from irbook.loader.load import load_runbook
from irbook.store import open_store
from irbook.usecases.incidents import Responder, start_incident

MINI = Path(__file__).resolve().parent.parent / "fixtures" / "runner" / "mini.yaml"

SCENARIO = """\
id: stolen-token
title: Stolen CI token drill
runbook: mini
inputs:
  vector: ci-cd-pipeline
injects:
  - id: second-host
    title: A second host shows the IOC
    after_step: disconnect
  - id: ca
    title: The CA answers
    at: 2h
targets:
  contained: 2h
"""


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = run(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def drill_start(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    return cli(capsys, "drill", "start", str(MINI), *argv)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def listed(capsys: pytest.CaptureFixture[str], db: str, *flags: str) -> list[dict[str, object]]:
    code, out, _ = cli(capsys, "list", "--json", "--db", db, *flags)
    assert code == 0
    rows: list[dict[str, object]] = json.loads(out)
    return rows


def status_json(capsys: pytest.CaptureFixture[str], db: str, incident: str) -> dict[str, object]:
    code, out, _ = cli(capsys, "status", incident, "--json", "--db", db)
    assert code == 0
    view: dict[str, object] = json.loads(out)
    return view


def test_a_bare_drill_is_marked_in_its_id_status_and_every_step_screen(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "t.db")
    answers = write(
        tmp_path / "a.yaml",
        "inputs: {vector: unknown}\nsteps: {affected-devices: [ci-4], disconnect: done}\n",
    )
    code, out, err = drill_start(capsys, "--answers", str(answers), "--db", db, "--as", "bo")
    assert code == 1, err  # stopped at the first step the answers file does not answer
    # the header and each of the three step screens shown start with the banner
    assert out.count(BANNER) == 4, out
    assert out.splitlines()[0] == BANNER
    (row,) = listed(capsys, db, "--drills")
    incident = str(row["id"])
    assert incident.startswith("IR-DRILL-") and row["drill"] is True
    view = status_json(capsys, db, incident)
    assert view["drill"] is True and view["scenario"] is None
    code, out, _ = cli(capsys, "status", incident, "--db", db)
    assert code == 0 and out.splitlines()[0] == BANNER


def test_the_scenario_inputs_are_recorded_at_the_start(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "t.db")
    scenario = write(tmp_path / "s.yaml", SCENARIO)
    answers = write(tmp_path / "a.yaml", "steps: {affected-devices: [ci-4]}\n")
    code, _, err = drill_start(
        capsys,
        "--scenario",
        str(scenario),
        "--answers",
        str(answers),
        "--db",
        db,
        "--as",
        "bo",
    )
    assert code == 1, err
    (row,) = listed(capsys, db, "--drills")
    assert row["title"] == "Stolen CI token drill"  # the scenario's title by default
    view = status_json(capsys, db, str(row["id"]))
    assert view["inputs"] == {"vector": "ci-cd-pipeline", "organisation": None}
    assert view["scenario"] == "stolen-token"


def test_an_answers_file_may_repeat_a_scenario_input_but_not_change_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "t.db")
    scenario = write(tmp_path / "s.yaml", SCENARIO)
    changed = write(tmp_path / "changed.yaml", "inputs: {vector: unknown, organisation: Acme}\n")
    code, _, err = drill_start(
        capsys,
        "--scenario",
        str(scenario),
        "--answers",
        str(changed),
        "--db",
        db,
    )
    assert code == 2
    assert (
        f"the answers file {changed} changes inputs the scenario {scenario} fixes: vector: the "
        "answers file says unknown, the scenario ci-cd-pipeline; no drill was opened"
    ) in " ".join(err.split())
    assert listed(capsys, db, "--drills") == []
    same = write(tmp_path / "same.yaml", "inputs: {vector: ci-cd-pipeline, organisation: Acme}\n")
    code, _, err = drill_start(
        capsys,
        "--scenario",
        str(scenario),
        "--answers",
        str(same),
        "--db",
        db,
    )
    assert code == 1, err
    (row,) = listed(capsys, db, "--drills")
    view = status_json(capsys, db, str(row["id"]))
    assert view["inputs"] == {"vector": "ci-cd-pipeline", "organisation": "Acme"}


BAD_SCENARIO = """\
id: stolen-token
title: Stolen CI token drill
runbook: mini
inputs:
  vector: phishing
  region: eu
injects:
  - id: second-host
    title: A second host shows the IOC
    after_step: disconect
  - id: ca
    title: The CA answers
    at: 2 hours
  - id: legal
    title: Legal asks for the regulator draft
targets:
  contained: 2h
  rotated: 1h
colour: red
"""


def test_a_bad_scenario_is_refused_with_every_problem_at_its_place_and_opens_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "t.db"
    scenario = write(tmp_path / "s.yaml", BAD_SCENARIO)
    code, _, err = drill_start(capsys, "--scenario", str(scenario), "--db", str(db))
    assert code == 2
    s = str(scenario)
    assert err.splitlines() == [
        f"error: {s}:5:11: inputs.vector: input 'vector': 'phishing' is not one of: "
        "stolen-credentials, ci-cd-pipeline, unknown",
        f"{s}:6:3: inputs.region: runbook mini has no input 'region'",
        f"{s}:10:17: injects[0].after_step: runbook mini has no step 'disconect' "
        "(did you mean 'disconnect'?)",
        f"{s}:13:9: injects[1].at: '2 hours' is not a time offset: a number and s, m, h or d "
        "(90s, 45m, 2h, 1.5d)",
        f"{s}:14:5: injects[2]: an inject needs exactly one of 'at' and 'after_step'",
        f"{s}:18:3: targets.rotated: runbook mini has no milestone 'rotated' (did you mean "
        "'contained'?); its milestones: contained, credentials-rotated",
        f"{s}:19:1: colour: unknown key 'colour'",
        "hint: fix the scenario; no drill was opened",
    ]
    assert not db.exists()  # checked before the database is opened: nothing was created


def test_a_scenario_for_another_runbook_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    scenario = write(tmp_path / "s.yaml", SCENARIO.replace("runbook: mini", "runbook: other"))
    code, _, err = drill_start(
        capsys,
        "--scenario",
        str(scenario),
        "--db",
        str(tmp_path / "t.db"),
    )
    assert code == 2
    assert f"{scenario}:3:10: runbook: this scenario is for runbook 'other', not 'mini'" in err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("!!python/object:os.system {}\n", "tag '!!python/object:os.system' is not allowed"),
        ("- a list\n", "a scenario is a mapping with id, title, runbook, inputs, injects"),
        ("", "scenario is empty"),
        ("id: [unclosed\n", "YAML syntax error"),
    ],
)
def test_hostile_or_malformed_scenario_files_are_refused_cleanly(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, message: str
) -> None:
    scenario = write(tmp_path / "s.yaml", text)
    code, _, err = drill_start(
        capsys,
        "--scenario",
        str(scenario),
        "--db",
        str(tmp_path / "t.db"),
    )
    assert code == 2
    assert f"{scenario}:" in err and message in err


def test_a_scenario_that_is_not_a_regular_file_is_refused_without_waiting(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    fifo = tmp_path / "s.yaml"
    os.mkfifo(fifo)  # a reader that blocked here would hang the test, not fail it
    code, _, err = drill_start(
        capsys,
        "--scenario",
        str(fifo),
        "--db",
        str(tmp_path / "t.db"),
    )
    assert code == 2 and str(fifo) in err
    code, _, err = drill_start(
        capsys,
        "--scenario",
        str(tmp_path),
        "--db",
        str(tmp_path / "t.db"),
    )
    assert code == 2 and "scenario is a directory" in err


def test_open_drills_and_open_incidents_do_not_hold_each_other_up(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "t.db")
    answers = write(tmp_path / "a.yaml", "inputs: {vector: unknown}\n")
    base = ("--answers", str(answers), "--db", db)
    assert drill_start(capsys, *base)[0] == 1
    # a real breach during a drill opens at once, without --new
    assert cli(capsys, "start", str(MINI), *base)[0] == 1
    code, _, err = drill_start(capsys, *base)
    assert code == 2
    assert "not started: a drill of mini is still open" in err
    assert "`irbook drill start mini --new`" in " ".join(err.split())
    assert drill_start(capsys, *base, "--new")[0] == 1
    assert len(listed(capsys, db, "--drills")) == 2
    assert len(listed(capsys, db)) == 1


def test_list_shows_real_incidents_and_counts_the_drills(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "t.db")
    answers = write(tmp_path / "a.yaml", "inputs: {vector: unknown}\n")
    assert drill_start(capsys, "--answers", str(answers), "--db", db)[0] == 1
    code, out, _ = cli(capsys, "list", "--db", db)
    assert code == 0
    assert out.splitlines() == [f"no incidents in sqlite:///{db}", "1 drill: irbook list --drills"]
    assert cli(capsys, "start", str(MINI), "--answers", str(answers), "--db", db)[0] == 1
    code, out, _ = cli(capsys, "list", "--db", db)
    assert "IR-DRILL-" not in out and out.splitlines()[-1] == "1 drill: irbook list --drills"
    (real,) = listed(capsys, db)
    (drill,) = listed(capsys, db, "--drills")
    assert real["drill"] is False and drill["drill"] is True
    code, out, _ = cli(capsys, "list", "--drills", "--db", db)
    assert str(drill["id"]) in out and str(real["id"]) not in out and "drill:" not in out


def test_resume_applies_the_scenario_inputs_a_stopped_start_did_not_record(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Killed between opening the drill and recording its inputs: `resume` records them from the
    scenario kept in the opening event, instead of asking the responder for them."""
    url = str(tmp_path / "t.db")
    store = open_store(url)
    scenario = Scenario.model_validate(
        {"id": "s", "title": "S", "runbook": "mini", "inputs": {"vector": "stolen-credentials"}}
    )
    state = start_incident(
        load_runbook(MINI),
        store=store,
        responder=Responder("alice", "h"),
        drill=True,
        scenario=scenario,
    )
    store.close()
    answers = write(tmp_path / "a.yaml", "steps: {affected-devices: [ci-4]}\n")
    code, _, err = cli(capsys, "resume", state.incident_id, "--answers", str(answers), "--db", url)
    assert code == 1, err  # stopped at `disconnect`, not at the input
    assert status_json(capsys, url, state.incident_id)["inputs"] == {
        "vector": "stolen-credentials",
        "organisation": None,
    }


def test_watch_shows_the_banner(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    answers = write(tmp_path / "a.yaml", "inputs: {vector: unknown}\n")
    assert drill_start(capsys, "--answers", str(answers), "--db", db)[0] == 1
    (row,) = listed(capsys, db, "--drills")
    code, out, _ = cli(capsys, "watch", str(row["id"]), "--once", "--db", db)
    assert code == 0 and out.splitlines()[0] == BANNER


def test_a_secret_in_the_scenario_is_redacted_before_the_drill_is_stored(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from secret_samples import SAMPLES

    text, secret = SAMPLES["github-app-token"]
    db = str(tmp_path / "t.db")
    scenario = write(
        tmp_path / "s.yaml",
        SCENARIO.replace(
            "    after_step: disconnect\n",
            f"    after_step: disconnect\n    text: '{text}'\n",
        ),
    )
    answers = write(tmp_path / "a.yaml", "steps: {affected-devices: [ci-4]}\n")
    code, out, err = drill_start(
        capsys, "--scenario", str(scenario), "--answers", str(answers), "--db", db
    )
    assert code == 1, err
    assert "redacted from the title or the scenario before storing: github-app-token" in out
    (row,) = listed(capsys, db, "--drills")
    store = open_store(db)
    try:
        (opened, *_) = store.events(str(row["id"]))
    finally:
        store.close()
    assert secret not in json.dumps(opened.payload)
    assert opened.payload["redacted"] == ["github-app-token"]
    assert opened.payload["scenario"]["injects"][0]["text"].startswith("found ")


def test_python_callers_open_drills_with_a_scenario_too(tmp_path: Path) -> None:
    from irbook import api

    scenario = write(tmp_path / "s.yaml", SCENARIO)
    answers = write(
        tmp_path / "a.yaml",
        "steps: {affected-devices: [ci-4], disconnect: done, disarm-persistence: done, "
        "tokens: done, list-tokens: done, signing-cert: done}\n",
    )
    outcome = api.start(
        runbook=MINI, db=tmp_path / "t.db", answers=answers, scenario=scenario, actor="bo"
    )
    assert outcome.incident_id.startswith("IR-DRILL-") and outcome.state.drill
    assert outcome.state.inputs["vector"] == "ci-cd-pipeline"


def test_a_drill_of_the_shipped_runbook_writes_only_marked_messages(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The walker's notify steps render through the same path as `irbook notify`: every .eml a
    whole drill of the shipped runbook writes is marked."""
    case = MINI.parent / "case"
    monkeypatch.chdir(case)  # the answers' paths are relative to the working directory
    scenario = write(
        tmp_path / "s.yaml",
        "id: worm\ntitle: Worm drill\nrunbook: supply-chain-compromise\n"
        "inputs: {vector: ci-cd-pipeline, payload: worm}\n",
    )
    out = tmp_path / "out"
    code, _, err = cli(
        capsys,
        "drill",
        "start",
        "supply-chain-compromise",
        "--scenario",
        str(scenario),
        "--answers",
        str(case / "answers.yaml"),
        "--db",
        str(tmp_path / "t.db"),
        "--out",
        str(out),
        "--as",
        "alice",
    )
    assert code == 0, err
    emls = sorted(out.glob("*.eml"))
    assert len(emls) >= 3
    for eml in emls:
        head, _, body = eml.read_bytes().partition(b"\r\n\r\n")
        assert b"\r\nSubject: [DRILL] " in b"\r\n" + head, eml.name
        assert BANNER.encode() in body, eml.name


def test_a_bare_command_means_the_open_real_incident_before_any_drill(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "t.db")
    answers = write(tmp_path / "a.yaml", "inputs: {vector: unknown}\n")
    assert drill_start(capsys, "--answers", str(answers), "--db", db)[0] == 1
    (first_drill,) = listed(capsys, db, "--drills")
    bare = ("status", "--json", "--db", db)
    # only a drill is open: that one
    assert json.loads(cli(capsys, *bare)[1])["incident"] == first_drill["id"]
    assert cli(capsys, "start", str(MINI), "--answers", str(answers), "--db", db)[0] == 1
    assert drill_start(capsys, "--answers", str(answers), "--db", db, "--new")[0] == 1
    (real,) = listed(capsys, db)
    # the real incident, though opened before the newer drill
    assert json.loads(cli(capsys, *bare)[1])["incident"] == real["id"]
