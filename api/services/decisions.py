"""Officer decisions on drafts: approve, edit, reject, and the manual reply.

Every action runs in one transaction together with its audit entry, its decision row and the
reply intent; the send itself happens after commit (``delivery.deliver``). Closing a draft is
a conditional UPDATE, so of two officers deciding at once one wins and the other gets 409.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import update
from sqlalchemy.orm import Session

from api import audit
from api.auth import Principal
from api.db import Conversation, Decision, DraftRow, Message, utcnow
from api.schemas.officer import ActionResult, DeliveryView
from api.services.claims import need_person, take_claim
from api.services.delivery import check_window, deliver, record_outbound
from api.services.errors import ServiceError, not_found
from api.services.queue_views import get_conversation, get_draft, proposed_text

if TYPE_CHECKING:
    from api.context import Context

MAX_REPLY_CHARS = 4096


def clean_text(text: str | None, what: str = "Teks balasan") -> str:
    """The stripped text; 422 when empty or longer than a WhatsApp message allows."""
    text = (text or "").strip()
    if not text:
        raise ServiceError(422, f"{what} tidak boleh kosong.", "empty_text")
    if len(text) > MAX_REPLY_CHARS:
        raise ServiceError(422, f"{what} terlalu panjang (maks {MAX_REPLY_CHARS} karakter).",
                           "text_too_long")
    return text


def _open_draft(s: Session, rt: Context, draft_id: int, principal: Principal,
                now: datetime) -> tuple[DraftRow, Conversation]:
    d = s.get(DraftRow, draft_id)
    if d is None:
        raise not_found("Draf", draft_id)
    conv = take_claim(s, rt, d.conversation_id, principal, now)
    if d.status != "open":
        raise ServiceError(409, f"Draf {draft_id} sudah diputuskan (status: {d.status}).",
                           "already_decided", status=d.status)
    return d, conv


def _close_draft(s: Session, d: DraftRow, status: str, principal: Principal,
                 now: datetime) -> None:
    """Move a draft out of "open"; the conditional UPDATE makes a racing decision lose."""
    won = s.execute(
        update(DraftRow).where(DraftRow.id == d.id, DraftRow.status == "open")
        .values(status=status, decided_at=now, decided_by=principal.key_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if won != 1:
        raise ServiceError(409, f"Draf {d.id} baru saja diputuskan oleh petugas lain.",
                           "already_decided")


def _result(rt: Context, draft_id: int | None, out_id: int | None,
            conversation_id: int) -> ActionResult:
    """Send the recorded reply (if any), then the draft or conversation as it is now."""
    delivery = None
    if out_id is not None:
        status = deliver(rt, out_id)
        with rt.db.transaction() as s:
            m = s.get(Message, out_id)
            delivery = DeliveryView(message_id=out_id, status=status,
                                    error=m.error if m else None,
                                    wamid=m.external_id if m else None)
    if draft_id is not None:
        return ActionResult(delivery=delivery, draft=get_draft(rt, draft_id))
    return ActionResult(delivery=delivery, conversation=get_conversation(rt, conversation_id))


def _send_decision(rt: Context, principal: Principal, draft_id: int, kind: str,
                   text: str | None) -> ActionResult:
    """Approve (``text`` None: the proposed text) or edit: close the draft, record the
    decision and the reply intent, then send."""
    now = utcnow()
    with rt.db.transaction() as s:
        d, conv = _open_draft(s, rt, draft_id, principal, now)
        original = proposed_text(d)
        final = text if text is not None else original
        if not final:
            raise ServiceError(409, "Draf ini tidak memuat jawaban untuk disetujui; gunakan "
                                    "edit atau balas manual.", "nothing_to_approve")
        check_window(conv, rt.settings, now)
        _close_draft(s, d, "approved" if kind == "approve" else "edited", principal, now)
        out = record_outbound(s, conv, final, f"draft:{d.id}", principal.label, d.id)
        s.add(Decision(conversation_id=conv.id, draft_id=d.id, kind=kind,
                       actor=principal.label, actor_key_id=principal.key_id,
                       original_text=original, final_text=final, outbound_message_id=out.id,
                       created_at=now))
        detail = {"final_text": final, "outbound_message_id": out.id}
        if kind == "edit":
            detail = {"original_text": original, **detail}
        audit.record(s, principal.label, f"officer.{kind}", "draft", d.id, conv.id, detail)
        out_id, conv_id = out.id, conv.id
    return _result(rt, draft_id, out_id, conv_id)


def approve(rt: Context, principal: Principal, draft_id: int) -> ActionResult:
    """Send the draft as it is."""
    return _send_decision(rt, principal, draft_id, "approve", None)


def edit(rt: Context, principal: Principal, draft_id: int, text: str) -> ActionResult:
    """Send the officer's edited text; the original draft is kept beside it."""
    return _send_decision(rt, principal, draft_id, "edit", clean_text(text))


def reject(rt: Context, principal: Principal, draft_id: int, note: str) -> ActionResult:
    """Reject a draft with a note; nothing is sent."""
    note = clean_text(note, "Catatan penolakan")
    now = utcnow()
    with rt.db.transaction() as s:
        d, conv = _open_draft(s, rt, draft_id, principal, now)
        _close_draft(s, d, "rejected", principal, now)
        s.add(Decision(conversation_id=conv.id, draft_id=d.id, kind="reject",
                       actor=principal.label, actor_key_id=principal.key_id,
                       original_text=proposed_text(d), note=note, created_at=now))
        audit.record(s, principal.label, "officer.reject", "draft", d.id, conv.id,
                     {"note": note, "original_text": proposed_text(d)})
        conv_id = conv.id
    return _result(rt, draft_id, None, conv_id)


def _answered_draft(s: Session, conv: Conversation, draft_id: int) -> DraftRow:
    """The open draft of ``conv`` a manual reply answers; 422/409 otherwise."""
    d = s.get(DraftRow, draft_id)
    if d is None or d.conversation_id != conv.id:
        raise ServiceError(422, f"Draf {draft_id} bukan milik percakapan ini.", "draft_mismatch")
    if d.status != "open":
        raise ServiceError(409, f"Draf {draft_id} sudah diputuskan (status: {d.status}).",
                           "already_decided", status=d.status)
    return d


def reply(rt: Context, principal: Principal, conversation_id: int, text: str,
          draft_id: int | None = None, client_ref: str | None = None) -> ActionResult:
    """Send a manual reply (optionally closing an open draft it answers)."""
    text = clean_text(text)
    now = utcnow()
    me = need_person(principal)
    with rt.db.transaction() as s:
        conv = take_claim(s, rt, conversation_id, principal, now)
        d = _answered_draft(s, conv, draft_id) if draft_id is not None else None
        original = proposed_text(d) if d is not None else None
        check_window(conv, rt.settings, now)
        if d is not None:
            _close_draft(s, d, "replied", principal, now)
        key = f"reply:{me}:{client_ref}" if client_ref else f"reply:{uuid.uuid4().hex}"
        out = record_outbound(s, conv, text, key[:100], principal.label, draft_id)
        s.add(Decision(conversation_id=conv.id, draft_id=draft_id, kind="reply",
                       actor=principal.label, actor_key_id=principal.key_id,
                       original_text=original, final_text=text, outbound_message_id=out.id,
                       created_at=now))
        audit.record(s, principal.label, "officer.reply", "conversation", conv.id, conv.id,
                     {"draft_id": draft_id, "final_text": text, "original_text": original,
                      "outbound_message_id": out.id})
        out_id = out.id
    return _result(rt, None, out_id, conversation_id)
