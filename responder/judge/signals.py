"""Numeric signals the answerability and confidence probes read (named, so reasons can cite them).

Retrieval signals say whether the knowledge base holds something on the question; draft
signals say how much of the question the draft carries. Both are cheap: they reuse the
scores search already computed and the stemmer's cache.
"""

from __future__ import annotations

import math
import re

from knowledge.models import DocKind, Hit
from knowledge.textproc import analyse

QTYPES = ("duration", "amount", "who", "list", "definition", "how", "yesno", "other")
DRAFTERS = ("reviewed_answer", "extractive", "llm")
RETRIEVAL_FEATURES = ["dense_top", "dense_gap", "bm25_top", "term_coverage", "unknown_terms",
                      "n_terms", "faq_match", "kind_regulation"]
# Answerability reads only what does not scale with the size of the knowledge base (a cosine,
# the share of the question's words in the top passages, a reviewed-answer match): BM25
# scores, IDF-shaped gaps and the share of unknown words all shift between a 36-passage
# sample KB and the 900-passage corpus the probe is trained on.
ANSWERABILITY_FEATURES = ["dense_top", "term_coverage", "faq_match"]
# How clearly the offline drafter's direct answer won over the other sentences (0 for others).
DIRECT_FEATURES = ["direct_salience", "direct_margin"]
CONFIDENCE_FEATURES = RETRIEVAL_FEATURES + [
    "fused_margin", "draft_coverage", "draft_dense", "n_citations", "draft_chars",
    "p_answer", "has_direct", "direct_coverage", "direct_number", "direct_shape",
    "dense_agrees", "bm25_agrees", "quotes_top", "passages_used", *DIRECT_FEATURES] + [f"qtype_{q}" for q in QTYPES] + [f"drafter_{d}" for d in DRAFTERS]


# What a direct answer of each question type looks like: a duration states a time, an amount
# a sum or that nothing is charged, "who" names an authority, a definition says "adalah", a
# list enumerates, a yes/no question gets a plain polarity.
_ANY = re.compile(r"\S")
_SHAPES = {
    "duration": re.compile(r"\d+\s*(\([a-z ]+\)\s*)?(hari|bulan|tahun|jam|minggu)", re.I),
    "amount": re.compile(r"rp\s*\d|\d+\s*(\([a-z ]+\)\s*)?(persen|%|rupiah)|tidak dipungut|"
                         r"gratis|tanpa biaya|dibebaskan", re.I),
    "who": re.compile(r"\b(menteri|bupati|gubernur|wali ?kota|kepala|dinas|dpmptsp|lembaga|"
                      r"badan|pemerintah|petugas|pejabat|camat|lurah|ombudsman)", re.I),
    "definition": re.compile(r"\badalah\b|\bmerupakan\b|\byaitu\b", re.I),
    "list": re.compile(r"(:\s*\n|\n\s*(\d+\.|[a-z]\.|-)\s)|;.*;", re.I | re.S),
    "how": re.compile(r"(:\s*\n|\n\s*\d+\.\s)|\bmelalui\b|\bdengan cara\b", re.I | re.S),
    "yesno": re.compile(r"^\W*(ya|tidak|bisa|boleh|wajib|dapat)\b", re.I),
}


def _terms(text: str) -> set[str]:
    return {t for t in analyse(text) if not t.isdigit() and len(t) > 2}


def retrieval_signals(query: str, hits: list[Hit], known_terms: frozenset[str]) -> dict[str, float]:
    """How well the top passages match the question, and how much of it the KB never mentions."""
    q = _terms(query)
    top = hits[:3]
    dense = sorted((h.scores.get("dense", 0.0) for h in hits[:8]), reverse=True) or [0.0]
    bm25 = max((h.scores.get("bm25", 0.0) for h in hits[:8]), default=0.0)
    seen: set[str] = set()
    for h in top:
        seen |= _terms(h.chunk.text)
    return {
        "dense_top": dense[0],
        "dense_gap": dense[0] - (dense[1] if len(dense) > 1 else 0.0),
        "bm25_top": math.log1p(max(bm25, 0.0)),
        "term_coverage": len(q & seen) / len(q) if q else 0.0,
        "unknown_terms": len(q - known_terms) / len(q) if q else 1.0,
        "n_terms": math.log1p(len(q)),
        "faq_match": float(any(h.reviewed_answer is not None for h in top)),
        "kind_regulation": float(bool(top) and top[0].doc.kind == DocKind.REGULATION),
    }


def draft_signals(base: dict[str, float], hits: list[Hit], *, coverage: float, dense: float,
                  n_citations: int, chars: int, drafter: str, qtype: str, p_answer: float,
                  answerability: float, question: str = "", direct: str = "",
                  used: list[int] | None = None) -> dict[str, float]:
    """Retrieval signals plus what the draft carries (for the confidence probe)."""
    out = dict(base)
    out.update({
        "fused_margin": (hits[0].score - hits[1].score) * 100 if len(hits) > 1 else 0.0,
        "draft_coverage": coverage, "draft_dense": dense, "n_citations": float(n_citations),
        "draft_chars": math.log1p(chars), "p_answer": p_answer, "answerability": answerability,
        # The direct-answer line: found at all, how much of the question it speaks to, and
        # whether it states a figure (what duration and amount questions ask for).
        "has_direct": float(bool(direct.strip())),
        "direct_coverage": (len(_terms(question) & _terms(direct)) / len(_terms(question))
                            if direct and _terms(question) else 0.0),
        "direct_number": float(bool(re.search(r"\d", direct))),
        "direct_shape": float(bool(direct and _SHAPES.get(qtype or "other", _ANY).search(direct))),
        # Do the signals agree on the best passage, and does the draft quote it?
        "dense_agrees": float(bool(hits) and hits[0].scores.get("dense", 0.0)
                              >= max(h.scores.get("dense", 0.0) for h in hits)),
        "bm25_agrees": float(bool(hits) and hits[0].scores.get("bm25", 0.0)
                             >= max(h.scores.get("bm25", 0.0) for h in hits)),
        "quotes_top": float(0 in (used or [])),
        "passages_used": float(len(set(used or []))),
    })
    for q in QTYPES:
        out[f"qtype_{q}"] = float((qtype or "other") == q)
    for d in DRAFTERS:
        out[f"drafter_{d}"] = float(drafter == d)
    return out
