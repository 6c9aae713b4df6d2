"""Matching a question against reviewed answers' questions and variants.

Two views of similarity: rapidfuzz over analysed text (stop words out, stemmed), which rewards
the same words; and e5 query-to-query cosine over every phrasing, which rewards the same
meaning in other words. A reviewed answer is "close" only when the meaning is near-identical.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

from knowledge.models import ReviewedAnswer
from knowledge.textproc import analyse

EmbedQueries = Callable[[list[str]], np.ndarray]


def _key(text: str) -> str:
    return " ".join(analyse(text))


@dataclass
class ReviewedScore:
    """How close a query is to one reviewed answer's phrasings."""

    answer: ReviewedAnswer
    lexical: float  # 0..1, rapidfuzz
    dense: float  # cosine, e5 query space


class ReviewedMatcher:
    """Scores a query against every phrasing of every reviewed answer."""

    def __init__(self, answers: list[ReviewedAnswer], embed: EmbedQueries | None = None) -> None:
        self.answers = answers
        self._keys: list[tuple[int, str]] = []
        phrasings: list[tuple[int, str]] = []
        for i, a in enumerate(answers):
            for phrasing in [a.question, *a.variants]:
                phrasings.append((i, phrasing))
                key = _key(phrasing)
                if key:
                    self._keys.append((i, key))
        self._owner = np.array([i for i, _ in phrasings], dtype=np.int64)
        self._vectors = embed([p for _, p in phrasings]) if embed and phrasings else None

    def lexical_scores(self, query: str) -> dict[int, float]:
        """Best rapidfuzz similarity (0..1) per answer index."""
        q = _key(query)
        best: dict[int, float] = {}
        if not q:
            return best
        for i, key in self._keys:
            # token_sort punishes extra words, token_set forgives them; their mean rewards a
            # query that says what the phrasing says without much else.
            s = (fuzz.token_sort_ratio(q, key) + fuzz.token_set_ratio(q, key)) / 200.0
            if s > best.get(i, 0.0):
                best[i] = s
        return best

    def score(self, query: str, query_vector: np.ndarray | None = None) -> list[ReviewedScore]:
        """Both similarities per reviewed answer, best dense (else lexical) first."""
        lexical = self.lexical_scores(query)
        dense: dict[int, float] = {}
        if self._vectors is not None and query_vector is not None and len(self._owner):
            sims = self._vectors @ query_vector
            for owner, sim in zip(self._owner.tolist(), sims.tolist()):
                if sim > dense.get(owner, -1.0):
                    dense[owner] = float(sim)
        out = [ReviewedScore(self.answers[i], lexical.get(i, 0.0), dense.get(i, 0.0))
               for i in range(len(self.answers))]
        out.sort(key=lambda r: (-r.dense, -r.lexical))
        return out
