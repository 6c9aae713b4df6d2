"""File loaders for text formats, the `# Key: value` header block, folder expansion and kind
detection (PDF, DOCX and HTML are in test_loaders_documents.py).

Every input file is generated here, except the tests that read the shared corpus through
`require_shared`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shared_corpus import require_shared
from ingest.detect import detect_kind
from ingest.header import split_header
from ingest.loaders import SUPPORTED_EXTENSIONS, iter_files, load_file
from ingest.models import IngestError, LoadedText
from loader_support import expect_error
from knowledge.models import DocKind


STATUTE = """PERATURAN DAERAH KABUPATEN CONTOH
NOMOR 3 TAHUN 2024
TENTANG
PELAYANAN PERIZINAN

BAB I
KETENTUAN UMUM

Pasal 1
Dalam Peraturan Daerah ini yang dimaksud dengan:
1. Daerah adalah Kabupaten Contoh.
2. Perizinan adalah pemberian legalitas kepada pelaku usaha.

Pasal 2
(1) Perizinan diselenggarakan secara elektronik.
(2) Penyelenggaraan sebagaimana dimaksud pada ayat (1) dilaksanakan oleh Dinas.

BAB II
PELAYANAN

Pasal 3
Dinas wajib menyediakan layanan konsultasi.

Pasal 4
Ketentuan lebih lanjut diatur dengan Peraturan Bupati.
"""

SOP_MD = """# SOP Pengelolaan Pengaduan Contoh

Unit: Bidang Pengaduan
Status dokumen: berlaku

## 1. Saluran pengaduan

Pengaduan disampaikan melalui WhatsApp atau loket.

## 2. Penanganan

