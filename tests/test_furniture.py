"""Page furniture and conservative OCR repair on statute lines (ingest.furniture): running
heads, page numbers, serials and catchwords removed; Pasal headings and ayat labels read
through OCR damage. Synthetic snippets only."""

from __future__ import annotations

import pytest

from ingest.furniture import (
    is_continuation_stub,
    is_page_number,
    is_running_head,
    pasal_heading_readings,
    repair_ayat_start,
    repair_number,
    split_serial,
    strip_furniture,
    strip_trailing_catchword,
)

# ---------------------------------------------------------------------------------------------
# Furniture and OCR repair (synthetic)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line", ["PRESIDEN", "PRES IDEN", "FRESIDEN", "PRESIOEN", "REPUBLIK INDONESIA", "REPUBUK INDONESIA",
             "R.EPUBLIK INDONESIA", "SALINAN", "IPRES IDEN", "(10)PRES IDEN"],
)
def test_running_heads_are_recognised(line: str) -> None:
    assert is_running_head(line)


@pytest.mark.parametrize(
    "line", ["PRESIDEN REPUBLIK INDONESIA,", "PERATURAN PEMERINTAH REPUBLIK INDONESIA",
             "Presiden menetapkan kebijakan nasional.", "PERSYARATAN DASAR", ""],
)
def test_content_is_not_a_running_head(line: str) -> None:
    assert not is_running_head(line)


@pytest.mark.parametrize("line", ["-6-", "- 12 -", "_10_", "-t2-", "-27 -", "_ 186-"])
def test_page_numbers_are_recognised(line: str) -> None:
    assert is_page_number(line)


@pytest.mark.parametrize("line", ["-", "2021", "a-6-b", "- huruf a", "(6)"])
def test_non_page_numbers(line: str) -> None:
    assert not is_page_number(line)


def test_split_serial_cuts_glued_serial_and_catchword() -> None:
    assert split_serial("Berusaha Berbasis Risiko;SK No 253386 AMengingat:") == (
        "Berusaha Berbasis Risiko;",
        "Mengingat:",
    )
    assert split_serial("SK No251850A(8) Apabila .") == ("", "(8) Apabila .")
    assert split_serial("SK No 2799588Pasal") == ("", "Pasal")  # class letter B read as 8
    assert split_serial("ditetapkan dengan Keputusan SK No 12/2020 tentang") is None
    assert split_serial("Pelaku Usaha wajib memiliki NIB.") is None


def test_continuation_stubs() -> None:
    assert is_continuation_stub("Pasal. . .", "Pasal 17")
    assert is_continuation_stub("(4) Kode...", "(4) Kode KBLI/KBLI terkait")
    assert is_continuation_stub("c. kehutanan .", "c. kehutanan;")
    assert is_continuation_stub("b. penyusunan.", "b. penyusunan dokumen lingkungan; dan")
    # A real last line that does not repeat the next page is kept.
    assert not is_continuation_stub("PB UMKU.", "BAB II")
    assert not is_continuation_stub("pelaksanaan kegiatan usahanya.", "6. Pemerintah Daerah adalah")


def test_trailing_catchword_glued_to_last_line() -> None:
    line = "a. tergolong sebagai pendukung dari kegiatan usaha utama; b. dapat . . ."
    assert strip_trailing_catchword(line, "b. dapat merupakan sumber pendapatan") == (
        "a. tergolong sebagai pendukung dari kegiatan usaha utama;"
    )
    assert strip_trailing_catchword(line, "c. lain") == line


