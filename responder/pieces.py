"""Quotable pieces of the retrieved passages and how relevant each is to the question.

Candidate pieces are the retrieval units of the top passages (an ayat, an SOP step, an FAQ
answer), whose e5 vectors were computed at ingest. Relevance mixes meaning (cosine to the
question, rescaled among the candidates) and words (weighted share of the question's content
words a piece holds, rarer words weighing more). The offline drafter's selection of supporting
quotes and the choice of the direct answer both use this one measure.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from knowledge.models import DocKind, Hit
from knowledge.textproc import analyse
from knowledge.thesaurus import expansion_terms
from knowledge.units import Unit
from responder.sentences import split_sentences

# An ayat label opens a piece or follows the end of the previous ayat ("... . (3) ...").
# A scan may have lost the full stop before a label ("… undang-undangan (3) Pengawasan …").
AYAT_LABEL = re.compile(r"(?:^|(?<=[.;:]\s)|(?<=[a-z]\s)(?<!ayat\s)(?=\(\d{1,2}[a-z]?\)\s+[A-Z][a-z]))"
                        r"\((\d{1,2}[a-z]?)\)\s")


@dataclass
class Piece:
    """A quotable unit of one hit, with its scores."""

    hit_index: int  # 0-based position in the hits list
    position: int
    text: str
    locator: str
    terms: set[str]
    dense: float = 0.0
    kind: str = ""  # the document kind: regulation | sop | faq
    base_locator: str = ""  # the chunk's locator, before narrowing to an ayat


def narrow_locator(loc: str, text: str, is_regulation: bool) -> str:
    """A chunk locator narrowed to the ayat a quote holds ("… Pasal 12 ayat (2)")."""
    labels = AYAT_LABEL.findall(text)
    if not is_regulation or not labels or "ayat" in loc.split("Pasal")[-1] and len(labels) > 1:
        return loc
    base = re.sub(r"\s+ayat\s+\(.*$", "", loc)
    return f"{base} ayat ({labels[0]})" if len(labels) == 1 else f"{base} ayat ({labels[0]})-({labels[-1]})"


def sentence_locator(piece: Piece, sentence: str) -> str:
    """The locator of one sentence of a piece: the ayat it stands in, where the piece has several."""
    if piece.kind != DocKind.REGULATION.value or not piece.base_locator:
        return piece.locator
    at = piece.text.find(sentence.strip()[:40])
    labels = [m.group(1) for m in AYAT_LABEL.finditer(piece.text) if at < 0 or m.start() <= at]
    if at < 0 or not labels:
        return piece.locator
    base = re.sub(r"\s+ayat\s+\(.*$", "", piece.base_locator)
    return f"{base} ayat ({labels[-1]})"


_WHOLE_MAX = 700


@lru_cache(maxsize=256)
def _passage_sentences(passage: str) -> tuple[tuple[str, str], ...]:
    return tuple((sent, " ".join(sent.split())) for sent in split_sentences(passage))


def whole_sentences(piece_text: str, passage: str) -> list[str]:
    """The sentences of a piece, each completed from its passage where a unit boundary cut it.

    Retrieval units split long ayat, sometimes inside a lettered list ("… melalui: a. …;" in one
    unit, "pengawasan oleh ombudsman …; dan c. …" in the next); a quote of either half loses
    what the list names.
    """
    full = _passage_sentences(passage)
    out: list[str] = []
    for sent in split_sentences(piece_text):
        key = " ".join(sent.split())
        # Only a sentence the unit cut short is completed (it opens the passage's sentence), and
        # only up to a length a reply can quote.
        match = next((f for f, norm in full if norm.startswith(key) and len(norm) <= _WHOLE_MAX), sent)
        if match not in out:
            out.append(match)
    return out


def candidate_pieces(hits: list[Hit], units: list[list[tuple[Unit, np.ndarray | None]]],
                     query_vec: np.ndarray | None) -> list[Piece]:
    """Every unit of every hit, scored by cosine to the question where a vector exists."""
    out: list[Piece] = []
    for hi, (hit, hit_units) in enumerate(zip(hits, units)):
        is_reg = hit.doc.kind == DocKind.REGULATION
        for pos, (unit, vec) in enumerate(hit_units):
            terms = set(analyse(unit.text))
            if len(unit.text) < 20 or not terms:
                continue
            dense = float(vec @ query_vec) if vec is not None and query_vec is not None else 0.0
            out.append(Piece(hi, pos, unit.text.strip(), narrow_locator(hit.chunk.locator, unit.text, is_reg),
                             terms, dense, hit.doc.kind.value, hit.chunk.locator))
    return out


class Relevance:
    """Relevance of pieces and sentences to one question, among one set of candidates."""

    def __init__(self, question: str, pieces: list[Piece]) -> None:
        # The statutes' register of the applicant's words counts too ("BPJS" → jaminan sosial).
        self.q_terms = set(analyse(question)) | set(analyse(expansion_terms(question)))
        n = len(pieces) or 1
        df = {t: sum(t in p.terms for p in pieces) for t in self.q_terms}
        self.weight = {t: math.log(1 + n / (1 + df[t])) for t in self.q_terms}
        # Sums run in sorted order so that the reply does not depend on set iteration order.
        self.total = sum(self.weight[t] for t in sorted(self.weight)) or 1.0
        dense = [p.dense for p in pieces] or [0.0]
        self._lo = min(dense)
        self._span = (max(dense) - self._lo) or 1.0

    def meaning(self, p: Piece) -> float:
        """Cosine to the question, rescaled to 0..1 among the candidates."""
        return (p.dense - self._lo) / self._span

    def gain(self, terms: set[str], covered: set[str] = frozenset()) -> float:
        """Weighted share of the question's words that `terms` adds to `covered`."""
        return sum(self.weight[t] for t in sorted((terms & self.q_terms) - covered)) / self.total

    def text_gain(self, text: str) -> float:
        """Weighted share of the question's words found in a text."""
        return self.gain(set(analyse(text)))

    def topic_gain(self, terms: set[str], topic: set[str]) -> float:
        """Weighted share of the `topic` words (a subset of the question's) found in `terms`."""
        total = sum(self.weight.get(t, 0.0) for t in sorted(topic)) or 1.0
        return sum(self.weight.get(t, 0.0) for t in sorted(terms & topic)) / total

    def score(self, p: Piece) -> float:
        """Meaning first, words second, earlier passages slightly preferred."""
        return 0.55 * self.meaning(p) + 0.45 * self.gain(p.terms) + 0.05 / (1 + p.hit_index)
