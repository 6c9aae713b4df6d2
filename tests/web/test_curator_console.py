"""The curator's pages in a real browser: upload an SOP and see its chunks counted, mark it
dicabut and see the badge, replace it through "Ganti berkas", turn a handed-off question into a
reviewed answer, promote an officer's edit, try the search playground. Role limits are checked
on both sides: the page hides what a role may not do and the server refuses it (403)."""

from __future__ import annotations

from web_support import LAPTOP, PHONE, csrf_of, screenshot  # first: adds tests/api to the path
from api_support import ADMIN_KEY, text_payload, unique_wa_id, wait_until

SOP = """# SOP Uji Peminjaman Ruang Rapat Pelayanan

Unit: DPMPTSPTK Kabupaten Balangan
Status dokumen: berlaku

## 1. Tujuan

Prosedur ini mengatur peminjaman ruang rapat lantai dua oleh pelaku usaha untuk konsultasi.

## 2. Ketentuan

1. Peminjaman diajukan paling lambat dua hari kerja sebelumnya melalui loket informasi.
2. Ruang rapat dipakai paling lama dua jam per sesi.

## 3. Pembatalan

Pembatalan disampaikan kepada petugas loket paling lambat satu hari kerja sebelumnya.
"""


def drafts_of(server, wa_id: str, status: str = "open") -> list[dict]:
    """Queue items of one applicant (admin API)."""
    admin = server.client(ADMIN_KEY)
    convs = admin.get("/api/v1/conversations", params={"contact": wa_id}).json()["items"]
    if not convs:
        return []
    return admin.get("/api/v1/queue", params={"conversation_id": convs[0]["conversation_id"],
                                              "status": status}).json()["items"]


def _upload_sop(page, web_server, tmp_path) -> dict:
    """Upload the SOP; the page counts its chunks as the API does. Returns the API document."""
    sop = tmp_path / "sop-uji-ruang-rapat.md"
    sop.write_text(SOP, encoding="utf-8")
    page.get_by_label("Berkas (PDF, DOCX").set_input_files(str(sop))
    page.get_by_role("button", name="Unggah", exact=True).click()
    page.wait_for_url("**/basis-pengetahuan?unggah=sop-uji-ruang-rapat*")
    result = page.locator("#upload-result").inner_text()
    assert "sop-uji-ruang-rapat" in result and "ditambahkan" in result
    api_doc = next(d for d in web_server.client(ADMIN_KEY).get("/api/v1/documents").json()
                   if d["id"] == "sop-uji-ruang-rapat")
    assert api_doc["chunks"] >= 3
    row = page.locator("tr[data-doc='sop-uji-ruang-rapat']")
    assert row.locator("td.chunks").inner_text() == str(api_doc["chunks"])
    assert f"{api_doc['chunks']} potongan" in result
    assert row.locator("td[data-label=Jenis]").inner_text() == "SOP"
    assert row.locator(".doc-status .badge").inner_text() == "Berlaku"
    return api_doc


def _mark_dicabut(page):
    """Mark the SOP dicabut, replaced by another id; the badge shows it. Returns the row."""
    row = page.locator("tr[data-doc='sop-uji-ruang-rapat']")
    row.locator("summary", has_text="Kelola").click()
    row.get_by_label("Status").select_option("dicabut")
    row.get_by_label("Diganti oleh").fill("sop-ruang-rapat-2027")
    row.get_by_role("button", name="Simpan status").click()
    page.wait_for_url("**/basis-pengetahuan?ok=status*")
    row = page.locator("tr[data-doc='sop-uji-ruang-rapat']")
    badge = row.locator(".doc-status .badge")
    assert badge.inner_text() == "Dicabut"
    assert "status-dicabut" in badge.get_attribute("class")
    assert "sop-ruang-rapat-2027" in row.locator(".doc-status").inner_text()
    screenshot(page, "kb-1366x768")
    page.set_viewport_size(PHONE)
    screenshot(page, "kb-390x844")
    page.set_viewport_size(LAPTOP)
    return row


def _replace_file(page, row, web_server, tmp_path, api_doc: dict) -> dict:
    """"Ganti berkas": a file of any name replaces this document (same id, new content).
    Returns the API documents by id afterwards."""
    other = tmp_path / "versi-baru.md"
    other.write_text(SOP.replace("dua jam", "tiga jam") + "\n## 4. Kebersihan\n\nPeminjam "
                     "menjaga kebersihan ruang rapat.\n", encoding="utf-8")
    row.locator("summary", has_text="Kelola").click()
    row.get_by_label("Ganti berkas").set_input_files(str(other))
    row.get_by_role("button", name="Ganti", exact=True).click()
    page.wait_for_url("**/basis-pengetahuan?unggah=sop-uji-ruang-rapat*")
    assert "diganti" in page.locator("#upload-result").inner_text()
    docs = {d["id"]: d for d in web_server.client(ADMIN_KEY).get("/api/v1/documents").json()}
    assert "versi-baru" not in docs
    assert docs["sop-uji-ruang-rapat"]["chunks"] == api_doc["chunks"] + 1
    return docs


