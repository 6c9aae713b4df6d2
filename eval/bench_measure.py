"""What the benchmark measures besides time: memory, disk, install size; and run statistics."""

from __future__ import annotations

import resource
import statistics
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement


def dir_bytes(path: Path) -> int:
    """Total size of the files under a folder."""
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def spread(values: list[float]) -> dict[str, float] | None:
    """Median, min and max of the runs."""
    data = [v for v in values if v is not None]
    if not data:
        return None
    return {"median": statistics.median(data), "min": min(data), "max": max(data),
            "runs": len(data)}



def install_size_mb(dist: str = "lantunan", extras: tuple[str, ...] = ()) -> dict:
    """Bytes on disk of a distribution and everything it requires (with `extras`), in MB.

    Read from the installed packages' RECORD files, so it is the default install's size
    whatever else this environment holds (test extras, torch); packages that are not
    installed are listed, not guessed.
    """
    seen: dict[str, int] = {}
    missing: list[str] = []
    todo = [(dist, set(extras))]
    while todo:
        name, wanted = todo.pop()
        key = name.lower().replace("_", "-")
        if key in seen:
            continue
        try:
            d = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            missing.append(name)
            continue
        seen[key] = sum(f.size or 0 for f in (d.files or []))
        for raw in d.requires or []:
            req = Requirement(raw)
            # A marker names the extra it belongs to and the platform; "" = no extra.
            if req.marker is None or any(req.marker.evaluate({"extra": e}) for e in wanted | {""}):
                todo.append((req.name, set(req.extras)))
    return {"mb": round(sum(seen.values()) / 1e6, 1), "packages": len(seen),
            "not_installed": sorted(missing)}
