"""Re-rank the fused search results with a learned linear model over what fusion throws away.

Reciprocal rank fusion keeps only each passage's rank in each signal. The re-ranker reads the
rest: the raw cosine and BM25 scores (relative to the best of this query), how many of the
question's words the passage holds, its kind (statute, SOP, FAQ), whether it is an
explanation (Penjelasan) or the definitions article, and whether it shows the cue of the
question's type (a duration for "berapa lama", an amount for "berapa biaya", a list for "apa
saja syaratnya"), each cue weighed per question type. The weights are fitted by
`lantunan train rerank` on training/qa (responder/judge/train_rerank.py) and shipped as
responder/judge/artefacts/rerank.json; without that file the fused order stands.
"""

from __future__ import annotations

import math
from dataclasses import replace

from typing import TYPE_CHECKING

from knowledge.models import DocKind, Hit
from knowledge.textproc import analyse
from responder.direct_answer import _HOW_CUE, _LIST_CUE, _STRONG, _WEAK
from responder.judge.probe import LinearProbe
from responder.qtype import question_type

if TYPE_CHECKING:
    from knowledge.store import KnowledgeBase

POOL = 20  # fused results the re-ranker reads; the responder keeps the best SEARCH_K
QTYPES = ("duration", "amount", "who", "list", "definition", "how", "yesno", "other")


def hit_features(query: str, qtype: str, hits: list[Hit]) -> list[dict[str, float]]:
    """One named feature row per hit, in the hits' fused order."""
    q_terms = set(analyse(query))
    top = max((h.score for h in hits), default=0.0) or 1e-9
    max_bm25 = max((h.scores.get("bm25", 0.0) for h in hits), default=0.0) or 1e-9
    max_dense = max((h.scores.get("dense", 0.0) for h in hits), default=0.0)
    strong, weak = _STRONG.get(qtype), _WEAK.get(qtype)
    rows = []
    for rank, h in enumerate(hits, start=1):
        text, section = h.chunk.text, h.chunk.section or ""
        f = {
            "inv_rank": 1.0 / rank,
            "log_rank": math.log(rank),
            "fused_rel": h.score / top,
            "dense": h.scores.get("dense", 0.0),
            "dense_gap": max_dense - h.scores.get("dense", 0.0),
            "bm25_rel": h.scores.get("bm25", 0.0) / max_bm25,
            "has_bm25": float("bm25" in h.scores),
            "has_dense": float("dense" in h.scores),
            "faq": h.scores.get("faq", 0.0),
            "kind_sop": float(h.doc.kind == DocKind.SOP),
            "kind_faq": float(h.doc.kind == DocKind.FAQ),
            "revoked": float(h.revoked),
            "log_len": math.log(1 + len(text)),
            "cover": len(q_terms & set(analyse(text))) / max(1, len(q_terms)),
            "penjelasan": float(section.lower().startswith("penjelasan")),
            "pasal1": float(section == "Pasal 1"),  # a statute's definitions article
            "cue_strong": float(bool(strong and strong.search(text))),
            "cue_weak": float(bool(weak and weak.search(text))),
            "cue_list": float(qtype == "list" and bool(_LIST_CUE.search(text))),
            "cue_how": float(qtype == "how" and bool(_HOW_CUE.search(text))),
        }
        f["rank_cover"] = f["inv_rank"] * f["cover"]
        f["dense2"] = f["dense"] ** 2
        f["cover2"] = f["cover"] ** 2
        # What a cue, a kind or the definitions article is worth depends on what was asked.
        for q in QTYPES:
            on = float(qtype == q)
            f["qt_" + q] = on
            f["cs_" + q] = f["cue_strong"] * on
            f["cw_" + q] = f["cue_weak"] * on
            f["sop_" + q] = f["kind_sop"] * on
            f["faq_" + q] = f["kind_faq"] * on
            f["p1_" + q] = f["pasal1"] * on
        rows.append(f)
    return rows


def rerank(query: str, qtype: str, hits: list[Hit], model: LinearProbe | None,
           k: int) -> list[Hit]:
    """The hits in the model's order (ranks renumbered), the best k; fused order without one."""
    if model is None or len(hits) < 2:
        return hits[:k]
    scores = [model.raw(f) for f in hit_features(query, qtype, hits)]
    order = sorted(range(len(hits)), key=lambda i: (-scores[i], i))
    return [replace(hits[i], rank=n) for n, i in enumerate(order[:k], start=1)]


def reranked_search(kb: KnowledgeBase, query: str, original: str, model: LinearProbe | None,
                    k: int) -> list[Hit]:
    """Search as the responder searches (normalised `query`, the applicant's `original` wording
    beside it), then re-rank the top `POOL` and keep the best k."""
    extra = [original] if original and original != query else None
    hits = kb.search(query, k=max(k, POOL) if model is not None else k, extra_queries=extra)
    return rerank(query, question_type(query), hits, model, k)
