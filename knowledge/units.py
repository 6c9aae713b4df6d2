"""Sub-chunk units for retrieval: a chunk is cited whole, but found by its best sentence group.

A Pasal of 1,500 characters answers many questions; one vector (or one BM25 document) for all of
it blurs them. Each chunk is therefore also indexed as small units — an ayat, a few sentences,
an FAQ question with each of its variants — that point back to the chunk ("small to big").
"""

from __future__ import annotations

import re

from knowledge.models import Chunk

UNIT_CHARS = 480  # ~110 e5 tokens: precise vectors, and e5 runs fastest on short inputs
_AYAT = re.compile(r"\s(?=\(\d{1,2}[a-z]?\)\s)")
_SENT = re.compile(r"(?<=[.;:?!])\s+")


def _pack(pieces: list[str], limit: int) -> list[str]:
    """Greedily join consecutive pieces into units of at most `limit` characters."""
    out: list[str] = []
    buf = ""
    for p in pieces:
        p = p.strip()
        if not p:
            continue
        if buf and len(buf) + 1 + len(p) > limit:
            out.append(buf)
            buf = p
        else:
            buf = f"{buf} {p}".strip()
    if buf:
        out.append(buf)
    return out


def _split(text: str, limit: int = UNIT_CHARS) -> list[str]:
    pieces: list[str] = []
    for part in _AYAT.split(text):
        if len(part) <= limit:
            pieces.append(part)
        else:
            pieces.extend(_pack(_SENT.split(part), limit))
    # Keep ayat boundaries where they fit, but merge tiny neighbours.
    return _pack(pieces, limit) if len(pieces) > 1 else pieces


def chunk_units(chunk: Chunk) -> list[str]:
    """Texts indexed for a chunk: its pieces, each carrying a short context header."""
    context = " — ".join(p for p in [chunk.locator, chunk.path.split(" > ")[-1] if chunk.path else ""] if p)
    if chunk.heading and chunk.text.startswith("T:"):
        # FAQ entry: indexed by its answer under its question. Its other phrasings are matched
        # by the reviewed-question signal instead: short questions would otherwise outrank
        # every passage that shares a single term with them.
        answer = chunk.text.split("J:", 1)[-1].strip()
        return [f"{context}: {u}" for u in _split(answer)]
    head = f"{context}. {chunk.heading}".strip(". ") if chunk.heading else context
    return [f"{head}: {u}" for u in _split(chunk.text)]
