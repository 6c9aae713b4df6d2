"""Uploads as background jobs. ``POST /api/v1/documents`` with ``background=true`` and every
console upload answer at once with a job id; one worker thread per process ingests the queued
files in order (parsing and embedding outside the KB lock, see ``curation.upload_document``).

The job's stage and progress live in the ``upload_jobs`` table, so any worker answers
``GET /api/v1/upload-jobs/{job_id}`` and the console's progress page. The file's bytes stay in
the memory of the process that accepted it: a job whose process died (restart, crash) cannot
go on, and the next start marks it failed with the reason ``interrupted``.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select

from api import audit
from api.db import UploadJob, utcnow
from api.services.errors import ServiceError

if TYPE_CHECKING:
    from api.auth import Principal
    from api.context import Context as Runtime  # services see the context, not the runtime

log = logging.getLogger("lantunan.api.jobs")
RUNNING = ("queued", "parsing", "embedding", "switching")
KEEP_FINISHED = timedelta(days=30)  # finished rows are pruned after this
SILENT_OWNER = timedelta(hours=1)  # another host's job with no progress this long is dead
WRITE_EVERY = 0.5  # seconds between progress writes within one stage
INTERRUPTED = ("Pemrosesan terhenti karena layanan dimulai ulang sebelum selesai; dokumen lama "
               "tetap dipakai. Unggah ulang berkasnya.")


def _epoch(at: datetime | None) -> float | None:
    return at.timestamp() if at else None


def describe(job: dict[str, Any]) -> str:
    """What the job is doing, in Indonesian, for the console."""
    stage, done, total = job["stage"], job["done"], job["total"]
    chunks = f" ({job['chunks']} potongan)" if job.get("chunks") else ""
    if stage == "queued":
        return "Menunggu giliran: unggahan lain sedang diproses."
    if stage == "parsing":
        return "Membaca dan memotong berkas…"
    if stage == "embedding":
        return f"Menyematkan teks{chunks}: {done} dari {total} bagian."
    if stage == "switching":
        return f"Memasang dokumen ke indeks{chunks}…"
    if stage == "done":
        result = job.get("result") or {}
        doc = (result.get("document") or {}).get("id", job["file"])
        outcome = {"added": "ditambahkan", "replaced": "diganti",
                   "unchanged": "tidak berubah"}.get(result.get("outcome", ""), "selesai")
        return f"Selesai: dokumen {doc} {outcome}, {result.get('chunks', 0)} potongan."
    reason = (job.get("error") or {}).get("detail") or "alasan tidak diketahui"
    return f"Gagal: {reason}"


def job_json(row: UploadJob) -> dict[str, Any]:
    """JSON shape of a job (times as epoch seconds), with its Indonesian description."""
    out = {"job_id": row.id, "file": row.filename, "by": row.actor, "stage": row.stage,
           "done": row.done, "total": row.total, "chunks": row.chunks, "result": row.result,
           "error": row.error, "created_at": _epoch(row.created_at),
           "updated_at": _epoch(row.updated_at), "finished_at": _epoch(row.finished_at)}
    out["message"] = describe(out)
    return out


class UploadJobs:
    """The job queue of one process; the job records in the database."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self._queue: queue.Queue[tuple[str, Principal, bytes, str | None, str | None]] = \
            queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, principal: Principal, filename: str, data: bytes, status: str | None,
               replaced_by: str | None) -> dict[str, Any]:
        """Check what can be refused now (422/413 at once), then record and queue the ingest."""
        from api.services.curation import check_upload

        name = check_upload(self.rt, filename, data, status, replaced_by)
        now = utcnow()
        row = UploadJob(id=uuid.uuid4().hex, filename=name, actor=principal.label,
                        owner=self.rt.owner, stage="queued", done=0, total=0, created_at=now,
                        updated_at=now)
        with self.rt.db.transaction() as s:
            s.execute(delete(UploadJob).where(UploadJob.finished_at < now - KEEP_FINISHED))
            s.add(row)
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="upload-jobs",
                                                daemon=True)
                self._thread.start()
        self._queue.put((row.id, principal, data, status, replaced_by))
        return job_json(row)

    def get(self, job_id: str) -> dict[str, Any]:
        """The job, or 404."""
        with self.rt.db.transaction() as s:
            row = s.get(UploadJob, job_id)
            if row is None:
                raise ServiceError(404, f"Pekerjaan unggah {job_id} tidak ditemukan.",
                                   "not_found")
            return job_json(row)

    def recent(self, limit: int = 5, within: timedelta = timedelta(hours=1)
               ) -> list[dict[str, Any]]:
        """Running jobs and those finished within ``within``, newest first (console list)."""
        since = utcnow() - within
        with self.rt.db.transaction() as s:
            rows = s.scalars(select(UploadJob).where(
                (UploadJob.finished_at.is_(None)) | (UploadJob.finished_at >= since))
                .order_by(UploadJob.created_at.desc()).limit(limit))
            return [job_json(r) for r in rows]

    def _update(self, job_id: str, **values: Any) -> None:
        with self.rt.db.transaction() as s:
            row = s.get(UploadJob, job_id)
            if row is not None:
                for key, value in values.items():
                    setattr(row, key, value)
                row.updated_at = utcnow()

    def _reporter(self, job_id: str) -> tuple[Any, dict[str, Any]]:
        """``report(stage, done, total, chunks=None)`` for ``upload_document``: a stage change
        is written at once, counts at most every ``WRITE_EVERY`` seconds (each write is a
        transaction that webhook writes would otherwise queue behind)."""
        state: dict[str, Any] = {"stage": "queued", "at": 0.0, "done": 0, "total": 0}

        def report(stage: str, done: int = -1, total: int = -1, chunks: int | None = None
                   ) -> None:
            values: dict[str, Any] = {}
            news = stage != state["stage"] or chunks is not None
            if done >= 0 and total >= 0:
                news = news or total != state["total"] or (total > 0 and done >= total)
                state["done"], state["total"] = done, total
                values.update(done=done, total=total)
            if chunks is not None:
                values["chunks"] = chunks
            if not news and time.monotonic() - state["at"] < WRITE_EVERY:
                return
            state["stage"], state["at"] = stage, time.monotonic()
            self._update(job_id, stage=stage, **values)

        return report, state

    def _run(self) -> None:
        from api.services.curation import upload_document

        while True:
            job_id, principal, data, status, replaced_by = self._queue.get()
            report, state = self._reporter(job_id)
            try:
                with self.rt.db.transaction() as s:
                    name = s.get(UploadJob, job_id).filename  # type: ignore[union-attr]
                result = upload_document(self.rt, principal, name, data, status, replaced_by,
                                         report=report)
                self._update(job_id, stage="done", result=result, finished_at=utcnow())
            except ServiceError as exc:
                # The stage it failed in tells the curator how far it got.
                self._update(job_id, stage="failed", finished_at=utcnow(),
                             error={**exc.to_json(), "stage": state["stage"]})
            except Exception as exc:  # noqa: BLE001 (a job never kills the queue)
                log.exception("upload job failed", extra={"job": job_id})
                error = {"detail": f"Gagal memproses berkas ({type(exc).__name__}).",
                         "code": "job_failed", "stage": state["stage"]}
                try:
                    self._update(job_id, stage="failed", error=error, finished_at=utcnow())
                except Exception:  # noqa: BLE001 (database gone: the next start recovers it)
                    log.exception("could not record the failed upload job")
            finally:
                self._queue.task_done()


