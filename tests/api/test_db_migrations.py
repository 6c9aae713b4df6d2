"""Alembic migrations of the service database, on a real SQLite file and a real PostgreSQL schema:
empty -> head equals the models; the last release's database (legacy ``schema_version`` ledger,
built by the frozen copy in ``legacy_schema``) is adopted with its data; a second run changes
nothing; the audit log stays append-only; unknown states are refused untouched."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event, inspect, text
from sqlalchemy.exc import DBAPIError

import api.migrations.runner as runner
import legacy_schema as legacy
from api.db import AuditEntry, Base, Conversation, Database, DraftRow, Message, make_engine
from api.migrations.runner import BASELINE, SchemaStateError, alembic_config, head_revision
from api_support import PG_URL, REPO, database, pg_available

AT = datetime(2026, 5, 4, 3, 2, 1, tzinfo=timezone.utc)


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database per test: a SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'lantunan.db'}"
        return
    if not pg_available():
        if os.environ.get("LANTUNAN_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL not reachable at {PG_URL}")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}")
    with database("postgres") as url:
        assert url is not None
        yield url


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database_ = Database(db_url)
    yield database_
    database_.dispose()


def _schema_diff(db: Database) -> list:
    """What autogenerate would change to make the database match the models (empty = equal)."""
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(ctx, Base.metadata)


def _tables(db: Database) -> set[str]:
    with db.engine.connect() as conn:
        return set(inspect(conn).get_table_names())


def _revision(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _seed_legacy(url: str) -> None:
    """The last release's database with one of everything, written as that release stored it
    (ids left to the database, so PostgreSQL sequences advance as they did in service)."""
    engine = make_engine(url)
    assert legacy.legacy_migrate(engine) == 1
    with engine.begin() as conn:
        conn.execute(legacy.api_keys.insert().values(
            name="Admin", role="admin", key_hash="a" * 64, key_hint="wxyz", created_at=AT))
        conn.execute(legacy.conversations.insert().values(
            channel="whatsapp", contact="62811", display_name="Budi", created_at=AT,
            last_inbound_at=AT, claimed_by=1))
        conn.execute(legacy.messages.insert().values(
            conversation_id=1, direction="in", external_id="wamid.OLD", msg_type="text",
            text="Cara daftar NIB?", payload={"raw": True}, created_at=AT, state="done",
            attempts=1))
        conn.execute(legacy.drafts.insert().values(
            conversation_id=1, message_id=1, question="Cara daftar NIB?", action="queue",
            kind="answer", confidence=0.75, reason_codes=",low,", text="Lewat OSS.",
            payload={"sources": ["pp-5-2021"]}, status="open", created_at=AT))
        conn.execute(legacy.decisions.insert().values(
            conversation_id=1, draft_id=1, kind="queue_for_officer", actor="system",
            created_at=AT))
        conn.execute(legacy.audit_log.insert().values(
            at=AT, actor="system", action="message.in", target_type="message",
            target_id="1", conversation_id=1, detail={"n": 1}))
    engine.dispose()


def _assert_append_only(db: Database) -> None:
    with db.transaction() as s:
        s.add(AuditEntry(actor="uji", action="test.append", detail={"x": 1}))
    for statement in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"):
            with db.engine.begin() as conn:
                conn.execute(text(statement))
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM audit_log WHERE actor = 'x'")).scalar() == 0
        assert conn.execute(text("SELECT COUNT(*) FROM audit_log")).scalar() >= 1


def test_empty_database_upgrades_to_head_equal_to_models(db: Database) -> None:
    assert db.migrate() == head_revision() == _revision(db)
    assert _schema_diff(db) == []
    assert _tables(db) == set(Base.metadata.tables) | {"alembic_version"}
    _assert_append_only(db)


def test_baseline_is_exactly_the_last_release_schema(db_url: str, tmp_path: Path) -> None:
    """Adoption stamps the baseline without running it, so the baseline must build what the
    release built: nothing to add or change but the release's own ledger table."""
    db = Database(db_url)
    with db.engine.begin() as conn:
        command.upgrade(alembic_config(conn), BASELINE)
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                legacy.metadata)
    assert [(op[0], op[1].name) for op in diff] == [("add_table", "schema_version")]
    _assert_append_only(db)
    db.dispose()
    if db_url.startswith("sqlite"):  # there the DDL text itself can be compared
        old_url = f"sqlite:///{tmp_path / 'release.db'}"
        _seed_legacy(old_url)
        ddl = "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE '%_version%'"
        release, baseline = make_engine(old_url), make_engine(db_url)
        with release.connect() as a, baseline.connect() as b:
            assert sorted(a.execute(text(ddl))) == sorted(b.execute(text(ddl)))
        release.dispose()
        baseline.dispose()


