"""File loaders for document formats: PDF (bytes written by hand), DOCX (through python-docx)
and HTML; every input file is generated here. Text formats, folders and kind detection are
in test_loaders.py."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx

from ingest.loaders import load_file
from loader_support import expect_error, make_pdf


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
