"""Curator work: documents (upload/replace, remove, status), reviewed answers, promotion of an
officer's edit to a reviewed answer, and the questions the system could not answer, grouped.

The knowledge base is a separate store from the conversation database, so a KB change is
made first and audited right after it succeeded.
"""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz
from sqlalchemy import or_, select

from api import audit
from api.auth import Principal
from api.db import Decision, DraftRow, utcnow
from api.masking import kind_labels, mask_pii, mask_report
from api.schemas.curation import (
    DocumentView, KbStats, PromotedAnswer, RemovedDocument, ReviewedAnswerView,
    UnansweredCluster, UploadResult,
)
from api.services.errors import ServiceError, not_found

if TYPE_CHECKING:
    from api.context import Context

STATUSES = ("berlaku", "diubah", "dicabut")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")


def document_view(d: Any) -> DocumentView:
    """A knowledge-base document as curators see it."""
    return DocumentView(id=d.id, source_name=d.source_name, kind=d.kind.value, title=d.title,
                        short_name=d.short_name, number=d.number, year=d.year,
                        status=d.status.value, replaced_by=d.replaced_by, chunks=d.chunk_count,
                        ingested_at=d.ingested_at, content_hash=d.content_hash)


def answer_view(a: Any) -> ReviewedAnswerView:
    """A reviewed answer (``knowledge.models.ReviewedAnswer``) as curators see it."""
    fields = asdict(a)
    fields["reviewed"] = a.reviewed.isoformat() if a.reviewed else None
    return ReviewedAnswerView(**fields)


def list_documents(rt: Context) -> list[DocumentView]:
    """Every document in the knowledge base."""
    return [document_view(d) for d in rt.require_kb().documents()]


def _status(status: str | None) -> Any:
    from knowledge.models import DocStatus

    if status is None or status == "":
        return None
    if status not in STATUSES:
        raise ServiceError(422, f"Status '{status}' tidak dikenal; pilih {', '.join(STATUSES)}.",
                           "bad_status")
    return DocStatus(status)


def _check_replacement(doc_id: str | None, replaced_by: str | None) -> None:
    if replaced_by and replaced_by == doc_id:
        raise ServiceError(422, "Dokumen tidak dapat menggantikan dirinya sendiri.",
                           "bad_replaced_by")


ZIP_EXTENSIONS = (".docx", ".xlsx", ".pptx", ".odt")


def check_upload_caps(settings: Any, name: str, data: bytes) -> None:
    """Refuse, before any parsing, a zip-based file that unpacks too large (a zip bomb) and a
    PDF with more pages than the office allows; 413 with the reason."""
    lower = name.lower()
    if lower.endswith(ZIP_EXTENSIONS) or data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                infos = zf.infolist()
        except (zipfile.BadZipFile, ValueError, OSError):
            if lower.endswith(ZIP_EXTENSIONS):
                raise ServiceError(422, f"{name}: berkas rusak (bukan arsip DOCX yang valid).",
                                   "bad_file") from None
            return
        unpacked = sum(i.file_size for i in infos)
        packed = max(1, sum(i.compress_size for i in infos))
        if len(infos) > 10_000 or unpacked > settings.upload_max_unpacked_bytes \
                or unpacked / packed > settings.upload_max_zip_ratio:
            raise ServiceError(413, f"{name}: isi berkas terlalu besar setelah dibuka "
                                    f"({unpacked} byte dari {len(data)} byte, {len(infos)} "
                                    f"bagian); batas {settings.upload_max_unpacked_bytes} byte "
                                    f"dan rasio {settings.upload_max_zip_ratio}:1.",
                               "unpacked_too_large")
    if lower.endswith(".pdf") or data[:5] == b"%PDF-":
        from pypdf import PdfReader

        try:
            pages = len(PdfReader(io.BytesIO(data), strict=False).pages)
        except Exception:  # noqa: BLE001 (a broken PDF is the ingest's 422 to report)
            return
        if pages > settings.upload_max_pdf_pages:
            raise ServiceError(413, f"{name}: {pages} halaman; batas "
                                    f"{settings.upload_max_pdf_pages} halaman per berkas.",
                               "too_many_pages")


