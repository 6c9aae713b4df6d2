"""Fit the search re-ranker (responder/rerank.py) on training/qa.

Every question–answer item is searched as the responder searches it (normalised text plus the
applicant's own words) for the top `POOL` fused passages; each passage becomes a row of
`hit_features`, labelled by the eval's own rule (it comes from a gold document and holds one of
the gold phrases). A standardised logistic regression is checked by 5-fold cross-validation
split by item (hit@1, hit@5 and MRR of the first gold passage, fused order beside it), then
fitted on every item and written as a `LinearProbe`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from eval.questions import GoldEntry
from eval.scoring import chunk_hits, hit_at_k, mean_reciprocal_rank
from responder.judge.data import QAItem
from responder.judge.probe import LinearProbe
from responder.normalize import normalise
from responder.qtype import question_type
from responder.rerank import POOL, hit_features

SEED = 20261207
C = 0.3  # inverse regularisation: 0.1–1 give the same CV figures; 0.03 underfits


@dataclass
class ItemRows:
    """The fused candidates of one item: feature rows in fused order and their gold labels."""

    item_id: str
    rows: list[dict[str, float]]
    labels: list[int]


def item_rows(responder, item: QAItem) -> ItemRows:
    """Search one item as the responder does; features and gold labels of its candidates."""
    query = normalise(item.question, responder.vocabulary()).text
    hits = responder.kb.search(query, k=POOL, extra_queries=[item.question])
    gold = [GoldEntry(doc=g["doc"], locator=g.get("locator", ""),
                      must_contain=list(g.get("must_contain", []))) for g in item.gold]
    labels = [int(chunk_hits(h.doc.source_name, h.chunk.text, gold)) for h in hits]
    return ItemRows(item.id, hit_features(query, question_type(query), hits), labels)


def ranking_figures(items: list[ItemRows], score: Callable[[ItemRows], list[float]] | None
                    ) -> dict[str, float]:
    """hit@1, hit@5 and MRR@10 of the first gold passage (fused order when score is None),
    with the eval's own definitions."""
    ranks: list[int | None] = []
    for it in items:
        order = list(range(len(it.rows)))
        if score is not None:
            s = score(it)
            order.sort(key=lambda i: (-s[i], i))
        ranks.append(next((n for n, i in enumerate(order, start=1) if it.labels[i]), None))
    return {"hit@1": round(hit_at_k(ranks, 1), 3), "hit@5": round(hit_at_k(ranks, 5), 3),
            "mrr": round(mean_reciprocal_rank(ranks, 10), 3)}


def _fit(items: list[ItemRows], names: list[str]) -> LinearProbe:
    x = np.asarray([[r[k] for k in names] for it in items for r in it.rows], dtype=float)
    y = np.asarray([lab for it in items for lab in it.labels], dtype=int)
    scaler = StandardScaler().fit(x)
    model = LogisticRegression(C=C, max_iter=5000, random_state=SEED).fit(scaler.transform(x), y)
    return LinearProbe(names=names, mean=[round(float(v), 6) for v in scaler.mean_],
                       scale=[round(float(v), 6) for v in scaler.scale_],
                       weights=[round(float(v), 6) for v in model.coef_[0]],
                       bias=round(float(model.intercept_[0]), 6))


def fit_rerank(responder, qa: list[QAItem], log: Callable[[str], None] = print) -> LinearProbe:
    """Cross-validate, then fit on every item; the card carries both figures."""
    items = []
    for n, item in enumerate(qa, start=1):
        items.append(item_rows(responder, item))
        if n % 100 == 0:
            log(f"  {n}/{len(qa)} items")
    items = [it for it in items if it.rows]
    names = sorted(items[0].rows[0])
    order = sorted(range(len(items)), key=lambda i: items[i].item_id)
    random.Random(SEED).shuffle(order)
    folds = [[items[i] for i in order[k::5]] for k in range(5)]
    cv: list[dict[str, float]] = []
    for k in range(5):
        model = _fit([it for j, f in enumerate(folds) if j != k for it in f], names)
        cv.append(ranking_figures(folds[k], lambda it, m=model: [m.raw(r) for r in it.rows]))
    probe = _fit(items, names)
    probe.card = {
        "fitted_by": "lantunan train rerank", "seed": SEED, "C": C, "pool": POOL,
        "items": len(items), "rows": sum(len(it.rows) for it in items),
        "positive_rows": sum(sum(it.labels) for it in items),
        "fused_order": ranking_figures(items, None),
        "cv_5fold": {key: round(float(np.mean([c[key] for c in cv])), 3) for key in cv[0]},
    }
    return probe
