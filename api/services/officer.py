"""Officer work: the queue, conversation history, claim/release, approve/edit/reject/reply.

Every action runs in one transaction together with its audit entry, its decision row and the
reply intent; the send itself happens after commit (``delivery.deliver``). A claim is taken
with a conditional UPDATE, so two officers racing for one conversation cannot both win.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from api import audit
from api.auth import Principal, Role
from api.db import ApiKey, Conversation, Decision, DraftRow, Message, utcnow
from api.services.delivery import check_window, deliver, local_time, record_outbound, window_of
from api.services.errors import ServiceError, not_found

if TYPE_CHECKING:
    from api.context import Context

DRAFT_STATUSES = ("open", "auto_sent", "approved", "edited", "rejected", "replied")
MAX_REPLY_CHARS = 4096


# --- views -------------------------------------------------------------------------------------


def proposed_text(d: DraftRow) -> str | None:
    """The text "approve" would send: the answer kept for the officer on handoff."""
    if d.action == "handoff":
        return d.answer_text or None
    return d.text or d.answer_text or None


def _key_names(s: Session, ids: set[int | None]) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {k.id: k.name for k in s.scalars(select(ApiKey).where(ApiKey.id.in_(ids)))}


def _claim_json(conv: Conversation, names: dict[int, str], ttl: timedelta,
                now: datetime) -> dict[str, Any] | None:
    if conv.claimed_by is None or conv.claimed_at is None or conv.claimed_at < now - ttl:
        return None
    return {"key_id": conv.claimed_by, "name": names.get(conv.claimed_by, "?"),
            "claimed_at": conv.claimed_at.isoformat(),
            "expires_at": (conv.claimed_at + ttl).isoformat()}


def message_flags(m: Message) -> dict[str, Any]:
    """What officers must notice about an inbound message: deleted or edited by the applicant,
    an attachment beside the caption, a call."""
    notes = (m.payload or {}).get("_lantunan") or {} if m.direction == "in" else {}
    flags: dict[str, Any] = {}
    if notes.get("deleted_at"):
        flags["deleted_at"] = notes["deleted_at"]
    if notes.get("edits"):
        flags["edited"] = len(notes["edits"])
        flags["previous_text"] = notes["edits"][-1].get("previous")
    if m.direction == "in" and m.msg_type in ("image", "document", "video"):
        media = (m.payload or {}).get(m.msg_type)
        media = media if isinstance(media, dict) else {}
        flags["attachment"] = {"type": m.msg_type, **{
            k: media[k] for k in ("id", "mime_type", "filename") if isinstance(media.get(k), str)}}
    if m.msg_type == "call":
        flags["call"] = True
    return flags


def draft_json(d: DraftRow, msg: Message, conv: Conversation, names: dict[int, str],
               ttl: timedelta, now: datetime) -> dict[str, Any]:
    """A queue item: the question, the draft and everything needed to decide on it."""
    received = msg.received_at or msg.created_at
    payload = d.payload or {}
    return {
        "draft_id": d.id, "conversation_id": conv.id, "message_id": msg.id,
        "channel": conv.channel, "contact": conv.contact, "display_name": conv.display_name,
        "question": d.question, "received_at": received.isoformat(),
        "age_minutes": round((now - received).total_seconds() / 60, 1),
        "action": d.action, "kind": d.kind, "confidence": d.confidence, "status": d.status,
        "reasons": payload.get("reasons", []), "citations": payload.get("citations", []),
        "proposed_text": proposed_text(d), "holding_reply": d.holding_reply,
        "draft": payload, "created_at": d.created_at.isoformat(),
        "attachment": payload.get("attachment"),
        "decided_at": d.decided_at.isoformat() if d.decided_at else None,
        "decided_by": names.get(d.decided_by) if d.decided_by else None,
        "claimed_by": _claim_json(conv, names, ttl, now),
        "window": window_of(conv, now).to_json(),
    }


@dataclass
class QueueFilter:
    """Filters of the officer queue."""

    status: str = "open"  # a draft status, or "all"
    reason: str | None = None  # a reason code
    action: str | None = None
    min_age_minutes: float | None = None
    max_age_minutes: float | None = None
    conversation_id: int | None = None
    claimed: str | None = None  # "me" | "unclaimed" | "others"
    limit: int = 50
    offset: int = 0


def list_queue(rt: Context, principal: Principal, f: QueueFilter) -> dict[str, Any]:
    """Drafts matching ``f`` (open ones oldest first), with window and claim of each."""
    if f.status != "all" and f.status not in DRAFT_STATUSES:
        raise ServiceError(422, f"Status '{f.status}' tidak dikenal; pilih salah satu dari "
                                f"{', '.join(DRAFT_STATUSES)} atau 'all'.", "bad_filter")
    if f.claimed not in (None, "me", "unclaimed", "others"):
        raise ServiceError(422, "Filter 'claimed' harus 'me', 'unclaimed' atau 'others'.",
                           "bad_filter")
    now = utcnow()
    ttl = timedelta(minutes=rt.settings.claim_ttl_minutes)
    received = func.coalesce(Message.received_at, Message.created_at)
    stmt = (select(DraftRow, Message, Conversation)
            .join(Message, Message.id == DraftRow.message_id)
            .join(Conversation, Conversation.id == DraftRow.conversation_id))
    if f.status != "all":
        stmt = stmt.where(DraftRow.status == f.status)
    if f.reason:
        stmt = stmt.where(DraftRow.reason_codes.contains(f",{f.reason},"))
    if f.action:
        stmt = stmt.where(DraftRow.action == f.action)
    if f.min_age_minutes is not None:
        stmt = stmt.where(received <= now - timedelta(minutes=f.min_age_minutes))
    if f.max_age_minutes is not None:
        stmt = stmt.where(received >= now - timedelta(minutes=f.max_age_minutes))
    if f.conversation_id is not None:
        stmt = stmt.where(DraftRow.conversation_id == f.conversation_id)
    live_claim = (Conversation.claimed_by.is_not(None)) & (Conversation.claimed_at >= now - ttl)
    if f.claimed == "me":
        stmt = stmt.where(live_claim, Conversation.claimed_by == principal.key_id)
    elif f.claimed == "unclaimed":
        stmt = stmt.where(~live_claim | Conversation.claimed_by.is_(None))
    elif f.claimed == "others":
        stmt = stmt.where(live_claim, Conversation.claimed_by != principal.key_id)
    order = received.asc() if f.status == "open" else DraftRow.id.desc()
    with rt.db.transaction() as s:
        total = s.scalar(select(func.count()).select_from(stmt.subquery()))
        rows = list(s.execute(stmt.order_by(order, DraftRow.id)
                              .limit(max(1, min(f.limit, 500))).offset(max(0, f.offset))))
        names = _key_names(s, {c.claimed_by for _, _, c in rows}
                           | {d.decided_by for d, _, _ in rows})
        items = [draft_json(d, m, c, names, ttl, now) for d, m, c in rows]
    return {"items": items, "total": total, "limit": f.limit, "offset": f.offset}


def _conversation_json(s: Session, conv: Conversation, rt: Context,
                       now: datetime) -> dict[str, Any]:
    ttl = timedelta(minutes=rt.settings.claim_ttl_minutes)
    msgs = list(s.scalars(select(Message).where(Message.conversation_id == conv.id)
                          .order_by(Message.id)))
    drafts = list(s.scalars(select(DraftRow).where(DraftRow.conversation_id == conv.id)
                            .order_by(DraftRow.id)))
    decisions = list(s.scalars(select(Decision).where(Decision.conversation_id == conv.id)
                               .order_by(Decision.id)))
    names = _key_names(s, {conv.claimed_by} | {d.decided_by for d in drafts}
                       | {x.actor_key_id for x in decisions})
    by_id = {m.id: m for m in msgs}
    return {
        "conversation_id": conv.id, "channel": conv.channel, "contact": conv.contact,
        "display_name": conv.display_name,
        "last_inbound_at": conv.last_inbound_at.isoformat() if conv.last_inbound_at else None,
        "window": window_of(conv, now).to_json(),
        "claimed_by": _claim_json(conv, names, ttl, now),
        "messages": [{
            "id": m.id, "direction": m.direction, "type": m.msg_type, "text": m.text,
            "at": (m.received_at or m.created_at).isoformat(), "state": m.state,
            "status": m.status, "error": m.error, "sent_by": m.sent_by, "draft_id": m.draft_id,
            "external_id": m.external_id, "flags": message_flags(m),
        } for m in msgs],
        "drafts": [draft_json(d, by_id[d.message_id], conv, names, ttl, now) for d in drafts
                   if d.message_id in by_id],
        "decisions": [{
            "id": x.id, "draft_id": x.draft_id, "kind": x.kind, "actor": x.actor,
            "original_text": x.original_text, "final_text": x.final_text, "note": x.note,
            "outbound_message_id": x.outbound_message_id, "at": x.created_at.isoformat(),
        } for x in decisions],
    }


def list_conversations(rt: Context, contact: str | None = None, channel: str | None = None,
                       limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """Conversations, most recent activity first (``contact`` matches a substring)."""
    now = utcnow()
    ttl = timedelta(minutes=rt.settings.claim_ttl_minutes)
    stmt = select(Conversation)
    if contact:
        stmt = stmt.where(Conversation.contact.contains(contact))
    if channel:
        stmt = stmt.where(Conversation.channel == channel)
    with rt.db.transaction() as s:
        total = s.scalar(select(func.count()).select_from(stmt.subquery()))
        convs = list(s.scalars(stmt.order_by(Conversation.last_message_at.desc(),
                                             Conversation.id.desc())
                               .limit(max(1, min(limit, 500))).offset(max(0, offset))))
        names = _key_names(s, {c.claimed_by for c in convs})
        open_counts = dict(s.execute(
            select(DraftRow.conversation_id, func.count()).where(
                DraftRow.status == "open",
                DraftRow.conversation_id.in_([c.id for c in convs] or [-1]))
            .group_by(DraftRow.conversation_id)).all())
        items = [{
            "conversation_id": c.id, "channel": c.channel, "contact": c.contact,
            "display_name": c.display_name,
            "last_inbound_at": c.last_inbound_at.isoformat() if c.last_inbound_at else None,
            "last_message_at": c.last_message_at.isoformat() if c.last_message_at else None,
            "open_drafts": open_counts.get(c.id, 0),
            "claimed_by": _claim_json(c, names, ttl, now),
            "window": window_of(c, now).to_json(),
        } for c in convs]
    return {"items": items, "total": total, "limit": limit, "offset": offset}


def get_conversation(rt: Context, conversation_id: int) -> dict[str, Any]:
    """A conversation with its messages, drafts and decisions."""
    with rt.db.transaction() as s:
        conv = s.get(Conversation, conversation_id)
        if conv is None:
            raise not_found("Percakapan", conversation_id)
        return _conversation_json(s, conv, rt, utcnow())


def get_draft(rt: Context, draft_id: int) -> dict[str, Any]:
    """One queue item with its conversation's history."""
    now = utcnow()
    ttl = timedelta(minutes=rt.settings.claim_ttl_minutes)
    with rt.db.transaction() as s:
        d = s.get(DraftRow, draft_id)
        if d is None:
            raise not_found("Draf", draft_id)
        conv = s.get(Conversation, d.conversation_id)
        msg = s.get(Message, d.message_id)
        assert conv is not None and msg is not None
        names = _key_names(s, {conv.claimed_by, d.decided_by})
        item = draft_json(d, msg, conv, names, ttl, now)
        item["conversation"] = _conversation_json(s, conv, rt, now)
        return item


