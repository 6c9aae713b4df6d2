"""Fuzzy matching of a question against reviewed answers' questions and variants (rapidfuzz).

Compared on analysed text (stop words out, stemmed), so "bikin nib bayar ga" and
"Berapa biaya membuat NIB?" meet on content words rather than on chat fillers.
"""

from __future__ import annotations

from rapidfuzz import fuzz

from knowledge.models import ReviewedAnswer
from knowledge.textproc import analyse


def _key(text: str) -> str:
    return " ".join(analyse(text))


class ReviewedMatcher:
    """Scores a query against every phrasing of every reviewed answer."""

    def __init__(self, answers: list[ReviewedAnswer]) -> None:
        self.answers = answers
        self._keys: list[tuple[int, str]] = []
        for i, a in enumerate(answers):
            for phrasing in [a.question, *a.variants]:
                key = _key(phrasing)
                if key:
                    self._keys.append((i, key))

    def scores(self, query: str) -> list[tuple[ReviewedAnswer, float]]:
        """Best score (0..1) per reviewed answer, best first."""
        q = _key(query)
        if not q:
            return []
        best: dict[int, float] = {}
        for i, key in self._keys:
            # token_sort punishes extra words, token_set forgives them; their mean rewards a
            # query that says what the phrasing says without much else.
            s = (fuzz.token_sort_ratio(q, key) + fuzz.token_set_ratio(q, key)) / 200.0
            if s > best.get(i, 0.0):
                best[i] = s
        ranked = sorted(best.items(), key=lambda kv: -kv[1])
        return [(self.answers[i], s) for i, s in ranked]
