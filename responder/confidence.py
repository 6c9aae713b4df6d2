"""One confidence score per draft: the estimated chance that it answers the question fully.

A logistic model over three retrieval signals, fitted on the dev set (target: every answer
fact present; leave-one-out AUC 0.69 on 58 items — a weak but honest predictor, so the
auto-send threshold is set high):
- dense: cosine (e5) of the best quoted piece to the question;
- bm25: BM25 score of the best passage (log-scaled);
- margin: fused-score lead of the best passage over the second.
Signals that looked useful but did not predict correctness (word coverage of the question,
hit count) are left out. Refit with `lantunan eval` when the corpus or embedder changes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from knowledge.models import Hit

_W_DENSE, _W_BM25, _W_MARGIN, _BIAS = 32.46, 0.714, 152.9, -30.28


@dataclass
class ConfidenceSignals:
    """Inputs of the score, kept so officers and eval reports can see why."""

    dense: float
    bm25: float
    margin: float
    coverage: float = 0.0  # reported, not used by the model (see module docstring)

    def score(self) -> float:
        """Probability-like score in [0, 1]."""
        z = _W_DENSE * self.dense + _W_BM25 * math.log1p(max(self.bm25, 0.0)) \
            + _W_MARGIN * self.margin + _BIAS
        return round(1.0 / (1.0 + math.exp(-z)), 4)


def signals_for(hits: list[Hit], used: list[int], coverage: float,
                dense: float | None = None) -> ConfidenceSignals:
    """Signals of a draft built from `hits[used]` (dense: best cosine of what it quotes)."""
    used_hits = [hits[i] for i in used] or hits[:1]
    if dense is None:
        dense = max((h.scores.get("dense", 0.0) for h in used_hits), default=0.0)
    margin = hits[0].score - hits[1].score if len(hits) > 1 else hits[0].score
    return ConfidenceSignals(dense=dense, bm25=hits[0].scores.get("bm25", 0.0),
                             margin=margin, coverage=coverage)
