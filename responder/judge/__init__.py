"""Learned judgements: the intent model (what a message asks), answerability (does the
knowledge base cover it) and confidence (does the draft carry every fact asked for).

All three are trained by ``lantunan train`` on the project's own data (training/) and ship
as small artefacts in ``responder/judge/artefacts``; a fresh install needs no training.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from responder.judge.intent import ARTEFACT_DIR, ArtefactError, IntentModel
from responder.judge.probe import LinearProbe


@dataclass
class Judge:
    """The three models one responder consults."""

    intent: IntentModel
    answerability: LinearProbe
    confidence: LinearProbe
    rerank: LinearProbe | None = None  # search re-ranker; None keeps the fused order


def load_judge(directory: Path = ARTEFACT_DIR) -> Judge:
    """Load every artefact from `directory`; a clear error names what is missing."""
    try:
        rerank = directory / "rerank.json"
        return Judge(IntentModel.load(directory),
                     LinearProbe.load(directory / "answerability.json"),
                     LinearProbe.load(directory / "confidence.json"),
                     LinearProbe.load(rerank) if rerank.exists() else None)
    except (OSError, ValueError, TypeError) as exc:
        raise ArtefactError(f"{directory}: model artefact unreadable ({exc}); run `lantunan train`") from exc


@lru_cache(maxsize=1)
def shipped_judge() -> Judge:
    """The artefacts shipped inside the package (loaded once per process)."""
    return load_judge(ARTEFACT_DIR)
