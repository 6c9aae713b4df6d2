"""Train the answerability and confidence probes on the question–answer items (training/qa).

Each item is run through the same steps the responder uses (normalise, search, classify,
draft, verify), then:
- answerability learns covered vs not covered. Covered: the item with the whole knowledge
  base, its gold passage retrieved. Not covered: the same item with its gold documents left
  out of the results (the knowledge base then lacks what answers it), plus the out-of-scope
  training messages;
- confidence learns whether the draft carries every answer fact (the eval's own rule).
Both are cross-validated; the auto-send threshold is the lowest that keeps the precision of
complete answers among verified drafts at the stated target on out-of-fold probabilities.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
from sklearn.metrics import roc_auc_score

from eval.questions import GoldEntry
from eval.scoring import chunk_hits, fact_score
from responder import steps as S
from responder.context import AnswerContext
from responder.judge.data import QAItem, load_messages, load_qa
from responder.judge.metrics import expected_calibration_error
from responder.judge.probe import LinearProbe, fit_probe
from responder.judge.signals import ANSWERABILITY_FEATURES, CONFIDENCE_FEATURES, retrieval_signals

ROWS_CACHE = Path(__file__).resolve().parents[2] / ".cache" / "probe-rows.json"
AUTO_SEND_PRECISION = 0.95
ANSWERABLE_RECALL = 0.97
SEED = 20261202
# Off-hours, so every draft is eligible for auto-send (the label does not depend on it).
TRAIN_TIME = datetime(2026, 12, 5, 21, 0, tzinfo=ZoneInfo("Asia/Makassar"))


@dataclass
class ProbeResult:
    """Both probes and the figures that describe them."""

    answerability: LinearProbe
    confidence: LinearProbe
    report: dict


def _context(responder, text: str) -> AnswerContext:
    ctx = AnswerContext(message=text, received_at=TRAIN_TIME, settings=responder.settings,
                        office_hours=False)
    S.normalise_step(responder, ctx)
    return ctx


def _gold(item: QAItem) -> list[GoldEntry]:
    return [GoldEntry(g.get("doc", ""), g.get("locator", ""), list(g.get("must_contain", [])))
            for g in item.gold]


def _classify(responder, ctx: AnswerContext) -> None:
    assert ctx.norm is not None
    ctx.query_vector = responder.intent_vector(ctx.message)
    ctx.intent = responder.judge.intent.predict(ctx.message, ctx.norm.text, ctx.query_vector)
    ctx.signals["p_answer"] = round(ctx.intent.probabilities.get("answer", 0.0), 4)


def collect(responder, items: list[QAItem], out_of_scope: list[str],
            log: Callable[[str], None] = print) -> tuple[list, list]:
    """(answerability rows, confidence rows): feature dicts with labels and item ids."""
    kb = responder.kb
    known = kb.known_terms()
    answerability, confidence = [], []
    for n, item in enumerate(items, start=1):
        gold = _gold(item)
        gold_docs = {g.doc for g in gold}
        ctx = _context(responder, item.question)
        wide = kb.search(ctx.query, k=30, extra_queries=[ctx.message])
        ctx.hits = wide[:S.SEARCH_K]
        found = any(chunk_hits(h.doc.source_name, h.chunk.text, gold) for h in ctx.hits[:5])
        if found:
            answerability.append((retrieval_signals(ctx.query, ctx.hits, known), 1, item.id))
        left_out = [h for h in wide if h.doc.source_name not in gold_docs][:S.SEARCH_K]
        if left_out:
            answerability.append((retrieval_signals(ctx.query, left_out, known), 0, item.id + "-out"))
        _classify(responder, ctx)
        ctx.signals.update(retrieval_signals(ctx.query, ctx.hits, known))
        ctx.answerability = responder.judge.answerability.probability(ctx.signals)
        S.draft_step(responder, ctx)
        if ctx.stopped:
            continue
        S.verify_step(responder, ctx)
        S.output_guard_step(responder, ctx)
        S.confidence_step(responder, ctx)
        full = ctx.confidence_features
        complete = fact_score(ctx.draft_text or "", item.answer_facts) >= 1.0
        confidence.append((full, int(complete), item.id, ctx.verified and ctx.output_ok,
                           item.qtype))
        if n % 50 == 0:
            log(f"  {n}/{len(items)} items")
    for text in out_of_scope:
        ctx = _context(responder, text)
        S.search_step(responder, ctx)
        if ctx.hits:
            answerability.append((retrieval_signals(ctx.query, ctx.hits, known), 0, "oos"))
    return answerability, confidence


def _threshold_for_precision(p: np.ndarray, y: np.ndarray, eligible: np.ndarray) -> tuple[float, float, float]:
    """Lowest threshold whose eligible drafts above it reach the precision target (and keep it
    for every higher threshold); with the precision and coverage it gives."""
    best = (1.01, 1.0, 0.0)
    for t in sorted(set(np.round(p, 4)), reverse=True):
        sent = eligible & (p >= t)
        if not sent.any():
            continue
        precision = float(y[sent].mean())
        if precision < AUTO_SEND_PRECISION:
            break
        best = (float(t), precision, float(sent.sum() / len(p)))
    return best


def train_probes(responder, root, log: Callable[[str], None] = print) -> ProbeResult:
    """Collect signals over the QA items and fit both probes with cross-validation."""
    items = load_qa(root)
    oos = [m.text for m in load_messages(root) if m.label == "out_of_scope"]
    log(f"{len(items)} question–answer items, {len(oos)} out-of-scope messages")
    a_rows, c_rows = collect(responder, items, oos, log)
    ROWS_CACHE.parent.mkdir(parents=True, exist_ok=True)
    ROWS_CACHE.write_text(json.dumps({"answerability": a_rows, "confidence": c_rows}))
    return fit_from_rows(a_rows, c_rows)


def fit_from_rows(a_rows: list, c_rows: list) -> ProbeResult:
    """Fit both probes from collected rows (kept in .cache/ to iterate without re-drafting)."""

    a_probe, a_oof = fit_probe([r for r, _, _ in a_rows], [y for _, y, _ in a_rows],
                               ANSWERABILITY_FEATURES, seed=SEED)
    a_y = np.asarray([y for _, y, _ in a_rows])
    threshold = 0.5
    for t in np.arange(0.02, 0.9, 0.01):
        if (a_oof[a_y == 1] >= t).mean() >= ANSWERABLE_RECALL:
            threshold = float(round(t, 2))
    a_probe.threshold = threshold
    a_report = {
        "n": len(a_rows), "covered": int(a_y.sum()), "not_covered": int((a_y == 0).sum()),
        "threshold": threshold,
        "covered_recall": round(float((a_oof[a_y == 1] >= threshold).mean()), 4),
        "not_covered_caught": round(float((a_oof[a_y == 0] < threshold).mean()), 4),
        "auc": round(float(roc_auc_score(a_y, a_oof)), 4),
    }
    a_probe.card = {"cv": a_report, "seed": SEED}

    c_probe, c_oof = fit_probe([r for r, *_ in c_rows], [y for _, y, *_ in c_rows],
                               CONFIDENCE_FEATURES, seed=SEED)
    c_y = np.asarray([y for _, y, *_ in c_rows])
    verified = np.asarray([v for *_, v, _ in c_rows], dtype=bool)
    t, precision, coverage = _threshold_for_precision(c_oof, c_y, verified)
    c_probe.threshold = round(t, 4)
    c_report = {
        "n": len(c_rows), "complete": int(c_y.sum()), "threshold": c_probe.threshold,
        "precision_target": AUTO_SEND_PRECISION, "cv_precision": round(precision, 4),
        "cv_coverage": round(coverage, 4),
        "ece": round(expected_calibration_error(c_oof, c_y), 4),
        "auc": round(float(roc_auc_score(c_y, c_oof)), 4),
    }
    c_probe.card = {"cv": c_report, "seed": SEED}
    return ProbeResult(a_probe, c_probe, {"answerability": a_report, "confidence": c_report})
