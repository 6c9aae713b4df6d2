"""The bookkeeping of one hybrid search: per-signal rankings, raw scores, fusion weights, hits.

`KnowledgeBase.search` runs the retrievers; this module only collects what they found, weighs
the rankings for reciprocal rank fusion and turns fused chunk ids into typed `Hit`s.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from knowledge.models import Chunk, DocKind, DocStatus, Document, Hit, ReviewedAnswer

# Weights of the fused signals. Dense (e5) carries paraphrase, BM25 exact legal terms; a
# curated question matching the applicant's words is the strongest single signal we have.
SIGNAL_WEIGHTS = {"dense": 1.0, "bm25": 1.0, "faq": 1.0, "definition": 3.0}
CANDIDATES = 60  # per signal, before fusion
# The second reading of a query (the normalised text for dense, the applicant's raw words for
# BM25) counts half: it adds recall where the first reading misses, without outvoting it.
SECOND_READING = 0.5
FAQ_RANKED = 3  # reviewed answers that enter fusion (the closest few; the rest add noise)


@dataclass
class Rankings:
    """What each retriever found: a ranking per signal name, best raw score per family."""

    rankings: dict[str, list[str]] = field(default_factory=dict)
    raw: dict[str, dict[str, float]] = field(
        default_factory=lambda: {"dense": {}, "bm25": {}, "faq": {}})
    answer_of: dict[str, ReviewedAnswer] = field(default_factory=dict)

    def add(self, name: str, family: str, found: list[tuple[str, float]]) -> None:
        """Record one ranking (chunk id, score) under `name`; keep each chunk's best score."""
        self.rankings[name] = [cid for cid, _ in found]
        scores = self.raw[family]
        for cid, s in found:
            scores[cid] = max(scores.get(cid, 0.0), s)

    def add_reviewed(self, matches: list[tuple[str, float, ReviewedAnswer]]) -> None:
        """Record the FAQ chunks of close reviewed answers, closest first."""
        for cid, dense, answer in matches:
            self.raw["faq"][cid] = dense
            self.answer_of[cid] = answer
        self.rankings["faq"] = [cid for cid, _, _ in matches][:FAQ_RANKED]

    def weights(self, w: dict[str, float], dense_weight: dict[str, float]) -> dict[str, float]:
        """Fusion weight of every recorded ranking: its family's weight times its own share."""
        out = {name: w["dense"] * dense_weight.get(name, 1.0)
               for name in self.rankings if name.startswith("dense")}
        out.update({name: w["bm25"] * (SECOND_READING if name.endswith("_raw") else 1.0)
                    for name in self.rankings if name.startswith("bm25")})
        out["faq"] = w.get("faq", 0)
        out["definition"] = w.get("definition", 0)
        return out


def to_hits(fused: dict[str, float], found: Rankings, chunks: dict[str, Chunk],
            docs: dict[str, Document], k: int, revoked_penalty: float,
            kinds: set[DocKind] | None = None,
            statuses: set[DocStatus] | None = None) -> list[Hit]:
    """The top k fused chunks as hits; revoked or amended law demoted and flagged."""
    hits: list[Hit] = []
    for cid, score in fused.items():
        chunk = chunks[cid]
        doc = docs[chunk.doc_id]
        if kinds and doc.kind not in kinds:
            continue
        if statuses and doc.status not in statuses:
            continue
        if doc.status != DocStatus.BERLAKU:
            score *= revoked_penalty
        scores = {name: vals[cid] for name, vals in found.raw.items() if cid in vals}
        scores["fused"] = score
        hits.append(Hit(chunk=chunk, doc=doc, score=score, rank=0, scores=scores,
                        reviewed_answer=found.answer_of.get(cid)))
    hits.sort(key=lambda h: -h.score)
    for i, h in enumerate(hits[:k], start=1):
        h.rank = i
    return hits[:k]
