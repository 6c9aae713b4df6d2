"""KnowledgeBase: one facade over the catalog, the dense index, BM25 and reviewed answers."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timezone
from functools import lru_cache

import numpy as np

from knowledge.catalog import Catalog
from knowledge.embeddings import Embedder, get_embedder
from knowledge.faq_match import ReviewedMatcher, ReviewedScore
from knowledge.fusion import reciprocal_rank_fusion
from knowledge.lexical import LexicalIndex
from knowledge.models import (
    Chunk, DocKind, DocStatus, Document, Hit, ReviewedAnswer, content_hash,
)
from knowledge.textproc import words
from knowledge.units import chunk_units
from knowledge.vector_index import UNIT_SEP, VectorIndex
from lantunan.settings import Settings

Progress = Callable[[int, int], None]

# Weights of the fused signals. Dense (e5) carries paraphrase, BM25 exact legal terms; a
# curated question matching the applicant's words is the strongest single signal we have.
SIGNAL_WEIGHTS = {"dense": 1.0, "bm25": 1.0, "faq": 1.5}
CANDIDATES = 60  # per signal, before fusion
# The reviewed-question signal speaks only for near-paraphrases (e5 query-query cosine) or
# near-identical wording (rapidfuzz); below these it would only add noise to the fusion.
FAQ_DENSE_MIN = 0.88
FAQ_LEXICAL_MIN = 0.80


class KnowledgeBase:
    """Documents, chunks and reviewed answers, searchable by hybrid retrieval."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or get_embedder(settings)
        self.catalog = Catalog(settings.catalog_path)
        self.vectors = VectorIndex(settings, self.embedder)
        self._lock = threading.RLock()
        self._version = -1
        self._chunks: dict[str, Chunk] = {}
        self._docs: dict[str, Document] = {}
        self._lexical: LexicalIndex | None = None
        self._lexical_units: LexicalIndex | None = None
        self._matcher: ReviewedMatcher | None = None
        self._faq_chunk: dict[str, str] = {}
        self._query_vec = lru_cache(maxsize=2048)(self._embed_query)
        self.reconcile()

    # --- reading ----------------------------------------------------------------------------
    def documents(self) -> list[Document]:
        """Every document with its chunk count."""
        return self.catalog.documents()

    def get_document(self, doc_id: str) -> Document | None:
        """One document, or None."""
        return self.catalog.get_document(doc_id)

    def chunks_of(self, doc_id: str) -> list[Chunk]:
        """A document's chunks in reading order."""
        return self.catalog.chunks_of(doc_id)

    def get_chunk(self, chunk_id: str) -> Chunk | None:
        """One chunk, or None."""
        self._refresh()
        return self._chunks.get(chunk_id)

    def section_text(self, chunk_id: str) -> str:
        """The whole Pasal / SOP section / FAQ entry that a chunk belongs to."""
        chunk = self.get_chunk(chunk_id)
        if chunk is None:
            return ""
        parts = [c.text for c in self.chunks_of(chunk.doc_id) if c.section == chunk.section]
        return "\n".join(parts)

    def reviewed_answers(self) -> list[ReviewedAnswer]:
        """Curated FAQ answers and promoted officer edits."""
        return self.catalog.reviewed_answers()

    def vocabulary(self) -> set[str]:
        """Every word form in the knowledge base (for spelling repair of applicants' terms)."""
        self._refresh()
        vocab: set[str] = set()
        for c in self._chunks.values():
            vocab.update(words(c.index_text))
        return vocab

    def stats(self) -> dict:
        """Counts for curators and health checks."""
        docs = self.documents()
        return {
            "documents": len(docs),
            "chunks": sum(d.chunk_count for d in docs),
            "vectors": self.vectors.count(),
            "reviewed_answers": len(self.reviewed_answers()),
            "embedder": self.embedder.name,
        }

    # --- writing ------------------------------------------------------------------------------
    def upsert(self, parsed, progress: Progress | None = None) -> str:
        """Add or replace a document atomically: "added", "replaced" or "unchanged".

        Vectors are computed (or taken from the cache) and put in Chroma first; the catalog
        then switches to the new chunks in one transaction, and only after that are the old
        vectors deleted. A failure at any point leaves the previous version searchable.
        """
        doc: Document = parsed.document
        old = self.catalog.get_document(doc.id)
        if old is not None and old.content_hash == doc.content_hash:
            if (old.status, old.replaced_by) != (doc.status, doc.replaced_by):
                self.set_status(doc.id, doc.status, doc.replaced_by)
            return "unchanged"
        chunks: list[Chunk] = parsed.chunks
        self._ensure_vectors(chunks, progress)
        doc = replace(doc, ingested_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))
        old_ids = {c.id for c in self.catalog.chunks_of(doc.id)} if old else set()
        with self.catalog.transaction() as conn:
            Catalog.write_document(conn, doc, chunks, parsed.reviewed_answers)
        stale = sorted(old_ids - {c.id for c in chunks})
        self.vectors.delete_chunks(stale)
        return "replaced" if old else "added"

    def remove(self, doc_id: str) -> bool:
        """Delete a document everywhere: catalog, vectors, reviewed answers."""
        ids = [c.id for c in self.catalog.chunks_of(doc_id)]
        with self.catalog.transaction() as conn:
            found = Catalog.delete_document(conn, doc_id)
        self.vectors.delete_chunks(ids)
        return found

    def set_status(self, doc_id: str, status: DocStatus, replaced_by: str | None = None) -> Document:
        """Mark a document berlaku / diubah / dicabut, optionally naming its replacement."""
        with self.catalog.transaction() as conn:
            if not Catalog.update_status(conn, doc_id, DocStatus(status), replaced_by):
                raise KeyError(doc_id)
        doc = self.catalog.get_document(doc_id)
        assert doc is not None
        return doc

    def add_reviewed_answer(self, answer: ReviewedAnswer) -> ReviewedAnswer:
        """Store a reviewed answer (e.g. an officer's edit promoted by a curator)."""
        with self.catalog.transaction() as conn:
            Catalog.write_answer(conn, answer)
        return answer

    def reconcile(self) -> None:
        """Make Chroma agree with the catalog (after a crash between the two writes)."""
        known = self.catalog.chunk_ids()
        unit_ids = self.vectors.ids()
        orphans = sorted(u for u in unit_ids if u.split(UNIT_SEP, 1)[0] not in known)
        if orphans:
            self.vectors.delete(orphans)
        missing = sorted(known - {u.split(UNIT_SEP, 1)[0] for u in unit_ids})
        if missing:
            self._ensure_vectors(list(self.catalog.get_chunks(missing).values()), None)

    def _ensure_vectors(self, chunks: list[Chunk], progress: Progress | None) -> None:
        """Embed the units not cached yet (in batches), then upsert all of them into Chroma."""
        if not chunks:
            return
        model = self.embedder.name
        unit_ids: list[str] = []
        unit_chunk: list[Chunk] = []
        texts: list[str] = []
        for c in chunks:
            for text in dict.fromkeys(chunk_units(c)):
                unit_ids.append(f"{c.id}{UNIT_SEP}{content_hash(text)[:10]}")
                unit_chunk.append(c)
                texts.append(text)
        hashes = [content_hash(t) for t in texts]
        cached = self.catalog.cached_vectors(model, sorted(set(hashes)))
        todo: dict[str, str] = {}
        for t, h in zip(texts, hashes):
            if h not in cached:
                todo.setdefault(h, t)
        done = 0
        total = len(todo)
        if progress:
            progress(0, total)
        items = list(todo.items())
        batch = max(1, self.settings.embed_batch_size)
        for s in range(0, len(items), batch):
            part = items[s:s + batch]
            vecs = self.embedder.embed_passages([t for _, t in part])
            fresh = {h: v for (h, _), v in zip(part, vecs)}
            self.catalog.store_vectors(model, fresh)  # cache survives a failure later on
            cached.update(fresh)
            done += len(part)
            if progress:
                progress(done, total)
        matrix = np.stack([cached[h] for h in hashes]).astype(np.float32)
        previous = self.vectors.unit_ids_of([c.id for c in chunks])
        self.vectors.add(unit_ids, matrix, [c.id for c in unit_chunk], [c.doc_id for c in unit_chunk])
        # A chunk whose text is unchanged keeps its id, but its units may have changed (a new
        # unit splitter): drop the units it no longer has.
        self.vectors.delete(sorted(previous - set(unit_ids)))

    # --- searching ------------------------------------------------------------------------------
    def _embed_query(self, text: str) -> np.ndarray:
        return self.embedder.embed_query(text)

    def _embed_queries_cached(self, texts: list[str]) -> np.ndarray:
        """Query-space vectors for reviewed questions, through the catalog's vector cache."""
        model = self.embedder.name
        hashes = [content_hash("query\0" + t) for t in texts]
        cached = self.catalog.cached_vectors(model, sorted(set(hashes)))
        todo = {h: t for h, t in zip(hashes, texts) if h not in cached}
        if todo:
            fresh = self.embedder.embed_queries(list(todo.values()))
            new = dict(zip(todo.keys(), fresh))
            self.catalog.store_vectors(model, new)
            cached.update(new)
        return np.stack([cached[h] for h in hashes]).astype(np.float32)

    def _refresh(self) -> None:
        """Rebuild in-memory indexes when the catalog has changed (cheap version check)."""
        version = self.catalog.version()
        if version == self._version:
            return
        with self._lock:
            if version == self._version:
                return
            chunks = self.catalog.all_chunks()
            self._chunks = {c.id: c for c in chunks}
            self._docs = {d.id: d for d in self.catalog.documents()}
            self._lexical = LexicalIndex([c.id for c in chunks], [c.index_text for c in chunks])
            unit_ids, unit_texts = [], []
            for c in chunks:
                for text in chunk_units(c):
                    unit_ids.append(c.id)
                    unit_texts.append(text)
            self._lexical_units = LexicalIndex(unit_ids, unit_texts)
            answers = self.catalog.reviewed_answers()
            self._matcher = ReviewedMatcher(answers, self._embed_queries_cached)
            faq_docs = {d.id for d in self._docs.values() if d.kind == DocKind.FAQ}
            self._faq_chunk = {
                c.section: c.id for c in chunks if c.doc_id in faq_docs
            }
            self._version = version

    def match_reviewed(self, query: str) -> ReviewedScore | None:
        """The reviewed answer whose question or a variant is closest to the query."""
        self._refresh()
        assert self._matcher is not None
        ranked = self._matcher.score(query, self._query_vec(query))
        return ranked[0] if ranked else None

    def search(
        self,
        query: str,
        k: int = 5,
        kinds: set[DocKind] | None = None,
        statuses: set[DocStatus] | None = None,
        extra_queries: list[str] | None = None,
        weights: dict[str, float] | None = None,
    ) -> list[Hit]:
        """Hybrid search: dense + BM25 + reviewed-question match, fused by reciprocal rank.

        `extra_queries` (e.g. the applicant's original wording beside the normalised one)
        add their own dense and BM25 rankings to the fusion. Revoked and amended documents are
        demoted by `settings.revoked_penalty` and flagged on the hit, never silently mixed in.
        """
        self._refresh()
        assert self._lexical is not None and self._matcher is not None
        queries = [query, *[q for q in (extra_queries or []) if q and q != query]]
        rankings: dict[str, list[str]] = {}
        raw: dict[str, dict[str, float]] = {"dense": {}, "bm25": {}, "faq": {}}
        base_weights = {**SIGNAL_WEIGHTS, **(weights or {})}
        weights = dict(base_weights)
        for qi, q in enumerate(queries):
            suffix = "" if qi == 0 else f"_{qi}"
            dense = [
                (cid, s) for cid, s in self.vectors.search(self._query_vec(q), CANDIDATES)
                if cid in self._chunks
            ]
            lexical = self._lexical.search(q, CANDIDATES)
            rankings["dense" + suffix] = [cid for cid, _ in dense]
            rankings["bm25" + suffix] = [cid for cid, _ in lexical]
            weights["dense" + suffix] = base_weights["dense"] * (1.0 if qi == 0 else 0.5)
            weights["bm25" + suffix] = base_weights["bm25"] * (1.0 if qi == 0 else 0.5)
            for cid, s in dense:
                raw["dense"][cid] = max(raw["dense"].get(cid, 0.0), s)
            for cid, s in lexical:
                raw["bm25"][cid] = max(raw["bm25"].get(cid, 0.0), s)
        faq_ranked: list[str] = []
        answer_of: dict[str, ReviewedAnswer] = {}
        for m in self._matcher.score(queries[-1], self._query_vec(queries[-1])):
            cid = self._faq_chunk.get(m.answer.id)
            if cid is None or (m.dense < FAQ_DENSE_MIN and m.lexical < FAQ_LEXICAL_MIN):
                continue
            faq_ranked.append(cid)
            raw["faq"][cid] = m.dense
            answer_of[cid] = m.answer
        rankings["faq"] = faq_ranked[:3]
        rankings = {name: ids for name, ids in rankings.items() if weights.get(name, 1.0) > 0}
        fused = reciprocal_rank_fusion(rankings, weights, k=self.settings.rrf_k)

        hits: list[Hit] = []
        for cid, score in fused.items():
            chunk = self._chunks[cid]
            doc = self._docs[chunk.doc_id]
            if kinds and doc.kind not in kinds:
                continue
            if statuses and doc.status not in statuses:
                continue
            if doc.status != DocStatus.BERLAKU:
                score *= self.settings.revoked_penalty
            scores = {name: vals[cid] for name, vals in raw.items() if cid in vals}
            scores["fused"] = score
            hits.append(Hit(chunk=chunk, doc=doc, score=score, rank=0, scores=scores,
                            reviewed_answer=answer_of.get(cid)))
        hits.sort(key=lambda h: -h.score)
        for i, h in enumerate(hits[:k], start=1):
            h.rank = i
        return hits[:k]
