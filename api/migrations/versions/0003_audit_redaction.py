"""Audit-log redaction (issue 12, privacy): the one UPDATE the append-only audit log allows.

The audit log stays append-only except for one narrow change, the redaction of an entry's
``detail`` to exactly ``{"redacted": <reason>, "ref": <id>}``: ``id``, ``at``, ``actor``,
``action``, ``target_type``, ``target_id`` and ``conversation_id`` must stay as they are, and
DELETE stays refused. Erasure and retention (``api.audit.redact``) use it for entries about a
conversation whose texts are gone. Only triggers change, so the models' metadata does not see
this revision (nothing for autogenerate to compare).

Ported from the legacy ledger's step 2 (``api.db._audit_redaction`` on the ``privacy``
branch); same trigger and function names and bodies.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Columns a redaction must leave as they are: who did what, when, on which target.
_KEPT = ("id", "at", "actor", "action", "target_type", "target_id", "conversation_id")

# The refusal as the baseline (0001) wrote it; downgrade puts it back.
_SQLITE_REFUSE = "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
_PG_REFUSE_ALL = (
    "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'audit_log is append-only'; END; $$ LANGUAGE plpgsql"
)


def upgrade() -> None:
    """Replace the UPDATE refusal by one that lets a redaction of ``detail`` through."""
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        same = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in _KEPT)
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute(
            "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log WHEN NOT ("
            f"{same} AND json_valid(NEW.detail) AND json_type(NEW.detail) = 'object' "
            "AND json_type(NEW.detail, '$.redacted') = 'text' AND NOT EXISTS ("
            "SELECT 1 FROM json_each(NEW.detail) WHERE key NOT IN ('redacted', 'ref'))) "
            + _SQLITE_REFUSE
        )
    elif dialect == "postgresql":
        # The trigger (BEFORE UPDATE OR DELETE, from 0001) stays; only its function changes.
        same = " AND ".join(f"NEW.{c} IS NOT DISTINCT FROM OLD.{c}" for c in _KEPT)
        op.execute(
            "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$ "
            "BEGIN "
            f"IF TG_OP = 'UPDATE' AND {same} "
            "AND jsonb_typeof(NEW.detail::jsonb) = 'object' "
            "AND jsonb_typeof(NEW.detail::jsonb -> 'redacted') = 'string' "
            "AND NOT EXISTS (SELECT 1 FROM jsonb_object_keys(NEW.detail::jsonb) AS k "
            "WHERE k NOT IN ('redacted', 'ref')) THEN RETURN NEW; END IF; "
            "RAISE EXCEPTION 'audit_log is append-only'; END; $$ LANGUAGE plpgsql"
        )


def downgrade() -> None:
    """Refuse every UPDATE again, as the baseline did (entries already redacted stay so)."""
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
                   + _SQLITE_REFUSE)
    elif dialect == "postgresql":
        op.execute(_PG_REFUSE_ALL)
