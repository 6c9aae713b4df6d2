"""Append-only audit log: every inbound message, decision, officer action, send attempt and KB
change, with actor and time. Entries are written in the same transaction as the change they
describe, so the log never claims something that was rolled back.

Masked by construction: every string in an entry's detail passes ``api.masking.mask_value``
before it is stored, so NIK, NPWP, phone numbers, e-mail, bank accounts and addresses never
reach the log; messages are referred to by id, never copied. There is no update or delete
function, and database triggers refuse both, with one narrow exception: ``redact`` replaces the
detail of entries about an erased or expired conversation with a marker naming why (who did
what, when, on which target stays). See docs/privacy.md."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Text, cast, select, update
from sqlalchemy.orm import Session

from api.db import AuditEntry, utcnow
from api.masking import mask_value


def record(session: Session, actor: str, action: str, target_type: str | None = None,
           target_id: str | int | None = None, conversation_id: int | None = None,
           detail: dict[str, Any] | None = None) -> AuditEntry:
    """Append one audit entry (detail masked) to the current transaction."""
    entry = AuditEntry(at=utcnow(), actor=actor, action=action, target_type=target_type,
                       target_id=None if target_id is None else str(target_id),
                       conversation_id=conversation_id, detail=mask_value(detail or {}))
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


def redact(session: Session, where: ColumnElement[bool], reason: str,
           ref: int | None = None) -> int:
    """Replace the detail of the matching entries with ``{"redacted": reason, "ref": ref}``:
    the only change the audit triggers allow (Alembic revision ``0003_audit_redaction``).
    Returns the number of entries redacted; entries already redacted are left alone."""
    marker = {"redacted": reason, "ref": ref}
    # The marker is the whole detail, so a redacted entry's JSON text starts with it.
    fresh = ~cast(AuditEntry.detail, Text).startswith('{"redacted"')
    return session.execute(update(AuditEntry).where(where, fresh).values(detail=marker)
                           .execution_options(synchronize_session=False)).rowcount or 0


def entry_json(e: AuditEntry, mask: bool = True) -> dict[str, Any]:
    """JSON shape of an audit entry. Details are masked when written; ``mask`` masks again on
    the way out for entries written before that (their rows cannot be rewritten)."""
    detail = e.detail or {}
    if mask:
        detail = mask_value(detail)
    return {"id": e.id, "at": e.at.isoformat(), "actor": e.actor, "action": e.action,
            "target_type": e.target_type, "target_id": e.target_id,
            "conversation_id": e.conversation_id, "detail": detail}
