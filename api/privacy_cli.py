"""`lantunan retention`: apply the retention period now (what `serve` does daily), from the
server's shell, on the configured data directory / database."""

from __future__ import annotations

import argparse
import getpass
import json
import socket
import sys


def cmd_retention(args: argparse.Namespace) -> int:
    """Anonymise applicant texts, drafts and contacts older than the retention period."""
    from api.cli import _migrate
    from api.db import Database
    from api.services.privacy import apply_retention
    from lantunan.settings import Settings

    settings = Settings()
    if args.days is not None:
        if args.days < 0:
            print("--days tidak boleh negatif (0 = simpan selamanya).", file=sys.stderr)
            return 2
        settings = settings.model_copy(update={"retention_days": args.days})
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.db_url)
    try:
        _migrate(db)  # a database this build cannot migrate: the reason, exit 2, no traceback
        result = apply_retention(db, settings,
                                 actor=f"cli:{getpass.getuser()}@{socket.gethostname()}")
    finally:
        db.dispose()
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    elif result.get("skipped"):
        print("Masa simpan 0 hari (LANTUNAN_RETENTION_DAYS=0): semua data disimpan, tidak ada "
              "yang dianonimkan.")
    else:
        print(f"Masa simpan {result['retention_days']} hari (sebelum {result['cutoff']}): "
              f"{result['messages']} pesan, {result['drafts']} draf, {result['decisions']} "
              f"keputusan, {result['conversations']} kontak dianonimkan; "
              f"{result['audit_entries_redacted']} entri audit disamarkan.")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `retention` to the `lantunan` command."""
    p = subparsers.add_parser("retention", help="anonimkan pesan, draf dan kontak yang melewati "
                                                "masa simpan (LANTUNAN_RETENTION_DAYS)")
    p.add_argument("--days", type=int, default=None,
                   help="masa simpan dalam hari untuk kali ini (bawaan: pengaturan)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_retention)
