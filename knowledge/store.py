"""KnowledgeBase: one facade over the catalog, the dense index, BM25 and reviewed answers."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timezone

import numpy as np

from knowledge.catalog import Catalog
from knowledge.definitions import definitions_asked, extract_definitions
from knowledge.embedder import Embedder
from knowledge.embeddings import get_embedder
from knowledge.faq_match import ReviewedMatcher, ReviewedScore
from knowledge.fusion import reciprocal_rank_fusion
from knowledge.hybrid import CANDIDATES, SECOND_READING, SIGNAL_WEIGHTS, Rankings, to_hits
from knowledge.lexical import LexicalIndex
from knowledge.models import Chunk, DocKind, DocStatus, Document, Hit, ReviewedAnswer, content_hash
from knowledge.query_vectors import QueryVectors, same_text
from knowledge.textproc import words
from knowledge.thesaurus import expand
from knowledge.units import Unit, chunk_units
from knowledge.vector_index import UNIT_SEP, VectorIndex
from lantunan.settings import Settings

Progress = Callable[[int, int], None]


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
        self._definitions: dict[str, str] = {}
        self.query_vectors = QueryVectors(self.embedder)  # one embedding per distinct text
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

    def known_terms(self) -> frozenset[str]:
        """Every stemmed term the knowledge base's passages use (BM25's vocabulary)."""
        self._refresh()
        assert self._lexical is not None
        return self._lexical.terms

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
            for text in (u.indexed for u in chunk_units(c)):
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
    def query_vector(self, text: str) -> np.ndarray:
        """The query-space vector of a text (embedded once per distinct text, then cached)."""
        return self.query_vectors.vector(text)

    def unit_vectors(self, chunk: Chunk) -> list[tuple[Unit, np.ndarray | None]]:
        """A chunk's units with their passage vectors from the cache (None if not cached)."""
        units = chunk_units(chunk)
        hashes = [content_hash(u.indexed) for u in units]
        cached = self.catalog.cached_vectors(self.embedder.name, sorted(set(hashes)))
        return [(u, cached.get(h)) for u, h in zip(units, hashes)]

    def passage_cosines(self, query_vec: np.ndarray, texts: list[str]) -> list[float]:
        """Cosine of each text, embedded as a passage, to a query vector.

        The vectors go through the catalog's cache (keyed by text), so a sentence the drafter
        weighed once is never embedded again, in this process or the next.
        """
        if not texts:
            return []
        vectors = self._cached_embeddings("sentence", texts, self.embedder.embed_passages)
        return [float(v) for v in vectors @ np.asarray(query_vec, dtype=np.float32)]

    def _embed_queries_cached(self, texts: list[str]) -> np.ndarray:
        """Query-space vectors for reviewed questions, through the catalog's vector cache."""
        return self._cached_embeddings("query", texts, self.embedder.embed_queries)

    def _cached_embeddings(self, space: str, texts: list[str],
                           embed: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        """Vectors of `texts` from the catalog's cache (keyed by `space` and text); the missing
        ones are embedded once with `embed` and stored."""
        model = self.embedder.name
        hashes = [content_hash(f"{space}\0{t}") for t in texts]
        cached = self.catalog.cached_vectors(model, sorted(set(hashes)))
        todo = {h: t for h, t in zip(hashes, texts) if h not in cached}
        if todo:
            fresh = dict(zip(todo, embed(list(todo.values()))))
            self.catalog.store_vectors(model, fresh)
            cached.update(fresh)
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
                for u in chunk_units(c):
                    unit_ids.append(c.id)
                    unit_texts.append(u.indexed)
            self._lexical_units = LexicalIndex(unit_ids, unit_texts)
            answers = self.catalog.reviewed_answers()
            self._matcher = ReviewedMatcher(answers, self._embed_queries_cached)
            self._definitions = extract_definitions(
                c for c in chunks if self._docs[c.doc_id].kind == DocKind.REGULATION)
            faq_docs = {d.id for d in self._docs.values() if d.kind == DocKind.FAQ}
            self._faq_chunk = {
                c.section: c.id for c in chunks if c.doc_id in faq_docs
            }
            self._version = version

    def is_close(self, m: ReviewedScore) -> bool:
        """A near-paraphrase of a reviewed question: e5 query-query cosine and rapidfuzz word
        similarity both high, or the cosine alone very high (settings.reviewed_*, derived from
        the training data by `lantunan train reviewed`: responder/judge/train_reviewed.py)."""
        s = self.settings
        return (m.dense >= s.reviewed_dense_min and m.lexical >= s.reviewed_lexical_min) \
            or m.dense >= s.reviewed_dense_alone

    def match_reviewed(self, query: str, original: str | None = None,
                       vector: np.ndarray | None = None) -> ReviewedScore | None:
        """The reviewed answer closest to the query: words compared on `query` (normalised),
        meaning on `original` (the applicant's own wording embeds best) or its given `vector`."""
        self._refresh()
        assert self._matcher is not None
        if vector is None:
            vector = self.query_vector(original or query)
        ranked = self._matcher.score(query, vector)
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
        """Hybrid search: dense + BM25 (chunks and units) + reviewed-question match, fused by RRF.

        `query` is the normalised question; `extra_queries[0]`, when given, is the applicant's
        own wording, which e5 embeds better than the lower-cased normalised text. The lexical
        query is expanded from everyday words to the statutes' register (knowledge.thesaurus).
        Revoked and amended documents are demoted by `settings.revoked_penalty` and flagged on
        the hit, never silently mixed in.
        """
        self._refresh()
        original = next((q for q in (extra_queries or []) if q), query)
        w = {**SIGNAL_WEIGHTS, **(weights or {})}
        found = Rankings()
        dense_weight = self._dense_rankings(found, query, original, w)
        if w.get("bm25", 0) > 0:
            self._lexical_rankings(found, query, original)
        if w.get("faq", 0) > 0:
            self._reviewed_ranking(found, query, original)
        if w.get("definition", 0) > 0:
            found.rankings["definition"] = definitions_asked(query, self._definitions)
        fused = reciprocal_rank_fusion(found.rankings, found.weights(w, dense_weight),
                                       k=self.settings.rrf_k)
        return to_hits(fused, found, self._chunks, self._docs, k, self.settings.revoked_penalty,
                       kinds, statuses)

    def _dense_rankings(self, found: Rankings, query: str, original: str,
                        w: dict[str, float]) -> dict[str, float]:
        """Dense rankings of the applicant's wording and, when normalising changed its words,
        of the normalised text (half weight); returns each ranking's share of the dense weight.

        Both texts are embedded in one call, each only once per request (the vectors are
        cached by text for the steps after search). When normalising only lower-cased the
        text, the one ranking carries both shares, as the two near-identical rankings did.
        """
        if w.get("dense", 0) <= 0:
            return {}
        texts = [original] if same_text(query, original) else [original, query]
        vectors = self.query_vectors.vectors(texts)
        for name, vector in zip(("dense", "dense_norm"), vectors):
            hits = [(cid, s) for cid, s in self.vectors.search(vector, CANDIDATES)
                    if cid in self._chunks]
            found.add(name, "dense", hits)
        if query != original and len(texts) == 1:
            return {"dense": 1.0 + SECOND_READING}
        return {"dense": 1.0, "dense_norm": SECOND_READING}

    def _lexical_rankings(self, found: Rankings, query: str, original: str) -> None:
        """BM25 over chunks and units on the expanded query; the raw wording over units too."""
        assert self._lexical is not None and self._lexical_units is not None
        expanded = expand(query)
        found.add("bm25", "bm25", self._lexical.search(expanded, CANDIDATES))
        found.add("bm25_units", "bm25", self._lexical_units.search(expanded, CANDIDATES))
        if original.lower() != query:
            found.add("bm25_units_raw", "bm25", self._lexical_units.search(original, CANDIDATES))

    def _reviewed_ranking(self, found: Rankings, query: str, original: str) -> None:
        """FAQ chunks whose reviewed question is a near-paraphrase of the applicant's."""
        assert self._matcher is not None
        close = []
        for m in self._matcher.score(query, self.query_vector(original)):
            cid = self._faq_chunk.get(m.answer.id)
            if cid is not None and self.is_close(m):
                close.append((cid, m.dense, m.answer))
        found.add_reviewed(close)
