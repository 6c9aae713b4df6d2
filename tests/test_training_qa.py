"""Every question–answer item of training/qa holds up against the corpus it was written from.

`training/qa/check_qa.py` resolves each gold locator (Pasal, SOP section, FAQ id) in the shared
corpus and checks that every `must_contain` phrase and one alternative of every answer-fact
group are printed there; the re-ranker, the probes and the data card rely on that.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from shared_corpus import require_shared

QA_DIR = Path(__file__).resolve().parents[1] / "training" / "qa"


def test_every_qa_item_is_backed_by_its_gold_passage() -> None:
    corpus = require_shared("corpus")
    files = sorted(str(p) for p in QA_DIR.glob("*.jsonl"))
    assert len(files) >= 4, files  # passage-first and situational items
    run = subprocess.run([sys.executable, str(QA_DIR / "check_qa.py"), *files, "--corpus", str(corpus)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    checked = int(run.stdout.strip().splitlines()[-1].split()[0])
    assert checked >= 681 and run.stdout.rstrip().endswith(", 0 failing"), run.stdout[-500:]
