"""The offline drafter's direct answer, per question type, on real passages of the shared corpus.

Passages are parsed with the project's own ingest (ingest.pipeline.parse_file) and handed to the
drafter as ranked hits, without vectors: these tests are about which sentence answers and how
the reply reads, not about retrieval. Questions are written here for the purpose.
"""

from __future__ import annotations

import re

import pytest

from ingest.pipeline import parse_file
from knowledge.models import Chunk, Document, Hit
from knowledge.units import chunk_units
from responder.crossref import ayat_texts, clean_quote, has_dangling_reference, resolve_references, trim_dangling
from responder.yesno import yes_no_prefix
from responder.draft_extractive import ExtractiveDraft, extractive_draft
from responder.normalize import normalise
from responder.qtype import question_type
from responder.textcut import strip_marker
from responder.verify import verify
from responder.whatsapp_format import MAX_CHARS
from shared_corpus import require_shared

# A line's end that leaves a list hanging: "; dan", "dan d.", "a." alone, a trailing colon.
DANGLING_END = re.compile(r"(?:[;,:]|\b(?:dan|atau|serta))\s*$|(?:^|[;:,]\s*|\s(?:dan|atau)\s)[a-z]\.\s*$")
MARKS_AND_LOCATOR = re.compile(r"(?:\s+—\s+[^—]*)?(?:\s*\[\d+\])+\s*$")


@pytest.fixture(scope="module")
def corpus() -> dict[str, tuple[Document, list[Chunk]]]:
    """doc id → (Document, chunks) for every file of the shared corpus."""
    root = require_shared("corpus")
    out = {}
    for path in sorted(root.rglob("*")):
        if path.suffix in (".txt", ".md", ".yaml") and path.name != "SOURCES.md":
            parsed = parse_file(path)
            out[parsed.document.id] = (parsed.document, parsed.chunks)
    return out


def passage(corpus: dict, doc_id: str, section: str, contains: str = "") -> Hit:
    """The chunk of `doc_id` in `section` (holding `contains`) as a hit."""
    doc, chunks = corpus[doc_id]
    found = [c for c in chunks if c.section == section and contains in " ".join(c.text.split())]
    assert found, f"{doc_id} {section} holding {contains!r} not found"
    return Hit(chunk=found[0], doc=doc, score=1.0, rank=1)


def draft(question: str, hits: list[Hit]) -> ExtractiveDraft:
    """The offline draft as the pipeline makes it (normalised question), units without vectors."""
    units = [[(u, None) for u in chunk_units(h.chunk)] for h in hits]
    return extractive_draft(normalise(question).text, hits, units, None)


def first_line(d: ExtractiveDraft) -> str:
    return d.text.splitlines()[0]


def assert_whatsapp_form(d: ExtractiveDraft, hits: list[Hit]) -> None:
    """Bold first line with a [n], ≤ 1,200 characters, no dangling markers, every claim verified."""
    line = first_line(d)
    assert re.match(r"^\*[^*\s][^*]*[^*\s]\*(?: — [^\[]+)? \[\d\]$", line), line
    assert len(d.text) <= MAX_CHARS
    for ln in d.text.splitlines():
        body = MARKS_AND_LOCATOR.sub("", ln).strip(" *")
        if body and not body.endswith(":"):
            assert not DANGLING_END.search(body), ln
        assert not has_dangling_reference(ln), ln
    check = verify(d.text, [h.chunk.text for h in hits])
    assert check.ok, [(c.sentence, c.support) for c in check.checks if not c.supported]


def words(text: str) -> set[str]:
    """Letter runs and digit runs ("(21serta" read by OCR holds "21" and "serta")."""
    return set(re.findall(r"[^\W\d_]+|\d+", text.lower()))


def norm(text: str) -> str:
    return " ".join(text.split()).lower()


# ------------------------------------------------------------------------------ question types


