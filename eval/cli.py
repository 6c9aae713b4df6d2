"""`lantunan eval` and `lantunan bench` subcommands (wired into lantunan/cli.py by register)."""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lantunan.settings import Settings


def load_settings(config: Path | None) -> Settings:
    """Settings from the environment, overridden by a config file (.env, .json or .toml)."""
    from lantunan.settings import Settings

    if config is None:
        return Settings()
    path = Path(config)
    if not path.is_file():
        raise SystemExit(f"{path}: berkas konfigurasi tidak ditemukan")
    suffix = path.suffix.lower()
    try:
        if suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
        elif suffix == ".toml":
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        else:
            return Settings(_env_file=str(path))
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SystemExit(f"{path}: konfigurasi tidak dapat dibaca ({exc})") from None
    if not isinstance(data, dict):
        raise SystemExit(f"{path}: konfigurasi harus berupa objek kunci → nilai")
    # Accept both "auto_send_threshold" and "LANTUNAN_AUTO_SEND_THRESHOLD" spellings.
    cleaned = {}
    for key, value in data.items():
        name = key.lower()
        cleaned[name[len("lantunan_"):] if name.startswith("lantunan_") else name] = value
    try:
        return Settings(**cleaned)
    except Exception as exc:  # pydantic ValidationError: name the file
        raise SystemExit(f"{path}: konfigurasi tidak valid: {exc}") from None


