"""Exact guards in front of the learned classifier: only what a pattern decides with certainty.

- personal data: a 16-digit run (NIK, or the NPWP that is the NIK), a 15-digit NPWP, an
  Indonesian or international phone number, an e-mail address, a bank account after the word
  "rekening". A 13-digit NIB identifies a business and is public; it is not personal data.
- instruction override: explicit markers of an attempt to replace the assistant's
  instructions, reveal its prompt or inject chat markup.

Everything softer (complaints, requests for a person, disputes, fee calculations, things out
of scope, small talk) is a judgement the intent model learns from examples
(:mod:`responder.judge.intent`). Evidence labels name the kind of data, never the data.
"""

from __future__ import annotations

import re
import unicodedata

# Digit runs with single separators between groups ("6311 0457 ...", "12.345.678.9-731.000").
_DIGIT_RUN = re.compile(r"(?<![\w+])(?<![A-Za-z]-)\d+(?:[ .\-]\d+)*(?![\w])")
_PHONE_ID = re.compile(r"(?<![\w])(?:\+62|62|0)[ .\-]?8\d(?:[ .\-]?\d){6,11}(?!\d)")
# International numbers written with a plus: "+65 9123 4567", "+1 (415) 555-0142".
_PHONE_INTL = re.compile(r"(?<![\w])\+(?!62)[1-9]\d{0,2}[ .\-]?(?:\(?\d{1,4}\)?[ .\-]?){2,5}\d(?!\d)")
_BANK_ACCOUNT = re.compile(r"\b(rekening|rek|norek|account)\b\.?[^\d\n]{0,20}\d[\d .\-]{7,}\d",
                           re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")

_ROLES = (r"(petugas|pejabat|kepala|admin|administrator|ai|asisten|assistant|bot|model|developer|"
          r"pengembang|sistem|system|unrestricted|jailbroken|evil|dan)")
# Explicit override markers only: an instruction about the assistant's instructions, a request
# for its prompt, a role switch addressed to it, or chat-template markup.
_OVERRIDE = [(label, re.compile(rx)) for label, rx in {
    "ignore_instructions": (
        r"\b(abaikan|lupakan|acuhkan|hiraukan|jangan (ikuti|hiraukan|patuhi|turuti)|langgar)"
        r"(lah)?\b[^.?!\n]{0,40}\b(instruksi|perintah|aturan|arahan|pedoman|batasan|prompt)"
        r"(mu|nya)?\s*(sebelumnya|awal|sistem|kamu|anda|yang diberikan|semua|tadi)?\b"
    ),
    "ignore_instructions_en": (
        r"\b(ignore|disregard|forget|override|bypass)\b[^.?!\n]{0,40}\b(instructions?|"
        r"rules|prompts?|guidelines|directives|restrictions|system message)\b"
    ),
    "system_prompt": (
        r"\b(system|sistem)\s*(override|prompt|message)\b|\bprompt\s+(sistem|system|awal|asli|"
        r"internal|rahasia)\b|\b(developer|debug|god)\s+mode\b|\bmode\s+(developer|pengembang|"
        r"debug)\b|\bjailbreak|\b(previous|prior|initial|original|hidden|secret)\s+"
        r"(instructions|prompt)\b"
    ),
    "role_switch": (
        r"\b(kamu|anda|you)\s+(sekarang|mulai sekarang|kini|are now|now)\s+"
        r"((adalah|menjadi|jadi|berperan|bertindak|sebagai|an?|the)\s+){0,2}" + _ROLES + r"\b|"
        r"\b(pretend (to be|you are)|act as (an?|the|my))\b|\bberpura-pura(lah)?\s+(menjadi|"
        r"jadi|sebagai)\b"
    ),
    "chat_markup": (r"<\|?(system|im_start|im_end)\|?>|\[/?(system|inst)\]|"
                    r"(^|\n)\s*#{2,}\s*(system|instruction)"),
}.items()]


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("’", "'").lower()


def digit_runs(text: str) -> list[str]:
    """Digit runs of the text with their separators removed."""
    return [re.sub(r"\D", "", m.group(0)) for m in _DIGIT_RUN.finditer(text)]


def phone_numbers(text: str) -> list[str]:
    """Phone numbers (Indonesian mobile or international with +), digits only."""
    found = []
    for m in _PHONE_ID.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if 10 <= len(digits) <= 14:
            found.append(digits)
    for m in _PHONE_INTL.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if 8 <= len(digits) <= 15:
            found.append(digits)
    return found


def has_email(text: str) -> bool:
    """True when the text holds an e-mail address."""
    return bool(_EMAIL.search(text))


def personal_data(text: str) -> list[str]:
    """Kinds of personal data a pattern finds with certainty in the applicant's text."""
    found: set[str] = set()
    if phone_numbers(text):
        found.add("phone_number")
    for digits in digit_runs(text):
        if digits.startswith(("08", "628")):
            continue  # phone numbers, counted above
        if len(digits) == 16:
            found.add("nik_or_npwp16")
        elif len(digits) == 15:
            found.add("npwp")
    if has_email(text):
        found.add("email")
    if _BANK_ACCOUNT.search(text):
        found.add("bank_account")
    return sorted(found)


def personal_data_spans(text: str) -> list[tuple[int, int, str]]:
    """Where :func:`personal_data` finds each item: ``(start, end, kind)`` in ``text``, for
    masking (``api.masking``). A bank account's span covers its digits, not the word before."""
    spans: list[tuple[int, int, str]] = []
    for m in _PHONE_ID.finditer(text):
        if 10 <= len(re.sub(r"\D", "", m.group(0))) <= 14:
            spans.append((m.start(), m.end(), "phone_number"))
    for m in _PHONE_INTL.finditer(text):
        if 8 <= len(re.sub(r"\D", "", m.group(0))) <= 15:
            spans.append((m.start(), m.end(), "phone_number"))
    for m in _DIGIT_RUN.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if digits.startswith(("08", "628")):
            continue
        if len(digits) in (15, 16):
            spans.append((m.start(), m.end(), "nik_or_npwp16" if len(digits) == 16 else "npwp"))
    for m in _EMAIL.finditer(text):
        spans.append((m.start(), m.end(), "email"))
    for m in _BANK_ACCOUNT.finditer(text):
        first = next(i for i, ch in enumerate(m.group(0)) if ch.isdigit())
        spans.append((m.start() + first, m.end(), "bank_account"))
    return spans


def instruction_override(text: str) -> list[str]:
    """Labels of explicit instruction-override markers in the text."""
    folded = _fold(text)
    return [label for label, pattern in _OVERRIDE if pattern.search(folded)]
