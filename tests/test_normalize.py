"""Normalisation of chat Indonesian, Banjar and English, and timid spelling repair."""

from __future__ import annotations

import pytest

from responder.normalize import Normalised, is_ordinary_word, normalise


def test_original_is_kept_untouched() -> None:
    msg = "Gmn cara bikin NIB?? 🙏"
    n = normalise(msg)
    assert isinstance(n, Normalised)
    assert n.original == msg
    assert n.text == "bagaimana cara buat nib?? 🙏"
    assert n.tokens == ["bagaimana", "cara", "buat", "nib"]


@pytest.mark.parametrize("written, expected", [
    ("sy udh daftar tp blm dpt email", "saya sudah daftar tapi belum dapat email"),
    ("brp lama prosesnya, hrs ke kantor jg ga?",
     "berapa lama prosesnya, harus ke kantor juga tidak?"),
    ("yg dgn utk krn kalo", "yang dengan untuk karena kalau"),
    ("nggak enggak gak tdk", "tidak tidak tidak tidak"),
    ("skrg bs trs aja", "sekarang bisa terus saja"),
    ("min, lambat bgt", "admin, lambat sekali"),
    ("syarat sppl dll", "syarat sppl dan lain-lain"),
    ("ijin usaha sdh terbit dr kmrn", "izin usaha sudah terbit dari kemarin"),
])
def test_chat_abbreviations(written: str, expected: str) -> None:
    assert normalise(written).text == expected


@pytest.mark.parametrize("written, expected", [
    ("ulun handak betakun", "saya ingin bertanya"),
    ("pian kada tahu kah?", "anda tidak tahu?"),
    ("kaya apa caranya, musti ke dinas jua?", "bagaimana caranya, harus ke dinas juga?"),
    ("warung lawan bengkel, asa haja", "warung dan bengkel, satu saja"),
    ("jar urang gawi dua", "kata orang buat dua"),
])
def test_banjar_function_words(written: str, expected: str) -> None:
    assert normalise(written).text == expected


def test_banjar_pasal_means_about_unless_it_names_an_article() -> None:
    assert normalise("betakun pasal izin usaha").text == "bertanya tentang izin usaha"
    assert normalise("diatur di pasal 12 ayat 2").text == "diatur di pasal 12 ayat 2"
    assert normalise("pasal berapa yang mengatur?").text == "pasal berapa yang mengatur?"


def test_particle_kah_is_dropped_but_words_ending_in_kah_stay() -> None:
    n = normalise("bayar kah? apakah bisakah")
    assert n.text == "bayar? apakah bisakah"
    assert ("kah", "") in n.corrections


def test_hyphenated_clitic_is_split_from_the_term() -> None:
    assert normalise("retribusi PBG-nya berapa").tokens == ["retribusi", "pbg", "nya", "berapa"]


@pytest.mark.parametrize("written, expected", [
    ("bayar 250rb", "bayar 250 ribu"),
    ("modal 50jt", "modal 50 juta"),
    ("ukuran 8x15 m", "ukuran 8 x 15 m"),
    ("ga nyampe2", "tidak sampai-sampai"),
    ("usaha kecil2an", "usaha kecil-kecilan"),
    ("halooo pakkk", "halo pak"),
    ("daftar OSSS", "daftar oss"),
])
def test_numbers_units_reduplication_and_stretched_letters(written: str, expected: str) -> None:
    assert normalise(written).text == expected


@pytest.mark.parametrize("typo, term", [
    ("kbil", "kbli"), ("KBIL", "kbli"), ("pgb", "pbg"), ("lkmp", "lkpm"), ("amdl", "amdal"),
    ("sertifkat", "sertifikat"), ("retrebusi", "retribusi"), ("nibb", "nib"), ("skpr", "kkpr"),
])
def test_misspelt_domain_terms_are_repaired(typo: str, term: str) -> None:
    n = normalise(f"tanya {typo} dong")
    assert n.tokens[1] == term
    assert (typo.lower(), term) in n.corrections


@pytest.mark.parametrize("word", [
    "usaha", "pelayanannya", "dikirimin", "ngirim", "bangunin", "jualan", "umkm", "nip",
    "warung", "tetangga", "kecamatan", "errornya",
])
def test_ordinary_words_are_never_corrected(word: str) -> None:
    vocabulary = {"bangunan", "errors", "umku", "nib", "kirim", "warga", "tetapi", "kecamatan"}
    n = normalise(f"soal {word} itu", vocabulary)
    assert n.tokens[1] == word
    assert n.corrections == [] or all(c[0] != word for c in n.corrections)


def test_capitalised_names_inside_a_sentence_are_not_corrected() -> None:
    vocabulary = {"aminan", "yang"}
    n = normalise("nama Siti Aminah, alamat Jl. A. Yani", vocabulary)
    assert "aminah" in n.tokens and "yani" in n.tokens


def test_vocabulary_guides_repair_and_ambiguity_blocks_it() -> None:
    # "verifkasi" is one edit from the knowledge base word only.
    assert normalise("proses verifkasi", {"verifikasi"}).tokens[1] == "verifikasi"
    assert normalise("kode zorax", {"zorex"}).tokens[1] == "zorex"
    # Two equally near targets, neither a domain term: no guess.
    assert normalise("kode zorax", {"zorex", "zorix"}).tokens[1] == "zorax"
    # Ordinary words stay even when a vocabulary word is one edit away.
    assert normalise("mantab", {"mantap"}).tokens == ["mantab"]


def test_ordinary_word_check_uses_roots_affixes_and_slang() -> None:
    assert is_ordinary_word("perizinan")
    assert is_ordinary_word("gmn")
    assert not is_ordinary_word("kbil")


def test_english_licensing_words_are_mapped() -> None:
    n = normalise("How much is the business licence fee and what are your office hours on Friday?")
    assert n.lang == "en"
    for word in ("izin", "usaha", "biaya", "jam", "layanan", "jumat"):
        assert word in n.tokens
    assert n.original.startswith("How much")


def test_english_words_in_an_indonesian_message_stay_unless_licensing_terms() -> None:
    n = normalise("fee nya berapa? saya mau open toko")
    assert n.lang == "id"
    assert n.tokens[:2] == ["biaya", "nya"]
    assert "open" in n.tokens


def test_numbers_and_codes_are_not_touched() -> None:
    n = normalise("NPWP 12.345.678.9-731.000 dan nomor I-202608150932")
    assert "12.345.678.9-731.000" in n.text
    assert "i-202608150932" in n.text


def test_empty_message() -> None:
    n = normalise("")
    assert n.text == "" and n.tokens == [] and n.corrections == []
