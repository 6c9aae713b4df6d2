"""Alembic revisions, oldest first by their ``down_revision`` chain (a package only so that
setuptools ships it)."""
