"""Query-space vectors keyed by text: each distinct text is embedded once, however many steps
of a request (dense search, reviewed-answer match, intent model, extractive drafter) ask.

A request asks for its texts together (`vectors`), so the ones not seen yet go to the model in
one batched call. The cache is a small LRU shared by the process's requests: an applicant who
repeats a question, or a retry of the same message, costs no embedding either.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from knowledge.embedder import Embedder

_WORD_RE = re.compile(r"\w+")


def same_text(a: str, b: str) -> bool:
    """True when two texts differ only in case, spacing or punctuation.

    The normalised query is the applicant's text lower-cased with its chat words spelled
    out; when normalising changed no word, it is the same text to the embedder's reader and
    a second embedding would only re-measure the case difference.
    """
    return _WORD_RE.findall(a.casefold()) == _WORD_RE.findall(b.casefold())


class QueryVectors:
    """An LRU of query vectors over one embedder (thread-safe; the model runs outside the lock)."""

    def __init__(self, embedder: Embedder, maxsize: int = 2048) -> None:
        self.embedder = embedder
        self.maxsize = maxsize
        self.embedded = 0  # texts sent to the model, for benchmarks and tests
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def vector(self, text: str) -> np.ndarray:
        """The query vector of one text."""
        return self.vectors([text])[0]

    def vectors(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Query vectors of several texts; the uncached ones are embedded in one call."""
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for t in texts:
                if t in self._cache:
                    self._cache.move_to_end(t)
                    found[t] = self._cache[t]
        todo = list(dict.fromkeys(t for t in texts if t not in found))
        if todo:
            fresh = self.embedder.embed_queries(todo)
            with self._lock:
                self.embedded += len(todo)
                for t, v in zip(todo, fresh):
                    found[t] = self._cache[t] = v
                while len(self._cache) > self.maxsize:
                    self._cache.popitem(last=False)
        return [found[t] for t in texts]
