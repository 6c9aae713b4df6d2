"""The service context: what the worker and the services need from a running process.

Settings, database, sender, access to the knowledge base and responder (which load in the
background, hence ``NotReady``), the KB write lock, the lease owner of claimed rows, and a
worker (attached by whoever runs one). It sits *below* the services and the worker: they import this
module and nothing above it. ``api.runtime.Runtime`` extends it with the process lifecycle,
and the app's lifespan wires the worker to it (``api.app``), so no module of ``api`` imports a
module that imports it back.
"""

from __future__ import annotations

import os
import socket
import threading
from typing import Any, Protocol

from api.db import Database
from api.sender import GraphSender
from lantunan.settings import Settings


class ResponderLike(Protocol):
    """What the worker needs from a responder (``responder.pipeline.Responder``)."""

    def respond(self, message: str, received_at: Any,
                conversation: list[tuple[str, str]] | None = None) -> Any: ...


class WorkerLike(Protocol):
    """What services need of the worker (``api.worker.Worker``)."""

    def wake(self) -> None: ...

    def stop(self, timeout: float = 10.0) -> None: ...


class NotReady(Exception):
    """The knowledge base or responder is still loading (or failed to load)."""


class Context:
    """Shared state of one service process, as services and the worker see it."""

    def __init__(self, settings: Settings, responder: ResponderLike | None = None,
                 kb: Any | None = None, sender: GraphSender | None = None) -> None:
        self.settings = settings
        self.db = Database(settings.db_url)
        self.sender = sender or GraphSender(settings)
        self.kb = kb
        self.responder = responder
        # Serialises KB writes (curation) against drafting: Chroma and BM25 rebuilds are not
        # meant to run under a concurrent reader in the same process.
        self.kb_lock = threading.RLock()
        self.ready = threading.Event()
        self.kb_error: str | None = None
        self.owner = f"{socket.gethostname()}:{os.getpid()}"  # lease owner of claimed rows
        # Attached by whoever runs a worker (the app's lifespan); a context without one (CLI,
        # tests) still stores messages, and a worker's poll picks them up later.
        self.worker: WorkerLike | None = None

    def require_kb(self) -> Any:
        """The knowledge base, or ``NotReady``."""
        if self.kb is None or not self.ready.is_set():
            raise NotReady(self.kb_error or "Basis pengetahuan sedang dimuat; coba lagi sebentar.")
        return self.kb

    def require_responder(self) -> ResponderLike:
        """The responder, or ``NotReady``."""
        if self.responder is None or not self.ready.is_set():
            raise NotReady(self.kb_error or "Penyusun jawaban sedang dimuat.")
        return self.responder
