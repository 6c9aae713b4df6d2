"""Alembic environment of the service database.

Two ways in:
- the service (``runner.upgrade_to_head``) hands over an open connection in
  ``config.attributes["connection"]``, already inside the one transaction that adopts, stamps
  and upgrades; Alembic then runs inside it and never commits on its own;
- Alembic's command line (``python -m api.migrations ...``) names the database with
  ``-x url=...``, the ini's ``sqlalchemy.url`` or, failing both, the service settings.
"""

from __future__ import annotations

from logging.config import fileConfig

from typing import Any

from alembic import context
from sqlalchemy.engine import Connection

from api.db import Base, UTCDateTime, make_engine

config = context.config
target_metadata = Base.metadata
if config.config_file_name is not None:
    # Command line only: the service configures Alembic in code and keeps its own logging.
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _render_item(kind: str, obj: Any, _autogen: Any) -> str | bool:
    """Autogenerate writes our UTC timestamp type as the plain column type it stores through:
    a revision must not import ``api.db`` (revisions are frozen, the models move on)."""
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(connection: Connection) -> None:
    """Same options for the service and the command line, so autogenerate sees what start-up
    runs: batch mode on SQLite (its ALTER TABLE cannot change a column, so Alembic recreates
    the table) and type comparison on."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )


def _url() -> str:
    """The database of a command-line run."""
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    if url:
        return url
    from lantunan.settings import Settings

    return Settings().db_url


def run_offline() -> None:
    """``--sql``: print the DDL instead of running it."""
    context.configure(
        url=_url(), target_metadata=target_metadata, literal_binds=True, compare_type=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Run against a live connection: the service's, or a fresh engine for the CLI."""
    given = config.attributes.get("connection")
    if given is not None:
        _configure(given)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as connection:
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
