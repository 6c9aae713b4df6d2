"""A statute file as a REGULATION `Document`: identity, title, status and its chunks.

`parse_regulation` runs the statute parser (`ingest.statute_parser`), fills in what the text
lacks from the file's header block or its name ("pp-28-2025.txt"), reads the status the
curator gave it (berlaku / diubah / dicabut) and cuts the chunks (`ingest.statute_chunks`).
"""

from __future__ import annotations

from ingest.models import IngestError, LoadedText, ParsedDocument
from ingest.statute import FILE_NAME_RE, TYPES, Statute, collapse, identity, smart_title
from ingest.statute_chunks import statute_chunks
from ingest.statute_parser import parse_statute
from knowledge.models import DocKind, DocStatus, Document, content_hash

_STATUS_WORDS = {
    "berlaku": DocStatus.BERLAKU,
    "in force": DocStatus.BERLAKU,
    "diubah": DocStatus.DIUBAH,
    "amended": DocStatus.DIUBAH,
    "dicabut": DocStatus.DICABUT,
    "revoked": DocStatus.DICABUT,
}


def _status(header: dict[str, str], path: str) -> DocStatus:
    raw = header.get("status", "").strip().lower()
    if not raw:
        return DocStatus.BERLAKU
    for word, status in _STATUS_WORDS.items():
        if raw.startswith(word):
            return status
    raise IngestError(path, f"status '{raw}' tidak dikenal (pakai: berlaku, diubah, dicabut)")


Identity = tuple[str | None, str | None, int | None, str]  # type, number, year, long type name


def _resolve_identity(statute: Statute, loaded: LoadedText, doc_id: str) -> Identity:
    """The statute's own heading first, then the file's header title, then its file name."""
    found: Identity = (statute.type, statute.number, statute.year, statute.type_name)
    header_title = loaded.header.get("title", "")
    if not all(found[:3]) and header_title:
        found = identity(collapse(header_title).upper())
    if not all(found[:3]):
        m = FILE_NAME_RE.match(loaded.source_name) or FILE_NAME_RE.match(doc_id)
        wanted = m.group("type").lower() if m else ""
        match = next((t for t in TYPES if t[1].lower() == wanted), None)
        if m and match:
            found = (match[1], m.group("number").upper(), int(m.group("year")), match[2])
    return found


def _metadata(statute: Statute, type_: str | None) -> dict[str, str]:
    """What the catalog shows curators about the parse: counts, warnings, OCR repairs."""
    metadata = {
        "type": type_ or "",
        "pasal_count": str(len(statute.pasal)),
        "penjelasan_count": str(sum(1 for p in statute.pasal if p.penjelasan is not None)),
    }
    if statute.warnings:
        metadata["warnings"] = "; ".join(statute.warnings)
    if statute.ocr_log.repairs:
        metadata["ocr_repairs"] = str(len(statute.ocr_log.repairs))
    return metadata


def parse_regulation(loaded: LoadedText, doc_id: str) -> ParsedDocument:
    """Parse a loaded statute file into a REGULATION `Document` and its citable chunks."""
    statute = parse_statute(loaded.text)
    if not statute.pasal:
        raise IngestError(loaded.path, "tidak ditemukan judul 'Pasal 1' - bukan teks peraturan yang dikenali")
    type_, number, year, type_name = _resolve_identity(statute, loaded, doc_id)
    short = f"{type_} {number}/{year}" if type_ and number and year else doc_id
    if statute.title and type_name and number and year:
        title = f"{type_name} Nomor {number} Tahun {year} tentang {smart_title(statute.title)}"
    else:
        title = loaded.header.get("title", "") or short
    replaced_by = loaded.header.get("replaced_by") or loaded.header.get("replaced-by") or None
    chunks = statute_chunks(statute, doc_id, short)
    document = Document(
        id=doc_id,
        source_name=loaded.source_name,
        kind=DocKind.REGULATION,
        title=title,
        short_name=short,
        number=number,
        year=year,
        status=_status(loaded.header, loaded.path),
        replaced_by=replaced_by,
        content_hash=content_hash(loaded.raw or loaded.text),
        chunk_count=len(chunks),
        metadata=_metadata(statute, type_),
    )
    return ParsedDocument(document=document, chunks=chunks, ocr_log=statute.ocr_log)
