"""OCR repair of statute body text (ingest.ocr_repair) and its detector (ingest.ocr_vocab).

Unit tests run on synthetic passages, one per repair kind, and on things that must never
change (codes, years, closed ayat labels, legitimate compounds, figures without a certain
reading). The corpus tests run the real parser on ../shared/corpus/regulations (skipped where
it is absent, failing where LANTUNAN_REQUIRE_SHARED=1) and check the issue's targets.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from ingest.loaders import load_file
from ingest.number_words import spelled_value
from ingest.ocr_repair import OcrRepairer, Repair
from ingest.ocr_report import ocr_report
from ingest.ocr_vocab import DocVocabulary, suspicious_tokens
from ingest.pipeline import parse_file, write_ocr_log
from ingest.statute_chunks import statute_chunks
from ingest.statute_parser import parse_statute

# A small "document" whose own vocabulary the repairs lean on: each word below is printed
# cleanly several times, as in a real statute.
_CLEAN = (
    "Persetujuan KKPR ditolak apabila hasil penilaian dalam hasil pemeriksaan tidak sesuai. "
    "Pelaku Usaha menyusun laporan dan menyusun dokumen dalam hasil penilaian. "
    "Penyelenggaraan Perizinan Berusaha Berbasis Risiko dan Perizinan Berusaha serta Perizinan. "
    "KKPR ditolak dan KKPR diterbitkan dalam jangka waktu. Pemegang Izin dan pemegang Izin. "
    "Pelaku Usaha melakukan penyusunan dokumen dan/atau laporan dan/atau data dan/atau izin. "
    "Pelaku Usaha menindaklanjuti rekomendasi dan menindaklanjuti hasil. "
)
_LABELS = {"Pasal 21": 3, "Pasal 22": 2, "Pasal 240": 5, "Pasal 241": 2, "Pasal 5": 25, "Pasal 24I": 1}


def _fixer(extra: str = "") -> OcrRepairer:
    vocab = DocVocabulary([_CLEAN * 3, extra])
    return OcrRepairer(vocab, _LABELS.get, frozenset(_LABELS))


def _repair(text: str, where: str = "Pasal 22") -> tuple[str, list[Repair]]:
    fixer = _fixer()
    out = fixer.repair(text, where)
    return out, fixer.repairs


# ---------------------------------------------------------------------------------------------
# One test per repair kind
# ---------------------------------------------------------------------------------------------


def test_glued_words_are_split_when_both_halves_are_document_words() -> None:
    out, reps = _repair("tidak tercakup dalamhasil penilaian; permohonan KKPRditolak.")
    assert out == "tidak tercakup dalam hasil penilaian; permohonan KKPR ditolak."
    assert {r.kind for r in reps} == {"glued"}
    assert all(r.before and r.after and r.reason for r in reps)


def test_split_word_is_joined_when_the_joined_form_is_a_document_word() -> None:
    out, reps = _repair("tentang Penyelenggaraan P erizinan Berusaha Berbasis Risiko.")
    assert out == "tentang Penyelenggaraan Perizinan Berusaha Berbasis Risiko."
    assert [(r.kind, r.before, r.after) for r in reps] == [("split", "P erizinan", "Perizinan")]


def test_digit_inside_a_word_is_read_back_as_letters() -> None:
    out, _ = _repair("wajib men5rusun laporan dan pen5rusunan dokumen.")
    assert out == "wajib menyusun laporan dan penyusunan dokumen."


def test_letter_shape_misreadings_become_the_documents_own_spelling() -> None:
    out, _ = _repair("pemegang lzin danlatau laporan danf atau data.")
    assert out == "pemegang Izin dan/atau laporan dan/atau data."


def test_capital_p_read_as_f_into_the_word_the_document_prints() -> None:
    # "Pemerintah Fusat" once beside "Pemerintah Pusat" many times (PP 28/2025 Pasal 137).
    fixer = OcrRepairer(DocVocabulary(["kewenangan Pemerintah Pusat. " * 6]), {}.get, frozenset())
    assert fixer.repair("Pemerintah Fusat dapat mendelegasikan") == "Pemerintah Pusat dapat mendelegasikan"
    # A dictionary word is never rewritten, however often its look-alike is printed.
    fixer = OcrRepairer(DocVocabulary(["pakta integritas. " * 6]), {}.get, frozenset())
    assert fixer.repair("berdasarkan fakta lapangan") == "berdasarkan fakta lapangan"


def test_capital_i_read_as_l_where_the_document_rarely_prints_the_word() -> None:
    # A born-digital statute that prints "izin" twice and "lzin" once (PP 6/2021 Pasal 34):
    # no Indonesian word begins with "l" and a consonant, so the reading is certain.
    damaged = "c. retribusi lzin Trayek; dan"
    fixer = OcrRepairer(DocVocabulary(["retribusi izin gangguan dan izin usaha. ", damaged]),
                        {}.get, frozenset())
    assert fixer.repair(damaged) == "c. retribusi Izin Trayek; dan"
    # ... but only into a word the document prints: "lgali" (bor/gali) is no "igali".
    fixer = OcrRepairer(DocVocabulary(["sumur bor dan air tanah. " * 5]), {}.get, frozenset())
    assert fixer.repair("sumur bor lgali air tanah") == "sumur bor lgali air tanah"


def test_multi_glyph_misreading_printed_less_often_than_the_word() -> None:
    # "penJrusunan" three times beside "penyusunan" six times (PP 28/2025): a "Jr" for "y"
    # misreading into a dictionary word the document prints at least as often.
    text = "dalam proses penyusunan dokumen. " * 6 + "proses penJrusunan dokumen. " * 3
    fixer = OcrRepairer(DocVocabulary([text]), {}.get, frozenset())
    assert fixer.repair("mencakup penJrusunan: a. jadwal") == "mencakup penyusunan: a. jadwal"


def test_issue_example_reference_is_repaired() -> None:
    out, reps = _repair("tidak sesuai dengan ketentuan Pasal2l ayat (1) dan ayat (21, permohonan ditolak.")
    assert out == "tidak sesuai dengan ketentuan Pasal 21 ayat (1) dan ayat (2), permohonan ditolak."
    kinds = [r.kind for r in reps]
    assert kinds == ["spacing", "number", "ayat_ref"]
    assert "Pasal 21 has 3 ayat" in reps[-1].reason  # the Pasal named before the reference


@pytest.mark.parametrize(
    ("text", "expected"),
    [("dimaksud dalam Pasal 24O ayat (2) huruf a", "dimaksud dalam Pasal 240 ayat (2) huruf a"),
     ("Nomor 5 Tahun 2o2r tentang", "Nomor 5 Tahun 2021 tentang"),
     ("paling lama 3O (tiga puluh) Hari", "paling lama 30 (tiga puluh) Hari"),
     ("sebesar 57o (lima persen) dari", "sebesar 5% (lima persen) dari"),
     ("sebesar Rp10.OO0.OOO,OO (sepuluh juta rupiah)", "sebesar Rp10.000.000,00 (sepuluh juta rupiah)"),
     ("dimaksud pada ayat (21huruf b", "dimaksud pada ayat (2) huruf b"),
     ("dimaksud pada ayat (4ll, menteri", "dimaksud pada ayat (4), menteri"),
     ("pada ayat(21. Norma", "pada ayat (2). Norma"),
     # A speck read as a quote after a closed label (PP 28/2025 Pasal 109 ayat (3)).
     ("dalam jangka waktu sebagaimana dimaksud pada ayat (2)', penetapan",
      "dalam jangka waktu sebagaimana dimaksud pada ayat (2), penetapan"),
     ("dalam pasal 66ayat (1)huruf a", "dalam pasal 66 ayat (1) huruf a"),
     # A digit read as a letter and glued to the word before: the words in brackets confirm it.
     ("dalam jangka waktu paling lamaT (tujuh) hari", "dalam jangka waktu paling lama 7 (tujuh) hari")],
)
def test_numbers_and_references(text: str, expected: str) -> None:
    assert _repair(text)[0] == expected


# ---------------------------------------------------------------------------------------------
# What must not change
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["kode KBLI 47111 dan KBLI 01111 berlaku sejak Tahun 2021.",
     "sebagaimana dimaksud dalam Pasal 21 ayat (21) huruf a.",  # a closed label stays
     "dimaksud pada ayat (21 huruf a",  # in Pasal 5, which has 25 ayat: ayat 21 exists
     "dimaksud dalam Pasal 24I ayat (1)",  # an inserted Pasal 24I exists here
     "UU, PP, PT, CV, LKPM, NIB, BAB IV, Bagian XII, huruf a, huruf b, dan angka 3.",
     "limbah B3, K3, satwa keamanan (K9), luas 100 km2 dan Rp10.000.000,00 dalam 3x24 jam.",
     "Pelaku Usaha menindaklanjuti rekomendasi.",  # a compound, not two glued words
     "dekomisioning. l7l Kepala badan",  # an ayat label "(7)" misread: no certain number
     "sebesar 57o dari nilai kontrak",  # no spelled-out words to confirm 5%
     "paling lama 3O (seratus) Hari",  # the words disagree: leave the figure alone
     "ayat (21 Undang-Undang Nomor 11 Tahun 2020",  # another statute's ayat: unknown
     "paling lamaT (lima) hari",  # 'T' reads as 7, the words say 5: no certain reading
     "Pelaku Usaha (satu) orang",  # a whole word before the brackets is no glued figure
     ],
)
def test_legitimate_text_is_left_alone(text: str) -> None:
    out, reps = _repair(text, where="Pasal 5" if "(21 huruf" in text else "Pasal 22")
    assert out == text, reps
    assert reps == []


def test_detector_flags_damage_and_not_legitimate_tokens() -> None:
    vocab = DocVocabulary([_CLEAN * 3])
    damaged = "dalamhasil KKPRditolak P erizinan men5rusun 24O Pasal2l (21, 2o2r lzin danlatau"
    kinds = [s.kind for s in suspicious_tokens(damaged, vocab)]
    assert len(kinds) == 10, kinds
    assert set(kinds) == {"glued", "split", "mixed", "ayat_ref", "misread"}
    legit = ("KBLI 47111 Tahun 2021 UU PT LKPM BAB IV huruf a B3 K9 km2 Rp10.000.000,00 3x24 "
             "ayat (21) Pasal 18A ke-2 menindaklanjuti dan/atau Perizinan SP4N-LAPOR! "
             "bupati/walikota walikota")
    assert suspicious_tokens(legit, vocab) == []


def test_spelled_numbers() -> None:
    assert spelled_value("(dua ratus lima puluh persen)") == (250, True)
    assert spelled_value("(dua koma lima persen)") == (2.5, True)
    assert spelled_value("(seratus kilometer persegi)") == (100, False)
    assert spelled_value("(lima belas juta rupiah)") == (15_000_000, False)
    assert spelled_value("(huruf a)") is None


_STATUTE = """PERATURAN DAERAH KABUPATEN CONTOH
NOMOR 3 TAHUN 2024
TENTANG
PERIZINAN BERUSAHA

