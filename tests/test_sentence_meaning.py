"""The direct answer weighs its best candidates by their own meaning (an e5 cosine per sentence).

The salience signals read a sentence's words and its passage's cosine; two ayat of one Pasal
share the passage's cosine. The drafter therefore embeds the best five candidate sentences and
weighs their own cosine to the question (responder/direct_answer.py); the vectors go through
the knowledge base's vector cache, so a sentence is embedded once.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ingest.pipeline import ingest_paths, parse_file
from knowledge.models import Hit
from knowledge.store import KnowledgeBase
from knowledge.units import chunk_units
from lantunan.settings import Settings
from responder.draft_extractive import extractive_draft
from responder.normalize import normalise
from shared_corpus import require_shared

SAMPLE_KB = Path(__file__).resolve().parents[1] / "sample_kb"
QUESTION = "kalau hasil pemeriksaan inspektorat ternyata tindak pidana, paling lambat berapa hari diserahkan ke polisi?"


@pytest.fixture(scope="module")
def pasal_352() -> list[Hit]:
    """PP 28/2025 Pasal 352 (the inspectorate's findings and their deadlines) as ranked hits."""
    parsed = parse_file(require_shared("corpus") / "regulations" / "pp-28-2025.txt")
    chunks = [c for c in parsed.chunks if c.section == "Pasal 352"]
    assert chunks, "PP 28/2025 Pasal 352 not parsed"
    return [Hit(chunk=c, doc=parsed.document, score=1.0, rank=n) for n, c in enumerate(chunks, start=1)]


def _first_line(hits: list[Hit], cosine=None) -> str:
    units = [[(u, None) for u in chunk_units(h.chunk)] for h in hits]
    return extractive_draft(normalise(QUESTION).text, hits, units, None, cosine=cosine).text.splitlines()[0]


def test_the_sentence_closest_in_meaning_among_the_best_five_answers(pasal_352: list[Hit]) -> None:
    seen: list[str] = []

    def record(texts: list[str]) -> list[float]:
        seen.extend(texts)
        return [0.5] * len(texts)

    default = _first_line(pasal_352, record)
    assert 1 <= len(seen) <= 5  # only the best five candidates are embedded
    assert "tindak pidana" in default and "5 (lima) Hari" in default  # ayat (9) by its words
    # A candidate of the window whose own meaning is far closer wins the first line ...
    closer = _first_line(pasal_352, lambda texts: [1.0 if t.startswith("(8)") else 0.5 for t in texts])
    assert closer.startswith("*Penyelesaian hasil pemeriksaan") and "ayat (8)" in closer
    # ... a sentence outside the window cannot (ayat (6) is never among the candidates weighed).
    assert not any(t.startswith("(6)") for t in seen)
    outside = _first_line(pasal_352, lambda texts: [1.0 if t.startswith("(6)") else 0.5 for t in texts])
    assert outside == default


def test_passage_cosines_embed_each_text_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(data_dir=tmp_path)
    kb = KnowledgeBase(settings)
    assert ingest_paths(kb, [SAMPLE_KB], progress=False).ok
    query = kb.query_vector("jam buka kantor hari jumat?")
    texts = ["Jumat pukul 08.00–11.00 WITA.", "NIB adalah bukti registrasi Pelaku Usaha."]
    first = kb.passage_cosines(query, texts)
    expected = [float(v @ query) for v in kb.embedder.embed_passages(texts)]
    assert np.allclose(first, expected, atol=1e-5)
    assert first[0] > first[1]  # the opening hours are what was asked

    def no_embedding(_texts: list[str]) -> np.ndarray:
        raise AssertionError("a cached sentence was embedded again")

    # The same process, and a new one over the same store, read the vectors from the cache.
    monkeypatch.setattr(kb.embedder, "embed_passages", no_embedding)
    assert kb.passage_cosines(query, texts) == first
    again = KnowledgeBase(settings)
    monkeypatch.setattr(again.embedder, "embed_passages", no_embedding)
    assert np.allclose(again.passage_cosines(query, texts), first, atol=1e-6)
    assert kb.passage_cosines(query, []) == []