def test_strip_furniture_on_a_page_break() -> None:
    lines = [
        "dimaksud dalam Pasal 2 ayat (2) huruf c meliputi sektor:",
        "a. kelautan dan perikanan;",
        "c. kehutanan .",
        "SK No 251887 A",
        "",
        "[PAGE 8]",
        "PRES IDEN",
        "REPUBLIK INDONESIA",
        "-8-",
        "c. kehutanan;",
        "(4) Kode...SK No 251886 A",
        "",
        "[PAGE 9]",
        "PRESIDEN",
        "REPUBLIK INDONESIA",
        "-9-",
        "(4) Kode KBLI terkait.",
        "PB UMKU.",
        "SK No 251882 ABAB",
        "[PAGE 13]",
        "PRESIDEN",
        "REPUBLIK INDONESIA",
        "_13_",
        "BAB II",
    ]
    out = strip_furniture(lines)
    assert [l.text for l in out] == [
        "dimaksud dalam Pasal 2 ayat (2) huruf c meliputi sektor:",
        "a. kelautan dan perikanan;",
        "c. kehutanan;",
        "(4) Kode KBLI terkait.",
        "PB UMKU.",
        "BAB II",
    ]
    assert out[2].no == 10  # line numbers point into the input


def test_strip_furniture_keeps_clean_text_unchanged() -> None:
    lines = ["Pasal 3", "(1) Gubernur mendelegasikan kewenangan", "kepada kepala DPMPTSP provinsi.",
             "PRESIDEN REPUBLIK INDONESIA,", "Pasal 5 ayat (2) Undang-Undang Dasar"]
    assert [l.text for l in strip_furniture(lines)] == lines


@pytest.mark.parametrize(
    ("line", "number", "suffix"),
    [("Pasal 1 1", 11, ""), ("Pasal 1 10", 110, ""), ("Pasal I24", 124, ""), ("Pasal2lT", 217, ""),
     ("PasaL 244", 244, ""), ("Pasal 55O", 550, ""), ("Pasal lOO", 100, ""), ("Pasal,427", 427, ""),
     ("Pasal 18A", 18, "A"), ("(4)Pasal 89", 89, "")],
)
def test_pasal_heading_repairs(line: str, number: int, suffix: str) -> None:
    readings = pasal_heading_readings(line)
    assert any(r.number == number and r.suffix == suffix for r in readings)


@pytest.mark.parametrize(
    "line", ["Pasal 1 ayat (2)", "Pasal 70.", "Pasal 5 ayat (2) Undang-Undang Dasar Negara",
             "sebagaimana dimaksud dalam Pasal 5", "Pasal. . .", "Pasal 92 ayat (ll,",
             "Pasal 241, meliputi:"],
)
def test_references_are_not_headings(line: str) -> None:
    assert pasal_heading_readings(line) == []


def test_heading_glued_ayat_one() -> None:
    (reading,) = [r for r in pasal_heading_readings("Pasal 216(1) Subsistem pelayanan") if r.number == 216]
    assert reading.rest == "(1) Subsistem pelayanan"


def test_ayat_label_repair() -> None:
    assert repair_ayat_start("(21 Setelah dokumen diterima") == "(2) Setelah dokumen diterima"
    assert repair_ayat_start("(41 Sistem OSS mengalirkan") == "(4) Sistem OSS mengalirkan"
    assert repair_ayat_start("( 1) Apabila Pelaku Usaha") == "(1) Apabila Pelaku Usaha"
    assert repair_ayat_start("(1O) Penyelenggara") == "(10) Penyelenggara"
    # "(11" may be ayat 11 with a lost ")": only the ayat sequence can decide.
    assert repair_ayat_start("(11 Ketentuan lebih lanjut") == "(11 Ketentuan lebih lanjut"
    assert repair_ayat_start("(11 Ketentuan lebih lanjut", expected=1) == "(1) Ketentuan lebih lanjut"
    # Never inside a sentence, and a clean label is left byte for byte.
    assert repair_ayat_start("dimaksud pada ayat (21 huruf b") == "dimaksud pada ayat (21 huruf b"
    assert repair_ayat_start("(1), Pasal 5, dan Pasal 6") == "(1), Pasal 5, dan Pasal 6"


def test_repair_number() -> None:
    assert repair_number("1 1") == 11
    assert repair_number("2lT") == 217
    assert repair_number("55O") == 550
    assert repair_number("abc") is None
