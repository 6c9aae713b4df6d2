"""Everyday licensing Indonesian → the register statutes use, for query expansion.

Applicants write "ganti nomor hp sendiri"; PP 28/2025 writes "perubahan ... nomor telepon ...
secara mandiri". BM25 cannot bridge that gap and a small embedder bridges it unreliably, so the
lexical query is expanded with the formal equivalents of everyday words (like a synonym filter
in a search engine). Entries are general vocabulary of business licensing and public service,
not phrasings of particular questions; keep them that way.
"""

from __future__ import annotations

import re

# Everyday word or phrase (lower case, after normalisation) → formal terms to add.
EXPANSIONS: dict[str, str] = {
    # contact and identity
    "hp": "nomor telepon", "handphone": "nomor telepon", "no hp": "nomor telepon",
    "nomor wa": "nomor telepon", "telp": "telepon", "email": "surat elektronik",
    "e-mail": "surat elektronik", "ktp": "nomor induk kependudukan", "nik": "nomor induk kependudukan",
    "kata sandi": "kata sandi", "password": "kata sandi", "akun": "hak akses",
    # changing, closing, renewing
    "ganti": "perubahan", "ubah": "perubahan", "mengubah": "perubahan", "rubah": "perubahan",
    "sendiri": "mandiri", "tutup": "pencabutan penghentian", "berhenti": "penghentian",
    "bangkrut": "pembubaran", "bubar": "pembubaran", "dicabut": "pencabutan",
    "perpanjang": "berlaku jangka waktu", "diperpanjang": "berlaku jangka waktu",
    "kedaluwarsa": "masa berlaku", "kadaluarsa": "masa berlaku", "expired": "masa berlaku",
    "masa berlaku": "berlaku jangka waktu",
    # who and what
    "pengusaha": "pelaku usaha", "pemilik usaha": "pelaku usaha", "pedagang": "pelaku usaha",
    "perusahaan": "badan usaha", "pt": "perseroan terbatas badan usaha",
    "cv": "persekutuan komanditer badan usaha", "koperasi": "koperasi badan usaha",
    "perorangan": "perseorangan", "pribadi": "perseorangan",
    "usaha kecil": "usaha mikro kecil umk", "umkm": "usaha mikro kecil umk",
    "warung": "usaha mikro", "toko": "usaha perdagangan",
    "dinas": "dpmptsp", "kantor dinas": "dpmptsp", "pemda": "pemerintah daerah",
    "bupati": "bupati pemerintah kabupaten", "petugas": "pelaksana",
    "izin usaha": "perizinan berusaha", "izin": "perizinan", "ngurus": "permohonan",
    "urus": "permohonan", "daftar": "pendaftaran permohonan",
    # money and time
    "bayar": "biaya tarif", "duit": "biaya", "ongkos": "biaya", "gratis": "tidak dipungut biaya",
    "pungli": "pungutan imbalan", "calo": "imbalan calo", "sogok": "imbalan",
    "berapa lama": "jangka waktu paling lama hari",
    "telat": "terlambat jangka waktu", "batas waktu": "jangka waktu paling lama",
    # complaints and service
    "lapor": "pengaduan laporan", "mengadu": "pengaduan", "komplain": "pengaduan",
    "keluhan": "pengaduan", "kecewa": "pengaduan", "lambat": "jangka waktu",
    "disabilitas": "penyandang disabilitas kelompok rentan", "lansia": "lanjut usia kelompok rentan",
    "online": "elektronik daring", "daring": "elektronik", "wa": "whatsapp daring",
    # buildings, land, environment
    "bangun": "bangunan gedung", "bangunan": "bangunan gedung", "gedung": "bangunan gedung",
    "ruko": "bangunan gedung", "imb": "persetujuan bangunan gedung pbg",
    "tanah": "lahan hak atas tanah", "lokasi": "kesesuaian kegiatan pemanfaatan ruang",
    "amdal": "analisis mengenai dampak lingkungan", "ukl-upl": "upaya pengelolaan lingkungan",
    "limbah": "lingkungan hidup", "halal": "jaminan produk halal", "sni": "standar nasional indonesia",
    "impor": "angka pengenal importir", "bpjs": "jaminan sosial",
    "karyawan": "tenaga kerja", "pekerja": "tenaga kerja", "modal": "penanaman modal investasi",
    "investor": "penanaman modal", "asing": "penanaman modal asing",
}

_PATTERNS = sorted(EXPANSIONS, key=len, reverse=True)
_RE = re.compile(r"(?<![\w-])(" + "|".join(re.escape(p) for p in _PATTERNS) + r")(?![\w-])")


def expansion_terms(query: str) -> str:
    """The formal terms of the everyday words a query uses (empty when none)."""
    low = query.lower()
    extra: list[str] = []
    for m in _RE.finditer(low):
        terms = EXPANSIONS[m.group(1)]
        if terms not in extra:
            extra.append(terms)
    return " ".join(extra)


def expand(query: str) -> str:
    """The query followed by the formal terms of the everyday words it uses."""
    extra = expansion_terms(query)
    return f"{query} {extra}" if extra else query