class _LockOnWrite:
    """The knowledge base as ``ingest_file`` sees it during an upload: reads go straight
    through (the catalog has its own lock); ``upsert`` first fills the vector cache outside the
    KB lock, then takes the lock only for the switch, which then embeds nothing."""

    def __init__(self, kb: Any, lock: Any, report: Any = None) -> None:
        self._kb = kb
        self._lock = lock
        self._report = report

    def __getattr__(self, name: str) -> Any:
        return getattr(self._kb, name)

    def upsert(self, parsed: Any, progress: Any = None) -> str:
        if self._report:
            self._report("embedding", 0, 0, chunks=len(parsed.chunks))
        warm_vectors(self._kb, parsed.chunks, report=self._report)
        if self._report:
            self._report("switching", -1, -1)  # -1: keep the embedding counts
        with self._lock:
            return self._kb.upsert(parsed, progress=progress)


def warm_vectors(kb: Any, chunks: list[Any], batch: int = 4, report: Any = None) -> int:
    """Embed the units of ``chunks`` that the KB's vector cache lacks, without the KB lock.
    The embedder serialises its calls, so a draft's query waits for one batch at most: small
    batches keep that wait short (measured: a draft during a 60 s upload took 1.2 s against
    0.4 s with no upload; batches of 16 made it 3.3 s). Mirrors the unit texts
    ``KnowledgeBase.upsert`` embeds; returns how many were embedded."""
    from knowledge.models import content_hash
    from knowledge.units import chunk_units

    model = kb.embedder.name
    texts = {content_hash(u.indexed): u.indexed for c in chunks for u in chunk_units(c)}
    cached = kb.catalog.cached_vectors(model, sorted(texts))
    todo = [(h, t) for h, t in texts.items() if h not in cached]
    for i in range(0, len(todo), batch):
        if report:
            report("embedding", i, len(todo))
        part = todo[i:i + batch]
        vectors = kb.embedder.embed_passages([t for _, t in part])
        kb.catalog.store_vectors(model, {h: v for (h, _), v in zip(part, vectors)})
    if report:
        report("embedding", len(todo), len(todo))
    return len(todo)


def check_upload(rt: Context, filename: str, data: bytes, status: str | None = None,
                 replaced_by: str | None = None) -> str:
    """Everything about an upload that can be refused before ingesting it; the safe name."""
    from ingest.pipeline import doc_id_for

    rt.require_kb()
    name = _SAFE_NAME.sub("_", Path(filename or "").name).strip(" .")
    if not name or "." not in name:
        raise ServiceError(422, "Nama berkas harus memiliki ekstensi (mis. .pdf, .docx, .md, "
                                ".txt, .html, .yaml, .csv).", "bad_filename")
    if not data:
        raise ServiceError(422, f"{name}: berkas kosong.", "empty_file")
    _status(status)
    _check_replacement(doc_id_for(Path(name)), replaced_by)
    check_upload_caps(rt.settings, name, data)
    return name


