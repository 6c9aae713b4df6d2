"""What officers read: the queue of drafts, the conversation list and one conversation with
its messages, drafts and decisions, as ``api.schemas.officer`` models."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from api.db import ApiKey, Conversation, Decision, DraftRow, Message, utcnow
from api.schemas.officer import (
    Attachment, ClaimView, ConversationPage, ConversationSummary, ConversationView,
    DecisionView, DraftView, MessageFlags, MessageView, QueueItem, QueuePage, WindowView,
)
from api.services.delivery import window_of
from api.services.errors import ServiceError, not_found

if TYPE_CHECKING:
    from api.auth import Principal
    from api.context import Context

DRAFT_STATUSES = ("open", "auto_sent", "approved", "edited", "rejected", "replied")


def proposed_text(d: DraftRow) -> str | None:
    """The text "approve" would send: the answer kept for the officer on handoff."""
    if d.action == "handoff":
        return d.answer_text or None
    return d.text or d.answer_text or None


def key_names(s: Session, ids: set[int | None]) -> dict[int, str]:
    """Names of the API keys ``ids`` (claims and decisions name a key row)."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {k.id: k.name for k in s.scalars(select(ApiKey).where(ApiKey.id.in_(ids)))}


def claim_view(conv: Conversation, names: dict[int, str], ttl: timedelta,
               now: datetime) -> ClaimView | None:
    """The live claim on ``conv``, or None (none, or expired after ``ttl``)."""
    if conv.claimed_by is None or conv.claimed_at is None or conv.claimed_at < now - ttl:
        return None
    return ClaimView(key_id=conv.claimed_by, name=names.get(conv.claimed_by, "?"),
                     claimed_at=conv.claimed_at.isoformat(),
                     expires_at=(conv.claimed_at + ttl).isoformat())


def window_view(conv: Conversation, now: datetime) -> WindowView:
    """The conversation's 24-hour window as shown in the queue."""
    return WindowView(**window_of(conv, now).to_json())


def message_flags(m: Message) -> MessageFlags:
    """What officers must notice about an inbound message: deleted or edited by the applicant,
    an attachment beside the caption, a call."""
    notes = (m.payload or {}).get("_lantunan") or {} if m.direction == "in" else {}
    flags = MessageFlags()
    if notes.get("deleted_at"):
        flags.deleted_at = notes["deleted_at"]
    if notes.get("edits"):
        flags.edited = len(notes["edits"])
        flags.previous_text = notes["edits"][-1].get("previous")
    if m.direction == "in" and m.msg_type in ("image", "document", "video"):
        media = (m.payload or {}).get(m.msg_type)
        media = media if isinstance(media, dict) else {}
        flags.attachment = Attachment(type=m.msg_type, **{
            k: media[k] for k in ("id", "mime_type", "filename") if isinstance(media.get(k), str)})
    if m.msg_type == "call":
        flags.call = True
    return flags


def queue_item(d: DraftRow, msg: Message, conv: Conversation, names: dict[int, str],
               ttl: timedelta, now: datetime) -> QueueItem:
    """A queue item: the question, the draft and everything needed to decide on it."""
    received = msg.received_at or msg.created_at
    payload = d.payload or {}
    return QueueItem(
        draft_id=d.id, conversation_id=conv.id, message_id=msg.id,
        channel=conv.channel, contact=conv.contact, display_name=conv.display_name,
        question=d.question, received_at=received.isoformat(),
        age_minutes=round((now - received).total_seconds() / 60, 1),
        action=d.action, kind=d.kind, confidence=d.confidence, status=d.status,
        reasons=payload.get("reasons", []), citations=payload.get("citations", []),
        proposed_text=proposed_text(d), holding_reply=d.holding_reply,
        draft=payload, created_at=d.created_at.isoformat(),
        attachment=payload.get("attachment"),
        decided_at=d.decided_at.isoformat() if d.decided_at else None,
        decided_by=names.get(d.decided_by) if d.decided_by else None,
        claimed_by=claim_view(conv, names, ttl, now),
        window=window_view(conv, now),
    )


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


def _check_filter(f: QueueFilter) -> None:
    if f.status != "all" and f.status not in DRAFT_STATUSES:
        raise ServiceError(422, f"Status '{f.status}' tidak dikenal; pilih salah satu dari "
                                f"{', '.join(DRAFT_STATUSES)} atau 'all'.", "bad_filter")
    if f.claimed not in (None, "me", "unclaimed", "others"):
        raise ServiceError(422, "Filter 'claimed' harus 'me', 'unclaimed' atau 'others'.",
                           "bad_filter")


def _queue_statement(f: QueueFilter, me: int | None, now: datetime, ttl: timedelta,
                     received: Any) -> Select:
    """The drafts matching ``f`` with their message and conversation (unordered)."""
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
        stmt = stmt.where(live_claim, Conversation.claimed_by == me)
    elif f.claimed == "unclaimed":
        stmt = stmt.where(~live_claim | Conversation.claimed_by.is_(None))
    elif f.claimed == "others":
        stmt = stmt.where(live_claim, Conversation.claimed_by != me)
    return stmt


