"""Decide what kind of document a loaded file is, from its content rather than its extension."""

from __future__ import annotations

import csv
import io
import re

import yaml

from ingest.models import IngestError, LoadedText
from knowledge.models import DocKind

# Header "kind" values a curator may write, in English or Indonesian.
_KIND_NAMES: dict[str, DocKind] = {
    "regulation": DocKind.REGULATION,
    "peraturan": DocKind.REGULATION,
    "statute": DocKind.REGULATION,
    "law": DocKind.REGULATION,
    "sop": DocKind.SOP,
    "panduan": DocKind.SOP,
    "guide": DocKind.SOP,
    "faq": DocKind.FAQ,
}

# FAQ column/key names (with Indonesian aliases) shared with the FAQ parser.
FAQ_KEY_ALIASES: dict[str, str] = {
    "id": "id",
    "question": "question",
    "pertanyaan": "question",
    "answer": "answer",
    "jawaban": "answer",
    "variants": "variants",
    "variant": "variants",
    "variasi": "variants",
    "varian": "variants",
    "sources": "sources",
    "source": "sources",
    "sumber": "sources",
    "reviewed": "reviewed",
    "ditinjau": "reviewed",
    "tanggal_tinjau": "reviewed",
}


def canonical_faq_key(name: str) -> str:
    """Canonical FAQ field name for a column/key ("Pertanyaan" -> "question"), else the name."""
    key = re.sub(r"[\s\-]+", "_", str(name).strip().lower())
    return FAQ_KEY_ALIASES.get(key, key)


def _has_faq_fields(names: object) -> bool:
    """True when the given key/column names include a question and an answer."""
    if not isinstance(names, (list, tuple, set, dict)):
        return False
    keys = {canonical_faq_key(n) for n in names if isinstance(n, str)}
    return {"question", "answer"} <= keys


def _looks_like_faq_yaml(text: str) -> bool:
    """YAML holding FAQ entries; unparsable YAML counts too, so the FAQ parser can name the line."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return True
    except ValueError:  # an impossible date such as 2026-13-01: still an FAQ, the parser reports it
        return True
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        data = lists[0] if len(lists) == 1 else data
    return isinstance(data, list) and any(isinstance(e, dict) and _has_faq_fields(e) for e in data)


def _looks_like_faq_csv(text: str) -> bool:
    """CSV whose first row names a question and an answer column."""
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    delimiter = max(",;\t", key=first.count)
    try:
        row = next(csv.reader(io.StringIO(first), delimiter=delimiter))
    except (csv.Error, StopIteration):
        return False
    return _has_faq_fields(row)


def _looks_like_statute(body: str) -> bool:
    """Delegate to the regulation parser's detector (imported lazily: it is a heavy module)."""
    from ingest.statute import looks_like_statute

    return looks_like_statute(body)


def detect_kind(loaded: LoadedText) -> DocKind:
    """REGULATION, SOP or FAQ for a loaded file; a header `kind:` line overrides detection."""
    declared = loaded.header.get("kind") or loaded.header.get("jenis")
    if declared:
        kind = _KIND_NAMES.get(declared.strip().lower())
        if kind is None:
            allowed = ", ".join(sorted(_KIND_NAMES))
            reason = f"nilai header 'kind' tidak dikenal: {declared!r}; pilih salah satu: {allowed}"
            raise IngestError(loaded.path, reason)
        return kind
    if loaded.fmt in ("yaml", "csv"):
        found = _looks_like_faq_yaml(loaded.text) if loaded.fmt == "yaml" else _looks_like_faq_csv(loaded.text)
        if not found:
            raise IngestError(
                loaded.path,
                f"berkas {loaded.fmt.upper()} bukan FAQ: perlu kolom/kunci 'question' (pertanyaan) "
                "dan 'answer' (jawaban)",
            )
        return DocKind.FAQ
    if _looks_like_statute(loaded.text):
        return DocKind.REGULATION
    return DocKind.SOP
