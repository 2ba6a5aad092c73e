"""The runbook catalog: find, load and summarise runbooks (shipped and the user's own)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from irbook.errors import InvalidInputError, IrbookError, Problem
from irbook.loader import resources
from irbook.loader.load import LoadedRunbook, load_runbook
from irbook.loader.scenario import LoadedScenario, load_scenario, runbook_named_in


@dataclass(frozen=True)
class CatalogEntry:
    name: str
    path: str
    loaded: LoadedRunbook | None
    problems: tuple[Problem, ...] = ()


def load(
    name_or_path: str, *, runbooks_dir: Path | None = None, templates_dir: Path | None = None
) -> LoadedRunbook:
    path = resources.find_runbook(name_or_path, runbooks_dir)
    return load_runbook(path, known_templates=resources.notify_template_names(templates_dir))


def entries(
    *, runbooks_dir: Path | None = None, templates_dir: Path | None = None
) -> list[CatalogEntry]:
    templates = resources.notify_template_names(templates_dir)
    out = []
    for name, path in resources.available_runbooks(runbooks_dir).items():
        try:
            out.append(CatalogEntry(name, str(path), load_runbook(path, known_templates=templates)))
        except InvalidInputError as err:
            out.append(CatalogEntry(name, str(path), None, tuple(err.problems)))
    return out


@dataclass(frozen=True)
class ScenarioEntry:
    name: str
    path: str
    loaded: LoadedScenario | None
    problems: tuple[str, ...] = ()


def scenario_entries(
    *, runbooks_dir: Path | None = None, templates_dir: Path | None = None
) -> list[ScenarioEntry]:
    """Every drill scenario found (yours first, then the shipped ones), each loaded against the
    runbook it names; one that does not load is listed with its problems, never skipped."""
    out = []
    runbooks: dict[str, LoadedRunbook] = {}  # most scenarios rehearse the same few runbooks
    for name, path in resources.available_scenarios(runbooks_dir).items():
        try:
            runbook_id = runbook_named_in(path)
            if runbook_id is None:
                raise IrbookError(f"{path}: names no runbook (`runbook:`)")
            if runbook_id not in runbooks:
                runbooks[runbook_id] = load(
                    runbook_id, runbooks_dir=runbooks_dir, templates_dir=templates_dir
                )
            scenario = load_scenario(path, runbooks[runbook_id].runbook)
            out.append(ScenarioEntry(name, str(path), scenario))
        except InvalidInputError as err:
            out.append(ScenarioEntry(name, str(path), None, tuple(str(p) for p in err.problems)))
        except IrbookError as err:  # its runbook is not found, the file cannot be read
            out.append(ScenarioEntry(name, str(path), None, (err.message,)))
    return out


@dataclass(frozen=True)
class ValidationResult:
    path: str
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def validate(paths: list[Path], *, templates_dir: Path | None = None) -> list[ValidationResult]:
    templates = resources.notify_template_names(templates_dir)
    results = []
    for path in paths:
        try:
            load_runbook(path, known_templates=templates)
            results.append(ValidationResult(str(path), ()))
        except InvalidInputError as err:
            results.append(ValidationResult(str(path), tuple(err.problems)))
    return results
