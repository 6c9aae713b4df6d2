"""Synthetic corpora for the benchmark: real chunks repeated with perturbation, real vectors nudged.

Embedding 100k passages with e5 on 2 cores would take hours, so scale runs reuse vectors:
the base chunks are embedded once with the real model, and every perturbed copy gets its base
vector plus small Gaussian noise (cosine to the base about 0.96). The catalog, Chroma (HNSW),
BM25 and fusion then work on 100k distinct texts and vectors, as they would in production;
only the embedding model's cost is left out of the scale runs (measured separately).

The store may embed any piece of a chunk (it indexes sub-chunk units under a header that starts
with the chunk's locator), so a synthetic chunk's locator carries a tag ``SYN<doc>#<ordinal>``
that maps any text embedded for it back to its base chunk; each distinct text gets its own
deterministic noise.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from knowledge.embedder import Embedder
from knowledge.models import Chunk, DocKind, Document, content_hash, make_chunk_id

NOISE = 0.3  # relative noise norm: cos(base, copy) ~ 1 / sqrt(1 + NOISE^2) ~ 0.96
_DIGIT = re.compile(r"\d")
_TAG = re.compile(r"SYN(\d+)#(\d+)")


@dataclass
class BaseChunk:
    """A real chunk of the base corpus and the document kind it came from."""

    text: str
    locator: str
    section: str
    heading: str
    path: str
    kind: str


def perturb(text: str, rng: random.Random, vocabulary: Sequence[str]) -> str:
    """Shuffle some neighbouring words, substitute some words, change some digits."""
    words = text.split()
    if not words:
        return text
    n = len(words)
    for _ in range(max(1, n // 10)):  # ~10% local swaps keep text locally plausible
        i = rng.randrange(n)
        j = min(n - 1, i + 1)
        words[i], words[j] = words[j], words[i]
    if vocabulary:
        for _ in range(max(1, n // 10)):  # ~10% substitutions with real corpus words
            words[rng.randrange(n)] = rng.choice(vocabulary)
    out = " ".join(words)
    if rng.random() < 0.5:
        out = _DIGIT.sub(lambda _: str(rng.randrange(10)), out, count=2)
    return out


def noisy_vector(base: np.ndarray, rng: np.random.Generator, noise: float = NOISE) -> np.ndarray:
    """base + Gaussian noise of relative norm `noise`, L2-normalised (float32)."""
    g = rng.standard_normal(base.shape[0]).astype(np.float32)
    v = base + noise * g / np.sqrt(base.shape[0])
    return (v / np.linalg.norm(v)).astype(np.float32)


@dataclass
class SyntheticCorpus:
    """Documents with chunks, and the vector of every chunk's index text."""

    documents: list[tuple[Document, list[Chunk]]]
    base_index: dict[tuple[int, int], int]  # (synthetic doc number, ordinal) -> base chunk

    @property
    def chunk_count(self) -> int:
        """Total chunks over all documents."""
        return sum(len(c) for _, c in self.documents)


def build_corpus(base: Sequence[BaseChunk], n_chunks: int, seed: int = 0,
                 chunks_per_doc: int = 250) -> SyntheticCorpus:
    """n_chunks perturbed copies of the base chunks, grouped into synthetic documents."""
    if not base:
        raise ValueError("no base chunks to build a synthetic corpus from")
    rng = random.Random(seed)
    vocabulary = sorted({w for b in base for w in b.text.split() if w.isalpha() and len(w) > 3})
    docs: list[tuple[Document, list[Chunk]]] = []
    base_index: dict[tuple[int, int], int] = {}
    made = 0
    d = 0
    while made < n_chunks:
        size = min(chunks_per_doc, n_chunks - made)
        doc_id = f"syn-{seed}-{d:05d}"
        picks = [rng.randrange(len(base)) for _ in range(size)]
        kind = base[picks[0]].kind
        doc = Document(id=doc_id, source_name=f"{doc_id}.txt", kind=DocKind(kind),
                       title=f"Dokumen sintetis {d}", short_name=f"SYN {d}",
                       content_hash=f"{seed}-{d}-{n_chunks}", chunk_count=size)
        chunks = []
        for ordinal, idx in enumerate(picks):
            b = base[idx]
            text = perturb(b.text, rng, vocabulary)
            locator = f"SYN{d}#{ordinal} {b.section}"
            chunk = Chunk(id=make_chunk_id(doc_id, locator, text), doc_id=doc_id, text=text,
                          locator=locator, section=f"{b.section}#{ordinal}", path=b.path,
                          ordinal=ordinal, heading=b.heading)
            base_index[(d, ordinal)] = idx
            chunks.append(chunk)
        docs.append((doc, chunks))
        made += size
        d += 1
    return SyntheticCorpus(docs, base_index)


class PrecomputedEmbedder(Embedder):
    """Passages of synthetic chunks: their base chunk's real vector plus noise; queries and any
    untagged text: the real model (counted in ``misses``)."""

    def __init__(self, base: Embedder, base_vectors: np.ndarray,
                 base_index: dict[tuple[int, int], int], seed: int = 0) -> None:
        super().__init__(base.batch_size)
        self.base = base
        self.base_vectors = base_vectors
        self.base_index = base_index
        self.seed = seed
        # A different name: these vectors must never enter a real store's cache as e5's.
        self.name = base.name + "+bench-precomputed"
        self.spec = base.spec
        self.misses = 0

    @property
    def dim(self) -> int:
        """The real model's dimension."""
        return self.base.dim

    def _encode(self, texts: list[str], *, query: bool) -> np.ndarray:
        return self.base._encode(texts, query=query)

    def _lookup(self, text: str) -> np.ndarray | None:
        """Base vector + noise seeded by the text, when the text carries a synthetic tag."""
        m = _TAG.search(text[:200])
        idx = self.base_index.get((int(m.group(1)), int(m.group(2)))) if m else None
        if idx is None:
            return None
        noise_seed = int(content_hash(f"{self.seed}|{text}")[:12], 16)
        return noisy_vector(self.base_vectors[idx], np.random.default_rng(noise_seed))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Look every passage up; embed the (unexpected) rest with the real model."""
        items = list(texts)
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = [self._lookup(t) for t in items]
        missing = [i for i, v in enumerate(out) if v is None]
        if missing:
            self.misses += len(missing)
            fresh = self.base.embed_passages([items[i] for i in missing])
            for i, v in zip(missing, fresh):
                out[i] = v
        return np.stack(out).astype(np.float32)
