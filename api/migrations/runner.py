"""Schema migration at service start: Alembic configured in code, plus the one-time adoption of
databases created by the hand-written ledger of earlier releases.

``upgrade_to_head`` looks at the database inside one transaction and then
- no table of ours yet: ``upgrade head`` (the baseline revision builds today's schema);
- ``alembic_version`` present: ``upgrade head`` (a no-op at head);
- the legacy ``schema_version`` ledger at a version a release shipped, no ``alembic_version``:
  ``stamp`` the Alembic revision equal to that schema, drop the old ledger, ``upgrade head``;
- anything else (our tables without a ledger, an unknown legacy version, a revision this build
  does not know): refuse with ``SchemaStateError`` before touching anything.
Everything runs in that single transaction (both backends have transactional DDL), so a crash
half-way leaves the database as it was, and the next start simply tries again.

This module must not import ``api.db`` (which calls it): the caller passes its table names.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from api.migrations import SchemaStateError

__all__ = ["SchemaStateError", "alembic_config", "current_revision", "head_revision",
           "upgrade_to_head"]

SCRIPT_DIR = Path(__file__).resolve().parent
BASELINE = "0001"
# Legacy ledger version -> the Alembic revision whose schema is exactly that version's. Only
# versions a release shipped belong here (the last release wrote version 1).
LEGACY_REVISIONS: dict[int, str] = {1: BASELINE}
LEGACY_TABLE = "schema_version"
# Serialises concurrent first starts of several workers on PostgreSQL (the ledger used it too).
_PG_LOCK_KEY = 7411001


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration on the packaged script directory, independent of the working
    directory; with ``connection``, env.py runs on it instead of opening its own."""
    cfg = Config()
    # The value goes through configparser interpolation: a literal '%' must be doubled.
    cfg.set_main_option("script_location", str(SCRIPT_DIR).replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest revision this build ships."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "api/migrations/versions has no revision"
    return head


def current_revision(conn: Connection) -> str | None:
    """The revision recorded in the database's ``alembic_version`` (None when there is none)."""
    return MigrationContext.configure(conn).get_current_revision()


def upgrade_to_head(engine: Engine, own_tables: Iterable[str]) -> str:
    """Create, adopt or upgrade the schema; returns the revision now applied. ``own_tables``
    are the service's table names (tables of other applications in the same database are
    left alone and do not count as 'ours')."""
    with engine.connect() as conn, _sqlite_foreign_keys_off(conn):
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
            cfg = alembic_config(conn)
            _adopt(conn, cfg, set(own_tables))
            command.upgrade(cfg, "head")
            _check_foreign_keys(conn)
            revision = current_revision(conn)
    assert revision is not None
    return revision


def _adopt(conn: Connection, cfg: Config, own_tables: set[str]) -> None:
    """Bring any state this build knows to one Alembic can upgrade; refuse the rest."""
    tables = set(inspect(conn).get_table_names())
    if "alembic_version" in tables:
        _require_known_revision(conn, cfg)
        return
    if LEGACY_TABLE in tables:
        version = conn.execute(text(f"SELECT MAX(version) FROM {LEGACY_TABLE}")).scalar()
        revision = LEGACY_REVISIONS.get(version) if isinstance(version, int) else None
        if revision is None:
            known = ", ".join(str(v) for v in sorted(LEGACY_REVISIONS))
            raise SchemaStateError(
                f"Catatan skema lama ({LEGACY_TABLE}) berada di versi {version}; versi "
                f"Lantunan ini hanya dapat mengambil alih versi {known}. Migrasi dihentikan "
                "tanpa mengubah apa pun: jalankan rilis yang membuat basis data ini, atau "
                "pulihkan dari cadangan."
            )
        command.stamp(cfg, revision)
        # One ledger only: a stale 'version 1' beside a schema that has moved on would mislead.
        conn.execute(text(f"DROP TABLE {LEGACY_TABLE}"))
        return
    stray = sorted(tables & own_tables)
    if stray:
        raise SchemaStateError(
            f"Basis data berisi tabel Lantunan ({', '.join(stray)}) tanpa catatan versi skema "
            f"(alembic_version atau {LEGACY_TABLE}): keadaannya tidak dikenal, jadi migrasi "
            "dihentikan tanpa mengubah apa pun. Periksa LANTUNAN_DATABASE_URL, atau pulihkan "
            "dari cadangan."
        )


def _require_known_revision(conn: Connection, cfg: Config) -> None:
    """A revision written by a newer release cannot be upgraded (or trusted) by this one."""
    script = ScriptDirectory.from_config(cfg)
    for revision in MigrationContext.configure(conn).get_current_heads():
        try:
            script.get_revision(revision)
        except CommandError:
            raise SchemaStateError(
                f"Basis data berada di revisi skema {revision!r}, yang tidak dikenal versi "
                "Lantunan ini (dibuat oleh rilis yang lebih baru?). Migrasi dihentikan tanpa "
                "mengubah apa pun: pasang rilis itu lagi, atau pulihkan dari cadangan."
            ) from None


@contextmanager
def _sqlite_foreign_keys_off(conn: Connection) -> Iterator[None]:
    """SQLite's ALTER is done by recreating a table (batch mode); with foreign keys enforced,
    dropping the old copy of a referenced table would fail or cascade. The PRAGMA is ignored
    inside a transaction, so it is set on the raw connection before ours begins, and restored
    for the pool afterwards; ``_check_foreign_keys`` verifies the result before commit."""
    if conn.dialect.name != "sqlite":
        yield
        return
    raw = conn.connection.driver_connection
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


def _check_foreign_keys(conn: Connection) -> None:
    """Refuse to commit a SQLite migration that left a dangling reference."""
    if conn.dialect.name != "sqlite":
        return
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise SchemaStateError(
            f"Migrasi dibatalkan: {len(broken)} rujukan antartabel rusak setelah migrasi "
            f"(contoh: {tuple(broken[0])})."
        )
