"""The plain retrieval template users start from, as a yardstick for Lantunan.

Every corpus file is read as text (``ingest.loaders.load_file``; FAQ YAML/CSV as raw text),
split with LangChain's ``RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=0)``,
embedded with the SAME embedder as Lantunan and stored in a LangChain ``Chroma`` collection in
a temporary folder. An answer is the top chunk's text and the action is always "answer"; the
confidence is the top hit's relevance score, so the same calibration table applies.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from langchain_core.embeddings import Embeddings
from langchain_text_splitters import RecursiveCharacterTextSplitter

CHUNK_SIZE = 500
CHUNK_OVERLAP = 0
RAW_TEXT_FORMATS = {".yaml", ".yml", ".csv"}


@dataclass
class BaselineHit:
    """One retrieved chunk of the baseline."""

    source_name: str
    text: str
    relevance: float


def load_texts(paths: Sequence[Path]) -> tuple[list[tuple[str, str]], list[str]]:
    """(file name, text) for every loadable file under paths, and error messages for the rest."""
    from ingest.loaders import iter_files, load_file
    from ingest.models import IngestError

    files, errors = iter_files([Path(p) for p in paths])
    texts: list[tuple[str, str]] = []
    problems = [str(e) for e in errors]
    for path in files:
        try:
            if path.suffix.lower() in RAW_TEXT_FORMATS:
                texts.append((path.name, path.read_text(encoding="utf-8")))
            else:
                texts.append((path.name, load_file(path).text))
        except (IngestError, OSError, UnicodeError) as exc:
            problems.append(str(exc))
    return texts, problems


class BaselineRetriever:
    """Split → embed → Chroma → similarity search; nothing else."""

    def __init__(self, embedder: Embeddings, persist_dir: Path | None = None) -> None:
        from langchain_chroma import Chroma

        self._tmp = None
        if persist_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="lantunan-baseline-")
            persist_dir = Path(self._tmp.name)
        self.store = Chroma(collection_name=f"baseline-{uuid.uuid4().hex[:8]}",
                            embedding_function=embedder, persist_directory=str(persist_dir))
        self.splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE,
                                                       chunk_overlap=CHUNK_OVERLAP)
        self.chunks = 0
        self.errors: list[str] = []

    def add_paths(self, paths: Sequence[Path]) -> int:
        """Load, split and index every file under paths; returns the number of chunks added."""
        texts, self.errors = load_texts(paths)
        docs_text: list[str] = []
        sources: list[str] = []
        for name, text in texts:
            for piece in self.splitter.split_text(text):
                docs_text.append(piece)
                sources.append(name)
        return self.add_texts(docs_text, sources)

    def add_texts(self, texts: Sequence[str], sources: Sequence[str]) -> int:
        """Index already split passages (the benchmark's synthetic chunks); returns their number."""
        metas = [{"source": name} for name in sources]
        # Chroma caps a single add; batches keep memory flat on big corpora.
        for start in range(0, len(texts), 1000):
            self.store.add_texts(list(texts[start:start + 1000]), metadatas=metas[start:start + 1000])
        self.chunks += len(texts)
        return len(texts)

    def search(self, query: str, k: int = 10) -> list[BaselineHit]:
        """Top-k chunks by vector similarity."""
        if not self.chunks:
            return []
        pairs = self.store.similarity_search_with_relevance_scores(query, k=min(k, self.chunks))
        return [BaselineHit(d.metadata.get("source", ""), d.page_content, float(s))
                for d, s in pairs]

    def answer(self, query: str, k: int = 10) -> tuple[str, list[BaselineHit], float]:
        """(answer text = top chunk, retrieved hits, milliseconds spent)."""
        started = time.perf_counter()
        hits = self.search(query, k)
        elapsed = (time.perf_counter() - started) * 1000
        return (hits[0].text if hits else ""), hits, elapsed

    def close(self) -> None:
        """Remove the temporary folder."""
        if self._tmp is not None:
            try:
                self.store._client.clear_system_cache()  # release the SQLite handle first
            except Exception:  # noqa: BLE001 - best effort cleanup
                pass
            self._tmp.cleanup()
            self._tmp = None
