"""The embedder interface: text -> float32, L2-normalised vectors, so a dot product is a cosine.

Numpy vs LangChain: an :class:`Embedder` *is* a ``langchain_core`` ``Embeddings``.
``embed_documents`` returns ``list[list[float]]`` as LangChain declares. ``embed_query`` is shared
by both worlds and returns a float32 ``np.ndarray`` of shape (dim,): our code needs the array
(``P @ q``, ``.tolist()``), and LangChain vector stores accept any float sequence (tested with
``langchain_chroma``); call ``.tolist()`` where a JSON list is needed. Our own code embeds
passages with :meth:`Embedder.embed_passages` (an (n, dim) array).

The backends live in ``knowledge.embedders_local`` (e5, sentence-transformers) and
``knowledge.embedder_openai``; ``knowledge.embeddings`` builds one from settings and
``knowledge.chroma_embedding`` adapts one to Chroma.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from importlib import metadata as importlib_metadata
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings as LangChainEmbeddings


class EmbeddingError(RuntimeError):
    """An embedder could not be built or could not embed (bad config, dead endpoint, bad reply)."""


class Embedder(LangChainEmbeddings):
    """Text -> float32 L2-normalised vectors; also a LangChain ``Embeddings``."""

    #: Stable id of the vector space (model + variant); used as a vector-cache key.
    name: str
    #: Spec string that rebuilds this embedder (the ``LANTUNAN_EMBEDDER`` syntax). Wrappers
    #: that only cache or precompute (eval) keep their base's spec: same query space.
    spec: str

    def __init__(self, batch_size: int = 16) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.batch_size = batch_size
        self._chroma_fn: Any = None  # its Chroma adapter (knowledge.chroma_embedding)

    # --- to implement -------------------------------------------------------------------
    @property
    @abstractmethod
    def dim(self) -> int:
        """Vector dimension (may load the model or call the endpoint once)."""

    @abstractmethod
    def _encode(self, texts: list[str], *, query: bool) -> np.ndarray:
        """Embed one batch; rows need not be normalised yet."""

    # --- numpy API (ours) ---------------------------------------------------------------
    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed documents/passages: float32 array of shape (n, dim), rows L2-normalised."""
        items = check_texts(texts)
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [
            self._encode(items[i : i + self.batch_size], query=False)
            for i in range(0, len(items), self.batch_size)
        ]
        return self._finish(np.concatenate(parts, axis=0), len(items))

    def embed_query(self, text: str) -> np.ndarray:  # type: ignore[override]
        """Embed one search query: float32 array of shape (dim,), L2-normalised (also LangChain's)."""
        if not isinstance(text, str):
            raise TypeError(f"query is {type(text).__name__}, expected str")
        (item,) = check_texts([text])
        return self._finish(self._encode([item], query=True), 1)[0]

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed several search queries at once: (n, dim), rows L2-normalised."""
        items = check_texts(texts)
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [
            self._encode(items[i : i + self.batch_size], query=True)
            for i in range(0, len(items), self.batch_size)
        ]
        return self._finish(np.concatenate(parts, axis=0), len(items))

    # --- LangChain API ------------------------------------------------------------------
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """LangChain: embed documents as lists of floats."""
        return self.embed_passages(texts).tolist()

    # --- Chroma API ---------------------------------------------------------------------
    def chroma_config(self) -> dict[str, Any]:
        """What Chroma persists in the collection config to rebuild this embedder."""
        return {"spec": self.spec, "embedder": self.name}

    # --- helpers ------------------------------------------------------------------------
    def _finish(self, vectors: np.ndarray, n: int) -> np.ndarray:
        """Check shape, cast to float32 and L2-normalise (backends differ on normalising)."""
        arr = np.asarray(vectors, dtype=np.float32)
        if arr.ndim != 2 or arr.shape[0] != n:
            raise EmbeddingError(f"{self.name}: expected {n} vectors, got array of shape {arr.shape}")
        norms = np.linalg.norm(arr, axis=1, keepdims=True)
        # A zero vector (empty text on some backends) stays zero instead of becoming NaN.
        return np.ascontiguousarray(arr / np.maximum(norms, 1e-12), dtype=np.float32)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


def check_texts(texts: Sequence[str]) -> list[str]:
    """Validate input texts; a bare string is a caller bug (it would embed each character)."""
    if isinstance(texts, str):
        raise TypeError("expected a list of texts, got a single str")
    items = list(texts)
    for i, t in enumerate(items):
        if not isinstance(t, str):
            raise TypeError(f"text #{i} is {type(t).__name__}, expected str")
    # NUL would silently cut the text in C backends (char*): drop it.
    return [t.replace("\x00", " ") if "\x00" in t else t for t in items]


def package_version(dist: str) -> str:
    """Installed version of a distribution without importing it."""
    try:
        return importlib_metadata.version(dist)
    except importlib_metadata.PackageNotFoundError:
        return "unknown"
