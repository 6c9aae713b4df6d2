"""A plain "Ya" or "Tidak" before a statement that answers a yes/no question's modal.

"Apakah NIB dipungut biaya?" asks about a fee; "Pelayanan … tidak dipungut biaya" answers it
with "Tidak". A verdict is given only when the statement holds one polarity of the question's
modal (a fee, an obligation, a prohibition, a permission), never when it holds both or neither.
"""

from __future__ import annotations

import re

_Q_CLASS = [
    ("fee", re.compile(r"\b(?:bayar|membayar|berbayar|biaya|dipungut|pungutan|tarif|fee|pay)\b")),
    ("free", re.compile(r"\b(?:gratis|free)\b")),
    ("forbidden", re.compile(r"\b(?:dilarang|larangan)\b")),
    ("must", re.compile(r"\b(?:wajib|harus|perlu|diwajibkan|must|need|required)\b")),
    ("may", re.compile(r"\b(?:boleh|bisa|dapat|diperbolehkan|can|may)\b")),
]
_S_NO_FEE = re.compile(r"tidak\s+(?:di)?pungut\w*(?:\s+biaya)?|tidak\s+dikena(?:kan|i)|\bgratis\b|tanpa\s+biaya", re.I)
_S_FEE = re.compile(r"\b(?:dikenakan|dikenai|dipungut|membayar|dibayar)\b", re.I)
_S_NOT_MUST = re.compile(r"\btidak\s+(?:wajib|harus|perlu|diwajibkan)\b", re.I)
_S_MUST = re.compile(r"\b(?:wajib|harus|diwajibkan)\b", re.I)
_S_NOT_MAY = re.compile(r"\b(?:dilarang|tidak\s+(?:boleh|dapat|bisa|diperbolehkan))\b", re.I)
_S_MAY = re.compile(r"\b(?:dapat|boleh|bisa|diperbolehkan)\b", re.I)


def _polarity(statement: str, negative: re.Pattern[str], positive: re.Pattern[str]) -> str:
    """"Tidak" / "Ya" when the statement holds only negative / only positive forms, else ""."""
    neg = len(negative.findall(statement))
    pos = len(positive.findall(negative.sub(" ", statement)))  # "tidak wajib" is not a "wajib"
    if neg and not pos:
        return "Tidak"
    if pos and not neg:
        return "Ya"
    return ""  # both, or neither: not plain enough for a verdict


def yes_no_prefix(question: str, statement: str) -> str:
    """"Ya" or "Tidak" when the statement answers the question's modal plainly, else ""."""
    q = question.lower()
    qclass = next((name for name, pat in _Q_CLASS if pat.search(q)), "")
    if not qclass:
        return ""
    if qclass in ("fee", "free"):
        no_fee, fee = bool(_S_NO_FEE.search(statement)), bool(_S_FEE.search(_S_NO_FEE.sub("", statement)))
        if no_fee == fee:
            return ""
        return ("Ya" if qclass == "free" else "Tidak") if no_fee else ("Tidak" if qclass == "free" else "Ya")
    if qclass == "forbidden":
        verdict = _polarity(statement, _S_NOT_MAY, _S_MAY)
        return "Ya" if verdict == "Tidak" and "dilarang" in statement.lower() else ""
    if qclass == "must":
        return _polarity(statement, _S_NOT_MUST, _S_MUST)
    return _polarity(statement, _S_NOT_MAY, _S_MAY)  # may / can
