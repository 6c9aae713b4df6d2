"""The officer's path in a real browser: sign in, watch a WhatsApp question arrive in the queue
without reloading, open it, read a citation's whole section, edit the draft and send it with
Ctrl+Enter; the applicant (fake Graph API) receives the edited text, the draft leaves the queue
and the audit log (API and admin page) names the officer."""

from __future__ import annotations

import re

from web_support import LAPTOP, PHONE, masked, screenshot  # first: adds tests/api to the path
from api_support import ADMIN_KEY, text_payload, unique_wa_id, wait_until


def _sign_in_as_officer(login):
    """The officer lands on the queue; curator-only entries are not offered."""
    page = login("officer")
    assert page.url.endswith("/antrian")
    assert page.get_by_role("navigation", name="Menu utama").get_by_role(
        "link", name="Antrean").get_attribute("aria-current") == "page"
    # Curator-only entries are not offered to an officer.
    assert page.get_by_role("link", name="Uji cari").count() == 0
    page.evaluate("window.__sameDocument = true")
    return page


def _post_messages(web_server, question: str) -> tuple[str, str, str]:
    """Two messages that need an officer, then the question this test answers.
    Returns (wa_id of the question, wa_id of the NIK message, the NIK)."""
    nik_wa, nik = unique_wa_id(), "6301234567890123"
    web_server.post_webhook(text_payload(nik_wa, f"NIK saya {nik}, kapan izin saya selesai?"))
    # A plain complaint about the service: the queue must show its "Pengaduan" badge. ("saya mau
    # komplain, sudah 2 minggu PBG belum terbit" is as much a case-status check, and the model
    # may take either reason; both reach a person.)
    web_server.post_webhook(text_payload(unique_wa_id(), "saya mau komplain, pelayanan di loket "
                                                         "kemarin lambat sekali dan petugasnya ketus"))
    wa_id = unique_wa_id()
    assert web_server.post_webhook(text_payload(wa_id, question)).status_code == 200
    return wa_id, nik_wa, nik


def _check_queue_rows(page, wa_id: str, nik_wa: str, nik: str):
    """The row appears by polling; the marker proves the page was not reloaded.
    Returns the question's row."""
    row = page.locator("#queue tr", has_text=masked(wa_id))
    row.wait_for(timeout=60_000)
    assert page.evaluate("window.__sameDocument") is True
    assert wa_id not in page.content()  # the full number is never shown
    assert row.locator(".badge", has_text="Antrean petugas").count() == 1
    assert row.locator(".badge", has_text="Jam kerja").count() == 1
    assert re.fullmatch(r"sisa (23 j \d+ mnt|2[34] j)", row.locator(".win").inner_text())
    assert re.fullmatch(r"\d+%", row.locator("td[data-label=Keyakinan]").inner_text())
    nik_row = page.locator("#queue tr", has_text=masked(nik_wa))
    nik_row.wait_for()
    assert nik_row.locator(".badge", has_text="Data pribadi").count() == 1
    assert nik not in nik_row.inner_text()  # the preview masks personal data
    assert page.locator("#queue tr .badge", has_text="Pengaduan").count() >= 1
    return row


def _screenshots(page, name: str) -> None:
    """Laptop and phone screenshots of the current page, back at laptop size."""
    screenshot(page, f"{name}-1366x768")
    page.set_viewport_size(PHONE)
    screenshot(page, f"{name}-390x844")
    page.set_viewport_size(LAPTOP)


def _check_citation_card(page) -> None:
    """A citation card: locator, quoted passage; a click opens the whole section."""
    card = page.locator("article.cite").first
    quote = card.locator("blockquote").inner_text().strip()
    assert quote
    section = card.locator(".section-text")
    assert not section.is_visible()
    card.locator("summary").click()
    assert section.is_visible()
    assert quote[:40] in section.inner_text()
    mark = section.locator("mark")
    assert mark.count() == 1  # the quoted passage is marked in the section ...
    page.wait_for_function("() => { const b = document.querySelector('.cite .section-text');"
                           " const m = b.querySelector('mark'); return m.offsetTop - b.scrollTop"
                           " < b.clientHeight; }")  # ... and scrolled into the box's view
    shortcuts = page.locator(".shortcuts").inner_text()
    assert "Ctrl" in shortcuts and "Alt" in shortcuts


def _check_sent_and_audited(web_server, fake_graph, wa_id: str, conv_id: int, edited: str,
                            proposed: str) -> None:
    """The applicant got the edited text; the audit names the officer; the queue is empty."""
    assert fake_graph.wait_for(lambda: any(c.text == edited for c in fake_graph.delivered(wa_id)))
    admin = web_server.client(ADMIN_KEY)
    entries = admin.get("/api/v1/audit", params={"conversation_id": conv_id}).json()["items"]
    edit = next(e for e in entries if e["action"] == "officer.edit")
    assert edit["actor"].startswith("officer:Budi Petugas")
    assert edit["detail"]["final_text"] == edited
    assert edit["detail"]["original_text"] == proposed.strip()
    open_items = admin.get("/api/v1/queue", params={"conversation_id": conv_id}).json()["items"]
    assert open_items == []