def test_last_release_database_is_adopted_with_data(db_url: str, db: Database) -> None:
    _seed_legacy(db_url)
    assert "schema_version" in _tables(db) and _revision(db) is None

    assert db.migrate() == head_revision()
    assert "schema_version" not in _tables(db)  # one ledger from now on
    assert _schema_diff(db) == []
    with db.transaction() as s:
        conv = s.get(Conversation, 1)
        assert (conv.contact, conv.display_name, conv.claimed_by) == ("62811", "Budi", 1)
        assert conv.created_at == AT and conv.last_inbound_at == AT
        msg = s.get(Message, 1)
        assert (msg.external_id, msg.text, msg.payload) == ("wamid.OLD", "Cara daftar NIB?",
                                                            {"raw": True})
        draft = s.get(DraftRow, 1)
        assert (draft.confidence, draft.payload["sources"]) == (0.75, ["pp-5-2021"])
        audit = s.get(AuditEntry, 1)
        assert (audit.action, audit.detail, audit.at) == ("message.in", {"n": 1}, AT)
        # New rows continue after the old ids (PostgreSQL sequences came along).
        new = Conversation(channel="whatsapp", contact="62822")
        s.add(new)
        s.flush()
        assert new.id == 2
    _assert_append_only(db)


def test_second_migrate_changes_nothing(db_url: str, db: Database) -> None:
    _seed_legacy(db_url)
    first = db.migrate()
    statements: list[str] = []

    @event.listens_for(db.engine, "before_cursor_execute")
    def _record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement.strip().split(None, 1)[0].upper())

    assert db.migrate() == first
    event.remove(db.engine, "before_cursor_execute", _record)
    writes = [s for s in statements if s in {"CREATE", "ALTER", "DROP", "INSERT", "UPDATE",
                                             "DELETE"}]
    assert statements and writes == [], writes
    assert _schema_diff(db) == []
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM conversations")).scalar() == 1


