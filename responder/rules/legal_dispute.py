"""legal_dispute: the applicant is in a dispute or legal case (sued, police report, land claimed).

A general question about rules ("apakah sengketa lahan menghalangi KKPR?") without the
applicant's own situation is left to the knowledge base; a conditional sentence is a question
about rules too.
"""

from __future__ import annotations

from responder.normalize import Normalised
from responder.rules.base import Rule
from responder.rules.text import (compile_all, find_all, has_first_person, is_hypothetical,
                                  is_question, sentences)

_PATTERNS = compile_all({
    "dispute": r"\b(sengketa|bersengketa|persengketaan|perselisihan|cekcok)\b",
    "lawsuit": (r"\b(digugat|menggugat|gugatan|tergugat|penggugat|somasi|disomasi|dituntut|"
                r"menuntut|tuntutan|sued|lawsuit)\b|\bperkara\s+(hukum|pidana|perdata)\b"),
    "police": (r"\b(polisi|polres|polsek|polda|kepolisian|dipolisikan|mempolisikan|police)\b|"
               r"\blapor(kan|an)?\s+(ke\s+)?(polisi|aparat)"),
    "court": r"\b(pengadilan|ptun|hakim|kasasi|court)\b",
    "lawyer": r"\b(pengacara|advokat|kuasa hukum|jalur hukum|lawyer)\b",
    "land_claim": (r"\b(diklaim|mengklaim|klaim atas|sertifikat\w*\s+ganda|tumpang tindih|"
                   r"penyerobotan|diserobot|menyerobot|digusur|penggusuran|ahli waris)\b"),
    "fraud_misuse": (r"\b(ditipu|penipuan|menipu|pemalsuan|dipalsukan|memalsukan|disalahgunakan|"
                     r"menyalahgunakan|penyalahgunaan)\b|"
                     r"\btanpa\s+(izin|sepengetahuan|persetujuan)\s+(saya|kami)\b|"
                     r"\b(memakai|menggunakan|memanfaatkan)\s+(nib|izin|nama|dokumen|akun)\b"
                     r"[^.?!\n]{0,40}\btanpa\s+(izin|sepengetahuan)"),
})


def detect(n: Normalised) -> list[str]:
    """Cues of a dispute the applicant is party to."""
    own = has_first_person(n.text)
    found: list[str] = []
    for sentence in sentences(n.text):
        cues = find_all(_PATTERNS, sentence)
        if not cues or is_hypothetical(sentence):
            continue
        # A question about the law in general ("apakah sengketa ...?") is answerable.
        if not own and is_question(sentence):
            continue
        found.extend(cues)
    return sorted(set(found))


rule = Rule("legal_dispute", detect)
