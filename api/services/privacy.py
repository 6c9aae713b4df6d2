"""Erasure of one applicant and retention of everything past its time (UU 27/2022).

- ``erase_contact``: ``DELETE /api/v1/contacts/{contact}`` (admin). Every conversation of that
  contact is anonymised (``api.services.scrub``: texts, payloads, decisions' texts, contact
  and profile name), officer edits of its drafts promoted to reviewed answers are removed from
  the knowledge catalog (with their cached question vectors), the audit entries about those
  conversations are redacted, and one ``privacy.erase`` entry records counts and ids, never
  the contact. Then the database files are compacted so the bytes are gone.
- ``apply_retention``: the same anonymisation for whatever is older than
  ``settings.retention_days`` (0 = keep forever); ``lantunan retention`` and a daily
  ``RetentionJob`` inside ``serve`` run it.

docs/privacy.md says what is stored where, for how long, and how erasure reaches it.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Text, and_, cast, func, or_, select
from sqlalchemy.orm import Session

from api import audit
from api.auth import Principal
from api.db import AuditEntry, Conversation, Decision, Database, DraftRow, Message, utcnow
from api.schemas.privacy import ContactErased
from api.services.errors import ServiceError
from api.services.scrub import (
    ERASED_CONTACT, anonymise_conversations, blank_decisions, blank_drafts, blank_messages,
    compact, compact_sqlite_file, retry_on_conflict,
)
from api.textsafe import needs_cleaning
from lantunan.settings import Settings

if TYPE_CHECKING:
    from api.context import Context

log = logging.getLogger("lantunan.privacy")

MAX_CONTACT = 128
# Shorter contacts are not searched for inside old audit details: "a1" would match anything.
MIN_CONTACT_SEARCH = 6


def _candidates(contact: str) -> list[str]:
    """The stored forms a contact may have: as given, and a WhatsApp number without '+'."""
    contact = contact.strip()
    return list(dict.fromkeys([contact, contact.lstrip("+")]))


def _erase_reviewed(rt: Context, draft_ids: list[int]) -> list[str]:
    """Remove officer edits of these drafts promoted to reviewed answers from the knowledge
    catalog, with the cached vectors of their questions. Returns the removed ids."""
    if not draft_ids:
        return []
    from knowledge.models import content_hash

    wanted = {f"officer-edit-{d}" for d in draft_ids}
    kb = rt.require_kb()
    found = [a for a in kb.reviewed_answers() if a.id in wanted]
    if not found:
        return []
    # The matcher caches query vectors under hash("query\0" + text) (knowledge.store).
    hashes = [content_hash("query\0" + t) for a in found for t in [a.question, *a.variants]]
    with rt.kb_lock, kb.catalog.transaction() as conn:
        conn.executemany("DELETE FROM reviewed_answers WHERE id = ?", [(a.id,) for a in found])
        conn.executemany("DELETE FROM vectors WHERE text_hash = ?", [(h,) for h in hashes])
    compact_sqlite_file(rt.settings.catalog_path)
    return [a.id for a in found]


def _scrub(s: Session, conv_where: Any, msg_where: Any, draft_where: Any, dec_where: Any,
           reason: str, now: datetime) -> dict[str, int]:
    """Anonymise the rows the clauses select; counts per table."""
    return {"messages": blank_messages(s, msg_where),
            "drafts": blank_drafts(s, draft_where, reason, now),
            "decisions": blank_decisions(s, dec_where),
            "conversations": anonymise_conversations(s, conv_where)}


def erase_contact(rt: Context, principal: Principal, contact: str,
                  channel: str | None = None) -> ContactErased:
    """Erase one applicant (every conversation of ``contact``, on ``channel`` or all)."""
    contact = (contact or "").strip()
    if not contact or len(contact) > MAX_CONTACT:
        raise ServiceError(422, f"Kontak wajib diisi (maks {MAX_CONTACT} karakter).",
                           "invalid_contact")
    # A stored contact never holds NUL or a lone surrogate (api.textsafe cleans them), and
    # PostgreSQL refuses NUL in a query parameter: such input names nobody.
    if needs_cleaning(contact) or (channel is not None and needs_cleaning(channel)):
        raise ServiceError(422, "Kontak atau kanal memuat karakter yang tidak sah.",
                           "invalid_contact")
    if contact.startswith(ERASED_CONTACT):
        raise ServiceError(409, "Kontak ini sudah dihapus.", "already_erased")
    with rt.db.transaction() as s:
        stmt = select(Conversation.id).where(Conversation.contact.in_(_candidates(contact)))
        if channel:
            stmt = stmt.where(Conversation.channel == channel)
        conv_ids = list(s.scalars(stmt.order_by(Conversation.id)))
        if not conv_ids:
            raise ServiceError(404, "Tidak ada percakapan dengan kontak ini.", "not_found")
        draft_ids = list(s.scalars(select(DraftRow.id).where(
            DraftRow.conversation_id.in_(conv_ids))))
    # The knowledge catalog first: if it fails, nothing in the database changed and the same
    # request can be repeated (after the database step the contact is no longer findable).
    removed = _erase_reviewed(rt, draft_ids)
    counts, audit_id = retry_on_conflict(
        lambda: _erase_rows(rt, principal, contact, channel, conv_ids, removed))
    compacted = compact(rt.db.engine)
    return ContactErased(erased=True, **counts, conversation_ids=conv_ids,
                         reviewed_answers_removed=removed, audit_id=audit_id,
                         compacted=compacted)


def _erase_rows(rt: Context, principal: Principal, contact: str, channel: str | None,
                conv_ids: list[int], removed: list[str]) -> tuple[dict[str, int], int]:
    """One transaction: blank the rows, audit the erasure, redact the older entries."""
    now = utcnow()
    with rt.db.transaction() as s:
        counts = _scrub(s, Conversation.id.in_(conv_ids), Message.conversation_id.in_(conv_ids),
                        DraftRow.conversation_id.in_(conv_ids),
                        Decision.conversation_id.in_(conv_ids), "erasure", now)
        entry = audit.record(s, principal.label, "privacy.erase", "conversation",
                             ",".join(map(str, conv_ids))[:255], None, {
                                 **counts, "conversation_ids": conv_ids,
                                 "reviewed_answers": removed, "channel": channel})
        s.flush()
        where = AuditEntry.conversation_id.in_(conv_ids)
        if len(contact) >= MIN_CONTACT_SEARCH:  # entries written before masking (wa_id)
            texts = [cast(AuditEntry.detail, Text).contains(c) for c in _candidates(contact)]
            where = or_(where, *texts)
        counts["audit_entries_redacted"] = audit.redact(
            s, and_(where, AuditEntry.id != entry.id), "erasure", entry.id)
        return counts, entry.id


def apply_retention(db: Database, settings: Settings, now: datetime | None = None,
                    actor: str = "system") -> dict[str, Any]:
    """Anonymise everything older than ``settings.retention_days``; audited when it changed
    anything. ``retention_days = 0`` keeps everything."""
    days = settings.retention_days
    if days <= 0:
        return {"retention_days": 0, "skipped": True}
    now = now or utcnow()
    cutoff = now - timedelta(days=days)
    last = func.coalesce(Conversation.last_message_at, Conversation.created_at)
    with db.transaction() as s:
        counts = _scrub(s, last < cutoff, Message.created_at < cutoff,
                        DraftRow.created_at < cutoff, Decision.created_at < cutoff,
                        "retention", now)
        changed = any(counts.values())
        redacted = 0
        if changed:
            entry = audit.record(s, actor, "privacy.retention", "system", None, None,
                                 {**counts, "retention_days": days,
                                  "cutoff": cutoff.isoformat()})
            s.flush()
        # Entries about old conversations, and rejected webhook items (they name the sender).
        old = and_(AuditEntry.at < cutoff, or_(AuditEntry.conversation_id.is_not(None),
                                               AuditEntry.action == "message.rejected"))
        redacted = audit.redact(s, old, "retention", entry.id if changed else None)
    if changed or redacted:
        compact(db.engine)
    return {"retention_days": days, "cutoff": cutoff.isoformat(), **counts,
            "audit_entries_redacted": redacted}


class RetentionJob:
    """Runs ``apply_retention`` at start and then every ``retention_interval_hours`` in a
    daemon thread of the serving process (several workers doing it is harmless: the second
    finds nothing left to change)."""

    def __init__(self, rt: Context) -> None:
        self.rt = rt
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.runs = 0

    def start(self) -> RetentionJob:
        """Start the thread (nothing when retention is off)."""
        if self.rt.settings.retention_days > 0:
            self._thread = threading.Thread(target=self._loop, name="retention", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Ask the thread to end and wait briefly for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        interval = self.rt.settings.retention_interval_hours * 3600
        while not self._stop.is_set():
            try:
                result = apply_retention(self.rt.db, self.rt.settings)
                self.runs += 1
                log.info("retention run", extra={"result": result})
            except Exception:  # the service stays up; the next run tries again
                log.exception("retention run failed")
            self._stop.wait(interval)
