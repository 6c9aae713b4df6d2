"""An OpenAI-compatible ``/v1/embeddings`` endpoint (Ollama, vLLM, llama.cpp server, a hosted API)."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

import httpx
import numpy as np

from knowledge.embedder import Embedder, EmbeddingError

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
