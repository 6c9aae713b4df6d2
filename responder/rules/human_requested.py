"""human_requested: the applicant asks to deal with a person (officer, phone call), not the assistant.

Asking for the office's WhatsApp number or whether officers can visit is an ordinary question.
"""

from __future__ import annotations

from responder.normalize import Normalised
from responder.rules.base import Rule
from responder.rules.text import both, compile_all, find_all

_PERSON = (r"(petugas\w*|orang|manusia|operator|pegawai|staf\w*|cs|customer service|pihak dinas|"
           r"admin (asli|manusia)|langsung)")
_PATTERNS = compile_all({
    "talk_to_person": (
        r"\b(bicara|berbicara|ngomong|ngobrol|chat|chatting|berkomunikasi|dilayani|terhubung|"
        r"disambungkan|sambungkan|hubungkan|dihubungkan)\b"
        r"(\s+[\w-]+){0,2}?\s+(dengan|sama|ke|kepada|oleh)\s+(seorang\s+)?" + _PERSON + r"\b"
    ),
    "not_a_bot": r"\bbukan\s+(dengan\s+|sama\s+)?(bot|robot|mesin|ai|chatbot|otomatis|sistem)\b",
    "real_person": r"\b(orang|manusia|petugas|admin)\s+(asli|beneran|sungguhan|benaran)\b",
    "phone_call": (
        r"\b(minta|tolong|mohon|bisa|mau|ingin|harap)\s+(di)?(telepon|telpon|telfon|call)\b|"
        r"\b(telepon|telpon|telfon|hubungi)\s+saya\b|\blewat\s+telepon\s+saja\b|"
        r"\b(by|via|over the)\s+phone\b|\bcall me\b|\bphone call\b"
    ),
    "talk_to_person_en": (
        r"\b(talk|speak|chat)\s+(to|with)\s+(a\s+|an\s+|the\s+|someone\s+)?(real\s+|actual\s+|"
        r"live\s+)?(person|human|agent|officer|someone|staff|representative)\b|"
        r"\breal (person|human)\b|\bhuman agent\b"
    ),
})


def detect(n: Normalised) -> list[str]:
    """Cues that the applicant wants a human."""
    return find_all(_PATTERNS, both(n))


rule = Rule("human_requested", detect)
