"""Fixtures of the browser suite: one real `python -m api serve` process (office open all day,
so grounded drafts wait for an officer) with a fake Graph API and the sample KB, keys for an
officer and a curator, and Debian's Chromium driven by Playwright.

Chromium is never downloaded by a test tool: where /usr/bin/chromium is missing the suite
skips, unless LANTUNAN_REQUIRE_SHARED=1 (CI), where it fails.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

# web_support first: it puts tests/api on the path for api_support and fake_graph.
from web_support import ALWAYS_OPEN, CHROMIUM, CHROMIUM_ARGS, LAPTOP  # noqa: E402
from api_support import (  # noqa: E402
    ACCESS_TOKEN, ADMIN_KEY, REPO, Server, server_env, start_server,
)
from fake_graph import FakeGraph  # noqa: E402


def _require_chromium() -> None:
    if Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK):
        return
    reason = (f"Chromium not found at {CHROMIUM} (install Debian's package: "
              f"apt-get install chromium, or `make chromium`)")
    if os.environ.get("LANTUNAN_REQUIRE_SHARED") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def fake_graph() -> Iterator[FakeGraph]:
    """The Graph API stand-in the server sends replies to."""
    fake = FakeGraph(token=ACCESS_TOKEN).start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def web_server(fake_graph: FakeGraph, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[Server]:
    """A server whose office is always open, on SQLite, with the sample KB ingested."""
    _require_chromium()
    from ingest.pipeline import ingest_paths
    from knowledge.store import KnowledgeBase
    from lantunan.settings import Settings

    work = tmp_path_factory.mktemp("web-server")
    data = work / "data"
    kb = KnowledgeBase(Settings(data_dir=data, _env_file=None))
    report = ingest_paths(kb, [REPO / "sample_kb"], progress=False)
    assert report.ok, [r.error for r in report.failed]
    del kb
    gc.collect()
    env = server_env(data, fake_graph.base_url, None, office_hours=ALWAYS_OPEN, holidays="[]",
                     web_poll_seconds="1", log_json="false")
    srv = start_server(work, env)
    try:
        yield srv
    finally:
        srv.stop()


def make_key(server: Server, name: str, role: str) -> str:
    """A new API key of ``role``."""
    r = server.client(ADMIN_KEY).post("/api/v1/users", json={"name": name, "role": role})
    assert r.status_code == 201, r.text
    return r.json()["key"]


@pytest.fixture(scope="session")
def keys(web_server: Server) -> dict[str, str]:
    """Keys of one officer, one curator and the admin."""
    return {"officer": make_key(web_server, "Budi Petugas", "officer"),
            "curator": make_key(web_server, "Sari Kurator", "curator"),
            "admin": ADMIN_KEY}


@pytest.fixture(scope="session")
def browser(web_server: Server) -> Iterator[Any]:
    """Headless Debian Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def login(browser: Any, web_server: Server, keys: dict[str, str]
          ) -> Iterator[Callable[..., Any]]:
    """``login(role, viewport=LAPTOP)`` → a page signed in through the login form."""
    contexts: list[Any] = []

    def _login(role: str, viewport: dict[str, int] = LAPTOP) -> Any:
        ctx = browser.new_context(viewport=viewport, base_url=web_server.base_url,
                                  locale="id-ID", timezone_id="Asia/Makassar")
        ctx.set_default_timeout(20_000)
        contexts.append(ctx)
        page = ctx.new_page()
        page.goto("/masuk")
        page.get_by_label("Kunci API").fill(keys[role])
        page.get_by_role("button", name="Masuk").click()
        page.wait_for_load_state()
        assert "/masuk" not in page.url, page.content()[:2000]
        return page

    yield _login
    for ctx in contexts:
        ctx.close()
