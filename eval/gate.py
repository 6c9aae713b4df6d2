"""CI gate: compare a run's metrics with the thresholds in one config file (thresholds.json)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

DEFAULT_THRESHOLDS = Path(__file__).with_name("thresholds.json")


class ThresholdError(ValueError):
    """A thresholds file that cannot be used; the message names the file."""


@dataclass
class GateCheck:
    """One threshold and whether the run met it."""

    metric: str
    bound: str  # "min" | "max"
    limit: float
    value: float | None
    passed: bool

    def describe(self) -> str:
        """One console line."""
        sign = ">=" if self.bound == "min" else "<="
        state = "ok  " if self.passed else "FAIL"
        value = "missing" if self.value is None else f"{self.value:.4g}"
        return f"[{state}] {self.metric} = {value} (needs {sign} {self.limit:g})"


def load_thresholds(path: Path | None = None) -> dict:
    """Read and validate a thresholds file (default: eval/thresholds.json)."""
    path = Path(path or DEFAULT_THRESHOLDS)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ThresholdError(f"{path}: thresholds file not found") from None
    except json.JSONDecodeError as exc:
        raise ThresholdError(f"{path}:{exc.lineno}: invalid JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise ThresholdError(f"{path}: must be a JSON object")
    for bound in ("min", "max"):
        section = data.get(bound, {})
        if not isinstance(section, dict) or not all(
                isinstance(v, (int, float)) for v in section.values()):
            raise ThresholdError(f"{path}: '{bound}' must map metric names to numbers")
    data.setdefault("pipeline", "lantunan")
    return data


def check_gate(metrics: dict, thresholds: dict) -> list[GateCheck]:
    """Every threshold checked against the named pipeline's metrics (a missing metric fails)."""
    pipeline_metrics = metrics.get(thresholds.get("pipeline", "lantunan")) or {}
    checks = []
    for bound in ("min", "max"):
        for metric, limit in thresholds.get(bound, {}).items():
            value = pipeline_metrics.get(metric)
            if value is None:
                passed = False
            elif bound == "min":
                passed = float(value) >= float(limit)
            else:
                passed = float(value) <= float(limit)
            checks.append(GateCheck(metric, bound, float(limit),
                                    None if value is None else float(value), passed))
    return checks
