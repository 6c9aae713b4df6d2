"""Relational state of the service (SQLAlchemy 2.x): conversations, messages, drafts, decisions,
API keys and the append-only audit log. The schema is created and upgraded by the Alembic
revisions in ``api/migrations`` (``Database.migrate``), not from these models directly.

SQLite (WAL, ``BEGIN IMMEDIATE`` transactions, full fsync) is the default; PostgreSQL by URL
(``postgresql+psycopg://``). All timestamps are stored in UTC and returned timezone-aware.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from api.textsafe import clean_json, clean_text, needs_cleaning


def utcnow() -> datetime:
    """Current time, timezone-aware UTC."""
    return datetime.now(timezone.utc)


def new_public_id() -> str:
    """A random, URL-safe message id for the channel API (128 bits, always 22 characters):
    unlike the row id it says nothing about other messages and cannot be enumerated."""
    return secrets.token_urlsafe(16)


class UTCDateTime(TypeDecorator):
    """DateTime stored as UTC; SQLite hands back naive values, so tz is re-attached on read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        value = value.astimezone(timezone.utc)
        # SQLite compares timestamps as strings: store one naive UTC format everywhere.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    """Declarative base of every table of the service."""

    type_annotation_map = {datetime: UTCDateTime()}


class ApiKey(Base):
    """A credential: a person or system with one role; only the key's SHA-256 is stored."""

    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_hint: Mapped[str] = mapped_column(String(16))  # last characters, to tell keys apart
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # Channel keys only: the channel names it may write into and read, comma-separated
    # ("webchat,bridge"); empty or NULL = none (people's keys are not scoped).
    channels: Mapped[str | None] = mapped_column(Text, nullable=True)


