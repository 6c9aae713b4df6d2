"""One benchmark scale, one run, in its own process (so its peak RSS is its own).

The parent (`eval.bench`) writes a job file and runs ``python -m eval.bench_worker JOB.json``;
the worker builds a synthetic store of the job's size, measures it and prints one line
``BENCH-RESULT {json}`` on stdout, which `run_worker` reads back.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from eval.bench_measure import dir_bytes, peak_rss_mb
from eval.scoring import percentile
from eval.synthetic import BaseChunk, PrecomputedEmbedder, SyntheticCorpus, build_corpus

if TYPE_CHECKING:
    from knowledge.store import KnowledgeBase
    from lantunan.settings import Settings

REPO = Path(__file__).resolve().parents[1]
RESULT_PREFIX = "BENCH-RESULT "
SEARCH_K = 8  # as the responder searches
BASELINE_K = 10  # as the plain baseline retrieves in `lantunan eval`


class WorkerError(RuntimeError):
    """A scale run that failed; the message carries the end of its output."""


def _timed(fn, items: list[str]) -> list[float]:
    """Milliseconds of fn(item) for every item."""
    times = []
    for item in items:
        t = time.perf_counter()
        fn(item)
        times.append((time.perf_counter() - t) * 1000)
    return times


def _ingest(kb: KnowledgeBase, corpus: SyntheticCorpus, result: dict) -> None:
    """Store every synthetic document through KnowledgeBase.upsert; time it."""
    from ingest.models import ParsedDocument

    t = time.perf_counter()
    for doc, chunks in corpus.documents:
        kb.upsert(ParsedDocument(document=doc, chunks=chunks))
    result["ingest_s"] = time.perf_counter() - t
    result["ingest_chunks_per_s"] = corpus.chunk_count / result["ingest_s"]


def _search(kb: KnowledgeBase, questions: list[str], result: dict) -> None:
    """KnowledgeBase.search latency, then again with the query vectors cached ('warm')."""
    t = time.perf_counter()
    kb.search("izin usaha", k=5)  # builds BM25 and the reviewed-answer matcher
    result["first_search_s"] = time.perf_counter() - t
    cold = _timed(lambda q: kb.search(q, k=SEARCH_K), questions)
    result["search_p50_ms"], result["search_p95_ms"] = percentile(cold, 50), percentile(cold, 95)
    # Index + BM25 + fusion alone, the part that grows with the corpus (and is not hidden by
    # e5's query cost or machine contention).
    warm = _timed(lambda q: kb.search(q, k=SEARCH_K), questions)
    result["search_warm_p50_ms"] = percentile(warm, 50)
    result["search_warm_p95_ms"] = percentile(warm, 95)


def _respond(kb: KnowledgeBase, settings: Settings, questions: list[str], result: dict) -> None:
    """Responder.respond latency (offline drafter) and the query texts it sent to the model."""
    from responder.pipeline import Responder

    responder = Responder(kb, settings)
    at = datetime(2026, 11, 28, 21, 0, tzinfo=timezone.utc)
    t = time.perf_counter()
    responder.respond("halo, mau tanya izin usaha", at)  # builds the vocabulary once
    result["respond_warmup_s"] = time.perf_counter() - t
    before = kb.query_vectors.embedded
    times = _timed(lambda q: responder.respond(q, at), questions)
    result["respond_p50_ms"], result["respond_p95_ms"] = percentile(times, 50), percentile(times, 95)
    result["respond_embedded_per_message"] = (kb.query_vectors.embedded - before) / len(questions)


def _baseline_search(embedder: PrecomputedEmbedder, corpus: SyntheticCorpus,
                     questions: list[str], result: dict) -> None:
    """The plain baseline's search (one query embedding + Chroma top-k) over the same chunks."""
    from eval.baseline import BaselineRetriever

    retriever = BaselineRetriever(embedder)
    try:
        chunks = [c for _doc, chunks in corpus.documents for c in chunks]
        # index_text carries the synthetic tag, so the passage vectors are the precomputed ones.
        retriever.add_texts([c.index_text for c in chunks], [c.doc_id for c in chunks])
        times = _timed(lambda q: retriever.search(q, k=BASELINE_K), questions)
    finally:
        retriever.close()
    result["baseline_search_p50_ms"] = percentile(times, 50)
    result["baseline_search_p95_ms"] = percentile(times, 95)


def run_scale(settings: Settings, base: list[BaseChunk], vectors: np.ndarray,
              n_chunks: int, seed: int, queries: list[str], data_dir: Path) -> dict:
    """Build a store of n_chunks synthetic chunks and measure it (call in a fresh process)."""
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
    _ingest(kb, corpus, result)
    result["embed_misses"] = embedder.misses
    # Search and respond get disjoint halves of the questions: query vectors are cached by
    # text, and a respond over an already searched question would skip its embedding.
    search_q, respond_q = queries[0::2], queries[1::2] or queries
    _search(kb, search_q, result)
    _respond(kb, run_settings, respond_q, result)
    result["peak_rss_mb"] = peak_rss_mb()
    result["disk_mb"] = dir_bytes(data_dir) / 1e6
    # After the store's figures: the baseline's own Chroma must not count in them. Its
    # questions were searched already, but the baseline embeds each query itself (uncached).
    _baseline_search(embedder, corpus, search_q, result)
    # Other processes on the machine slow everything down (OpenMP in e5 suffers most under
    # contention): keep the 1-minute load average so a reader can judge the numbers.
    result["load_avg_before"] = load_before
    result["load_avg_after"] = os.getloadavg()[0]
    return result


def run_worker(job: dict, work: Path, timeout: float) -> dict:
    """Run one scale in a fresh Python process; its peak RSS is its own."""
    job_path = work / f"job-{job['chunks']}-{job['seed']}.json"
    job_path.write_text(json.dumps(job), encoding="utf-8")
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
               ANONYMIZED_TELEMETRY="False",
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    proc = subprocess.run([sys.executable, "-m", "eval.bench_worker", str(job_path)],
                          capture_output=True, text=True, env=env, cwd=str(REPO), timeout=timeout)
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX):])
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
    raise WorkerError(f"scale {job['chunks']} run {job['seed']} failed (exit {proc.returncode}): "
                      + " | ".join(tail))


def main(argv: list[str] | None = None) -> int:
    """Subprocess entry: read the job file, run one scale, print its JSON on stdout."""
    parser = argparse.ArgumentParser(prog="python -m eval.bench_worker",
                                     description="one scale of `lantunan bench` (internal)")
    parser.add_argument("job")
    args = parser.parse_args(argv)
    from lantunan.settings import Settings

    job = json.loads(Path(args.job).read_text(encoding="utf-8"))
    settings = Settings(**job["settings"])
    base = [BaseChunk(**b) for b in job["base"]]
    vectors = np.load(job["vectors"])
    result = run_scale(settings, base, vectors, job["chunks"], job["seed"], job["queries"],
                       Path(job["data_dir"]))
    print(RESULT_PREFIX + json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