@pytest.mark.parametrize("question, qtype", [
    ("brp lama izin lingkungan diproses?", "duration"),
    ("sampai kapan batas bayar PNBP?", "duration"),
    ("how long does the verification take?", "duration"),
    ("jam berapa kantor tutup hari jumat?", "duration"),
    ("berapa tarif retribusi PBG?", "amount"),
    ("ngurus sertifikat standar bayar ga?", "yesno"),
    ("brp biaya ngurus sertifikat standar?", "amount"),
    ("bikin nib perlu npwp ga?", "yesno"),
    ("do I need a permit for a small shop?", "yesno"),
    ("which office issues the location permit?", "who"),
    ("siapa yang berwenang menerbitkan izin lokasi?", "who"),
    ("instansi mana yang memeriksa amdal?", "who"),
    ("apa saja persyaratan izin usaha toko?", "list"),
    ("what documents do I need for a permit?", "list"),
    ("apa itu sertifikat standar?", "definition"),
    ("apa yang dimaksud dengan pelaku usaha?", "definition"),
    ("gmn cara daftar akun oss?", "how"),
    ("bagaimana langkah mengubah data usaha?", "how"),
    ("kayapa ulun mengurus izin?", "how"),
    ("apakah koperasi boleh punya NIB?", "yesno"),
    ("can I apply on a weekend?", "yesno"),
    ("izin usaha toko bangunan", "other"),
])
def test_question_type(question: str, qtype: str) -> None:
    assert question_type(question) == qtype


# ------------------------------------------------------------------ direct answers, real passages


def test_duration_answer_carries_its_starting_point(corpus) -> None:
    hits = [passage(corpus, "pp-28-2025", "Pasal 20"), passage(corpus, "pp-28-2025", "Pasal 19", "(1)")]
    d = draft("berapa lama pemeriksaan dokumen usulan kegiatan pemanfaatan ruang?", hits)
    assert d.qtype == "duration"
    assert "paling lama 5 (lima) hari sejak pembayaran pnbp terpenuhi" in norm(d.direct)
    assert "sebagaimana dimaksud" not in d.direct
    assert first_line(d).endswith("PP 28/2025 Pasal 20 ayat (2) [1]")
    assert_whatsapp_form(d, hits)


def test_duration_answer_from_an_sop_step(corpus) -> None:
    hits = [passage(corpus, "sop-pengaduan", "§2"), passage(corpus, "sop-pengaduan", "§1")]
    d = draft("brp lama pengaduan ditanggapi petugas?", hits)
    assert norm(d.direct).startswith("petugas memberikan tanggapan awal paling lambat 1 (satu) hari kerja")
    assert "sejak pengaduan diterima" in d.direct
    assert_whatsapp_form(d, hits)


def test_amount_answer_states_that_no_fee_is_charged(corpus) -> None:
    hits = [passage(corpus, "pp-6-2021", "Pasal 14"), passage(corpus, "pp-6-2021", "Pasal 15")]
    d = draft("berapa biaya pelayanan perizinan berusaha oleh DPMPTSP?", hits)
    assert d.qtype == "amount"
    assert norm(d.direct).endswith("tidak dipungut biaya.")
    assert "Pasal 9" not in d.direct  # the reference to another Pasal is cut, not left dangling
    assert "Pasal 14 ayat (1) [1]" in first_line(d)
    assert_whatsapp_form(d, hits)


def test_who_answer_names_the_authority(corpus) -> None:
    hits = [passage(corpus, "sop-persyaratan-dasar", "§3"), passage(corpus, "sop-persyaratan-dasar", "§1")]
    d = draft("siapa yang memeriksa formulir UKL-UPL?", hits)
    assert d.qtype == "who"
    assert "oleh Dinas Lingkungan Hidup" in d.direct
    assert_whatsapp_form(d, hits)


def test_who_answer_in_a_statute(corpus) -> None:
    hits = [passage(corpus, "pp-28-2025", "Pasal 29")]
    d = draft("siapa yang melakukan pemeriksaan dokumen usulan kegiatan pemanfaatan ruang?", hits)
    assert "dilakukan oleh kepala Lembaga OSS" in d.direct
    assert "Pasal 29 ayat (5)" in first_line(d)
    assert_whatsapp_form(d, hits)


def test_to_whom_answer_names_the_receiver_not_the_giver(corpus) -> None:
    # PP 6/2021 Pasal 5: ayat (1) delegates "kepada kepala DPMPTSP kabupaten/kota"; ayat (2)
    # speaks of what is delegated "oleh bupati/wali kota" and shares more of the question's words.
    hits = [passage(corpus, "pp-6-2021", "Pasal 5")]
    d = draft("kepada siapa bupati mendelegasikan kewenangan perizinan berusaha?", hits)
    assert d.qtype == "who"
    assert "kepada kepala DPMPTSP kabupaten/kota" in d.direct
    assert "Pasal 5 ayat (1)" in first_line(d)
    assert_whatsapp_form(d, hits)


