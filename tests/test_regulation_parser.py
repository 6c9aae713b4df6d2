"""Statute parser: Pasal/ayat structure, Penjelasan, chunks (furniture: tests/test_furniture.py).

Unit tests use synthetic snippets; the corpus tests parse the three real regulation files of
../shared (through the `regulations_dir` fixture) and check them against the dev-set gold
phrases, which is how retrieval is scored.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from shared_corpus import require_shared
from ingest.models import IngestError, LoadedText
from ingest.regulation import parse_regulation
from ingest.statute import Pasal, Statute, looks_like_statute
from ingest.statute_chunks import AYAT_SPLIT_LIMIT, CHUNK_LIMIT, statute_chunks
from ingest.statute_parser import parse_statute
from knowledge.models import DocKind, DocStatus

REGULATION_FILES = {"pp-28-2025.txt": 552, "pp-6-2021.txt": 41, "uu-25-2009.txt": 62}


def _load(path: Path) -> LoadedText:
    """Read a corpus file: the `# Key: value` lines up to the first blank line are the header."""
    lines = path.read_text(encoding="utf-8").split("\n")
    header: dict[str, str] = {}
    i = 0
    while i < len(lines) and lines[i].startswith("# "):
        m = re.match(r"#\s([A-Za-z][\w -]*):\s*(.*)", lines[i])
        if m:
            header[m.group(1).strip().lower()] = m.group(2)
        i += 1
    body = "\n".join(lines[i + 1 :] if i < len(lines) and not lines[i].strip() else lines[i:])
    return LoadedText(path=str(path), source_name=path.name, text=body, header=header, raw=path.read_bytes())


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower()).strip()


@pytest.fixture(scope="module")
def parsed(regulations_dir: Path) -> dict:
    """name → (LoadedText, Statute, ParsedDocument) for the three corpus regulations."""
    out = {}
    for name in REGULATION_FILES:
        loaded = _load(regulations_dir / name)
        out[name] = (loaded, parse_statute(loaded.text), parse_regulation(loaded, name[:-4]))
    return out


# ---------------------------------------------------------------------------------------------
# Parser (synthetic statute)
# ---------------------------------------------------------------------------------------------

SYNTHETIC = """PERATURAN DAERAH KABUPATEN CONTOH
NOMOR 3 TAHUN 2024
TENTANG
PELAYANAN PERIZINAN
DENGAN RAHMAT TUHAN YANG MAHA ESA
BUPATI CONTOH,
Menimbang : bahwa perlu mengatur pelayanan;
Mengingat : Pasal 18 ayat (6) Undang-Undang Dasar;
MEMUTUSKAN:
BAB I
KETENTUAN UMUM
Pasal 1
Dalam Peraturan Daerah ini yang dimaksud dengan:
Daerah adalah Kabupaten Contoh.
BAB II
PELAYANAN
Bagian Kesatu
Umum
Pasal 2
(1) Permohonan diajukan melalui Sistem OSS sebagaimana dimaksud dalam
Pasal 3
ayat (1) paling lama 3 (tiga) Hari.
(21 Permohonan sebagaimana dimaksud pada ayat
(1) diproses oleh DPMPTSP.
Pasal 3
(1) DPMPTSP menerbitkan izin.
(2) Izin berlaku selama usaha berjalan.
PRESIDEN
REPUBLIK INDONESIA
-3-
Pasal 4
Biaya pelayanan tidak dipungut.
Pasal 4A
Ketentuan sisipan.
Pasal 5
Peraturan Daerah ini mulai berlaku pada tanggal diundangkan.
Agar setiap orang mengetahuinya, memerintahkan pengundangan Peraturan Daerah ini.
Ditetapkan di Contoh
PENJELASAN
ATAS
PERATURAN DAERAH KABUPATEN CONTOH
NOMOR 3 TAHUN 2024
TENTANG
PELAYANAN PERIZINAN
I. UMUM
Pelayanan perizinan harus cepat.
II. PASAL DEMI PASAL
Pasal 1
Cukup jelas.
Pasal 2
Ayat (1)
Yang dimaksud dengan "Hari" adalah hari kerja.
Ayat (2)
Cukup jelas.
Pasal 3
Cukup jelas.
Pasal 4
Cukup jelas.
Pasal 4A
Cukup jelas.
Pasal 5
Cukup jelas.
TAMBAHAN LEMBARAN DAERAH KABUPATEN CONTOH NOMOR 7
"""


def test_synthetic_statute_structure() -> None:
    st = parse_statute(SYNTHETIC)
    assert (st.type, st.number, st.year, st.short_name) == ("Perda", "3", 2024, "Perda 3/2024")
    assert st.title == "PELAYANAN PERIZINAN"
    assert [p.label for p in st.pasal] == ["Pasal 1", "Pasal 2", "Pasal 3", "Pasal 4", "Pasal 4A", "Pasal 5"]
    p2 = st.pasal[1]
    # The wrapped reference "dimaksud dalam / Pasal 3 / ayat (1)" stays in Pasal 2's text.
    assert "sebagaimana dimaksud dalam Pasal 3 ayat (1) paling lama 3 (tiga) Hari." in p2.text
    # "(21" became ayat (2); the "(1)" after "pada ayat" is a reference, not ayat (1) again.
    assert [label for label, _ in p2.ayat] == ["(1)", "(2)"]
    assert p2.ayat[1][1] == "Permohonan sebagaimana dimaksud pada ayat (1) diproses oleh DPMPTSP."
    assert p2.bab == "BAB II PELAYANAN" and p2.bagian == "Bagian Kesatu Umum"
    assert st.pasal[0].path == "BAB I KETENTUAN UMUM"
    assert st.pasal[3].text == "Biaya pelayanan tidak dipungut."  # running head and page number gone
    assert st.pasal[-1].text == "Peraturan Daerah ini mulai berlaku pada tanggal diundangkan."
    assert st.penjelasan_umum == "Pelayanan perizinan harus cepat."
    assert p2.penjelasan is not None and not p2.penjelasan_cukup_jelas
    assert st.pasal[0].penjelasan == "Cukup jelas." and st.pasal[0].penjelasan_cukup_jelas
    assert st.pasal[-1].penjelasan == "Cukup jelas."  # the gazette line is not part of it
    assert st.warnings == []


def test_synthetic_regulation_document_and_links() -> None:
    loaded = LoadedText(path="perda-3-2024.txt", source_name="perda-3-2024.txt", text=SYNTHETIC,
                        header={"title": "Perda contoh", "status": "dicabut"})
    doc = parse_regulation(loaded, "perda-3-2024")
    d = doc.document
    assert (d.kind, d.short_name, d.number, d.year, d.status) == (
        DocKind.REGULATION, "Perda 3/2024", "3", 2024, DocStatus.DICABUT)
    assert d.title == "Peraturan Daerah Nomor 3 Tahun 2024 tentang Pelayanan Perizinan"
    assert d.chunk_count == len(doc.chunks)
    by_loc = {c.locator: c for c in doc.chunks}
    pasal2, pen2 = by_loc["Perda 3/2024 Pasal 2"], by_loc["Perda 3/2024 Penjelasan Pasal 2"]
    assert pasal2.linked == pen2.id and pen2.linked == pasal2.id
    assert pen2.section == "Penjelasan Pasal 2" and pasal2.section == "Pasal 2"
    assert pasal2.path == "BAB II PELAYANAN > Bagian Kesatu Umum"
    assert "Perda 3/2024 Penjelasan Pasal 1" not in by_loc  # "Cukup jelas." makes no chunk
    assert "Perda 3/2024 Penjelasan Umum" in by_loc
    assert not any("Menimbang" in c.text or "Ditetapkan" in c.text for c in doc.chunks)
    assert [c.ordinal for c in doc.chunks] == list(range(len(doc.chunks)))


def test_unknown_status_names_the_file() -> None:
    loaded = LoadedText(path="x/perda.txt", source_name="perda.txt", text=SYNTHETIC,
                        header={"status": "kadaluarsa"})
    with pytest.raises(IngestError, match="x/perda.txt"):
        parse_regulation(loaded, "perda")


def test_prose_is_rejected_with_the_file_name() -> None:
    loaded = LoadedText(path="notes/rapat.txt", source_name="rapat.txt",
                        text="Rapat membahas jadwal pelayanan.\nPeserta setuju.")
    with pytest.raises(IngestError, match="notes/rapat.txt"):
        parse_regulation(loaded, "rapat")


def _long_pasal(ayat_lengths: list[int]) -> Pasal:
    ayat = [(f"({i})", ("kata " * (n // 5)).strip() + ".") for i, n in enumerate(ayat_lengths, 1)]
    text = " ".join(f"{label} {t}" for label, t in ayat)
    return Pasal(number=7, text=text, ayat=ayat)


def test_long_pasal_is_split_by_ayat_groups() -> None:
    st = Statute(type="PP", number="6", year=2021, title="X", pasal=[_long_pasal([600, 600, 600, 600])])
    chunks = statute_chunks(st, "pp-6-2021", "PP 6/2021")
    assert [c.locator for c in chunks] == ["PP 6/2021 Pasal 7 ayat (1)-(2)", "PP 6/2021 Pasal 7 ayat (3)-(4)"]
    assert all(len(c.text) <= CHUNK_LIMIT for c in chunks)
    assert " ".join(c.text for c in chunks) == st.pasal[0].text
    assert {c.section for c in chunks} == {"Pasal 7"}


def test_huge_ayat_is_cut_at_sentence_boundaries() -> None:
    pasal = _long_pasal([400, 4000])
    # Give the big ayat sentences to cut at.
    sentence = "Kalimat nomor {} menjelaskan ketentuan pelayanan perizinan berusaha."
    big = " ".join(sentence.format(i) for i in range(60))
    pasal.ayat[1] = ("(2)", big)
    pasal.text = f"(1) {pasal.ayat[0][1]} (2) {big}"
    chunks = statute_chunks(Statute("PP", "6", 2021, "X", [pasal]), "d", "PP 6/2021")
    assert chunks[0].locator == "PP 6/2021 Pasal 7 ayat (1)"
    assert len(chunks) >= 3 and all(c.locator == "PP 6/2021 Pasal 7 ayat (2)" for c in chunks[1:])
    assert all(len(c.text) <= CHUNK_LIMIT for c in chunks)
    assert all(c.text.endswith(".") for c in chunks)  # cut between sentences


# ---------------------------------------------------------------------------------------------
# The real corpus
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "count"), list(REGULATION_FILES.items()))
def test_all_pasal_in_order(parsed: dict, name: str, count: int) -> None:
    _loaded, st, _doc = parsed[name]
    assert [p.number for p in st.pasal] == list(range(1, count + 1))
    assert all(p.suffix == "" for p in st.pasal)
    assert st.warnings == []
    # Each file carries the complete Penjelasan Pasal demi Pasal (see SOURCES.md).
    assert sum(p.penjelasan is not None for p in st.pasal) == count
    assert st.penjelasan_umum


@pytest.mark.parametrize(
    ("name", "short", "number", "year", "title"),
    [("pp-28-2025.txt", "PP 28/2025", "28", 2025, "Penyelenggaraan Perizinan Berusaha Berbasis Risiko"),
     ("pp-6-2021.txt", "PP 6/2021", "6", 2021, "Penyelenggaraan Perizinan Berusaha di Daerah"),
     ("uu-25-2009.txt", "UU 25/2009", "25", 2009, "Pelayanan Publik")],
)
def test_document_identity(parsed: dict, name: str, short: str, number: str, year: int, title: str) -> None:
    _loaded, _st, doc = parsed[name]
    d = doc.document
    assert (d.short_name, d.number, d.year, d.kind, d.status) == (short, number, year, DocKind.REGULATION,
                                                                  DocStatus.BERLAKU)
    assert d.title.endswith("tentang " + title)
    assert d.source_name == name and d.content_hash


@pytest.mark.parametrize(
    ("pasal", "start"),
    [(11, "(1) Kegiatan pengadaan tanah sebagaimana dimaksud dalam Pasal 10 ayat (1) huruf a"),  # "Pasal 1 1"
     (110, "(1) Pendaftaran sebagaimana dimaksud dalam Pasal 109 ayat (1) huruf a diajukan"),  # "Pasal 1 10"
     (124, "(1) PB dilakukan berdasarkan penetapan tingkat Risiko"),  # "Pasal I24"
     (217, "(1) Subsistem persyaratan dasar sebagaimana dimaksud"),  # "Pasal2lT"
     (244, "(1) Inspeksi lapangan rutin dilakukan oleh koordinator"),  # "PasaL 244"
     (216, "(1) Subsistem pelayanan informasi sebagaimana dimaksud")],  # "Pasal 216(1) ..."
)
def test_ocr_damaged_headings_found(parsed: dict, pasal: int, start: str) -> None:
    _loaded, st, doc = parsed["pp-28-2025.txt"]
    assert st.pasal[pasal - 1].text.startswith(start)
    chunks = [c for c in doc.chunks if c.section == f"Pasal {pasal}"]
    assert chunks and chunks[0].locator.startswith(f"PP 28/2025 Pasal {pasal}")
    assert chunks[0].text.startswith(start)


def test_ayat_labels_repaired_in_ocr_text(parsed: dict) -> None:
    _loaded, st, _doc = parsed["pp-28-2025.txt"]
    with_ayat = [p for p in st.pasal if p.ayat]
    assert len(with_ayat) > 300
    # Every ayat list is numbered 1..n: "(21" was read as "(2)" wherever the sequence wanted it.
    assert all([label for label, _ in p.ayat] == [f"({i})" for i in range(1, len(p.ayat) + 1)]
               for p in with_ayat)


def test_pp6_structure_and_penjelasan(parsed: dict) -> None:
    _loaded, st, doc = parsed["pp-6-2021.txt"]
    assert st.pasal[5].path == "BAB III PELAKSANAAN PERIZINAN BERUSAHA DI DAERAH > Bagian Kesatu Umum"
    p14 = st.pasal[13]
    assert p14.penjelasan and not p14.penjelasan_cukup_jelas
    assert "retribusi Izin Usaha Perikanan" in p14.penjelasan
    assert st.pasal[0].penjelasan_cukup_jelas
    pen = [c for c in doc.chunks if c.locator == "PP 6/2021 Penjelasan Pasal 14"]
    pasal = [c for c in doc.chunks if c.section == "Pasal 14"]
    assert pen and pasal
    assert all(c.linked == pen[0].id for c in pasal) and pen[0].linked == pasal[0].id


@pytest.mark.parametrize("name", list(REGULATION_FILES))
def test_chunks_are_clean_and_consistent(parsed: dict, name: str) -> None:
    _loaded, st, doc = parsed[name]
    short = doc.document.short_name
    chunks = doc.chunks
    ids = {c.id: c for c in chunks}
    assert len(ids) == len(chunks)
    assert [c.ordinal for c in chunks] == sorted(c.ordinal for c in chunks)
    assert len({c.ordinal for c in chunks}) == len(chunks)
    furniture = re.compile(
        r"SK\s*No|\[PAGE|PRESIDEN\nREPUBLIK|PRES IDEN|(?:^|\s)[-_]\s?[0-9t]{1,3}\s?[-_](?:\s|$)|Pasal\.\s?\.",
        re.MULTILINE,
    )
    for c in chunks:
        assert not furniture.search(c.text), (c.locator, furniture.search(c.text))
        assert c.text == c.text.strip() and "  " not in c.text
        assert len(c.text) <= AYAT_SPLIT_LIMIT, c.locator
        assert c.locator.startswith(f"{short} ")
        assert c.locator[len(short) + 1 :].startswith(c.section)
        assert not re.search(r"\bMenimbang\b|\bMEMUTUSKAN\b|Ditetapkan di", c.text), c.locator
        if c.linked:
            other = ids[c.linked]
            assert other.section.replace("Penjelasan ", "") == c.section.replace("Penjelasan ", "")
    # A Pasal cut into ayat groups still holds the whole Pasal, in order.
    for p in st.pasal:
        own = [c for c in chunks if c.section == p.label]
        assert own, p.label
        assert " ".join(c.text for c in own) == p.text
        if len(own) > 1 and p.ayat:
            assert all(" ayat (" in c.locator for c in own)
    linked_pen = [c for c in chunks if c.section.startswith("Penjelasan Pasal")]
    assert linked_pen and all(c.linked for c in linked_pen)
    assert any(c.section == "Penjelasan Umum" for c in chunks)


def test_gold_phrases_are_inside_their_sections(parsed: dict) -> None:
    """Every must_contain phrase of a regulation gold entry lies in a chunk of its section."""
    dev = require_shared("eval", "dev.jsonl")
    checked, missing = 0, []
    for line in dev.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        for gold in item["gold"]:
            if gold["doc"] not in parsed:
                continue
            chunks = [c for c in parsed[gold["doc"]][2].chunks if c.section == gold["locator"]]
            for phrase in gold["must_contain"]:
                checked += 1
                if not any(_norm(phrase) in _norm(c.text) for c in chunks):
                    missing.append((item["id"], gold["doc"], gold["locator"], phrase))
    print(f"gold regulation phrases found: {checked - len(missing)}/{checked}")
    assert checked > 50
    assert missing == []


def test_looks_like_statute(parsed: dict, shared_dir: Path) -> None:
    for name, (loaded, _st, _doc) in parsed.items():
        assert looks_like_statute(loaded.text), name
    sops = sorted((shared_dir / "corpus" / "sop").glob("*.md"))
    assert sops
    for sop in sops:
        assert not looks_like_statute(sop.read_text(encoding="utf-8")), sop.name
    assert not looks_like_statute("Pelayanan dibuka pukul 08.00.\nSilakan datang ke loket.\nTerima kasih.")
    assert looks_like_statute(SYNTHETIC)
