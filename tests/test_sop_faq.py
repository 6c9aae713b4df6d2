"""SOP section splitting and FAQ parsing, on the shared corpus and on generated files."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import docx
import pytest
import yaml

from shared_corpus import require_shared
from ingest.faq import parse_faq
from ingest.loaders import load_file
from ingest.models import IngestError, ParsedDocument
from ingest.sop import MAX_CHARS, derive_short_name, parse_sop
from knowledge.models import DocKind, DocStatus, make_chunk_id


def norm(text: str) -> str:
    """The eval harness's normalisation: lower case, whitespace runs collapsed."""
    return " ".join(text.lower().split())


def sop(tmp_path: Path, text: str, name: str = "sop-uji.md") -> ParsedDocument:
    """Write `text` to a file and parse it as an SOP."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return parse_sop(load_file(path), path.stem)


def faq(tmp_path: Path, text: str, name: str = "faq-uji.yaml") -> ParsedDocument:
    """Write `text` to a file and parse it as an FAQ."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return parse_faq(load_file(path), path.stem)


def faq_error(tmp_path: Path, text: str, name: str = "faq-uji.yaml") -> IngestError:
    """parse_faq must reject the file, naming it."""
    with pytest.raises(IngestError) as info:
        faq(tmp_path, text, name)
    assert str(tmp_path / name) in str(info.value)
    return info.value


def gold_entries(doc_suffix: str) -> list[dict]:
    """(doc, locator, must_contain) gold entries of dev.jsonl for docs ending in `doc_suffix`."""
    lines = require_shared("eval", "dev.jsonl").read_text(encoding="utf-8").splitlines()
    return [g for ln in lines if ln.strip() for g in json.loads(ln)["gold"] if g["doc"].endswith(doc_suffix)]


# --------------------------------------------------------------------------- SOP, shared corpus


def test_shared_sops_split_by_numbered_sections() -> None:
    sop_dir = require_shared("corpus", "sop")
    files = sorted(sop_dir.glob("*.md"))
    assert len(files) == 4
    for path in files:
        text = path.read_text(encoding="utf-8")
        numbers = re.findall(r"^## (\d+)\.", text, flags=re.M)
        parsed = parse_sop(load_file(path), path.stem)
        doc = parsed.document
        assert doc.kind == DocKind.SOP and doc.status == DocStatus.BERLAKU
        assert doc.title == re.search(r"^# (.+)$", text, flags=re.M).group(1)
        assert doc.chunk_count == len(parsed.chunks)
        # these SOPs have only title/unit/status/rujukan lines before the first section
        assert [c.section for c in parsed.chunks] == [f"§{n}" for n in numbers], path.name
        for chunk, number in zip(parsed.chunks, numbers):
            assert chunk.locator == f"{doc.short_name} §{number}"
            assert chunk.text.startswith(f"{number}. ")
            assert chunk.id == make_chunk_id(doc.id, chunk.locator, chunk.text)
            # the whole section text is in its chunk
            section = re.search(rf"^## {number}\. .*?(?=^## |\Z)", text, flags=re.M | re.S).group(0)
            assert norm(section.lstrip("# ")) == norm(chunk.text)


def test_shared_sop_short_names() -> None:
    names = {}
    for path in sorted(require_shared("corpus", "sop").glob("*.md")):
        names[path.name] = parse_sop(load_file(path), path.stem).document.short_name
    assert names["sop-pengaduan.md"] == "SOP Pengaduan"
    assert names["panduan-nib-oss-rba.md"] == "Panduan NIB OSS RBA"
    assert names["sop-persyaratan-dasar.md"] == "SOP Persyaratan Dasar"
    assert len(set(names.values())) == len(names)


