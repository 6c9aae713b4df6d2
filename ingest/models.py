"""What a parser hands to the ingest pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from knowledge.models import Chunk, Document, ReviewedAnswer


class IngestError(Exception):
    """A file that cannot be ingested; the message is for the curator and names the file."""

    def __init__(self, path: str, reason: str, line: int | None = None) -> None:
        self.path = path
        self.reason = reason
        self.line = line
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {reason}")


@dataclass
class LoadedText:
    """A file read into text, with the `# Key: value` header block parsed out."""

    path: str
    source_name: str
    text: str  # body, header block removed
    header: dict[str, str] = field(default_factory=dict)  # lower-cased keys: "title", "source"
    raw: bytes = b""  # original bytes, for the content hash
    fmt: str = "txt"  # pdf, docx, md, txt, html, yaml, csv


@dataclass
class ParsedDocument:
    """A document split into citable chunks (and reviewed answers, for FAQ files)."""

    document: Document
    chunks: list[Chunk] = field(default_factory=list)
    reviewed_answers: list[ReviewedAnswer] = field(default_factory=list)
    ocr_log: Any = None  # ingest.ocr_repair.RepairLog for statutes; None for SOP/FAQ
