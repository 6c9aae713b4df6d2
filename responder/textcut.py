"""Shortening quotes for a WhatsApp reply: at a sentence or clause end, never mid-word."""

from __future__ import annotations

import re

from responder.crossref import trim_dangling

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'])")
_CLAUSE_END = re.compile(r"[;,:](?=\s)")
# "Apabila …, <main clause>": a cut inside the condition would leave no statement.
_SUBORDINATE = re.compile(r"^(?:Apabila|Jika|Jikalau|Bila|Dalam\s+hal|Dalam\s+rangka|Selain|"
                          r"Berdasarkan|Setelah|Sebelum|Sepanjang|Sebagaimana|Terhadap|Untuk)\b")
# A leading ayat label "(2) " or list marker "12. " / "a. " / "b) " of a quoted unit, or the
# label of an elucidation ("Ayat (4) ", "Huruf b ", "Cukup jelas.").
_LEAD_MARK = re.compile(r"^\s*(?:\(\d{1,2}[a-z]?\)\s+|(?:\d{1,2}|[a-z])[.)]\s+|"
                        r"(?:Ayat\s*\(\d{1,2}[a-z]?\)|Huruf\s+[a-z]{1,2}|Angka\s+\d{1,3})\s+(?=[A-Z\"“])|"
                        r"Cukup\s+jelas\.?\s*)")


def strip_marker(text: str) -> str:
    """A quote without its leading ayat label or list marker."""
    out = text.strip()
    for _ in range(3):
        out = _LEAD_MARK.sub("", out, count=1)
    return out


def shorten(text: str, limit: int, keep: int = 0) -> str:
    """`text` cut to at most `limit` characters at a sentence, then clause, then word boundary.

    `keep` is a position the cut should not fall before (the end of the words that answer);
    it is honoured when a boundary after it fits the limit.
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    if _SUBORDINATE.match(text):
        # "Apabila …, <main clause>": a cut before the main clause would leave only the condition.
        comma = text.find(", ")
        keep = max(keep, comma + 2) if comma > 0 else len(text)
    window = text[: limit + 1]
    for pattern in (_SENTENCE_END, _CLAUSE_END):
        ends = [m.start() + (1 if pattern is _CLAUSE_END else 0) for m in pattern.finditer(window)]
        ends = [e for e in ends if max(keep, limit // 3) <= e <= limit]
        if ends:
            return trim_dangling(text[: ends[-1]].rstrip(" ,;:"))
    cut = window.rfind(" ", 0, limit)
    if cut <= 0:
        cut = limit
    return trim_dangling(text[:cut].rstrip(" ,;:")).rstrip(".") + " …"
