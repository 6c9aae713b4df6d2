"""The curator's upload progress in a real browser: a 300-page PDF uploaded from the console
lands on its job page, which moves through the stages by polling a small JSON endpoint
(console.js, no third-party script) and opens the document list when done; a broken file ends
the job with its reason in Indonesian. Screenshots of the running and failed pages are written
to /tmp for review."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from web_support import LAPTOP, PHONE, screenshot  # first: adds tests/api to the path
from api_support import ADMIN_KEY

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from test_api_upload_jobs import sop_pdf  # noqa: E402

A11Y = (Path(__file__).parent / "a11y.js").read_text(encoding="utf-8")
SHOT = Path("/tmp/lantunan-upload-progress.png")
SHOT_FAILED = Path("/tmp/lantunan-upload-failed.png")
JOB_PAGE = "**/basis-pengetahuan/unggah/*?lanjut=1"


def test_console_shows_upload_progress_then_the_document(web_server, login, tmp_path):
    page = login("curator")
    page.goto("/basis-pengetahuan")
    pdf = tmp_path / "sop-uji-konsol-300.pdf"
    pdf.write_bytes(sop_pdf(f"w{time.time_ns() % 10**9}"))
    page.get_by_label("Berkas (PDF, DOCX").set_input_files(str(pdf))
    page.get_by_role("button", name="Unggah", exact=True).click()
    page.wait_for_url(JOB_PAGE)
    assert "sop-uji-konsol-300.pdf" in page.get_by_role("heading", level=2).inner_text()

    # The page follows the job by itself: embedding with a determinate bar.
    page.wait_for_function("""() => {
        const box = document.getElementById('job'), bar = document.getElementById('job-progress');
        return box.dataset.stage === 'embedding' && bar && bar.max > 1 && bar.value > 0; }""",
                           timeout=120_000)
    steps = page.locator(".job-steps li")
    assert steps.nth(0).get_attribute("class") == "step-done"
    assert steps.nth(1).get_attribute("class") == "step-now"
    assert steps.nth(3).get_attribute("class") == "step-todo"
    message = page.locator("#job-message")
    assert message.get_attribute("role") == "status"
    assert "Menyematkan teks" in message.inner_text() and " dari " in message.inner_text()
    assert page.locator("#job-error").is_hidden()
    assert page.get_by_role("link", name="Lihat dokumen").is_hidden()
    assert "Diunggah oleh Sari Kurator." in page.locator("#job").inner_text()
    assert page.evaluate(A11Y) == []
    page.screenshot(path=str(SHOT), full_page=True)
    screenshot(page, "kb-upload-progress")
    # Without JavaScript the page refreshes itself while the job runs.
    html = page.request.get(page.url.split("?")[0]).text()
    assert '<meta http-equiv="refresh" content="3">' in html

    # Done: the list of documents, the new one counted.
    page.wait_for_url("**/basis-pengetahuan?unggah=sop-uji-konsol-300*", timeout=240_000)
    result = page.locator("#upload-result").inner_text()
    assert "sop-uji-konsol-300" in result and "ditambahkan" in result
    docs = {d["id"]: d for d in web_server.client(ADMIN_KEY).get("/api/v1/documents").json()}
    assert f"{docs['sop-uji-konsol-300']['chunks']} potongan" in result
    assert page.evaluate(A11Y) == []  # with the list of recent uploads on it
    recent = page.locator(".upload-jobs li", has_text="sop-uji-konsol-300.pdf").first
    assert "Selesai" in recent.inner_text()
    # Opened again later, the job page stays put and links to the document.
    recent.get_by_role("link").click()
    page.wait_for_url("**/basis-pengetahuan/unggah/*")
    assert page.locator(".job-steps li.step-done").count() == 4
    assert page.get_by_role("link", name="Lihat dokumen").is_visible()
    page.wait_for_timeout(1500)
    assert "/basis-pengetahuan/unggah/" in page.url


def test_failed_job_shows_the_reason(web_server, login, tmp_path):
    page = login("curator", PHONE)
    page.goto("/basis-pengetahuan")
    broken = tmp_path / "perbup-rusak.pdf"
    broken.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer <<>>\n%%EOF\n")
    page.get_by_label("Berkas (PDF, DOCX").set_input_files(str(broken))
    page.get_by_role("button", name="Unggah", exact=True).click()
    page.wait_for_url(JOB_PAGE)
    alert = page.get_by_role("alert")
    alert.wait_for(state="visible", timeout=60_000)
    text = alert.inner_text()
    assert "perbup-rusak.pdf" in text and "PDF" in text and "/tmp" not in text, text
    assert text.startswith("Gagal.")
    assert page.locator("#job").get_attribute("data-stage") == "failed"
    # It stopped while reading the file: that step is marked, the later ones never started.
    assert page.locator(".job-steps li.step-failed").get_attribute("data-step") == "parsing"
    assert page.locator(".job-steps li.step-todo").count() == 3
    assert page.get_by_role("link", name="Lihat dokumen").is_hidden()
    assert page.evaluate(A11Y) == []
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    page.screenshot(path=str(SHOT_FAILED), full_page=True)
    page.set_viewport_size(LAPTOP)
    assert "perbup-rusak" not in {d["id"] for d in
                                  web_server.client(ADMIN_KEY).get("/api/v1/documents").json()}
