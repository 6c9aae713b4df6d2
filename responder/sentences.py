"""Splitting replies and legal passages into sentence-sized units."""

from __future__ import annotations

import re

# Sentence ends: ". " / "? " / "! " followed by a capital, digit or "(", and newlines.
_SENT_END = re.compile(r"(?<=[.!?;])\s+(?=[A-Z0-9(\"'])|\n+")
# Ayat starts "(2) " inside a joined Pasal text; also where a scan lost the full stop before the
# label ("… perundang-undangan (3) Pengawasan eksternal …"), unless the label is a reference
# ("ayat (3) Pasal 5").
_AYAT = re.compile(r"(?<=[.;:])\s+(?=\(\d{1,2}[a-z]?\)\s)|"
                   r"(?<=[a-z])(?<!\bayat)\s+(?=\(\d{1,2}[a-z]?\)\s+[A-Z][a-z])")
_ABBREV_END = re.compile(r"(?:\b(?:No|Nomor|hlm|dst|dll|dsb|Jl|Tbk|a|b|c|d|e|f|g|h|i|j|k|l|m|n|o|p|q|r|s|t|u|v|w|x|y|z|[0-9]{1,2})\.)$")


def split_sentences(text: str) -> list[str]:
    """Sentences of a reply or a passage (list markers "a." / "1." do not end a sentence)."""
    pieces: list[str] = []
    for part in _AYAT.split(text):
        buf = ""
        for seg in _SENT_END.split(part):
            seg = seg.strip()
            if not seg:
                continue
            buf = f"{buf} {seg}".strip() if buf else seg
            if _ABBREV_END.search(buf):
                continue  # "huruf a." / "No." — keep reading
            pieces.append(buf)
            buf = ""
        if buf:
            pieces.append(buf)
    return [p for p in pieces if len(p) > 1]
