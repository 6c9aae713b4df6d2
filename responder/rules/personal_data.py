"""personal_data: NIK, NPWP, phone numbers, email addresses or bank accounts in the message.

A NIB (13 digits) identifies a business and is public; an application number ("I-2026...")
is not personal either. The word "NIK" without a number is not personal data. Evidence labels
name the kind of data, never the data.
"""

from __future__ import annotations

import re

from responder.normalize import Normalised
from responder.rules.base import Rule

# Digit runs with single separators between groups ("6311 0457 ...", "12.345.678.9-731.000").
_DIGIT_RUN = re.compile(r"(?<![\w+])(?<![A-Za-z]-)\d+(?:[ .\-]\d+)*(?![\w])")
_PHONE = re.compile(r"(?<![\w])(?:\+62|62|0)[ .\-]?8\d(?:[ .\-]?\d){6,11}(?!\d)")
_BANK_ACCOUNT = re.compile(r"\b(rekening|rek|norek|account)\b\.?[^\d\n]{0,20}\d[\d .\-]{7,}\d",
                          re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def detect(n: Normalised) -> list[str]:
    """Kinds of personal data found in the original message."""
    text = n.original
    found: list[str] = []
    phones = 0
    for m in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if 10 <= len(digits) <= 14:
            phones += 1
    if phones:
        found.append("phone_number")
    for m in _DIGIT_RUN.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if digits.startswith(("08", "628")):
            continue  # phone numbers, counted above
        if len(digits) == 16:
            found.append("nik_or_npwp16")  # NIK, or the 16-digit NPWP (which is the NIK)
        elif len(digits) == 15:
            found.append("npwp")
    if _EMAIL.search(text):
        found.append("email")
    if _BANK_ACCOUNT.search(text):
        found.append("bank_account")
    return sorted(set(found))


rule = Rule("personal_data", detect)
