"""Draft a stored inbound message and act on the draft's action (the off-hours policy):

- ``auto_send``: send ``draft.text`` at once;
- ``handoff``: send ``draft.holding_reply`` and put the draft in the officer queue;
- ``queue_for_officer``: queue for an officer; outside office hours the responder also supplies
  a holding reply (the officer answers next working day), which is sent like a handoff's.

Claiming uses a lease (owner + expiry) so several workers, or a restarted one, never draft the
same message twice; the draft row is unique per message as a second guard.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api import audit
from api.context import Context, NotReady
from api.db import Conversation, Decision, DraftRow, Message, utcnow
from api.services.delivery import PROCESS_LEASE, deliver, record_outbound
from api.whatsapp_parse import MEDIA_TYPES, SILENT_TYPES, SILENT_UNSUPPORTED, TEXT_TYPES

log = logging.getLogger("lantunan.api.processing")

MAX_PROCESS_ATTEMPTS = 3
HISTORY_TURNS = 10
UNSUPPORTED_REPLY = (
    "Mohon maaf, saat ini kami hanya dapat membaca pesan teks. Mohon kirim pertanyaan Anda "
    "dalam bentuk pesan teks. Jangan kirim foto KTP atau dokumen pribadi melalui chat ini; "
    "petugas akan memandu bila dokumen diperlukan. Terima kasih."
)
RATE_LIMIT_NOTICE = (
    "Mohon maaf, pesan Anda sangat banyak dalam waktu singkat. Semua pesan tetap kami terima "
    "dan akan dibaca petugas; mohon tunggu balasan sebelum mengirim pesan lagi. Terima kasih."
)
# One polite "text only" reply per conversation per this period: five photos in a row should
# not get five identical answers.
UNSUPPORTED_QUIET = timedelta(minutes=10)
PROCESSING_ERROR = {"code": "processing_error",
                    "message": "Pesan gagal diproses otomatis; mohon dijawab petugas."}


def _claimable(now: datetime) -> Any:
    return and_(
        Message.direction == "in",
        or_(and_(Message.state == "pending",
                 or_(Message.lease_until.is_(None), Message.lease_until <= now)),
            and_(Message.state == "processing", Message.lease_until < now)),
    )


def claim_next_inbound(rt: Context) -> int | None:
    """Lease the oldest message ready for drafting; None when there is none."""
    now = utcnow()
    not_before = now - timedelta(seconds=max(0.0, rt.settings.api_process_delay))
    with rt.db.transaction() as s:
        ids = list(s.scalars(select(Message.id).where(_claimable(now),
                                                      Message.created_at <= not_before)
                             .order_by(Message.id).limit(5)))
        for mid in ids:
            won = s.execute(
                update(Message).where(Message.id == mid, _claimable(now))
                .values(state="processing", lease_owner=rt.owner, lease_until=now + PROCESS_LEASE,
                        attempts=Message.attempts + 1)
                .execution_options(synchronize_session=False)
            ).rowcount
            if won == 1:
                return mid
    return None


def conversation_history(s: Session, conversation_id: int, before_id: int,
                         limit: int = HISTORY_TURNS) -> list[tuple[str, str]]:
    """Earlier turns of a conversation as (role, text), role "applicant" or "office"."""
    rows = list(s.scalars(
        select(Message).where(Message.conversation_id == conversation_id, Message.id < before_id)
        .order_by(Message.id.desc()).limit(limit)))
    turns: list[tuple[str, str]] = []
    for m in reversed(rows):
        if not m.text:
            continue
        if m.direction == "in":
            turns.append(("applicant", m.text))
        elif m.status not in ("failed", "pending"):
            turns.append(("office", m.text))
    return turns


def _owned(msg: Message | None, rt: Context) -> bool:
    return msg is not None and msg.state == "processing" and msg.lease_owner == rt.owner


def _finish(msg: Message) -> None:
    msg.state, msg.processed_at, msg.lease_owner, msg.lease_until = "done", utcnow(), None, None


def process_message(rt: Context, message_id: int) -> str:
    """Draft one leased message and record decision and send intents; returns the outcome."""
    with rt.db.transaction() as s:
        msg = s.get(Message, message_id)
        if not _owned(msg, rt):
            return "not_owned"
        history = conversation_history(s, msg.conversation_id, msg.id)
        msg_type, text, received_at = msg.msg_type, msg.text, msg.received_at or msg.created_at
        notes = (msg.payload or {}).get("_lantunan") or {}
        deleted = bool(notes.get("deleted_at"))
        limited = notes.get("rate_limited")
    if limited and not deleted:
        return _handle_rate_limited(rt, message_id, bool(limited.get("notice")))
    if deleted or msg_type not in TEXT_TYPES | MEDIA_TYPES or not text.strip():
        return _handle_non_text(rt, message_id, msg_type)
    try:
        responder = rt.require_responder()
        with rt.kb_lock:
            draft = responder.respond(text, received_at, history)
    except NotReady:
        _release(rt, message_id)
        return "not_ready"
    except Exception as exc:
        log.exception("responder failed", extra={"message_id": message_id})
        return _failed(rt, message_id, f"{type(exc).__name__}: {exc}")
    return _record_draft(rt, message_id, draft)


def _handle_rate_limited(rt: Context, message_id: int, notice: bool) -> str:
    """A message over the sender's rate limit: kept, not drafted; at most one notice."""
    out_id = None
    with rt.db.transaction() as s:
        msg = s.get(Message, message_id)
        if not _owned(msg, rt):
            return "not_owned"
        conv = s.get(Conversation, msg.conversation_id)
        assert conv is not None
        if notice:
            out_id = record_outbound(s, conv, RATE_LIMIT_NOTICE, f"ratelimit:{msg.id}",
                                     "system").id
        _finish(msg)
        audit.record(s, "system", "message.rate_limited", "message", msg.id, conv.id,
                     {"notice": notice})
    if out_id is not None:
        deliver(rt, out_id)
    return "rate_limited"