Pasal 1
(1) Persetujuan KKPR ditolak apabila hasil penilaian tidak sesuai dalam hasil pemeriksaan.
(2) Persetujuan KKPR ditolak apabila dokumen tidak sesuai dalam hasil penilaian.
(3) Persetujuan KKPR diterbitkan dalam hasil penilaian yang sesuai.

Pasal 2
(1) Dalam hal permohonan sebagaimana dimaksud dalam Pasal 1 ayat (21 KKPRditolak dalamhasil penilaian,
Pelaku Usaha dapat mengajukan kembali.
(2) Pelaku Usaha mengajukan kembali paling lama 3O (tiga puluh) hari.
"""


def test_statute_chunks_are_repaired_and_raw_text_kept(tmp_path: Path) -> None:
    raw = parse_statute(_STATUTE, repair_ocr=False)
    st = parse_statute(_STATUTE)
    text = " ".join(c.text for c in statute_chunks(st, "perda-3-2024", "Perda 3/2024"))
    assert "Pasal 1 ayat (2) KKPR ditolak dalam hasil penilaian" in text
    assert "paling lama 30 (tiga puluh) hari" in text
    assert st.pasal[1].ayat[0][1].startswith("Dalam hal permohonan")  # ayat structure intact
    assert st.ocr_log.raw["Pasal 2"] == raw.pasal[1].text  # the raw passage, for audit
    assert "Pasal 1" not in st.ocr_log.raw  # unchanged passages are not copied
    assert st.ocr_log.counts() == {"ayat_ref": 1, "glued": 2, "number": 1}
    # The per-document audit file beside the catalog.
    doc = tmp_path / "perda-3-2024.txt"
    doc.write_text(_STATUTE, encoding="utf-8")
    parsed = parse_file(doc)
    assert parsed.document.metadata["ocr_repairs"] == "4"
    kb = SimpleNamespace(catalog=SimpleNamespace(path=tmp_path / "data" / "knowledge.sqlite3"))
    write_ocr_log(kb, parsed)  # type: ignore[arg-type]
    log = json.loads((tmp_path / "data" / "ocr_repairs" / "perda-3-2024.json").read_text("utf-8"))
    assert log["doc_id"] == "perda-3-2024" and len(log["repairs"]) == 4
    assert "KKPRditolak" in log["raw"]["Pasal 2"]
    assert {"kind", "before", "after", "reason", "where", "context"} <= set(log["repairs"][0])


def test_sop_text_is_not_touched(tmp_path: Path) -> None:
    sop = tmp_path / "sop-contoh.md"
    sop.write_text("# SOP Contoh\n\n## Langkah\n\nPemohon mengisi formulir dalamhasil 24O hari.\n",
                   encoding="utf-8")
    parsed = parse_file(sop)
    assert parsed.ocr_log is None
    assert any("dalamhasil 24O" in c.text for c in parsed.chunks)


# ---------------------------------------------------------------------------------------------
# The shared corpus
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reports(regulations_dir: Path) -> dict:
    """name → OcrReport for the corpus regulations."""
    return {p.name: ocr_report(p) for p in sorted(regulations_dir.glob("*.txt"))}


def test_suspicious_tokens_down_by_ninety_percent(reports: dict) -> None:
    before = sum(len(r.before.suspects) for r in reports.values())
    after = sum(len(r.after.suspects) for r in reports.values())
    for name, r in reports.items():
        print(f"{name}: {len(r.before.suspects)} → {len(r.after.suspects)} suspicious "
              f"({r.before.per_1000:.2f} → {r.after.per_1000:.2f} per 1,000); {r.log.counts()}")
    assert before > 500  # the PP 28/2025 scan is noisy: the detector must see it
    assert after <= 0.1 * before
    assert reports["pp-28-2025.txt"].reduction >= 0.9


def test_damaged_tokens_are_gone_from_chunk_texts(regulations_dir: Path) -> None:
    loaded = load_file(regulations_dir / "pp-28-2025.txt")
    raw = " ".join(c.text for c in statute_chunks(parse_statute(loaded.text, False), "d", "PP"))
    fixed = " ".join(c.text for c in statute_chunks(parse_statute(loaded.text), "d", "PP"))
    for token in ("dalamhasil", "KKPRditolak", "men5rusun", "Pasal2l", "24O", "(21,", "P erizinan",
                  "danlatau", "pemeganglzin", "2O2l", "lamaT", "Pemerintah Fusat"):
        assert token in raw, token  # the damage is really there before
        assert token not in fixed, token
    assert "ketentuan Pasal 21 ayat (1) dan ayat (2), permohonan" in fixed
    assert "tidak tercakup dalam hasil penilaian" in fixed


def test_no_digit_is_changed_only_read(reports: dict) -> None:
    """Number repairs only read look-alike letters as digits: every printed digit survives."""
    for r in reports.values():
        for rep in r.log.repairs:
            if rep.kind == "number":
                # Exactly the look-alike letters read as digits, nothing else; a percent sign
                # read as "o/o", "oh" or "7o" only where the spelled-out words say "persen".
                figure = re.sub(r"(?:o/o|oh|%o|7o|%)\W*$", "", rep.before)
                read = figure.translate(str.maketrans("OoIl|", "00111"))
                assert re.sub(r"\D", "", read) == re.sub(r"\D", "", rep.after), rep
                if figure != rep.before:
                    assert "persen" in rep.reason, rep
            elif rep.kind == "glued_figure":
                # "lamaT" → "lama 7": the word stays as printed, only its tail becomes the figure.
                head, figure = rep.after.rsplit(" ", 1)
                assert rep.before.startswith(head) and figure.isdigit(), rep
                assert len(rep.before) == len(head) + len(figure), rep
                assert "brackets" in rep.reason, rep
            elif rep.kind == "ayat_ref":
                assert rep.after.startswith(rep.before[:2]) and rep.after[2] == ")", rep


def test_clean_regulations_are_barely_touched(reports: dict) -> None:
    for name in ("pp-6-2021.txt", "uu-25-2009.txt"):
        assert len(reports[name].log.repairs) <= 5, reports[name].log.repairs
