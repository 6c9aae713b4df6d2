"""The catalog: SQLite source of truth for documents, chunks, reviewed answers and cached vectors.

Chroma and BM25 are indexes derived from it. A document's chunks change in one SQLite
transaction, so a crash mid-ingest leaves the previous version intact; index entries that
the catalog does not know are ignored at search time and swept by `KnowledgeBase.reconcile`.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import numpy as np

from knowledge.models import Chunk, DocKind, DocStatus, Document, ReviewedAnswer

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY, source_name TEXT NOT NULL, kind TEXT NOT NULL, title TEXT NOT NULL,
    short_name TEXT NOT NULL, number TEXT, year INTEGER, status TEXT NOT NULL,
    replaced_by TEXT, content_hash TEXT NOT NULL, ingested_at TEXT NOT NULL, metadata TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL, text TEXT NOT NULL, locator TEXT NOT NULL, section TEXT NOT NULL,
    path TEXT NOT NULL, heading TEXT NOT NULL, linked TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id, ordinal);
CREATE TABLE IF NOT EXISTS reviewed_answers (
    id TEXT PRIMARY KEY, question TEXT NOT NULL, answer TEXT NOT NULL, variants TEXT NOT NULL,
    sources TEXT NOT NULL, reviewed TEXT, origin TEXT NOT NULL,
    doc_id TEXT REFERENCES documents(id) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS vectors (
    model TEXT NOT NULL, text_hash TEXT NOT NULL, vector BLOB NOT NULL,
    PRIMARY KEY (model, text_hash)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO meta(key, value) VALUES ('version', '0');
"""


def _doc_from_row(r: sqlite3.Row) -> Document:
    return Document(
        id=r["id"], source_name=r["source_name"], kind=DocKind(r["kind"]), title=r["title"],
        short_name=r["short_name"], number=r["number"], year=r["year"],
        status=DocStatus(r["status"]), replaced_by=r["replaced_by"],
        content_hash=r["content_hash"], ingested_at=r["ingested_at"],
        chunk_count=r["chunk_count"] if "chunk_count" in r.keys() else 0,
        metadata=json.loads(r["metadata"]),
    )


def _chunk_from_row(r: sqlite3.Row) -> Chunk:
    return Chunk(
        id=r["id"], doc_id=r["doc_id"], text=r["text"], locator=r["locator"],
        section=r["section"], path=r["path"], ordinal=r["ordinal"], heading=r["heading"],
        linked=r["linked"],
    )


def _answer_from_row(r: sqlite3.Row) -> ReviewedAnswer:
    return ReviewedAnswer(
        id=r["id"], question=r["question"], answer=r["answer"],
        variants=json.loads(r["variants"]), sources=json.loads(r["sources"]),
        reviewed=date.fromisoformat(r["reviewed"]) if r["reviewed"] else None,
        origin=r["origin"], doc_id=r["doc_id"],
    )


_DOC_SELECT = (
    "SELECT d.*, (SELECT COUNT(*) FROM chunks c WHERE c.doc_id = d.id) AS chunk_count "
    "FROM documents d"
)


