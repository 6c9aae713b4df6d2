"""Row-level anonymisation shared by erasure and retention, and making deleted bytes really go.

Anonymise, not delete: a message, draft, decision or conversation row keeps its id, times,
direction, status, action, confidence and reason codes (what the dashboard counts), and loses
every text and contact field. So the dashboard still adds up after retention or an erasure,
and no foreign key needs a cascade. Each ``blank_*`` takes a WHERE clause and returns how many
rows it changed (rows already blank do not match again).

On SQLite every connection runs with ``secure_delete=ON`` (``api.db.make_engine``), so
overwritten text is zeroed in its page; ``compact`` then checkpoints the WAL into the database
and truncates it, so no older page version with the text stays in ``-wal``. On PostgreSQL the
old row versions are dead tuples until VACUUM: ``compact`` runs a plain VACUUM on the touched
tables (see docs/privacy.md for what that does and does not guarantee).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from datetime import datetime
from pathlib import Path
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, String, Text, cast, func, literal, null, or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from api.db import Conversation, Decision, DraftRow, Message

T = TypeVar("T")
log = logging.getLogger("lantunan.privacy")

ERASED_CONTACT = "dihapus-"  # + conversation id: unique, and says what happened
_TABLES = ("messages", "drafts", "decisions", "conversations", "audit_log")


def _json_text(column: Any) -> ColumnElement[str]:
    """A JSON column as text, SQL NULL and JSON null both read as 'null' (portable)."""
    return func.coalesce(cast(column, Text), "null")


def _run(s: Session, stmt: Any) -> int:
    return s.execute(stmt.execution_options(synchronize_session=False)).rowcount or 0


def blank_messages(s: Session, where: ColumnElement[bool]) -> int:
    """Empty the text, payload (media ids, profile name, edit history) and error of messages;
    an inbound message still waiting to be drafted is settled, so no worker drafts it later."""
    _run(s, update(Message).where(where, Message.direction == "in",
                                  Message.state.in_(("pending", "processing")))
         .values(state="done", lease_owner=None, lease_until=None))
    _run(s, update(Message).where(where, Message.direction == "out",
                                  Message.status.in_(("pending", "sending")))
         .values(status="failed", lease_owner=None, lease_until=None))
    return _run(s, update(Message).where(where, or_(
        Message.text != "", Message.error.is_not(None), _json_text(Message.payload) != "null"))
        .values(text="", payload=null(), error=None))


def blank_drafts(s: Session, where: ColumnElement[bool], reason: str, now: datetime) -> int:
    """Empty a draft's question, texts and payload; an open draft is withdrawn (nothing to
    answer any more). Status, action, confidence and reason codes stay."""
    _run(s, update(DraftRow).where(where, DraftRow.status == "open")
         .values(status="withdrawn", decided_at=now))
    marker = {"erased": reason}
    return _run(s, update(DraftRow).where(where, or_(
        DraftRow.question != "", DraftRow.text != "", DraftRow.holding_reply.is_not(None),
        DraftRow.answer_text.is_not(None), ~_json_text(DraftRow.payload).contains('"erased"')))
        .values(question="", text="", holding_reply=None, answer_text=None, payload=marker))


def blank_decisions(s: Session, where: ColumnElement[bool]) -> int:
    """Empty the original and final text and the note of decisions (kind and actor stay)."""
    return _run(s, update(Decision).where(where, or_(
        Decision.original_text.is_not(None), Decision.final_text.is_not(None),
        Decision.note.is_not(None)))
        .values(original_text=None, final_text=None, note=None))


def anonymise_conversations(s: Session, where: ColumnElement[bool]) -> int:
    """Replace the contact (phone number or channel sender) with "dihapus-<id>" and drop the
    profile name and claim; channel and times stay. A later message from the same person
    starts a new conversation."""
    return _run(s, update(Conversation).where(
        where, ~Conversation.contact.startswith(ERASED_CONTACT))
        .values(contact=literal(ERASED_CONTACT) + cast(Conversation.id, String),
                display_name=None, claimed_by=None, claimed_at=None))


def _checkpoint(conn: Any) -> bool:
    """PRAGMA wal_checkpoint(TRUNCATE) on a DB-API connection; retried while readers hold
    an older snapshot (busy). True when the WAL was emptied."""
    for _ in range(100):
        busy, _log, _done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy == 0:
            return True
        time.sleep(0.05)
    return False


# PostgreSQL's deadlock and serialization failures: the transaction was rolled back whole and
# may simply be run again (the worker drafting the same conversation takes its row locks in
# another order).
_RETRYABLE = frozenset({"40P01", "40001"})


def retry_on_conflict(run: Callable[[], T], attempts: int = 3) -> T:
    """``run()`` again after a deadlock or serialization failure, up to ``attempts`` times."""
    for attempt in range(1, attempts + 1):
        try:
            return run()
        except DBAPIError as exc:
            code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
            if code not in _RETRYABLE or attempt == attempts:
                raise
            log.warning("transaction conflict, retrying", extra={"sqlstate": code})
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")


def compact(engine: Engine) -> bool:
    """After an erasure or retention run: make the removed bytes leave the database files."""
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:
            ok = _checkpoint(raw.driver_connection)
        finally:
            raw.close()
        if not ok:
            log.warning("WAL checkpoint stayed busy; erased text may remain in the -wal file "
                        "until the next checkpoint")
        return ok
    if engine.dialect.name == "postgresql":
        # Best effort: the erasure is already committed. Two VACUUMs of one table at once (the
        # daily retention run beside an erasure) can fail with "tuple concurrently updated";
        # autovacuum reclaims the rows later, so this is logged, never an error to the caller.
        try:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM " + ", ".join(_TABLES))
        except DBAPIError as exc:
            log.warning("VACUUM after erasure/retention failed; autovacuum will reclaim the "
                        "rows later", extra={"error": str(exc.orig)[:200]})
            return False
        return True
    return False


def compact_sqlite_file(path: Path) -> bool:
    """Checkpoint and truncate the WAL of another SQLite file (the knowledge catalog)."""
    if not path.is_file():
        return False
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout=30000")
        return _checkpoint(conn)
    finally:
        conn.close()
