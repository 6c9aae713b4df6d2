"""Helpers of the browser suite (imported by conftest and tests): Chromium location and
flags, viewports, screenshots, the page's CSRF token."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))

from api_support import REPO  # noqa: E402

CHROMIUM = os.environ.get("LANTUNAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SCREENSHOTS = REPO / "artifacts" / "screenshots"
ALWAYS_OPEN = json.dumps({str(d): ["00:00:00", "23:59:59"] for d in range(7)})
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot to artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def csrf_of(page: Any) -> str:
    """The session's CSRF token as the page's forms carry it."""
    token = page.locator("input[name=csrf]").first.get_attribute("value")
    assert token and re.fullmatch(r"[A-Za-z0-9_-]+", token)
    return token


def masked(wa_id: str) -> str:
    """How the console shows an Indonesian WhatsApp number."""
    return f"+62 {wa_id[2:5]}-****-{wa_id[-4:]}"
