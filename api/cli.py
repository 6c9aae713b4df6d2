"""`lantunan serve`: run the API service (webhook, generic channel, officer queue, curation)."""

from __future__ import annotations

import argparse
import os
import sys


def cmd_serve(args: argparse.Namespace) -> int:
    """Migrate, bootstrap the first admin key, then serve with uvicorn."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import uvicorn

    from api.app import create_app
    from api.auth import bootstrap_admin
    from api.logging import configure_logging
    from api.runtime import Runtime
    from lantunan.settings import Settings

    settings = Settings()
    configure_logging(settings.log_json)
    rt = Runtime(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    rt.db.migrate()
    key = bootstrap_admin(rt.db, settings.admin_key)
    base = f"http://{args.host}:{args.port}"
    lines = [f"Lantunan API: {base}", f"  Konsol petugas & kurator: {base}/masuk",
             f"  Dokumentasi API (OpenAPI): {base}/docs",
             f"  Webhook WhatsApp: {base}/webhooks/whatsapp",
             f"  Kesehatan: {base}/healthz · kesiapan: {base}/readyz"]
    if key:
        lines += ["", "  Kunci admin pertama (hanya ditampilkan SEKALI, simpan sekarang):",
                  f"    {key}",
                  "  Pakai sebagai 'Authorization: Bearer <kunci>'; buat kunci petugas/kurator "
                  "lewat POST /api/v1/users."]
    elif settings.admin_key:
        lines.append("  Kunci admin: dari LANTUNAN_ADMIN_KEY.")
    else:
        lines.append("  Kunci admin sudah dibuat pada start pertama (tidak ditampilkan lagi).")
    if not settings.whatsapp_app_secret:
        lines.append("  PERINGATAN: LANTUNAN_WHATSAPP_APP_SECRET kosong — semua POST webhook "
                     "ditolak.")
    print("\n".join(lines), flush=True)
    app = create_app(settings, runtime=rt)
    uvicorn.run(app, host=args.host, port=args.port, log_config=None,
                log_level=args.log_level, access_log=not args.no_access_log)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `serve` to the `lantunan` command."""
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
