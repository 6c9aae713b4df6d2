"""Alembic's command line on the packaged migrations, wherever the package is installed:
``python -m api.migrations [-x url=DATABASE_URL] <alembic command> ...`` (see README.md)."""

from __future__ import annotations

import sys
from pathlib import Path

from alembic.config import main

if __name__ == "__main__":
    ini = Path(__file__).resolve().with_name("alembic.ini")
    sys.exit(main(argv=["-c", str(ini), *sys.argv[1:]], prog="python -m api.migrations"))
