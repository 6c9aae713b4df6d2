"""One confidence score per draft, from signals an officer can understand.

- coverage: share of the question's content words that the quoted sentences cover;
- dense: cosine similarity of the best used passage to the question (e5 scale);
- agreement: the best passage was found by both dense and lexical search;
- reviewed: similarity to a reviewed question, when a reviewed answer is used.
Weights and the e5 scale were set on the dev set (see the calibration table in eval reports).
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.models import Hit

# e5 cosine similarities for Indonesian question→passage pairs sit roughly in 0.75–0.92.
DENSE_LOW, DENSE_HIGH = 0.78, 0.90


@dataclass
class ConfidenceSignals:
    """Inputs of the score, kept on the draft for officers and eval."""

    coverage: float
    dense: float
    agreement: float

    def score(self) -> float:
        """Weighted blend in [0, 1]."""
        dense_n = min(1.0, max(0.0, (self.dense - DENSE_LOW) / (DENSE_HIGH - DENSE_LOW)))
        return round(0.55 * self.coverage + 0.30 * dense_n + 0.15 * self.agreement, 4)


def signals_for(hits: list[Hit], used: list[int], coverage: float,
                dense: float | None = None) -> ConfidenceSignals:
    """Signals of a draft built from `hits[used]` (dense: best cosine of what it quotes)."""
    used_hits = [hits[i] for i in used] or hits[:1]
    if dense is None:
        dense = max((h.scores.get("dense", 0.0) for h in used_hits), default=0.0)
    top = hits[0]
    agreement = 1.0 if ("dense" in top.scores and "bm25" in top.scores) else 0.0
    return ConfidenceSignals(coverage=coverage, dense=dense, agreement=agreement)
