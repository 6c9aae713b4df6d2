"""Accessibility and layout of every console page, checked in the browser: labels, names,
landmarks, lang="id", unique ids, AA text contrast (tests/web/a11y.js), a skip link first in
the focus order, no sideways scrolling on a 390-px phone; plus the login and logout path."""

from __future__ import annotations

from pathlib import Path

import pytest

from web_support import LAPTOP, PHONE  # first: adds tests/api to the path
from api_support import ADMIN_KEY, text_payload, unique_wa_id, wait_until

A11Y = (Path(__file__).parent / "a11y.js").read_text(encoding="utf-8")


def open_conversation(server) -> int:
    """A conversation with an open draft (posted as a WhatsApp message)."""
    wa_id = unique_wa_id()
    server.post_webhook(text_payload(wa_id, "berapa biaya membuat NIB?"))
    admin = server.client(ADMIN_KEY)

    def conv_id():
        convs = admin.get("/api/v1/conversations", params={"contact": wa_id}).json()["items"]
        if convs and convs[0]["open_drafts"]:
            return convs[0]["conversation_id"]
        return None

    cid = wait_until(conv_id, 60)
    assert cid, "message was not drafted"
    return cid


def check(page, path: str) -> None:
    response = page.goto(path)
    assert response.status == 200, (path, response.status)
    problems = page.evaluate(A11Y)
    assert problems == [], (path, page.viewport_size, problems)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, (path, page.viewport_size, f"{overflow}px sideways scroll")


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366", "390"])
def test_pages_are_accessible_and_fit(web_server, login, viewport):
    cid = open_conversation(web_server)
    admin = login("admin", viewport)
    for path in ("/antrian", f"/percakapan/{cid}", "/basis-pengetahuan",
                 "/basis-pengetahuan/jawaban", "/basis-pengetahuan/belum-terjawab",
                 "/uji-cari?q=syarat+NIB", "/dasbor", "/audit"):
        check(admin, path)
    # Details that start closed hide forms; open them all and check again.
    admin.goto("/basis-pengetahuan")
    for summary in admin.locator("details > summary").all()[:3]:
        summary.click()
    assert admin.evaluate(A11Y) == []


def test_skip_link_is_first_and_login_logout(web_server, browser, keys):
    ctx = browser.new_context(viewport=LAPTOP, base_url=web_server.base_url)
    try:
        page = ctx.new_page()
        r = page.goto("/antrian")  # not signed in: to the login form, remembering the page
        assert "/masuk?lanjut=/antrian" in page.url and r.status == 200
        assert page.evaluate(A11Y) == []
        page.get_by_label("Kunci API").fill("lt_kunci-salah")
        page.get_by_role("button", name="Masuk").click()
        assert "tidak valid" in page.get_by_role("alert").inner_text()
        page.get_by_label("Kunci API").fill(keys["officer"])
        page.get_by_role("button", name="Masuk").click()
        page.wait_for_url("**/antrian")
        cookie = next(c for c in ctx.cookies() if c["name"] == "lantunan_sesi")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
        assert keys["officer"] not in cookie["value"]

        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent.trim()") == \
            "Lewati ke konten utama"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "isi"

        page.get_by_role("button", name="Keluar").click()
        page.wait_for_url("**/masuk")
        page.goto("/antrian")
        assert "/masuk" in page.url
    finally:
        ctx.close()


def test_revoked_key_ends_the_session(web_server, login):
    admin = web_server.client(ADMIN_KEY)
    created = admin.post("/api/v1/users", json={"name": "Petugas Sementara",
                                                "role": "officer"}).json()
    ctx_page = login("admin")  # any signed-in page gives us the browser to reuse
    browser_ctx = ctx_page.context.browser.new_context(base_url=web_server.base_url)
    try:
        page = browser_ctx.new_page()
        page.goto("/masuk")
        page.get_by_label("Kunci API").fill(created["key"])
        page.get_by_role("button", name="Masuk").click()
        page.wait_for_url("**/antrian")
        assert admin.post(f"/api/v1/users/{created['id']}/revoke").status_code == 200
        page.goto("/antrian")
        assert "/masuk" in page.url
    finally:
        browser_ctx.close()


def test_the_checker_itself_flags_problems(browser, web_server):
    """The in-browser check is not vacuous: a bad page yields the expected complaints."""
    ctx = browser.new_context()
    try:
        page = ctx.new_page()
        page.set_content("""<html lang="en"><body><main><h1>x</h1>
            <input type="text"><button></button><img src="data:,">
            <p style="color:#aaa;background:#fff">pale text</p>
            <span id="a">1</span><span id="a">2</span></main></body></html>""")
        problems = "\n".join(page.evaluate(A11Y))
    finally:
        ctx.close()
    for expected in ("unlabelled control", "control without a name", "image without alt",
                     "contrast", "pale text", "html lang", "duplicate id a",
                     "missing header/footer"):
        assert expected in problems, (expected, problems)
