"""The running service: the shared context (``api.context``: settings, database, sender,
knowledge base, responder, worker) plus its lifecycle. Routes and the worker reach each other
only through it; the app's lifespan attaches the worker (``api.worker.attach_worker``).

The knowledge base and responder load in a background thread (embedding the sample KB at
first start takes seconds): the webhook acknowledges and stores messages meanwhile, and the
worker starts drafting once the responder is ready.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from api.context import Context, NotReady, ResponderLike
from api.sender import GraphSender
from lantunan.settings import Settings

__all__ = ["REPO_SAMPLE_KB", "NotReady", "ResponderLike", "Runtime"]

log = logging.getLogger("lantunan.api")

REPO_SAMPLE_KB = Path(__file__).resolve().parents[1] / "sample_kb"


class Runtime(Context):
    """Shared state of one service process, with its lifecycle."""

    def __init__(self, settings: Settings, responder: ResponderLike | None = None,
                 kb: Any | None = None, sender: GraphSender | None = None) -> None:
        super().__init__(settings, responder=responder, kb=kb, sender=sender)
        self.retention: Any = None  # api.services.privacy.RetentionJob, started by start()
        self._loader: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------------------
    def start(self, background: bool = True) -> Path | None:
        """Migrate, bootstrap the first admin, recover interrupted work, load the KB, start the
        retention job. Returns the 0600 file holding a generated admin key when one was created.
        The worker is attached by the caller (``api.worker.attach_worker``), which also starts
        it."""
        from api.auth import bootstrap_admin, parse_channels
        from api.services.delivery import recover_interrupted
        from api.services.jobs import recover_interrupted_jobs

        from api.ratelimit import limits_of

        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        limits_of(self)  # parse the limit strings now: a typo stops the start, not a request
        parse_channels(self.settings.channel_api_key_channels)  # likewise a bad channel name
        self.db.migrate()
        admin_key = bootstrap_admin(self.db, self.settings.admin_key, self.settings.data_dir)
        recover_interrupted(self)
        recover_interrupted_jobs(self)  # uploads whose process died: failed, "interrupted"
        if background:
            self._loader = threading.Thread(target=self._load, name="kb-loader", daemon=True)
            self._loader.start()
        else:
            self._load()
        from api.services.privacy import RetentionJob  # daily retention (docs/privacy.md)

        self.retention = RetentionJob(self).start()
        return admin_key

    def stop(self) -> None:
        """Stop the worker and the retention job, release connections."""
        if self.worker is not None:
            self.worker.stop()
        if self.retention is not None:
            self.retention.stop()
        self.sender.close()
        self.db.dispose()

    def _load(self) -> None:
        """Open (and at first start seed) the knowledge base, then build the responder."""
        try:
            if self.kb is None:
                from knowledge.store import KnowledgeBase

                self.kb = KnowledgeBase(self.settings)
                self._seed_sample_kb()
            if self.responder is None:
                from responder.pipeline import Responder

                self.responder = Responder(self.kb, self.settings)
            self.ready.set()
            log.info("knowledge base and responder ready")
            if self.worker is not None:
                self.worker.wake()
        except Exception as exc:  # the service stays up (and says so in /readyz)
            self.kb_error = f"{type(exc).__name__}: {exc}"
            log.exception("knowledge base failed to load")

    def _seed_sample_kb(self) -> None:
        """Ingest the shipped sample KB when the KB is empty (first start)."""
        if not self.settings.seed_sample_kb or self.kb.documents():
            return
        folder = self.settings.sample_kb_dir or REPO_SAMPLE_KB
        if not folder.is_dir():
            log.warning("sample KB folder not found; starting with an empty KB",
                        extra={"folder": str(folder)})
            return
        from ingest.pipeline import ingest_paths

        with self.kb_lock:
            report = ingest_paths(self.kb, [folder], progress=False)
        log.info("sample KB ingested", extra={
            "files": len(report.results), "failed": [r.error for r in report.failed]})