1. Pengaduan dicatat.
2. Pengaduan diteruskan kepada petugas.
"""


# --------------------------------------------------------------------------- header block


def test_header_of_shared_regulations(regulations_dir: Path) -> None:
    for path in sorted(regulations_dir.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        header, body = split_header(text)
        assert header["title"], path.name
        assert "source" in header and "completeness" in header, path.name
        assert text.endswith(body) and not body.startswith("#"), path.name
        assert "Pasal 1" in body
    header, body = split_header((regulations_dir / "pp-28-2025.txt").read_text(encoding="utf-8"))
    # "#   OMITTED: ..." is a continuation of Completeness, not a key of its own
    assert "omitted" not in header
    assert "OMITTED: Lampiran I" in header["completeness"]
    assert header["title"].startswith("Peraturan Pemerintah (PP) Republik Indonesia Nomor 28 Tahun 2025")
    assert body.startswith("[PAGE 1]\n")
    header, body = split_header((regulations_dir / "pp-6-2021.txt").read_text(encoding="utf-8"))
    defects = next(v for k, v in header.items() if k.startswith("missing/known defects"))
    assert "typos of the source are kept" in defects
    assert body.startswith("TENTANG\n")


def test_header_absent_in_shared_sop_and_faq() -> None:
    sop_dir = require_shared("corpus", "sop")
    for path in sorted(sop_dir.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        assert split_header(text) == ({}, text), path.name
    faq = require_shared("corpus", "faq", "faq-perizinan.yaml").read_text(encoding="utf-8")
    # its leading "# Curated FAQ ... Each entry: id, ..." comment is prose, not a header
    assert split_header(faq) == ({}, faq)


def test_header_rules_on_small_inputs() -> None:
    md = "# Panduan Pendaftaran NIB\n\nIsi panduan.\n"
    assert split_header(md) == ({}, md)
    one_unknown = "# Catatan penting: baca dulu\n\nIsi.\n"
    assert split_header(one_unknown) == ({}, one_unknown)
    header, body = split_header("# Title: Contoh\n# Kind: sop\n#   lanjutan jenis\n# Status: dicabut\n\nIsi dokumen.\n")
    assert header == {"title": "Contoh", "kind": "sop\nlanjutan jenis", "status": "dicabut"}
    assert body == "Isi dokumen.\n"
    header, body = split_header("# Title: Hanya judul\nTeks langsung.\n")
    assert header == {"title": "Hanya judul"} and body == "Teks langsung.\n"


# --------------------------------------------------------------------------- text formats


def test_txt_with_header_and_md_with_bom(tmp_path: Path) -> None:
    txt = tmp_path / "catatan.txt"
    txt.write_text(
        "# Title: Catatan Uji\n# Source: dibuat oleh tes\n\nBaris pertama.\nBaris kedua.\n", encoding="utf-8"
    )
    loaded = load_file(txt)
    assert loaded.fmt == "txt" and loaded.source_name == "catatan.txt"
    assert loaded.header == {"title": "Catatan Uji", "source": "dibuat oleh tes"}
    assert loaded.text == "Baris pertama.\nBaris kedua.\n"
    assert loaded.raw == txt.read_bytes()

    md = tmp_path / "panduan.markdown"
    md.write_bytes(b"\xef\xbb\xbf# Panduan Uji\r\n\r\nIsi \xc3\xa9l\xc3\xa8ve.\r\n")
    loaded = load_file(md)
    assert loaded.fmt == "md" and loaded.header == {}
    assert loaded.text == "# Panduan Uji\n\nIsi élève.\n"


def test_non_utf8_text_names_offset_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "sop-latin1.md"
    data = "# SOP\n\nBaris dua\nKafé di baris empat\n".encode("latin-1")
    bad.write_bytes(data)
    error = expect_error(bad, "UTF-8", f"offset {data.index(0xE9)}")
    assert error.line == 4
    binary = tmp_path / "gambar.txt"
    binary.write_bytes(b"abc\x00\x01\x02")
    expect_error(binary, "biner")


@pytest.mark.parametrize("content", [b"", b"   \n\t\n", b"# Title: Kosong\n# Source: x\n\n   \n"])
def test_empty_files_are_rejected(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "kosong.md"
    path.write_bytes(content)
    expect_error(path, "file kosong")


def test_unknown_extension_and_missing_file(tmp_path: Path) -> None:
    odd = tmp_path / "data.xlsx"
    odd.write_bytes(b"PK\x03\x04")
    error = expect_error(odd, ".xlsx", "tidak didukung")
    for ext in SUPPORTED_EXTENSIONS:
        assert ext in error.reason
    assert {".pdf", ".docx", ".md", ".txt", ".html", ".yaml", ".csv"} <= set(SUPPORTED_EXTENSIONS)
    expect_error(tmp_path / "tidak-ada.md", "tidak ditemukan")


def test_yaml_and_csv_are_loaded_as_text(tmp_path: Path) -> None:
    yml = tmp_path / "faq.yml"
    yml.write_text("- id: a\n  question: Q?\n  answer: A.\n", encoding="utf-8")
    csv_path = tmp_path / "faq.csv"
    csv_path.write_text("id,question,answer\na,Q?,A.\n", encoding="utf-8")
    assert load_file(yml).fmt == "yaml" and load_file(yml).text.startswith("- id: a")
    assert load_file(csv_path).fmt == "csv" and "a,Q?,A." in load_file(csv_path).text


# --------------------------------------------------------------------------- folders


def test_iter_files_expands_folders(tmp_path: Path) -> None:
    root = tmp_path / "korpus"
    (root / "sop" / "arsip").mkdir(parents=True)
    (root / ".git").mkdir()
    for rel in ["b.md", "README.md", "sop/a.txt", "sop/arsip/c.pdf", "sop/foto.jpg", ".tersembunyi.md",
                ".git/config.txt", "sop/~$draf.docx", "faq.yaml"]:
        (root / rel).write_bytes(b"x")
    odd = tmp_path / "tabel.xlsx"
    odd.write_bytes(b"x")
    single = tmp_path / "satu.md"
    single.write_bytes(b"x")

    files, errors = iter_files([root, single, odd, tmp_path / "hilang", root / "b.md"])
    rel = [str(p.relative_to(tmp_path)) for p in files]
    assert rel == ["korpus/b.md", "korpus/faq.yaml", "korpus/sop/a.txt",
                   "korpus/sop/arsip/c.pdf", "satu.md"]
    assert len(errors) == 2
    assert str(odd) in str(errors[0]) and "tidak didukung" in errors[0].reason
    assert "tidak ditemukan" in errors[1].reason


# --------------------------------------------------------------------------- detection


def test_detect_faq_and_sop(tmp_path: Path) -> None:
    yml = tmp_path / "tanya.yaml"
    yml.write_text("- id: x\n  question: Apa?\n  answer: Itu.\n", encoding="utf-8")
    assert detect_kind(load_file(yml)) == DocKind.FAQ
    broken = tmp_path / "rusak.yaml"
    broken.write_text("- id: x\n  question: [tidak ditutup\n", encoding="utf-8")
    assert detect_kind(load_file(broken)) == DocKind.FAQ  # so the FAQ parser can name the line
    csv_path = tmp_path / "tanya.csv"
    csv_path.write_text("ID;Pertanyaan;Jawaban\nx;Apa?;Itu.\n", encoding="utf-8")
    assert detect_kind(load_file(csv_path)) == DocKind.FAQ
    other_csv = tmp_path / "angka.csv"
    other_csv.write_text("tahun,jumlah\n2024,10\n", encoding="utf-8")
    with pytest.raises(IngestError, match="bukan FAQ"):
        detect_kind(load_file(other_csv))
    other_yaml = tmp_path / "konfig.yaml"
    other_yaml.write_text("port: 8080\n", encoding="utf-8")
    with pytest.raises(IngestError, match="bukan FAQ"):
        detect_kind(load_file(other_yaml))


def test_detect_statute_and_sop_from_content(tmp_path: Path) -> None:
    statute = tmp_path / "perda-3-2024.md"  # a statute with a Markdown extension
    statute.write_text(STATUTE, encoding="utf-8")
    assert detect_kind(load_file(statute)) == DocKind.REGULATION
    sop = tmp_path / "sop-contoh.txt"
    sop.write_text(SOP_MD, encoding="utf-8")
    assert detect_kind(load_file(sop)) == DocKind.SOP


def test_detect_shared_corpus(tmp_path: Path) -> None:
    for name in ("pp-6-2021.txt", "uu-25-2009.txt", "pp-28-2025.txt"):
        copy = tmp_path / (Path(name).stem + ".md")
        copy.write_bytes(require_shared("corpus", "regulations", name).read_bytes())
        assert detect_kind(load_file(copy)) == DocKind.REGULATION, name
    for path in sorted(require_shared("corpus", "sop").glob("*.md")):
        assert detect_kind(load_file(path)) == DocKind.SOP, path.name
    assert detect_kind(load_file(require_shared("corpus", "faq", "faq-perizinan.yaml"))) == DocKind.FAQ


def test_detect_honours_header_kind(tmp_path: Path) -> None:
    path = tmp_path / "catatan.txt"
    path.write_text("# Title: Catatan\n# Kind: faq\n\nbukan apa-apa\n", encoding="utf-8")
    assert detect_kind(load_file(path)) == DocKind.FAQ
    forced = LoadedText(path="x.md", source_name="x.md", text=STATUTE, header={"kind": "sop"}, fmt="md")
    assert detect_kind(forced) == DocKind.SOP
    wrong = LoadedText(path="x.md", source_name="x.md", text="isi", header={"kind": "buku"}, fmt="md")
    with pytest.raises(IngestError, match="x.md: nilai header 'kind' tidak dikenal"):
        detect_kind(wrong)


def test_folder_notes_are_skipped_in_folders_but_not_when_named(tmp_path: Path) -> None:
    """README/SOURCES describe a folder's documents; they are not knowledge unless named."""
    from ingest.loaders import iter_files

    (tmp_path / "sop-a.md").write_text("# SOP A\n\n## 1. Satu\n\nIsi.\n", encoding="utf-8")
    (tmp_path / "SOURCES.md").write_text("# Sumber\n\nDari mana berkas ini.\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("# Baca\n\nCatatan.\n", encoding="utf-8")
    files, errors = iter_files([tmp_path])
    assert [f.name for f in files] == ["sop-a.md"] and not errors
    files, errors = iter_files([tmp_path / "SOURCES.md"])
    assert [f.name for f in files] == ["SOURCES.md"] and not errors
