"""The dense index: a Chroma collection (embedded by default, a Chroma server by URL).

Vectors are computed by our own embedder and handed to Chroma explicitly, and the
collection is opened with our embedding function, so Chroma never reaches for its default
model (which downloads weights and fails offline).
"""

from __future__ import annotations

from urllib.parse import urlparse

import numpy as np

from knowledge.chroma_embedding import chroma_function
from knowledge.embedder import Embedder
from lantunan.settings import Settings


def _client(settings: Settings):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        return chromadb.HttpClient(
            host=url.hostname or "127.0.0.1", port=url.port or 8000,
            ssl=url.scheme == "https", settings=chroma_settings,
        )
    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)


UNIT_SEP = "~"  # unit id = f"{chunk_id}~{hash of the unit text}"


class VectorIndex:
    """Chunk vectors in Chroma, keyed by chunk id."""

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self._client = _client(settings)
        # One collection per embedding model: vectors of different models never mix.
        safe = "".join(ch if ch.isalnum() else "-" for ch in embedder.name).strip("-")[:40]
        self.collection = self._client.get_or_create_collection(
            name=f"{settings.collection}-{safe}"[:63].rstrip("-"),
            embedding_function=chroma_function(embedder),
            metadata={"hnsw:space": "cosine", "embedder": embedder.name},
        )

    def add(self, ids: list[str], vectors: np.ndarray, chunk_ids: list[str], doc_ids: list[str]) -> None:
        """Upsert unit vectors (batched: Chroma limits the batch size)."""
        step = 2000
        for s in range(0, len(ids), step):
            self.collection.upsert(
                ids=ids[s:s + step],
                embeddings=[v.tolist() for v in vectors[s:s + step]],
                metadatas=[{"doc_id": d, "chunk_id": c}
                           for c, d in zip(chunk_ids[s:s + step], doc_ids[s:s + step])],
            )

    def delete_chunks(self, chunk_ids: list[str]) -> None:
        """Remove every unit vector of these chunks."""
        for s in range(0, len(chunk_ids), 500):
            part = chunk_ids[s:s + 500]
            if part:
                self.collection.delete(where={"chunk_id": {"$in": part}})

    def unit_ids_of(self, chunk_ids: list[str]) -> set[str]:
        """Ids of the unit vectors stored for these chunks."""
        out: set[str] = set()
        for s in range(0, len(chunk_ids), 500):
            part = chunk_ids[s:s + 500]
            if part:
                out.update(self.collection.get(where={"chunk_id": {"$in": part}}, include=[])["ids"])
        return out

    def delete(self, ids: list[str]) -> None:
        """Remove vectors by unit id."""
        for s in range(0, len(ids), 2000):
            if ids[s:s + 2000]:
                self.collection.delete(ids=ids[s:s + 2000])

    def ids(self) -> set[str]:
        """Every unit id in the collection (for reconciling with the catalog)."""
        out: set[str] = set()
        offset, step = 0, 5000
        while True:
            got = self.collection.get(limit=step, offset=offset, include=[])
            out.update(got["ids"])
            if len(got["ids"]) < step:
                return out
            offset += step

    def count(self) -> int:
        """Number of vectors."""
        return self.collection.count()

    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """Nearest chunks (by their best unit) with cosine similarity, best first."""
        # No count() first: Chroma returns what it has when asked for more (none from an empty
        # collection), and the count cost a round trip per search.
        res = self.collection.query(
            query_embeddings=[vector.tolist()], n_results=k * 3, include=["distances"]
        )
        best: dict[str, float] = {}
        for unit_id, dist in zip(res["ids"][0], res["distances"][0]):
            chunk_id = unit_id.split(UNIT_SEP, 1)[0]
            if chunk_id not in best:  # results come best first
                best[chunk_id] = 1.0 - float(dist)
        return list(best.items())[:k]
