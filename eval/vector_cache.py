"""A persistent passage-vector cache for evaluation runs, wrapped around the real embedder.

Each `lantunan eval --corpus ...` ingests into a fresh temporary store, so the knowledge base's
own vector cache starts empty every time and the e5 model (~11 passages/s on 2 cores) would
re-embed the whole corpus on each run. This wrapper keeps passage vectors in one SQLite file
keyed by (embedder name, text hash): the vectors are exactly those of the wrapped model, only
not recomputed. Query embeddings are never cached, so query latency stays honest.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from knowledge.embedder import Embedder
from knowledge.models import content_hash


class CachingEmbedder(Embedder):
    """Delegates to ``base``; passage vectors are read from / written to a SQLite cache."""

    def __init__(self, base: Embedder, path: Path) -> None:
        super().__init__(base.batch_size)
        self.base = base
        # Same name and spec: the vectors are the base model's, so caches and persisted Chroma
        # configs stay interchangeable with an uncached run.
        self.name = base.name
        self.spec = base.spec
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(self.path), check_same_thread=False)
        self._conn.execute("CREATE TABLE IF NOT EXISTS vectors (model TEXT, text_hash TEXT, "
                           "vector BLOB, PRIMARY KEY (model, text_hash))")
        self._conn.commit()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def dim(self) -> int:
        """The wrapped model's dimension."""
        return self.base.dim

    def _encode(self, texts: list[str], *, query: bool) -> np.ndarray:
        return self.base._encode(texts, query=query)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Cached vectors where known; the rest from the wrapped model (then cached)."""
        items = list(texts)
        if not items:
            return self.base.embed_passages(items)
        hashes = [content_hash(t) for t in items]
        found: dict[str, np.ndarray] = {}
        with self._lock:
            unique = sorted(set(hashes))
            for start in range(0, len(unique), 500):
                part = unique[start:start + 500]
                marks = ",".join("?" * len(part))
                rows = self._conn.execute(
                    "SELECT text_hash, vector FROM vectors WHERE model = ? "
                    f"AND text_hash IN ({marks})",
                    [self.name, *part]).fetchall()
                found.update({h: np.frombuffer(v, dtype=np.float32) for h, v in rows})
        todo: dict[str, str] = {}
        for h, t in zip(hashes, items):
            if h not in found:
                todo.setdefault(h, t)
        self.hits += len(items) - sum(1 for h in hashes if h in todo)
        self.misses += len(todo)
        if todo:
            keys = list(todo)
            fresh = self.base.embed_passages([todo[h] for h in keys])
            with self._lock:
                self._conn.executemany(
                    "INSERT OR REPLACE INTO vectors(model, text_hash, vector) VALUES (?, ?, ?)",
                    [(self.name, h, np.asarray(v, dtype=np.float32).tobytes())
                     for h, v in zip(keys, fresh)])
                self._conn.commit()
            found.update(zip(keys, fresh))
        return np.stack([found[h] for h in hashes]).astype(np.float32)

    def close(self) -> None:
        """Close the cache file."""
        self._conn.close()
