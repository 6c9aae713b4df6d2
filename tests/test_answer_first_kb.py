"""Answer-first replies end to end on the shipped sample knowledge base (real e5, Chroma, BM25).

The two questions of issue 10: asked how to make an NIB, the reply must give the registration
steps of the NIB guide (not the definition of NIB); asked when the office opens on Friday, the
first line must give Friday's hours.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.pipeline import ingest_paths
from knowledge.store import KnowledgeBase
from lantunan.settings import Settings
from responder.draft_extractive import ExtractiveDraft, extractive_draft
from responder.normalize import normalise
from responder.verify import verify
from responder.whatsapp_format import MAX_CHARS

SAMPLE_KB = Path(__file__).resolve().parents[1] / "sample_kb"
DRAFT_HITS = 5  # as many passages as the responder gives its drafters


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    base = KnowledgeBase(Settings(data_dir=tmp_path_factory.mktemp("answerkb")))
    report = ingest_paths(base, [SAMPLE_KB], progress=False)
    assert report.ok, [(f.path, f.error) for f in report.failed]
    return base


def offline(kb: KnowledgeBase, question: str) -> tuple[ExtractiveDraft, list]:
    """The offline drafter over the passages the responder would give it, as
    responder/drafting.py calls it (the best candidates weighed by their own meaning)."""
    norm = normalise(question, kb.vocabulary())
    hits = kb.search(norm.text, k=8, extra_queries=[question])[:DRAFT_HITS]
    query = kb.query_vector(question)
    d = extractive_draft(norm.text, hits, [kb.unit_vectors(h.chunk) for h in hits], query,
                         cosine=lambda texts: kb.passage_cosines(query, texts))
    return d, hits


def test_how_to_make_an_nib_gives_the_registration_steps(kb: KnowledgeBase) -> None:
    d, hits = offline(kb, "gmn cara bikin nib?")
    lines = d.text.splitlines()
    assert d.qtype == "how"
    assert lines[0].startswith("*Langkah pendaftaran") and "Panduan NIB OSS RBA §4" in lines[0]
    assert lines[1].startswith("1. Buat akun OSS di oss.go.id")
    assert lines[2].startswith("2. Masuk ke OSS")
    assert any("terbitkan NIB" in ln for ln in lines[1:8])
    assert "adalah bukti registrasi" not in "\n".join(lines[:3])  # not the definition of NIB
    assert len(d.text) <= MAX_CHARS
    assert verify(d.text, [h.chunk.text for h in hits]).ok


def test_friday_hours_come_first(kb: KnowledgeBase) -> None:
    d, hits = offline(kb, "jam buka kantor hari jumat?")
    first = d.text.splitlines()[0]
    assert d.qtype == "duration"
    assert first.startswith("*") and "Jumat pukul 08.00–11.00" in first
    assert "Berikut ketentuan" not in d.text
    assert verify(d.text, [h.chunk.text for h in hits]).ok
