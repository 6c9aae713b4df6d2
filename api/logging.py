"""Structured JSON logs with personal data masked (NIK, NPWP, phone numbers, e-mail, secrets).

Applicants type their NIK and phone numbers into WhatsApp; logs are read by more people than
the database, so every record is masked on the way out, whatever logger produced it.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone
from typing import Any

# One masking function for logs, audit entries and the console (api/masking.py).
from api.masking import mask_pii, mask_value as _mask_value

__all__ = ["JsonFormatter", "MaskingTextFormatter", "configure_logging", "mask_pii"]


_STD_ATTRS = set(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime", "color_message"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and any ``extra=`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_pii(record.getMessage()),
        }
        for key, value in record.__dict__.items():
            if key not in _STD_ATTRS and not key.startswith("_"):
                payload[key] = _mask_value(value)
        if record.exc_info:
            payload["exc"] = mask_pii(self.formatException(record.exc_info))
        return json.dumps(payload, ensure_ascii=False, default=str)


class MaskingTextFormatter(logging.Formatter):
    """Plain-text logs, still masked (for operators who turn JSON off)."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_pii(super().format(record))


def configure_logging(json_logs: bool = True, level: int = logging.INFO) -> None:
    """Route every logger (ours, uvicorn's) through one masked handler on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter()
        if json_logs
        else MaskingTextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    # On the handler too: some libraries (bm25s) force their own logger to DEBUG on import.
    handler.setLevel(level)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        lg = logging.getLogger(name)
        lg.handlers[:] = []
        lg.propagate = True
    # Libraries that chatter at INFO about internals nobody operating the service needs.
    for name in ("httpx", "httpcore", "chromadb", "urllib3", "bm25s", "multipart"):
        logging.getLogger(name).setLevel(logging.WARNING)
