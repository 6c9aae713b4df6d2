"""Citable chunks of a parsed statute: one per Pasal (long Pasal split by ayat), one per
substantive Penjelasan Pasal (linked both ways to its Pasal) and the Penjelasan Umum."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.statute import Pasal, Statute
from knowledge.models import Chunk, make_chunk_id
from knowledge.units import pack

CHUNK_LIMIT = 1500  # target size of one chunk, in characters
AYAT_SPLIT_LIMIT = 3000  # a single ayat (or an ayat-less Pasal) is only cut above this size
# Where a long passage may be cut: before a list item ("b. ...", "12. ...") or, in a
# Penjelasan, before "Ayat (3)" / "Huruf c" / "Angka 2".
_ITEM_BOUNDARY_RE = re.compile(
    r"\s(?=(?:[a-z]|\d{1,3})\.\s?[A-Za-z(])|\s(?=(?:Ayat|Huruf|Angka)\s+\(?[0-9a-z]{1,3}\)?\s)"
)
_SENTENCE_BOUNDARY_RE = re.compile(r"(?<=[.;:])\s+(?=\S)")


def split_long_text(text: str, limit: int = CHUNK_LIMIT) -> list[str]:
    """Cut text into pieces ≤ limit at list-item boundaries, else sentence/clause boundaries."""
    if len(text) <= limit:
        return [text]
    units: list[str] = []
    for item in _ITEM_BOUNDARY_RE.split(text):
        if len(item) <= limit:
            units.append(item)
            continue
        for sentence in _SENTENCE_BOUNDARY_RE.split(item):
            while len(sentence) > limit:  # a run-on without punctuation: cut at a space
                cut = sentence.rfind(" ", 0, limit)
                cut = cut if cut > 0 else limit
                units.append(sentence[:cut])
                sentence = sentence[cut:].lstrip()
            if sentence:
                units.append(sentence)
    return pack(units, limit, merge_below=None)



@dataclass
class _Piece:
    text: str
    ayat_from: str = ""
    ayat_to: str = ""


def _pasal_pieces(p: Pasal) -> list[_Piece]:
    """The chunks of one Pasal: whole, or consecutive ayat groups, or (rarely) cut ayat."""
    if len(p.text) <= CHUNK_LIMIT:
        return [_Piece(p.text)]
    if not p.ayat:
        if len(p.text) <= AYAT_SPLIT_LIMIT:
            return [_Piece(p.text)]
        return [_Piece(t) for t in split_long_text(p.text)]
    units = [(label, f"{label} {text}".strip()) for label, text in p.ayat]
    if p.intro:
        units[0] = (units[0][0], f"{p.intro} {units[0][1]}")
    pieces: list[_Piece] = []
    group: list[tuple[str, str]] = []

    def flush() -> None:
        if group:
            pieces.append(_Piece(" ".join(t for _l, t in group), group[0][0], group[-1][0]))
            group.clear()

    for label, text in units:
        if len(text) > AYAT_SPLIT_LIMIT:
            flush()
            pieces.extend(_Piece(t, label, label) for t in split_long_text(text))
            continue
        if group and sum(len(t) + 1 for _l, t in group) + len(text) > CHUNK_LIMIT:
            flush()
        group.append((label, text))
    flush()
    return pieces


def _locator(short: str, p: Pasal, piece: _Piece) -> str:
    base = f"{short} {p.label}"
    if not piece.ayat_from:
        return base
    if piece.ayat_from == piece.ayat_to:
        return f"{base} ayat {piece.ayat_from}"
    return f"{base} ayat {piece.ayat_from}-{piece.ayat_to}"


def statute_chunks(statute: Statute, doc_id: str, short: str) -> list[Chunk]:
    """Chunks of a parsed statute: Pasal (by ayat when long), Penjelasan Umum, Penjelasan Pasal."""
    chunks: list[Chunk] = []
    pasal_chunks: dict[str, list[Chunk]] = {}
    for p in statute.pasal:
        for piece in _pasal_pieces(p):
            loc = _locator(short, p, piece)
            chunk = Chunk(
                id=make_chunk_id(doc_id, loc, piece.text),
                doc_id=doc_id,
                text=piece.text,
                locator=loc,
                section=p.label,
                path=p.path,
                ordinal=len(chunks),
            )
            pasal_chunks.setdefault(p.label, []).append(chunk)
            chunks.append(chunk)
    if statute.penjelasan_umum:
        loc = f"{short} Penjelasan Umum"
        units = [u for para in statute.penjelasan_umum.split("\n\n") for u in split_long_text(para)]
        for text in pack(units, CHUNK_LIMIT, merge_below=None):
            chunks.append(
                Chunk(
                    id=make_chunk_id(doc_id, loc, text),
                    doc_id=doc_id,
                    text=text,
                    locator=loc,
                    section="Penjelasan Umum",
                    ordinal=len(chunks),
                )
            )
    for p in statute.pasal:
        if not p.penjelasan or p.penjelasan_cukup_jelas:
            continue
        loc = f"{short} Penjelasan {p.label}"
        own = pasal_chunks.get(p.label, [])
        pen: list[Chunk] = []
        for text in split_long_text(p.penjelasan):
            pen.append(
                Chunk(
                    id=make_chunk_id(doc_id, loc, text),
                    doc_id=doc_id,
                    text=text,
                    locator=loc,
                    section=f"Penjelasan {p.label}",
                    path=p.path,
                    ordinal=len(chunks) + len(pen),
                    linked=own[0].id if own else "",
                )
            )
        # Every chunk of the Pasal points at the Penjelasan, and the Penjelasan at the Pasal.
        for c in own:
            c.linked = pen[0].id
        chunks.extend(pen)
    return chunks