def _release(rt: Context, message_id: int) -> None:
    """Give a leased message back (the responder is not ready yet)."""
    with rt.db.transaction() as s:
        msg = s.get(Message, message_id)
        if _owned(msg, rt):
            msg.state, msg.lease_owner, msg.lease_until = "pending", None, None
            msg.attempts = max(0, msg.attempts - 1)


def _handle_non_text(rt: Context, message_id: int, msg_type: str) -> str:
    """Store-only for reactions; a polite "please send text" reply for media and the like."""
    out_id = None
    with rt.db.transaction() as s:
        msg = s.get(Message, message_id)
        if not _owned(msg, rt):
            return "not_owned"
        conv = s.get(Conversation, msg.conversation_id)
        assert conv is not None
        replied = False
        if not _silent(msg):
            recent = s.scalar(select(Message.id).where(
                Message.conversation_id == conv.id, Message.direction == "out",
                Message.send_key.startswith("unsupported:"),
                Message.created_at >= utcnow() - UNSUPPORTED_QUIET))
            if recent is None:
                out_id = record_outbound(s, conv, UNSUPPORTED_REPLY, f"unsupported:{msg.id}",
                                         "system").id
                replied = True
        _finish(msg)
        audit.record(s, "system", "message.unsupported", "message", msg.id, conv.id,
                     {"type": msg_type, "replied": replied})
    if out_id is not None:
        deliver(rt, out_id)
    return "unsupported"


def _silent(msg: Message) -> bool:
    """Stored and shown to officers, but nothing is sent back (see whatsapp_parse)."""
    payload = msg.payload or {}
    if (payload.get("_lantunan") or {}).get("deleted_at"):
        return True
    if msg.msg_type in SILENT_TYPES:
        return True
    if msg.msg_type == "edit":  # an edit with no readable content: the original stands
        return True
    if msg.msg_type == "unsupported":
        detail = payload.get("unsupported") if isinstance(payload.get("unsupported"), dict) \
            else {}
        return str(detail.get("type") or "") in SILENT_UNSUPPORTED
    return False


