"""A new office's first hour, in the browser: /docs (Swagger UI) renders the API's operations
offline (every script, style and icon comes from the server itself, the fastapi-offline
package; no request leaves 127.0.0.1), and the empty queue says how to send a first message
and how to add a regulation."""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from api_support import ADMIN_KEY, Server, server_env, start_server
from web_support import LAPTOP, screenshot

LOCAL_HOSTS = {"127.0.0.1"}


@pytest.fixture(scope="module")
def docs_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with an empty KB: the docs need neither the KB nor the responder.
    (Chromium is required by the session's `browser` fixture, which the page tests use.)"""
    work = tmp_path_factory.mktemp("docs-server")
    # The Graph API is never called here: an unroutable local port stands in for it.
    env = server_env(work / "data", "http://127.0.0.1:9", None, log_json="false")
    srv = start_server(work, env, wait_ready=False)
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def offline_page(docs_server: Server, browser: Any) -> Iterator[tuple[Any, list[str]]]:
    """A page that records every request and aborts any that would leave the machine.

    It uses the session's Chromium (tests/web/conftest.py): a second sync Playwright in the
    same process fails once the session's is running."""
    yield from _recording_page(browser, docs_server.base_url)


def _recording_page(browser: Any, base_url: str) -> Iterator[tuple[Any, list[str]]]:
    ctx = browser.new_context(viewport=LAPTOP, base_url=base_url)
    ctx.set_default_timeout(20_000)
    requests: list[str] = []

    def keep_local(route: Any) -> None:
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            route.abort()

    ctx.route("**/*", keep_local)
    page = ctx.new_page()
    page.on("request", lambda req: requests.append(req.url))
    try:
        yield page, requests
    finally:
        ctx.close()


def _outside(requests: list[str]) -> list[str]:
    return [u for u in requests
            if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).hostname not in LOCAL_HOSTS]


def test_swagger_ui_renders_operations_offline(offline_page: tuple[Any, list[str]]) -> None:
    page, requests = offline_page
    page.goto("/docs")
    page.wait_for_selector(".opblock", state="visible")
    page.wait_for_load_state("networkidle")
    assert page.locator(".swagger-ui .info .title").inner_text().startswith("Lantunan API")
    ops = page.locator(".opblock")
    assert ops.count() >= 10, ops.count()
    channel = page.locator(".opblock-post", has=page.locator("[data-path='/api/v1/messages']"))
    assert channel.count() == 1
    # Opening an operation works (the bundle's own JS, not just the server-rendered page).
    channel.locator(".opblock-summary").click()
    page.wait_for_selector(".opblock-post.is-open .opblock-body", state="visible")
    screenshot(page, "api-docs")
    assert _outside(requests) == [], _outside(requests)
    assert any("/static-offline-docs/swagger-ui-bundle.js" in u for u in requests)
    assert any(u.endswith("/openapi.json") for u in requests)


def test_no_docs_page_that_needs_a_cdn(docs_server: Server) -> None:
    # ReDoc's bundle fetches its logo from a CDN: the app serves Swagger UI only.
    assert docs_server.client(None).get("/redoc").status_code == 404
    html = docs_server.client(None).get("/docs").text
    assert "cdn." not in html and "https://" not in html, html


def test_empty_queue_says_how_to_try_it(offline_page: tuple[Any, list[str]],
                                         docs_server: Server) -> None:
    page, requests = offline_page
    page.goto("/masuk")
    page.get_by_label("Kunci API").fill(ADMIN_KEY)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/antrian**")
    assert page.locator("#queue-count").inner_text() == "0"
    hint = page.locator("details.try-it")
    hint.locator("summary").click()
    cmd = hint.locator("pre.cmd").inner_text()
    assert f"curl -s {docs_server.base_url}/api/v1/messages" in cmd
    assert "Authorization: Bearer KUNCI_ADMIN" in cmd
    assert "lantunan ingest" in hint.inner_text()
    assert hint.get_by_role("link", name="Basis pengetahuan").get_attribute("href") == "/basis-pengetahuan"
    screenshot(page, "queue-empty-try-it")
    assert _outside(requests) == [], _outside(requests)
    # The hint's command, as printed, is accepted by the server (the admin key may post).
    args = shlex.split(cmd.replace("\\\n", " ").replace("KUNCI_ADMIN", ADMIN_KEY))
    body = json.loads(args[args.index("-d") + 1])
    r = docs_server.client(ADMIN_KEY).post("/api/v1/messages", json=body)
    assert r.status_code == 202, r.text
    assert set(r.json()) == {"message_id", "conversation_id", "duplicate", "status_url"}


def test_console_speaks_indonesian_and_has_an_icon(offline_page: tuple[Any, list[str]],
                                                   docs_server: Server) -> None:
    page, requests = offline_page
    page.goto("/masuk")
    page.get_by_label("Kunci API").fill(ADMIN_KEY)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/antrian**")
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert icon == "/static/favicon.svg"
    assert docs_server.client(None).get(icon).headers["content-type"].startswith("image/svg")

    # The audit log: Indonesian actions and readable details, one date format.
    page.goto("/audit")
    login_row = page.locator("tr[data-action='web.login']").first
    assert "Masuk konsol" in login_row.inner_text()
    assert "admin (Admin)" in login_row.locator("td[data-label=Pelaku]").inner_text()
    boot = page.locator("tr[data-action='auth.bootstrap_admin']")
    assert "asal" in boot.inner_text() and "dari pengaturan" in boot.inner_text()
    assert "{" not in page.locator("table.audit").inner_text()  # no raw JSON
    times = page.locator("td[data-label=Waktu]").all_inner_texts()
    assert times and all(len(t) == 16 and t[2] == "-" and t[10] == " " for t in times), times
    screenshot(page, "audit")
    assert _outside(requests) == [], _outside(requests)


def test_upload_control_is_indonesian(login: Any, tmp_path: Any) -> None:
    """The browser's own file control says "Choose File"; ours says "Pilih berkas…" and shows
    the chosen file's name (needs the sample-KB server: the page lists the documents)."""
    page = login("curator")
    page.goto("/basis-pengetahuan")
    assert page.locator("label.file-btn[for=berkas]").inner_text() == "Pilih berkas…"
    assert page.locator("#berkas-nama").inner_text() == "Belum ada berkas dipilih"
    sop = tmp_path / "sop-contoh.md"
    sop.write_text("# SOP Contoh\n\n## 1. Tujuan\n\nContoh.\n", encoding="utf-8")
    page.get_by_label("Berkas (PDF, DOCX").set_input_files(str(sop))
    assert page.locator("#berkas-nama").inner_text() == "sop-contoh.md"
    # Every document's "Ganti berkas" control is ours too, and still found by its label.
    row = page.locator("tr[data-doc]").first
    row.locator("summary").click()
    assert row.locator("label.file-btn").inner_text() == "Pilih berkas…"
    assert row.get_by_label("Ganti berkas").count() == 1
    screenshot(page, "kb-upload-picker")