# --- claims --------------------------------------------------------------------------------------


def _need_person(principal: Principal) -> int:
    if principal.key_id is None:
        raise ServiceError(403, "Tindakan petugas memerlukan kunci pribadi petugas.", "forbidden")
    return principal.key_id


def take_claim(s: Session, rt: Context, conversation_id: int, principal: Principal,
               now: datetime) -> Conversation:
    """Claim (or refresh the claim on) a conversation for ``principal``; 409 if someone else
    holds a live claim."""
    me = _need_person(principal)
    ttl = timedelta(minutes=rt.settings.claim_ttl_minutes)
    won = s.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id,
               or_(Conversation.claimed_by.is_(None), Conversation.claimed_by == me,
                   Conversation.claimed_at < now - ttl))
        .values(claimed_by=me, claimed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    conv = s.get(Conversation, conversation_id, populate_existing=True)
    if conv is None:
        raise not_found("Percakapan", conversation_id)
    if won != 1:
        holder = s.get(ApiKey, conv.claimed_by) if conv.claimed_by else None
        name = holder.name if holder else "petugas lain"
        since = local_time(conv.claimed_at, rt.settings) if conv.claimed_at else "?"
        raise ServiceError(
            409, f"Percakapan ini sedang ditangani oleh {name} (sejak {since}). Tunggu sampai "
                 f"dilepas, atau minta admin melepasnya.",
            "claimed_by_other",
            claimed_by={"key_id": conv.claimed_by, "name": name,
                        "claimed_at": conv.claimed_at.isoformat() if conv.claimed_at else None})
    return conv


def claim(rt: Context, principal: Principal, conversation_id: int) -> dict[str, Any]:
    """Claim a conversation so no other officer answers it meanwhile."""
    now = utcnow()
    with rt.db.transaction() as s:
        conv = take_claim(s, rt, conversation_id, principal, now)
        audit.record(s, principal.label, "officer.claim", "conversation", conv.id, conv.id)
    return get_conversation(rt, conversation_id)


def release(rt: Context, principal: Principal, conversation_id: int,
            force: bool = False) -> dict[str, Any]:
    """Release a claim (one's own; an admin may force another's)."""
    me = _need_person(principal)
    now = utcnow()
    ttl = timedelta(minutes=rt.settings.claim_ttl_minutes)
    with rt.db.transaction() as s:
        conv = s.get(Conversation, conversation_id)
        if conv is None:
            raise not_found("Percakapan", conversation_id)
        live = conv.claimed_by is not None and conv.claimed_at is not None \
            and conv.claimed_at >= now - ttl
        if live and conv.claimed_by != me:
            if not (force and principal.role == Role.ADMIN):
                holder = s.get(ApiKey, conv.claimed_by)
                raise ServiceError(
                    409, f"Percakapan ini diklaim oleh {holder.name if holder else 'petugas lain'};"
                         f" hanya dia atau admin (force=true) yang dapat melepasnya.",
                    "claimed_by_other")
        previous = conv.claimed_by
        conv.claimed_by, conv.claimed_at = None, None
        audit.record(s, principal.label, "officer.release", "conversation", conv.id, conv.id,
                     {"previous_claim": previous, "forced": bool(force and previous != me)})
    return get_conversation(rt, conversation_id)


# --- decisions -----------------------------------------------------------------------------------


def _clean_text(text: str | None, what: str = "Teks balasan") -> str:
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
            conversation_id: int) -> dict[str, Any]:
    status = deliver(rt, out_id) if out_id is not None else None
    delivery = None
    if out_id is not None:
        with rt.db.transaction() as s:
            m = s.get(Message, out_id)
            delivery = {"message_id": out_id, "status": status, "error": m.error if m else None,
                        "wamid": m.external_id if m else None}
    body: dict[str, Any] = {"delivery": delivery}
    if draft_id is not None:
        body["draft"] = get_draft(rt, draft_id)
    else:
        body["conversation"] = get_conversation(rt, conversation_id)
    return body


