"""The OpenAI-compatible embedder against a real local HTTP server, choosing an embedder from
settings, and the fake OpenAI server other tests reuse."""

from __future__ import annotations

import httpx
import numpy as np
import pytest
from fake_openai import CHAT_PATH, EMBEDDINGS_PATH, FakeOpenAI, Reply, fake_openai, hash_vector  # noqa: F401

from knowledge.chroma_embedding import chroma_function
from knowledge.embedder import Embedder, EmbeddingError
from knowledge.embedder_openai import OpenAIEmbedder
from knowledge.embedders_local import E5Embedder, SentenceTransformerEmbedder
from knowledge.embeddings import clear_embedder_cache, embedder_from_spec, get_embedder
from lantunan.settings import Settings


def _assert_unit_rows(vectors: np.ndarray, n: int, dim: int) -> None:
    assert vectors.shape == (n, dim)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


# ======================================================================================
# OpenAI-compatible endpoint (against a real local HTTP server)
# ======================================================================================
def test_openai_embedder_round_trip(fake_openai: FakeOpenAI) -> None:
    fake_openai.api_key = "sekret"
    emb = OpenAIEmbedder(fake_openai.base_url, "fake-embedding", api_key="sekret", batch_size=2)
    texts = ["satu", "dua", "tiga", "empat", "lima"]
    vectors = emb.embed_passages(texts)
    _assert_unit_rows(vectors, 5, 32)
    np.testing.assert_allclose(vectors[3], hash_vector("empat", 32), atol=1e-6)
    assert emb.dim == 32
    calls = fake_openai.requests_to(EMBEDDINGS_PATH)
    assert [c.json["input"] for c in calls] == [["satu", "dua"], ["tiga", "empat"], ["lima"]]
    assert all(c.json["model"] == "fake-embedding" for c in calls)
    assert all(c.header("Authorization") == "Bearer sekret" for c in calls)
    assert emb.name == f"openai:fake-embedding@127.0.0.1:{fake_openai.port}"
    assert chroma_function(emb).get_config()["base_url"] == fake_openai.base_url
    assert "sekret" not in str(chroma_function(emb).get_config())
    emb.close()


def test_openai_embedder_prefixes_and_reordered_reply(fake_openai: FakeOpenAI) -> None:
    def reversed_reply(req: dict) -> Reply:
        data = [{"index": i, "embedding": hash_vector(t, 8)} for i, t in enumerate(req["input"])]
        return Reply(200, {"data": data[::-1]})

    fake_openai.set_embeddings(reversed_reply)
    emb = OpenAIEmbedder(fake_openai.base_url, "m", query_prefix="query: ", passage_prefix="passage: ")
    vectors = emb.embed_passages(["a", "b"])
    np.testing.assert_allclose(vectors[0], hash_vector("passage: a", 8), atol=1e-6)
    np.testing.assert_allclose(vectors[1], hash_vector("passage: b", 8), atol=1e-6)
    np.testing.assert_allclose(emb.embed_query("a"), hash_vector("query: a", 8), atol=1e-6)


def test_openai_embedder_http_500_is_a_clear_error(fake_openai: FakeOpenAI) -> None:
    fake_openai.set_embeddings(status=500)
    emb = OpenAIEmbedder(fake_openai.base_url, "m")
    with pytest.raises(EmbeddingError, match=r"HTTP 500: fake server error 500") as info:
        emb.embed_passages(["x"])
    assert fake_openai.base_url + "/embeddings" in str(info.value)
    assert len(fake_openai.requests_to(EMBEDDINGS_PATH)) == 1  # 500 is not retried


def test_openai_embedder_retries_transient_errors(fake_openai: FakeOpenAI) -> None:
    fake_openai.set_embeddings(status=503)
    emb = OpenAIEmbedder(fake_openai.base_url, "m", retries=1)
    with pytest.raises(EmbeddingError, match="HTTP 503"):
        emb.embed_passages(["x"])
    assert len(fake_openai.requests_to(EMBEDDINGS_PATH)) == 2

    answers = iter([Reply(503, {"error": {"message": "busy"}}), None])

    def flaky(req: dict) -> Reply:
        first = next(answers, None)
        if first is not None:
            return first
        return Reply(200, {"data": [{"index": 0, "embedding": [3.0, 4.0]}]})

    fake_openai.set_embeddings(flaky)
    np.testing.assert_allclose(emb.embed_passages(["x"]), [[0.6, 0.8]], atol=1e-6)


