"""The runbook catalog: find, load and summarise runbooks (shipped and the user's own)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from irbook.errors import InvalidInputError, Problem
from irbook.loader import resources
from irbook.loader.load import LoadedRunbook, load_runbook


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
