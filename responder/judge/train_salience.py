"""Fit the sentence-salience weights of the offline drafter (responder/salience.py).

For every question–answer item (training/qa) the question is searched as the responder searches
it; every sentence of the top five passages becomes a row of the signals `SentenceScore.signals`
reads (as the applicant will read it, cross-references completed), labelled by the eval's own
rule: the sentence holds one of the item's answer facts. A logistic regression is fitted on two
thirds of the items (split by a hash of the item id, so the split is stable) and checked on the
rest: for each answer fact, is a sentence holding it ranked first (or within the first three)?
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from eval.scoring import fact_groups_satisfied
from knowledge.textproc import analyse
from responder.crossref import clean_quote
from responder.direct_answer import _ON_TOPIC, _strength
from responder.drafting import DRAFT_HITS
from responder.judge.data import QAItem
from responder.normalize import normalise
from responder.pieces import Relevance, candidate_pieces, whole_sentences
from responder.qtype import question_type
from responder.salience import SIGNALS, WEIGHTS, SentenceScore
from responder.textcut import strip_marker

SEED = 20261202


@dataclass
class ItemSentences:
    """The candidate sentences of one item: signals, which fact groups each holds."""

    item_id: str
    signals: list[list[float]]
    holds: list[list[bool]]  # per sentence, per answer-fact group


def _check_share(item: QAItem) -> bool:
    """A stable third of the items is kept out of the fit to check it."""
    return int(hashlib.sha256(item.id.encode()).hexdigest(), 16) % 3 == 0


def item_sentences(responder, item: QAItem) -> ItemSentences:
    """Every sentence of the item's top passages with its signals and the facts it holds."""
    kb = responder.kb
    query = normalise(item.question, responder.vocabulary()).text
    hits = kb.search(query, k=DRAFT_HITS, extra_queries=[item.question])[:DRAFT_HITS]
    pieces = candidate_pieces(hits, [kb.unit_vectors(h.chunk) for h in hits],
                              kb.query_vector(item.question))
    rel = Relevance(query, pieces)
    scorer = SentenceScore(query, rel, pieces, hits)
    qtype = question_type(query)
    q_terms = set(analyse(query)) | rel.q_terms
    rows, holds = [], []
    for p in pieces:
        passage = hits[p.hit_index].chunk.text
        for sent in whole_sentences(p.text, passage):
            if len(analyse(strip_marker(sent))) < 2:
                continue
            as_read = clean_quote(sent, passage)
            on_topic = rel.gain(set(analyse(as_read))) >= _ON_TOPIC
            cue = _strength(qtype, sent, q_terms, query, on_topic) if qtype != "other" else 0.0
            f = scorer.signals(p, as_read, cue, sent)
            rows.append([f[k] for k in SIGNALS])
            holds.append(fact_groups_satisfied(as_read, item.answer_facts))
    return ItemSentences(item.id, rows, holds)


def _ranks(weights: np.ndarray, bias: float, items: list[ItemSentences]) -> tuple[float, float]:
    """Share of answer facts whose first holding sentence ranks first / within three."""
    first = three = total = 0
    for it in items:
        if not it.signals:
            continue
        order = np.argsort(-(np.asarray(it.signals) @ weights + bias), kind="stable")
        for g in range(len(it.holds[0]) if it.holds else 0):
            rank = next((r for r, i in enumerate(order) if it.holds[i][g]), None)
            if rank is None:
                continue  # the fact is not in the passages: retrieval's miss, not salience's
            total += 1
            first += rank == 0
            three += rank < 3
    return (round(first / total, 3), round(three / total, 3)) if total else (0.0, 0.0)


def fit_salience(responder, items: list[QAItem],
                 log: Callable[[str], None] = print) -> tuple[dict[str, float], dict]:
    """Weights per signal and the card describing the fit."""
    fit_items, check_items = [], []
    for n, item in enumerate(items, start=1):
        (check_items if _check_share(item) else fit_items).append(item_sentences(responder, item))
        if n % 100 == 0:
            log(f"  {n}/{len(items)} items")
    x = np.asarray([r for it in fit_items for r in it.signals], dtype=float)
    y = np.asarray([any(h) for it in fit_items for h in it.holds], dtype=int)
    model = LogisticRegression(C=1.0, max_iter=2000, random_state=SEED).fit(x, y)
    w, b = model.coef_[0], float(model.intercept_[0])
    top1, top3 = _ranks(w, b, check_items)
    before = _ranks(np.asarray([WEIGHTS[k] for k in SIGNALS]), 0.0, check_items)
    card = {
        "fitted_by": "lantunan train salience", "seed": SEED,
        "fit_items": len(fit_items), "check_items": len(check_items),
        "fit_sentences": int(len(y)), "fit_positive": int(y.sum()),
        "check_third": {"top1": top1, "top3": top3},
        "check_third_previous_weights": {"top1": before[0], "top3": before[1]},
    }
    return {k: round(float(v), 3) for k, v in zip(SIGNALS, w)}, card


def save_salience(weights: dict[str, float], card: dict, path: Path) -> None:
    """Write the weights artefact responder/salience.py loads."""
    path.write_text(json.dumps({"weights": weights, "card": card}, indent=1) + "\n",
                    encoding="utf-8")
