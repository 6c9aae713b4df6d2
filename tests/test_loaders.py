"""File loaders, the `# Key: value` header block, folder expansion and kind detection.

Every input file is generated here (PDF bytes written by hand, DOCX through python-docx), except
the header tests that read the shared corpus through `require_shared`.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest

from shared_corpus import require_shared
from ingest.detect import detect_kind
from ingest.header import split_header
from ingest.loaders import SUPPORTED_EXTENSIONS, iter_files, load_file
from ingest.models import IngestError, LoadedText
from knowledge.models import DocKind


# --------------------------------------------------------------------------- helpers


def make_pdf(pages: list[list[str] | None]) -> bytes:
    """A valid PDF; each page is lines of Helvetica text, or None for an image-only page."""
    objs: list[bytes] = []

    def add(body: bytes) -> int:
        objs.append(body)
        return len(objs)

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    image = add(
        b"<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Length 4 >>\nstream\n\x00\xff\xff\x00\nendstream"
    )
    pages_id = len(objs) + 2 * len(pages) + 1  # objects: (content, page) per page, then Pages
    page_ids = []
    for lines in pages:
        if lines is None:
            content = b"q 200 0 0 200 100 500 cm /Im1 Do Q"  # draws the picture, no text
        else:
            ops = [b"BT /F1 12 Tf 14 TL 72 740 Td"]
            for line in lines:
                esc = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
                ops.append(b"(" + esc.encode("cp1252") + b") Tj T*")
            ops.append(b"ET")
            content = b"\n".join(ops)
        c = add(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        page_ids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                b"/Resources << /Font << /F1 %d 0 R >> /XObject << /Im1 %d 0 R >> >> >>"
                % (pages_id, c, font, image)
            )
        )
    kids = b" ".join(b"%d 0 R" % p for p in page_ids)
    assert add(b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % len(page_ids)) == pages_id
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, catalog, xref)
    return bytes(out)


def expect_error(path: Path, *fragments: str) -> IngestError:
    """load_file must fail with a message naming the file and containing every fragment."""
    with pytest.raises(IngestError) as info:
        load_file(path)
    message = str(info.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment.lower() in message.lower(), message
    return info.value


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


# --------------------------------------------------------------------------- PDF


def test_pdf_text_layer(tmp_path: Path) -> None:
    path = tmp_path / "sop-uji.pdf"
    path.write_bytes(
        make_pdf([
            ["# SOP Uji Coba", "## 1. Saluran (pengaduan)", "Pengaduan dapat disampaikan melalui WhatsApp."],
            ["## 2. Penanganan", "1. Setiap pengaduan dicatat dalam register."],
        ])
    )
    loaded = load_file(path)
    assert loaded.fmt == "pdf"
    lines = loaded.text.splitlines()
    assert "## 1. Saluran (pengaduan)" in lines
    assert "1. Setiap pengaduan dicatat dalam register." in lines
    assert lines.index("## 1. Saluran (pengaduan)") < lines.index("## 2. Penanganan")


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    scanned = tmp_path / "hasil-pindai.pdf"
    scanned.write_bytes(make_pdf([None, None]))
    expect_error(scanned, "lapisan teks", "pindai")
    blank = tmp_path / "halaman-kosong.pdf"
    blank.write_bytes(make_pdf([[]]))
    expect_error(blank, "lapisan teks")


def test_corrupt_pdf(tmp_path: Path) -> None:
    garbage = tmp_path / "rusak.pdf"
    garbage.write_bytes(b"%PDF-1.4\nthis is not really a pdf\n%%EOF\n")
    expect_error(garbage, "PDF rusak")
    truncated = tmp_path / "terpotong.pdf"
    truncated.write_bytes(make_pdf([["teks yang cukup panjang untuk diuji"]])[:150])
    expect_error(truncated, "PDF rusak")


# --------------------------------------------------------------------------- DOCX


def test_docx_headings_lists_and_tables(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("SOP Layanan Uji", level=0)  # style "Title"
    document.add_paragraph("Unit: Bidang Uji")
    document.add_heading("1. Tujuan", level=2)
    document.add_paragraph("Layanan ini membantu pelaku usaha.")
    document.add_heading("2. Alur", level=2)
    document.add_paragraph("Pemohon menghubungi petugas.", style="List Number")
    document.add_paragraph("Petugas memeriksa data.", style="List Number")
    document.add_paragraph("Catatan: bawa KTP", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Hari", "Jam"
    table.cell(1, 0).text, table.cell(1, 1).text = "Senin", "08.00-16.00"
    path = tmp_path / "sop-uji.docx"
    document.save(path)

    loaded = load_file(path)
    lines = loaded.text.splitlines()
    assert loaded.fmt == "docx"
    assert lines[0] == "# SOP Layanan Uji"
    assert "## 1. Tujuan" in lines and "## 2. Alur" in lines
    assert "1. Pemohon menghubungi petugas." in lines and "2. Petugas memeriksa data." in lines
    assert "- Catatan: bawa KTP" in lines
    assert "Senin | 08.00-16.00" in lines


def test_corrupt_docx(tmp_path: Path) -> None:
    noise = tmp_path / "rusak.docx"
    noise.write_bytes(b"bukan dokumen word sama sekali" * 10)
    expect_error(noise, "DOCX rusak")
    wrong_zip = tmp_path / "zip-lain.docx"
    with zipfile.ZipFile(wrong_zip, "w") as archive:
        archive.writestr("readme.txt", "halo")
    expect_error(wrong_zip, "DOCX rusak")


# --------------------------------------------------------------------------- HTML


def test_html_visible_text_with_headings_and_lists(tmp_path: Path) -> None:
    path = tmp_path / "panduan.html"
    path.write_text(
        """<!doctype html><html><head><title>Panduan &amp; Info</title>
        <style>body { color: red }</style><script>var rahasia = 1;</script></head>
        <body><nav><a href="/">Beranda</a> | <a href="/x">Menu</a></nav>
        <h1>Panduan NIB</h1><p>Pendaftaran   NIB
        gratis.</p>
        <h2>1. Langkah</h2><ol><li>Buat akun</li><li>Isi data <b>usaha</b></li></ol>
        <ul><li>Catatan satu</li></ul><p>Baris<br>baru</p>
        <h2>2. Syarat</h2><ol><li><p>KTP</p></li><li>
          <p>NPWP</p></li></ol>
        <table><tr><th>Hari</th><th>Jam</th></tr><tr><td>Jumat</td><td>08.00&ndash;11.00</td></tr></table>
        <script>document.write("x")</script></body></html>""",
        encoding="utf-8",
    )
    loaded = load_file(path)
    lines = loaded.text.splitlines()
    assert loaded.fmt == "html" and loaded.header["page_title"] == "Panduan & Info"
    assert lines[0] == "# Panduan NIB"
    assert "Pendaftaran NIB gratis." in lines
    assert "## 1. Langkah" in lines
    assert "1. Buat akun" in lines and "2. Isi data usaha" in lines and "- Catatan satu" in lines
    assert "Baris" in lines and "baru" in lines
    assert "## 2. Syarat\n\n1. KTP\n2. NPWP\n" in loaded.text  # <li><p>..</p></li> stays one line
    assert "Jumat | 08.00–11.00" in lines
    for dropped in ("rahasia", "color", "Beranda", "Menu", "document.write"):
        assert dropped not in loaded.text


def test_html_declared_charset(tmp_path: Path) -> None:
    path = tmp_path / "lama.htm"
    path.write_bytes('<html><head><meta charset="iso-8859-1"></head><body><p>Kafé</p></body></html>'.encode("latin-1"))
    assert load_file(path).text.strip() == "Kafé"
    undeclared = tmp_path / "tanpa-charset.html"
    undeclared.write_bytes("<p>Kafé</p>".encode("latin-1"))
    expect_error(undeclared, "UTF-8")


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
