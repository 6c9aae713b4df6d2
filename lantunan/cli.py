"""The `lantunan` command: ingest, search, kb, ask — plus serve, eval and bench from their packages."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from datetime import datetime
from pathlib import Path

# Offline by default: nothing may try to reach a model hub at run time.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

STATUSES = ["berlaku", "diubah", "dicabut"]


class KbMissing(Exception):
    """A reading command found no knowledge base in the configured data directory."""


def _data_dir(settings) -> str:
    """The data directory as the user should see it: absolute, with where it came from."""
    if os.environ.get("LANTUNAN_DATA_DIR"):
        where = "dari LANTUNAN_DATA_DIR"
    elif Path(settings.data_dir) != Path("data"):
        where = "dari berkas .env"
    else:
        where = "bawaan ./data dari folder kerja; ubah dengan LANTUNAN_DATA_DIR"
    return f"{Path(settings.data_dir).resolve()} ({where})"


def _kb(args: argparse.Namespace, create: bool = False):
    """The knowledge base of the configured data directory.

    Reading commands never create an empty one (a command run from another folder used to
    make ./data and answer "no results"): they name the folder they looked in and stop, and
    warn on stderr when the knowledge base there is empty.
    """
    from knowledge.store import KnowledgeBase
    from lantunan.settings import Settings

    settings = Settings()
    if not create and not settings.catalog_path.is_file():
        raise KbMissing(
            f"Basis pengetahuan tidak ditemukan di {_data_dir(settings)}.\n"
            "Jalankan `lantunan ingest <berkas atau folder>` untuk mengisinya, atau jalankan "
            "perintah ini dengan LANTUNAN_DATA_DIR berisi folder data server, "
            "mis. LANTUNAN_DATA_DIR=/srv/lantunan/data lantunan search \"...\".")
    kb = KnowledgeBase(settings)
    if not create and not kb.documents():
        print(f"Peringatan: basis pengetahuan di {_data_dir(settings)} kosong; "
              "isi dengan `lantunan ingest <berkas atau folder>`.", file=sys.stderr)
    return kb


def cmd_ingest(args: argparse.Namespace) -> int:
    """Ingest files or folders; exit 1 when any file failed."""
    from ingest.pipeline import ingest_paths

    kb = _kb(args, create=True)
    if not args.quiet or not kb.documents():
        print(f"Basis pengetahuan: {_data_dir(kb.settings)}", file=sys.stderr)
    report = ingest_paths(kb, [Path(p) for p in args.paths], status=args.status,
                          replaced_by=args.replaced_by, progress=not args.quiet)
    for r in report.results:
        if r.outcome == "failed":
            print(f"GAGAL     {r.error}")
        else:
            print(f"{r.outcome:<9} {r.path} → {r.doc_id} ({r.kind}, {r.chunks} potongan)")
    s = kb.stats()
    print(f"\n{len(report.results) - len(report.failed)} berkas berhasil, {len(report.failed)} gagal; "
          f"basis pengetahuan: {s['documents']} dokumen, {s['chunks']} potongan "
          f"di {_data_dir(kb.settings)}.")
    return 0 if report.ok else 1


def cmd_search(args: argparse.Namespace) -> int:
    """Hybrid search, after the same normalisation the responder applies."""
    from responder.normalize import normalise

    kb = _kb(args)
    n = normalise(args.query, kb.vocabulary())
    kinds = {args.kind} if args.kind else None
    statuses = {args.status} if args.status else None
    from knowledge.models import DocKind, DocStatus

    hits = kb.search(n.text, k=args.k, extra_queries=[args.query],
                     kinds={DocKind(x) for x in kinds} if kinds else None,
                     statuses={DocStatus(x) for x in statuses} if statuses else None)
    if args.json:
        print(json.dumps({"query": args.query, "normalised": n.text,
                          "hits": [h.to_json() for h in hits]}, ensure_ascii=False, indent=2))
        return 0
    if not hits:
        print("Tidak ada hasil.")
    for h in hits:
        flag = f"  [{h.doc.status.value.upper()}" + (f" → {h.doc.replaced_by}]" if h.doc.replaced_by else "]") \
            if h.revoked else ""
        sig = " ".join(f"{k}={v:.3f}" for k, v in h.scores.items())
        print(f"{h.rank}. {h.chunk.locator}{flag}\n   {sig}\n   {h.chunk.text[:240]}…\n")
    return 0


def cmd_kb(args: argparse.Namespace) -> int:
    """Curator commands: list, show, set-status, remove."""
    kb = _kb(args)
    if args.kb_cmd == "list":
        docs = kb.documents()
        if args.json:
            print(json.dumps([{"id": d.id, "kind": d.kind.value, "title": d.title,
                               "short_name": d.short_name, "status": d.status.value,
                               "replaced_by": d.replaced_by, "chunks": d.chunk_count,
                               "ingested_at": d.ingested_at} for d in docs],
                             ensure_ascii=False, indent=2))
            return 0
        for d in docs:
            rep = f" → {d.replaced_by}" if d.replaced_by else ""
            print(f"{d.id:<28} {d.kind.value:<10} {d.status.value:<8}{rep} {d.chunk_count:>5} potongan  {d.short_name}")
        print(f"\n{len(docs)} dokumen di {_data_dir(kb.settings)}.")
        return 0
    doc = kb.get_document(args.doc)
    if doc is None:
        print(f"Dokumen '{args.doc}' tidak ditemukan di {_data_dir(kb.settings)} "
              "(lihat `lantunan kb list`).", file=sys.stderr)
        return 2
    if args.kb_cmd == "show":
        print(f"{doc.short_name}: {doc.title}\nid {doc.id} · {doc.kind.value} · {doc.status.value}"
              + (f" → {doc.replaced_by}" if doc.replaced_by else "")
              + f" · {doc.chunk_count} potongan · diingest {doc.ingested_at} · berkas {doc.source_name}")
        for c in kb.chunks_of(doc.id):
            print(f"  {c.locator:<45} {len(c.text):>6} karakter  {c.path}")
        return 0
    if args.kb_cmd == "set-status":
        doc = kb.set_status(doc.id, args.status, args.replaced_by)
        print(f"{doc.id}: status {doc.status.value}" + (f", diganti oleh {doc.replaced_by}" if doc.replaced_by else ""))
        return 0
    if args.kb_cmd == "remove":
        kb.remove(doc.id)
        print(f"{doc.id} dihapus dari basis pengetahuan.")
        return 0
    return 2


def cmd_ask(args: argparse.Namespace) -> int:
    """Draft a reply to one applicant message, as the service would."""
    from lantunan.settings import Settings
    from responder.pipeline import Responder

    at = datetime.fromisoformat(args.at) if args.at else datetime.now().astimezone()
    responder = Responder(_kb(args), Settings())
    draft = responder.respond(args.question, at)
    if args.json:
        print(json.dumps(draft.to_json(), ensure_ascii=False, indent=2))
        return 0
    from api.web.format import label, reason_label

    print(draft.text)
    kinds = {"answer": "jawaban", "smalltalk": "sapaan", "handoff": "balasan sementara"}
    print(f"\n— tindakan: {label(draft.action.value, 'action')} · jenis: "
          f"{kinds.get(draft.kind.value, draft.kind.value)} · keyakinan: {draft.confidence:.0%}"
          f" · penyusun: {draft.drafter}")
    for c in draft.citations:
        print(f"  [{c.locator}] {c.quote[:160]}")
    for r in draft.reasons:
        # The responder's sentence when it wrote one, else the console's label; the code in
        # brackets for whoever greps logs.
        text = r.message if r.message and r.message != r.code else reason_label(r.code)
        print(f"  alasan: {text} ({r.code})")
    if draft.holding_reply and draft.action.value == "handoff":
        print(f"\nBalasan sementara ke pemohon:\n{draft.holding_reply}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (plugins from api/ and eval/ register their subcommands)."""
    p = argparse.ArgumentParser(prog="lantunan", description="Asisten layanan perizinan DPMPTSP.")
    sub = p.add_subparsers(dest="cmd", required=True)

    pi = sub.add_parser("ingest", help="masukkan berkas/folder ke basis pengetahuan")
    pi.add_argument("paths", nargs="+")
    pi.add_argument("--status", choices=STATUSES)
    pi.add_argument("--replaced-by")
    pi.add_argument("--quiet", action="store_true")
    pi.set_defaults(func=cmd_ingest)

    ps = sub.add_parser("search", help="cari pasal/SOP/FAQ yang relevan")
    ps.add_argument("query")
    ps.add_argument("-k", type=int, default=5)
    ps.add_argument("--json", action="store_true")
    ps.add_argument("--kind", choices=["regulation", "sop", "faq"])
    ps.add_argument("--status", choices=STATUSES)
    ps.set_defaults(func=cmd_search)

    pk = sub.add_parser("kb", help="kelola dokumen basis pengetahuan")
    ksub = pk.add_subparsers(dest="kb_cmd", required=True)
    kl = ksub.add_parser("list")
    kl.add_argument("--json", action="store_true")
    ksh = ksub.add_parser("show")
    ksh.add_argument("doc")
    kst = ksub.add_parser("set-status")
    kst.add_argument("doc")
    kst.add_argument("status", choices=STATUSES)
    kst.add_argument("--replaced-by")
    krm = ksub.add_parser("remove")
    krm.add_argument("doc")
    pk.set_defaults(func=cmd_kb)

    pa = sub.add_parser("ask", help="susun draf jawaban untuk satu pesan")
    pa.add_argument("question")
    pa.add_argument("--at", help="waktu pesan diterima, ISO 8601 (default: sekarang)")
    pa.add_argument("--json", action="store_true")
    pa.set_defaults(func=cmd_ask)

    for module in ("api.cli", "api.privacy_cli", "eval.cli", "responder.judge.train_cli"):
        try:
            importlib.import_module(module).register(sub)
        except ModuleNotFoundError as e:
            if e.name != module:
                raise
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KbMissing as exc:
        print(exc, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
