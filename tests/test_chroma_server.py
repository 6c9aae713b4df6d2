"""Chroma in server mode (``chroma run`` + ``HttpClient``) with our embedding function.

Server mode is how several API workers share one vector store; this test starts a real
server subprocess on 127.0.0.1, embeds client-side with our function, and stops it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import chromadb
import httpx
import pytest
from chromadb.config import Settings as ChromaSettings

from knowledge.chroma_embedding import chroma_function, persisted_embedder_name
from knowledge.embedders_local import E5Embedder

PASSAGES = {
    "nib": "Pelaku usaha mikro dan kecil mendaftarkan Nomor Induk Berusaha melalui sistem OSS tanpa dipungut biaya.",
    "pengaduan": "Pengaduan masyarakat ditindaklanjuti paling lambat lima hari kerja sejak diterima.",
    "pbg": "Retribusi persetujuan bangunan gedung dihitung berdasarkan luas lantai dan fungsi bangunan.",
}
STARTUP_LIMIT_S = 90.0  # generous: a cold start on a busy 2-core machine


@dataclass
class ChromaServer:
    """A running ``chroma run`` subprocess."""

    host: str
    port: int
    startup_seconds: float
    process: subprocess.Popen[bytes]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _chroma_cli() -> str:
    """The ``chroma`` console script of this interpreter's environment."""
    beside = Path(sys.executable).parent / "chroma"
    found = str(beside) if beside.exists() else shutil.which("chroma")
    if not found:
        pytest.fail("the chroma CLI is not installed (pip install chromadb)")
    return found


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[ChromaServer]:
    """Start ``chroma run`` on a free port, wait for its heartbeat, terminate it afterwards."""
    port = _free_port()
    log_path = tmp_path / "chroma-server.log"
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    started = time.perf_counter()
    with log_path.open("wb") as log:
        # Output goes to a file, not a pipe: a full pipe would block the server.
        proc = subprocess.Popen(
            [_chroma_cli(), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(tmp_path / "db")],
            stdout=log, stderr=subprocess.STDOUT, env=env,
        )
    try:
        heartbeat = f"http://127.0.0.1:{port}/api/v2/heartbeat"
        while True:
            if proc.poll() is not None:
                pytest.fail(f"chroma server exited with {proc.returncode}:\n{log_path.read_text()[-2000:]}")
            try:
                if httpx.get(heartbeat, timeout=1.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.perf_counter() - started > STARTUP_LIMIT_S:
                pytest.fail(f"chroma server not up after {STARTUP_LIMIT_S}s:\n{log_path.read_text()[-2000:]}")
            time.sleep(0.1)
        startup = time.perf_counter() - started
        print(f"chroma server ready in {startup:.2f}s")  # shown with -s; quoted in reports
        yield ChromaServer("127.0.0.1", port, startup, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(autouse=True)
def no_chroma_default_embedding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chroma's default embedding function downloads a model: any use of it fails the test."""

    def refuse(self: object, input: object) -> None:  # noqa: A002
        raise AssertionError("Chroma's DefaultEmbeddingFunction was called")

    from chromadb.api.types import DefaultEmbeddingFunction

    monkeypatch.setattr(DefaultEmbeddingFunction, "__call__", refuse)


def test_http_client_adds_and_queries_with_our_embedding_function(chroma_server: ChromaServer) -> None:
    embedder = E5Embedder()
    settings = ChromaSettings(anonymized_telemetry=False)
    client = chromadb.HttpClient(host=chroma_server.host, port=chroma_server.port, settings=settings)
    col = client.create_collection("kb_server", embedding_function=chroma_function(embedder))
    col.add(ids=list(PASSAGES), documents=list(PASSAGES.values()), metadatas=[{"topic": k} for k in PASSAGES])
    assert col.count() == 3

    got = col.query(query_texts=["gimana caranya bikin NIB buat warung kecil saya?"], n_results=2)
    assert got["ids"][0][0] == "nib"
    assert got["metadatas"][0][0] == {"topic": "nib"}

    # A second client (another API worker) that does not pass the function: the server kept
    # our config, so the client rebuilds our embedder rather than Chroma's default.
    other = chromadb.HttpClient(host=chroma_server.host, port=chroma_server.port, settings=settings)
    col2 = other.get_collection("kb_server")
    assert persisted_embedder_name(col2) == embedder.name
    got = col2.query(query_texts=["berapa lama komplain saya diproses?"], n_results=1)
    assert got["ids"][0] == ["pengaduan"]


def test_knowledge_base_on_a_chroma_server(chroma_server: ChromaServer, tmp_path: Path) -> None:
    """The multi-worker option: LANTUNAN_CHROMA_URL puts the dense index on a Chroma server,
    and two KnowledgeBase instances (two API workers) share it."""
    from ingest.pipeline import ingest_paths
    from knowledge.store import KnowledgeBase
    from lantunan.settings import Settings

    sop = tmp_path / "sop-pengaduan.md"
    sop.write_text("# SOP Pengaduan\n\n## 1. Saluran\n\nPengaduan disampaikan melalui WhatsApp "
                   "layanan atau loket pengaduan.\n\n## 2. Waktu\n\nPengaduan ditanggapi paling "
                   "lambat 1 (satu) hari kerja.\n", encoding="utf-8")
    url = f"http://127.0.0.1:{chroma_server.port}"
    settings = Settings(data_dir=tmp_path / "data", chroma_url=url)
    kb = KnowledgeBase(settings)
    assert ingest_paths(kb, [sop], progress=False).ok
    assert kb.vectors.count() >= 2
    other = KnowledgeBase(settings)
    hits = other.search("berapa lama pengaduan ditanggapi", k=2)
    assert hits[0].chunk.locator.endswith("§2") and hits[0].scores.get("dense", 0) > 0
