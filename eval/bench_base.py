"""The benchmark's base corpus: where it is, which questions time the queries, and the real
parse and embedding throughput measured on it (`lantunan bench`, see eval.bench)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from eval.synthetic import BaseChunk

if TYPE_CHECKING:
    from knowledge.embedder import Embedder

REPO = Path(__file__).resolve().parents[1]


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

