"""Malformed runbooks through the real CLI: exit 2, every problem pinned verbatim, no traceback.

Each expected line was checked by hand against the fixture (line and column counted in the file),
so these pin what is right, not whatever the loader happens to print. Columns are 1-based; a
quoted value starts at its quote. Lines are ``LINE:COL: location: message``; the test puts the
fixture's path in front.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from irbook.cli import run
from shared import FIXTURES

INVALID = FIXTURES / "invalid"
TEMPLATES = FIXTURES / "loader-templates"  # holds notify/fixture-advisory.txt.j2
ALLOWED = "use names, literals, comparisons, and/or/not, answer('step-id') and done('step-id')"
STEP_TYPES = "confirm, input, checklist, check, command, notify"
NOT_PLAIN = "is not allowed: runbooks hold plain data only"

EXPECTED: dict[str, list[str]] = {
    # --- YAML syntax ---------------------------------------------------------------------------
    "syntax-unclosed-quote.yaml": ["4:8: YAML syntax error: this quoted string is never closed"],
    "syntax-bad-indentation.yaml": [
        "8:4: YAML syntax error: bad indentation: this line does not line up with the lines above it"
    ],
    "syntax-unclosed-bracket.yaml": ["12:16: YAML syntax error: this '[' is never closed"],
    "tab-indent.yaml": ["10:1: YAML syntax error: tab character; YAML indents with spaces only"],
    "two-documents.yaml": [
        "5:1: YAML syntax error: expected one YAML document; this '---' starts a second one"
    ],
    # --- wrong types ---------------------------------------------------------------------------
    "phases-not-list.yaml": ["5:9: phases: expected a list, got 'isolate'"],
    "critical-not-bool.yaml": [
        "12:19: phases[0].steps[0].critical: expected true or false, got 'yes please'"
    ],
    "steps-mapping.yaml": [
        "9:7: phases[0].steps: expected a list, got a mapping (start each item with '- ')"
    ],
    "step-not-mapping.yaml": [
        "9:9: phases[0].steps[0]: expected a mapping (key: value lines), got 'disconnect'"
    ],
    "check-with-not-text.yaml": [
        "11:15: phases[0].steps[0].uses: expected 'lockfile-audit' or 'log-ioc-scan', "
        "got 'lockfile-audti' (did you mean 'lockfile-audit'?)",
        "13:18: phases[0].steps[0].with.paths: expected text or a list, got the number 3",
    ],
    "empty-phases.yaml": ["5:9: phases: needs at least 1 item; the list is empty"],
    "top-level-list.yaml": [
        "1:1: a runbook is a mapping with apiVersion, id, version, title, phases"
    ],
    # --- unknown keys, at each level -----------------------------------------------------------
    "unknown-key-top.yaml": ["5:1: sumary: unknown key 'sumary' (did you mean 'summary'?)"],
    "unknown-key-input.yaml": [
        "8:5: inputs[0].requird: unknown key 'requird' (did you mean 'required'?)"
    ],
    "unknown-key-phase.yaml": [
        "8:5: phases[0].milstone: unknown key 'milstone' (did you mean 'milestone'?)"
    ],
    "unknown-key-step.yaml": [
        "12:9: phases[0].steps[0].critcal: unknown key 'critcal' (did you mean 'critical'?)"
    ],
    # --- step types and required keys ----------------------------------------------------------
    "unknown-step-type.yaml": [
        "10:15: phases[0].steps[0].type: unknown step type 'confrim' (did you mean 'confirm'?); "
        f"expected one of: {STEP_TYPES}"
    ],
    "missing-step-type.yaml": [
        f"9:9: phases[0].steps[0]: missing required key 'type' (one of: {STEP_TYPES})"
    ],
    "missing-required-keys.yaml": [
        "1:1: missing required key 'title'",
        "5:5: phases[0]: missing required key 'title'",
        "7:9: phases[0].steps[0]: missing required key 'text'",
    ],
    # --- duplicates ----------------------------------------------------------------------------
    "duplicate-step-id.yaml": [
        "15:13: phases[1].steps[0].id: duplicate step id 'disconnect' (first at line 9)"
    ],
    "duplicate-phase-id.yaml": [
        "12:9: phases[1].id: duplicate phase id 'isolate' (first at line 6)"
    ],
    "duplicate-input-id.yaml": ["8:9: inputs[1].id: duplicate input id 'vector' (first at line 6)"],
    "duplicate-mapping-key.yaml": [
        "12:9: phases[0].steps[0].text: duplicate key 'text' (first at line 11)"
    ],
    # --- references: needs, when, roles, templates, choices -------------------------------------
    "needs-unknown-step.yaml": [
        "15:17: phases[0].steps[1].needs[0]: needs unknown step 'affected-device' "
        "(did you mean 'affected-devices'?)"
    ],
    "needs-itself.yaml": ["12:17: phases[0].steps[0].needs[0]: a step cannot need itself"],
    "check-unknown-argument.yaml": [
        "17:11: phases[0].steps[0].with.pahts: 'lockfile-audit' takes no argument 'pahts' "
        "(did you mean 'paths'?); it takes paths, advisories",
        "18:23: phases[0].steps[0].with.advisories: unknown input 'advisory'",
    ],
    "when-unknown-input.yaml": [
        "15:16: phases[0].steps[0].when: condition names unknown input 'vectr' "
        "(did you mean 'vector'?)"
    ],
    "when-unknown-step.yaml": [
        "15:21: phases[0].steps[1].when: condition names unknown step 'affected-device' "
        "(did you mean 'affected-devices'?)"
    ],
    "when-import.yaml": [
        "12:16: phases[0].steps[0].when: invalid condition: calling __import__() is not allowed; "
        "only answer('step-id') and done('step-id') may be called"
    ],
    "when-attribute.yaml": [
        "15:22: phases[0].steps[0].when: invalid condition: attribute access ('.__class__') "
        f"is not allowed in a condition; {ALLOWED}"
    ],
    "when-lambda.yaml": [
        "12:17: phases[0].steps[0].when: invalid condition: a lambda is not allowed in a "
        f"condition; {ALLOWED}"
    ],
    "when-bad-syntax.yaml": [
        "15:39: phases[0].steps[0].when: invalid condition: the expression ends too early"
    ],
    "unknown-role.yaml": [
        "13:15: phases[0].steps[0].role: unknown role 'opslead' (did you mean 'ops-lead'?); "
        "declare it under `roles`"
    ],
    "unknown-template.yaml": [
        "11:19: phases[0].steps[0].template: unknown template 'fixture-advisry' "
        "(did you mean 'fixture-advisory'?)"
    ],
    "choice-without-choices.yaml": ["6:5: inputs[0]: a choice needs a non-empty `choices` list"],
    # --- values with a pattern -----------------------------------------------------------------
    "wrong-api-version.yaml": ["1:13: apiVersion: expected 'irbook/v1', got 'irbook/v2'"],
    "bad-version.yaml": ["3:10: version: version '1.0' is not MAJOR.MINOR.PATCH (e.g. 1.0.0)"],
    "bad-id.yaml": [
        "9:13: phases[0].steps[0].id: id 'Disconnect_Now' must start with a lower-case letter "
        "or digit and hold only lower-case letters, digits and hyphens; try 'disconnect-now'"
    ],
    # --- unsafe YAML -----------------------------------------------------------------------------
    "python-object-apply.yaml": [f"4:8: title: tag '!!python/object/apply:os.system' {NOT_PLAIN}"],
    "python-object.yaml": [
        f"11:15: phases[0].steps[0].text: tag '!!python/object:subprocess.Popen' {NOT_PLAIN}"
    ],
    "alias-bomb.yaml": [
        "6:4: f: aliases expand to more than 200000 values here (an alias bomb?); "
        "write the values out instead"
    ],
    # --- not a runbook at all ------------------------------------------------------------------
    "empty.yaml": ["1:1: runbook is empty"],
    "whitespace-only.yaml": ["1:1: runbook is empty"],
    "comments-only.yaml": ["1:1: runbook is empty"],
    "binary.yaml": ["1:1: runbook is binary (it contains NUL bytes), not YAML text"],
    "control-character.yaml": ["4:15: control character U+0007 is not allowed in YAML text"],
    "non-utf8.yaml": ["4:11: runbook is not UTF-8 text (byte 0xe9); save it as UTF-8"],
    # --- several problems at once: all of them, sorted by line ---------------------------------
    "many-problems.yaml": [
        "3:10: version: version '1.0' is not MAJOR.MINOR.PATCH (e.g. 1.0.0)",
        "7:5: inputs[0]: a choice needs a non-empty `choices` list",
        "17:9: phases[0].steps[0].critcal: unknown key 'critcal' (did you mean 'critical'?)",
        "18:15: phases[0].steps[0].role: unknown role 'comms-lead' (did you mean 'ops-lead'?); "
        "declare it under `roles`",
        "19:13: phases[0].steps[1].id: duplicate step id 'disconnect' (first at line 14)",
        "20:15: phases[0].steps[1].type: unknown step type 'confrim' (did you mean 'confirm'?); "
        f"expected one of: {STEP_TYPES}",
        "22:17: phases[0].steps[1].needs[0]: needs unknown step 'affected-devices'",
        "26:9: phases[1].steps[0]: missing required key 'text'",
        "28:16: phases[1].steps[0].when: condition names unknown input 'vectr' "
        "(did you mean 'vector'?)",
    ],
    # Structural problems (duplicate key, refused tag) do not hide the schema's: all reported,
    # and nothing is said about the None that replaced the refused value.
    "structural-and-schema.yaml": [
        "8:5: phases[0].title: duplicate key 'title' (first at line 7)",
        f"12:15: phases[0].steps[0].text: tag '!!python/name:os.system' {NOT_PLAIN}",
        "14:15: phases[0].steps[1].type: unknown step type 'confrim' (did you mean 'confirm'?); "
        f"expected one of: {STEP_TYPES}",
    ],
}


def validate(capsys: pytest.CaptureFixture[str], *paths: Path) -> tuple[int, list[str], str]:
    argv = ["runbooks", "validate", "--templates", str(TEMPLATES), *map(str, paths)]
    code = run(argv)
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def test_every_fixture_is_in_the_table() -> None:
    on_disk = {p.name for p in INVALID.iterdir()}
    assert on_disk == set(EXPECTED), "add a row for each new fixture (and remove stale rows)"
    assert len(on_disk) >= 30


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_runbook(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = INVALID / name
    code, lines, err = validate(capsys, path)
    assert code == 2
    assert lines == [f"{path}:{line}" for line in EXPECTED[name]]
    assert err == ""
    assert "Traceback" not in "\n".join(lines) + err


def test_a_5_mb_file_is_refused_before_parsing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "huge.yaml"
    filler = "#" + "x" * 1022 + "\n"  # 1 KiB comment lines: valid YAML, a wrong file anyway
    path.write_text((INVALID.parent / "valid" / "minimal.yaml").read_text() + filler * 5 * 1024)
    assert path.stat().st_size > 5 * 1024 * 1024
    code, lines, err = validate(capsys, path)
    assert code == 2
    assert lines == [
        f"{path}:1:1: runbook is 5.0 MiB; the limit is 1.0 MiB (is this the right file?)"
    ]
    assert "Traceback" not in err


def test_random_bytes_with_nul(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "random.yaml"
    path.write_bytes(bytes([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x00, 0x00, 0xB3, 0x9A, 0x00]))
    code, lines, err = validate(capsys, path)
    assert (code, lines, err) == (
        2,
        [f"{path}:1:1: runbook is binary (it contains NUL bytes), not YAML text"],
        "",
    )


def test_missing_file_and_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.yaml"
    code, lines, _ = validate(capsys, missing, tmp_path)
    assert code == 2
    assert lines == [
        f"{missing}:1:1: runbook not found",
        f"{tmp_path}:1:1: runbook is a directory, not a file",
    ]


def test_python_tags_are_never_executed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "apply.yaml"
    source = (INVALID / "python-object-apply.yaml").read_text()
    path.write_text(source.replace("/tmp/irbook-pwned", str(marker)))
    code, _, _ = validate(capsys, path)
    assert code == 2
    assert not marker.exists()


def test_all_problems_of_several_files(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, _ = validate(capsys, INVALID / "needs-itself.yaml", INVALID / "many-problems.yaml")
    assert code == 2
    assert len(lines) == 1 + len(EXPECTED["many-problems.yaml"])
    assert lines[0].startswith(f"{INVALID / 'needs-itself.yaml'}:12:17: ")
    positions = [tuple(map(int, line.split(":")[1:3])) for line in lines[1:]]
    assert positions == sorted(positions)
