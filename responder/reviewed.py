"""Drafting from a reviewed answer (curated FAQ or promoted officer edit) with its sources."""

from __future__ import annotations

import re

from knowledge.models import Chunk, ReviewedAnswer
from knowledge.store import KnowledgeBase
from knowledge.textproc import analyse
from responder.models import Citation
from responder.sentences import split_sentences

_SOURCE = re.compile(r"^(?P<doc>[^#]+?)(?:#(?P<section>.+))?$")


def _section_key(section: str) -> str:
    """'#2', '2', '§2' and 'Pasal 5' all name the same section as the chunk's `section`."""
    s = section.strip().lstrip("#§").strip()
    return f"§{s}" if s.isdigit() else s


def source_chunks(kb: KnowledgeBase, source: str) -> list[Chunk]:
    """Chunks a source reference like "sop-pengaduan.md#2" or "pp-6-2021#Pasal 14" points to."""
    m = _SOURCE.match(source.strip())
    if not m:
        return []
    name = m.group("doc").strip()
    docs = [d for d in kb.documents() if name in (d.source_name, d.id, d.short_name)]
    out: list[Chunk] = []
    for d in docs:
        chunks = kb.chunks_of(d.id)
        if m.group("section"):
            key = _section_key(m.group("section"))
            chunks = [c for c in chunks if c.section == key]
        out.extend(chunks)
    return out


def best_quote(claim: str, chunk: Chunk) -> tuple[str, float]:
    """The chunk's sentence sharing most content words with the claim, and that share."""
    want = set(analyse(claim))
    best, best_score = chunk.text.strip()[:300], 0.0
    for sent in split_sentences(chunk.text):
        have = set(analyse(sent))
        if not have or not want:
            continue
        score = len(want & have) / len(want)
        if score > best_score:
            best, best_score = sent.strip(), score
    return best, best_score


def reviewed_citations(kb: KnowledgeBase, answer: ReviewedAnswer, faq_chunk: Chunk | None) -> list[Citation]:
    """Citations for a reviewed answer: its sources' best sentences, then the FAQ entry itself."""
    cites: list[Citation] = []
    for src in answer.sources:
        chunks = source_chunks(kb, src)
        if not chunks:
            continue
        scored = [(c, *best_quote(answer.answer, c)) for c in chunks]
        chunk, quote, _ = max(scored, key=lambda t: t[2])
        doc = kb.get_document(chunk.doc_id)
        cites.append(Citation(chunk.id, chunk.locator, quote, chunk.doc_id,
                              doc.status.value if doc else "berlaku", verified=True))
    if faq_chunk is not None:
        quote, _ = best_quote(answer.answer, faq_chunk)
        cites.append(Citation(faq_chunk.id, faq_chunk.locator, quote, faq_chunk.doc_id,
                              "berlaku", verified=True))
    return cites