def attachment_of(msg: Message) -> dict[str, Any] | None:
    """What an officer needs to know about a media message's attachment (never the bytes)."""
    if msg.msg_type not in MEDIA_TYPES:
        return None
    media = (msg.payload or {}).get(msg.msg_type)
    media = media if isinstance(media, dict) else {}
    info = {"type": msg.msg_type}
    for key in ("id", "mime_type", "filename", "sha256"):
        if isinstance(media.get(key), str):
            info[key] = media[key][:255]
    return info


ATTACHMENT_REASON = {"code": "attachment",
                     "message": "Pemohon melampirkan berkas/gambar; periksa lampiran sebelum "
                                "menjawab (keterangannya dipakai sebagai pertanyaan)."}


def _failed(rt: Context, message_id: int, error: str) -> str:
    """Retry later; after the last attempt queue the message for an officer with the error."""
    with rt.db.transaction() as s:
        msg = s.get(Message, message_id)
        if not _owned(msg, rt):
            return "not_owned"
        msg.error = error[:1000]
        msg.lease_owner = None
        if msg.attempts < MAX_PROCESS_ATTEMPTS:
            msg.state = "pending"
            msg.lease_until = utcnow() + timedelta(seconds=5 * msg.attempts)
            audit.record(s, "system", "message.retry", "message", msg.id, msg.conversation_id,
                         {"error": error[:300], "attempt": msg.attempts})
            return "retry"
        msg.state, msg.lease_until, msg.processed_at = "failed", None, utcnow()
        row = DraftRow(conversation_id=msg.conversation_id, message_id=msg.id, question=msg.text,
                       action="queue_for_officer", kind="handoff", confidence=0.0,
                       reason_codes=",processing_error,", text="", payload={
                           "error": error[:1000], "reasons": [PROCESSING_ERROR], "citations": []},
                       status="open", created_at=utcnow())
        s.add(row)
        s.flush()
        audit.record(s, "system", "message.failed", "message", msg.id, msg.conversation_id,
                     {"error": error[:300], "draft_id": row.id})
    return "failed"


def holding_reply_due(s: Session, conv: Conversation, quiet: timedelta,
                      now: datetime | None = None) -> bool:
    """False while this conversation is already waiting: a holding reply went out less than
    ``quiet`` ago and nothing else was sent to the applicant after it. One wait, one promise;
    every message of the wait is still queued for the officer."""
    last_holding = s.scalar(
        select(Message).where(Message.conversation_id == conv.id, Message.direction == "out",
                              Message.send_key.startswith("holding:"))
        .order_by(Message.id.desc()).limit(1))
    if last_holding is None or last_holding.status == "failed":
        return True
    if last_holding.created_at < (now or utcnow()) - quiet:
        return True
    answered = s.scalar(
        select(Message.id).where(Message.conversation_id == conv.id, Message.direction == "out",
                                 Message.id > last_holding.id,
                                 or_(Message.send_key.is_(None),
                                     ~Message.send_key.startswith("holding:")),
                                 or_(Message.status.is_(None), Message.status != "failed"))
        .limit(1))
    return answered is not None  # the last wait was answered: this is a new wait


