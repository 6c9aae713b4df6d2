"""out_of_scope: the message is about something other than business licensing.

Fires on an out-of-scope topic cue (identity documents, income tax, bank loans, ...) only when
no licensing cue is present, so "NPWP for NIB registration" or "NIB as BPJS registration" stay
in scope. Messages with neither kind of cue go to retrieval, whose confidence decides.
"""

from __future__ import annotations

import re

from responder.lexicon import LICENSING_TERMS
from responder.normalize import Normalised
from responder.rules.base import Rule
from responder.rules.text import both, compile_all, find_all

_TOPICS = compile_all({
    "civil_registry": (
        r"\b(ktp|e-ktp|ektp|kartu keluarga|akta (kelahiran|kematian|nikah|perkawinan|cerai)|"
        r"paspor|passport|skck|surat pindah|dukcapil|catatan sipil|kartu identitas|id card)\b|"
        r"\bsim\s+(a|b|c|baru|hilang|mati)\b|\b(buat|perpanjang|urus|mengurus)\s+(sim|kk)\b|"
        r"\bkk\s+(hilang|baru|rusak)\b"
    ),
    "personal_tax": (
        r"\b(pajak penghasilan|pph|spt|lapor pajak|bayar pajak|pajak bulanan|pajak tahunan|"
        r"pbb|pajak bumi|pajak kendaraan|efaktur|e-faktur|income tax|tax return)\b|"
        r"\bpajak\b[^.?!\n]{0,30}\b(omzet|gaji|penghasilan|warisan|kendaraan|motor|mobil)\b"
    ),
    "banking_loans": (
        r"\b(kur|kredit|pinjam|pinjaman|pinjol|cicilan|angsuran|leasing|agunan|jaminan bank|"
        r"bunga bank|rekening|loan|mortgage)\b|\bdi bank\b|\bke bank\b"
    ),
    "social_aid": r"\b(bansos|blt|pkh|bantuan sosial|bantuan langsung tunai|sembako gratis)\b",
    "health_education": (
        r"\b(berobat|rumah sakit|puskesmas|klaim bpjs|bpjs kesehatan|faskes|sekolah|beasiswa|"
        r"ppdb|kuliah)\b"
    ),
    "jobs_civil_service": (r"\b(lowongan|loker|cpns|pppk|honorer|lamaran kerja|melamar kerja|"
                           r"upah minimum|umr|ump|gaji)\b"),
    "land_title": (r"\b(sertifikat tanah|sertifikat rumah|bpn|pertanahan|balik nama|akta jual beli|"
                   r"ajb|shm)\b"),
    "utilities": r"\b(pln|token listrik|listrik padam|pdam|air mati|tagihan listrik)\b",
    "other_life": (
        r"\b(nikah|menikah|cerai|tilang|cuaca|resep|sepak bola|pemilu|pilkada|zakat)\b"
    ),
})
# Licensing cues that are phrases rather than single words.
_LICENSING_PHRASES = re.compile(
    r"\b(penanaman modal|sertifikat standar|persetujuan (lingkungan|bangunan)|pelayanan publik|"
    r"pelaku usaha|badan usaha|izin usaha|tata ruang|pemanfaatan ruang|angka pengenal importir|"
    r"pendaftaran usaha|standar pelayanan)\b"
)
_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")


def detect(n: Normalised) -> list[str]:
    """Out-of-scope topics of a message that carries no licensing cue."""
    text = both(n)
    topics = find_all(_TOPICS, text)
    if not topics:
        return []
    words = set(_WORD.findall(text))
    if words & LICENSING_TERMS or _LICENSING_PHRASES.search(text):
        return []
    return topics


rule = Rule("out_of_scope", detect)