def approve(rt: Context, principal: Principal, draft_id: int) -> dict[str, Any]:
    """Send the draft as it is."""
    now = utcnow()
    with rt.db.transaction() as s:
        d, conv = _open_draft(s, rt, draft_id, principal, now)
        text = proposed_text(d)
        if not text:
            raise ServiceError(409, "Draf ini tidak memuat jawaban untuk disetujui; gunakan "
                                    "edit atau balas manual.", "nothing_to_approve")
        check_window(conv, rt.settings, now)
        _close_draft(s, d, "approved", principal, now)
        out = record_outbound(s, conv, text, f"draft:{d.id}", principal.label, d.id)
        s.add(Decision(conversation_id=conv.id, draft_id=d.id, kind="approve",
                       actor=principal.label, actor_key_id=principal.key_id, original_text=text,
                       final_text=text, outbound_message_id=out.id, created_at=now))
        audit.record(s, principal.label, "officer.approve", "draft", d.id, conv.id,
                     {"final_text": text, "outbound_message_id": out.id})
        out_id, conv_id = out.id, conv.id
    return _result(rt, draft_id, out_id, conv_id)


def edit(rt: Context, principal: Principal, draft_id: int, text: str) -> dict[str, Any]:
    """Send the officer's edited text; the original draft is kept beside it."""
    text = _clean_text(text)
    now = utcnow()
    with rt.db.transaction() as s:
        d, conv = _open_draft(s, rt, draft_id, principal, now)
        original = proposed_text(d)
        check_window(conv, rt.settings, now)
        _close_draft(s, d, "edited", principal, now)
        out = record_outbound(s, conv, text, f"draft:{d.id}", principal.label, d.id)
        s.add(Decision(conversation_id=conv.id, draft_id=d.id, kind="edit",
                       actor=principal.label, actor_key_id=principal.key_id,
                       original_text=original, final_text=text, outbound_message_id=out.id,
                       created_at=now))
        audit.record(s, principal.label, "officer.edit", "draft", d.id, conv.id,
                     {"original_text": original, "final_text": text,
                      "outbound_message_id": out.id})
        out_id, conv_id = out.id, conv.id
    return _result(rt, draft_id, out_id, conv_id)


def reject(rt: Context, principal: Principal, draft_id: int, note: str) -> dict[str, Any]:
    """Reject a draft with a note; nothing is sent."""
    note = _clean_text(note, "Catatan penolakan")
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


def reply(rt: Context, principal: Principal, conversation_id: int, text: str,
          draft_id: int | None = None, client_ref: str | None = None) -> dict[str, Any]:
    """Send a manual reply (optionally closing an open draft it answers)."""
    text = _clean_text(text)
    now = utcnow()
    me = _need_person(principal)
    with rt.db.transaction() as s:
        conv = take_claim(s, rt, conversation_id, principal, now)
        original = None
        if draft_id is not None:
            d = s.get(DraftRow, draft_id)
            if d is None or d.conversation_id != conv.id:
                raise ServiceError(422, f"Draf {draft_id} bukan milik percakapan ini.",
                                   "draft_mismatch")
            if d.status != "open":
                raise ServiceError(409, f"Draf {draft_id} sudah diputuskan (status: {d.status}).",
                                   "already_decided", status=d.status)
            original = proposed_text(d)
        check_window(conv, rt.settings, now)
        if draft_id is not None:
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
