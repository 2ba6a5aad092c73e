"""Shared test fixtures. Paths to test data live in tests/shared.py (``from shared import``)."""

from __future__ import annotations

import pytest

from shared import FIXTURES, REPO, SHARED_DATA, shared_data

__all__ = ["FIXTURES", "REPO", "SHARED_DATA", "shared_data"]  # older tests import them from here


@pytest.fixture(autouse=True)
def _isolated_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test may touch the real user data directory: point every default somewhere private."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))  # the all.zip cache
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))  # the remembered actor name
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")  # no user.name from the machine's git
    monkeypatch.setenv("IRBOOK_LOG_DIR", str(home / "logs"))
    monkeypatch.setenv("IRBOOK_OUTPUT_DIR", str(home / "incidents"))
    for name in (
        "IRBOOK_DB",
        "IRBOOK_RUNBOOKS",
        "IRBOOK_TEMPLATES",
        "IRBOOK_ACTOR",
        "IRBOOK_CONFIG_DIR",
    ):
        monkeypatch.delenv(name, raising=False)
