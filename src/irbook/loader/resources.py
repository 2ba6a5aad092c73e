"""Where shipped and user runbooks and templates are found.

The wheel carries ``runbooks/`` and ``templates/`` as ``irbook/_shipped/``; a source checkout (an
editable install) finds them at the repository's top level. A user directory given with
``--runbooks``/``--templates`` or ``IRBOOK_RUNBOOKS``/``IRBOOK_TEMPLATES`` is searched first, so any
shipped file can be overridden by one of the same name.
"""

from __future__ import annotations

import os
from pathlib import Path

from irbook.errors import NotFoundError

_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # src/irbook (or site-packages/irbook)
RUNBOOK_SUFFIXES = (".yaml", ".yml")


def shipped_dir(name: str) -> Path:
    """The shipped ``runbooks`` or ``templates`` directory."""
    packaged = _PACKAGE_DIR / "_shipped" / name
    if packaged.is_dir():
        return packaged
    return _PACKAGE_DIR.parent.parent / name  # source checkout: src/irbook -> repository root


def runbook_dirs(user_dir: Path | None = None) -> list[Path]:
    env = os.environ.get("IRBOOK_RUNBOOKS")
    dirs = [d for d in (user_dir, Path(env) if env else None) if d is not None]
    return [*dirs, shipped_dir("runbooks")]


def template_dirs(user_dir: Path | None = None) -> list[Path]:
    env = os.environ.get("IRBOOK_TEMPLATES")
    dirs = [d for d in (user_dir, Path(env) if env else None) if d is not None]
    return [*dirs, shipped_dir("templates")]


def available_runbooks(user_dir: Path | None = None) -> dict[str, Path]:
    """Runbook name (file stem) -> path; earlier directories win."""
    found: dict[str, Path] = {}
    for directory in runbook_dirs(user_dir):
        if directory.is_dir():
            for path in sorted(directory.iterdir()):
                if path.suffix in RUNBOOK_SUFFIXES:
                    found.setdefault(path.stem, path)
    return found


def find_runbook(name_or_path: str, user_dir: Path | None = None) -> Path:
    """A runbook by path, or by name among the runbook directories."""
    candidate = Path(name_or_path)
    if candidate.suffix in RUNBOOK_SUFFIXES or os.sep in name_or_path:
        return candidate
    runbooks = available_runbooks(user_dir)
    if name_or_path in runbooks:
        return runbooks[name_or_path]
    from irbook.loader.load import did_you_mean

    raise NotFoundError(
        f"no runbook named '{name_or_path}'{did_you_mean(name_or_path, runbooks)}",
        hint="`irbook runbooks list` shows the available runbooks; a path to a .yaml file works too",
    )


SCENARIOS = "scenarios"  # drill scenarios live in a runbook directory's scenarios/ folder


def available_scenarios(user_dir: Path | None = None) -> dict[str, Path]:
    """Drill scenario name (file stem) -> path, from each runbook directory's ``scenarios/``
    (the shipped ones: ``runbooks/scenarios/``); earlier directories win, as for runbooks."""
    found: dict[str, Path] = {}
    for directory in runbook_dirs(user_dir):
        folder = directory / SCENARIOS
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                if path.suffix in RUNBOOK_SUFFIXES:
                    found.setdefault(path.stem, path)
    return found


def find_scenario(name_or_path: str, user_dir: Path | None = None) -> Path:
    """A drill scenario by path, or by name among the runbook directories' ``scenarios/``
    (``irbook drill start supply-chain-compromise --scenario hijacked-ci-npm-publish``)."""
    candidate = Path(name_or_path)
    if candidate.suffix in RUNBOOK_SUFFIXES or os.sep in name_or_path or candidate.exists():
        return candidate
    scenarios = available_scenarios(user_dir)
    if name_or_path in scenarios:
        return scenarios[name_or_path]
    from irbook.loader.messages import did_you_mean

    shipped = ", ".join(scenarios) or "(none)"
    raise NotFoundError(
        f"no scenario named '{name_or_path}'{did_you_mean(name_or_path, scenarios)}",
        hint=f"a path to a .yaml file works too; the scenarios found: {shipped}",
    )


def notify_template_names(user_dir: Path | None = None) -> frozenset[str]:
    """Notification templates: NAME has ``notify/NAME.txt.j2`` (and usually ``.html.j2``)."""
    names: set[str] = set()
    for directory in template_dirs(user_dir):
        notify_dir = directory / "notify"
        if notify_dir.is_dir():
            names.update(p.name.removesuffix(".txt.j2") for p in notify_dir.glob("*.txt.j2"))
    return frozenset(names)