def _broken_upload_is_refused(page, web_server, tmp_path, docs: dict) -> None:
    """A broken upload is refused with the ingest error naming the file. The first submit is
    held back in the page (after the console's own handler ran) to see the "sedang
    diproses" state it shows while the server works, then sent for real."""
    bad = tmp_path / "kosong.md"
    bad.write_bytes(b"")
    page.get_by_label("Berkas (PDF, DOCX").set_input_files(str(bad))
    page.evaluate("""() => document.addEventListener("submit", (e) => {
        window.__held = e.target; e.preventDefault(); }, {once: true})""")
    page.get_by_role("button", name="Unggah", exact=True).click()
    page.wait_for_function("() => !document.getElementById('upload-busy').hidden")
    assert "Sedang diproses" in page.locator("#upload-busy").inner_text()
    page.wait_for_function("() => document.querySelector(\"form[data-busy='upload-busy'] "
                           "button\").disabled")
    with page.expect_navigation():
        page.evaluate("() => setTimeout(() => window.__held.submit(), 0)")
    assert "kosong.md" in page.get_by_role("alert").inner_text()
    assert docs.keys() == {d["id"] for d in
                           web_server.client(ADMIN_KEY).get("/api/v1/documents").json()}


def test_curator_uploads_sop_marks_it_dicabut_and_replaces_it(web_server, login, tmp_path):
    page = login("curator")
    assert page.url.endswith("/basis-pengetahuan")
    nav = page.get_by_role("navigation", name="Menu utama")
    assert nav.get_by_role("link", name="Antrean").count() == 0  # curators do not send
    api_doc = _upload_sop(page, web_server, tmp_path)
    row = _mark_dicabut(page)
    docs = _replace_file(page, row, web_server, tmp_path, api_doc)
    _broken_upload_is_refused(page, web_server, tmp_path, docs)


def test_roles_are_enforced_by_page_and_server(web_server, login):
    wa_id = unique_wa_id()
    web_server.post_webhook(text_payload(wa_id, "apa saja syarat NIB perorangan?"))
    item = wait_until(lambda: (drafts_of(web_server, wa_id) or [None])[0], 60)
    assert item

    curator = login("curator")
    token = csrf_of(curator)
    r = curator.goto("/antrian")
    assert r.status == 403 and "Akses ditolak" in curator.content()
    r = curator.request.post(f"/draf/{item['draft_id']}/setujui", form={"csrf": token},
                             max_redirects=0)
    assert r.status == 403
    r = curator.request.post(f"/percakapan/{item['conversation_id']}/balas",
                             form={"csrf": token, "teks": "halo"}, max_redirects=0)
    assert r.status == 403
    assert drafts_of(web_server, wa_id)[0]["status"] == "open"  # nothing was sent

    officer = login("officer")
    officer.goto("/basis-pengetahuan")
    assert officer.locator("table.docs tbody tr").count() >= 5  # read-only list
    assert officer.get_by_label("Berkas (PDF, DOCX").count() == 0
    assert officer.locator("summary", has_text="Kelola").count() == 0
    token = csrf_of(officer)
    r = officer.request.post("/basis-pengetahuan/dokumen/sop-pengaduan/status",
                             form={"csrf": token, "status": "dicabut"}, max_redirects=0)
    assert r.status == 403
    officer.goto("/basis-pengetahuan/belum-terjawab")
    assert officer.get_by_role("link", name="Buat jawaban").count() == 0
    r = officer.goto("/uji-cari")
    assert r.status == 403

    # A form without the session's CSRF token is refused even for the right role.
    r = officer.request.post(f"/draf/{item['draft_id']}/setujui", form={"csrf": "palsu"},
                             max_redirects=0)
    assert r.status == 403 and "Formulir ditolak" in r.text()
    assert drafts_of(web_server, wa_id)[0]["status"] == "open"


