"""Claims: an officer takes a conversation so no other officer answers it meanwhile.

A claim is taken with a conditional UPDATE, so two officers racing for one conversation cannot
both win; it lapses after ``claim_ttl_minutes``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from api import audit
from api.auth import Principal, Role
from api.db import ApiKey, Conversation, utcnow
from api.schemas.officer import ConversationView
from api.services.delivery import local_time
from api.services.errors import ServiceError, not_found
from api.services.queue_views import get_conversation

if TYPE_CHECKING:
    from api.context import Context


def need_person(principal: Principal) -> int:
    """The key id of an officer's personal key; 403 for a key that names no person."""
    if principal.key_id is None:
        raise ServiceError(403, "Tindakan petugas memerlukan kunci pribadi petugas.", "forbidden")
    return principal.key_id


def take_claim(s: Session, rt: Context, conversation_id: int, principal: Principal,
               now: datetime) -> Conversation:
    """Claim (or refresh the claim on) a conversation for ``principal``; 409 if someone else
    holds a live claim."""
    me = need_person(principal)
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


def claim(rt: Context, principal: Principal, conversation_id: int) -> ConversationView:
    """Claim a conversation so no other officer answers it meanwhile."""
    now = utcnow()
    with rt.db.transaction() as s:
        conv = take_claim(s, rt, conversation_id, principal, now)
        audit.record(s, principal.label, "officer.claim", "conversation", conv.id, conv.id)
    return get_conversation(rt, conversation_id)


def release(rt: Context, principal: Principal, conversation_id: int,
            force: bool = False) -> ConversationView:
    """Release a claim (one's own; an admin may force another's)."""
    me = need_person(principal)
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
