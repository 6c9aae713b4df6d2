"""`lantunan bench`: ingest throughput, retrieval/respond latency, memory and disk vs corpus size.

What is measured (and printed in bench.json under "method"):

1. Parse throughput: the real ingest parsers (``ingest.pipeline.parse_file``) over the base
   corpus files, chunks/s.
2. Real embedding throughput: the configured embedder (e5 by default) embeds a sample of base
   chunks (``--embed-sample``, default 200), passages/s. These vectors are the base vectors.
3. Per scale (``--chunks``), each run in its own subprocess so peak RSS is per scale: a
   synthetic corpus of perturbed copies of the sampled base chunks with nudged base vectors
   (see eval/synthetic.py) goes through ``KnowledgeBase.upsert`` (catalog, vector cache,
   Chroma): store throughput in chunks/s with the model cost left out; then the first search
   (in-memory BM25 + reviewed-answer index build); then ``KnowledgeBase.search`` latency over
   real questions (each query embedded once by the real model); then ``Responder.respond``
   latency (offline extractive drafter, no LLM); then peak RSS and bytes on disk.
4. Webhook ack latency and sustained messages/s against a running server, through
   ``api/bench.py`` when that module is present (skipped otherwise, and said so).

Every scale figure is the median of ``--runs`` runs, with min and max.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from eval.scoring import percentile
from eval.synthetic import BaseChunk, PrecomputedEmbedder, build_corpus

if TYPE_CHECKING:
    from knowledge.embeddings import Embedder
    from lantunan.settings import Settings

REPO = Path(__file__).resolve().parents[1]
SCALE_KEYS = ("ingest_chunks_per_s", "ingest_s", "first_search_s", "search_p50_ms",
              "search_p95_ms", "search_warm_p50_ms", "search_warm_p95_ms", "respond_warmup_s",
              "respond_p50_ms", "respond_p95_ms",
              "peak_rss_mb", "disk_mb")


class BenchError(RuntimeError):
    """A benchmark that cannot run; the message says why."""


def default_corpus() -> list[Path]:
    """../shared/corpus beside the checkout when present, else the shipped sample KB."""
    shared = Path(os.environ.get("LANTUNAN_SHARED_DIR", REPO.parent / "shared")) / "corpus"
    return [shared] if shared.is_dir() else [REPO / "sample_kb"]


def default_queries(paths: list[Path] | None, base: list[BaseChunk], n: int = 100) -> list[str]:
    """Questions from a JSONL file (or ../shared/eval/dev.jsonl), else chunk openings."""
    candidates = list(paths or [])
    candidates.append(Path(os.environ.get("LANTUNAN_SHARED_DIR", REPO.parent / "shared"))
                      / "eval" / "dev.jsonl")
    for path in candidates:
        if path and path.is_file():
            out = []
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    try:
                        out.append(str(json.loads(line)["question"]))
                    except (json.JSONDecodeError, KeyError, TypeError):
                        continue
            if out:
                return out[:n]
    return [" ".join(b.text.split()[:10]) for b in base[:n]]


def dir_bytes(path: Path) -> int:
    """Total size of the files under a folder."""
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def spread(values: list[float]) -> dict[str, float] | None:
    """Median, min and max of the runs."""
    data = [v for v in values if v is not None]
    if not data:
        return None
    return {"median": statistics.median(data), "min": min(data), "max": max(data),
            "runs": len(data)}


# ---------------------------------------------------------------------------------------------
# Base corpus: parse (timed), sample, embed with the real model (timed)
# ---------------------------------------------------------------------------------------------
def parse_base(corpus: list[Path]) -> tuple[list[BaseChunk], dict]:
    """Parse every corpus file with the real ingest parsers; chunks and parse throughput."""
    from ingest.loaders import iter_files
    from ingest.models import IngestError
    from ingest.pipeline import parse_file

    files, errors = iter_files(corpus)
    chunks: list[BaseChunk] = []
    failed = [str(e) for e in errors]
    started = time.perf_counter()
    for path in files:
        try:
            parsed = parse_file(path)
        except (IngestError, OSError, ValueError) as exc:
            failed.append(str(exc))
            continue
        kind = parsed.document.kind.value
        chunks += [BaseChunk(c.text, c.locator, c.section, c.heading, c.path, kind)
                   for c in parsed.chunks]
    elapsed = time.perf_counter() - started
    return chunks, {"files": len(files), "chunks": len(chunks), "seconds": round(elapsed, 3),
                    "chunks_per_s": round(len(chunks) / elapsed, 1) if elapsed else None,
                    "errors": failed}


def embed_base_sample(base: list[BaseChunk], embedder: Embedder, n: int
                      ) -> tuple[list[BaseChunk], np.ndarray, dict]:
    """Embed an evenly spread sample of base chunks with the real model; time it."""
    from knowledge.models import Chunk

    if len(base) > n:
        step = len(base) / n
        sample = [base[int(i * step)] for i in range(n)]
    else:
        sample = list(base)
    texts = [Chunk("x", "x", b.text, b.locator, b.section, b.path, 0, b.heading).index_text
             for b in sample]
    t = time.perf_counter()
    embedder.embed_passages(["pemanasan model"])  # model load is not throughput
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    vectors = embedder.embed_passages(texts)
    elapsed = time.perf_counter() - t
    words = [len(x.split()) for x in texts]
    return sample, vectors, {
        "embedder": embedder.name, "passages": len(texts), "seconds": round(elapsed, 2),
        "passages_per_s": round(len(texts) / elapsed, 2) if elapsed else None,
        "mean_words": round(sum(words) / len(words), 1) if words else 0,
        "model_load_s": round(load_s, 2),
        "hours_for_100k": round(100_000 / (len(texts) / elapsed) / 3600, 2) if elapsed else None,
    }


# ---------------------------------------------------------------------------------------------
# One scale, one run (runs in a subprocess: `python -m eval.bench worker ...`)
# ---------------------------------------------------------------------------------------------
def run_scale(settings: Settings, base: list[BaseChunk], vectors: np.ndarray,
              n_chunks: int, seed: int, queries: list[str], data_dir: Path) -> dict:
    """Build a store of n_chunks synthetic chunks and measure it (call in a fresh process)."""
    from ingest.models import ParsedDocument
    from knowledge.embeddings import get_embedder
    from knowledge.store import KnowledgeBase

    load_before = os.getloadavg()[0]
    corpus = build_corpus(base, n_chunks, seed=seed)
    run_settings = settings.model_copy(update={"data_dir": data_dir, "chroma_url": None,
                                               "llm_base_url": None})
    data_dir.mkdir(parents=True, exist_ok=True)
    embedder = PrecomputedEmbedder(get_embedder(run_settings), vectors, corpus.base_index, seed)
    kb = KnowledgeBase(run_settings, embedder=embedder)
    result: dict = {"chunks": corpus.chunk_count, "documents": len(corpus.documents)}

    t = time.perf_counter()
    for doc, chunks in corpus.documents:
        kb.upsert(ParsedDocument(document=doc, chunks=chunks))
    ingest_s = time.perf_counter() - t
    result["ingest_s"] = ingest_s
    result["ingest_chunks_per_s"] = corpus.chunk_count / ingest_s
    result["embed_misses"] = embedder.misses

    t = time.perf_counter()
    kb.search("izin usaha", k=5)  # builds BM25 and the reviewed-answer matcher
    result["first_search_s"] = time.perf_counter() - t

    # Search and respond get disjoint halves of the questions: the store caches query vectors,
    # and a respond over an already searched question would skip its embedding.
    search_q, respond_q = queries[0::2], queries[1::2] or queries
    times = []
    for q in search_q:
        t = time.perf_counter()
        kb.search(q, k=8)
        times.append((time.perf_counter() - t) * 1000)
    result["search_p50_ms"] = percentile(times, 50)
    result["search_p95_ms"] = percentile(times, 95)
    # Again with the query vectors cached by the store: index + BM25 + fusion alone, the part
    # that grows with the corpus (and is not hidden by e5's query cost or machine contention).
    times = []
    for q in search_q:
        t = time.perf_counter()
        kb.search(q, k=8)
        times.append((time.perf_counter() - t) * 1000)
    result["search_warm_p50_ms"] = percentile(times, 50)
    result["search_warm_p95_ms"] = percentile(times, 95)

    try:
        from responder.pipeline import Responder
    except ImportError as exc:
        result["respond_error"] = f"responder not available: {exc}"
    else:
        responder = Responder(kb, run_settings)
        at = datetime(2026, 11, 28, 21, 0, tzinfo=timezone.utc)
        t = time.perf_counter()
        responder.respond("halo, mau tanya izin usaha", at)  # builds the vocabulary once
        result["respond_warmup_s"] = time.perf_counter() - t
        times = []
        for q in respond_q:
            t = time.perf_counter()
            responder.respond(q, at)
            times.append((time.perf_counter() - t) * 1000)
        result["respond_p50_ms"] = percentile(times, 50)
        result["respond_p95_ms"] = percentile(times, 95)
    result["peak_rss_mb"] = peak_rss_mb()
    # Other processes on the machine slow everything down (OpenMP in e5 suffers most under
    # contention): keep the 1-minute load average so a reader can judge the numbers.
    result["load_avg_before"] = load_before
    result["load_avg_after"] = os.getloadavg()[0]
    result["disk_mb"] = dir_bytes(data_dir) / 1e6
    return result


def _worker_main(argv: list[str]) -> int:
    """Subprocess entry: read the job file, run one scale, print its JSON on stdout."""
    parser = argparse.ArgumentParser(prog="python -m eval.bench worker")
    parser.add_argument("job")
    args = parser.parse_args(argv)
    from lantunan.settings import Settings

    job = json.loads(Path(args.job).read_text(encoding="utf-8"))
    settings = Settings(**job["settings"])
    base = [BaseChunk(**b) for b in job["base"]]
    vectors = np.load(job["vectors"])
    result = run_scale(settings, base, vectors, job["chunks"], job["seed"], job["queries"],
                       Path(job["data_dir"]))
    print("BENCH-RESULT " + json.dumps(result))
    return 0


# ---------------------------------------------------------------------------------------------
# Orchestration
# ---------------------------------------------------------------------------------------------
def _run_worker(job: dict, work: Path, timeout: float) -> dict:
    """Run one scale in a fresh Python process; its peak RSS is its own."""
    job_path = work / f"job-{job['chunks']}-{job['seed']}.json"
    job_path.write_text(json.dumps(job), encoding="utf-8")
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
               ANONYMIZED_TELEMETRY="False",
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    proc = subprocess.run([sys.executable, "-m", "eval.bench", "worker", str(job_path)],
                          capture_output=True, text=True, env=env, cwd=str(REPO), timeout=timeout)
    for line in proc.stdout.splitlines():
        if line.startswith("BENCH-RESULT "):
            return json.loads(line[len("BENCH-RESULT "):])
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
    raise BenchError(f"scale {job['chunks']} run {job['seed']} failed (exit {proc.returncode}): "
                     + " | ".join(tail))


WEBHOOK_KEYS = ("messages_per_s", "ack_p50_ms", "ack_p95_ms", "ack_max_ms", "lag_p50_ms",
                "lag_p95_ms", "acked", "replies_seen")


def webhook_bench(seconds: float, runs: int, url: str | None = None, secret: str | None = None,
                  concurrency: int = 4) -> dict:
    """Ack latency and sustained messages/s through api/bench.py, median of runs.

    With ``url`` the running server there is measured (it must know ``secret``); otherwise
    api/bench.py starts a server (sample KB) that sends to a local Graph API sink, so the lag
    from ack to reply is measured too.
    """
    if seconds <= 0:
        return {"skipped": "--serve-seconds 0"}
    try:
        from api.bench import GraphSink, bench_server, run_webhook_bench
    except ImportError as exc:
        return {"skipped": f"api/bench.py not available ({exc})"}
    results: list[dict] = []
    try:
        if url:
            for _ in range(runs):
                results.append(run_webhook_bench(url, secret or "", duration_s=seconds,
                                                 concurrency=concurrency).to_json())
            target = url
        else:
            secret = secret or "bench-secret"
            # A fresh server per run: a backlog left by one run must not delay the next one's
            # replies (the server acks far faster than it drafts).
            for _ in range(runs):
                with tempfile.TemporaryDirectory(prefix="lantunan-webhook-") as tmp, \
                        GraphSink("bench-token") as sink, \
                        bench_server(Path(tmp) / "data", sink.base_url, secret) as base:
                    results.append(run_webhook_bench(base, secret, duration_s=seconds,
                                                     concurrency=concurrency,
                                                     sink=sink).to_json())
            target = "server started by api/bench.py (sample KB, local Graph sink)"
    except Exception as exc:  # noqa: BLE001 - report it, keep the scale results
        return {"error": f"{type(exc).__name__}: {exc}", "runs": results}
    summary: dict = {"target": target, "seconds_per_run": seconds, "concurrency": concurrency,
                     "runs": results}
    for key in WEBHOOK_KEYS:
        summary[key] = spread([r.get(key) for r in results])
    return summary


def run_bench(settings: Settings, scales: list[int], out: Path, runs: int = 3,
              corpus: list[Path] | None = None, embed_sample: int = 200,
              serve_seconds: float = 60.0, queries_path: Path | None = None,
              progress: bool = True, timeout_per_run: float = 7200.0,
              serve_url: str | None = None, serve_secret: str | None = None) -> dict:
    """Run the whole benchmark, write bench.json, bench.md and latency_vs_size.png to out."""
    from knowledge.embeddings import get_embedder

    from eval.plots import plot_bench

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
        "method": {
            "parse": "real ingest parsers over the base corpus files",
            "embedding": f"real {embedder.name} on {len(sample)} base chunks",
            "scales": ("synthetic corpora of perturbed copies (word swaps, substitutions, digit "
                       "changes, new ids) of the sampled base chunks; each copy's vector is its "
                       "base chunk's real vector plus noise (cos ~0.96); stored through "
                       "KnowledgeBase.upsert, so catalog, Chroma HNSW, BM25 and fusion are real "
                       "and the embedding model's cost is excluded (see 'embedding')"),
            "search": f"KnowledgeBase.search(k=8) over {len(queries[0::2])} questions (even "
                      "lines), each embedded once by the real model; then the same questions "
                      "again with their query vectors cached ('warm': index + BM25 + fusion)",
            "respond": f"Responder.respond with no LLM (offline extractive drafter) over the "
                       f"other {len(queries[1::2])} questions, after one warm-up call that "
                       "builds the vocabulary",
            "runs": runs, "statistic": "median of runs with min and max",
            "peak_rss": "ru_maxrss of the run's own subprocess",
        },
        "corpus": [str(p) for p in corpus],
        "parse": parse,
        "embedding": embed,
        "scales": [],
    }
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
                runs_out.append(_run_worker(job, work, timeout_per_run))
                _rmtree(work / f"store-{n}-{r}")
            scale = {"chunks": n, "runs": runs_out}
            for key in SCALE_KEYS:
                scale[key] = spread([x.get(key) for x in runs_out])
            report["scales"].append(scale)
            (out / "bench.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
        say("webhook load test ..." if serve_seconds > 0 else "webhook load test skipped")
        report["webhook"] = webhook_bench(serve_seconds, runs, serve_url, serve_secret)
    report["finished_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    (out / "bench.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    png = plot_bench(report["scales"], out / "latency_vs_size.png")
    text = render_bench(report)
    (out / "bench.md").write_text(text + f"\n\n![latency vs size]({png.name})\n", encoding="utf-8")
    print(text)
    return report



def _rmtree(path: Path) -> None:
    """Remove a store folder between runs (disk is measured inside the run)."""
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def _cell(s: dict | None, digits: int = 1) -> str:
    """median [min–max]."""
    if not s:
        return "–"
    return f"{s['median']:.{digits}f} [{s['min']:.{digits}f}–{s['max']:.{digits}f}]"


def render_bench(report: dict) -> str:
    """Markdown summary of a benchmark report."""
    p, e = report["parse"], report["embedding"]
    lines = ["# Lantunan benchmark", "",
             f"- parse (real parsers): {p['chunks']} chunks from {p['files']} files in "
             f"{p['seconds']} s = {p['chunks_per_s']} chunks/s",
             f"- embedding (real {e['embedder']}): {e['passages']} passages "
             f"(mean {e['mean_words']} words) in {e['seconds']} s = {e['passages_per_s']} "
             f"passages/s; 100k passages would take ~{e['hours_for_100k']} h",
             f"- scale runs: {report['method']['scales']}",
             f"- numbers: {report['method']['statistic']} ({report['method']['runs']} runs)", "",
             "search = with the real e5 query embedding; warm = query vector already cached "
             "(index + BM25 + fusion only).", "",
             "| chunks | store chunks/s | first search s | search p50 ms | search p95 ms "
             "| warm p50 ms | warm p95 ms | respond p50 ms | respond p95 ms | peak RSS MB "
             "| disk MB |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for s in report["scales"]:
        lines.append(f"| {s['chunks']} | {_cell(s['ingest_chunks_per_s'], 0)} "
                     f"| {_cell(s['first_search_s'], 2)} | {_cell(s['search_p50_ms'])} "
                     f"| {_cell(s['search_p95_ms'])} | {_cell(s.get('search_warm_p50_ms'))} "
                     f"| {_cell(s.get('search_warm_p95_ms'))} | {_cell(s['respond_p50_ms'])} "
                     f"| {_cell(s['respond_p95_ms'])} | {_cell(s['peak_rss_mb'], 0)} "
                     f"| {_cell(s['disk_mb'])} |")
    loads = [(x.get("load_avg_before"), x.get("load_avg_after"))
             for sc in report["scales"] for x in sc.get("runs", [])]
    if loads:
        peak = max(max(a or 0, b or 0) for a, b in loads)
        lines += ["", f"Machine load (1-min average) during scale runs peaked at {peak:.1f} on "
                      f"{report['machine']['cpus']} CPUs; e5 query embedding dominates search "
                      "latency and suffers most when other processes compete for the cores."]
    web = report.get("webhook") or {}
    lines.append("")
    if "messages_per_s" in web:
        lines += [f"Webhook ({web['target']}, {web['seconds_per_run']} s per run, concurrency "
                  f"{web['concurrency']}):", "",
                  "| acked messages/s | ack p50 ms | ack p95 ms | ack max ms | acked "
                  "| replies seen | reply lag p50 ms | reply lag p95 ms |",
                  "|---|---|---|---|---|---|---|---|",
                  f"| {_cell(web['messages_per_s'])} | {_cell(web['ack_p50_ms'])} "
                  f"| {_cell(web['ack_p95_ms'])} | {_cell(web['ack_max_ms'])} "
                  f"| {_cell(web['acked'], 0)} | {_cell(web['replies_seen'], 0)} "
                  f"| {_cell(web['lag_p50_ms'], 0)} | {_cell(web['lag_p95_ms'], 0)} |",
                  "", "Replies seen = replies that reached the Graph API sink within the drain "
                      "timeout after the run; fewer than acked means drafting is slower than "
                      "the offered load (messages queue, none are lost)."]
    else:
        lines.append("Webhook: " + json.dumps(web, ensure_ascii=False))
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        sys.exit(_worker_main(sys.argv[2:]))
    print("usage: python -m eval.bench worker JOB.json (or use `lantunan bench`)", file=sys.stderr)
    sys.exit(2)