def test_list_answer_gives_the_lettered_items(corpus) -> None:
    hits = [passage(corpus, "pp-28-2025", "Pasal 19", "(1)"), passage(corpus, "pp-28-2025", "Pasal 20")]
    d = draft("apa saja dokumen usulan kegiatan pemanfaatan ruang yang harus dilengkapi?", hits)
    assert d.qtype == "list"
    shown = norm(d.text.split("\n\n")[0])  # the direct block: lead and items
    for item in ("koordinat lokasi", "kebutuhan luas lahan", "informasi penguasaan tanah", "rencana teknis bangunan"):
        assert item in shown, item
    assert_whatsapp_form(d, hits)


def test_list_answer_from_sop_lines(corpus) -> None:
    hits = [passage(corpus, "panduan-nib-oss-rba", "§3"), passage(corpus, "panduan-nib-oss-rba", "§1")]
    d = draft("apa saja syarat daftar NIB untuk badan usaha seperti CV?", hits)
    block = d.text.split("\n\n")[0]
    assert "Akta pendirian dari Notaris" in block and "NPWP badan usaha" in block
    assert_whatsapp_form(d, hits)


def test_definition_answer_is_the_adalah_clause(corpus) -> None:
    hits = [passage(corpus, "pp-28-2025", "Pasal 1", "Berbasis Risiko yang selanjutnya")]
    d = draft("apa itu perizinan berusaha berbasis risiko?", hits)
    assert d.qtype == "definition"
    assert d.direct.startswith("Perizinan Berusaha Berbasis Risiko")
    assert " adalah " in d.direct and "yang dimaksud dengan" not in d.direct
    assert_whatsapp_form(d, hits)


def test_how_answer_gives_the_numbered_steps(corpus) -> None:
    panduan = [passage(corpus, "panduan-nib-oss-rba", s) for s in ("§1", "§3", "§4", "§6")]
    d = draft("gmn cara bikin nib?", panduan)
    assert d.qtype == "how"
    lines = d.text.splitlines()
    assert "Langkah pendaftaran" in lines[0] and "§4" in lines[0]
    assert lines[1].startswith("1. Buat akun OSS di oss.go.id")
    assert any(ln.startswith("6. Periksa draf") for ln in lines[1:8])
    assert_whatsapp_form(d, panduan)


def test_how_answer_from_statute_stages(corpus) -> None:
    hits = [passage(corpus, "pp-6-2021", "Pasal 15"), passage(corpus, "pp-6-2021", "Pasal 16")]
    d = draft("bagaimana tahapan pengelolaan pengaduan masyarakat?", hits)
    assert "tahapan" in d.direct and "menerima dan memberikan tanda terima" in norm(d.text.split("\n\n")[0])
    assert_whatsapp_form(d, hits)


@pytest.mark.parametrize("question, doc, section, answer, words", [
    ("apakah usaha mikro wajib menyampaikan LKPM?", "panduan-nib-oss-rba", "§6", "Tidak.",
     "usaha mikro tidak wajib menyampaikan lkpm"),
    ("apakah pelayanan perizinan berusaha oleh DPMPTSP dipungut biaya?", "pp-6-2021", "Pasal 14", "Tidak.",
     "tidak dipungut biaya"),
    ("apakah DPMPTSP wajib menyediakan sarana pengaduan?", "pp-6-2021", "Pasal 16", "Ya.",
     "dpmptsp wajib menyediakan sarana pengaduan"),
])
def test_yes_no_answer_when_the_passage_says_it_plainly(corpus, question, doc, section, answer, words) -> None:
    hits = [passage(corpus, doc, section)]
    d = draft(question, hits)
    assert d.qtype == "yesno"
    assert d.direct.startswith(answer + " ") and words in norm(d.direct)
    assert_whatsapp_form(d, hits)


def test_yes_no_without_a_plain_statement_gets_no_verdict(corpus) -> None:
    hits = [passage(corpus, "pp-28-2025", "Pasal 32")]
    d = draft("apakah usaha mikro bisa mendapat KKPR lewat pernyataan mandiri?", hits)
    assert not d.direct.startswith(("Ya.", "Tidak."))
    assert "pernyataan mandiri" in d.direct
    assert_whatsapp_form(d, hits)


# ------------------------------------------------------------------------- cross-references


