"""docs/runbook-format.md stays true: its examples load, its conditions parse, its errors are real."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from irbook.domain import conditions
from irbook.domain.models import runbook_json_schema
from irbook.errors import InvalidInputError
from irbook.loader import resources
from irbook.loader.load import load_runbook, parse_yaml

DOC = Path(__file__).resolve().parent.parent / "docs" / "runbook-format.md"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "format-doc"
TEXT = DOC.read_text(encoding="utf-8")
YAML_BLOCKS = re.findall(r"```yaml\n(.*?)```", TEXT, flags=re.S)


def test_the_minimal_runbook_of_the_doc_is_valid(tmp_path: Path) -> None:
    complete = [b for b in YAML_BLOCKS if b.startswith("apiVersion: irbook/v1")]
    assert len(complete) == 1
    path = tmp_path / "lost-laptop.yaml"
    path.write_text(complete[0], encoding="utf-8")
    runbook = load_runbook(path, known_templates=frozenset()).runbook
    assert runbook.step("rotate-keys").when == "not encrypted"


def test_every_yaml_example_of_the_doc_is_yaml() -> None:
    for n, block in enumerate(YAML_BLOCKS):
        elided = "[...]" in block  # the phases sketch leaves its steps out on purpose
        comment_only = all(line.startswith("#") for line in block.splitlines())
        if not (elided or comment_only):
            parse_yaml(block, f"{DOC.name} block {n}")


WHEN_EXAMPLES = re.findall(r'^(?:- )?when: "(.*)"', TEXT, flags=re.M)


@pytest.mark.parametrize("expression", WHEN_EXAMPLES)
def test_the_condition_examples_of_the_doc_parse(expression: str) -> None:
    conditions.parse(expression)


def test_the_doc_has_condition_examples() -> None:
    assert len(WHEN_EXAMPLES) >= 5


QUOTED_PROBLEMS = re.findall(r"^([a-z]+\.yaml):\d+:\d+: .*$", TEXT, flags=re.M)
PROBLEM_LINES = re.findall(r"^[a-z]+\.yaml:\d+:\d+: .*$", TEXT, flags=re.M)


@pytest.mark.parametrize("line", PROBLEM_LINES)
def test_every_quoted_validation_message_is_what_irbook_prints(line: str) -> None:
    name = line.split(":", 1)[0]
    path = FIXTURES / name
    with pytest.raises(InvalidInputError) as err:
        load_runbook(path, known_templates=resources.notify_template_names())
    printed = [str(p).replace(str(path), name) for p in err.value.problems]
    assert line in printed


def test_the_doc_quotes_validation_messages_from_each_fixture() -> None:
    assert set(QUOTED_PROBLEMS) == {p.name for p in FIXTURES.glob("*.yaml")}


def test_the_committed_json_schema_matches_the_models() -> None:
    # Editors read docs/runbook-schema.json (the shipped runbooks name it in their first line).
    # Regenerate with: irbook runbooks schema -o docs/runbook-schema.json
    committed = json.loads((DOC.parent / "runbook-schema.json").read_text(encoding="utf-8"))
    assert committed == runbook_json_schema()


@pytest.mark.parametrize("path", sorted(resources.shipped_dir("runbooks").glob("*.yaml")))
def test_shipped_runbooks_name_the_committed_schema(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../docs/runbook-schema.json"
    assert (path.parent / "../docs/runbook-schema.json").is_file()
