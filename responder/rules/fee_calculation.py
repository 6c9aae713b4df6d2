"""fee_calculation: the applicant wants the exact fee (retribusi) for their own building or case.

SOP Persyaratan Dasar §4: the PBG retribusi for a particular building needs the technical
documents, so an officer computes it. Evidence is an amount question ("berapa rupiah",
"hitungkan") together with a building fee (retribusi/PBG/SLF/PNBP) and something specific
(size, storeys, "rumah saya"), or a size together with a fee word. "Siapa yang menetapkan
retribusi PBG?" or "apa akibatnya kalau telat bayar?" ask about rules and are answered.
"""

from __future__ import annotations

import re

from responder.normalize import Normalised
from responder.rules.base import Rule
from responder.rules.text import fold

_FEE_WORD = r"(retribusi|biaya|tarif|ongkos|harga|uang|bayar|dibayar|pnbp|levy|fee)"
_AMOUNT_QUESTION = re.compile(
    r"\bberapa\s+(banyak\s+)?(rupiah|uang|biaya\w*|tarif\w*|ongkos\w*|harga\w*|retribusi\w*|"
    r"bayar\w*|yang harus (saya |kami )?(bayar|dibayar))\b|"
    r"\b" + _FEE_WORD + r"\w*(\s+[\w-]+){0,6}?\s+berapa\b"
    r"(?!\s+(lama|hari|minggu|bulan|tahun|jam|kali|persen|digit|lembar))|"
    r"\b(retribusi|pbg|slf|imb|pnbp)\w*(\s+[\w/-]+){0,3}?\s+(kena\s+|bayar\s+)?berapa\b"
    r"(?!\s+(lama|hari|minggu|bulan|tahun|jam|kali|persen|digit|lembar|macam|jenis|tahap|"
    r"langkah|syarat))|"
    r"\b(kena|habis|keluar)\s+(biaya\s+|uang\s+)?berapa\b|"
    r"\bhow much\b"
)
_COMPUTE = re.compile(r"\b(hitung|hitungkan|dihitung|dihitungkan|menghitung|menghitungkan|"
                      r"hitungan\w*|perhitungan\w*|estimasi\w*|taksiran\w*|kalkulasi\w*|"
                      r"simulasi\w*|calculate|estimate)\b")
_NEGATED_COMPUTE = re.compile(r"\b(bukan|tidak|tanpa|jangan|not)\b(\s+[\w-]+){0,2}\s+" +
                              _COMPUTE.pattern)
_BUILDING_FEE = re.compile(r"\b(retribusi\w*|pbg\w*|slf\w*|imb\w*|pnbp\w*)\b")
_FEE = re.compile(r"\b" + _FEE_WORD + r"\w*\b")
_SIZE = re.compile(
    r"\b\d+([.,]\d+)?\s*(x|×)\s*\d+|"
    r"\b\d+([.,]\d+)?\s*(m2|m²|m|meter|meter persegi|ha|hektar|hektare|are|lantai|tingkat|"
    r"kamar|unit|sqm|square)\b|"
    r"\b(satu|dua|tiga|empat|lima)\s+(lantai|tingkat)\b|\bluas\w*\b[^.?!\n]{0,25}\d|"
    r"\btipe\s+\d+\b"
)
_OWN_OBJECT = re.compile(
    r"\b(rumah|ruko|gudang|toko|kantor|bangunan|gedung|pabrik|kios|hotel|kos|kost|bengkel|"
    r"rumah makan|warung)\w*(\s+[\w-]+){0,2}?\s+(saya|kami)\b|"
    r"\b(my|our)\s+(house|building|shop|warehouse|factory|office)\b"
)


def detect(n: Normalised) -> list[str]:
    """Cues that the applicant asks for a computed amount for their own case."""
    text = n.text + "\n" + fold(n.original)
    asks_amount = bool(_AMOUNT_QUESTION.search(text))
    if _COMPUTE.search(text) and not _NEGATED_COMPUTE.search(text):
        asks_amount = True
    if not asks_amount:
        return []
    size = bool(_SIZE.search(text))
    if _BUILDING_FEE.search(text) and (size or _OWN_OBJECT.search(text)):
        return ["amount_for_own_building"]
    if size and _FEE.search(text):
        return ["amount_for_given_size"]
    return []


rule = Rule("fee_calculation", detect)
