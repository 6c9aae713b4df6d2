"""Curator pages: documents (upload, replace, status, remove), reviewed answers and officer
edits waiting for promotion, unanswered questions grouped by similarity, and the search
playground. Officers see the lists read-only; every write needs ``kb:write``."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi import Path as FPath
from fastapi.responses import HTMLResponse, JSONResponse, Response

from api.auth import Perm
from api.masking import KIND_LABELS
from api.services import answers, curation
from api.services.errors import ServiceError
from api.services.jobs import RUNNING, jobs_of
from api.validation import DbId, lenient_int
from api.web.common import (
    SECURITY_HEADERS, form_user, html_errors, page_user, redirect, render, runtime_of,
)
from api.web.session import WebUser

router = APIRouter(include_in_schema=False)
reader = page_user(Perm.KB_READ)
writer = form_user(Perm.KB_WRITE)
OUTCOMES = {"added": "ditambahkan", "replaced": "diganti", "unchanged": "tidak berubah"}
STATUS_CHOICES = (("berlaku", "Berlaku"), ("diubah", "Diubah"), ("dicabut", "Dicabut"))
JOB_STEPS = (("parsing", "Membaca berkas"), ("embedding", "Menyematkan teks"),
             ("switching", "Memasang ke indeks"), ("done", "Selesai"))
MOMENTS = {"sekarang": "Sekarang", "jam_kerja": "Pada jam kerja",
           "luar_jam": "Di luar jam kerja"}


def _documents_page(request: Request, user: WebUser, error: str | None = None,
                    status: int = 200) -> Response:
    rt = runtime_of(request)
    docs = sorted(curation.list_documents(rt), key=lambda d: (d["kind"], d["id"]))
    q = request.query_params
    uploaded = None
    if q.get("unggah"):
        uploaded = {"doc": q.get("unggah"), "outcome": OUTCOMES.get(q.get("hasil", ""), ""),
                    "chunks": q.get("potongan", "")}
    can_write = user.can(Perm.KB_WRITE)
    return render(request, "kb_documents.html", {
        "docs": docs, "stats": curation.kb_stats(rt), "uploaded": uploaded,
        "jobs": jobs_of(rt).recent() if can_write else [],
        "can_write": can_write, "statuses": STATUS_CHOICES, "error": error,
        "tab": "dokumen", "changed": q.get("dok", "")}, status)


@router.get("/basis-pengetahuan", response_class=HTMLResponse)
@html_errors
def documents(request: Request, user: WebUser = Depends(reader)) -> Response:
    """Documents with kind, status, chunk count and last ingest."""
    return _documents_page(request, user)


@router.post("/basis-pengetahuan/unggah")
@html_errors
def upload(request: Request, berkas: UploadFile | None = File(None),
           status: str = Form(""), pengganti: str = Form(""), ganti: str = Form(""),
           user: WebUser = Depends(writer)) -> Response:
    """Add or replace a document; ``ganti`` names the document a new file replaces."""
    rt = runtime_of(request)
    if berkas is None or not berkas.filename:
        return _documents_page(request, user, "Pilih berkas yang akan diunggah.", 422)
    name = berkas.filename
    if ganti:
        # The document id comes from the file name: keep the replaced document's name so the
        # new file replaces it (whatever the uploaded file was called), with its own format.
        if rt.require_kb().get_document(ganti) is None:
            raise ServiceError(404, f"Dokumen {ganti} tidak ditemukan.", "not_found")
        name = ganti + Path(name).suffix.lower()
    try:
        # What can be refused without parsing is refused here (same page, with the reason);
        # the ingest itself runs as a job whose progress page the curator lands on.
        job = jobs_of(rt).submit(user.principal, name, berkas.file.read(), status or None,
                                 pengganti.strip() or None)
    except ServiceError as exc:
        return _documents_page(request, user, exc.message, exc.status)
    return redirect(f"/basis-pengetahuan/unggah/{job['job_id']}", lanjut=1)


def _job_view(job: dict[str, Any]) -> dict[str, Any]:
    """The job as the progress page and its polling script see it: where to go when done."""
    result = job.get("result") or {}
    doc = result.get("document") or {}
    next_url = ""
    if job["stage"] == "done":
        next_url = "/basis-pengetahuan?" + urlencode({
            "unggah": doc.get("id", job["file"]), "hasil": result.get("outcome", ""),
            "potongan": result.get("chunks", 0)})
    # "curator:Sari#3" (the audit's label) reads as "Sari" on the page.
    by_name = re.sub(r"^[a-z_]+:(.*)#\d+$", r"\1", job["by"] or "")
    return {**job, "next_url": next_url, "running": job["stage"] in RUNNING,
            "by_name": by_name, "steps": _step_states(job)}


def _step_states(job: dict[str, Any]) -> list[str]:
    """Class of each of ``JOB_STEPS``: done, now, failed (where the job stopped) or todo."""
    order = [key for key, _ in JOB_STEPS]
    if job["stage"] == "done":
        return ["step-done"] * len(order)
    failed = job["stage"] == "failed"
    current = (job.get("error") or {}).get("stage", "") if failed else job["stage"]
    at = order.index(current) if current in order else -1
    return ["step-done" if i < at else ("step-failed" if failed else "step-now") if i == at
            else "step-todo" for i in range(len(order))]


@router.get("/basis-pengetahuan/unggah/{job_id}", response_class=HTMLResponse)
@html_errors
def upload_job(request: Request, job_id: str = FPath(max_length=32, pattern="^[0-9a-f]+$"),
               lanjut: str = Query("", max_length=1),
               user: WebUser = Depends(reader)) -> Response:
    """Progress of an upload: stage, units embedded of total, the result or the reason it
    failed. Refreshed by ``console.js`` from the JSON below (a meta refresh without JS);
    ``lanjut=1`` (straight after uploading) moves on to the document list when done."""
    job = _job_view(jobs_of(runtime_of(request)).get(job_id))
    return render(request, "kb_upload_job.html", {"job": job, "tab": "dokumen",
                                                  "steps": JOB_STEPS, "forward": lanjut == "1"})


@router.get("/basis-pengetahuan/unggah/{job_id}/status")
def upload_job_status(request: Request,
                      job_id: str = FPath(max_length=32, pattern="^[0-9a-f]+$"),
                      user: WebUser = Depends(reader)) -> Response:
    """The job as JSON for the progress page's polling (session cookie, no API key)."""
    try:
        job = _job_view(jobs_of(runtime_of(request)).get(job_id))
    except ServiceError as exc:
        return JSONResponse(exc.to_json(), status_code=exc.status, headers=SECURITY_HEADERS)
    return JSONResponse(job, headers=SECURITY_HEADERS)