def test_dev_gold_sop_phrases_are_in_matching_section() -> None:
    sop_dir = require_shared("corpus", "sop")
    gold = gold_entries(".md")
    assert gold, "dev.jsonl has SOP gold entries"
    parsed = {p.name: parse_sop(load_file(p), p.stem) for p in sop_dir.glob("*.md")}
    for entry in gold:
        section = "§" + entry["locator"].lstrip("#")
        chunks = [c for c in parsed[entry["doc"]].chunks if c.section == section]
        assert chunks, entry
        for phrase in entry["must_contain"]:
            assert any(norm(phrase) in norm(c.text) for c in chunks), (entry["doc"], section, phrase)


# --------------------------------------------------------------------------- SOP, generated


def test_intro_chunk_only_with_substance(tmp_path: Path) -> None:
    plain = sop(tmp_path, "# SOP Uji\n\nUnit: Bidang Uji\nStatus dokumen: berlaku\n\n## 1. Tujuan\n\nIsi tujuan.\n")
    assert [c.section for c in plain.chunks] == ["§1"]
    assert plain.document.metadata["unit"] == "Bidang Uji"
    rich = sop(
        tmp_path,
        "# SOP Uji\n\nUnit: Bidang Uji\n\nSOP ini berlaku bagi seluruh petugas loket dan operator WhatsApp.\n\n"
        "## 1. Tujuan\n\nIsi tujuan.\n",
    )
    assert [c.section for c in rich.chunks] == ["§0", "§1"]
    assert rich.chunks[0].heading == "Pendahuluan"
    assert "seluruh petugas loket" in rich.chunks[0].text and "# SOP Uji" not in rich.chunks[0].text


def test_long_section_split_between_steps(tmp_path: Path) -> None:
    steps = [f"{i}. Langkah nomor {i}: " + ("petugas memeriksa berkas permohonan dengan teliti. " * 4).strip()
             for i in range(1, 13)]
    text = ("# SOP Panjang\n\n## 1. Pendek\n\nSatu paragraf.\n\n## 2. Prosedur\n\n" + "\n".join(steps)
            + "\n\n## 3. Penutup\n\nSelesai.\n")
    parsed = sop(tmp_path, text)
    second = [c for c in parsed.chunks if c.section == "§2"]
    assert len(second) >= 2
    assert all(len(c.text) <= MAX_CHARS for c in parsed.chunks)
    assert second[0].locator == "SOP Panjang §2" and second[0].text.startswith("2. Prosedur")
    for chunk in second[1:]:
        assert re.fullmatch(r"SOP Panjang §2 langkah \d+-\d+", chunk.locator), chunk.locator
        assert chunk.heading == "Prosedur"
    # every step sits whole in exactly one chunk, in order
    for step in steps:
        assert sum(step in c.text for c in second) == 1, step[:20]
    assert [c.ordinal for c in parsed.chunks] == list(range(len(parsed.chunks)))
    assert [c.section for c in parsed.chunks] == ["§1"] + ["§2"] * len(second) + ["§3"]
    assert len({c.id for c in parsed.chunks}) == len(parsed.chunks)


def test_long_section_of_paragraphs(tmp_path: Path) -> None:
    paragraphs = [f"Paragraf {i} menjelaskan ketentuan layanan secara rinci. " * 6 for i in range(8)]
    parsed = sop(tmp_path, "# Panduan Uji\n\n## 1. Uraian\n\n" + "\n\n".join(paragraphs))
    assert len(parsed.chunks) > 1
    assert [c.locator for c in parsed.chunks[1:]] == ["Panduan Uji §1 (lanjutan)"] * (len(parsed.chunks) - 1)
    joined = norm(" ".join(c.text for c in parsed.chunks))
    assert all(norm(p) in joined for p in paragraphs)


def test_unnumbered_headings_take_their_ordinal(tmp_path: Path) -> None:
    parsed = sop(tmp_path, "# Panduan Loket\n\n## Persiapan\n\nBawa KTP.\n\n## Antrean\n\nAmbil nomor.\n")
    assert [(c.section, c.heading) for c in parsed.chunks] == [("§1", "Persiapan"), ("§2", "Antrean")]
    assert parsed.chunks[1].locator == "Panduan Loket §2"