class Catalog:
    """Thread-safe access to the catalog database (one connection, serialised)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._conn.execute("PRAGMA busy_timeout=10000")
        # Deleted rows are zeroed: an erased promoted answer must not stay in free pages.
        self._conn.execute("PRAGMA secure_delete=ON")
        self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: all of it lands, or none; bumps the catalog version."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
                self._conn.execute(
                    "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'version'"
                )
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise

    def _query(self, sql: str, params: Iterable = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, tuple(params)).fetchall()

    # --- reads ------------------------------------------------------------------------------
    def version(self) -> int:
        """Increases on every change; derived indexes rebuild when it moves."""
        return int(self._query("SELECT value FROM meta WHERE key = 'version'")[0][0])

    def documents(self) -> list[Document]:
        """All documents, by id."""
        return [_doc_from_row(r) for r in self._query(_DOC_SELECT + " ORDER BY d.id")]

    def get_document(self, doc_id: str) -> Document | None:
        """One document or None."""
        rows = self._query(_DOC_SELECT + " WHERE d.id = ?", (doc_id,))
        return _doc_from_row(rows[0]) if rows else None

    def chunks_of(self, doc_id: str) -> list[Chunk]:
        """A document's chunks in reading order."""
        rows = self._query("SELECT * FROM chunks WHERE doc_id = ? ORDER BY ordinal", (doc_id,))
        return [_chunk_from_row(r) for r in rows]

    def all_chunks(self) -> list[Chunk]:
        """Every chunk, grouped by document in reading order."""
        rows = self._query("SELECT * FROM chunks ORDER BY doc_id, ordinal")
        return [_chunk_from_row(r) for r in rows]

    def get_chunks(self, ids: list[str]) -> dict[str, Chunk]:
        """Chunks by id (unknown ids are left out)."""
        out: dict[str, Chunk] = {}
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            marks = ",".join("?" * len(part))
            for r in self._query(f"SELECT * FROM chunks WHERE id IN ({marks})", part):
                out[r["id"]] = _chunk_from_row(r)
        return out

    def chunk_ids(self) -> set[str]:
        """Ids of every chunk the catalog knows."""
        return {r[0] for r in self._query("SELECT id FROM chunks")}

    def reviewed_answers(self) -> list[ReviewedAnswer]:
        """Every reviewed answer (FAQ entries and promoted officer edits)."""
        return [_answer_from_row(r) for r in self._query("SELECT * FROM reviewed_answers ORDER BY id")]

    # --- vector cache -------------------------------------------------------------------------
    def cached_vectors(self, model: str, hashes: list[str]) -> dict[str, np.ndarray]:
        """Vectors already computed for these text hashes with this model."""
        out: dict[str, np.ndarray] = {}
        for start in range(0, len(hashes), 500):
            part = hashes[start:start + 500]
            marks = ",".join("?" * len(part))
            rows = self._query(
                f"SELECT text_hash, vector FROM vectors WHERE model = ? AND text_hash IN ({marks})",
                [model, *part],
            )
            for r in rows:
                out[r[0]] = np.frombuffer(r[1], dtype=np.float32)
        return out

    def store_vectors(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        """Remember vectors so an unchanged passage is never embedded twice."""
        with self._lock:
            self._conn.execute("BEGIN")
            self._conn.executemany(
                "INSERT OR REPLACE INTO vectors(model, text_hash, vector) VALUES (?, ?, ?)",
                [(model, h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in vectors.items()],
            )
            self._conn.execute("COMMIT")

    # --- writes (call inside `transaction()`) -----------------------------------------------------
    @staticmethod
    def write_document(conn: sqlite3.Connection, doc: Document, chunks: list[Chunk],
                       answers: list[ReviewedAnswer]) -> None:
        """Replace a document, its chunks and its reviewed answers."""
        conn.execute("DELETE FROM documents WHERE id = ?", (doc.id,))  # cascades
        conn.execute(
            "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (doc.id, doc.source_name, doc.kind.value, doc.title, doc.short_name, doc.number,
             doc.year, doc.status.value, doc.replaced_by, doc.content_hash, doc.ingested_at,
             json.dumps(doc.metadata, ensure_ascii=False)),
        )
        conn.executemany(
            "INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?)",
            [(c.id, c.doc_id, c.ordinal, c.text, c.locator, c.section, c.path, c.heading, c.linked)
             for c in chunks],
        )
        for a in answers:
            Catalog.write_answer(conn, a)

    @staticmethod
    def write_answer(conn: sqlite3.Connection, a: ReviewedAnswer) -> None:
        """Insert or replace one reviewed answer."""
        conn.execute(
            "INSERT OR REPLACE INTO reviewed_answers VALUES (?,?,?,?,?,?,?,?)",
            (a.id, a.question, a.answer, json.dumps(a.variants, ensure_ascii=False),
             json.dumps(a.sources, ensure_ascii=False),
             a.reviewed.isoformat() if a.reviewed else None, a.origin, a.doc_id),
        )

    @staticmethod
    def delete_document(conn: sqlite3.Connection, doc_id: str) -> bool:
        """Delete a document with its chunks and reviewed answers."""
        return conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,)).rowcount > 0

    @staticmethod
    def update_status(conn: sqlite3.Connection, doc_id: str, status: DocStatus,
                      replaced_by: str | None) -> bool:
        """Set a document's legal status."""
        cur = conn.execute(
            "UPDATE documents SET status = ?, replaced_by = ? WHERE id = ?",
            (status.value, replaced_by, doc_id),
        )
        return cur.rowcount > 0
