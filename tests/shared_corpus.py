"""Locating ../shared for tests: skip where it is absent (a user's fresh clone), fail in CI.

A module of its own (not conftest) so test files can import it even where a nested
conftest.py shadows the top-level one.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LANTUNAN_SHARED_DIR", REPO.parent / "shared"))


def require_shared(*parts: str) -> Path:
    """Path inside ../shared; skip (or fail when LANTUNAN_REQUIRE_SHARED=1) when it is missing."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        msg = f"needs {path} (the shared corpus beside the checkout); not present here"
        if os.environ.get("LANTUNAN_REQUIRE_SHARED") == "1":
            pytest.fail(msg + " but LANTUNAN_REQUIRE_SHARED=1 (CI)")
        pytest.skip(msg)
    return path