def test_headerless_text_becomes_one_section(tmp_path: Path) -> None:
    parsed = sop(tmp_path, "Petunjuk singkat: pemohon membawa KTP dan NPWP ke loket pada jam kerja.\n", "catatan.txt")
    assert [c.section for c in parsed.chunks] == ["§1"]
    with pytest.raises(IngestError, match="tidak berisi teks"):
        sop(tmp_path, "# Judul Saja\n\nUnit: Bidang\n")


def test_status_title_and_short_name_overrides(tmp_path: Path) -> None:
    revoked = sop(tmp_path, "# SOP Lama\n\nStatus dokumen: dicabut sejak 2025\n\n## 1. Isi\n\nTeks.\n")
    assert revoked.document.status == DocStatus.DICABUT
    header = sop(
        tmp_path,
        "# Title: SOP Penerbitan Izin Reklame\n# Short_name: SOP Reklame\n# Status: diubah\n\n## 1. Isi\n\nTeks.\n",
    )
    doc = header.document
    assert (doc.title, doc.short_name, doc.status) == ("SOP Penerbitan Izin Reklame", "SOP Reklame", DocStatus.DIUBAH)
    assert header.chunks[0].locator == "SOP Reklame §1"
    not_revoked = sop(tmp_path, "# SOP X\n\nStatus dokumen: tidak berlaku lagi\n\n## 1. Isi\n\nTeks.\n")
    assert not_revoked.document.status == DocStatus.DICABUT


def test_derive_short_name() -> None:
    assert derive_short_name("SOP Pengelolaan Pengaduan Pelayanan Perizinan") == "SOP Pengaduan"
    assert derive_short_name("Panduan Pendaftaran NIB melalui OSS RBA") == "Panduan NIB OSS RBA"
    assert derive_short_name('Standar Operasional Prosedur Penerbitan PBG ("Cepat")') == "SOP Penerbitan PBG"
    assert derive_short_name("Tata Cara Pengurusan Izin Reklame") == "SOP Izin Reklame"


