"""The pieces of privacy without a server: the shared masking function, the audit log's
redaction-only trigger (SQLite and PostgreSQL) and retention of old audit entries."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, update

from api import audit
from api.db import AuditEntry, Conversation, Database, DraftRow, Message, utcnow
from api.masking import mask_pii, mask_report
from api.services.privacy import apply_retention
from api_support import database
from lantunan.settings import Settings


@pytest.mark.parametrize("text, gone, kind", [
    ("NIK saya 6371012345678901 ya", "6371012345678901", "nik_or_npwp16"),
    ("nik 6371 0123 4567 8901", "6371 0123 4567 8901", "nik_or_npwp16"),
    ("NPWP 12.345.678.9-012.345", "12.345.678.9-012.345", "npwp"),
    ("hp 0812-3456-7890", "0812-3456-7890", "phone_number"),
    ("wa +62 812 3456 7890", "812 3456 7890", "phone_number"),
    ("call +65 9123 4567", "9123 4567", "phone_number"),
    ("email budi.santoso@gmail.com", "budi.santoso", "email"),
    ("transfer ke rekening BRI 1234-5678-9012", "1234-5678-9012", "bank_account"),
    ("alamat Jl. Ahmad Yani No. 12 Paringin", "Ahmad Yani", "address"),
    ("rumah di RT 03/RW 02 desa Batu", "RT 03/RW 02", "address"),
])
def test_mask_report_finds_each_kind(text: str, gone: str, kind: str):
    masked, kinds = mask_report(text)
    assert gone not in masked and kind in kinds
    assert mask_pii(masked) == masked  # masking is idempotent (masked entries stay stable)


def test_mask_keeps_law_and_office_contacts():
    law = "PP 6/2021 Pasal 12 ayat (2), KBLI 56303, garis sempadan jalan 12 meter, NIB 1234567890123"
    assert mask_report(law) == (law, [])
    masked, kinds = mask_report("WA kantor 0811-5000-1234, pemohon 0812-9999-0000",
                                keep=["081150001234"])
    assert "0811-5000-1234" in masked and "0812-9999-0000" not in masked
    assert kinds == ["phone_number"]


@pytest.fixture
def db(backend: str, tmp_path: Path) -> Iterator[Database]:
    """A migrated database of the backend (SQLite file or a fresh PostgreSQL schema)."""
    with database(backend) as url:
        d = Database(url or f"sqlite:///{tmp_path / 'x.sqlite3'}")
        d.migrate()
        try:
            yield d
        finally:
            d.dispose()


def test_audit_log_refuses_all_but_redaction(db: Database):
    with db.transaction() as s:
        e = audit.record(s, "officer:Budi#2", "officer.reply", "conversation", 7, 7,
                         {"final_text": "NIK 6371012345678901 diterima"})
        s.flush()
        eid = e.id
    with db.transaction() as s:
        assert s.get(AuditEntry, eid).detail["final_text"] == "NIK [NIK *************901] diterima"
    refused = [update(AuditEntry).values(actor="x"), delete(AuditEntry),
               update(AuditEntry).values(detail={"final_text": "lain"}),
               update(AuditEntry).values(detail={"redacted": "erasure", "extra": 1}),
               update(AuditEntry).values(detail={"redacted": "erasure"}, action="x")]
    for stmt in refused:
        with pytest.raises(Exception, match="append-only"):
            with db.transaction() as s:
                s.execute(stmt)
    with db.transaction() as s:
        assert audit.redact(s, AuditEntry.conversation_id == 7, "erasure", 99) == 1
        assert audit.redact(s, AuditEntry.conversation_id == 7, "erasure", 99) == 0
    with db.transaction() as s:
        row = s.get(AuditEntry, eid)
        assert row.detail == {"redacted": "erasure", "ref": 99}
        assert (row.actor, row.action, row.target_id) == ("officer:Budi#2", "officer.reply", "7")


def test_retention_redacts_old_audit_and_keeps_forever_at_zero(db: Database, tmp_path: Path):
    old = utcnow() - timedelta(days=400)
    with db.transaction() as s:
        conv = Conversation(channel="coba", contact="warga-lama", created_at=old,
                            last_message_at=old)
        s.add(conv)
        s.flush()
        s.add(Message(conversation_id=conv.id, direction="in", text="teks lama",
                      created_at=old))
        s.add(AuditEntry(at=old, actor="system", action="decision.handoff", target_type="draft",
                         target_id="1", conversation_id=conv.id, detail={"sent_text": "lama"}))
        conv_id = conv.id
    keep = Settings(data_dir=tmp_path, retention_days=0, _env_file=None)
    assert apply_retention(db, keep)["skipped"]
    result = apply_retention(db, Settings(data_dir=tmp_path, retention_days=365, _env_file=None))
    assert result["messages"] == 1 and result["conversations"] == 1
    assert result["audit_entries_redacted"] == 1 and result["drafts"] == 0
    with db.transaction() as s:
        assert s.get(Conversation, conv_id).contact == f"dihapus-{conv_id}"
        redacted = [e for e in s.query(AuditEntry).filter(AuditEntry.conversation_id == conv_id)]
        assert redacted[0].detail["redacted"] == "retention"
        assert s.query(DraftRow).count() == 0 and s.query(Message).count() == 1
    again = apply_retention(db, Settings(data_dir=tmp_path, retention_days=365, _env_file=None))
    assert again["messages"] == 0 and again["conversations"] == 0


class _PgError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def test_erasure_transaction_is_retried_after_a_deadlock_only() -> None:
    """A deadlock (40P01) or serialization failure (40001) rolls the transaction back whole: it
    is run again; any other database error reaches the caller at once."""
    from sqlalchemy.exc import DBAPIError

    from api.services.scrub import retry_on_conflict

    calls: list[int] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise DBAPIError("UPDATE messages", {}, _PgError("40P01"))
        return "done"

    assert retry_on_conflict(flaky) == "done" and len(calls) == 3

    def broken() -> str:
        calls.append(1)
        raise DBAPIError("UPDATE messages", {}, _PgError("23505"))

    calls.clear()
    with pytest.raises(DBAPIError):
        retry_on_conflict(broken)
    assert len(calls) == 1
    calls.clear()
    with pytest.raises(DBAPIError):
        retry_on_conflict(lambda: (calls.append(1), flaky_forever())[1])
    assert len(calls) == 3


def flaky_forever() -> str:
    from sqlalchemy.exc import DBAPIError

    raise DBAPIError("UPDATE drafts", {}, _PgError("40001"))
