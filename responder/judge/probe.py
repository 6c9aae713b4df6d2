"""A small calibrated logistic model over named numeric features, stored as JSON.

Used for the two judgements that read retrieval and draft signals rather than the words of
the message: answerability (does the knowledge base cover this question at all?) and
confidence (does this draft carry every fact asked for?). Features are standardised with
the training means and scales; the logistic output is recalibrated with isotonic regression
fitted on cross-validated predictions (kept as breakpoints, so no pickle is needed).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass
class LinearProbe:
    """Weights over named features plus an isotonic calibration map."""

    names: list[str]
    mean: list[float]
    scale: list[float]
    weights: list[float]
    bias: float
    calib_x: list[float] = field(default_factory=list)  # raw probability breakpoints
    calib_y: list[float] = field(default_factory=list)  # calibrated probability at each
    threshold: float = 0.5
    card: dict = field(default_factory=dict)

    def raw(self, features: dict[str, float]) -> float:
        """Uncalibrated logistic probability."""
        z = self.bias
        for name, m, s, w in zip(self.names, self.mean, self.scale, self.weights):
            z += w * ((float(features.get(name, 0.0)) - m) / (s or 1.0))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def probability(self, features: dict[str, float]) -> float:
        """Calibrated probability of the positive class."""
        p = self.raw(features)
        if len(self.calib_x) >= 2:
            p = float(np.interp(p, self.calib_x, self.calib_y))
        return round(p, 4)

    def save(self, path: Path) -> None:
        """Write the probe as JSON."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.__dict__, indent=1, ensure_ascii=False) + "\n",
                        encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> LinearProbe:
        """Read a probe written by :meth:`save`."""
        return cls(**json.loads(path.read_text(encoding="utf-8")))


def fit_probe(rows: list[dict[str, float]], labels: list[int], names: list[str],
              c: float = 1.0, seed: int = 0, folds: int = 5) -> tuple[LinearProbe, np.ndarray]:
    """Fit a probe and return it with its out-of-fold calibrated probabilities."""
    from sklearn.isotonic import IsotonicRegression
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    x = np.asarray([[float(r.get(n, 0.0)) for n in names] for r in rows])
    y = np.asarray(labels)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    splits = list(StratifiedKFold(folds, shuffle=True, random_state=seed).split(z, y))
    raw = np.zeros(len(y))
    for train, test in splits:
        clf = LogisticRegression(C=c, max_iter=2000).fit(z[train], y[train])
        raw[test] = clf.predict_proba(z[test])[:, 1]
    # Cross-fitted calibration: each fold's probabilities are mapped by an isotonic curve
    # fitted on the other folds, so the reported figures never see their own labels.
    calibrated = np.zeros(len(y))
    for train, test in splits:
        iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
        calibrated[test] = iso.fit(raw[train], y[train]).predict(raw[test])
    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(raw, y)
    clf = LogisticRegression(C=c, max_iter=2000).fit(z, y)
    probe = LinearProbe(names=list(names), mean=mean.tolist(), scale=scale.tolist(),
                        weights=clf.coef_[0].tolist(), bias=float(clf.intercept_[0]),
                        calib_x=[float(v) for v in iso.X_thresholds_],
                        calib_y=[float(v) for v in iso.y_thresholds_])
    return probe, calibrated
