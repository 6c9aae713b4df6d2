"""Reciprocal rank fusion of several ranked lists, with per-signal weights."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence


def reciprocal_rank_fusion(
    rankings: Mapping[str, Sequence[str]],
    weights: Mapping[str, float] | None = None,
    k: int = 60,
) -> dict[str, float]:
    """Fuse ranked id lists: score(id) = Σ_signal weight / (k + rank). Ranks start at 1.

    RRF needs no score calibration between BM25 and cosine similarity, which live on
    different scales; weights let a strong signal count more.
    """
    fused: dict[str, float] = defaultdict(float)
    for signal, ids in rankings.items():
        w = 1.0 if weights is None else weights.get(signal, 1.0)
        for rank, item in enumerate(ids, start=1):
            fused[item] += w / (k + rank)
    return dict(fused)
