"""BM25 over stemmed Indonesian (bm25s), rebuilt from the catalog when it changes.

Building is cheap (10k passages in well under a second once stems are cached), so the index
lives in memory and is rebuilt instead of persisted: nothing on disk can drift from the catalog.
"""

from __future__ import annotations

import numpy as np

from knowledge.textproc import analyse


class LexicalIndex:
    """BM25 over chunk index texts."""

    def __init__(self, ids: list[str], texts: list[str]) -> None:
        import bm25s

        self.ids = ids
        self._bm25 = bm25s.BM25(k1=1.2, b=0.75)
        corpus = [analyse(t) or ["_"] for t in texts]
        # Every stemmed term the corpus uses: tells the responder which words of a question
        # the knowledge base never mentions (answerability).
        self.terms: frozenset[str] = frozenset(t for doc in corpus for t in doc)
        if corpus:
            self._bm25.index(corpus, show_progress=False)

    def search(self, query: str, k: int = 50) -> list[tuple[str, float]]:
        """Top-k (chunk id, BM25 score), best first; empty when no query term is known."""
        tokens = analyse(query)
        if not tokens or not self.ids:
            return []
        scores = self._bm25.get_scores(tokens)
        if not np.any(scores > 0):
            return []
        # Several entries may share an id (units of one chunk): keep each id's best score.
        out: dict[str, float] = {}
        for i in np.argsort(-scores):
            if scores[i] <= 0 or len(out) >= k:
                break
            out.setdefault(self.ids[i], float(scores[i]))
        return list(out.items())