def upload_document(rt: Context, principal: Principal, filename: str, data: bytes,
                    status: str | None = None, replaced_by: str | None = None,
                    report: Any = None) -> dict[str, Any]:
    """Add or replace a document from an uploaded file; a bad file is a 422 naming the reason.
    ``report(stage, done, total, chunks=None)`` hears the progress (parsing, embedding with
    units done of total and the chunk count once parsed, switching)."""
    from ingest.pipeline import ingest_file

    name = check_upload(rt, filename, data, status, replaced_by)
    kb = rt.require_kb()
    st = _status(status)
    if report:
        report("parsing", 0, 0)
    with tempfile.TemporaryDirectory(prefix="lantunan-upload-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        # Parsing and embedding run outside the KB lock: applicant messages keep being drafted
        # on the current index; the lock is held only for the atomic switch to the new chunks.
        result = ingest_file(_LockOnWrite(kb, rt.kb_lock, report), path, status=st,
                             replaced_by=replaced_by or None)
    if result.outcome == "failed":
        # The ingest error names the temp path: show the curator the name they uploaded.
        error = (result.error or "gagal").replace(str(path), name)
        raise ServiceError(422, error, "ingest_failed", file=name)
    with rt.db.transaction() as s:
        audit.record(s, principal.label, "kb.upload", "document", result.doc_id, None,
                     {"file": name, "outcome": result.outcome, "chunks": result.chunks,
                      "status": status, "replaced_by": replaced_by, "bytes": len(data)})
    doc = kb.get_document(result.doc_id)
    # The JSON form of ``UploadResult``: upload jobs store it as it is.
    return UploadResult(outcome=result.outcome, chunks=result.chunks,
                        document=document_view(doc) if doc else None).model_dump()


def remove_document(rt: Context, principal: Principal, doc_id: str) -> RemovedDocument:
    """Delete a document (chunks, vectors, its reviewed answers)."""
    kb = rt.require_kb()
    if kb.get_document(doc_id) is None:
        raise not_found("Dokumen", doc_id)
    with rt.kb_lock:
        kb.remove(doc_id)
    with rt.db.transaction() as s:
        audit.record(s, principal.label, "kb.remove", "document", doc_id)
    return RemovedDocument(removed=doc_id)


def set_document_status(rt: Context, principal: Principal, doc_id: str, status: str,
                        replaced_by: str | None = None) -> DocumentView:
    """Mark a document berlaku / diubah / dicabut, optionally naming its replacement."""
    kb = rt.require_kb()
    st = _status(status)
    if st is None:
        raise ServiceError(422, "Status wajib diisi.", "bad_status")
    before = kb.get_document(doc_id)
    if before is None:
        raise not_found("Dokumen", doc_id)
    _check_replacement(doc_id, replaced_by)
    with rt.kb_lock:
        doc = kb.set_status(doc_id, st, replaced_by or None)
    with rt.db.transaction() as s:
        audit.record(s, principal.label, "kb.set_status", "document", doc_id, None,
                     {"from": before.status.value, "to": st.value,
                      "replaced_by": replaced_by or None})
    return document_view(doc)


def list_reviewed_answers(rt: Context, origin: str | None = None) -> list[ReviewedAnswerView]:
    """Curated FAQ answers and promoted officer edits."""
    answers = rt.require_kb().reviewed_answers()
    return [answer_view(a) for a in answers if origin is None or a.origin == origin]


def citation_sources(kb: Any, citations: list[dict[str, Any]]) -> list[str]:
    """"source_name#section" references (the FAQ file's format) of a draft's citations."""
    out: list[str] = []
    for c in citations:
        chunk = kb.get_chunk(c.get("chunk_id", "")) if c.get("chunk_id") else None
        doc = kb.get_document(chunk.doc_id if chunk else c.get("doc_id", "")) \
            if (chunk or c.get("doc_id")) else None
        if chunk is not None and doc is not None:
            ref = f"{doc.source_name}#{chunk.section}"
        elif doc is not None:
            ref = doc.source_name
        else:
            ref = c.get("locator") or ""
        if ref and ref not in out:
            out.append(ref)
    return out


def promote_edit(rt: Context, principal: Principal, draft_id: int,
                 question: str | None = None, answer: str | None = None) -> PromotedAnswer:
    """Turn an officer's edited reply into a reviewed answer (sources = the draft's citations),
    personal data masked."""
    from knowledge.models import ReviewedAnswer

    kb = rt.require_kb()
    with rt.db.transaction() as s:
        d = s.get(DraftRow, draft_id)
        if d is None:
            raise not_found("Draf", draft_id)
        edit_row = s.scalar(select(Decision).where(Decision.draft_id == draft_id,
                                                   Decision.kind.in_(("edit", "reply")))
                            .order_by(Decision.id.desc()))
        if edit_row is None or not edit_row.final_text:
            raise ServiceError(409, f"Draf {draft_id} belum memiliki suntingan petugas untuk "
                                    f"dipromosikan.", "no_officer_edit")
        citations = list((d.payload or {}).get("citations") or [])
        original_question, final_text = d.question, edit_row.final_text
    answer_id = f"officer-edit-{draft_id}"
    if any(a.id == answer_id for a in kb.reviewed_answers()):
        raise ServiceError(409, f"Suntingan draf {draft_id} sudah dipromosikan ({answer_id}).",
                           "already_promoted")
    q = (question or "").strip() or original_question.strip()
    if not q:
        raise ServiceError(422, "Pertanyaan tidak boleh kosong.", "empty_text")
    # A reviewed answer can go out alone to other applicants: whatever personal data the
    # applicant's question or the officer's reply held is masked before it is stored (the
    # office's own published contacts stay), and the curator is told what was masked.
    keep = rt.settings.office_contacts
    q, masked_q = mask_report(q, keep)
    text, masked_a = mask_report((answer or "").strip() or final_text, keep)
    original, masked_o = mask_report((original_question or "").strip(), keep)
    variants = [original] if original and original != q else []
    masked = sorted(set(masked_q) | set(masked_a) | (set(masked_o) if variants else set()))
    ra = ReviewedAnswer(id=answer_id, question=q, answer=text, variants=variants,
                        sources=citation_sources(kb, citations), reviewed=date.today(),
                        origin="officer_edit", doc_id=None)
    with rt.kb_lock:
        kb.add_reviewed_answer(ra)
    with rt.db.transaction() as s:
        audit.record(s, principal.label, "kb.promote_edit", "reviewed_answer", answer_id,
                     d.conversation_id, {"draft_id": draft_id, "question": q,
                                         "answer": ra.answer, "sources": ra.sources,
                                         "masked": masked})
    return PromotedAnswer(**dict(answer_view(ra)), masked=masked,
                          masked_labels=kind_labels(masked))


def _normal(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def unanswered_clusters(rt: Context, since_days: float = 30, threshold: float = 75,
                        limit: int = 50) -> list[UnansweredCluster]:
    """Handed-off, rejected and failed questions, grouped by similarity (token-set ratio)."""
    cutoff = utcnow() - timedelta(days=since_days)
    with rt.db.transaction() as s:
        rows = list(s.scalars(select(DraftRow).where(
            DraftRow.created_at >= cutoff,
            or_(DraftRow.action == "handoff", DraftRow.status == "rejected",
                DraftRow.reason_codes.contains(",processing_error,"),
                DraftRow.reason_codes.contains(",low_confidence,")))
            .order_by(DraftRow.id)))
        items = [(d.id, d.question, d.created_at, [c for c in d.reason_codes.split(",") if c],
                  d.status) for d in rows if d.question.strip()]
    clusters: list[dict[str, Any]] = []
    for draft_id, question, at, codes, status in items:
        norm = _normal(question)
        best, best_score = None, 0.0
        for c in clusters:
            score = fuzz.token_set_ratio(norm, c["_norm"])
            if score > best_score:
                best, best_score = c, score
        if best is None or best_score < threshold:
            best = {"_norm": norm, "representative": question, "count": 0, "examples": [],
                    "draft_ids": [], "reasons": {}, "statuses": {}, "first_at": at, "last_at": at}
            clusters.append(best)
        best["count"] += 1
        best["draft_ids"].append(draft_id)
        if question not in best["examples"] and len(best["examples"]) < 5:
            best["examples"].append(question)
        for code in codes:
            best["reasons"][code] = best["reasons"].get(code, 0) + 1
        best["statuses"][status] = best["statuses"].get(status, 0) + 1
        best["last_at"] = max(best["last_at"], at)
    clusters.sort(key=lambda c: (-c["count"], c["representative"]))
    out = []
    for c in clusters[:limit]:
        c.pop("_norm")
        # Applicants' own words: masked like the console shows them (api/masking.py).
        c["representative"] = mask_pii(c["representative"])
        c["examples"] = [mask_pii(x) for x in c["examples"]]
        c["first_at"] = c["first_at"].isoformat()
        c["last_at"] = c["last_at"].isoformat()
        out.append(UnansweredCluster(**c))
    return out


def kb_stats(rt: Context) -> KbStats:
    """Counts of the knowledge base."""
    return KbStats(**rt.require_kb().stats())

