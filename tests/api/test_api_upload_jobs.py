"""Upload jobs against a real server: a 300-page PDF is ingested in the background while a
WhatsApp message sent meanwhile is drafted on the current index, the document switches in
whole when the job ends, and a job cut off by a crash shows as failed ("interrupted") after the
restart."""

from __future__ import annotations

import io
import time
from datetime import datetime
from typing import Any

import pytest
from pypdf import PdfReader

from api_support import off_hours_time, text_payload, unique_wa_id, wait_until
from pdf_support import text_pdf

RUNNING = ("queued", "parsing", "embedding", "switching")


def sop_pdf(salt: str, pages: int = 300) -> bytes:
    """A 300-page SOP with one short line per page. ``salt`` makes the text new to the
    vector cache (a cached text would embed nothing and the job would end at once)."""
    body = [["SOP UJI UNGGAH BESAR", "Unit: DPMPTSP Kabupaten Balangan",
             "Status dokumen: berlaku"]]
    for i in range(1, pages):
        body.append([f"Halaman {i}. Layanan uji nomor {i} kode {salt} dilayani di loket "
                     f"{i % 5 + 1}."])
    return text_pdf(body)


def conversation_drafts(server: Any, wa_id: str) -> list[dict[str, Any]]:
    """The drafts of one applicant's conversation (empty until one exists)."""
    client = server.client()
    items = client.get("/api/v1/conversations", params={"contact": wa_id}).json()["items"]
    if not items:
        return []
    return client.get(f"/api/v1/conversations/{items[0]['conversation_id']}").json()["drafts"]


def drafted_in(server: Any, wa_id: str, question: str) -> tuple[float, dict[str, Any]]:
    """Send ``question`` from a new applicant; seconds until its draft exists, and the draft."""
    sent = time.monotonic()
    assert server.post_webhook(text_payload(wa_id, question, at=off_hours_time())
                               ).status_code == 200
    drafts = wait_until(lambda: conversation_drafts(server, wa_id), 120, interval=0.1)
    assert drafts, f"no draft for {wa_id}"
    return time.monotonic() - sent, drafts[0]


def job_of(server: Any, job_id: str) -> dict[str, Any]:
    """The job as the status endpoint reports it."""
    r = server.client().get(f"/api/v1/upload-jobs/{job_id}")
    assert r.status_code == 200, r.text
    return r.json()


def document_ids(server: Any) -> set[str]:
    """Ids of the documents in the knowledge base."""
    return {d["id"] for d in server.client().get("/api/v1/documents").json()}


def test_300_page_pdf_upload_does_not_hold_up_drafting(backend, spawn):
    """The must-show of issue 11 item 5: a message sent while a 300-page PDF is being ingested
    is drafted while that job is still running, on the index as it was."""
    if backend != "sqlite":
        pytest.skip("the KB lock does not depend on the conversation database (CPU-bound)")
    server = spawn()
    # Models load lazily: the first draft warms them; the second is the drafting time of a
    # message with no upload running (printed beside the one during the upload).
    drafted_in(server, unique_wa_id(), "Berapa biaya membuat NIB?")
    quiet, _ = drafted_in(server, unique_wa_id(), "Berapa lama pengaduan ditanggapi?")

    salt = f"u{time.time_ns() % 10**9}"
    pdf = sop_pdf(salt)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 300
    started = time.monotonic()
    r = server.client().post("/api/v1/documents", files={"file": ("sop-uji-300.pdf", pdf)},
                             data={"background": "true"})
    assert r.status_code == 202, r.text
    job_id = r.json()["job_id"]
    # Parsing is over and embedding under way: the job now competes for the CPU and the
    # embedder with the worker that drafts applicants' messages.
    busy = wait_until(lambda: (lambda j: j if j["stage"] == "embedding" and j["done"] >= 4
                               or j["stage"] in ("done", "failed") else None)(
                                   job_of(server, job_id)), 120, interval=0.1)
    assert busy and busy["stage"] == "embedding", busy
    assert busy["chunks"] and busy["total"] > busy["done"]

    during, draft = drafted_in(server, unique_wa_id(),
                               "Apa syarat membuat NIB untuk perorangan?")
    state = job_of(server, job_id)
    assert state["stage"] in RUNNING, f"the job ended before the draft: {state}"
    # Answering went on from the index as it was: the new document is not half there.
    assert "sop-uji-300" not in document_ids(server)

    final = wait_until(lambda: (lambda j: j if j["stage"] in ("done", "failed") else None)(
        job_of(server, job_id)), 300, interval=0.2)
    total = time.monotonic() - started
    assert final and final["stage"] == "done", final
    drafted_at = datetime.fromisoformat(draft["created_at"]).timestamp()
    assert drafted_at < final["finished_at"], "the draft waited for the upload"
    assert final["done"] == final["total"] and final["result"]["outcome"] == "added"
    docs = {d["id"]: d for d in server.client().get("/api/v1/documents").json()}
    assert docs["sop-uji-300"]["chunks"] == final["result"]["chunks"] == final["chunks"]
    print(f"\n300-page PDF: {final['chunks']} chunks, {final['total']} units embedded, job "
          f"{total:.1f}s; message drafted in {during:.1f}s during the upload (no upload: "
          f"{quiet:.1f}s), {final['finished_at'] - drafted_at:.1f}s before the job ended")

    # Searchable as a whole once switched: a question only this document answers cites it.
    _, after = drafted_in(server, unique_wa_id(),
                          f"Di loket mana layanan uji nomor 137 kode {salt} dilayani?")
    cited = {c["doc_id"] for c in after["citations"]}
    assert "sop-uji-300" in cited, after


