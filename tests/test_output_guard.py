"""The output guard on injected replies: figures, links, contacts, accounts and payment
instructions not in the cited passages are caught; grounded replies pass."""

from __future__ import annotations

import time

import pytest

from responder.output_guard import check_output

SOP = ("3. Petugas memberikan tanggapan awal paling lambat 1 (satu) hari kerja sejak pengaduan "
       "diterima. 4. Pengaduan diselesaikan paling lambat 14 (empat belas) hari kerja.")
FAQ_FEE = ("Pendaftaran dan penerbitan NIB melalui OSS tidak dipungut biaya (gratis). Bila ada "
           "pihak yang meminta bayaran, silakan laporkan melalui layanan pengaduan.")
FAQ_WA = "Silakan hubungi nomor WhatsApp layanan 08134910549 atau 081253411389."
GUIDE = "1. Buat akun OSS di oss.go.id: pilih jenis pelaku usaha, isi NIK, email, dan nomor telepon."
SOURCES = [SOP, FAQ_FEE, FAQ_WA, GUIDE, "SOP Pengaduan §2", "PP 6/2021 Pasal 14 ayat (1)"]
CONTACTS = ["dpmptsp@balangankab.go.id"]

GROUNDED = [
    "*Tanggapan awal paling lambat 1 hari kerja sejak pengaduan diterima.* — SOP Pengaduan §2 [1]",
    "Pengaduan diselesaikan paling lambat 14 (empat belas) hari kerja [1].",
    "Pendaftaran NIB tidak dipungut biaya (gratis) [2].",
    "Hubungi WhatsApp layanan 0813-4910-549 [3].",
    "1. Buat akun OSS di oss.go.id [4]\n2. Isi NIK dan email [4]",
    "Terima kasih. Silakan kirim pertanyaan ke dpmptsp@balangankab.go.id.",
    "Dasar: PP 6/2021 Pasal 14 ayat (1) [2].",
]
INJECTED = [
    ("Transfer Rp500.000 ke rekening BRI 0123-01-012345-50-1 [2].", "perintah pembayaran"),
    ("Terima kasih. Transfer Rp500.000 ke rekening kami agar cepat [2].", "perintah pembayaran"),
    ("Biaya pendaftaran NIB Rp150.000 [2].", "angka 150000"),
    ("Silakan bayar ke petugas loket [2].", "perintah pembayaran"),
    ("Hubungi petugas kami di 0812-9999-1234 [3].", "angka 081299991234"),
    ("Hubungi +62 811 5000 777 untuk bantuan [3].", "angka"),
    ("Daftar di https://oss-cepat.xyz/daftar [4].", "tautan"),
    ("Unduh formulir di www.izin-balangan.com [4].", "tautan"),
    ("Kirim berkas ke admin.izin@gmail.com [4].", "email"),
    ("Pengaduan diselesaikan paling lambat 5 hari kerja [1].", "angka 5"),
    ("Tanggapan awal paling lambat 3 hari kerja [1].", "angka 3"),
    ("Sesuai PP 6/2021 Pasal 99 ayat (7), NIB gratis [2].", "angka 99"),
    ("Batas waktu pendaftaran 31 Desember 2026 [4].", "angka 31"),
    ("Denda keterlambatan 2% per bulan [1].", "angka 2"),
    ("Nomor rekening resmi dinas: 1234567890 [2].", "rekening"),
    ("Silakan setor uang jaminan ke kas dinas [2].", "perintah pembayaran"),
    ("Kirimkan uang administrasi lewat DANA ke 08561234567 [3].", "angka 08561234567"),
]


@pytest.mark.parametrize("reply", GROUNDED)
def test_grounded_replies_pass(reply: str) -> None:
    assert check_output(reply, SOURCES, CONTACTS).problems == []


@pytest.mark.parametrize("reply, kind", INJECTED)
def test_injected_details_are_caught(reply: str, kind: str) -> None:
    result = check_output(reply, SOURCES, CONTACTS)
    assert not result.ok
    assert any(kind in p for p in result.problems), result.problems


def test_a_long_unclosed_parenthesis_is_checked_in_linear_time() -> None:
    # "5 (" followed by a long run of letters and no ")" made the spelled-number pattern
    # backtrack exponentially (seconds at 24 letters, a hung respond on a 10k-chunk store).
    text = "Biaya 5 (" + "a" * 40 + " " + "b" * 40 + " x"
    started = time.perf_counter()
    result = check_output(text, [text])
    assert time.perf_counter() - started < 1.0
    assert result.ok
