"""Statutory definitions: "Apa itu PB UMKU?" is answered by the Pasal that defines PB UMKU.

Indonesian statutes define their terms in Pasal 1 ("Ketentuan Umum"):
"Perizinan Berusaha Untuk Menunjang Kegiatan Usaha yang selanjutnya disingkat PB UMKU adalah
legalitas …". The defined names (and their abbreviations) are indexed; a question that asks
what something is and names a defined term gets that definition as a retrieval signal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from knowledge.models import Chunk

_DEF = re.compile(
    r"(?:^|(?<=[.:;])\s+|\(\d{1,3}\)\s+|\b\d{1,3}\.\s+)"  # start of a definition
    r"(?P<term>[A-Z][^.:;()]{1,140}?)\s+adalah\s",
)
_ALIAS = re.compile(r"\s+yang\s+selanjutnya\s+(?:disingkat|disebut)(?:\s+(?:dengan|sebagai))?\s+(?P<alias>.+)$",
                    re.IGNORECASE)
_ASKS = re.compile(
    r"\b(?:apa\s+(?:itu|sih|ya|yang\s+dimaksud(?:\s+dengan)?)|(?:itu|tu|tuh)\s+(?:apa|apaan)|"
    r"(?:sebenarnya|sebenernya)\s+apa|pengertian|definisi|maksud(?:nya)?\s+(?:dari|dengan)|"
    r"arti(?:nya)?(?:\s+dari)?|what\s+is|what's|what\s+are|meaning\s+of|apaan)\b",
    re.IGNORECASE,
)


def _norm(name: str) -> str:
    return " ".join(name.lower().replace("_", " ").split())


def extract_definitions(chunks: Iterable[Chunk]) -> dict[str, str]:
    """Defined name (lower case) → id of the chunk that defines it, from each Pasal 1."""
    out: dict[str, str] = {}
    for chunk in chunks:
        if chunk.section != "Pasal 1":
            continue
        for m in _DEF.finditer(chunk.text):
            term = m.group("term").strip()
            names = [term]
            alias = _ALIAS.search(term)
            if alias:
                names = [term[: alias.start()].strip(), alias.group("alias").strip()]
            for name in names:
                key = _norm(name)
                if 1 < len(key) <= 80:
                    out.setdefault(key, chunk.id)
    return out


def asks_definition(question: str) -> bool:
    """True when the question asks what something is or means."""
    return bool(_ASKS.search(question))


def definitions_asked(question: str, index: dict[str, str]) -> list[str]:
    """Chunk ids defining the terms a definition question names, longest name first."""
    if not index or not asks_definition(question):
        return []
    q = f" {_norm(re.sub(r'[^0-9A-Za-z/ -]+', ' ', question))} "
    found: list[tuple[int, str]] = []
    for name, chunk_id in index.items():
        if f" {name} " in q:
            found.append((len(name), chunk_id))
    found.sort(reverse=True)
    return list(dict.fromkeys(cid for _, cid in found))[:2]