@router.post("/basis-pengetahuan/dokumen/{doc_id}/status")
@html_errors
def set_status(request: Request, doc_id: str, status: str = Form(""),
               pengganti: str = Form(""), user: WebUser = Depends(writer)) -> Response:
    """berlaku / diubah / dicabut, with the replacing document."""
    try:
        curation.set_document_status(runtime_of(request), user.principal, doc_id, status,
                                     pengganti.strip() or None)
    except ServiceError as exc:
        return _documents_page(request, user, exc.message, exc.status)
    return redirect("/basis-pengetahuan", ok="status", dok=doc_id)


@router.post("/basis-pengetahuan/dokumen/{doc_id}/hapus")
@html_errors
def remove(request: Request, doc_id: str, user: WebUser = Depends(writer)) -> Response:
    """Delete a document with its chunks and reviewed answers."""
    curation.remove_document(runtime_of(request), user.principal, doc_id)
    return redirect("/basis-pengetahuan", ok="dihapus")


def _answers_page(request: Request, user: WebUser, error: str | None = None,
                  form: dict[str, str] | None = None, status: int = 200) -> Response:
    rt = runtime_of(request)
    q = request.query_params
    items = sorted(curation.list_reviewed_answers(rt),
                   key=lambda a: (a.get("reviewed") or "", a["id"]), reverse=True)
    new = form or {"question": q.get("pertanyaan", ""), "answer": "",
                   "variants": q.get("varian", ""), "sources": ""}
    can_write = user.can(Perm.KB_WRITE)
    return render(request, "kb_answers.html", {
        "answers": items, "edits": answers.pending_edits(rt) if can_write else [],
        "can_write": can_write, "new": new, "error": error, "tab": "jawaban",
        # Only known labels: a crafted link cannot put its own words into the notice.
        "masked_note": ", ".join(x for x in q.get("tersamar", "")[:300].split(", ")
                                 if x in KIND_LABELS.values()),
        "prefilled": bool(q.get("pertanyaan"))}, status)


