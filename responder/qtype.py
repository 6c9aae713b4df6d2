"""What kind of answer a question asks for: a duration, an amount, an authority, a list, ...

The type decides which sentence of the cited passages is put first as the direct answer
(responder/direct_answer.py). It is read from general interrogative vocabulary of Indonesian,
Banjar and English after normalisation (chat forms such as "gmn", "brp", "kayapa" already read
"bagaimana", "berapa"), never from phrasings of particular questions. Where two types match, the
more specific one wins in the order of `_RULES` (e.g. "berapa lama" is a duration before
"berapa" is an amount; "apakah wajib" is yes/no before "wajib" names a requirement).
"""

from __future__ import annotations

import re
from functools import lru_cache

QTYPES = ("duration", "amount", "who", "list", "definition", "how", "yesno", "other")

# Each rule: (type, pattern over the lower-cased, normalised question).
_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("duration", re.compile(
        r"\b(?:berapa\s+(?:lama|hari|minggu|bulan|tahun|jam|kali)|(?:se)?berapa\s+sering|how\s+often|"
        r"(?:sampai|hingga)\s+kapan|kapan|"
        r"jam\s+(?:berapa|buka|tutup|kerja|layanan|operasional|pelayanan)|(?:buka|tutup)\s+jam|"
        r"jangka\s+waktu|batas\s+waktu|tenggat|masa\s+berlaku|berlaku\s+(?:berapa|sampai|hingga)|"
        r"paling\s+(?:lama|lambat)|lama(?:nya)?\s+(?:proses|waktu|pengurusan|penerbitan|"
        r"pemeriksaan|penyelesaian)|how\s+long|when|deadline|until\s+when)\b")),
    ("yesno", re.compile(
        r"^(?:\W*)(?:apakah|apa\s+(?:boleh|bisa|harus|wajib|perlu|dapat)|"
        r"(?:boleh|bisa|harus|wajib|perlu|dapatkah|bolehkah|bisakah|haruskah|wajibkah|perlukah)\b|"
        r"can\s+(?:i|we)|may\s+(?:i|we)|must\s+(?:i|we)|should\s+(?:i|we)|do\s+(?:i|we)|does|is\s+it|"
        r"are\s+we|is\s+there|are\s+there)|"
        # "bikin nib perlu npwp ga?" — a modal, then a tag asking yes or no at the end
        r"\b(?:perlu|wajib|harus|bisa|boleh|dapat|bayar|berlaku|buka|tutup|ada)\b.*\b(?:tidak|ga|gak|nggak|enggak|ndak)\s*\??\s*$")),
    ("amount", re.compile(
        r"\b(?:berapa\s+(?:biaya|tarif|harga|retribusi|ongkos|duit|uang|bayar|rupiah|besar)|"
        r"berapa\w*\s+(?:sih\s+)?(?:biaya|tarifnya|harganya)|biaya(?:nya)?|tarif|retribusi|"
        r"pnbp|bayar|membayar|berbayar|gratis|ongkos|pungutan|dipungut|how\s+much|fee|cost)\b")),
    ("who", re.compile(
        r"\b(?:siapa|instansi\s+(?:mana|apa)|dinas\s+(?:mana|apa)|lembaga\s+(?:mana|apa)|"
        r"pihak\s+(?:mana|siapa)|(?:yang\s+)?berwenang|kewenangan\s+siapa|"
        r"diterbitkan\s+oleh|dikeluarkan\s+oleh|who|which\s+(?:office|kantor|agency|authority|instansi|dinas)|"
        r"nomor\s+(?:wa|whatsapp|telepon|telp|hp|kontak|layanan|admin)|kontak|contact|"
        r"hubungi\s+(?:siapa|ke\s+mana|mana))\b")),
    ("how", re.compile(
        r"\b(?:bagaimana\s+(?:cara|caranya|langkah|prosedur|proses|mekanisme|alur|mengurus|"
        r"membuat|buat|mendaftar|daftar|mengajukan|ajukan|memperoleh|mendapatkan|dapat|"
        r"mengganti|mengubah|ubah|memperpanjang|melapor|menyampaikan)|cara(?:nya)?\s+\w+|"
        r"langkah|tata\s+cara|prosedur|alur|tahapan|mekanisme|how\s+(?:do|can|to|should))\b")),
    ("list", re.compile(
        r"\b(?:apa?\s+(?:saja|aja|sj)|syarat|persyaratan|dokumen\s+apa|berkas\s+apa|"
        r"(?:yang\s+)?(?:harus|perlu)\s+(?:disiapkan|dibawa|dilampirkan|dilengkapi)|"
        r"kelengkapan|lampiran|jenis(?:-jenis)?\s+apa|macam|what\s+(?:documents|dokumen)|"
        r"which\s+documents|requirements?)\b")),
    ("definition", re.compile(
        r"\b(?:apa\s+(?:itu|sih|yang\s+dimaksud|arti|maksud|pengertian)|apakah\s+itu|"
        r"yang\s+dimaksud\s+(?:dengan\s+)?|pengertian|definisi|arti(?:nya)?\s+(?:dari\s+)?|"
        r"kepanjangan|singkatan|what\s+is|what\s+are|what\s+does\s+\w+\s+mean|meaning)\b")),
    ("how", re.compile(r"\b(?:bagaimana|gimana|how)\b")),
]

# A yes/no question that asks for a fee or a document is still answered by its plain statement;
# a question opening with "apakah" about a definition ("apakah itu") is a definition.
_DEFINITION_FIRST = re.compile(r"\bapa(?:kah)?\s+itu\b|\byang\s+dimaksud\b|\bpengertian\b")


@lru_cache(maxsize=2048)
def question_type(question: str) -> str:
    """One of QTYPES for a (normalised or raw) applicant question."""
    text = _normalised(question)
    if _DEFINITION_FIRST.search(text):
        return "definition"
    for qtype, pattern in _RULES:
        if pattern.search(text):
            return qtype
    return "other"


@lru_cache(maxsize=2048)
def question_types(question: str) -> tuple[str, ...]:
    """Every type a question asks for, the main one (`question_type`) first.

    "oss itu apa dan siapa yang mengelola?" asks for a definition and an authority: the reply
    answers the first in its opening line and gives the second its own supporting quote.
    """
    text = _normalised(question)
    main = question_type(question)
    found = [main]
    for qtype, pattern in _RULES:
        if qtype not in found and qtype != "yesno" and pattern.search(text):
            found.append(qtype)
    if "how" in found[1:] and "list" in found:
        found.remove("how")  # "syarat dan cara": the list already reads as the steps' content
    return tuple(t for t in found if t != "other")


def _normalised(question: str) -> str:
    """Lower-case text with chat forms read as standard words (idempotent on normalised text)."""
    from responder.normalize import normalise

    try:
        text = normalise(question).text
    except Exception:  # noqa: BLE001 - typing a question must never fail on odd input
        text = question
    return " ".join(text.lower().split())
