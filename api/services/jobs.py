"""Uploads as background jobs: ``POST /api/v1/documents`` with ``background=true`` answers
202 at once with a job id; one worker thread per process ingests the queued files in order
(parsing and embedding outside the KB lock, see ``curation.upload_document``) and the job
reports its stage and progress at ``GET /api/v1/upload-jobs/{job_id}``.

Jobs live in the process that accepted the upload (its memory, not the database): with several
API workers, poll the worker that answered the POST, or use the audit log (``kb.upload``).
Finished jobs are forgotten after an hour.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from api.services.errors import ServiceError

if TYPE_CHECKING:
    from api.auth import Principal
    from api.context import Context as Runtime  # services see the context, not the runtime

log = logging.getLogger("lantunan.api.jobs")
KEEP_FINISHED = 3600.0


@dataclass
class UploadJob:
    """One queued upload and how far it got."""

    id: str
    filename: str
    by: str
    stage: str = "queued"  # queued | parsing | embedding | switching | done | failed
    done: int = 0
    total: int = 0
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    created_at: float = field(default_factory=time.time)
    finished_at: float | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON shape of the job."""
        return {"job_id": self.id, "file": self.filename, "by": self.by, "stage": self.stage,
                "done": self.done, "total": self.total, "result": self.result,
                "error": self.error, "created_at": self.created_at,
                "finished_at": self.finished_at}


class UploadJobs:
    """The job queue of one process."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.jobs: dict[str, UploadJob] = {}
        self._queue: queue.Queue[tuple[UploadJob, Principal, bytes, str | None, str | None]] = \
            queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, principal: Principal, filename: str, data: bytes, status: str | None,
               replaced_by: str | None) -> UploadJob:
        """Check what can be refused now (422/413 at once), then queue the ingest."""
        from api.services.curation import check_upload

        name = check_upload(self.rt, filename, data, status, replaced_by)
        job = UploadJob(uuid.uuid4().hex, name, principal.label)
        with self._lock:
            self._forget_old()
            self.jobs[job.id] = job
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="upload-jobs",
                                                daemon=True)
                self._thread.start()
        self._queue.put((job, principal, data, status, replaced_by))
        return job

    def get(self, job_id: str) -> UploadJob:
        """The job, or 404."""
        job = self.jobs.get(job_id)
        if job is None:
            raise ServiceError(404, f"Pekerjaan unggah {job_id} tidak ditemukan (mungkin "
                                    "diterima proses lain atau sudah lebih dari satu jam).",
                               "not_found")
        return job

    def _forget_old(self) -> None:
        cutoff = time.time() - KEEP_FINISHED
        for jid in [j.id for j in self.jobs.values() if j.finished_at and j.finished_at < cutoff]:
            del self.jobs[jid]

    def _run(self) -> None:
        from api.services.curation import upload_document

        while True:
            job, principal, data, status, replaced_by = self._queue.get()

            def report(stage: str, done: int, total: int, job: UploadJob = job) -> None:
                job.stage = stage
                if done >= 0 and total >= 0:
                    job.done, job.total = done, total

            try:
                job.result = upload_document(self.rt, principal, job.filename, data, status,
                                             replaced_by, report=report)
                job.stage = "done"
            except ServiceError as exc:
                job.stage, job.error = "failed", exc.to_json()
            except Exception as exc:  # noqa: BLE001 (a job never kills the queue)
                log.exception("upload job failed", extra={"job": job.id})
                job.stage = "failed"
                job.error = {"detail": f"Gagal memproses berkas: {type(exc).__name__}",
                             "code": "job_failed"}
            finally:
                job.finished_at = time.time()
                self._queue.task_done()


def jobs_of(rt: Runtime) -> UploadJobs:
    """The runtime's upload jobs (created on first use)."""
    existing = getattr(rt, "_upload_jobs", None)
    if existing is None:
        existing = UploadJobs(rt)
        rt._upload_jobs = existing  # type: ignore[attr-defined]
    return existing
