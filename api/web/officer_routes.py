"""Officer pages: the queue (with a polled fragment) and one conversation with its draft,
citations and the approve / edit / reject / claim / release / reply forms. Every action calls
``api.services.officer``; nothing is decided here."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.auth import Perm, Role
from api.context import NotReady
from api.schemas.officer import ActionResult
from api.services import officer
from api.services.errors import ServiceError
from api.validation import DbId, OptDbId
from api.web.common import form_user, html_errors, page_user, redirect, render, runtime_of
from api.web.format import REASON_LABELS
from api.web.session import WebUser

router = APIRouter(include_in_schema=False)
reader = page_user(Perm.QUEUE_READ)
sender = form_user(Perm.SEND)
CLAIM_FILTERS = {"semua": None, "saya": "me", "bebas": "unclaimed", "lain": "others"}
QUEUE_LIMIT = 200


def _queue(request: Request, user: WebUser, klaim: str, alasan: str) -> dict[str, Any]:
    """Open drafts, newest first, with the filters of the page."""
    rt = runtime_of(request)
    f = officer.QueueFilter(status="open", claimed=CLAIM_FILTERS.get(klaim),
                            reason=alasan if alasan in REASON_LABELS else None, limit=1)
    # The service lists open drafts oldest first: page to the newest QUEUE_LIMIT of them.
    total = officer.list_queue(rt, user.principal, f).total
    f.limit, f.offset = QUEUE_LIMIT, max(0, total - QUEUE_LIMIT)
    data = officer.list_queue(rt, user.principal, f)
    items = [it.model_dump() for it in reversed(data.items)]
    for it in items:
        # "Di luar jam kerja" is not a reason code; the draft records the office-hours flag.
        it["off_hours"] = (it.get("draft") or {}).get("office_hours") is False
    sig = "|".join(f"{i['draft_id']}:{(i['claimed_by'] or {}).get('key_id', '')}"
                   for i in items)
    return {"items": items, "total": data.total, "shown": len(items), "klaim": klaim,
            "alasan": alasan,
            "signature": hashlib.sha1(sig.encode()).hexdigest()[:16]}


@router.get("/antrian", response_class=HTMLResponse)
@html_errors
def queue_page(request: Request, klaim: str = Query("semua", max_length=10),
               alasan: str = Query("", max_length=64),
               user: WebUser = Depends(reader)) -> Response:
    """Conversations waiting for an officer."""
    q = _queue(request, user, klaim, alasan)
    # "off_hours" is a badge derived from the draft, not a reason code one can filter on.
    reasons = {k: v for k, v in REASON_LABELS.items() if k != "off_hours"}
    return render(request, "queue.html", {**q, "claim_filters": CLAIM_FILTERS,
                                          "reasons": reasons})


@router.get("/antrian/fragmen", response_class=HTMLResponse)
@html_errors
def queue_fragment(request: Request, klaim: str = Query("semua", max_length=10),
                   alasan: str = Query("", max_length=64),
                   user: WebUser = Depends(reader)) -> Response:
    """The queue table alone, polled by the page to show new messages without a reload."""
    q = _queue(request, user, klaim, alasan)
    response = render(request, "_queue_table.html", q)
    response.headers["X-Queue-Signature"] = q["signature"]
    return response


def _citations(rt: Any, citations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Citation cards: the quoted passage plus the whole Pasal / SOP section it belongs to."""
    try:
        kb = rt.require_kb()
    except NotReady:
        kb = None
    cards = []
    for c in citations:
        card = dict(c)
        chunk = kb.get_chunk(c.get("chunk_id", "")) if kb is not None else None
        card["section"] = chunk.section if chunk else ""
        card["section_text"] = kb.section_text(chunk.id) if chunk else ""
        # Mark the quoted sentence inside the whole section so the officer finds it at once.
        quote = (c.get("quote") or "").strip()
        at = card["section_text"].find(quote) if quote else -1
        card["parts"] = ((card["section_text"][:at], quote,
                          card["section_text"][at + len(quote):]) if at >= 0
                         else (card["section_text"], "", ""))
        doc = kb.get_document(chunk.doc_id) if chunk else None
        card["doc_title"] = doc.title if doc else ""
        card["doc_kind"] = doc.kind.value if doc else ""
        card["replaced_by"] = doc.replaced_by if doc else None
        cards.append(card)
    return cards