def _draft_fields(msg: Message, conv: Conversation, draft: Any,
                  now: datetime) -> tuple[dict[str, Any], list[str]]:
    """Columns of the draft row (an attachment adds its reason) and its reason codes."""
    codes = list(draft.reason_codes)
    payload = draft.to_json()
    attachment = attachment_of(msg)
    if attachment is not None:
        codes.append("attachment")
        payload["attachment"] = attachment
        payload["reasons"] = list(payload.get("reasons") or []) + [ATTACHMENT_REASON]
    fields = dict(
        conversation_id=conv.id, message_id=msg.id, question=msg.text,
        action=draft.action.value, kind=draft.kind.value, confidence=float(draft.confidence),
        reason_codes="," + ",".join(codes) + ("," if codes else ""),
        text=draft.text or "", holding_reply=draft.holding_reply,
        answer_text=draft.answer_text, payload=payload, status="open", created_at=now)
    return fields, codes


def _reply_intents(s: Session, rt: Context, conv: Conversation, row: DraftRow, draft: Any,
                   now: datetime, redraft: bool) -> tuple[list[int], str | None, bool]:
    """Record what the draft's action sends: the answer (auto_send) or a holding reply, unless
    this conversation is already waiting on one. Returns the outbound ids, the text sent and
    whether a holding reply was suppressed."""
    action = draft.action.value
    if action == "auto_send" and (draft.text or "").strip():
        row.status, row.decided_at = "auto_sent", now
        out = record_outbound(s, conv, draft.text, f"draft:{row.id}", "system", row.id)
        return [out.id], draft.text, False
    if action == "handoff" or draft.holding_reply:
        holding = draft.holding_reply or (draft.text if draft.kind.value == "handoff" else None)
        quiet = timedelta(minutes=max(0.0, rt.settings.holding_quiet_minutes))
        if holding and holding.strip() and not holding_reply_due(s, conv, quiet, now):
            return [], None, True
        if holding and holding.strip():
            key = f"holding:{row.id}" + (f":{int(now.timestamp())}" if redraft else "")
            out = record_outbound(s, conv, holding, key, "system", row.id)
            return [out.id], holding, False
    return [], None, False


def _record_draft(rt: Context, message_id: int, draft: Any) -> str:
    """Store the draft, its decision and the reply intents in one transaction, then send."""
    action = draft.action.value
    try:
        with rt.db.transaction() as s:
            msg = s.get(Message, message_id)
            if not _owned(msg, rt):
                return "not_owned"
            # Row lock (PostgreSQL; SQLite transactions are serial anyway): two workers drafting
            # messages of one conversation decide on the holding reply one after the other.
            conv = s.get(Conversation, msg.conversation_id, with_for_update=True)
            assert conv is not None
            now = utcnow()
            fields, codes = _draft_fields(msg, conv, draft, now)
            row = s.scalar(select(DraftRow).where(DraftRow.message_id == msg.id))
            if row is not None and row.status != "open":
                _finish(msg)  # decided meanwhile: the officer's decision stands
                return "duplicate"
            redraft = row is not None
            if row is None:
                row = DraftRow(**fields)
                s.add(row)
            else:  # the applicant edited the question while its draft was open: redraft
                for key, value in fields.items():
                    if key != "created_at":
                        setattr(row, key, value)
            s.flush()
            out_ids, sent_text, holding_suppressed = _reply_intents(s, rt, conv, row, draft,
                                                                    now, redraft)
            s.add(Decision(conversation_id=conv.id, draft_id=row.id, kind=action, actor="system",
                           original_text=draft.text or None, final_text=sent_text,
                           outbound_message_id=out_ids[0] if out_ids else None, created_at=now))
            audit.record(s, "system", f"decision.{action}", "draft", row.id, conv.id, {
                "message_id": msg.id, "confidence": round(float(draft.confidence), 4),
                "reasons": codes, "drafter": getattr(draft, "drafter", ""),
                "sent_text": sent_text, "holding_suppressed": holding_suppressed,
                "redraft": redraft})
            _finish(msg)
    except IntegrityError:  # a draft for this message already exists (another worker)
        with rt.db.transaction() as s:
            msg = s.get(Message, message_id)
            if _owned(msg, rt):
                _finish(msg)
        return "duplicate"
    for oid in out_ids:
        deliver(rt, oid)
    return action
