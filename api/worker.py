"""Background worker: drafts stored messages, sends recorded intents, sweeps expired leases.

It runs in a thread of the API process (the responder is CPU-bound, synchronous code). The
webhook wakes it after storing a message; it also polls, so messages stored by another
process, or left pending by a crash, are picked up too.
"""

from __future__ import annotations

import logging
import threading
import time

from api.context import Context
from api.services.delivery import deliver_stale_pending, recover_interrupted
from api.services.processing import claim_next_inbound, process_message

log = logging.getLogger("lantunan.api.worker")

SWEEP_EVERY = 30.0  # seconds between expired-lease sweeps


class Worker:
    """One processing loop per service process."""

    def __init__(self, rt: Context) -> None:
        self.rt = rt
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_sweep = 0.0

    def start(self) -> None:
        """Start the loop in a daemon thread."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="lantunan-worker", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the loop to stop and wait for the current message to finish."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def wake(self) -> None:
        """Process now rather than at the next poll."""
        self._wake.set()

    def run_once(self) -> int:
        """Draft every ready message and send stale intents; returns how many were handled."""
        handled = 0
        while not self._stop.is_set():
            mid = claim_next_inbound(self.rt)
            if mid is None:
                break
            outcome = process_message(self.rt, mid)
            if outcome == "not_ready":
                break
            handled += 1
        handled += deliver_stale_pending(self.rt)
        if time.monotonic() - self._last_sweep > SWEEP_EVERY:
            self._last_sweep = time.monotonic()
            recover_interrupted(self.rt, at_startup=False)
        return handled

    def _run(self) -> None:
        # Nothing to draft with until the knowledge base and responder are loaded.
        while not self._stop.is_set() and not self.rt.ready.is_set():
            self._wake.wait(0.5)
            self._wake.clear()
        interval = max(0.05, self.rt.settings.api_poll_interval)
        delay = self.rt.settings.api_process_delay
        # A processing delay is a deadline, so poll at least that often.
        wait = min(interval, delay) if delay > 0 else interval
        while not self._stop.is_set():
            self._wake.clear()  # before the pass: a wake during it triggers another pass
            try:
                self.run_once()
            except Exception:  # keep the loop alive: the next poll retries
                log.exception("worker iteration failed")
                self._stop.wait(1.0)
            self._wake.wait(wait)


def attach_worker(ctx: Context) -> Worker:
    """A worker for ``ctx`` (``ctx.worker``), started when the settings enable it; stopping
    the runtime stops it."""
    worker = Worker(ctx)
    ctx.worker = worker
    if ctx.settings.api_worker_enabled:
        worker.start()
    return worker