@router.get("/basis-pengetahuan/jawaban", response_class=HTMLResponse)
@html_errors
def answers_page(request: Request, user: WebUser = Depends(reader)) -> Response:
    """Reviewed answers (editable by curators) and officer edits awaiting promotion."""
    return _answers_page(request, user)


@router.post("/basis-pengetahuan/jawaban")
@html_errors
def save_answer(request: Request, id: str = Form(""), pertanyaan: str = Form(""),
                jawaban: str = Form(""), varian: str = Form(""), sumber: str = Form(""),
                user: WebUser = Depends(writer)) -> Response:
    """Create or update a reviewed answer."""
    try:
        answers.save_reviewed_answer(runtime_of(request), user.principal, id or None,
                                     pertanyaan, jawaban, varian, sumber)
    except ServiceError as exc:
        form = {"question": pertanyaan, "answer": jawaban, "variants": varian,
                "sources": sumber}
        return _answers_page(request, user, exc.message, form if not id else None, exc.status)
    return redirect("/basis-pengetahuan/jawaban", ok="jawaban")


@router.post("/basis-pengetahuan/suntingan/{draft_id}/promosikan")
@html_errors
def promote(request: Request, draft_id: DbId, pertanyaan: str = Form(""),
            jawaban: str = Form(""), user: WebUser = Depends(writer)) -> Response:
    """Turn an officer's edit into a reviewed answer."""
    try:
        res = curation.promote_edit(runtime_of(request), user.principal, draft_id,
                                    pertanyaan or None, jawaban or None)
    except ServiceError as exc:
        return _answers_page(request, user, exc.message, None, exc.status)
    # What was masked before storing (issue 12): shown above the list after the redirect.
    return redirect("/basis-pengetahuan/jawaban", ok="promosi",
                    tersamar=", ".join(res.get("masked_labels") or []))


@router.get("/basis-pengetahuan/belum-terjawab", response_class=HTMLResponse)
@html_errors
def unanswered(request: Request, hari: str = Query("30", max_length=4),
               user: WebUser = Depends(reader)) -> Response:
    """Handed-off, rejected and failed questions grouped by similarity."""
    days = lenient_int(hari, 30, 1, 365)
    clusters = curation.unanswered_clusters(runtime_of(request), since_days=days)
    return render(request, "kb_unanswered.html", {
        "clusters": clusters, "hari": days, "can_write": user.can(Perm.KB_WRITE),
        "tab": "belum"})


def _moment(kind: str, settings: Any) -> tuple[datetime, bool]:
    """When the playground pretends the question arrived (the policy depends on it), and
    whether such a moment exists in the last week (an office open around the clock has no
    "outside office hours")."""
    from responder.office_hours import is_office_hours

    now = datetime.now(timezone.utc)
    if kind not in ("jam_kerja", "luar_jam"):
        return now, True
    want, at = kind == "jam_kerja", now
    for _ in range(8 * 24 * 4):  # a week and a day in 15-minute steps covers any schedule
        if is_office_hours(at, settings) == want:
            return at, True
        at -= timedelta(minutes=15)
    return now, False


@router.get("/uji-cari", response_class=HTMLResponse)
@html_errors
def playground(request: Request, q: str = Query("", max_length=1000),
               waktu: str = Query("sekarang", max_length=12),
               user: WebUser = Depends(page_user(Perm.KB_WRITE))) -> Response:
    """Fused hits with per-signal scores, and the draft the responder would write."""
    from responder.steps import SEARCH_K

    rt = runtime_of(request)
    hits, draft, at, possible = [], None, None, True
    if q.strip():
        kb, responder = rt.require_kb(), rt.require_responder()
        at, possible = _moment(waktu, rt.settings)
        with rt.kb_lock:  # same guard as the worker: no KB write while we read
            d = responder.respond(q.strip(), at)
            # The same search the responder ran: normalised text plus the original wording.
            query = getattr(d, "normalised_message", "") or q.strip()
            found = kb.search(query, k=SEARCH_K, extra_queries=[q.strip()])
        draft = d.to_json()
        hits = [{**h.to_json(), "rank": h.rank, "section": h.chunk.section,
                 "reviewed": h.reviewed_answer.id if h.reviewed_answer else None}
                for h in found]
    return render(request, "playground.html", {
        "q": q, "waktu": waktu if waktu in MOMENTS else "sekarang", "moments": MOMENTS,
        "hits": hits, "draft": draft, "at": at, "moment_possible": possible})