def test_openai_embedder_timeout_unreachable_and_bad_replies(fake_openai: FakeOpenAI) -> None:
    fake_openai.set_embeddings(delay=3)
    with pytest.raises(EmbeddingError, match="timed out"):
        OpenAIEmbedder(fake_openai.base_url, "m", timeout=0.3).embed_passages(["x"])

    fake_openai.set_embeddings(lambda req: {"data": []})
    with pytest.raises(EmbeddingError, match="expected 'data' with 1 embeddings, got 0"):
        OpenAIEmbedder(fake_openai.base_url, "m").embed_passages(["x"])
    fake_openai.set_embeddings(lambda req: {"data": [{"index": 0}]})
    with pytest.raises(EmbeddingError, match="malformed"):
        OpenAIEmbedder(fake_openai.base_url, "m").embed_passages(["x"])
    fake_openai.set_embeddings(lambda req: Reply(200, "<html>proxy error</html>"))
    with pytest.raises(EmbeddingError, match="non-JSON"):
        OpenAIEmbedder(fake_openai.base_url, "m").embed_passages(["x"])

    port = fake_openai.port
    fake_openai.stop()
    with pytest.raises(EmbeddingError, match="unreachable"):
        OpenAIEmbedder(f"http://127.0.0.1:{port}/v1", "m", retries=0).embed_passages(["x"])


# ======================================================================================
# get_embedder
# ======================================================================================
def test_get_embedder_parsing_and_cache(fake_openai: FakeOpenAI) -> None:
    clear_embedder_cache()
    first = get_embedder(Settings())
    assert isinstance(first, E5Embedder) and first.batch_size == 16
    assert get_embedder(Settings(embedder=" E5 ")) is first  # loaded once per process
    assert isinstance(first, Embedder)

    remote = get_embedder(Settings(embedder="openai:nomic-embed-text", embed_base_url=fake_openai.base_url))
    assert isinstance(remote, OpenAIEmbedder) and remote.model == "nomic-embed-text"
    assert remote is embedder_from_spec("openai:nomic-embed-text", base_url=fake_openai.base_url)
    assert remote.embed_passages(["x"]).shape == (1, 32)

    with pytest.raises(EmbeddingError, match="LANTUNAN_EMBED_BASE_URL"):
        get_embedder(Settings(embedder="openai:nomic-embed-text"))
    for bad in ("", "bert", "st:", "openai:", "e5:extra"):
        with pytest.raises(EmbeddingError, match="unknown embedder"):
            get_embedder(Settings(embedder=bad))
    with pytest.raises(EmbeddingError, match="directory not found"):
        get_embedder(Settings(embedder="st:/no/such/model/dir"))
    with pytest.raises(EmbeddingError, match="http"):
        OpenAIEmbedder("localhost:11434", "m")
    # st: with a hub-style name builds without loading anything (torch imports on first use).
    st = get_embedder(Settings(embedder="st:intfloat/multilingual-e5-small"))
    assert isinstance(st, SentenceTransformerEmbedder) and st.name == "st:intfloat/multilingual-e5-small"
    clear_embedder_cache()


# ======================================================================================
# The fake OpenAI server itself (reused by the LLM tests)
# ======================================================================================
def test_fake_server_chat_handler_status_delay_and_recording() -> None:
    with FakeOpenAI(chat=lambda req: "Jawab: " + req["messages"][-1]["content"]) as server:
        url = server.base_url + "/chat/completions"
        body = {"model": "m", "messages": [{"role": "user", "content": "apa itu NIB?"}]}
        reply = httpx.post(url, json=body)
        assert reply.status_code == 200
        assert reply.json()["choices"][0]["message"]["content"] == "Jawab: apa itu NIB?"

        server.set_chat(status=429)
        reply = httpx.post(url, json=body)
        assert reply.status_code == 429 and reply.json()["error"]["type"] == "rate_limit_error"

        server.set_chat("lambat", delay=2)
        with pytest.raises(httpx.ReadTimeout):
            httpx.post(url, json=body, timeout=0.2)

        server.set_chat(lambda req: {"custom": True})
        assert httpx.post(url, json=body).json() == {"custom": True}

        server.set_chat("mengalir")
        streamed = httpx.post(url, json={**body, "stream": True})
        assert streamed.headers["content-type"] == "text/event-stream"
        assert '"content": "mengalir"' in streamed.text and streamed.text.endswith("data: [DONE]\n\n")

        assert httpx.post(server.base_url + "/nope", json={}).status_code == 404
        recorded = server.requests_to(CHAT_PATH)
        assert len(recorded) == 5
        assert recorded[0].json["messages"][0]["content"] == "apa itu NIB?"
    with pytest.raises(httpx.ConnectError):  # stopped: the port is closed
        httpx.post(url, json=body, timeout=2)


def test_fake_server_with_langchain_chat_openai() -> None:
    from langchain_openai import ChatOpenAI

    with FakeOpenAI(chat=lambda req: f"model={req['model']}") as server:
        llm = ChatOpenAI(base_url=server.base_url, api_key="k", model="qwen-test", max_retries=0, timeout=5)
        answer = llm.invoke("Halo")
        assert answer.content == "model=qwen-test"
        assert server.requests_to(CHAT_PATH)[0].header("authorization") == "Bearer k"