def test_officer_sees_new_message_edits_draft_and_sends(web_server, fake_graph, login):
    page = _sign_in_as_officer(login)
    question = "apa syarat membuat NIB untuk PT?"
    wa_id, nik_wa, nik = _post_messages(web_server, question)
    row = _check_queue_rows(page, wa_id, nik_wa, nik)
    conv_id = int(row.get_attribute("data-conversation"))
    _screenshots(page, "queue")

    row.get_by_role("link", name=question).click()
    page.wait_for_url(f"**/percakapan/{conv_id}?draf=*")
    assert page.get_by_role("heading", name=f"Percakapan dengan {masked(wa_id)}").is_visible()
    assert page.locator(".msg-in", has_text=question).count() == 1
    textarea = page.get_by_label("Teks balasan")
    proposed = textarea.input_value()
    assert proposed.strip()
    _check_citation_card(page)
    _screenshots(page, "conversation")

    edited = "Selamat siang. Untuk NIB PT siapkan akta pendirian, SK AHU, dan NPWP badan " \
             "usaha. (Disunting petugas)"
    textarea.fill(edited)
    textarea.press("Control+Enter")  # the documented shortcut for "Kirim hasil edit"
    page.wait_for_url("**/antrian?ok=terkirim")
    assert "Balasan terkirim" in page.locator(".flash").inner_text()
    assert page.locator("#queue tr", has_text=masked(wa_id)).count() == 0
    _check_sent_and_audited(web_server, fake_graph, wa_id, conv_id, edited, proposed)

    # The conversation page now shows the sent reply and the decision.
    page.goto(f"/percakapan/{conv_id}")
    assert page.locator(".msg-out", has_text="Disunting petugas").count() == 1
    assert "Disunting dan dikirim" in page.locator(".decisions").inner_text()


def test_admin_audit_page_lists_the_officer_action(web_server, login):
    wa_id = unique_wa_id()
    web_server.post_webhook(text_payload(wa_id, "berapa lama proses penerbitan NIB?"))
    admin = web_server.client(ADMIN_KEY)

    def open_draft():
        convs = admin.get("/api/v1/conversations", params={"contact": wa_id}).json()["items"]
        if not convs:
            return None
        items = admin.get("/api/v1/queue", params={
            "conversation_id": convs[0]["conversation_id"]}).json()["items"]
        return items[0] if items else None

    item = wait_until(open_draft, 60)
    assert item, "the message was not drafted"
    page = login("officer")
    page.goto(f"/percakapan/{item['conversation_id']}")
    page.get_by_role("button", name="Ambil alih").click()
    assert "sekarang Anda tangani" in page.locator(".flash").inner_text()
    assert page.get_by_role("button", name="Lepas").is_visible()
    page.get_by_label("Catatan penolakan").fill("Perlu cek data OSS dulu")
    page.get_by_role("button", name="Tolak").click()
    page.wait_for_url("**/antrian?ok=ditolak")

    admin_page = login("admin")
    admin_page.goto(f"/audit?percakapan={item['conversation_id']}")
    actions = admin_page.locator("tr[data-action]")
    names = [actions.nth(i).get_attribute("data-action") for i in range(actions.count())]
    assert {"officer.claim", "officer.reject"} <= set(names)
    reject_row = admin_page.locator("tr[data-action='officer.reject']")
    assert "Budi Petugas" in reject_row.inner_text()
    assert "Perlu cek data OSS dulu" in reject_row.inner_text()


def test_closed_conversation_shows_refusal_in_page(web_server, login):
    """A second decision on an already decided draft is refused with the service's reason."""
    wa_id = unique_wa_id()
    web_server.post_webhook(text_payload(wa_id, "apa itu KBLI?"))
    admin = web_server.client(ADMIN_KEY)

    def drafted():
        convs = admin.get("/api/v1/conversations", params={"contact": wa_id}).json()["items"]
        if not convs:
            return None
        items = admin.get("/api/v1/queue", params={
            "conversation_id": convs[0]["conversation_id"], "status": "all"}).json()["items"]
        return items[0] if items else None

    item = wait_until(drafted, 60)
    assert item and item["status"] == "open"
    page = login("officer")
    page.goto(f"/percakapan/{item['conversation_id']}?draf={item['draft_id']}")
    # Someone else decides meanwhile (through the API with the admin key).
    r = admin.post(f"/api/v1/drafts/{item['draft_id']}/reject", json={"note": "duplikat"})
    assert r.status_code == 200, r.text
    page.get_by_label("Teks balasan").fill("Jawaban yang terlambat")
    page.get_by_role("button", name="Kirim hasil edit").click()
    alert = page.get_by_role("alert")
    assert "sudah diputuskan" in alert.inner_text() or "ditangani oleh" in alert.inner_text()
