"""The responder as named steps over one context, on the sample knowledge base (real e5,
Chroma, BM25, the shipped judgement artefacts): timings per step, stops with reasons, the
answerability handoff, and drafts resting on revoked law."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from ingest.pipeline import ingest_paths
from knowledge.query_vectors import same_text
from knowledge.store import KnowledgeBase
from lantunan.settings import Settings
from responder.models import Action, DraftKind
from responder.pipeline import STEP_ORDER, Responder

SAMPLE_KB = Path(__file__).resolve().parents[1] / "sample_kb"
SUNDAY_NIGHT = datetime(2026, 11, 29, 22, 0, tzinfo=ZoneInfo("Asia/Makassar"))
OLD_REGULATION = """PERATURAN BUPATI CONTOH
NOMOR 9 TAHUN 2019
TENTANG
JAM LAYANAN PERIZINAN LAMA

BAB I
KETENTUAN UMUM

Pasal 1
(1) Loket pelayanan perizinan lama dibuka setiap hari Sabtu pukul 08.00 sampai dengan pukul 12.00.
(2) Permohonan izin reklame lama diajukan di loket khusus reklame pada hari Sabtu.

Pasal 2
Peraturan Bupati ini mulai berlaku pada tanggal diundangkan.
"""


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    base = KnowledgeBase(Settings(data_dir=tmp_path_factory.mktemp("stepskb")))
    report = ingest_paths(base, [SAMPLE_KB], progress=False)
    assert report.ok, [(f.path, f.error) for f in report.failed]
    return base


@pytest.fixture(scope="module")
def revoked_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """A store holding only a revoked regulation (search demotes revoked law below current
    passages, so with the sample KB beside it the drafter would rightly not quote it)."""
    base = KnowledgeBase(Settings(data_dir=tmp_path_factory.mktemp("revokedkb")))
    old = tmp_path_factory.mktemp("old") / "perbup-9-2019.txt"
    old.write_text(OLD_REGULATION, encoding="utf-8")
    report = ingest_paths(base, [old], status="dicabut", replaced_by="Perbup 3/2026", progress=False)
    assert report.ok, [(f.path, f.error) for f in report.failed]
    return base


def test_every_step_is_named_and_timed(kb: KnowledgeBase) -> None:
    draft = Responder(kb).respond("syarat bikin NIB perorangan apa aja?", SUNDAY_NIGHT)
    assert draft.kind == DraftKind.ANSWER
    assert list(draft.timings) == list(STEP_ORDER)
    assert all(ms >= 0 for ms in draft.timings.values())
    for signal in ("p_answer", "answerability", "confidence", "dense_top", "term_coverage"):
        assert signal in draft.signals
    assert 0.0 <= draft.confidence <= 1.0


def test_guard_stops_the_pipeline_before_search(kb: KnowledgeBase) -> None:
    draft = Responder(kb).respond("NIK saya 6311045708900002, tolong cekkan NIB saya", SUNDAY_NIGHT)
    assert (draft.action, draft.reason_codes) == (Action.HANDOFF, ["personal_data"])
    assert list(draft.timings) == ["normalise", "guard"]
    assert "6311045708900002" not in (draft.holding_reply or "")


def test_intent_model_hands_off_with_its_reason(kb: KnowledgeBase) -> None:
    draft = Responder(kb).respond("tolong sambungkan saya ke petugas, saya mau bicara langsung",
                                  SUNDAY_NIGHT)
    assert draft.action == Action.HANDOFF
    assert draft.reason_codes == ["human_requested"]
    assert "search" in draft.timings and "draft" not in draft.timings
    assert draft.holding_reply and "petugas" in draft.holding_reply


def test_uncovered_question_is_handed_off_as_out_of_scope(kb: KnowledgeBase) -> None:
    strict = kb.settings.model_copy(update={"answerability_threshold": 1.01})
    draft = Responder(kb, strict).respond("syarat bikin NIB perorangan apa aja?", SUNDAY_NIGHT)
    assert draft.action == Action.HANDOFF and draft.reason_codes == ["out_of_scope"]
    assert "keterjangkauan" in draft.reasons[0].message
    assert "draft" not in draft.timings  # no answer is drafted and presented as one


def test_revoked_source_is_named_after_the_direct_answer_and_never_sent_alone(
        revoked_kb: KnowledgeBase) -> None:
    open_all = revoked_kb.settings.model_copy(update={"answerability_threshold": 0.0,
                                                      "auto_send_threshold": 0.0})
    draft = Responder(revoked_kb, open_all).respond(
        "apa aturan pengajuan izin reklame di loket khusus?", SUNDAY_NIGHT)
    text = draft.answer_text or ""
    assert "Perbup 3/2026" in text and "telah dicabut" in text
    first_block = text.split("\n\n")[0]
    assert "Perhatian" not in first_block  # the direct answer stays first
    assert draft.action != Action.AUTO_SEND
    assert "revoked_source" in draft.reason_codes


def test_reviewed_answer_to_a_near_paraphrase_goes_out_alone_off_hours(kb: KnowledgeBase) -> None:
    draft = Responder(kb).respond("Berapa biaya membuat NIB?", SUNDAY_NIGHT)
    assert draft.drafter == "reviewed_answer"
    assert draft.action == Action.AUTO_SEND and "gratis" in draft.text.lower()
    during = Responder(kb).respond("Berapa biaya membuat NIB?",
                                   datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Makassar")))
    assert during.action == Action.QUEUE  # office hours: an officer sends it


def test_composed_draft_below_the_learned_threshold_waits_with_a_holding_reply(kb: KnowledgeBase) -> None:
    r = Responder(kb)
    draft = r.respond("gmn cara bikin nib?", SUNDAY_NIGHT)
    assert draft.kind == DraftKind.ANSWER and draft.drafter == "extractive"
    if draft.confidence < r.auto_send_threshold:
        assert draft.action == Action.QUEUE and "below_auto_threshold" in draft.reason_codes
        assert draft.holding_reply  # the applicant is not left in silence until morning
    else:
        assert draft.action == Action.AUTO_SEND
    assert "Buat akun OSS" in (draft.answer_text or "")  # the steps, not the definition


README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_readmes_example_questions_are_answered_from_the_right_section(kb: KnowledgeBase) -> None:
    text = README.read_text(encoding="utf-8")
    examples = re.findall(r'lantunan (?:search|ask) "([^"]+)"', text)
    assert {"gmn cara bikin nib", "brp lama pengaduan ditanggapi?"} <= set(examples)
    expected = {"gmn cara bikin nib": "Panduan NIB OSS RBA §4",  # the steps, not the definition
                "brp lama pengaduan ditanggapi?": "pengaduan"}
    r = Responder(kb)
    for question, section in expected.items():
        draft = r.respond(question, SUNDAY_NIGHT)
        assert draft.kind == DraftKind.ANSWER, (question, draft.reason_codes)
        assert draft.action in (Action.AUTO_SEND, Action.QUEUE)
        text = draft.answer_text or ""
        first = text.split("\n\n")[0]
        sources = dict(re.findall(r"^\[(\d+)\] (.+)$", text.split("Sumber:")[-1], re.M))
        cited = [sources[n] for n in re.findall(r"\[(\d+)\]", first)]
        assert any(section.lower() in c.lower() for c in cited), (question, first, sources)


def test_citations_are_numbered_in_order_with_a_matching_source_list(kb: KnowledgeBase) -> None:
    draft = Responder(kb).respond("brp lama pengaduan ditanggapi?", SUNDAY_NIGHT)
    assert draft.drafter == "extractive"
    text = draft.answer_text or ""
    body, _, listing = text.rpartition("\n\nSumber:\n")
    numbers = [int(n) for n in re.findall(r"\[(\d+)\]", body)]
    first_seen = list(dict.fromkeys(numbers))
    assert first_seen == list(range(1, len(first_seen) + 1))  # 1..n in order of appearance
    entries = re.findall(r"^\[(\d+)\] (.+)$", listing, re.M)
    assert [int(n) for n, _ in entries] == first_seen
    assert " — " not in body  # locators live in the list, not after every point


def test_each_distinct_text_is_embedded_once_per_request(kb: KnowledgeBase) -> None:
    # Search, the reviewed-answer match, the intent model and the extractive drafter all read
    # query vectors; each distinct text of a request reaches the model once, in one call.
    responder = Responder(kb)
    vectors = kb.query_vectors
    chat = "brp lama pengaduan ditanggapi ya min?"
    before = vectors.embedded
    ctx = responder.context(chat, SUNDAY_NIGHT)
    assert not same_text(ctx.query, chat)  # "brp" -> "berapa": two texts
    assert vectors.embedded - before == 2
    # The intent model read the vector search computed for the applicant's own words.
    assert np.array_equal(ctx.query_vector, kb.query_vector(chat))
    before = vectors.embedded
    responder.context(chat, SUNDAY_NIGHT)  # the same message again: nothing new to embed
    assert vectors.embedded == before

    formal = "Berapa lama pengaduan masyarakat ditindaklanjuti?"
    ctx = responder.context(formal, SUNDAY_NIGHT)
    assert same_text(ctx.query, formal)  # only lower-cased: one text
    assert vectors.embedded - before == 1
    assert ctx.hits and ctx.hits[0].scores.get("dense") is not None


def test_same_text_ignores_case_spacing_and_punctuation() -> None:
    assert same_text("Berapa biaya NIB?", "berapa  biaya nib")
    assert not same_text("brp biaya nib", "berapa biaya nib")
