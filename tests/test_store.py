"""KnowledgeBase against real components: SQLite catalog, embedded Chroma, e5, BM25."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest.pipeline import ingest_paths
from knowledge.models import DocKind, DocStatus, ReviewedAnswer
from knowledge.store import KnowledgeBase
from lantunan.settings import Settings

REPO = Path(__file__).resolve().parents[1]

STATUTE = """PERATURAN DAERAH KABUPATEN CONTOH
NOMOR 3 TAHUN 2024
TENTANG
RETRIBUSI PERSETUJUAN BANGUNAN GEDUNG

BAB I
KETENTUAN UMUM

Pasal 1
Dalam Peraturan Daerah ini yang dimaksud dengan:
1. Persetujuan Bangunan Gedung yang selanjutnya disingkat PBG adalah perizinan yang diberikan kepada pemilik bangunan gedung untuk membangun baru.
2. Retribusi adalah pungutan daerah sebagai pembayaran atas jasa.

Pasal 2
(1) Retribusi PBG dibayar paling lambat 7 (tujuh) hari kerja setelah nilai retribusi ditetapkan.
(2) Apabila retribusi tidak dibayar dalam jangka waktu sebagaimana dimaksud pada ayat (1), permohonan PBG dinyatakan batal.

BAB II
PENGURANGAN

