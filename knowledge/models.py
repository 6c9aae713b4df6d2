"""Typed records that cross the knowledge layer's boundary."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from enum import Enum


class DocKind(str, Enum):
    """What a document is; decides how it is split and how it is cited."""

    REGULATION = "regulation"
    SOP = "sop"
    FAQ = "faq"


class DocStatus(str, Enum):
    """Legal status of a document: an answer never rests on revoked law without saying so."""

    BERLAKU = "berlaku"
    DIUBAH = "diubah"
    DICABUT = "dicabut"


@dataclass
class Document:
    """One source document (a statute, an SOP, an FAQ file)."""

    id: str  # stable slug, from the file name: "pp-6-2021"
    source_name: str  # file name as given: "pp-6-2021.txt"
    kind: DocKind
    title: str
    short_name: str  # how citations name it: "PP 6/2021", "SOP Pengaduan", "FAQ"
    number: str | None = None
    year: int | None = None
    status: DocStatus = DocStatus.BERLAKU
    replaced_by: str | None = None
    content_hash: str = ""
    ingested_at: str = ""
    chunk_count: int = 0
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass
class Chunk:
    """A citable passage: one Pasal (or a run of its ayat), one SOP section, one FAQ entry."""

    id: str
    doc_id: str
    text: str  # clean passage text: what is quoted to applicants
    locator: str  # human locator: "PP 6/2021 Pasal 7 ayat (2)", "SOP Pengaduan §2"
    section: str  # the whole unit it belongs to: "Pasal 7", "Penjelasan Pasal 7", "§2", FAQ id
    path: str = ""  # structural path: "BAB III > Bagian Kedua > Paragraf 1"
    ordinal: int = 0  # position in the document
    heading: str = ""  # section heading for SOPs, FAQ question for FAQ entries
    linked: str = ""  # id of the linked chunk (Pasal <-> its Penjelasan)

    @property
    def index_text(self) -> str:
        """Text given to the lexical and dense indexes: locator and headings add context."""
        parts = [self.locator, self.path, self.heading, self.text]
        return "\n".join(p for p in parts if p)


def content_hash(data: bytes | str) -> str:
    """SHA-256 hex of bytes or UTF-8 text."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def make_chunk_id(doc_id: str, locator: str, text: str) -> str:
    """Content-addressed chunk id: an unchanged passage keeps its id across re-ingests."""
    digest = content_hash(locator + "\n" + text)[:16]
    return f"{doc_id}:{digest}"


@dataclass
class ReviewedAnswer:
    """An answer a human has reviewed: a curated FAQ entry or a promoted officer edit."""

    id: str
    question: str
    answer: str
    variants: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # "panduan-nib-oss-rba.md#2"
    reviewed: date | None = None
    origin: str = "faq"  # "faq" | "officer_edit"
    doc_id: str | None = None  # the FAQ document it came from, if any


@dataclass
class Hit:
    """One ranked search result with the scores of every signal that found it."""

    chunk: Chunk
    doc: Document
    score: float
    rank: int
    scores: dict[str, float] = field(default_factory=dict)  # dense, bm25, faq, fused
    reviewed_answer: ReviewedAnswer | None = None

    @property
    def revoked(self) -> bool:
        """True when the passage comes from revoked or amended law."""
        return self.doc.status != DocStatus.BERLAKU

    def to_json(self) -> dict:
        """The shape `lantunan search --json` prints for one hit."""
        return {
            "chunk_id": self.chunk.id,
            "text": self.chunk.text,
            "locator": self.chunk.locator,
            "doc_id": self.doc.id,
            "doc_title": self.doc.title,
            "source_name": self.doc.source_name,
            "status": self.doc.status.value,
            "replaced_by": self.doc.replaced_by,
            "score": round(self.score, 6),
            "scores": {k: round(v, 6) for k, v in self.scores.items()},
        }
