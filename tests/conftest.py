"""Shared fixtures. Tests that need ../shared skip where it is absent (a user's fresh clone)
and fail instead where LANTUNAN_REQUIRE_SHARED=1 (set by .ci/run)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LANTUNAN_SHARED_DIR", REPO.parent / "shared"))


def require_shared(*parts: str) -> Path:
    """Path inside ../shared; skip (or fail in CI) when it is missing."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        msg = f"needs {path} (the shared corpus beside the checkout); not present here"
        if os.environ.get("LANTUNAN_REQUIRE_SHARED") == "1":
            pytest.fail(msg + " but LANTUNAN_REQUIRE_SHARED=1 (CI)")
        pytest.skip(msg)
    return path


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The ../shared folder (skips or fails as described above)."""
    return require_shared()


@pytest.fixture(scope="session")
def regulations_dir() -> Path:
    """../shared/corpus/regulations."""
    return require_shared("corpus", "regulations")
