"""`lantunan bench`: ingest throughput, retrieval/respond latency, memory and disk vs corpus size.

What is measured (and printed in bench.json under "method"):

1. Parse throughput: the real ingest parsers (``ingest.pipeline.parse_file``) over the base
   corpus files, chunks/s (eval.bench_base).
2. Real embedding throughput: the configured embedder (e5 by default) embeds a sample of base
   chunks (``--embed-sample``, default 200), passages/s. These vectors are the base vectors.
3. Per scale (``--chunks``), each run in its own subprocess so peak RSS is per scale
   (eval.bench_worker): a synthetic corpus of perturbed copies of the sampled base chunks with
   nudged base vectors (see eval/synthetic.py) goes through ``KnowledgeBase.upsert`` (catalog,
   vector cache, Chroma): store throughput in chunks/s with the model cost left out; then the
   first search (in-memory BM25 + reviewed-answer index build); then ``KnowledgeBase.search``
   latency over real questions (each query embedded once by the real model); then
   ``Responder.respond`` latency (offline extractive drafter, no LLM) and how many query texts
   each message sent to the model; then peak RSS and bytes on disk; then the plain baseline's
   search (one query embedding + Chroma top-k) over the same chunks.
4. The default install's size on disk (eval.bench_measure).
5. Webhook ack latency, sustained messages/s and the serving process's peak RSS against a
   running server (eval.webhook_bench).

Every scale figure is the median of ``--runs`` runs, with min and max (bench.md is rendered by
eval.bench_render).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from eval.bench_base import default_corpus, default_queries, embed_base_sample, parse_base
from eval.bench_measure import install_size_mb, spread
from eval.bench_render import render_bench
from eval.bench_worker import WorkerError, run_worker

if TYPE_CHECKING:
    from lantunan.settings import Settings

SCALE_KEYS = ("ingest_chunks_per_s", "ingest_s", "first_search_s", "search_p50_ms",
              "search_p95_ms", "search_warm_p50_ms", "search_warm_p95_ms",
              "baseline_search_p50_ms", "baseline_search_p95_ms", "respond_warmup_s",
              "respond_p50_ms", "respond_p95_ms", "respond_embedded_per_message",
              "peak_rss_mb", "disk_mb")
WEBHOOK_KEYS = ("messages_per_s", "ack_p50_ms", "ack_p95_ms", "ack_max_ms", "lag_p50_ms",
                "lag_p95_ms", "acked", "replies_seen", "server_peak_rss_mb")


class BenchError(RuntimeError):
    """A benchmark that cannot run; the message says why."""


def _webhook_runs(seconds: float, runs: int, concurrency: int) -> list[dict]:
    """Fresh server per run: a backlog left by one run must not delay the next one's replies
    (the server acks far faster than it drafts)."""
    from eval.webhook_bench import GraphSink, bench_server, run_webhook_bench

    secret = "bench-secret"
    results = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="lantunan-webhook-") as tmp, \
                GraphSink("bench-token") as sink, \
                bench_server(Path(tmp) / "data", sink.base_url, secret) as server:
            result = run_webhook_bench(server.base_url, secret, duration_s=seconds,
                                       concurrency=concurrency, sink=sink).to_json()
            result["server_peak_rss_mb"] = server.rss_mb().get("peak_rss_mb")
            results.append(result)
    return results


def webhook_bench(seconds: float, runs: int, url: str | None = None, secret: str | None = None,
                  concurrency: int = 4) -> dict:
    """Ack latency and sustained messages/s through eval.webhook_bench, median of runs.

    With ``url`` the running server there is measured (it must know ``secret``); otherwise a
    server is started (sample KB) that sends to a local Graph API sink, so the lag from ack to
    reply and the server's memory are measured too.
    """
    from eval.webhook_bench import run_webhook_bench

    if seconds <= 0:
        return {"skipped": "--serve-seconds 0"}
    results: list[dict] = []
    try:
        if url:
            for _ in range(runs):
                results.append(run_webhook_bench(url, secret or "", duration_s=seconds,
                                                 concurrency=concurrency).to_json())
            target = url
        else:
            results = _webhook_runs(seconds, runs, concurrency)
            target = "server started by eval/webhook_bench.py (sample KB, local Graph sink)"
    except Exception as exc:  # noqa: BLE001 - report it, keep the scale results
        return {"error": f"{type(exc).__name__}: {exc}", "runs": results}
    summary: dict = {"target": target, "seconds_per_run": seconds, "concurrency": concurrency,
                     "runs": results}
    for key in WEBHOOK_KEYS:
        summary[key] = spread([r.get(key) for r in results])
    return summary


def _method(embedder_name: str, sample: int, queries: list[str], runs: int) -> dict:
    """How each figure was obtained (bench.json "method")."""
    return {
        "parse": "real ingest parsers over the base corpus files",
        "embedding": f"real {embedder_name} on {sample} base chunks",
        "scales": ("synthetic corpora of perturbed copies (word swaps, substitutions, digit "
                   "changes, new ids) of the sampled base chunks; each copy's vector is its "
                   "base chunk's real vector plus noise (cos ~0.96); stored through "
                   "KnowledgeBase.upsert, so catalog, Chroma HNSW, BM25 and fusion are real "
                   "and the embedding model's cost is excluded (see 'embedding')"),
        "search": f"KnowledgeBase.search(k=8) over {len(queries[0::2])} questions (even "
                  "lines), each embedded once by the real model; then the same questions "
                  "again with their query vectors cached ('warm': index + BM25 + fusion)",
        "baseline_search": "the plain RAG baseline (eval.baseline: LangChain Chroma, top-10, "
                           "same embedder) over the same synthetic chunks and questions",
        "respond": f"Responder.respond with no LLM (offline extractive drafter) over the "
                   f"other {len(queries[1::2])} questions, after one warm-up call that "
                   "builds the vocabulary",
        "install": "files of the default install (no extras) from the installed packages' "
                   "RECORD",
        "runs": runs, "statistic": "median of runs with min and max",
        "peak_rss": "ru_maxrss of the run's own subprocess",
    }


def _run_scales(report: dict, settings: Settings, sample: list, vectors: np.ndarray,
                queries: list[str], scales: list[int], runs: int, out: Path, say,
                timeout_per_run: float) -> None:
    """Every scale, every run, each in its own worker process; bench.json after each scale."""
    with tempfile.TemporaryDirectory(prefix="lantunan-bench-") as tmp:
        work = Path(tmp)
        vec_path = work / "base-vectors.npy"
        np.save(vec_path, vectors)
        settings_json = json.loads(settings.model_dump_json())
        base_json = [b.__dict__ for b in sample]
        for n in scales:
            runs_out = []
            for r in range(runs):
                say(f"scale {n} chunks, run {r + 1}/{runs} ...")
                job = {"settings": settings_json, "base": base_json, "vectors": str(vec_path),
                       "chunks": n, "seed": r, "queries": queries,
                       "data_dir": str(work / f"store-{n}-{r}")}
                try:
                    runs_out.append(run_worker(job, work, timeout_per_run))
                except WorkerError as exc:
                    raise BenchError(str(exc)) from exc
                # Disk is measured inside the run; free it before the next one.
                shutil.rmtree(work / f"store-{n}-{r}", ignore_errors=True)
            scale = {"chunks": n, "runs": runs_out}
            for key in SCALE_KEYS:
                scale[key] = spread([x.get(key) for x in runs_out])
            report["scales"].append(scale)
            (out / "bench.json").write_text(json.dumps(report, indent=2), encoding="utf-8")


def run_bench(settings: Settings, scales: list[int], out: Path, runs: int = 3,
              corpus: list[Path] | None = None, embed_sample: int = 200,
              serve_seconds: float = 60.0, queries_path: Path | None = None,
              progress: bool = True, timeout_per_run: float = 7200.0,
              serve_url: str | None = None, serve_secret: str | None = None) -> dict:
    """Run the whole benchmark, write bench.json, bench.md and latency_vs_size.png to out."""
    from eval.plots import plot_bench
    from knowledge.embeddings import get_embedder

    def say(msg: str) -> None:
        if progress:
            print(msg, file=sys.stderr, flush=True)

    if runs < 1:
        raise BenchError("--runs must be at least 1")
    corpus = corpus or default_corpus()
    for p in corpus:
        if not p.exists():
            raise BenchError(f"{p}: corpus folder or file not found")
    out.mkdir(parents=True, exist_ok=True)
    say(f"parsing base corpus {', '.join(map(str, corpus))} ...")
    base, parse = parse_base(corpus)
    if not base:
        raise BenchError("no chunks could be parsed from the base corpus: "
                         + "; ".join(parse["errors"][:3]))
    embedder = get_embedder(settings)
    say(f"embedding a sample of {min(embed_sample, len(base))} chunks with {embedder.name} ...")
    sample, vectors, embed = embed_base_sample(base, embedder, embed_sample)
    queries = default_queries([queries_path] if queries_path else None, base)
    report: dict = {
        "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "method": _method(embedder.name, len(sample), queries, runs),
        "corpus": [str(p) for p in corpus], "parse": parse, "embedding": embed,
        "install": install_size_mb(), "scales": [],
    }
    _run_scales(report, settings, sample, vectors, queries, scales, runs, out, say,
                timeout_per_run)
    say("webhook load test ..." if serve_seconds > 0 else "webhook load test skipped")
    report["webhook"] = webhook_bench(serve_seconds, runs, serve_url, serve_secret)
    report["finished_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    (out / "bench.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    png = plot_bench(report["scales"], out / "latency_vs_size.png")
    text = render_bench(report)
    (out / "bench.md").write_text(text + f"\n\n![latency vs size]({png.name})\n", encoding="utf-8")
    print(text)
    return report