def test_interrupted_job_shows_failed_after_restart(spawn):
    """kill -9 during the embedding: the next start marks the job failed with the reason
    "interrupted" (in Indonesian), and the document was never half added."""
    first = spawn()
    salt = f"k{time.time_ns() % 10**9}"
    r = first.client().post("/api/v1/documents",
                            files={"file": ("sop-uji-putus.pdf", sop_pdf(salt))},
                            data={"background": "true"})
    assert r.status_code == 202, r.text
    job_id = r.json()["job_id"]
    busy = wait_until(lambda: (lambda j: j if j["stage"] == "embedding" and j["done"] >= 1
                               or j["stage"] in ("done", "failed") else None)(
                                   job_of(first, job_id)), 120, interval=0.05)
    assert busy and busy["stage"] == "embedding", busy
    first.kill()

    second = spawn()
    job = job_of(second, job_id)
    assert job["stage"] == "failed" and job["error"]["code"] == "interrupted", job
    assert "dimulai ulang" in job["error"]["detail"] and job["finished_at"]
    assert job["message"].startswith("Gagal:")
    assert "sop-uji-putus" not in document_ids(second)
    entries = second.client().get("/api/v1/audit", params={"action": "kb.upload_interrupted"}
                                  ).json()["items"]
    assert any(e["target_id"] == job_id for e in entries), entries
    # The queue of the new process works: the same file, uploaded again, goes through.
    r = second.client().post("/api/v1/documents",
                             files={"file": ("sop-uji-putus.md", b"# SOP Putus\n\n## 1. Isi"
                                                                b"\n\nTeks pendek.\n")},
                             data={"background": "true"})
    assert r.status_code == 202
    again = wait_until(lambda: (lambda j: j if j["stage"] in ("done", "failed") else None)(
        job_of(second, r.json()["job_id"])), 120, interval=0.2)
    assert again and again["stage"] == "done", again


def test_upload_jobs_table_added_to_the_release_database(backend, tmp_path):
    """Revision 0004 on the last release's database (SQLite and PostgreSQL, built by the frozen
    legacy schema): the table appears, the database is at head, and a job row round-trips with
    its JSON and times."""
    from alembic import command
    from sqlalchemy import inspect

    from api.db import Database, UploadJob, utcnow
    from api.migrations.runner import alembic_config, head_revision
    from api_support import database
    from legacy_schema import legacy_migrate

    with database(backend) as url:
        db = Database(url or f"sqlite:///{tmp_path / 'v1.db'}")
        try:
            assert legacy_migrate(db.engine) == 1  # what an existing install has
            assert "upload_jobs" not in inspect(db.engine).get_table_names()
            assert db.migrate() == head_revision()
            assert db.migrate() == head_revision()  # a second start changes nothing
            tables = inspect(db.engine).get_table_names()
            assert "upload_jobs" in tables and "schema_version" not in tables
            assert "ix_upload_jobs_created" in {
                i["name"] for i in inspect(db.engine).get_indexes("upload_jobs")}
            now = utcnow()
            with db.transaction() as s:
                s.add(UploadJob(id="a" * 32, filename="x.pdf", actor="curator:S#1",
                                owner="h:1", stage="failed", done=3, total=9,
                                error={"detail": "Gagal \u2013 uji", "code": "interrupted"},
                                created_at=now, updated_at=now, finished_at=now))
            with db.transaction() as s:
                row = s.get(UploadJob, "a" * 32)
                assert row.error["detail"] == "Gagal \u2013 uji" and row.chunks is None
                assert abs((row.finished_at - now).total_seconds()) < 1
            with db.engine.begin() as conn:  # downgrade drops the table, upgrade brings it back
                command.downgrade(alembic_config(conn), "0003")
            assert "upload_jobs" not in inspect(db.engine).get_table_names()
            assert db.migrate() == head_revision()
            with db.transaction() as s:
                assert s.get(UploadJob, "a" * 32) is None
        finally:
            db.dispose()
