"""Alembic migrations of the service database (SQLite and PostgreSQL).

``runner.upgrade_to_head`` is what the service calls at start; ``env.py``,
``script.py.mako`` and ``versions/`` are Alembic's script directory, shipped inside the package
so an installed service migrates without a checkout or an ``alembic.ini`` in the working
directory. See README.md beside this file for adding a revision.
"""


class SchemaStateError(RuntimeError):
    """The database is in a state this build cannot migrate safely; nothing was changed.
    Defined here, not in ``runner``, so callers can catch it without importing Alembic."""