def recover_interrupted_jobs(rt: Runtime) -> int:
    """At startup: a job whose process is gone will never finish (its bytes were in that
    process's memory); mark it failed with the reason ``interrupted``. Returns how many."""
    from api.services.delivery import _owner_dead

    now = utcnow()
    count = 0
    with rt.db.transaction() as s:
        for row in s.scalars(select(UploadJob).where(UploadJob.stage.in_(RUNNING))):
            if not _owner_dead(row.owner, row.updated_at + SILENT_OWNER, now):
                continue
            previous = row.stage
            row.stage, row.finished_at, row.updated_at = "failed", now, now
            row.error = {"detail": INTERRUPTED, "code": "interrupted", "stage": previous}
            audit.record(s, "system", "kb.upload_interrupted", "upload_job", row.id, None,
                         {"file": row.filename, "stage": previous, "owner": row.owner})
            count += 1
    return count


_CREATE = threading.Lock()


def jobs_of(rt: Runtime) -> UploadJobs:
    """The runtime's upload jobs (created on first use; one queue per process, so uploads
    run one after the other)."""
    with _CREATE:
        existing = getattr(rt, "_upload_jobs", None)
        if existing is None:
            existing = UploadJobs(rt)
            rt._upload_jobs = existing  # type: ignore[attr-defined]
        return existing