def test_unanswered_question_becomes_a_reviewed_answer(web_server, login):
    wa_id = unique_wa_id()
    complaint = "Saya mau mengadukan petugas loket yang meminta uang tambahan untuk NIB"
    web_server.post_webhook(text_payload(wa_id, complaint))
    item = wait_until(lambda: (drafts_of(web_server, wa_id) or [None])[0], 60)
    assert item and item["action"] == "handoff"

    page = login("curator")
    page.goto("/basis-pengetahuan/belum-terjawab")
    cluster = page.locator("article.cluster", has_text=complaint)
    assert cluster.count() == 1
    assert cluster.locator(".badge", has_text="Pengaduan").count() == 1
    assert cluster.locator(".count-badge").inner_text().rstrip("×").isdigit()
    cluster.get_by_role("link", name="Buat jawaban").click()
    page.wait_for_url("**/basis-pengetahuan/jawaban?pertanyaan=*")
    assert page.get_by_label("Pertanyaan", exact=True).first.input_value() == complaint
    answer = ("Pengaduan dicatat di register pengaduan dan diteruskan ke Bidang Pengaduan; "
              "tanggapan awal paling lambat 1 hari kerja.")
    page.locator("#n-jawaban").fill(answer)
    page.locator("#n-sumber").fill("sop-pengaduan.md#§2")
    page.get_by_role("button", name="Simpan jawaban").click()
    page.wait_for_url("**/basis-pengetahuan/jawaban?ok=jawaban")
    saved = page.locator("article.answer", has_text=complaint)
    assert saved.count() == 1 and answer in saved.inner_text()
    stored = [a for a in web_server.client(ADMIN_KEY).get("/api/v1/reviewed-answers").json()
              if a["question"] == complaint]
    assert len(stored) == 1 and stored[0]["sources"] == ["sop-pengaduan.md#§2"]
    assert stored[0]["reviewed"]

    # Correct it in place through "Sunting".
    saved.locator("summary", has_text="Sunting").click()
    saved.get_by_label("Jawaban", exact=True).fill(answer + " Identitas pelapor dirahasiakan.")
    saved.get_by_role("button", name="Simpan perubahan").click()
    page.wait_for_url("**/basis-pengetahuan/jawaban?ok=jawaban")
    stored = [a for a in web_server.client(ADMIN_KEY).get("/api/v1/reviewed-answers").json()
              if a["question"] == complaint]
    assert len(stored) == 1 and stored[0]["answer"].endswith("dirahasiakan.")


def test_officer_edit_is_promoted_by_curator(web_server, login):
    wa_id = unique_wa_id()
    web_server.post_webhook(text_payload(wa_id, "bagaimana cara daftar NIB di OSS?"))
    item = wait_until(lambda: (drafts_of(web_server, wa_id) or [None])[0], 60)
    assert item
    officer = login("officer")
    officer.goto(f"/percakapan/{item['conversation_id']}")
    edited = "Daftar NIB di oss.go.id: buat akun, isi data usaha dan KBLI, lalu terbitkan NIB."
    officer.get_by_label("Teks balasan").fill(edited)
    officer.get_by_role("button", name="Kirim hasil edit").click()
    officer.wait_for_url("**/antrian?ok=terkirim")

    page = login("curator")
    page.goto("/basis-pengetahuan/jawaban")
    pending = page.locator("article.edit-item", has_text=f"Draf #{item['draft_id']}")
    assert pending.count() == 1
    assert pending.get_by_label("Jawaban (hasil suntingan petugas)").input_value() == edited
    pending.get_by_role("button", name="Jadikan jawaban tertinjau").click()
    page.wait_for_url("**/basis-pengetahuan/jawaban?ok=promosi")
    assert page.locator("article.edit-item", has_text=f"Draf #{item['draft_id']}").count() == 0
    promoted = page.locator(f"#ans-officer-edit-{item['draft_id']}")
    assert edited in promoted.inner_text() and "Suntingan petugas" in promoted.inner_text()


def test_search_playground_shows_signal_scores_and_draft(web_server, login):
    page = login("curator")
    page.goto("/uji-cari")
    page.get_by_label("Pertanyaan").fill("syarat NIB untuk PT apa saja?")
    page.get_by_label("Anggap pesan diterima").select_option("luar_jam")
    page.get_by_role("button", name="Cari").click()
    page.wait_for_url("**/uji-cari?q=*")
    hits = page.locator("tr.hit")
    assert hits.count() >= 3
    first = hits.first
    assert first.locator("td[data-label='#']").inner_text() == "1"
    fused = [float(hits.nth(i).locator("td[data-label=Gabungan]").inner_text())
             for i in range(hits.count())]
    assert fused == sorted(fused, reverse=True) and fused[0] > 0
    signals = [first.locator(f"td[data-label={s}]").inner_text() for s in ("Makna", "Kata")]
    assert any(s != "–" for s in signals)
    draft = page.locator("#draft-result")
    # This test office is open around the clock: the page says the choice is impossible.
    assert "tidak ada waktu di luar jam kerja" in page.locator("#moment-note").inner_text()
    assert "Jam kerja" in draft.inner_text()
    assert draft.locator(".badge.action-auto_send, .badge.action-handoff, "
                         ".badge.action-queue_for_officer").count() == 1
    assert "Keyakinan" in draft.inner_text()
    assert draft.locator(".cite-list li").count() >= 1
    screenshot(page, "playground-1366x768")


def test_dashboard_draws_charts_from_real_traffic(web_server, login):
    wa_id = unique_wa_id()
    web_server.post_webhook(text_payload(wa_id, "jam buka kantor kapan?"))
    assert wait_until(lambda: drafts_of(web_server, wa_id, "all"), 60)
    page = login("officer")
    page.goto("/dasbor?hari=7")
    inbound = int(page.locator(".tile", has_text="pesan masuk").locator(".tile-n").inner_text())
    assert inbound >= 1
    charts = page.locator("svg.chart[role=img]")
    assert charts.count() >= 3
    assert "masuk" in charts.first.locator("desc").text_content()
    screenshot(page, "dashboard-1366x768")
