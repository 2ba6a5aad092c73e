"""Paths to test data, importable from any test module as ``from shared import ...``.

(Not in conftest.py: several conftest modules exist, and ``from conftest import`` would pick
whichever was imported last.)

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