def cmd_eval(args: argparse.Namespace) -> int:
    """Run, score and report an evaluation; or compare two metrics files."""
    if args.compare:
        from eval.compare import CompareError, render_compare

        try:
            print(render_compare(Path(args.compare[0]), Path(args.compare[1])))
        except CompareError as exc:
            print(f"Kesalahan: {exc}", file=sys.stderr)
            return 2
        return 0
    if not args.questions:
        print("Kesalahan: --questions FILE.jsonl wajib diisi "
              "(atau gunakan --compare A.json B.json)", file=sys.stderr)
        return 2

    from eval.gate import ThresholdError, check_gate, load_thresholds
    from eval.plots import plot_run
    from eval.questions import QuestionFileError
    from eval.report import render_summary, write_run
    from eval.runner import EvalError, evaluate

    try:
        thresholds = load_thresholds(Path(args.thresholds) if args.thresholds else None)
    except ThresholdError as exc:
        print(f"Kesalahan: {exc}", file=sys.stderr)
        return 2
    settings = load_settings(Path(args.config) if args.config else None)
    pipelines = ["lantunan", "baseline"] if args.pipeline == "both" else [args.pipeline]
    out = Path(args.out)
    cache = None if args.no_cache else Path(args.cache or out / "vector-cache.sqlite3")
    try:
        run = evaluate(Path(args.questions), settings, corpus=[Path(c) for c in args.corpus or []],
                       pipelines=pipelines, retrieval=args.retrieval, cache_path=cache,
                       progress=not args.quiet)
    except (QuestionFileError, EvalError) as exc:
        print(f"Kesalahan: {exc}", file=sys.stderr)
        return 2
    for warning in run.warnings:
        print(f"Peringatan: {warning}", file=sys.stderr)
    for name, items in run.items.items():
        failed = [i for i in items if i.error]
        if failed:
            print(f"Peringatan: {len(failed)} pertanyaan gagal diproses oleh {name}; "
                  f"contoh {failed[0].id}: {failed[0].error}", file=sys.stderr)
    totals = {name: [i.timings["total"] for i in items if "total" in i.timings]
              for name, items in run.items.items()}
    plots = plot_run(run.results, totals, out)
    paths = write_run(out, run.results, run.items, run.meta, [str(p) for p in plots])
    print(render_summary(run.results))
    print(f"\nLaporan: {paths['report']}\nMetrik:  {paths['metrics']}")
    if args.gate:
        checks = check_gate(run.results, thresholds)
        print("\nGerbang CI (" + str(thresholds.get("pipeline")) + "):")
        for check in checks:
            print("  " + check.describe())
        if not all(c.passed for c in checks):
            return 1
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    """Run the benchmark suite and write bench.json + a PNG."""
    from eval.bench import BenchError, run_bench

    try:
        scales = [int(x) for x in str(args.chunks).split(",") if x.strip()]
    except ValueError:
        print(f"Kesalahan: --chunks harus berupa daftar angka, mis. 1000,10000 (diberi "
              f"{args.chunks!r})", file=sys.stderr)
        return 2
    if not scales or any(s < 1 for s in scales):
        print("Kesalahan: --chunks harus berisi angka positif", file=sys.stderr)
        return 2
    settings = load_settings(Path(args.config) if args.config else None)
    try:
        run_bench(settings, scales=scales, out=Path(args.out), runs=args.runs,
                  corpus=[Path(c) for c in args.corpus] if args.corpus else None,
                  embed_sample=args.embed_sample, serve_seconds=args.serve_seconds,
                  queries_path=Path(args.questions) if args.questions else None,
                  progress=not args.quiet, serve_url=args.serve_url,
                  serve_secret=args.serve_secret)
    except BenchError as exc:
        print(f"Kesalahan: {exc}", file=sys.stderr)
        return 2
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `eval` and `bench` subcommands to the `lantunan` parser."""
    pe = subparsers.add_parser("eval", help="ukur kualitas: retrieval, keputusan, isi jawaban")
    pe.add_argument("--questions", help="berkas pertanyaan JSONL (format shared/eval/README.md)")
    pe.add_argument("--corpus", nargs="+", action="extend", metavar="DIR",
                    help="folder/berkas korpus; diingest ke basis pengetahuan sementara "
                         "(tanpa opsi ini dipakai basis pengetahuan yang dikonfigurasi)")
    pe.add_argument("--config", help="berkas pengaturan (.env, .json atau .toml)")
    pe.add_argument("--out", default="eval-out", help="folder laporan (default: eval-out)")
    pe.add_argument("--pipeline", choices=["lantunan", "baseline", "both"], default="both")
    pe.add_argument("--retrieval", choices=["search", "responder"], default="search",
                    help="urutan retrieval yang dinilai: KnowledgeBase.search seperti panggilan "
                         "responder, k=10 (default) atau Draft.hit_chunk_ids apa adanya")
    pe.add_argument("--compare", nargs=2, metavar=("A.json", "B.json"),
                    help="bandingkan dua metrics.json berdampingan")
    pe.add_argument("--gate", action="store_true",
                    help="keluar dengan kode 1 bila ambang di thresholds gagal")
    pe.add_argument("--thresholds", help="berkas ambang (default: eval/thresholds.json)")
    pe.add_argument("--cache", help="cache vektor passage (default: OUT/vector-cache.sqlite3)")
    pe.add_argument("--no-cache", action="store_true", help="jangan pakai cache vektor")
    pe.add_argument("--quiet", action="store_true")
    pe.set_defaults(func=cmd_eval)

    pb = subparsers.add_parser("bench", help="ukur throughput dan latensi pada beberapa skala")
    pb.add_argument("--chunks", default="1000,10000,100000",
                    help="skala korpus sintetis, jumlah potongan dipisah koma")
    pb.add_argument("--out", default="eval-out/bench")
    pb.add_argument("--runs", type=int, default=3, help="ulangan per skala (median, min, maks)")
    pb.add_argument("--serve-seconds", type=float, default=60.0,
                    help="durasi uji beban webhook per ulangan (0 = lewati)")
    pb.add_argument("--serve-url", help="server yang sudah berjalan untuk uji webhook "
                                        "(default: server sementara dijalankan eval/webhook_bench.py)")
    pb.add_argument("--serve-secret", help="app secret WhatsApp server tersebut")
    pb.add_argument("--corpus", nargs="+", metavar="DIR",
                    help="korpus dasar (default: ../shared/corpus bila ada, jika tidak sample_kb)")
    pb.add_argument("--questions", help="pertanyaan JSONL untuk kueri latensi")
    pb.add_argument("--embed-sample", type=int, default=200,
                    help="jumlah passage untuk mengukur throughput embedding e5 sebenarnya")
    pb.add_argument("--config", help="berkas pengaturan (.env, .json atau .toml)")
    pb.add_argument("--quiet", action="store_true")
    pb.set_defaults(func=cmd_bench)
