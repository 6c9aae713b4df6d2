"""Sub-chunk units for retrieval: a chunk is cited whole, but found by its best piece.

A Pasal of 1,500 characters answers many questions; one vector (or one BM25 document) for all of
it blurs them. Each chunk is therefore also indexed as small units — an ayat or a few sentences —
that point back to the chunk ("small to big"). The extractive drafter quotes the same units, so
the vectors computed at ingest also rank sentences for the answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.models import Chunk

UNIT_CHARS = 480  # ~110 e5 tokens: precise vectors, and e5 runs fastest on short inputs
# An ayat label starts a new ayat only after the previous one ended ("… hari. (2) Keputusan");
# "sebagaimana dimaksud pada ayat (1) wajib" is a reference, not a boundary.
_AYAT = re.compile(r"(?<=[.;:])\s+(?=\(\d{1,2}[a-z]?\)\s)")
_SENT = re.compile(r"(?<=[.;:?!])\s+")
_LINE_BREAKS = re.compile(r"\n+")


@dataclass(frozen=True)
class Unit:
    """One indexed piece of a chunk."""

    text: str  # the piece as it stands in the chunk (what may be quoted)
    indexed: str  # the piece with its context header (what is embedded and BM25-indexed)


def pack(pieces: list[str], limit: int, merge_below: int | None = 160) -> list[str]:
    """Join consecutive pieces while the unit so far is short (< merge_below characters) and the
    result stays within `limit`: fragments gain context, whole ayat and steps stay apart.
    With merge_below=None it packs greedily up to `limit` (chunking in ingest uses that)."""
    merge_below = limit if merge_below is None else merge_below
    out: list[str] = []
    buf = ""
    for p in pieces:
        p = p.strip()
        if not p:
            continue
        if buf and (len(buf) >= merge_below or len(buf) + 1 + len(p) > limit):
            out.append(buf)
            buf = p
        else:
            buf = f"{buf} {p}".strip()
    if buf:
        out.append(buf)
    return out


def _split(text: str, limit: int = UNIT_CHARS) -> list[str]:
    pieces: list[str] = []
    for block in _LINE_BREAKS.split(text):  # SOP list items and paragraphs are lines
        for part in _AYAT.split(block):
            if len(part) <= limit:
                pieces.append(part)
            else:
                pieces.extend(pack(_SENT.split(part), limit, merge_below=None))
    return pack(pieces, limit) if len(pieces) > 1 else [p.strip() for p in pieces if p.strip()]


def _body(chunk: Chunk) -> str:
    """The quotable body: FAQ answers without their "T:/J:" frame, SOPs without the heading line."""
    text = chunk.text
    if chunk.text.startswith("T:") and "J:" in text:
        return text.split("J:", 1)[1].strip()
    first, _, rest = text.partition("\n")
    if rest and chunk.heading and first.strip().lstrip("#0123456789. ").strip() == \
            chunk.heading.strip().lstrip("#0123456789. ").strip():
        return rest
    return text


def chunk_units(chunk: Chunk) -> list[Unit]:
    """A chunk's units, each indexed under a short context header (locator and nearest title)."""
    title = chunk.path.split(" > ")[-1] if chunk.path else ""
    if chunk.text.startswith("T:"):
        header = chunk.locator  # "FAQ: <question>"
    else:
        header = " — ".join(p for p in [chunk.locator, title or chunk.heading] if p)
    units = [Unit(u, f"{header}: {u}") for u in _split(_body(chunk))]
    return list(dict.fromkeys(units))
