"""Revision 0002 on a real database (SQLite and PostgreSQL): the last release's database with
messages and channel keys gains ``messages.public_id`` (random, unique, indexed, backfilled)
and ``api_keys.channels`` (existing channel keys scoped to what they already wrote into)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from api.auth import AuthError, Principal, Role, authenticate, check_channel, hash_key
from api.db import Database
from api.migrations.runner import head_revision
from api_support import database
from legacy_schema import legacy_migrate

AT = "2026-11-30 10:00:00"


def _seed_version_1(db: Database) -> None:
    with db.engine.begin() as conn:
        for kid, name, role in ((1, "admin", "admin"), (2, "webchat-lama", "channel"),
                                (3, "diam", "channel"), (4, "budi", "officer")):
            conn.execute(text("INSERT INTO api_keys (id, name, role, key_hash, key_hint, "
                              "created_at) VALUES (:i, :n, :r, :h, 'abcd', :at)"),
                         {"i": kid, "n": name, "r": role, "h": hash_key(f"key-{kid}"), "at": AT})
        conn.execute(text("INSERT INTO conversations (id, channel, contact, created_at) "
                          "VALUES (1, 'webchat', 'warga-1', :at)"), {"at": AT})
        conn.execute(text("INSERT INTO messages (conversation_id, direction, msg_type, text, "
                          "created_at, attempts) VALUES (1, 'in', 'text', 'x', :at, 0)"),
                     [{"at": AT}] * 2501)  # more than one backfill batch
        for actor, channel in (("channel:webchat-lama#2", "webchat"),
                               ("channel:webchat-lama#2", "webchat"),
                               ("channel:webchat-lama#2", "bridge"),
                               ("channel:channel", "lain")):  # the settings key: not a row
            conn.execute(text("INSERT INTO audit_log (at, actor, action, detail) VALUES "
                              "(:at, :a, 'message.received', :d)"),
                         {"at": AT, "a": actor, "d": f'{{"channel": "{channel}", "chars": 1}}'})


@pytest.fixture
def v1_database(backend: str, tmp_path: Path) -> Iterator[Database]:
    with database(backend) as url:
        db = Database(url or f"sqlite:///{tmp_path / 'service.sqlite3'}")
        legacy_migrate(db.engine)  # what an existing install has: the release's schema
        _seed_version_1(db)
        try:
            yield db
        finally:
            db.dispose()


def test_step_2_backfills_public_ids_and_scopes(v1_database: Database) -> None:
    db = v1_database
    head = head_revision()
    assert db.migrate() == head
    with db.engine.connect() as conn:
        ids = [r[0] for r in conn.exec_driver_sql("SELECT public_id FROM messages")]
        scopes = dict(conn.exec_driver_sql("SELECT id, channels FROM api_keys").all())
        stamped = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    assert len(ids) == 2501 and len(set(ids)) == 2501
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22}", i) for i in ids)
    assert scopes == {1: None, 2: "bridge,webchat", 3: "", 4: None}
    assert stamped == head

    # The index is unique: a copied public id is refused by the database itself.
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(text("UPDATE messages SET public_id = :p WHERE public_id <> :p"),
                     {"p": ids[0]})
    # A new row gets its own public id from the model default.
    from api.db import Message, utcnow

    with db.transaction() as s:
        m = Message(conversation_id=1, direction="in", text="baru", created_at=utcnow())
        s.add(m)
        s.flush()
        assert re.fullmatch(r"[A-Za-z0-9_-]{22}", m.public_id) and m.public_id not in ids

    # The legacy channel key keeps its channels; the one that never wrote has none.
    legacy = authenticate(db, "key-2", None)
    assert legacy.channels == frozenset({"webchat", "bridge"})
    check_channel(legacy, "webchat")
    with pytest.raises(AuthError) as exc:
        check_channel(legacy, "lain")
    assert exc.value.status == 403 and exc.value.code == "channel_forbidden"
    silent = authenticate(db, "key-3", None)
    assert silent.channels == frozenset()
    with pytest.raises(AuthError):
        check_channel(silent, "webchat")
    # People's keys are not scoped; the admin may use any channel.
    assert authenticate(db, "key-1", None).channels is None
    check_channel(Principal(1, "admin", Role.ADMIN), "apa-saja")
    # Running the migration again changes nothing.
    assert db.migrate() == head


def test_settings_channel_key_is_scoped(v1_database: Database) -> None:
    db = v1_database
    db.migrate()
    env_key = authenticate(db, "kunci-kanal", "kunci-kanal", frozenset({"web"}))
    assert env_key.role == Role.CHANNEL and env_key.channels == frozenset({"web"})
    with pytest.raises(AuthError):
        check_channel(authenticate(db, "kunci-kanal", "kunci-kanal"), "web")
