"""Upload jobs recorded in the database (issue 11 item 5).

``upload_jobs``: one row per background document upload (``api.services.jobs``) with its stage
(queued, parsing, embedding, switching, done, failed), progress (``done`` of ``total``), chunk
count, result or error, and the ``owner`` (host:pid) running it, so any worker can report a
job and a restart shows a job whose process died as failed ("interrupted").

Ported from the legacy ledger's step 2 (``api.db._upload_jobs_table`` on the ``uploads``
branch); same columns, types and index name.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _at(name: str, nullable: bool = True) -> sa.Column:
    """A UTC timestamp column (``api.db.UTCDateTime`` stores through this type)."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    """Create the table and its index on ``created_at`` (the recent-uploads list)."""
    op.create_table(
        "upload_jobs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("chunks", sa.Integer(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.JSON(), nullable=True),
        _at("created_at", nullable=False),
        _at("updated_at", nullable=False),
        _at("finished_at"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_upload_jobs_created", "upload_jobs", ["created_at"])


def downgrade() -> None:
    """Drop the table (its index goes with it); the job history is lost."""
    op.drop_table("upload_jobs")
