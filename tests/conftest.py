"""Shared fixtures. Tests that need ../shared skip where it is absent (a user's fresh clone)
and fail instead where LANTUNAN_REQUIRE_SHARED=1 (set by .ci/run)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from shared_corpus import REPO, SHARED, require_shared  # noqa: E402,F401


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The ../shared folder (skips or fails as described above)."""
    return require_shared()


@pytest.fixture(scope="session")
def regulations_dir() -> Path:
    """../shared/corpus/regulations."""
    return require_shared("corpus", "regulations")