def test_reference_to_an_ayat_of_the_same_pasal_is_completed(corpus) -> None:
    hit = passage(corpus, "pp-28-2025", "Pasal 20")
    ayat2 = ayat_texts(hit.chunk.text)["2"]
    assert "sebagaimana dimaksud pada ayat (1)" in ayat2
    out = clean_quote(ayat2, hit.chunk.text)
    assert norm(out).startswith("pemeriksaan dokumen usulan kegiatan pemanfaatan")
    assert "sebagaimana" not in out and "paling lama 5 (lima) Hari" in out


def test_reference_to_another_pasal_is_cut(corpus) -> None:
    hit = passage(corpus, "pp-6-2021", "Pasal 14")
    ayat1 = ayat_texts(hit.chunk.text)["1"]
    assert "sebagaimana dimaksud dalam Pasal 9" in ayat1
    assert clean_quote(ayat1, hit.chunk.text) == \
        "Pelaksanaan pelayanan Perizinan Berusaha oleh DPMPTSP tidak dipungut biaya."


def test_every_reference_in_the_corpus_is_resolved_or_cut(corpus) -> None:
    """Each ayat with "sebagaimana dimaksud pada ayat" comes out clean, using only its passage's words."""
    checked = 0
    for doc, chunks in corpus.values():
        for chunk in chunks:
            for ayat in re.split(r"(?<=[.;:])\s+(?=\(\d{1,2}[a-z]?\)\s)", chunk.text):
                if "sebagaimana dimaksud pada ayat" not in ayat:
                    continue
                out = resolve_references(ayat, chunk.text)
                assert not has_dangling_reference(out), (chunk.locator, out)
                assert words(out) <= words(chunk.text), (chunk.locator, out)
                checked += 1
    assert checked > 300  # the corpus holds hundreds; all of them were checked


@pytest.mark.parametrize("text, expected", [
    ("a. koordinat lokasi; b. kebutuhan luas lahan; dan c.", "a. koordinat lokasi; b. kebutuhan luas lahan."),
    ("meliputi pelaksanaan pelayanan; dan", "meliputi pelaksanaan pelayanan."),
    ("diatur dalam Pasal 5.", "diatur dalam Pasal 5."),
    ("yang terdiri atas:", "yang terdiri atas."),
    ("dilakukan sesuai huruf a.", "dilakukan sesuai huruf a."),
])
def test_dangling_list_markers_are_cut(text: str, expected: str) -> None:
    assert trim_dangling(text) == expected


# ------------------------------------------------------------------------------ WhatsApp form


@pytest.mark.parametrize("question, picks", [
    ("berapa lama pembayaran PNBP untuk KKPR?", [("pp-28-2025", "Pasal 19", "(1)"), ("pp-28-2025", "Pasal 20", "")]),
    ("apa kewajiban DPMPTSP soal pengaduan?", [("pp-6-2021", "Pasal 16", ""), ("pp-6-2021", "Pasal 15", ""),
                                              ("sop-pengaduan", "§2", "")]),
    ("dimana saya bisa mengadu?", [("sop-pengaduan", "§1", ""), ("sop-pengaduan", "§2", ""),
                                   ("sop-layanan-berbantuan-wa", "§3", "")]),
    ("apa itu OSS?", [("pp-28-2025", "Pasal 1", "Online Single Submission"), ("panduan-nib-oss-rba", "§1", "")]),
])
def test_whatsapp_form_on_real_passages(corpus, question: str, picks) -> None:
    hits = [passage(corpus, *p) for p in picks]
    d = draft(question, hits)
    assert_whatsapp_form(d, hits)
    assert len(d.text) <= 900
    assert d.units and all(" ".join(u.text.split()) in " ".join(hits[u.hit_index].chunk.text.split())
                           for u in d.units)  # citations quote their chunk verbatim


def test_next_step_names_the_office_number_from_the_sop(corpus) -> None:
    hits = [passage(corpus, "sop-layanan-berbantuan-wa", "§4"), passage(corpus, "sop-layanan-berbantuan-wa", "§3")]
    d = draft("bagaimana alur layanan perizinan lewat whatsapp?", hits)
    last = d.text.splitlines()[-1]
    assert last.startswith("Langkah selanjutnya:") and re.search(r"08\d{8,}", last) and last.endswith("[2]")
    assert_whatsapp_form(d, hits)


