"""Store inbound messages and delivery statuses: durable, idempotent, all-or-nothing per request.

A message is stored with state ``pending`` and acknowledged; the worker drafts it afterwards.
Deduplication rests on the unique ``messages.external_id`` (the wamid): a redelivered webhook
finds its row and adds nothing, even when two deliveries race.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api import audit
from api.db import Conversation, Decision, DraftRow, Message, utcnow
from api.ratelimit import RateLimits, limits_of
from api.whatsapp_parse import CallEvent, InboundWhatsApp, StatusUpdate, WebhookBatch

if TYPE_CHECKING:
    from api.context import Context

log = logging.getLogger("lantunan.api.inbound")

WHATSAPP = "whatsapp"

# Delivery progress; a status only ever moves forward (webhooks arrive out of order).
_STATUS_RANK = {"pending": 0, "sending": 1, "unknown": 1, "sent": 2, "failed": 2,
                "delivered": 3, "read": 4}


@dataclass
class StoreResult:
    """What one webhook POST changed."""

    stored: list[int] = field(default_factory=list)  # new inbound message ids
    duplicates: int = 0
    statuses: int = 0
    rejected: int = 0  # unreadable messages/statuses, recorded in the audit log only
    calls: int = 0
    rate_limited: int = 0  # stored but not drafted: the sender is over the limit


def get_or_create_conversation(s: Session, channel: str, contact: str, name: str | None = None,
                               business_number: str | None = None) -> Conversation:
    """The conversation of ``contact`` on ``channel``, created on first contact (race-safe)."""
    stmt = select(Conversation).where(Conversation.channel == channel,
                                      Conversation.contact == contact)
    conv = s.scalar(stmt)
    if conv is None:
        try:
            with s.begin_nested():
                conv = Conversation(channel=channel, contact=contact, display_name=name,
                                    business_number=business_number, created_at=utcnow())
                s.add(conv)
                s.flush()
        except IntegrityError:  # another request created it a moment ago
            conv = s.scalar(stmt)
            assert conv is not None
    if name and conv.display_name != name:
        conv.display_name = name
    if business_number and conv.business_number != business_number:
        conv.business_number = business_number
    return conv


def store_inbound(s: Session, *, channel: str, contact: str, external_id: str | None,
                  msg_type: str, text: str, received_at: datetime, actor: str,
                  name: str | None = None, business_number: str | None = None,
                  payload: dict[str, Any] | None = None) -> int | None:
    """Store one inbound message as ``pending``; None when ``external_id`` is already stored."""
    if external_id is not None and s.scalar(
            select(Message.id).where(Message.external_id == external_id)) is not None:
        return None
    conv = get_or_create_conversation(s, channel, contact, name, business_number)
    now = utcnow()
    # The platform's timestamp starts the 24-hour window; a clock ahead of ours must not
    # stretch it.
    received_at = min(received_at, now)
    msg = Message(conversation_id=conv.id, direction="in", external_id=external_id,
                  msg_type=msg_type, text=text, payload=payload, created_at=now,
                  received_at=received_at, state="pending", attempts=0)
    try:
        with s.begin_nested():
            s.add(msg)
            s.flush()
    except IntegrityError:  # a concurrent delivery of the same wamid won the race
        return None
    if conv.last_inbound_at is None or received_at > conv.last_inbound_at:
        conv.last_inbound_at = received_at
    conv.last_message_at = now
    audit.record(s, actor, "message.received", "message", msg.id, conv.id,
                 {"channel": channel, "external_id": external_id, "type": msg_type,
                  "chars": len(text)})
    return msg.id


# A send interrupted mid-call never learnt its wamid; the platform's status for it arrives with
# the recipient and a time. Settle the oldest such send to that recipient made before the status.
UNKNOWN_SETTLE_SLACK = timedelta(minutes=5)


def _unknown_send_for(s: Session, st: StatusUpdate) -> Message | None:
    """The "unknown" outbound message a status with an unseen wamid most likely belongs to."""
    if not st.recipient_id:
        return None
    conv = s.scalar(select(Conversation).where(Conversation.channel == WHATSAPP,
                                               Conversation.contact == st.recipient_id))
    if conv is None:
        return None
    msg = s.scalar(select(Message).where(
        Message.conversation_id == conv.id, Message.direction == "out",
        Message.status == "unknown", Message.external_id.is_(None),
        Message.created_at <= st.timestamp + UNKNOWN_SETTLE_SLACK).order_by(Message.id).limit(1))
    if msg is None:
        return None
    msg.external_id = st.wamid
    msg.error = None
    audit.record(s, "whatsapp", "message.unknown_settled", "message", msg.id, conv.id,
                 {"wamid": st.wamid, "status": st.status})
    return msg


def apply_status(s: Session, st: StatusUpdate) -> bool:
    """Record a delivery status on the outbound message it names; False when unknown."""
    msg = s.scalar(select(Message).where(Message.external_id == st.wamid,
                                         Message.direction == "out"))
    if msg is None:
        msg = _unknown_send_for(s, st)
        if msg is None:
            return False
    current = msg.status or "pending"
    changed = False
    if st.status == "failed":
        if current not in ("delivered", "read"):
            first = st.errors[0] if st.errors else {}
            msg.status = "failed"
            msg.error = str(first.get("title") or first.get("message") or "failed")[:500]
            changed = True
    elif st.status in _STATUS_RANK and _STATUS_RANK[st.status] > _STATUS_RANK.get(current, 0):
        msg.status = st.status
        changed = True
    if changed:
        msg.status_at = st.timestamp
    audit.record(s, "whatsapp", "message.status", "message", msg.id, msg.conversation_id,
                 {"wamid": st.wamid, "status": st.status, "applied": changed,
                  "errors": st.errors[:3]})
    return changed


def _reject(s: Session, result: StoreResult, where: str, error: str, wamid: str | None,
            wa_id: str | None = None) -> None:
    result.rejected += 1
    audit.record(s, "whatsapp", "message.rejected", "message", wamid, None,
                 {"where": where[:200], "error": error[:500], "from": wa_id})


def _store_whatsapp_message(s: Session, m: InboundWhatsApp, result: StoreResult,
                            limiter: RateLimits) -> None:
    """Store one message of a webhook POST (in its own savepoint) and count it in ``result``."""
    try:
        with s.begin_nested():
            msg_id = store_inbound(
                s, channel=WHATSAPP, contact=m.wa_id, external_id=m.wamid, msg_type=m.msg_type,
                text=m.text, received_at=m.timestamp, actor="whatsapp", name=m.name,
                business_number=m.phone_number_id, payload=m.raw)
    except Exception as exc:  # noqa: BLE001 (one bad message must not block the rest)
        log.exception("webhook message not storable")
        _reject(s, result, m.wamid, f"{type(exc).__name__}: {exc}", m.wamid)
        return
    if msg_id is None:
        result.duplicates += 1
        return
    result.stored.append(msg_id)
    verdict = limiter.hit("applicant", f"wa:{m.wa_id}")
    if not verdict.allowed:
        # Stored (the platform delivered it; officers see it) but not drafted; the worker
        # sends the sender one notice per notice period.
        row = s.get(Message, msg_id)
        _mark(row, "rate_limited", {"limit": verdict.limit,
                                    "notice": limiter.first_notice(f"wa:{m.wa_id}")})
        result.rate_limited += 1
    if m.refers_to:
        with s.begin_nested():
            _apply_reference(s, m, msg_id)


def store_whatsapp_batch(rt: Context, batch: WebhookBatch) -> StoreResult:
    """Store every message and status of one webhook POST in one transaction; an item that
    fails on its own (savepoint) is rejected and audited while the others are stored."""
    result = StoreResult()
    limiter = limits_of(rt)
    with rt.db.transaction() as s:
        for r in batch.rejected:
            _reject(s, result, r.where, r.error, r.wamid, r.wa_id)
        for m in batch.messages:
            _store_whatsapp_message(s, m, result, limiter)
        for call in batch.calls:
            try:
                with s.begin_nested():
                    if record_call(s, call):
                        result.calls += 1
            except Exception as exc:  # noqa: BLE001
                log.exception("webhook call event not storable")
                _reject(s, result, call.call_id, f"{type(exc).__name__}: {exc}", call.call_id)
        for st in batch.statuses:
            try:
                with s.begin_nested():
                    applied = apply_status(s, st)
            except Exception as exc:  # noqa: BLE001
                log.exception("webhook status not applicable")
                _reject(s, result, st.wamid, f"{type(exc).__name__}: {exc}", st.wamid)
                continue
            if applied:
                result.statuses += 1
    # Contacts are phone numbers: the log formatter masks them.
    log.info("webhook stored", extra={
        "stored": len(result.stored), "duplicates": result.duplicates,
        "statuses": result.statuses, "rejected": result.rejected, "calls": result.calls,
        "rate_limited": result.rate_limited, "contacts": sorted({m.wa_id for m in batch.messages})})
    if (result.stored or result.calls) and rt.worker is not None:
        rt.worker.wake()
    return result


def _mark(msg: Message, key: str, value: Any) -> None:
    """Add a note under ``payload["_lantunan"]`` (a new dict, so the JSON column is updated)."""
    payload = dict(msg.payload or {})
    notes = dict(payload.get("_lantunan") or {})
    notes[key] = value
    payload["_lantunan"] = notes
    msg.payload = payload


def _silence(msg: Message) -> None:
    """Nothing to do for this inbound row: done, no draft, nothing sent."""
    msg.state, msg.processed_at, msg.lease_owner, msg.lease_until = "done", utcnow(), None, None


def _apply_reference(s: Session, m: InboundWhatsApp, row_id: int) -> None:
    """An edit or revoke names an earlier message: change that one while it is still open.

    Edit: the stored question becomes the new text and, while its draft is open (or not made
    yet), it is drafted again; the edit row itself is then only history. When the original is
    unknown or already answered, the edit row stays pending and is answered as a new question.
    Revoke: the original is marked deleted, an open draft is withdrawn, nothing is sent.
    """
    row = s.get(Message, row_id)
    original = s.scalar(select(Message).where(Message.external_id == m.refers_to,
                                              Message.direction == "in"))
    if row is None:
        return
    if original is None or original.conversation_id != row.conversation_id:
        if m.msg_type == "revoke":
            _silence(row)
        audit.record(s, "whatsapp", f"message.{m.msg_type}_unmatched", "message", row.id,
                     row.conversation_id, {"original": m.refers_to})
        return
    draft = s.scalar(select(DraftRow).where(DraftRow.message_id == original.id))
    now = utcnow()
    if m.msg_type == "revoke":
        _silence(row)
        _mark(original, "deleted_at", now.isoformat())
        withdrawn = None
        if original.state in ("pending", "processing"):
            _silence(original)  # never drafted: a worker holding it loses its lease
        if draft is not None and draft.status == "open":
            draft.status, draft.decided_at = "withdrawn", now
            s.add(Decision(conversation_id=original.conversation_id, draft_id=draft.id,
                           kind="withdrawn", actor="whatsapp", original_text=draft.text or None,
                           note="Pesan dihapus oleh pemohon; tidak ada yang dikirim.",
                           created_at=now))
            withdrawn = draft.id
        audit.record(s, "whatsapp", "message.revoked", "message", original.id,
                     original.conversation_id, {"by": row.id, "draft_withdrawn": withdrawn})
        return
    # edit
    new_text = m.text.strip()
    if not new_text:
        _silence(row)
        return
    still_open = original.state in ("pending", "processing") or (
        draft is not None and draft.status == "open")
    if not still_open:
        audit.record(s, "whatsapp", "message.edit_after_answer", "message", row.id,
                     row.conversation_id, {"original": original.id})
        return  # the edit row is answered as a new question
    edits = list(((original.payload or {}).get("_lantunan") or {}).get("edits") or [])
    edits.append({"at": now.isoformat(), "previous": original.text, "by": row.id})
    _mark(original, "edits", edits[-20:])
    original.text = new_text
    original.state, original.lease_owner, original.lease_until = "pending", None, None
    original.attempts, original.error = 0, None
    if draft is not None:
        draft.question = new_text
    _silence(row)
    audit.record(s, "whatsapp", "message.edited", "message", original.id,
                 original.conversation_id, {"by": row.id, "redraft": True,
                                            "chars": len(new_text)})


def _call_text(call: CallEvent) -> str:
    parts = ["Panggilan WhatsApp masuk (tidak dapat dijawab layanan ini)"]
    if call.status:
        parts.append(f"status: {call.status.lower()}")
    if call.duration is not None:
        parts.append(f"durasi: {call.duration} detik")
    return "; ".join(parts)


def record_call(s: Session, call: CallEvent) -> bool:
    """Record an incoming call on its conversation (one row per call id, updated by later
    events): officers see it, nothing is drafted or sent. True when a row was added."""
    external_id = f"call:{call.call_id}"
    existing = s.scalar(select(Message).where(Message.external_id == external_id))
    if existing is not None:
        existing.text = _call_text(call)
        _mark(existing, call.event, call.raw)
        audit.record(s, "whatsapp", f"call.{call.event}", "message", existing.id,
                     existing.conversation_id, {"status": call.status,
                                                "duration": call.duration})
        return False
    conv = get_or_create_conversation(s, WHATSAPP, call.wa_id, call.name, call.phone_number_id)
    window_before = conv.last_inbound_at
    msg_id = store_inbound(s, channel=WHATSAPP, contact=call.wa_id, external_id=external_id,
                           msg_type="call", text=_call_text(call), received_at=call.timestamp,
                           actor="whatsapp", name=call.name,
                           business_number=call.phone_number_id, payload={call.event: call.raw})
    if msg_id is None:
        return False
    conv.last_inbound_at = window_before  # a call is not a message: the 24-hour window stays
    row = s.get(Message, msg_id)
    _silence(row)
    audit.record(s, "whatsapp", f"call.{call.event}", "message", msg_id, conv.id,
                 {"status": call.status, "direction": call.direction})
    return True


# The generic channel's messages (public ids, key scopes): api/services/channel_msgs.py.