def list_queue(rt: Context, principal: Principal, f: QueueFilter) -> QueuePage:
    """Drafts matching ``f`` (open ones oldest first), with window and claim of each."""
    _check_filter(f)
    now = utcnow()
    ttl = timedelta(minutes=rt.settings.claim_ttl_minutes)
    received = func.coalesce(Message.received_at, Message.created_at)
    stmt = _queue_statement(f, principal.key_id, now, ttl, received)
    order = received.asc() if f.status == "open" else DraftRow.id.desc()
    with rt.db.transaction() as s:
        total = s.scalar(select(func.count()).select_from(stmt.subquery()))
        rows = list(s.execute(stmt.order_by(order, DraftRow.id)
                              .limit(max(1, min(f.limit, 500))).offset(max(0, f.offset))))
        names = key_names(s, {c.claimed_by for _, _, c in rows}
                          | {d.decided_by for d, _, _ in rows})
        items = [queue_item(d, m, c, names, ttl, now) for d, m, c in rows]
    return QueuePage(items=items, total=total or 0, limit=f.limit, offset=f.offset)


def message_view(m: Message) -> MessageView:
    """One message of a conversation's history."""
    return MessageView(
        id=m.id, direction=m.direction, type=m.msg_type, text=m.text,
        at=(m.received_at or m.created_at).isoformat(), state=m.state, status=m.status,
        error=m.error, sent_by=m.sent_by, draft_id=m.draft_id, external_id=m.external_id,
        flags=message_flags(m))


def decision_view(x: Decision) -> DecisionView:
    """One decision on a draft."""
    return DecisionView(
        id=x.id, draft_id=x.draft_id, kind=x.kind, actor=x.actor,
        original_text=x.original_text, final_text=x.final_text, note=x.note,
        outbound_message_id=x.outbound_message_id, at=x.created_at.isoformat())


def conversation_view(s: Session, conv: Conversation, rt: Context,
                      now: datetime) -> ConversationView:
    """A conversation with its messages, drafts and decisions (inside a transaction)."""
    ttl = timedelta(minutes=rt.settings.claim_ttl_minutes)
    msgs = list(s.scalars(select(Message).where(Message.conversation_id == conv.id)
                          .order_by(Message.id)))
    drafts = list(s.scalars(select(DraftRow).where(DraftRow.conversation_id == conv.id)
                            .order_by(DraftRow.id)))
    decisions = list(s.scalars(select(Decision).where(Decision.conversation_id == conv.id)
                               .order_by(Decision.id)))
    names = key_names(s, {conv.claimed_by} | {d.decided_by for d in drafts}
                      | {x.actor_key_id for x in decisions})
    by_id = {m.id: m for m in msgs}
    return ConversationView(
        conversation_id=conv.id, channel=conv.channel, contact=conv.contact,
        display_name=conv.display_name,
        last_inbound_at=conv.last_inbound_at.isoformat() if conv.last_inbound_at else None,
        window=window_view(conv, now),
        claimed_by=claim_view(conv, names, ttl, now),
        messages=[message_view(m) for m in msgs],
        drafts=[queue_item(d, by_id[d.message_id], conv, names, ttl, now) for d in drafts
                if d.message_id in by_id],
        decisions=[decision_view(x) for x in decisions],
    )


def list_conversations(rt: Context, contact: str | None = None, channel: str | None = None,
                       limit: int = 50, offset: int = 0) -> ConversationPage:
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
        names = key_names(s, {c.claimed_by for c in convs})
        open_counts = dict(s.execute(
            select(DraftRow.conversation_id, func.count()).where(
                DraftRow.status == "open",
                DraftRow.conversation_id.in_([c.id for c in convs] or [-1]))
            .group_by(DraftRow.conversation_id)).all())
        items = [ConversationSummary(
            conversation_id=c.id, channel=c.channel, contact=c.contact,
            display_name=c.display_name,
            last_inbound_at=c.last_inbound_at.isoformat() if c.last_inbound_at else None,
            last_message_at=c.last_message_at.isoformat() if c.last_message_at else None,
            open_drafts=open_counts.get(c.id, 0),
            claimed_by=claim_view(c, names, ttl, now),
            window=window_view(c, now),
        ) for c in convs]
    return ConversationPage(items=items, total=total or 0, limit=limit, offset=offset)


def get_conversation(rt: Context, conversation_id: int) -> ConversationView:
    """A conversation with its messages, drafts and decisions."""
    with rt.db.transaction() as s:
        conv = s.get(Conversation, conversation_id)
        if conv is None:
            raise not_found("Percakapan", conversation_id)
        return conversation_view(s, conv, rt, utcnow())


def get_draft(rt: Context, draft_id: int) -> DraftView:
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
        names = key_names(s, {conv.claimed_by, d.decided_by})
        item = queue_item(d, msg, conv, names, ttl, now)
        return DraftView(**dict(item), conversation=conversation_view(s, conv, rt, now))