class Conversation(Base):
    """One applicant on one channel."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "contact", name="uq_conversation_contact"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    contact: Mapped[str] = mapped_column(String(128))
    display_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # Our WhatsApp number (phone_number_id) the applicant wrote to: replies go out from it.
    business_number: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_inbound_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_message_at: Mapped[datetime | None] = mapped_column(nullable=True)
    claimed_by: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(nullable=True)


class Message(Base):
    """An inbound or outbound message; inbound rows carry their processing state, outbound
    rows their delivery state. ``external_id`` (wamid) and ``send_key`` are unique: a
    redelivered webhook or a second send attempt for the same intent cannot add a row."""

    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_conv", "conversation_id", "id"),
        Index("ix_messages_state", "direction", "state"),
        Index("ix_messages_status", "direction", "status"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    direction: Mapped[str] = mapped_column(String(3))  # "in" | "out"
    external_id: Mapped[str | None] = mapped_column(String(255), unique=True, nullable=True)
    send_key: Mapped[str | None] = mapped_column(String(100), unique=True, nullable=True)
    # The id the channel API shows (random; the integer id stays internal).
    public_id: Mapped[str | None] = mapped_column(String(32), unique=True, index=True,
                                                  nullable=True, default=new_public_id)
    msg_type: Mapped[str] = mapped_column(String(32), default="text")
    text: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    received_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # inbound processing: pending -> processing -> done | failed (the lease applies to both
    # processing and sending: a row held by a dead process is recovered, a live one is not)
    state: Mapped[str | None] = mapped_column(String(16), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(nullable=True)
    lease_owner: Mapped[str | None] = mapped_column(String(200), nullable=True)  # host:pid
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    processed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # outbound delivery: pending -> sending -> sent -> delivered -> read | failed | unknown;
    # "stored" = a channel without transport (the client fetches replies)
    status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    draft_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    sent_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(nullable=True)
    status_at: Mapped[datetime | None] = mapped_column(nullable=True)


class DraftRow(Base):
    """The responder's draft for one inbound message (``payload`` = ``Draft.to_json()``)."""

    __tablename__ = "drafts"
    __table_args__ = (Index("ix_drafts_status", "status", "created_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), unique=True)
    question: Mapped[str] = mapped_column(Text, default="")
    action: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    reason_codes: Mapped[str] = mapped_column(String(500), default=",")  # ",a,b," for LIKE
    text: Mapped[str] = mapped_column(Text, default="")
    holding_reply: Mapped[str | None] = mapped_column(Text, nullable=True)
    answer_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    # open | auto_sent | approved | edited | rejected | replied
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(nullable=True)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"), nullable=True)


class Decision(Base):
    """What was decided about a draft or conversation, by whom, with original and final text."""

    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id"), nullable=True, index=True)
    # auto_send | handoff | queue_for_officer | approve | edit | reject | reply | error
    kind: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(200))
    actor_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"), nullable=True)
    original_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    final_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    outbound_message_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """One line of the append-only audit log (database triggers refuse DELETE and every UPDATE
    but the redaction of ``detail``, see revision 0003)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_at", "at"), Index("ix_audit_action", "action"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    target_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    conversation_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class UploadJob(Base):
    """A background document upload (``api.services.jobs``): stage and progress, kept in the
    database so any worker can report it and a restart shows an interrupted job as failed."""

    __tablename__ = "upload_jobs"
    __table_args__ = (Index("ix_upload_jobs_created", "created_at"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    actor: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(200))  # host:pid of the process running it
    stage: Mapped[str] = mapped_column(String(16))  # queued|parsing|embedding|switching|done|failed
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    chunks: Mapped[int | None] = mapped_column(Integer, nullable=True)
    result: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    error: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(nullable=True)


# --- storable text ------------------------------------------------------------------------------
# The last guard before the database: whatever route a string took (webhook, channel, officer
# edit, curator form), a lone surrogate or NUL is replaced instead of failing the transaction.


@event.listens_for(Session, "before_flush")
def _clean_strings(session: Session, _ctx: Any, _instances: Any) -> None:
    for obj in list(session.new) + list(session.dirty):
        table = getattr(obj, "__table__", None)
        if table is None:
            continue
        for column in table.columns:
            value = getattr(obj, column.key, None)
            if isinstance(value, str):
                if needs_cleaning(value):
                    setattr(obj, column.key, clean_text(value))
            elif isinstance(value, (dict, list)):
                cleaned, changed = clean_json(value)
                if changed:
                    setattr(obj, column.key, cleaned)


# --- engine -------------------------------------------------------------------------------------


def make_engine(url: str) -> Engine:
    """Engine for ``url``; SQLite gets WAL, a busy timeout and IMMEDIATE write transactions."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, pool_pre_ping=False
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            # Let us issue BEGIN ourselves (pysqlite's implicit BEGIN is deferred).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")  # an acked webhook survives power loss
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            # Deleted and overwritten content is zeroed, not left in free pages: an erased
            # applicant's text must not survive in the file (api/services/privacy.py).
            cur.execute("PRAGMA secure_delete=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            # IMMEDIATE takes the write lock up front: a deferred read that later upgrades to a
            # write fails at once with SQLITE_BUSY under WAL when another writer got in between.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


class Database:
    """Engine plus session factory; ``transaction()`` commits on success, rolls back on error."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def migrate(self) -> str:
        """Create or upgrade the schema to Alembic's head; returns the revision now applied.
        Safe to run from several processes at once (see ``api.migrations.runner``)."""
        # Imported here: Alembic (with Mako and every SQL dialect) costs ~0.2 s of imports that
        # the many users of this module that never migrate should not pay.
        from api.migrations.runner import upgrade_to_head

        # Several processes opening a brand-new SQLite file at once: switching it to WAL can
        # answer "database is locked" at once, without waiting on the busy timeout. The whole
        # upgrade is one transaction, so it is simply tried again (startup only).
        for attempt in range(1, 6):
            try:
                return upgrade_to_head(self.engine, Base.metadata.tables)
            except OperationalError as exc:
                if self.engine.dialect.name != "sqlite" or "locked" not in str(exc.orig) \
                        or attempt == 5:
                    raise
                time.sleep(0.2 * attempt)
        raise AssertionError("unreachable")

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: everything inside is committed together or not at all."""
        session = self._sessions()
        try:
            with session.begin():
                yield session
        finally:
            session.close()

    def ping(self) -> bool:
        """True when the database answers a trivial query."""
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT 1")).scalar() == 1

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()
