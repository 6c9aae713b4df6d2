"""How much one sentence of the retrieved passages answers the question.

The offline drafter picks its direct answer and its supporting quotes sentence by sentence; a
piece's score alone (responder/pieces.py) cannot tell the ayat that names the asked thing from
its neighbours. A sentence is judged on signals read from the question and the passages, none
from lists of words, weighted by a logistic regression (`WEIGHTS`):

- words: the weighted share of the question's words it holds (as the applicant will read it,
  cross-references completed);
- phrases: the share of the question's adjacent word pairs it holds in the same order
  ("pengawasan eksternal", "pengelolaan informasi"), which single words cannot tell apart from
  "pengawasan internal" or "pengelolaan pengaduan";
- meaning: its piece's cosine to the question, rescaled among the candidates, and the piece's
  relevance relative to the best piece;
- rank: the retrieval rank and fused score of its passage (dense, BM25 and FAQ signals see more
  than the drafter does: the first passage holds most answers);
- form: a general elucidation ("Penjelasan Umum") states aims, not rules; a line opening in
  lower case is the tail of a list; SOP and FAQ passages are written for applicants.
"""

from __future__ import annotations

import math
import re

from knowledge.models import Hit
from knowledge.textproc import analyse
from responder.pieces import Piece, Relevance
from responder.textcut import strip_marker

# Logistic-regression weights over the signals below, fitted on the sentences of the top five
# passages of the project's own QA items (training/qa, two thirds; the label: the sentence holds
# one of the item's answer facts) and checked on the remaining third: the right sentence ranks
# first for 0.59 of the facts there (0.55 with the hand-set weights this replaced), within the
# first three for 0.85 (0.79).
WEIGHTS = {
    "words": 1.718,  # weighted share of the question's words (rarer words weigh more)
    "phrase": 0.604,  # share of the question's adjacent word pairs, in order
    "meaning": 0.157,  # the piece's cosine to the question, rescaled among the candidates
    "rank": 0.551,  # 1 / (1 + retrieval rank of the passage), rank 0 first
    "general": -0.309,  # the passage is a general elucidation
    "log_len": 0.146,  # log of the sentence's length in characters
    "piece": 1.14,  # the piece's relevance relative to the best piece
    "cue": 0.572,  # how plainly the sentence shows the cue of the question's type (0..1.2)
    "fused": 0.757,  # the passage's fused retrieval score relative to the first passage's
    "tail": -0.471,  # the sentence opens in lower case (the tail of a list)
    "guide": 0.254,  # the passage is an SOP or FAQ, written for applicants
    "first": 0.11,  # the first sentence of its piece
}
GENERAL_ELUCIDATION = re.compile(r"\bPenjelasan\s+Umum\b", re.I)


def bigrams(terms: list[str]) -> set[tuple[str, str]]:
    """Adjacent pairs of analysed words (stop words out, stemmed)."""
    return {(a, b) for a, b in zip(terms, terms[1:]) if a != b}


class SentenceScore:
    """Scores sentences of the candidate pieces for one question (a logit: higher is better)."""

    def __init__(self, question: str, rel: Relevance, pieces: list[Piece], hits: list[Hit],
                 topic: set[str] | None = None) -> None:
        self.rel = rel
        # The direct answer's choice rewards its type's cue separately: there the words that
        # name the type ("jam", "berapa lama") do not count twice (`topic` leaves them out).
        self.topic = topic
        self.pairs = bigrams(analyse(question))
        self.top = max((rel.score(p) for p in pieces), default=0.0) or 1.0
        first = hits[0].score if hits and hits[0].score else 1.0
        self.fused = [h.score / first for h in hits]

    def phrase(self, sent_terms: list[str]) -> float:
        """Share of the question's word pairs the sentence holds in order."""
        if not self.pairs:
            return 0.0
        return len(self.pairs & bigrams(sent_terms)) / len(self.pairs)

    def score(self, p: Piece, text: str, cue: float = 0.0, raw: str | None = None) -> float:
        """Salience of one sentence `text` (as read, references completed) of piece `p`."""
        terms = analyse(text)
        raw = raw if raw is not None else text
        f = {
            "words": self.rel.topic_gain(set(terms), self.topic) if self.topic else self.rel.gain(set(terms)),
            "phrase": self.phrase(terms),
            "meaning": self.rel.meaning(p),
            "rank": 1.0 / (1.0 + p.hit_index),
            "general": float(bool(GENERAL_ELUCIDATION.search(p.base_locator or p.locator))),
            "log_len": math.log(len(text) + 1),
            "piece": self.rel.score(p) / self.top,
            "cue": cue,
            "fused": self.fused[p.hit_index] if p.hit_index < len(self.fused) else 0.0,
            "tail": float(strip_marker(raw)[:1].islower()),
            "guide": float(p.kind in ("sop", "faq")),
            "first": float(p.text.strip().startswith(raw.strip()[:30])),
        }
        return sum(WEIGHTS[k] * v for k, v in f.items())
