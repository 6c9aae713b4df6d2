"""case_status: the applicant asks about a specific application (SOP Pengaduan §4).

Evidence: an application number ("I-202608150932", "nomor permohonan 1234..."), an application
"atas nama CV/PT/<Name>" or a NIB number to be checked, or the applicant's own application with a request to
check it or a complaint that it is stalled. "How do I check the status in OSS?" is a how-to
question and stays with the knowledge base.
"""

from __future__ import annotations

import re

from responder.normalize import Normalised
from responder.rules.base import Rule
from responder.rules.text import fold

_CASE_NOUN = (r"(permohonan\w*|pengajuan\w*|berkas\w*|izin\w*|nib\w*|pbg\w*|slf\w*|kkpr\w*|"
              r"pkkpr\w*|sertifikat\w*|dokumen\w*|pendaftaran\w*|lkpm\w*|umku\w*|persetujuan\w*|"
              r"amdal\w*|ukl-upl\w*|sppl\w*|akun\w*|kbli\w*|data\w*)")
_APPLICATION_NUMBER = re.compile(r"(?<![\w-])[A-Za-z]{1,3}-?\d{8,}(?![\w])")
# A NIB (13 digits) names one business: with a request to check, it is a case.
_NIB_NUMBER = re.compile(r"(?<![\d.-])\d{13}(?![\d.-])")
_NUMBER_NAMED = re.compile(
    r"\b(nomor|no|nmr)\.?\s*(permohonan|pengajuan|registrasi|register|pendaftaran|berkas|"
    r"tiket|aduan|pengaduan|antrean|antrian|resi)\b[^.?!\n]{0,25}\d{4,}"
)
_ON_BEHALF = re.compile(
    r"\batas nama\s+(cv|pt|ud|pd|koperasi|kop|yayasan|firma|toko|bapak|ibu|pak|bu|sdr|sdri|"
    r"saudara|saudari)\b"
)
_ON_BEHALF_NAME = re.compile(r"\batas nama\s+[A-Z][a-z]+")  # on the original: a proper name
_CHECK = re.compile(
    r"\b(cek|dicek|dicekkan|mengecek|periksa|diperiksa|memeriksa|lacak|dilacak|tracking|"
    r"pantau|dipantau|progres|progress|perkembangan\w*|status\w*|check|track)\b|"
    r"\bsampai mana\b|\bposisi\w*\s+(di\s+)?mana\b|\b(bagaimana|gimana)\s+(kabar|nasib)\w*\b"
)
_STALLED = re.compile(
    r"\b(kok|kenapa|mengapa)\s+(masih\s+)?belum\b|\bbelum\s+ada\s+(kabar|kejelasan|respon\w*|"
    r"balasan|tanggapan)\b|\btidak\s+ada\s+(kabar|kejelasan)\b|"
    r"\b(sudah|udah)\s+(\d+\s+|se|ber)(hari|minggu|bulan)\w*\b[^.?!\n]{0,60}"
    r"\b(belum|menunggu|tidak ada)\b|"
    r"\b(sudah|udah)\s+(\d+\s+|se|ber)(hari|minggu|bulan)\w*\s+(saya\s+|kami\s+)?"
    r"(menunggu|nunggu)\b|"
    # "sudah terbit belum?", "apakah ... sudah terbit?" (not "yang sudah terbit")
    r"(?<!yang )\bsudah\s+(terbit|keluar|selesai|jadi|disetujui|diverifikasi|diproses)\s*"
    r"(belum|atau belum|\?)|"
    r"\b(apakah|apa)\b[^.?!\n]{0,40}(?<!yang )\bsudah\s+(terbit|keluar|selesai|disetujui|"
    r"diverifikasi|diproses)\b|"
    r"\b(kenapa|mengapa|why)\b[^.?!\n]{0,50}\b(ditolak|dikembalikan|dibatalkan|diblokir|"
    r"dibekukan|tidak diterima|gagal|rejected)\b|"
    r"\b(percepat|dipercepat|segera diproses|tolong diproses|mohon diproses|diprioritaskan)\b|"
    r"\bsampai sekarang\s+(masih\s+)?belum\b|\bkapan\s+(terbit|keluar|selesai|jadi|diproses)\w*\b"
)
_OWN_CASE = re.compile(r"\b" + _CASE_NOUN + r"(\s+[\w-]+){0,2}?\s+(saya|kami)\b|"
                       r"\bmy\s+(application|permit|licen[cs]e|nib|registration)\b")
_HOW_TO = re.compile(r"\b(cara\w*|bagaimana cara|langkah\w*|prosedur\w*|how to|how do i)\b")



def detect(n: Normalised) -> list[str]:
    """Cues that the message is about one particular application."""
    text = n.text
    found: list[str] = []
    if _APPLICATION_NUMBER.search(n.original) or _NUMBER_NAMED.search(text):
        found.append("application_number")
    follow_up = bool(_CHECK.search(text) or _STALLED.search(text))
    if (_ON_BEHALF.search(text) or _ON_BEHALF_NAME.search(n.original)) and follow_up:
        found.append("application_on_behalf")
    if _NIB_NUMBER.search(n.original) and follow_up:
        found.append("nib_number_follow_up")
    own = _OWN_CASE.search(text) or _OWN_CASE.search(fold(n.original))
    if own and follow_up and not (_HOW_TO.search(text) and not _STALLED.search(text)):
        found.append("own_application_follow_up")
    return found


rule = Rule("case_status", detect)
