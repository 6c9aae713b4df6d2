"""Revision 0003 on a real database (SQLite and PostgreSQL): the last release's database, whose
audit log refuses every UPDATE, upgrades to head and then lets exactly one UPDATE through, the
redaction of an existing entry's ``detail``; downgrading to 0002 refuses that again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError

from api import audit
from api.db import AuditEntry, Database
from api.migrations.runner import alembic_config, current_revision, head_revision
from api_support import database
from legacy_schema import audit_log, legacy_migrate

AT = datetime(2026, 11, 30, 10, tzinfo=timezone.utc)


@pytest.fixture
def release_db(backend: str, tmp_path: Path) -> Iterator[Database]:
    """The last release's database with one audit entry about conversation 7, as it wrote it."""
    with database(backend) as url:
        db = Database(url or f"sqlite:///{tmp_path / 'service.sqlite3'}")
        assert legacy_migrate(db.engine) == 1
        with db.engine.begin() as conn:
            conn.execute(audit_log.insert().values(
                at=AT, actor="officer:Budi#2", action="officer.reply", target_type="conversation",
                target_id="7", conversation_id=7, detail={"final_text": "Silakan datang."}))
        try:
            yield db
        finally:
            db.dispose()


def _refused(db: Database, stmt) -> None:
    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
        conn.execute(stmt)


def test_release_database_gains_redaction_only(release_db: Database) -> None:
    db = release_db
    # Before the upgrade the release's trigger refuses even a redaction.
    _refused(db, update(AuditEntry).values(detail={"redacted": "erasure", "ref": 1}))
    assert db.migrate() == head_revision()

    for stmt in (update(AuditEntry).values(actor="x"), delete(AuditEntry),
                 update(AuditEntry).values(detail={"final_text": "lain"}),
                 update(AuditEntry).values(detail={"redacted": "erasure", "extra": 1}),
                 update(AuditEntry).values(detail={"redacted": "erasure"}, target_id="8")):
        _refused(db, stmt)
    with db.transaction() as s:
        assert audit.redact(s, AuditEntry.conversation_id == 7, "erasure", 99) == 1
    with db.transaction() as s:
        row = s.query(AuditEntry).one()
        assert row.detail == {"redacted": "erasure", "ref": 99}
        assert (row.actor, row.action, row.target_id) == ("officer:Budi#2", "officer.reply", "7")


def test_downgrade_to_0002_refuses_every_update_again(release_db: Database) -> None:
    db = release_db
    db.migrate()
    with db.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0002")
    with db.engine.connect() as conn:
        assert current_revision(conn) == "0002"
    _refused(db, update(AuditEntry).values(detail={"redacted": "erasure", "ref": 1}))
    _refused(db, delete(AuditEntry))
    with db.engine.connect() as conn:
        detail = conn.execute(text("SELECT detail FROM audit_log")).scalar()
    assert "Silakan datang." in str(detail)
    # And back up again: the redaction is allowed once more.
    assert db.migrate() == head_revision()
    with db.transaction() as s:
        assert audit.redact(s, AuditEntry.conversation_id == 7, "retention") == 1