def _conversation_page(request: Request, user: WebUser, conversation_id: int,
                       draft_id: int | None = None, error: str | None = None,
                       text: str | None = None, status: int = 200) -> Response:
    rt = runtime_of(request)
    conv = officer.get_conversation(rt, conversation_id).model_dump()
    drafts = conv["drafts"]
    draft = None
    if draft_id is not None:
        draft = next((d for d in drafts if d["draft_id"] == draft_id), None)
    if draft is None:
        open_drafts = [d for d in drafts if d["status"] == "open"]
        draft = open_drafts[-1] if open_drafts else (drafts[-1] if drafts else None)
    claim = conv["claimed_by"]
    mine = bool(claim and claim["key_id"] == user.principal.key_id)
    return render(request, "conversation.html", {
        "conv": conv, "draft": draft,
        "citations": _citations(rt, draft["citations"]) if draft else [],
        "text": text if text is not None else ((draft or {}).get("proposed_text") or ""),
        "claim": claim, "mine": mine, "other": bool(claim and not mine),
        "can_send": user.can(Perm.SEND), "is_admin": user.principal.role == Role.ADMIN,
        "error": error,
    }, status)


@router.get("/percakapan/{conversation_id}", response_class=HTMLResponse)
@html_errors
def conversation_page(request: Request, conversation_id: DbId,
                      draf: OptDbId = None,
                      user: WebUser = Depends(reader)) -> Response:
    """History, draft, citations and the officer's actions."""
    return _conversation_page(request, user, conversation_id, draf)


def _after_send(result: ActionResult, conversation_id: int) -> Response:
    """Back to the queue when the reply went out; stay on the conversation when it failed."""
    state = result.delivery.status if result.delivery else None
    if state == "failed":
        return redirect(f"/percakapan/{conversation_id}", ok="gagal_kirim")
    return redirect("/antrian", ok="tersimpan" if state == "stored" else "terkirim")


def _draft_conversation(request: Request, draft_id: int) -> int:
    return officer.get_draft(runtime_of(request), draft_id).conversation_id


def _act(request: Request, user: WebUser, draft_id: int | None, conversation_id: int | None,
         action: Any, text: str | None = None) -> Response:
    """Run one officer action; a refusal re-renders the conversation with the reason."""
    # An unknown draft is a 404 page (html_errors), not a re-rendered conversation.
    conv_id = conversation_id or _draft_conversation(request, draft_id or 0)
    try:
        return action(conv_id)
    except ServiceError as exc:
        return _conversation_page(request, user, conv_id, draft_id, exc.message, text,
                                  exc.status)


@router.post("/draf/{draft_id}/setujui")
@html_errors
def approve(request: Request, draft_id: DbId, user: WebUser = Depends(sender)) -> Response:
    """Send the draft as it is ("Setujui & Kirim")."""
    rt = runtime_of(request)
    return _act(request, user, draft_id, None,
                lambda cid: _after_send(officer.approve(rt, user.principal, draft_id), cid))


@router.post("/draf/{draft_id}/edit")
@html_errors
def send_edit(request: Request, draft_id: DbId, teks: str = Form(""),
              user: WebUser = Depends(sender)) -> Response:
    """Send the officer's edited text ("Kirim hasil edit")."""
    rt = runtime_of(request)
    return _act(request, user, draft_id, None,
                lambda cid: _after_send(officer.edit(rt, user.principal, draft_id, teks), cid),
                teks)


@router.post("/draf/{draft_id}/tolak")
@html_errors
def reject(request: Request, draft_id: DbId, catatan: str = Form(""),
           user: WebUser = Depends(sender)) -> Response:
    """Reject the draft with a note; nothing is sent."""
    rt = runtime_of(request)

    def run(cid: int) -> Response:
        officer.reject(rt, user.principal, draft_id, catatan)
        return redirect("/antrian", ok="ditolak")

    return _act(request, user, draft_id, None, run)


@router.post("/percakapan/{conversation_id}/ambil")
@html_errors
def claim(request: Request, conversation_id: DbId, user: WebUser = Depends(sender)) -> Response:
    """Claim the conversation ("Ambil alih")."""
    rt = runtime_of(request)

    def run(cid: int) -> Response:
        officer.claim(rt, user.principal, cid)
        return redirect(f"/percakapan/{cid}", ok="diambil")

    return _act(request, user, None, conversation_id, run)


@router.post("/percakapan/{conversation_id}/lepas")
@html_errors
def release(request: Request, conversation_id: DbId, paksa: str = Form(""),
            user: WebUser = Depends(sender)) -> Response:
    """Release the claim ("Lepas"); an admin may force another officer's."""
    rt = runtime_of(request)

    def run(cid: int) -> Response:
        officer.release(rt, user.principal, cid, force=paksa == "1")
        return redirect(f"/percakapan/{cid}", ok="dilepas")

    return _act(request, user, None, conversation_id, run)


@router.post("/percakapan/{conversation_id}/balas")
@html_errors
def reply(request: Request, conversation_id: DbId, teks: str = Form(""),
          user: WebUser = Depends(sender)) -> Response:
    """A manual reply when no draft is open."""
    rt = runtime_of(request)
    return _act(request, user, None, conversation_id,
                lambda cid: _after_send(officer.reply(rt, user.principal, cid, teks), cid), teks)
