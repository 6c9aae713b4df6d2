"""Ingest files into the knowledge base: load → detect kind → parse → upsert (atomic per file).

One bad file never stops the run: its error is reported with the file name (and line), the
other files are ingested, and nothing of the bad file reaches the store.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ingest.models import IngestError, ParsedDocument
from knowledge.models import DocKind, DocStatus, content_hash
from knowledge.store import KnowledgeBase

# Part of every document's content hash: bump it when parsing or chunking changes, so that
# re-ingesting unchanged files after an upgrade re-chunks them (vectors come from the cache).
INGEST_VERSION = "11"  # 8: OCR repair of statute body text; 9: initial-I and multi-glyph readings;
# 10: a stray quote after an ayat label; 11: "P" read as "F" ("Pemerintah Fusat")


@dataclass
class FileResult:
    """What happened to one file."""

    path: str
    doc_id: str | None
    outcome: str  # added | replaced | unchanged | failed
    chunks: int = 0
    error: str | None = None
    kind: str | None = None


@dataclass
class IngestReport:
    """Per-file results of one ingest run."""

    results: list[FileResult] = field(default_factory=list)

    @property
    def failed(self) -> list[FileResult]:
        """Files that were not ingested."""
        return [r for r in self.results if r.outcome == "failed"]

    @property
    def ok(self) -> bool:
        """True when every file was ingested (or already was)."""
        return not self.failed


def doc_id_for(path: Path) -> str:
    """Stable document id from a file name: "PP 6 2021.txt" → "pp-6-2021"."""
    stem = unicodedata.normalize("NFKD", path.stem).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")
    return slug or "dokumen"


def parse_file(path: Path, status: DocStatus | None = None,
               replaced_by: str | None = None) -> ParsedDocument:
    """Load and parse one file; raises IngestError with a message naming the file."""
    from ingest.detect import detect_kind
    from ingest.loaders import load_file

    loaded = load_file(path)
    doc_id = doc_id_for(path)
    kind = detect_kind(loaded)
    if kind == DocKind.REGULATION:
        from ingest.regulation import parse_regulation

        parsed = parse_regulation(loaded, doc_id)
    elif kind == DocKind.FAQ:
        from ingest.faq import parse_faq

        parsed = parse_faq(loaded, doc_id)
    else:
        from ingest.sop import parse_sop

        parsed = parse_sop(loaded, doc_id)
    if not parsed.chunks:
        raise IngestError(str(path), "tidak ada teks yang dapat diambil dari berkas ini")
    doc = replace(parsed.document, content_hash=content_hash(
        INGEST_VERSION.encode() + b"\0" + (loaded.raw or loaded.text.encode())))
    if status is not None:
        doc = replace(doc, status=DocStatus(status), replaced_by=replaced_by)
    elif replaced_by:
        doc = replace(doc, replaced_by=replaced_by)
    parsed.document = doc
    return parsed


def ingest_file(kb: KnowledgeBase, path: Path, status: DocStatus | None = None,
                replaced_by: str | None = None, show_progress: bool = False) -> FileResult:
    """Ingest one file; errors become a failed FileResult, never a half-written store."""
    try:
        parsed = parse_file(path, status, replaced_by)
        existing = kb.get_document(parsed.document.id)
        if status is None and existing is not None and existing.status != DocStatus.BERLAKU \
                and parsed.document.status == DocStatus.BERLAKU:
            # A curator's status decision outlives a re-upload of the text.
            parsed.document = replace(parsed.document, status=existing.status,
                                      replaced_by=parsed.document.replaced_by or existing.replaced_by)
        bar = _embed_bar(path.name) if show_progress else None
        outcome = kb.upsert(parsed, progress=bar)
        if bar is not None:
            bar(-1, -1)
        if outcome in ("added", "replaced"):
            write_ocr_log(kb, parsed)
        return FileResult(str(path), parsed.document.id, outcome, len(parsed.chunks),
                          kind=parsed.document.kind.value)
    except IngestError as e:
        return FileResult(str(path), None, "failed", error=str(e))
    except (OSError, ValueError, UnicodeError) as e:
        return FileResult(str(path), None, "failed", error=f"{path}: {e}")


def ocr_log_path(kb: KnowledgeBase, doc_id: str) -> Path:
    """Where a document's OCR repair log lives: `<data dir>/ocr_repairs/<doc_id>.json`."""
    return kb.catalog.path.parent / "ocr_repairs" / f"{doc_id}.json"


def write_ocr_log(kb: KnowledgeBase, parsed: ParsedDocument) -> None:
    """Keep a statute's OCR repairs and the raw text of every repaired passage, for audit.

    A file beside the catalog rather than a catalog column: the catalog schema and every
    reader of it stay as they are, and the log (hundreds of records for a scanned PP) never
    weighs on document listings. The file is replaced on every re-ingest of the document;
    a stale file of a document ingested without repairs is removed.
    """
    path = ocr_log_path(kb, parsed.document.id)
    log = parsed.ocr_log
    if log is None or not log.repairs:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"doc_id": parsed.document.id, "source_name": parsed.document.source_name,
            "content_hash": parsed.document.content_hash, **log.to_json()}
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)  # atomic: a reader never sees half a log


def ingest_paths(kb: KnowledgeBase, paths: Sequence[Path], status: DocStatus | None = None,
                 replaced_by: str | None = None, progress: bool = True) -> IngestReport:
    """Ingest files and folders (recursively); see IngestReport for the outcome."""
    from ingest.loaders import iter_files

    files, errors = iter_files([Path(p) for p in paths])
    report = IngestReport([FileResult(e.path, None, "failed", error=str(e)) for e in errors])
    for path in files:
        if progress:
            print(f"• {path}", file=sys.stderr, flush=True)
        report.results.append(ingest_file(kb, path, status, replaced_by, show_progress=progress))
    return report


def _embed_bar(label: str):
    """A tqdm progress bar for embedding, driven by KnowledgeBase's progress callback."""
    from tqdm import tqdm

    state: dict[str, tqdm] = {}

    def update(done: int, total: int) -> None:
        if total < 0:
            if "bar" in state:
                state["bar"].close()
            return
        if "bar" not in state:
            state["bar"] = tqdm(total=total, desc=f"  embed {label}", unit="chunk",
                                file=sys.stderr, leave=False)
        state["bar"].n = done
        state["bar"].refresh()

    return update
