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

import json
import math
import re
from pathlib import Path

from knowledge.models import Hit
from knowledge.textproc import analyse
from responder.pieces import Piece, Relevance
from responder.textcut import strip_marker

# Logistic-regression weights over the signals below, fitted by `lantunan train salience`
# (responder/judge/train_salience.py) on the sentences of the top five passages of the
# project's own QA items (training/qa, two thirds; the label: the sentence holds one of the
# item's answer facts) and checked on the remaining third; the artefact's card keeps the figures.
WEIGHTS_PATH = Path(__file__).resolve().parent / "judge" / "artefacts" / "salience.json"
SIGNALS = ("words", "phrase", "meaning", "rank", "general", "log_len", "piece", "cue", "fused",
           "tail", "guide", "first")


def load_weights(path: Path = WEIGHTS_PATH) -> dict[str, float]:
    """The fitted weights, one per signal (a missing signal is an error, not a silent zero)."""
    weights = json.loads(path.read_text(encoding="utf-8"))["weights"]
    missing = [k for k in SIGNALS if k not in weights]
    if missing:
        raise ValueError(f"{path}: no weight for {', '.join(missing)}")
    return {k: float(weights[k]) for k in SIGNALS}


WEIGHTS = load_weights()
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
        return sum(WEIGHTS[k] * v for k, v in self.signals(p, text, cue, raw).items())

    def signals(self, p: Piece, text: str, cue: float = 0.0, raw: str | None = None) -> dict[str, float]:
        """The named signals `score` weighs (the salience fit reads them too)."""
        terms = analyse(text)
        raw = raw if raw is not None else text
        return {
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
