"""Append-only audit log: every inbound message, decision, officer action, send attempt and KB
change, with actor and time. Entries are written in the same transaction as the change they
describe, so the log never claims something that was rolled back. There is deliberately no
update or delete function (and database triggers refuse both)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db import AuditEntry, utcnow
from api.logging import mask_pii


def record(session: Session, actor: str, action: str, target_type: str | None = None,
           target_id: str | int | None = None, conversation_id: int | None = None,
           detail: dict[str, Any] | None = None) -> AuditEntry:
    """Append one audit entry to the current transaction."""
    entry = AuditEntry(at=utcnow(), actor=actor, action=action, target_type=target_type,
                       target_id=None if target_id is None else str(target_id),
                       conversation_id=conversation_id, detail=detail or {})
    session.add(entry)
    return entry


@dataclass
class AuditFilter:
    """Filters of ``GET /api/v1/audit``."""

    actor: str | None = None
    action: str | None = None  # exact, or a prefix ending in '.' / '*' ("officer.*")
    target_type: str | None = None
    target_id: str | None = None
    conversation_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 100
    before_id: int | None = None  # paging: entries older than this id


def query(session: Session, f: AuditFilter) -> list[AuditEntry]:
    """Audit entries matching ``f``, newest first."""
    stmt = select(AuditEntry)
    if f.actor:
        stmt = stmt.where(AuditEntry.actor.contains(f.actor))
    if f.action:
        prefix = f.action.rstrip("*")
        if prefix != f.action or f.action.endswith("."):
            stmt = stmt.where(AuditEntry.action.startswith(prefix))
        else:
            stmt = stmt.where(AuditEntry.action == f.action)
    if f.target_type:
        stmt = stmt.where(AuditEntry.target_type == f.target_type)
    if f.target_id:
        stmt = stmt.where(AuditEntry.target_id == f.target_id)
    if f.conversation_id is not None:
        stmt = stmt.where(AuditEntry.conversation_id == f.conversation_id)
    if f.since:
        stmt = stmt.where(AuditEntry.at >= f.since)
    if f.until:
        stmt = stmt.where(AuditEntry.at <= f.until)
    if f.before_id:
        stmt = stmt.where(AuditEntry.id < f.before_id)
    stmt = stmt.order_by(AuditEntry.id.desc()).limit(max(1, min(f.limit, 1000)))
    return list(session.scalars(stmt))


def entry_json(e: AuditEntry, mask: bool = False) -> dict[str, Any]:
    """JSON shape of an audit entry (``mask`` hides personal data, e.g. for exports)."""
    detail = e.detail or {}
    if mask:
        detail = {k: mask_pii(v) if isinstance(v, str) else v for k, v in detail.items()}
    return {"id": e.id, "at": e.at.isoformat(), "actor": e.actor, "action": e.action,
            "target_type": e.target_type, "target_id": e.target_id,
            "conversation_id": e.conversation_id, "detail": detail}
