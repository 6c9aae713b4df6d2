"""Frozen copy of the last release's schema and its hand-written migration ledger (``api/db.py``
before Alembic, ``schema_version`` 1), so the upgrade tests build exactly the database that
release left behind. Never edit to follow the models: this is history.

The tables are the release's models written as Core tables (same DDL: UTC timestamps were
``DateTime(timezone=True)`` underneath, ``index=True`` / ``unique=True`` as there);
``legacy_migrate`` is the release's ``migrate()``.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON, Column, DateTime, Float, ForeignKey, Index, Integer, MetaData, String, Table, Text,
    UniqueConstraint, text,
)
from sqlalchemy.engine import Connection, Engine

metadata = MetaData()


def _at(name: str, nullable: bool = True) -> Column:
    return Column(name, DateTime(timezone=True), nullable=nullable)


def _str(name: str, length: int, nullable: bool = True, **kw: bool) -> Column:
    return Column(name, String(length), nullable=nullable, **kw)


api_keys = Table(
    "api_keys", metadata,
    Column("id", Integer, primary_key=True),
    _str("name", 100, False), _str("role", 20, False),
    _str("key_hash", 64, False, unique=True), _str("key_hint", 16, False),
    _at("created_at", False), _str("created_by", 200), _at("revoked_at"),
)
conversations = Table(
    "conversations", metadata,
    Column("id", Integer, primary_key=True),
    _str("channel", 32, False), _str("contact", 128, False),
    _str("display_name", 200), _str("business_number", 64),
    _at("created_at", False), _at("last_inbound_at"), _at("last_message_at"),
    Column("claimed_by", Integer, ForeignKey("api_keys.id"), nullable=True), _at("claimed_at"),
    UniqueConstraint("channel", "contact", name="uq_conversation_contact"),
)
messages = Table(
    "messages", metadata,
    Column("id", Integer, primary_key=True),
    Column("conversation_id", Integer, ForeignKey("conversations.id"), nullable=False),
    _str("direction", 3, False),
    _str("external_id", 255, unique=True), _str("send_key", 100, unique=True),
    _str("msg_type", 32, False), Column("text", Text, nullable=False),
    Column("payload", JSON, nullable=True),
    _at("created_at", False), _at("received_at"),
    _str("state", 16), _at("lease_until"), _str("lease_owner", 200),
    Column("attempts", Integer, nullable=False), Column("error", Text, nullable=True),
    _at("processed_at"), _str("status", 16),
    Column("draft_id", Integer, nullable=True, index=True),
    _str("sent_by", 200), _at("sent_at"), _at("status_at"),
    Index("ix_messages_conv", "conversation_id", "id"),
    Index("ix_messages_state", "direction", "state"),
    Index("ix_messages_status", "direction", "status"),
)
drafts = Table(
    "drafts", metadata,
    Column("id", Integer, primary_key=True),
    Column("conversation_id", Integer, ForeignKey("conversations.id"), nullable=False,
           index=True),
    Column("message_id", Integer, ForeignKey("messages.id"), nullable=False, unique=True),
    Column("question", Text, nullable=False), _str("action", 32, False), _str("kind", 32, False),
    Column("confidence", Float, nullable=False), _str("reason_codes", 500, False),
    Column("text", Text, nullable=False), Column("holding_reply", Text, nullable=True),
    Column("answer_text", Text, nullable=True), Column("payload", JSON, nullable=False),
    _str("status", 16, False), _at("created_at", False), _at("decided_at"),
    Column("decided_by", Integer, ForeignKey("api_keys.id"), nullable=True),
    Index("ix_drafts_status", "status", "created_at"),
)
decisions = Table(
    "decisions", metadata,
    Column("id", Integer, primary_key=True),
    Column("conversation_id", Integer, ForeignKey("conversations.id"), nullable=False,
           index=True),
    Column("draft_id", Integer, ForeignKey("drafts.id"), nullable=True, index=True),
    _str("kind", 32, False), _str("actor", 200, False),
    Column("actor_key_id", Integer, ForeignKey("api_keys.id"), nullable=True),
    Column("original_text", Text, nullable=True), Column("final_text", Text, nullable=True),
    Column("note", Text, nullable=True), Column("outbound_message_id", Integer, nullable=True),
    _at("created_at", False),
)
audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True),
    _at("at", False), _str("actor", 200, False), _str("action", 64, False),
    _str("target_type", 32), _str("target_id", 255),
    Column("conversation_id", Integer, nullable=True, index=True),
    Column("detail", JSON, nullable=False),
    Index("ix_audit_at", "at"), Index("ix_audit_action", "action"),
)
schema_version = Table(
    "schema_version", metadata,
    Column("version", Integer, primary_key=True),
    _at("applied_at", False),
)


def _audit_triggers(conn: Connection) -> None:
    """The release's step 1, verbatim."""
    if conn.dialect.name == "sqlite":
        for op in ("UPDATE", "DELETE"):
            conn.exec_driver_sql(
                f"CREATE TRIGGER IF NOT EXISTS audit_log_no_{op.lower()} BEFORE {op} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
            )
    elif conn.dialect.name == "postgresql":
        conn.exec_driver_sql(
            "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'audit_log is append-only'; END; $$ LANGUAGE plpgsql"
        )
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        conn.exec_driver_sql(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )


MIGRATIONS = [(1, _audit_triggers)]


def legacy_migrate(engine: Engine) -> int:
    """The release's ``migrate()``: ledger, ``create_all`` on a fresh database, then steps."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(7411001)"))
        schema_version.create(conn, checkfirst=True)
        current = conn.execute(text("SELECT MAX(version) FROM schema_version")).scalar() or 0
        if current == 0:
            metadata.create_all(conn)
        for version, step in MIGRATIONS:
            if version > current:
                step(conn)
                conn.execute(schema_version.insert().values(
                    version=version, applied_at=datetime.now(timezone.utc)))
        return MIGRATIONS[-1][0]
