"""docs/runbook-format.md stays true: its examples load and its conditions parse."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from irbook import conditions
from irbook.loader import load_runbook, parse_yaml

DOC = Path(__file__).resolve().parent.parent / "docs" / "runbook-format.md"
YAML_BLOCKS = re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


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


WHEN_EXAMPLES = re.findall(r'^(?:- )?when: "(.*)"', DOC.read_text(encoding="utf-8"), flags=re.M)


@pytest.mark.parametrize("expression", WHEN_EXAMPLES)
def test_the_condition_examples_of_the_doc_parse(expression: str) -> None:
    conditions.parse(expression)


def test_the_doc_has_condition_examples() -> None:
    assert len(WHEN_EXAMPLES) >= 5
