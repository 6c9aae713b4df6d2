"""Baseline: the schema of the last release before Alembic (legacy ``schema_version`` 1).

A fresh database gets it from here; a database that release created is stamped at this
revision instead (``runner.LEGACY_REVISIONS``), so this must stay exactly what that release's
``create_all`` plus its audit-log triggers produced: same tables, columns, constraint and index
names, even the order of constraints in each CREATE TABLE. Written out in full (no import of
``api.db``): a revision is frozen history, the models move on.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _at(name: str, nullable: bool = True) -> sa.Column:
    """A UTC timestamp column (``api.db.UTCDateTime`` stores through this type)."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    """Create the six tables of the service and make the audit log append-only."""
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("key_hint", sa.String(length=16), nullable=False),
        _at("created_at", nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=True),
        _at("revoked_at"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_hash"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        _at("at", nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target_type", sa.String(length=32), nullable=True),
        sa.Column("target_id", sa.String(length=255), nullable=True),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_action", "audit_log", ["action"])
    op.create_index("ix_audit_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_conversation_id", "audit_log", ["conversation_id"])
    op.create_table(
        "conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("contact", sa.String(length=128), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("business_number", sa.String(length=64), nullable=True),
        _at("created_at", nullable=False),
        _at("last_inbound_at"),
        _at("last_message_at"),
        sa.Column("claimed_by", sa.Integer(), nullable=True),
        _at("claimed_at"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "contact", name="uq_conversation_contact"),
        sa.ForeignKeyConstraint(["claimed_by"], ["api_keys.id"]),
    )
    _create_messages()
    _create_drafts()
    _create_decisions()
    _audit_triggers()


def _create_messages() -> None:
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.Column("send_key", sa.String(length=100), nullable=True),
        sa.Column("msg_type", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        _at("created_at", nullable=False),
        _at("received_at"),
        sa.Column("state", sa.String(length=16), nullable=True),
        _at("lease_until"),
        sa.Column("lease_owner", sa.String(length=200), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        _at("processed_at"),
        sa.Column("status", sa.String(length=16), nullable=True),
        sa.Column("draft_id", sa.Integer(), nullable=True),
        sa.Column("sent_by", sa.String(length=200), nullable=True),
        _at("sent_at"),
        _at("status_at"),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("external_id"),
        sa.UniqueConstraint("send_key"),
    )
    op.create_index("ix_messages_conv", "messages", ["conversation_id", "id"])
    op.create_index("ix_messages_draft_id", "messages", ["draft_id"])
    op.create_index("ix_messages_state", "messages", ["direction", "state"])
    op.create_index("ix_messages_status", "messages", ["direction", "status"])


def _create_drafts() -> None:
    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("reason_codes", sa.String(length=500), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("holding_reply", sa.Text(), nullable=True),
        sa.Column("answer_text", sa.Text(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        _at("created_at", nullable=False),
        _at("decided_at"),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"]),
        sa.UniqueConstraint("message_id"),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"]),
        sa.ForeignKeyConstraint(["decided_by"], ["api_keys.id"]),
    )
    op.create_index("ix_drafts_conversation_id", "drafts", ["conversation_id"])
    op.create_index("ix_drafts_status", "drafts", ["status", "created_at"])


def _create_decisions() -> None:
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("actor_key_id", sa.Integer(), nullable=True),
        sa.Column("original_text", sa.Text(), nullable=True),
        sa.Column("final_text", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("outbound_message_id", sa.Integer(), nullable=True),
        _at("created_at", nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"]),
        sa.ForeignKeyConstraint(["draft_id"], ["drafts.id"]),
        sa.ForeignKeyConstraint(["actor_key_id"], ["api_keys.id"]),
    )
    op.create_index("ix_decisions_conversation_id", "decisions", ["conversation_id"])
    op.create_index("ix_decisions_draft_id", "decisions", ["draft_id"])


def _audit_triggers() -> None:
    """The audit log is append-only at the database level: UPDATE and DELETE are refused by a
    trigger (the same names and bodies the legacy ledger's step 1 created)."""
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'audit_log is append-only'; END; $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )


def downgrade() -> None:
    """Drop everything the baseline created (all data with it)."""
    for table in ("decisions", "drafts", "messages", "conversations", "audit_log", "api_keys"):
        op.drop_table(table)  # indexes and triggers go with their table
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
