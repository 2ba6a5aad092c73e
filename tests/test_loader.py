"""Valid runbooks load; positions, did-you-mean and the `runbooks validate` command."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from irbook.cli import run
from irbook.domain.models import ConfirmStep, InputStep, ValueType
from irbook.errors import InvalidInputError
from irbook.loader.load import (
    did_you_mean,
    load_runbook,
    load_yaml_data,
    parse_runbook_text,
    parse_yaml,
    read_yaml,
)
from shared import FIXTURES

MINIMAL = FIXTURES / "valid" / "minimal.yaml"
INVALID = FIXTURES / "invalid"


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InvalidInputError) as info:
        load_runbook(path)
    return [str(p).removeprefix(f"{path}:") for p in info.value.problems]


def write(tmp_path: Path, text: str, name: str = "runbook.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# --- loading -----------------------------------------------------------------------------------


def test_minimal_runbook_loads() -> None:
    loaded = load_runbook(MINIMAL)
    rb = loaded.runbook
    assert (rb.api_version, rb.id, rb.version, rb.title) == (
        "irbook/v1",
        "minimal",
        "1.0.0",
        "Minimal runbook",
    )
    assert rb.roles == ("ops-lead",)
    assert [i.id for i in rb.inputs] == ["vector"]
    assert rb.inputs[0].type is ValueType.CHOICE
    assert rb.inputs[0].choices == ("stolen-credentials", "unknown")
    assert [p.id for p in rb.phases] == ["isolate"]
    first, second = rb.phases[0].steps
    assert isinstance(first, InputStep) and first.value is ValueType.LIST
    assert isinstance(second, ConfirmStep)
    assert second.critical and second.role == "ops-lead"
    assert second.needs == ("affected-devices",)
    assert second.when == "vector != 'stolen-credentials'"
    assert rb.phase_of("disconnect").id == "isolate"


def test_loaded_runbook_records_the_exact_text_and_its_hash() -> None:
    loaded = load_runbook(MINIMAL)
    text = MINIMAL.read_text()
    assert loaded.text == text
    assert loaded.sha256 == hashlib.sha256(text.encode()).hexdigest()
    assert loaded.path == str(MINIMAL)
    assert parse_runbook_text(loaded.text, "stored") == loaded.runbook


def test_anchors_and_aliases_that_do_not_explode_are_fine(tmp_path: Path) -> None:
    text = MINIMAL.read_text().replace(
        "roles: [ops-lead]", "roles: &roles [ops-lead]\nreferences: *roles"
    )
    assert load_runbook(write(tmp_path, text)).runbook.references == ("ops-lead",)


def test_a_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.read_bytes())
    assert load_runbook(path).runbook.id == "minimal"


# --- positions ---------------------------------------------------------------------------------


def test_positions_of_values_and_keys() -> None:
    doc = read_yaml(MINIMAL)
    # line 19: "      - id: disconnect" ; line 22: "        critical: true"
    assert doc.position(("phases", 0, "steps", 1)) == (19, 9)
    assert doc.position(("phases", 0, "steps", 1, "id")) == (19, 13)
    assert doc.position(("phases", 0, "steps", 1, "critical")) == (22, 19)
    assert doc.position(("phases", 0, "steps", 1, "critical"), key=True) == (22, 9)
    # line 10: "    choices: [stolen-credentials, unknown]"
    assert doc.position(("inputs", 0, "choices", 1)) == (10, 35)


def test_position_of_a_missing_place_falls_back_to_the_nearest_parent() -> None:
    doc = read_yaml(MINIMAL)
    assert doc.position(("phases", 0, "steps", 1, "evidence")) == (19, 9)
    assert doc.position(("nothing", "here")) == (1, 1)


def test_parse_yaml_refuses_structural_problems_itself() -> None:
    with pytest.raises(InvalidInputError) as info:
        parse_yaml("a: 1\nb: !!python/name:os.system\na: 2\n", "x.yaml")
    assert [str(p) for p in info.value.problems] == [
        "x.yaml:2:4: b: tag '!!python/name:os.system' is not allowed: runbooks hold plain data only",
        "x.yaml:3:1: a: duplicate key 'a' (first at line 1)",
    ]


def test_load_yaml_data_reports_syntax_errors_with_positions(tmp_path: Path) -> None:
    path = write(tmp_path, "packages:\n  a: [1, 2\n", "pnpm-lock.yaml")
    with pytest.raises(InvalidInputError) as info:
        load_yaml_data(path, kind="lockfile")
    assert [str(p) for p in info.value.problems] == [
        f"{path}:2:6: YAML syntax error: this '[' is never closed"
    ]
    assert load_yaml_data(write(tmp_path, "a: [1, 2]\n", "ok.yaml")) == {"a": [1, 2]}


# Both YAML readers (positions for runbooks and answers files, fast for lockfiles) translate
# errors through one function; these pin that they say the same thing at the same place.
BROKEN_YAML = [
    ("a: 'open\n", "1:4: YAML syntax error: this quoted string is never closed"),
    ("a: [1\n", "1:4: YAML syntax error: this '[' is never closed"),
    ("a: 1\n\tb: 2\n", "2:1: YAML syntax error: tab character; YAML indents with spaces only"),
    ("a: \x07\n", "1:4: control character U+0007 is not allowed in YAML text"),
]


@pytest.mark.parametrize(("text", "expected"), BROKEN_YAML)
def test_both_yaml_readers_translate_an_error_the_same_way(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = write(tmp_path, text, "broken.yaml")
    with pytest.raises(InvalidInputError) as data_error:
        load_yaml_data(path)
    with pytest.raises(InvalidInputError) as doc_error:
        read_yaml(path)
    assert [str(p) for p in data_error.value.problems] == [f"{path}:{expected}"]
    assert [str(p) for p in doc_error.value.problems] == [f"{path}:{expected}"]


def test_a_number_past_pythons_digit_limit_is_the_same_problem_in_both_readers(
    tmp_path: Path,
) -> None:
    """int() refuses more than 4300 digits with a ValueError that PyYAML lets through (the
    wording is files.parsing.limit_problem's); both readers place it at the number."""
    path = write(tmp_path, "a: 1\nb: " + "7" * 5000 + "\n", "big.yaml")
    with pytest.raises(InvalidInputError) as doc_error:
        read_yaml(path)
    assert [str(p) for p in doc_error.value.problems] == [
        f"{path}:2:4: b: a number with more than 4300 digits is not allowed"
    ]
    with pytest.raises(InvalidInputError) as data_error:
        load_yaml_data(path)
    assert [str(p) for p in data_error.value.problems] == [
        f"{path}:2:4: a number with more than 4300 digits is not allowed"
    ]


def test_dates_stay_text_in_both_readers_even_impossible_ones(tmp_path: Path) -> None:
    """The fast reader built dates, and crashed on 2024-13-45 (a pnpm-lock `time:` entry)."""
    path = write(tmp_path, "time:\n  a: 2024-13-45\n  b: 2024-01-02\n", "pnpm-lock.yaml")
    expected = {"time": {"a": "2024-13-45", "b": "2024-01-02"}}
    assert load_yaml_data(path) == expected
    assert read_yaml(path).data == expected


def test_an_impossible_date_in_a_lockfile_is_read_by_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lockfile = write(
        tmp_path,
        "lockfileVersion: '9.0'\npackages:\n  left-pad@1.0.0:\n    resolution: {integrity: x}\n"
        "time:\n  left-pad@1.0.0: 2024-13-45\n",
        "pnpm-lock.yaml",
    )
    advisories = write(tmp_path, "npm:left-pad:1.0.0\n", "advisories.txt")
    assert run(["audit", "lockfiles", str(lockfile), "-a", str(advisories)]) == 1
    captured = capsys.readouterr()
    assert "left-pad" in captured.out and "internal error" not in captured.err


# --- did-you-mean and wording ------------------------------------------------------------------


def test_did_you_mean() -> None:
    assert did_you_mean("confrim", ["confirm", "input"]) == " (did you mean 'confirm'?)"
    assert did_you_mean("critcal", ["critical", "role"]) == " (did you mean 'critical'?)"
    assert did_you_mean("zzz", ["confirm", "input"]) == ""
    assert did_you_mean("x", []) == ""


def test_unknown_input_type_lists_the_choices(tmp_path: Path) -> None:
    text = MINIMAL.read_text().replace("type: choice", "type: choise")
    assert problems_of(write(tmp_path, text)) == [
        "9:11: inputs[0].type: unknown value 'choise' (did you mean 'choice'?); expected one of: "
        "text, multiline, list, choice, multichoice, bool, int, datetime, path, paths, package, "
        "packages, email, url",
        # with no valid type, `choices` looks misplaced: said once, where it is
        "10:14: inputs[0].choices: `choices` only applies to choice and multichoice, not 'choise'",
    ]


def test_a_union_mismatch_is_one_message(tmp_path: Path) -> None:
    text = MINIMAL.read_text().replace(
        "    type: choice\n", "    type: choice\n    default: {a: 1}\n"
    )
    assert problems_of(write(tmp_path, text)) == [
        "10:14: inputs[0].default: expected one of: text, a whole number, true or false, a list; "
        "got a mapping"
    ]


def test_a_step_role_needs_declared_roles(tmp_path: Path) -> None:
    text = MINIMAL.read_text().replace("roles: [ops-lead]\n", "")
    assert problems_of(write(tmp_path, text)) == [
        "22:15: phases[0].steps[1].role: unknown role 'ops-lead'; declare it under `roles`"
    ]


def test_an_input_id_gets_a_suggestion(tmp_path: Path) -> None:
    text = MINIMAL.read_text().replace("id: vector", "id: Attack-Vector")
    assert problems_of(write(tmp_path, text))[0] == (
        "7:9: inputs[0].id: input id 'Attack-Vector' must start with a lower-case letter and hold "
        "only lower-case letters, digits and underscores (it is used as a name in `when`); "
        "try 'attack_vector'"
    )


# --- the validate command ----------------------------------------------------------------------


def test_validate_prints_ok_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["runbooks", "validate", str(MINIMAL)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [f"OK {MINIMAL}"]
    assert err == ""


def test_validate_mixed_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = write(tmp_path, MINIMAL.read_text(), "other.yaml")
    bad = INVALID / "needs-itself.yaml"
    assert run(["runbooks", "validate", str(MINIMAL), str(bad), str(other)]) == 2
    out, _ = capsys.readouterr()
    assert out.splitlines() == [
        f"OK {MINIMAL}",
        f"{bad}:12:17: phases[0].steps[0].needs[0]: a step cannot need itself",
        f"OK {other}",
    ]


def test_validate_json(capsys: pytest.CaptureFixture[str]) -> None:
    bad = INVALID / "unknown-key-step.yaml"
    assert run(["runbooks", "validate", "--json", str(MINIMAL), str(bad)]) == 2
    out, err = capsys.readouterr()
    assert json.loads(out) == [
        {"path": str(MINIMAL), "ok": True, "problems": []},
        {
            "path": str(bad),
            "ok": False,
            "problems": [
                f"{bad}:12:9: phases[0].steps[0].critcal: unknown key 'critcal' "
                "(did you mean 'critical'?)"
            ],
        },
    ]
    assert err == ""


def test_validate_json_all_valid_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["runbooks", "validate", "--json", str(MINIMAL)]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {"path": str(MINIMAL), "ok": True, "problems": []}
    ]


def test_validate_without_paths_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["runbooks", "validate"]) == 2
    assert "Traceback" not in capsys.readouterr().err
