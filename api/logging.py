"""Structured JSON logs with personal data masked (NIK, NPWP, phone numbers, e-mail, secrets).

Applicants type their NIK and phone numbers into WhatsApp; logs are read by more people than
the database, so every record is masked on the way out, whatever logger produced it.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import datetime, timezone
from typing import Any

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
# NPWP: 15 digits, usually written 99.999.999.9-999.999 (16-digit NPWP = NIK, masked below).
_NPWP = re.compile(r"\b\d{2}\.\d{3}\.\d{3}\.\d-\d{3}\.\d{3}\b")
_NIK = re.compile(r"(?<!\d)\d{16}(?!\d)")
# Indonesian mobile numbers: +62 / 62 / 0 followed by 8xx and 7-11 more digits, with optional
# spaces or dashes; also wa_id (62...) values.
_PHONE = re.compile(r"(?<![\w])(?:\+?62|0)[\s-]?8\d{1,3}(?:[\s-]?\d{2,4}){2,4}(?!\d)")
_SECRET_PARAM = re.compile(
    r"((?:hub\.verify_token|token|key|api_key|access_token)=)[^&\s\"']+", re.IGNORECASE
)
_BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE)


def _keep_tail(value: str, keep: int = 3) -> str:
    """Replace every digit/letter but the last ``keep`` with '*'."""
    chars = [c for c in value if c.isalnum()]
    tail = "".join(chars[-keep:])
    return "*" * max(len(chars) - keep, 3) + tail


def mask_pii(text: str) -> str:
    """Text with NIK, NPWP, phone numbers, e-mail addresses and credentials masked."""
    if not text:
        return text
    text = _BEARER.sub(r"\1***", text)
    text = _SECRET_PARAM.sub(r"\1***", text)
    text = _EMAIL.sub(lambda m: "***@" + m.group(0).split("@", 1)[1], text)
    text = _NPWP.sub(lambda m: "[NPWP " + _keep_tail(m.group(0)) + "]", text)
    text = _NIK.sub(lambda m: "[NIK " + _keep_tail(m.group(0)) + "]", text)
    text = _PHONE.sub(lambda m: "[TEL " + _keep_tail(m.group(0)) + "]", text)
    return text


def _mask_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask_pii(value)
    if isinstance(value, dict):
        return {k: _mask_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_mask_value(v) for v in value]
    return value


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
