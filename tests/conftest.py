"""Shared test fixtures.

The real data in ../shared/data (OSV records, JSON schemas, lockfile fixtures) is used by relative
path. On a user's clone it is absent and those tests skip with a reason; in CI (``CI`` set) it is
always there, so its absence fails instead of hiding work.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def shared_data(*parts: str) -> Path:
    """Path under ../shared/data; skip (or, in CI, fail) when it is missing."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        reason = f"real data not available: {path} (it lives beside the checkout in ../shared/data)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must have it", pytrace=False)
        pytest.skip(reason)
    return path


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may touch the real user data directory: point every default somewhere private."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    monkeypatch.setenv("IRBOOK_LOG_DIR", str(home / "logs"))
    monkeypatch.setenv("IRBOOK_OUTPUT_DIR", str(home / "incidents"))
    for name in ("IRBOOK_DB", "IRBOOK_RUNBOOKS", "IRBOOK_TEMPLATES", "IRBOOK_ACTOR"):
        monkeypatch.delenv(name, raising=False)