Pasal 3
Bupati dapat memberikan pengurangan retribusi kepada usaha mikro.
"""


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    """The shipped sample knowledge base plus a small statute, copied so tests may change it."""
    root = tmp_path / "korpus"
    shutil.copytree(REPO / "sample_kb", root)
    (root / "perda-3-2024.txt").write_text(STATUTE, encoding="utf-8")
    return root


@pytest.fixture()
def kb(tmp_path: Path, corpus: Path) -> KnowledgeBase:
    base = KnowledgeBase(Settings(data_dir=tmp_path / "data"))
    report = ingest_paths(base, [corpus], progress=False)
    assert report.ok, [r.error for r in report.failed]
    return base


def test_ingest_is_idempotent_and_counts_are_stable(kb: KnowledgeBase, corpus: Path) -> None:
    before = kb.stats()
    assert before["documents"] == 6 and before["chunks"] > 30
    assert before["vectors"] >= before["chunks"]
    report = ingest_paths(kb, [corpus], progress=False)
    assert {r.outcome for r in report.results} == {"unchanged"}
    assert kb.stats() == before


def test_changed_file_replaces_exactly_its_chunks(kb: KnowledgeBase, corpus: Path) -> None:
    others = {d.id: [c.id for c in kb.chunks_of(d.id)] for d in kb.documents() if d.id != "sop-pengaduan"}
    old = {c.id: c.text for c in kb.chunks_of("sop-pengaduan")}
    path = corpus / "sop-pengaduan.md"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "paling lambat 14 (empat belas) hari kerja", "paling lambat 10 (sepuluh) hari kerja"), encoding="utf-8")
    report = ingest_paths(kb, [corpus], progress=False)
    outcomes = {Path(r.path).name: r.outcome for r in report.results}
    assert outcomes["sop-pengaduan.md"] == "replaced"
    assert all(o == "unchanged" for name, o in outcomes.items() if name != "sop-pengaduan.md")
    new = {c.id: c.text for c in kb.chunks_of("sop-pengaduan")}
    assert len(new) == len(old) and set(new) != set(old)
    changed = set(old) - set(new)
    assert len(changed) == 1 and "14 (empat belas)" in old[changed.pop()]
    assert {d.id: [c.id for c in kb.chunks_of(d.id)] for d in kb.documents() if d.id != "sop-pengaduan"} == others
    # The vectors of the replaced chunk are gone from Chroma too.
    indexed_chunks = {u.split("~", 1)[0] for u in kb.vectors.ids()}
    assert not (set(old) - set(new)) & indexed_chunks
    hits = kb.search("pengaduan diselesaikan paling lambat berapa hari kerja", k=3)
    assert any("10 (sepuluh) hari kerja" in h.chunk.text for h in hits)


def test_remove_deletes_document_everywhere(kb: KnowledgeBase) -> None:
    ids = {c.id for c in kb.chunks_of("faq-perizinan")}
    assert kb.remove("faq-perizinan")
    assert kb.get_document("faq-perizinan") is None
    assert not kb.chunks_of("faq-perizinan")
    assert not [a for a in kb.reviewed_answers() if a.doc_id == "faq-perizinan"]
    assert not ids & {u.split("~", 1)[0] for u in kb.vectors.ids()}
    assert all(h.doc.id != "faq-perizinan" for h in kb.search("berapa biaya membuat nib", k=10))


def test_statute_locators_definitions_and_search(kb: KnowledgeBase) -> None:
    doc = kb.get_document("perda-3-2024")
    assert doc is not None and doc.kind == DocKind.REGULATION and doc.short_name == "Perda 3/2024"
    locators = [c.locator for c in kb.chunks_of("perda-3-2024")]
    assert "Perda 3/2024 Pasal 2" in locators
    hits = kb.search("kalau telat bayar retribusi pbg apa akibatnya", k=3)
    assert hits[0].chunk.locator == "Perda 3/2024 Pasal 2"
    assert set(hits[0].scores) >= {"dense", "bm25", "fused"}
    # "Apa itu X?" brings the Pasal that defines X.
    hits = kb.search("apa itu pbg", k=3)
    assert "Perda 3/2024 Pasal 1" in [h.chunk.locator for h in hits]


def test_revoked_documents_are_demoted_flagged_and_filterable(kb: KnowledgeBase) -> None:
    query = "retribusi pbg dibayar paling lambat berapa hari"
    before = kb.search(query, k=5)
    top = before[0]
    assert top.doc.id == "perda-3-2024" and not top.revoked
    kb.set_status("perda-3-2024", DocStatus.DICABUT, "Perda 9/2026")
    after = kb.search(query, k=40)
    same = next(h for h in after if h.chunk.id == top.chunk.id)
    assert same.revoked and same.doc.replaced_by == "Perda 9/2026"
    assert same.score == pytest.approx(top.score * kb.settings.revoked_penalty)
    current = kb.search(query, k=5, statuses={DocStatus.BERLAKU})
    assert all(h.doc.status == DocStatus.BERLAKU for h in current)
    sops = kb.search(query, k=5, kinds={DocKind.SOP})
    assert sops and all(h.doc.kind == DocKind.SOP for h in sops)


def test_status_survives_reingest_of_unchanged_text(kb: KnowledgeBase, corpus: Path) -> None:
    kb.set_status("perda-3-2024", DocStatus.DIUBAH, "Perda 9/2026")
    ingest_paths(kb, [corpus], progress=False)
    doc = kb.get_document("perda-3-2024")
    assert doc.status == DocStatus.DIUBAH and doc.replaced_by == "Perda 9/2026"


def test_ingest_with_status_flag(tmp_path: Path) -> None:
    kb = KnowledgeBase(Settings(data_dir=tmp_path / "d"))
    path = tmp_path / "perda-3-2024.txt"
    path.write_text(STATUTE, encoding="utf-8")
    report = ingest_paths(kb, [path], status=DocStatus.DICABUT, replaced_by="Perda 9/2026", progress=False)
    assert report.ok
    doc = kb.get_document("perda-3-2024")
    assert doc.status == DocStatus.DICABUT and doc.replaced_by == "Perda 9/2026"


def test_bad_files_are_reported_and_the_rest_ingested(tmp_path: Path) -> None:
    kb = KnowledgeBase(Settings(data_dir=tmp_path / "d"))
    good = tmp_path / "sop-a.md"
    good.write_text("# SOP A\n\n## 1. Pendaftaran\n\nPendaftaran dilakukan melalui OSS.\n", encoding="utf-8")
    empty = tmp_path / "kosong.txt"
    empty.write_text("", encoding="utf-8")
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Persyaratan dasar usaha \xe9".encode("latin-1"))
    faq = tmp_path / "faq.yaml"
    faq.write_text("- id: a\n  question: Apa?\n  answer: [tidak ditutup\n", encoding="utf-8")
    report = ingest_paths(kb, [tmp_path], progress=False)
    failed = {Path(r.path).name: r.error for r in report.failed}
    assert set(failed) == {"kosong.txt", "latin.txt", "faq.yaml"}
    assert "kosong.txt" in failed["kosong.txt"] and "faq.yaml:" in failed["faq.yaml"] and "YAML" in failed["faq.yaml"]
    assert [d.id for d in kb.documents()] == ["sop-a"]


def test_crash_between_chroma_and_catalog_leaves_previous_version(kb: KnowledgeBase, corpus: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Vectors are written first; if the catalog switch fails, the old chunks stay searchable
    and the orphan vectors are swept on the next open."""
    from knowledge.catalog import Catalog

    old_ids = [c.id for c in kb.chunks_of("sop-pengaduan")]
    path = corpus / "sop-pengaduan.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n## 5. Tambahan\n\nPengaduan dapat dikirim lewat pos.\n",
                    encoding="utf-8")

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Catalog, "write_document", staticmethod(boom))
    with pytest.raises(RuntimeError):
        from ingest.pipeline import parse_file

        kb.upsert(parse_file(path))
    monkeypatch.undo()
    assert [c.id for c in kb.chunks_of("sop-pengaduan")] == old_ids
    reopened = KnowledgeBase(kb.settings)
    indexed = {u.split("~", 1)[0] for u in reopened.vectors.ids()}
    assert indexed == reopened.catalog.chunk_ids()


def test_reviewed_answers_and_promoted_edits(kb: KnowledgeBase) -> None:
    answers = {a.id: a for a in kb.reviewed_answers()}
    assert answers["faq-biaya-nib"].sources == ["panduan-nib-oss-rba.md#2", "sop-layanan-berbantuan-wa.md#5"]
    match = kb.match_reviewed("bikin nib bayar ga?")
    assert match.answer.id == "faq-biaya-nib" and kb.is_close(match)
    far = kb.match_reviewed("bagaimana cara mengurus kkpr untuk usaha risiko tinggi")
    assert not kb.is_close(far)
    kb.add_reviewed_answer(ReviewedAnswer(id="edit-1", question="Apakah SLF perlu diperpanjang?",
                                          answer="SLF berlaku sesuai ketentuan.", origin="officer_edit"))
    assert "edit-1" in {a.id for a in kb.reviewed_answers()}


def test_section_text_and_vocabulary(kb: KnowledgeBase) -> None:
    chunk = next(c for c in kb.chunks_of("perda-3-2024") if c.section == "Pasal 2")
    assert "dinyatakan batal" in kb.section_text(chunk.id)
    assert {"retribusi", "pbg", "oss"} <= kb.vocabulary()
