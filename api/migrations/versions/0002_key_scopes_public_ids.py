"""Channel-key scopes and random public message ids (issue 12 item 5).

``api_keys.channels``: the channel names a channel key may write into and read, comma-separated.
An existing channel key is scoped to the channels it already wrote into (from the audit log's
``message.received`` entries under its label), so running integrations keep working and nothing
new is opened to them; a channel key that never wrote is scoped to nothing until re-issued.

``messages.public_id``: the random id the channel API shows (the integer id stays internal);
every existing message gets one before the unique index is built.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _public_id() -> str:
    # Frozen copy of api.db.new_public_id: a revision never imports the models.
    return secrets.token_urlsafe(16)


def _scope_existing_channel_keys(conn: sa.Connection) -> None:
    keys = conn.execute(sa.text("SELECT id, name FROM api_keys WHERE role = 'channel'")).all()
    for key_id, name in keys:
        rows = conn.execute(sa.text("SELECT detail FROM audit_log WHERE actor = :a AND action = "
                                    "'message.received'"), {"a": f"channel:{name}#{key_id}"})
        seen: set[str] = set()
        for (detail,) in rows:
            detail = json.loads(detail) if isinstance(detail, str) else (detail or {})
            if isinstance(detail, dict) and isinstance(detail.get("channel"), str):
                seen.add(detail["channel"])
        conn.execute(sa.text("UPDATE api_keys SET channels = :c WHERE id = :i"),
                     {"c": ",".join(sorted(seen)), "i": key_id})


def upgrade() -> None:
    """Add both columns, backfill them, then index the public ids."""
    op.add_column("api_keys", sa.Column("channels", sa.Text(), nullable=True))
    op.add_column("messages", sa.Column("public_id", sa.String(length=32), nullable=True))
    conn = op.get_bind()
    _scope_existing_channel_keys(conn)
    ids = [r[0] for r in conn.execute(sa.text("SELECT id FROM messages WHERE public_id IS NULL"))]
    for start in range(0, len(ids), 1000):
        conn.execute(sa.text("UPDATE messages SET public_id = :p WHERE id = :i"),
                     [{"p": _public_id(), "i": i} for i in ids[start:start + 1000]])
    op.create_index("ix_messages_public_id", "messages", ["public_id"], unique=True)


def downgrade() -> None:
    """Drop the index and both columns."""
    op.drop_index("ix_messages_public_id", table_name="messages")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("public_id")
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("channels")