def test_reply_is_shorter_than_the_quoted_law(corpus) -> None:
    """Long Pasal are answered in a few lines, not quoted whole."""
    hits = [passage(corpus, "pp-28-2025", "Pasal 19", "(1)"), passage(corpus, "pp-28-2025", "Pasal 29"),
            passage(corpus, "pp-28-2025", "Pasal 20")]
    d = draft("brp hari batas bayar PNBP pertama setelah surat perintah setor terbit?", hits)
    assert "7 (tujuh) hari kalender sejak" in d.direct
    assert len(d.text) <= 700 < sum(len(h.chunk.text) for h in hits)
    assert_whatsapp_form(d, hits)


@pytest.mark.parametrize("text, expected", [
    ("(2) Pemeriksaan dilakukan", "Pemeriksaan dilakukan"),
    ("12. Perizinan Berusaha adalah", "Perizinan Berusaha adalah"),
    ("Ayat (1) Cukup jelas. Ayat (2) Mengelola pengaduan", "Mengelola pengaduan"),
    ("Huruf b Yang dimaksud dengan", "Yang dimaksud dengan"),
    ("Angka 3 tidak berubah", "Angka 3 tidak berubah"),  # a sentence, not a label
])
def test_labels_are_stripped_from_quotes(text: str, expected: str) -> None:
    assert strip_marker(text) == expected


def test_reference_glued_by_ocr_is_still_cut() -> None:
    out = clean_quote("Penilaian dokumen untuk persetujuan KKPR sebagaimanadimaksud pada ayat (1) "
                      "dilakukan dengan mempertimbangkan RDTR.")
    assert out == "Penilaian dokumen untuk persetujuan KKPR dilakukan dengan mempertimbangkan RDTR."


@pytest.mark.parametrize("question, statement, verdict", [
    ("apakah usaha mikro wajib lapor LKPM?", "Usaha mikro tidak wajib menyampaikan LKPM.", "Tidak"),
    ("apakah DPMPTSP wajib menyediakan sarana pengaduan?", "DPMPTSP wajib menyediakan sarana pengaduan.", "Ya"),
    ("apakah petugas boleh minta imbalan?", "Petugas dilarang meminta atau menerima imbalan.", "Tidak"),
    ("apakah calo dilarang?", "Petugas dilarang meminta imbalan.", "Ya"),
    ("apakah pengurusan NIB dipungut biaya?", "Pendaftaran NIB tidak dipungut biaya (gratis).", "Tidak"),
    ("apakah PBG gratis?", "Perizinan Berusaha tertentu dikenakan retribusi daerah.", "Tidak"),
    # Not plain: "cukup" is no verdict on an obligation; a sentence with both forms neither.
    ("apakah wajib punya NIB?", "Risiko rendah cukup NIB.", ""),
    ("apakah bisa diproses?", "Pemerintah Daerah dapat membantu apabila sistem tidak dapat digunakan.", ""),
    ("kapan kantor buka?", "Kantor buka pukul 08.00.", ""),
])
def test_yes_no_verdict_only_when_plain(question: str, statement: str, verdict: str) -> None:
    assert yes_no_prefix(question, statement) == verdict


def test_format_keeps_the_hard_cap_and_drops_support_before_the_answer() -> None:
    from responder.whatsapp_format import Quote, ReplyParts, TYPICAL_CHARS, format_reply

    long_item = "Pelaku usaha melengkapi data lokasi, luas lahan, modal usaha, dan tenaga kerja " * 2
    parts = ReplyParts(
        direct=Quote("Langkah pendaftaran:", "Panduan NIB OSS RBA §4", 1),
        items=[f"{i}. {long_item.strip()}" for i in range(1, 9)],
        support=[Quote("Sistem OSS menentukan tingkat risiko kegiatan usaha berdasarkan KBLI dan skala "
                       "usaha, lalu menerbitkan NIB bagi pelaku usaha yang datanya lengkap.", "Panduan §5", 2)] * 3,
        next_step=Quote("Pemohon menghubungi nomor WA operator: 08134910549.", "SOP WA §3", 3),
    )
    text = format_reply(parts)
    assert len(text) <= MAX_CHARS and text.startswith("*Langkah pendaftaran:* — Panduan NIB OSS RBA §4 [1]")
    assert "Ketentuan terkait:" not in text  # support gives way to the steps
    assert all(ln.endswith((".", "]", "…")) for ln in text.splitlines() if ln)  # whole items only
    short = format_reply(ReplyParts(direct=Quote("Pendaftaran NIB tidak dipungut biaya.", "Panduan §2", 1),
                                    support=parts.support[:2]))
    assert len(short) <= TYPICAL_CHARS and short.count("[2]") == 2
