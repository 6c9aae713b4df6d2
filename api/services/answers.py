"""Curator work the console offers and the JSON API does not yet: the officer edits still
waiting to be promoted, and writing a reviewed answer by hand (a new one started from an
unanswered question, or a correction of an existing one).

Same rules as ``api.services.curation``: the KB write happens under ``rt.kb_lock`` and is
audited right after it succeeded.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select

from api import audit
from api.auth import Principal
from api.db import Decision, DraftRow
from api.schemas.curation import PendingEdit, ReviewedAnswerView
from api.services.curation import answer_view
from api.services.errors import ServiceError, not_found

if TYPE_CHECKING:
    from api.context import Context

MAX_QUESTION = 1000
MAX_ANSWER = 4096


def pending_edits(rt: Context, limit: int = 50) -> list[PendingEdit]:
    """Officer edits and manual replies to a draft, newest first, not yet promoted."""
    promoted = {a.id for a in rt.require_kb().reviewed_answers()}
    out: list[PendingEdit] = []
    seen: set[int] = set()
    with rt.db.transaction() as s:
        rows = s.execute(
            select(Decision, DraftRow).join(DraftRow, DraftRow.id == Decision.draft_id)
            .where(Decision.kind.in_(("edit", "reply")), Decision.final_text.is_not(None))
            .order_by(Decision.id.desc()).limit(limit * 4))
        for dec, d in rows:
            if d.id in seen or f"officer-edit-{d.id}" in promoted:
                continue
            seen.add(d.id)
            out.append(PendingEdit(draft_id=d.id, conversation_id=d.conversation_id,
                                   question=d.question, original_text=dec.original_text or "",
                                   final_text=dec.final_text or "", actor=dec.actor,
                                   at=dec.created_at.isoformat(), kind=dec.kind))
            if len(out) >= limit:
                break
    return out


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def save_reviewed_answer(rt: Context, principal: Principal, answer_id: str | None,
                         question: str, answer: str, variants: str = "",
                         sources: str = "") -> ReviewedAnswerView:
    """Create (no ``answer_id``) or update a reviewed answer; variants/sources one per line."""
    from knowledge.models import ReviewedAnswer

    kb = rt.require_kb()
    question, answer = (question or "").strip(), (answer or "").strip()
    if not question:
        raise ServiceError(422, "Pertanyaan tidak boleh kosong.", "empty_text")
    if not answer:
        raise ServiceError(422, "Jawaban tidak boleh kosong.", "empty_text")
    if len(question) > MAX_QUESTION or len(answer) > MAX_ANSWER:
        raise ServiceError(422, f"Pertanyaan maks {MAX_QUESTION} karakter dan jawaban maks "
                                f"{MAX_ANSWER} karakter.", "text_too_long")
    before = None
    if answer_id:
        before = next((a for a in kb.reviewed_answers() if a.id == answer_id), None)
        if before is None:
            raise not_found("Jawaban tertinjau", answer_id)
    variant_list = [v for v in _lines(variants) if v != question]
    ra = ReviewedAnswer(
        id=answer_id or f"kurator-{uuid.uuid4().hex[:10]}", question=question, answer=answer,
        variants=list(dict.fromkeys(variant_list)), sources=list(dict.fromkeys(_lines(sources))),
        reviewed=date.today(),
        # A curator's own answer is a curated FAQ entry that no FAQ file owns.
        origin=before.origin if before else "faq", doc_id=before.doc_id if before else None)
    with rt.kb_lock:
        kb.add_reviewed_answer(ra)
    with rt.db.transaction() as s:
        audit.record(s, principal.label, "kb.save_answer", "reviewed_answer", ra.id, None, {
            "created": before is None, "question": ra.question, "answer": ra.answer,
            "variants": ra.variants, "sources": ra.sources,
            "previous": answer_view(before).model_dump() if before else None})
    return answer_view(ra)