def test_concurrent_first_starts_migrate_once(db_url: str) -> None:
    """Several workers starting together on an empty database: one migrates, all succeed."""
    results: list[object] = []

    def start() -> None:
        database_ = Database(db_url)
        try:
            results.append(database_.migrate())
        except Exception as exc:  # collected, asserted below
            results.append(exc)
        finally:
            database_.dispose()

    threads = [threading.Thread(target=start) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert results == [head_revision()] * 3


def test_our_tables_without_a_ledger_are_refused_untouched(db: Database) -> None:
    with db.engine.begin() as conn:
        Base.metadata.tables["api_keys"].create(conn)
    with pytest.raises(SchemaStateError, match="tanpa catatan versi skema"):
        db.migrate()
    assert _tables(db) == {"api_keys"}


def test_serve_refuses_an_unknown_database_with_the_reason(tmp_path: Path) -> None:
    """The operator sees why the service does not start (exit 2, no traceback)."""
    data = tmp_path / "data"
    data.mkdir()
    db = Database(f"sqlite:///{data / 'lantunan.sqlite3'}")
    with db.engine.begin() as conn:
        Base.metadata.tables["api_keys"].create(conn)
    db.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANTUNAN_")}
    env.update(LANTUNAN_DATA_DIR=str(data), LANTUNAN_SEED_SAMPLE_KB="false",
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])))
    proc = subprocess.run([sys.executable, "-m", "api", "serve", "--port", "9"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "tanpa catatan versi skema" in proc.stderr and "Traceback" not in proc.stderr


def test_unknown_legacy_version_is_refused_untouched(db_url: str, db: Database) -> None:
    _seed_legacy(db_url)
    with db.engine.begin() as conn:
        conn.execute(legacy.schema_version.insert().values(version=7, applied_at=AT))
    with pytest.raises(SchemaStateError, match="versi 7"):
        db.migrate()
    assert "schema_version" in _tables(db) and "alembic_version" not in _tables(db)


def test_revision_from_a_newer_release_is_refused(db: Database) -> None:
    db.migrate()
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'f00dfeed'"))
    with pytest.raises(SchemaStateError, match="f00dfeed"):
        db.migrate()
    assert _revision(db) == "f00dfeed"


def test_other_applications_tables_are_left_alone(db: Database) -> None:
    with db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE other_app (id INTEGER PRIMARY KEY)"))
        conn.execute(text("INSERT INTO other_app (id) VALUES (5)"))
    assert db.migrate() == head_revision()
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT id FROM other_app")).scalar() == 5


def test_sqlite_connection_settings_survive_migration(tmp_path: Path) -> None:
    """The migration turns foreign keys off on its own connection only: the pooled connection
    the service reuses afterwards still enforces them, in WAL mode."""
    db = Database(f"sqlite:///{tmp_path / 'lantunan.db'}")
    db.migrate()
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    with pytest.raises(DBAPIError, match="FOREIGN KEY"):
        with db.transaction() as s:
            s.add(Message(conversation_id=999, direction="in"))
    db.dispose()


# A later revision on top of whatever this build's head is (the real ones keep being added).
TEST_REVISION = '''"""test revision"""
import sqlalchemy as sa
from alembic import op

revision, down_revision, branch_labels, depends_on = "t001", "{head}", None, None


def upgrade():
    {body}


def downgrade():
    pass
'''


@pytest.mark.parametrize("body, ok", [
    # SQLite recreates the table: dropping the referenced original must not trip foreign keys.
    ('with op.batch_alter_table("conversations", recreate="always") as b:\n'
     '        b.add_column(sa.Column("note", sa.String(50), nullable=True))', True),
    # A revision that leaves a dangling reference is rolled back whole.
    ('op.add_column("api_keys", sa.Column("x", sa.Integer()))\n'
     '    op.execute("DELETE FROM conversations")', False),
], ids=["recreate-referenced-table", "dangling-reference"])
def test_sqlite_revisions_checked_for_foreign_keys_at_commit(tmp_path: Path, monkeypatch,
                                                             body: str, ok: bool) -> None:
    """A later revision (written here into a copy of the scripts) runs with SQLite's foreign
    keys off, as batch mode needs, and is committed only when no reference dangles."""
    db = Database(f"sqlite:///{tmp_path / 'lantunan.db'}")
    head = db.migrate()
    with db.transaction() as s:
        conv = Conversation(channel="whatsapp", contact="62833")
        s.add(conv)
        s.flush()
        s.add(Message(conversation_id=conv.id, direction="in", text="halo"))
    scripts = tmp_path / "migrations"
    shutil.copytree(runner.SCRIPT_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "t001_test.py").write_text(TEST_REVISION.format(head=head,
                                                                            body=body))
    monkeypatch.setattr(runner, "SCRIPT_DIR", scripts)
    if ok:
        assert db.migrate() == "t001"
    else:
        with pytest.raises(SchemaStateError, match="rujukan antartabel rusak"):
            db.migrate()
    with db.engine.connect() as conn:
        assert _revision(db) == ("t001" if ok else head)
        assert "x" not in {c["name"] for c in inspect(conn).get_columns("api_keys")}
        row = conn.execute(text("SELECT m.text FROM messages m JOIN conversations c "
                                "ON c.id = m.conversation_id")).scalar()
        assert row == "halo"
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    db.dispose()


def test_alembic_command_line_runs_outside_the_checkout(tmp_path: Path) -> None:
    """`python -m api.migrations` finds the packaged scripts from any directory, and `check`
    (autogenerate against the models) finds nothing to add at head."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANTUNAN_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    for args in (["upgrade", "head"], ["check"], ["current"]):
        proc = subprocess.run([sys.executable, "-m", "api.migrations", "-x", f"url={url}", *args],
                              cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr[-2000:]
    assert f"{head_revision()} (head)" in proc.stdout


def test_package_ships_every_migration_file() -> None:
    """`pip install .` (not editable) must carry the scripts: every file under api/migrations is
    a module of a package or matches the package-data patterns of pyproject.toml."""
    import fnmatch
    import tomllib

    root = runner.SCRIPT_DIR
    project = tomllib.loads((root.parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = project["tool"]["setuptools"]["package-data"]["*"]
    files = [p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    assert {"env.py", "script.py.mako", "0001_baseline.py"} <= {p.name for p in files}
    for path in files:
        if path.suffix == ".py":
            assert (path.parent / "__init__.py").exists(), f"{path} is in no package"
        else:
            assert any(fnmatch.fnmatch(path.name, pat) for pat in patterns), f"{path} not shipped"
