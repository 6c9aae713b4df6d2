"""One masking function for everything people read besides the conversation itself: logs, the
audit log (masked when written, see ``api.audit.record``), the console's lists and the audit
page, the curation API, and officer edits promoted to reviewed answers.

What is masked: NIK (16 digits, also grouped "6371 0123 ..."), NPWP (15 digits or
"12.345.678.9-012.345"), Indonesian and international phone numbers, e-mail addresses, bank
account numbers after "rekening", street addresses where a pattern can tell ("Jl. Ahmad Yani
No. 12", "RT 03/RW 02"), and credentials (``Bearer ...``, ``token=...``).

The personal-data detectors are the responder's own (``responder.guards.personal_data_spans``,
the same patterns that hand a message to an officer), plus a few looser log-era patterns, so
what the guard calls personal data is exactly what gets masked. A masked value keeps its last
three characters ("[NIK *************901]") so people can still tell two values apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from responder.guards import personal_data_spans

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_NPWP = re.compile(r"\b\d{2}\.\d{3}\.\d{3}\.\d-\d{3}\.\d{3}\b")
_NIK = re.compile(r"(?<!\d)\d{16}(?!\d)")
# Indonesian mobile numbers: +62 / 62 / 0, then 8xx and 7-11 more digits (spaces or dashes).
_PHONE = re.compile(r"(?<![\w])(?:\+?62|0)[\s-]?8\d{1,3}(?:[\s-]?\d{2,4}){2,4}(?!\d)")
_SECRET_PARAM = re.compile(
    r"((?:hub\.verify_token|token|key|api_key|access_token)=)[^&\s\"']+", re.IGNORECASE
)
_BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE)
# Street addresses: a street word followed by a capitalised name (and a house number), or an
# RT/RW pair. Conservative on purpose: "jalan" in a regulation ("rumija jalan") stays.
_STREET = re.compile(
    r"\b(?:Jalan|JALAN|Jln?|JLN?|Gang|Gg|Komplek|Kompleks|Perumahan|Perum)\.?\s+"
    r"[A-Z0-9][\w.'-]*(?:\s+(?!R[TW]\b)[A-Z0-9][\w.'/-]*){0,4}"
    r"(?:\s*,?\s*(?:No|Nomor|NO)\.?\s*\d+[A-Za-z]?(?:/\d+)?)?")
_RT_RW = re.compile(r"\bRT\.?\s*\d{1,3}\s*/\s*RW\.?\s*\d{1,3}\b", re.IGNORECASE)

# Kinds as the curator reads them (promotion tells what was masked).
KIND_LABELS: dict[str, str] = {
    "nik_or_npwp16": "NIK/NPWP", "npwp": "NPWP", "phone_number": "nomor telepon",
    "email": "alamat e-mail", "bank_account": "nomor rekening", "address": "alamat",
    "credential": "kunci/rahasia",
}
_TAGS = {"nik_or_npwp16": "NIK", "npwp": "NPWP", "phone_number": "TEL",
         "bank_account": "REK", "address": "ALAMAT"}


def _keep_tail(value: str, keep: int = 3) -> str:
    """Every digit/letter but the last ``keep`` replaced with '*'."""
    chars = [c for c in value if c.isalnum()]
    tail = "".join(chars[-keep:])
    return "*" * max(len(chars) - keep, 3) + tail


def _replacement(kind: str, value: str) -> str:
    if kind == "email":
        return "***@" + value.split("@", 1)[1]
    if kind == "address":
        return "[ALAMAT]"
    return f"[{_TAGS[kind]} {_keep_tail(value)}]"


def _spans(text: str) -> list[tuple[int, int, str]]:
    """Every personal-data span, from the guard's detectors and the log-era patterns."""
    spans = list(personal_data_spans(text))
    for pattern, kind in ((_EMAIL, "email"), (_NPWP, "npwp"), (_NIK, "nik_or_npwp16"),
                          (_PHONE, "phone_number"), (_STREET, "address"), (_RT_RW, "address")):
        spans.extend((m.start(), m.end(), kind) for m in pattern.finditer(text))
    return spans


def _normal(value: str) -> str:
    """Comparable form of a contact: digits only for numbers, lower case otherwise."""
    digits = re.sub(r"\D", "", value)
    return digits if len(digits) >= 6 else value.strip().lower()


def mask_report(text: str, keep: Iterable[str] = ()) -> tuple[str, list[str]]:
    """``text`` with personal data and credentials masked, and the kinds that were masked.

    ``keep`` lists values that stay readable (the office's own published contacts: a reviewed
    answer may give the office's WhatsApp number)."""
    if not text:
        return text, []
    kept = {_normal(k) for k in keep if k and k.strip()}
    kinds: set[str] = set()
    if _BEARER.search(text) or _SECRET_PARAM.search(text):
        kinds.add("credential")
    text = _BEARER.sub(r"\1***", text)
    text = _SECRET_PARAM.sub(r"\1***", text)
    # Overlapping detections: the earliest wins, and of those the longest.
    chosen: list[tuple[int, int, str]] = []
    for start, end, kind in sorted(_spans(text), key=lambda s: (s[0], -(s[1] - s[0]))):
        if chosen and start < chosen[-1][1]:
            continue
        if _normal(text[start:end]) in kept:
            continue
        chosen.append((start, end, kind))
    out, pos = [], 0
    for start, end, kind in chosen:
        out.append(text[pos:start])
        out.append(_replacement(kind, text[start:end]))
        kinds.add(kind)
        pos = end
    out.append(text[pos:])
    return "".join(out), sorted(kinds)


def mask_pii(text: str) -> str:
    """Text with NIK, NPWP, phone numbers, e-mail, bank accounts, addresses and credentials
    masked (idempotent: masking masked text changes nothing)."""
    return mask_report(text)[0]


def mask_value(value: Any) -> Any:
    """``mask_pii`` applied to every string inside dicts, lists and tuples."""
    if isinstance(value, str):
        return mask_pii(value)
    if isinstance(value, dict):
        return {k: mask_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_value(v) for v in value]
    return value


def kind_labels(kinds: Iterable[str]) -> list[str]:
    """Indonesian names of masked kinds ("NIK/NPWP", "nomor telepon", ...)."""
    return [KIND_LABELS.get(k, k) for k in kinds]
