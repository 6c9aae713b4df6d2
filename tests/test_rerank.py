"""The search re-ranker (responder/rerank.py): the shipped artefact, its order, its figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.pipeline import ingest_paths
from knowledge.models import Chunk, DocKind, Document, Hit
from knowledge.store import KnowledgeBase
from lantunan.settings import Settings
from responder.judge import shipped_judge
from responder.judge.probe import LinearProbe
from responder.judge.train_rerank import ItemRows, ranking_figures
from responder.rerank import POOL, hit_features, rerank, reranked_search

SAMPLE_KB = Path(__file__).resolve().parents[1] / "sample_kb"

_PP = Document(id="pp-6-2021", source_name="pp-6-2021.txt", kind=DocKind.REGULATION,
               title="PP 6/2021", short_name="PP 6/2021")
_TEXT = ("Pemberian Perizinan Berusaha dilakukan oleh DPMPTSP paling lama 5 (lima) Hari sejak "
         "permohonan diterima secara lengkap dan benar.")


def _hit(section: str, rank: int, text: str = _TEXT, score: float = 0.03) -> Hit:
    chunk = Chunk(id=f"c-{rank}", doc_id=_PP.id, text=text, locator=f"PP 6/2021 {section}",
                  section=section)
    return Hit(chunk=chunk, doc=_PP, score=score, rank=rank,
               scores={"dense": 0.84, "bm25": 7.5, "fused": score})


def test_shipped_reranker_loads_and_reads_every_feature() -> None:
    model = shipped_judge().rerank
    assert model is not None, "responder/judge/artefacts/rerank.json is shipped"
    row = hit_features("berapa lama izin terbit", "duration", [_hit("Pasal 7", 1)])[0]
    assert model.names == sorted(row)
    assert model.card["cv_5fold"]["hit@1"] > model.card["fused_order"]["hit@1"]


def test_an_explanation_ranks_below_the_article_it_explains() -> None:
    # Same words, same scores, the Penjelasan fused first: the learned weight on 'penjelasan'
    # (the training answers sit in the articles) puts the article first.
    hits = [_hit("Penjelasan Pasal 7", 1, score=0.031), _hit("Pasal 7", 2)]
    ordered = rerank("berapa lama perizinan berusaha diberikan", "duration", hits,
                     shipped_judge().rerank, k=2)
    assert [h.chunk.section for h in ordered] == ["Pasal 7", "Penjelasan Pasal 7"]
    assert [h.rank for h in ordered] == [1, 2]  # ranks follow the new order


def test_without_a_model_the_fused_order_stands() -> None:
    hits = [_hit("Penjelasan Pasal 7", 1), _hit("Pasal 7", 2), _hit("Pasal 8", 3)]
    assert rerank("berapa lama", "duration", hits, None, k=2) == hits[:2]


def test_question_type_cue_features_follow_the_question() -> None:
    rows = hit_features("berapa lama izin terbit", "duration",
                        [_hit("Pasal 7", 1), _hit("Pasal 8", 2, text="Pelaku Usaha wajib "
                                                  "memiliki NIB sebelum melakukan kegiatan usaha.")])
    assert rows[0]["cs_duration"] == 1.0 and rows[1]["cs_duration"] == 0.0
    assert rows[0]["cs_amount"] == 0.0  # a cue counts only for the type asked
    assert rows[0]["inv_rank"] == 1.0 and rows[1]["inv_rank"] == 0.5


def test_ranking_figures_count_the_first_gold_passage() -> None:
    items = [ItemRows("a", [{"x": 0.0}, {"x": 1.0}], [0, 1]),   # gold second in fused order
             ItemRows("b", [{"x": 1.0}, {"x": 0.0}], [1, 0])]   # gold first
    assert ranking_figures(items, None) == {"hit@1": 0.5, "hit@5": 1.0, "mrr": 0.75}
    by_x = LinearProbe(names=["x"], mean=[0.0], scale=[1.0], weights=[1.0], bias=0.0)
    assert ranking_figures(items, lambda it: [by_x.raw(r) for r in it.rows])["hit@1"] == 1.0


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The sample knowledge base in a real store (e5, Chroma, BM25)."""
    base = KnowledgeBase(Settings(data_dir=tmp_path_factory.mktemp("rerankkb")))
    assert ingest_paths(base, [SAMPLE_KB], progress=False).ok
    return base


def test_reranked_search_reorders_the_fused_pool_of_a_real_store(kb: KnowledgeBase) -> None:
    query, original = "berapa lama nib terbit", "brp lama NIB terbit?"
    fused = kb.search(query, k=POOL, extra_queries=[original])
    plain = reranked_search(kb, query, original, None, 5)
    assert [h.chunk.id for h in plain] == [h.chunk.id for h in fused[:5]]
    ranked = reranked_search(kb, query, original, shipped_judge().rerank, 5)
    assert [h.rank for h in ranked] == [1, 2, 3, 4, 5]
    assert {h.chunk.id for h in ranked} <= {h.chunk.id for h in fused}
    model = shipped_judge().rerank
    scores = {h.chunk.id: model.raw(f) for h, f in zip(fused, hit_features(query, "duration", fused))}
    assert [h.chunk.id for h in ranked] == sorted(scores, key=lambda c: -scores[c])[:5]
