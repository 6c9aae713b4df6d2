"""`lantunan serve`: run the API service (webhook, generic channel, officer queue, curation);
`lantunan admin new-key | keys`: issue or list API keys from the server's shell (a lost admin
key cannot be recovered, since only its hash is stored: issue a new one, then revoke the old)."""

from __future__ import annotations

import argparse
import getpass
import os
import socket
import sys
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo


def cmd_serve(args: argparse.Namespace) -> int:
    """Migrate, bootstrap the first admin key, then serve with uvicorn."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import uvicorn

    from api.app import create_app
    from api.auth import bootstrap_admin, parse_channels
    from api.logging import configure_logging
    from api.runtime import Runtime
    from lantunan.settings import Settings

    settings = Settings()
    configure_logging(settings.log_json)
    rt = Runtime(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    _migrate(rt.db)
    parse_channels(settings.channel_api_key_channels)  # a bad name stops here, with its reason
    key_file = bootstrap_admin(rt.db, settings.admin_key, settings.data_dir)
    base = f"http://{args.host}:{args.port}"
    lines = [f"Lantunan API: {base}", f"  Konsol petugas & kurator: {base}/masuk",
             f"  Dokumentasi API (OpenAPI): {base}/docs",
             f"  Webhook WhatsApp: {base}/webhooks/whatsapp",
             f"  Kesehatan: {base}/healthz · kesiapan: {base}/readyz",
             f"  Folder data: {settings.data_dir.resolve()}"]
    if key_file:
        # Never the key itself: this output ends up in container and service logs.
        lines += ["", f"  Kunci admin pertama disimpan di {key_file} (mode 0600, hanya pemilik "
                      "yang dapat membaca).",
                  "  Simpan di tempat aman lalu hapus berkasnya; pakai sebagai 'Authorization: "
                  "Bearer <kunci>' dan buat kunci petugas/kurator lewat POST /api/v1/users."]
    elif settings.admin_key:
        lines.append("  Kunci admin: dari LANTUNAN_ADMIN_KEY.")
    else:
        lines.append("  Kunci admin sudah dibuat pada start pertama (tidak ditampilkan lagi); "
                     "hilang? `lantunan admin new-key` membuat kunci baru.")
    if settings.channel_api_key and not settings.channel_api_key_channels.strip():
        lines.append("  PERINGATAN: LANTUNAN_CHANNEL_API_KEY tanpa LANTUNAN_CHANNEL_API_KEY_CHANNELS "
                     "— kunci kanal itu ditolak untuk semua kanal.")
    if not settings.whatsapp_app_secret:
        lines.append("  PERINGATAN: LANTUNAN_WHATSAPP_APP_SECRET kosong — semua POST webhook "
                     "ditolak.")
    print("\n".join(lines), flush=True)
    app = create_app(settings, runtime=rt)
    # proxy_headers: X-Forwarded-Proto/-For are believed only from forwarded_allow_ips; the
    # request scheme they yield decides the Secure cookie (api/hardening.py).
    uvicorn.run(app, host=args.host, port=args.port, log_config=None,
                log_level=args.log_level, access_log=not args.no_access_log,
                proxy_headers=True, forwarded_allow_ips=settings.forwarded_allow_ips)
    return 0


def _migrate(db) -> None:
    """Migrate the schema; a database this build cannot migrate stops the command with the
    reason instead of a traceback (nothing was changed)."""
    from api.migrations import SchemaStateError

    try:
        db.migrate()
    except SchemaStateError as exc:
        print(f"Lantunan tidak dapat dimulai: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _admin_db():
    """The settings and the migrated service database (created when missing)."""
    from api.db import Database
    from lantunan.settings import Settings

    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.db_url)
    _migrate(db)
    return settings, db


def _db_text(settings) -> str:
    from sqlalchemy.engine import make_url

    return make_url(settings.db_url).render_as_string(hide_password=True)


def cmd_admin_new_key(args: argparse.Namespace) -> int:
    """Issue a new API key (admin by default) straight in the database; audited."""
    from api.audit import record
    from api.auth import Role, create_key, write_secret_file

    name = args.name.strip()
    if not name or len(name) > 100:
        print("Nama wajib diisi (maks 100 karakter).", file=sys.stderr)
        return 2
    channels = args.channel or []
    if (args.role == "channel") != bool(channels):
        print("Kunci kanal wajib menyebut --channel NAMA (boleh berulang); peran lain tidak "
              "memakai --channel.", file=sys.stderr)
        return 2
    settings, db = _admin_db()
    # Who did it, as far as the shell knows: the audit log names the OS user and host.
    actor = f"cli:{getpass.getuser()}@{socket.gethostname()}"
    try:
        with db.transaction() as s:
            row, key = create_key(s, name, Role(args.role), created_by=actor, channels=channels)
            record(s, actor, "admin.create_key", "api_key", row.id, None,
                   {"name": name, "role": args.role, "via": "cli",
                    **({"channels": row.channels} if row.channels else {})})
            key_id = row.id
            if args.key_file:  # written before the commit: a failed write stores no key
                write_secret_file(Path(args.key_file), key + "\n")
    except ValueError as exc:
        print(f"Kunci tidak dibuat: {exc}.", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"Kunci tidak dibuat: berkas {args.key_file} tidak dapat ditulis ({exc}).",
              file=sys.stderr)
        return 1
    finally:
        db.dispose()
    scope = f", kanal {row.channels}" if row.channels else ""
    head = (f"Kunci {args.role} baru untuk '{name}' (id {key_id}{scope}), basis data "
            f"{_db_text(settings)}")
    # The operator asked for this key on their own terminal: printing it there is the point.
    # --key-file keeps it off the screen (and out of anything capturing stdout).
    shown = (f"disimpan di {Path(args.key_file).resolve()} (mode 0600)" if args.key_file
             else f":\n    {key}\nSimpan sekarang: kunci hanya ditampilkan sekali")
    print(f"{head} {shown}. Kunci lama tetap berlaku; cabut di konsol atau lewat "
          "POST /api/v1/users/<id>/revoke (lihat `lantunan admin keys`).")
    return 0


def cmd_admin_keys(args: argparse.Namespace) -> int:
    """List API keys (hint only, never the key)."""
    from sqlalchemy import select

    from api.db import ApiKey

    settings, db = _admin_db()
    try:
        with db.transaction() as s:
            rows = [(k.id, k.name, k.role, k.key_hint, k.created_at, k.created_by, k.revoked_at,
                     k.channels) for k in s.scalars(select(ApiKey).order_by(ApiKey.id))]
    finally:
        db.dispose()
    tz = ZoneInfo(settings.timezone)

    def local(at: datetime) -> str:
        # SQLite hands back naive UTC; PostgreSQL an aware datetime.
        at = at if at.tzinfo else at.replace(tzinfo=timezone.utc)
        return at.astimezone(tz).strftime("%d-%m-%Y %H:%M %Z")

    for kid, name, role, hint, created, by, revoked, channels in rows:
        state = f"dicabut {local(revoked)}" if revoked else "aktif"
        scope = f"  kanal: {channels or '(tidak ada)'}" if role == "channel" else ""
        print(f"{kid:>4}  {name:<24} {role:<8} …{hint:<5} dibuat {local(created)} "
              f"oleh {by or '-'}  {state}{scope}")
    print(f"\n{len(rows)} kunci di {_db_text(settings)}.")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `serve` and `admin` to the `lantunan` command."""
    pa = subparsers.add_parser("admin", help="kelola kunci API dari shell server")
    asub = pa.add_subparsers(dest="admin_cmd", required=True)
    pn = asub.add_parser("new-key", help="buat kunci API baru (mis. kunci admin yang hilang)")
    pn.add_argument("--name", default="admin", help="nama pemegang kunci (bawaan: admin)")
    pn.add_argument("--role", default="admin", choices=["admin", "officer", "curator", "channel"])
    pn.add_argument("--channel", action="append", metavar="NAMA",
                    help="kunci kanal: nama kanal yang boleh ditulis dan dibaca (boleh berulang)")
    pn.add_argument("--key-file", metavar="BERKAS",
                    help="tulis kunci ke berkas ini (mode 0600) alih-alih menampilkannya")
    pn.set_defaults(func=cmd_admin_new_key)
    pk = asub.add_parser("keys", help="daftar kunci API (tanpa kuncinya)")
    pk.set_defaults(func=cmd_admin_keys)

    p = subparsers.add_parser("serve", help="jalankan layanan API (webhook WhatsApp, antrean "
                                            "petugas, kurasi)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--log-level", default="info",
                   choices=["critical", "error", "warning", "info", "debug"])
    p.add_argument("--no-access-log", action="store_true")
    p.set_defaults(func=cmd_serve)


def main(argv: list[str] | None = None) -> int:
    """`python -m api serve ...` without the rest of the CLI."""
    parser = argparse.ArgumentParser(prog="python -m api")
    sub = parser.add_subparsers(dest="cmd", required=True)
    register(sub)
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