def test_docx_sop_end_to_end(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("SOP Pelayanan Izin Keramaian", level=0)
    document.add_paragraph("Unit: Bidang Uji")
    document.add_heading("1. Syarat", level=2)
    document.add_paragraph("Fotokopi KTP pemohon.", style="List Number")
    document.add_paragraph("Surat pengantar kelurahan.", style="List Number")
    document.add_heading("2. Waktu", level=2)
    document.add_paragraph("Izin terbit paling lama 3 hari kerja.")
    path = tmp_path / "sop-keramaian.docx"
    document.save(path)
    parsed = parse_sop(load_file(path), "sop-keramaian")
    assert parsed.document.title == "SOP Pelayanan Izin Keramaian"
    assert [c.locator for c in parsed.chunks] == ["SOP Izin Keramaian §1", "SOP Izin Keramaian §2"]
    assert "1. Fotokopi KTP pemohon.\n2. Surat pengantar kelurahan." in parsed.chunks[0].text


# --------------------------------------------------------------------------- FAQ, shared file


def test_shared_faq_yaml() -> None:
    path = require_shared("corpus", "faq", "faq-perizinan.yaml")
    parsed = parse_faq(load_file(path), "faq-perizinan")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert parsed.document.kind == DocKind.FAQ and parsed.document.short_name == "FAQ"
    assert len(parsed.reviewed_answers) == len(raw) == 12
    assert len(parsed.chunks) == 12 and parsed.document.chunk_count == 12
    for answer, chunk, entry in zip(parsed.reviewed_answers, parsed.chunks, raw):
        assert answer.id == entry["id"] == chunk.section
        assert answer.sources == entry["sources"] and answer.sources
        assert answer.reviewed == entry["reviewed"]
        assert answer.variants == entry["variants"]
        assert answer.origin == "faq" and answer.doc_id == "faq-perizinan"
        assert chunk.text == f"T: {entry['question']}\nJ: {entry['answer']}"
        assert chunk.locator == f"FAQ: {entry['question']}"
        for variant in entry["variants"]:
            assert variant in chunk.index_text


def test_dev_gold_faq_phrases_are_in_matching_entry() -> None:
    parsed = parse_faq(load_file(require_shared("corpus", "faq", "faq-perizinan.yaml")), "faq-perizinan")
    by_section = {c.section: c for c in parsed.chunks}
    gold = gold_entries(".yaml")
    assert gold
    for entry in gold:
        chunk = by_section[entry["locator"]]
        for phrase in entry["must_contain"]:
            assert norm(phrase) in norm(chunk.text), (entry["locator"], phrase)


def _shared_faq_as_csv(delimiter: str) -> str:
    """The shared FAQ written as CSV (variants joined by ";" or "|", sources by "|")."""
    raw = yaml.safe_load(require_shared("corpus", "faq", "faq-perizinan.yaml").read_text(encoding="utf-8"))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(["id", "question", "variants", "answer", "sources", "reviewed"])
    join_variants = " | " if delimiter == ";" else "; "
    for e in raw:
        writer.writerow([e["id"], e["question"], join_variants.join(e["variants"]), e["answer"],
                         "|".join(e["sources"]), e["reviewed"].isoformat()])
    return buffer.getvalue()


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_csv_gives_the_same_answers(tmp_path: Path, delimiter: str) -> None:
    from_yaml = parse_faq(load_file(require_shared("corpus", "faq", "faq-perizinan.yaml")), "faq-perizinan")
    from_csv = faq(tmp_path, _shared_faq_as_csv(delimiter), "faq-perizinan.csv")
    assert from_csv.reviewed_answers == from_yaml.reviewed_answers
    assert [c.text for c in from_csv.chunks] == [c.text for c in from_yaml.chunks]
    assert [c.section for c in from_csv.chunks] == [c.section for c in from_yaml.chunks]


# --------------------------------------------------------------------------- FAQ, bad input

GOOD_ENTRY = "- id: faq-a\n  question: Apa A?\n  answer: A adalah A.\n  reviewed: 2026-01-05\n"


def test_yaml_alternative_shapes(tmp_path: Path) -> None:
    wrapped = faq(tmp_path, "faq:\n  - id: faq-a\n    pertanyaan: Apa A?\n    jawaban: Ini A.\n    sumber: sop.md#1\n")
    answer = wrapped.reviewed_answers[0]
    assert (answer.question, answer.answer, answer.sources, answer.reviewed) == ("Apa A?", "Ini A.", ["sop.md#1"], None)


def test_malformed_yaml_names_line(tmp_path: Path) -> None:
    error = faq_error(tmp_path, GOOD_ENTRY + "- id: faq-b\n  question: [tidak ditutup\n  answer: x\n")
    assert "YAML tidak valid" in error.reason and error.line in (6, 7)
    assert f":{error.line}:" in str(error)


def test_missing_fields_name_the_entry_line(tmp_path: Path) -> None:
    error = faq_error(tmp_path, GOOD_ENTRY + "\n- id: faq-b\n  question: Apa B?\n")
    assert "answer" in error.reason and error.line == 6
    error = faq_error(tmp_path, GOOD_ENTRY + "- question: Tanpa id?\n  answer: Ya.\n")
    assert "'id'" in error.reason and error.line == 5
    error = faq_error(tmp_path, GOOD_ENTRY + "- id: faq-c\n  question: '   '\n  answer: Ya.\n")
    assert "question" in error.reason and error.line == 5


def test_duplicate_id(tmp_path: Path) -> None:
    error = faq_error(tmp_path, GOOD_ENTRY + GOOD_ENTRY.replace("Apa A?", "Apa A lagi?"))
    assert "ganda" in error.reason and "faq-a" in error.reason and "baris 1" in error.reason
    assert error.line == 5


@pytest.mark.parametrize("value", ["2026-13-01", "kemarin", "01/02/2026"])
def test_bad_reviewed_date(tmp_path: Path, value: str) -> None:
    error = faq_error(tmp_path, GOOD_ENTRY + f"- id: faq-b\n  question: B?\n  answer: B.\n  reviewed: {value}\n")
    assert "reviewed" in error.reason and value in error.reason and error.line == 8


def test_lines_count_the_header_block(tmp_path: Path) -> None:
    text = "# Title: FAQ Uji\n# Source: tes\n\n" + GOOD_ENTRY + "- id: faq-b\n  question: B?\n"
    error = faq_error(tmp_path, text)
    assert error.line == 8  # the "- id: faq-b" line of the file, header included
    parsed = faq(tmp_path, "# Title: FAQ Uji\n# Short_name: FAQ Balangan\n\n" + GOOD_ENTRY)
    assert parsed.document.title == "FAQ Uji" and parsed.document.short_name == "FAQ Balangan"


def test_other_yaml_defects(tmp_path: Path) -> None:
    assert "daftar entri" in faq_error(tmp_path, "id: faq-a\nquestion: A?\n").reason
    assert "pemetaan" in faq_error(tmp_path, "- sekadar teks\n").reason
    assert "daftar teks" in faq_error(tmp_path, GOOD_ENTRY + "  variants: {a: 1}\n").reason
    assert "tidak boleh mengandung spasi" in faq_error(tmp_path, GOOD_ENTRY.replace("faq-a", "faq a")).reason


def test_csv_defects_name_lines(tmp_path: Path) -> None:
    head = "id,question,answer,reviewed\n"
    error = faq_error(tmp_path, "id,question\nfaq-a,Apa?\n", "faq.csv")
    assert "kolom wajib" in error.reason and "answer" in error.reason and error.line == 1
    # a quoted multi-line answer shifts the following rows; errors still cite the row's first line
    error = faq_error(tmp_path, head + 'faq-a,Apa A?,"Baris satu\nbaris dua",2026-01-01\nfaq-b,Apa B?,,\n', "faq.csv")
    assert "'answer'" in error.reason and error.line == 4
    error = faq_error(tmp_path, head + "faq-a,A?,A.,2026-01-01\nfaq-a,A?,A.,2026-01-01\n", "faq.csv")
    assert "ganda" in error.reason and error.line == 3
    error = faq_error(tmp_path, head + "faq-a,A?,A.,31-12-2026\n", "faq.csv")
    assert "reviewed" in error.reason and error.line == 2
    error = faq_error(tmp_path, head + "faq-a,A?,A.,2026-01-01,lebih\n", "faq.csv")
    assert "kolom" in error.reason and error.line == 2
    assert "tidak berisi entri" in faq_error(tmp_path, head, "faq.csv").reason


def test_heading_levels_are_chosen_by_use(tmp_path: Path) -> None:
    # a trailing "# Lampiran" must not swallow the "##" sections before it
    text = "# SOP Uji\n\n## 1. Satu\n\nA.\n\n### Rincian\n\nB.\n\n## 2. Dua\n\nC.\n\n# Lampiran\n\nD.\n"
    parsed = sop(tmp_path, text)
    assert parsed.document.title == "SOP Uji"
    assert [(c.section, c.heading) for c in parsed.chunks] == [("§1", "Satu"), ("§2", "Dua"), ("§3", "Lampiran")]
    assert parsed.chunks[0].text == "1. Satu\n\nA.\n\nRincian\n\nB."
    # Word files often use Title for the name and Heading 1 for sections: both become "#"
    parsed = sop(tmp_path, "# SOP Uji\n\n# 1. Satu\n\nA.\n\n# 2. Dua\n\nB.\n")
    assert parsed.document.title == "SOP Uji" and [c.section for c in parsed.chunks] == ["§1", "§2"]
    parsed = sop(tmp_path, "# 1. Satu\n\nA.\n\n# 2. Dua\n\nB.\n", "sop-tanpa-judul.md")
    assert parsed.document.title == "SOP Tanpa Judul" and [c.section for c in parsed.chunks] == ["§1", "§2"]
