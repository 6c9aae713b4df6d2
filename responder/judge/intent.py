"""The learned intent model: what an applicant's message asks of the office, with probabilities.

Classes: ``answer`` (a question the knowledge base may answer), ``smalltalk`` (greeting,
thanks) and one class per handoff reason. A multinomial logistic regression over
:mod:`responder.judge.features`, trained by ``lantunan train`` on the project's own labelled
messages (training/, see its DATA_CARD.md) and calibrated by temperature scaling on
cross-validated predictions. The artefact is plain arrays (``intent.npz``) and a JSON card
(``intent.json``): no pickle, so loading it runs no code.

Routing reads the calibrated probabilities: when the handoff classes together reach
``handoff_threshold`` (chosen on cross-validation for handoff recall), the message goes to a
person with the most probable handoff reason; otherwise the more probable of answer and
small talk wins.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import sparse

from responder.judge.features import FeatureSpec, build_rows

ARTEFACT_DIR = Path(__file__).with_name("artefacts")
ANSWER, SMALLTALK = "answer", "smalltalk"
HANDOFF_REASONS = ("complaint", "case_status", "personal_data", "prompt_injection",
                   "human_requested", "legal_dispute", "fee_calculation", "out_of_scope",
                   "unclear")
CLASSES = (ANSWER, SMALLTALK, *HANDOFF_REASONS)


class ArtefactError(RuntimeError):
    """The shipped model files are missing or do not fit this code."""


@dataclass
class IntentPrediction:
    """Calibrated class probabilities of one message and the route they give."""

    probabilities: dict[str, float]
    route: str  # "answer" | "smalltalk" | "handoff"
    reason: str | None = None  # the handoff reason when route == "handoff"
    p_handoff: float = 0.0
    top: list[tuple[str, float]] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The most probable class."""
        return self.top[0][0] if self.top else ANSWER


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, numerically stable."""
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def route_of(probs: dict[str, float], handoff_threshold: float) -> tuple[str, str | None, float]:
    """Route, handoff reason and total handoff probability from class probabilities."""
    p_handoff = sum(probs.get(c, 0.0) for c in HANDOFF_REASONS)
    reason = max(HANDOFF_REASONS, key=lambda c: probs.get(c, 0.0))
    if p_handoff >= handoff_threshold:
        return "handoff", reason, p_handoff
    route = ANSWER if probs.get(ANSWER, 0.0) >= probs.get(SMALLTALK, 0.0) else SMALLTALK
    return route, None, p_handoff


class IntentModel:
    """Weights, calibration and routing threshold of the intent classifier."""

    def __init__(self, coef: sparse.csr_matrix, intercept: np.ndarray, classes: list[str],
                 spec: FeatureSpec, temperature: float, handoff_threshold: float,
                 card: dict | None = None) -> None:
        self.coef = coef.tocsr()
        # Rows @ coef.T in CSR form: scipy would otherwise convert the transposed (CSC) matrix
        # on every call, 4 ms of a 5 ms prediction.
        self._coef_t = self.coef.T.tocsr()
        self.intercept = intercept.astype(np.float32)
        self.classes = list(classes)
        self.spec = spec
        self.temperature = float(temperature)
        self.handoff_threshold = float(handoff_threshold)
        self.card = card or {}

    # --- persistence ------------------------------------------------------------------------
    def save(self, directory: Path) -> None:
        """Write intent.npz (weights) and intent.json (classes, calibration, card)."""
        directory.mkdir(parents=True, exist_ok=True)
        c = self.coef.tocsr()
        c.sort_indices()
        np.savez_compressed(directory / "intent.npz", data=c.data.astype(np.float32),
                            indices=c.indices.astype(np.int32), indptr=c.indptr.astype(np.int64),
                            shape=np.asarray(c.shape), intercept=self.intercept)
        meta = {"classes": self.classes, "temperature": self.temperature,
                "handoff_threshold": self.handoff_threshold,
                "spec": {"embed_scale": self.spec.embed_scale, "shape_scale": self.spec.shape_scale},
                "card": self.card}
        (directory / "intent.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n",
                                               encoding="utf-8")

    @classmethod
    def load(cls, directory: Path = ARTEFACT_DIR) -> IntentModel:
        """Load the artefact from `directory` (the packaged one by default)."""
        try:
            meta = json.loads((directory / "intent.json").read_text(encoding="utf-8"))
            arrays = np.load(directory / "intent.npz")
            coef = sparse.csr_matrix((arrays["data"], arrays["indices"], arrays["indptr"]),
                                     shape=tuple(int(x) for x in arrays["shape"]))
            intercept = arrays["intercept"]
        except (OSError, KeyError, ValueError) as exc:
            raise ArtefactError(f"{directory}: intent model unreadable ({exc}); run `lantunan train`") from exc
        return cls(coef, intercept, meta["classes"], FeatureSpec(**meta["spec"]),
                   meta["temperature"], meta["handoff_threshold"], meta.get("card"))

    # --- prediction ---------------------------------------------------------------------------
    def logits(self, rows: sparse.csr_matrix) -> np.ndarray:
        """Uncalibrated class scores of feature rows."""
        scores = rows @ self._coef_t
        dense = scores.toarray() if sparse.issparse(scores) else np.asarray(scores)
        return dense.astype(np.float32) + self.intercept

    def probabilities(self, rows: sparse.csr_matrix) -> np.ndarray:
        """Calibrated class probabilities of feature rows."""
        return softmax(self.logits(rows) / self.temperature)

    def predict_many(self, originals: list[str], normalised: list[str],
                     vectors: np.ndarray) -> list[IntentPrediction]:
        """Predictions for several messages (their e5 query vectors given row by row)."""
        rows = build_rows(originals, normalised, vectors, self.spec)
        out = []
        for p in self.probabilities(rows):
            probs = {c: float(v) for c, v in zip(self.classes, p)}
            route, reason, p_handoff = route_of(probs, self.handoff_threshold)
            top = sorted(probs.items(), key=lambda kv: -kv[1])[:3]
            out.append(IntentPrediction(probs, route, reason, p_handoff, top))
        return out

    def predict(self, original: str, normalised: str, vector: np.ndarray) -> IntentPrediction:
        """Prediction for one message."""
        return self.predict_many([original], [normalised], np.asarray(vector)[None, :])[0]


@lru_cache(maxsize=1)
def shipped_intent_model() -> IntentModel:
    """The intent model shipped inside the package (loaded once per process)."""
    return IntentModel.load(ARTEFACT_DIR)
