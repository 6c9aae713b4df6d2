"""Run a question set through Lantunan's public path (and the baseline) and score every item.

Lantunan: each question goes through ``Responder.respond(question, received_at)``, the same call
the API makes. Retrieval (default ``retrieval="search"``) is scored on
``KnowledgeBase.search(draft.normalised_message, k=10, extra_queries=[question])``: exactly the
call the responder makes (it asks for k=8), so ranks 1-8 are the ranking the responder saw, the
list extends to 10 for hit@10, and items where a rule stopped the responder before searching
(smalltalk, injection) are still scored on retrieval instead of counting as a miss twice.
``retrieval="responder"`` scores ``Draft.hit_chunk_ids`` as recorded (resolved through
``KnowledgeBase.get_chunk``; at most the responder's k, empty when it did not search).
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from typing import TYPE_CHECKING

from eval.questions import Question, load_questions
from eval.scoring import MAX_K, ItemResult, score_item, summarise

if TYPE_CHECKING:
    from eval.baseline import BaselineRetriever
    from knowledge.embedder import Embedder
    from knowledge.store import KnowledgeBase
    from lantunan.settings import Settings
    from responder.judge.probe import LinearProbe

RETRIEVAL_MODES = ("search", "responder")


class EvalError(RuntimeError):
    """An evaluation that cannot run (bad corpus, empty store); the message says why."""


@dataclass
class EvalRun:
    """Everything one `lantunan eval` produced."""

    results: dict[str, dict | None] = field(default_factory=dict)
    items: dict[str, list[ItemResult]] = field(default_factory=dict)
    meta: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _progress(enabled: bool, total: int, label: str) -> Callable[[str], None]:
    """A tiny stderr progress line (no dependency on a terminal)."""
    state = {"n": 0}

    def tick(note: str) -> None:
        state["n"] += 1
        if enabled:
            print(f"\r  {label} {state['n']}/{total} {note[:40]:<40}", end="", file=sys.stderr,
                  flush=True)
            if state["n"] == total:
                print(file=sys.stderr)

    return tick


def _resolve(kb: KnowledgeBase, chunk_ids: Sequence[str]) -> list[tuple[str, str]]:
    """(source file name, chunk text) for chunk ids, skipping ids the store no longer knows."""
    out: list[tuple[str, str]] = []
    docs: dict[str, str] = {}
    for cid in chunk_ids:
        chunk = kb.get_chunk(cid)
        if chunk is None:
            continue
        if chunk.doc_id not in docs:
            doc = kb.get_document(chunk.doc_id)
            docs[chunk.doc_id] = doc.source_name if doc else ""
        out.append((docs[chunk.doc_id], chunk.text))
    return out


def _search_ranking(kb: KnowledgeBase, query: str, original: str,
                    reranker: LinearProbe | None = None) -> list[tuple[str, str]]:
    """Top-10 as the responder retrieves (normalised query, original wording beside it,
    re-ranked when a re-ranker is given)."""
    from responder.rerank import reranked_search

    try:
        hits = reranked_search(kb, query, original, reranker, MAX_K)
    except TypeError:  # a store without extra_queries support
        hits = kb.search(query, k=MAX_K)
    return [(h.doc.source_name, h.chunk.text) for h in hits]


_MARKUP = re.compile(r"[*~]|(?<!\w)_|_(?!\w)")


def damage_counter(kb: KnowledgeBase) -> Callable[[str], int]:
    """Counts OCR-damaged tokens in a reply with ingest's own detector, against the vocabulary
    of every passage in the store (the words the repair knew)."""
    from ingest.ocr_vocab import DocVocabulary, suspicious_tokens

    vocab = DocVocabulary(c.text for d in kb.documents() for c in kb.chunks_of(d.id))

    def count(text: str) -> int:
        # WhatsApp markup (*bold*, _italic_, ~strike~) is the reply's, not the passage's.
        plain = _MARKUP.sub("", text or "")
        return len(suspicious_tokens(plain, vocab)) if plain else 0
    return count


def run_lantunan(questions: Sequence[Question], kb: KnowledgeBase, settings: Settings,
                 retrieval: str = "search",
                 progress: bool = False) -> list[ItemResult]:
    """Every question through Responder.respond; one scored ItemResult each."""
    from responder.pipeline import Responder

    if retrieval not in RETRIEVAL_MODES:
        raise ValueError(f"retrieval must be one of {RETRIEVAL_MODES}, got {retrieval!r}")
    responder = Responder(kb, settings)
    damaged = damage_counter(kb)
    tick = _progress(progress, len(questions), "lantunan")
    items: list[ItemResult] = []
    for q in questions:
        started = time.perf_counter()
        try:
            draft = responder.respond(q.question, q.received_at)
        except Exception as exc:  # noqa: BLE001 - one crashing item must not hide the others
            items.append(ItemResult(id=q.id, expected_action=q.expected_action,
                                    predicted_action="error", tags=list(q.tags),
                                    expected_reason=q.handoff_reason,
                                    answer_facts=q.answer_facts,
                                    fact_score=0.0 if q.expected_action == "answer" else None,
                                    error=f"{type(exc).__name__}: {exc}"))
            tick("error")
            continue
        total_ms = (time.perf_counter() - started) * 1000
        query = draft.normalised_message or q.question
        if q.expected_action != "answer":
            ranking = []  # retrieval is scored on answer items only
        elif retrieval == "responder":
            ranking = _resolve(kb, draft.hit_chunk_ids[:MAX_K])
        else:
            ranking = _search_ranking(kb, query, q.question, responder.judge.rerank)
        kind, action = draft.kind.value, draft.action.value
        draft_text = draft.answer_text or (draft.text if kind == "answer" else "")
        citations = []
        for c in draft.citations:
            chunk = kb.get_chunk(c.chunk_id)
            citations.append((c.quote, chunk.text if chunk else None))
        timings = {k: float(v) for k, v in draft.timings.items()}
        timings["total"] = total_ms
        items.append(score_item(
            qid=q.id, expected_action=q.expected_action, expected_reason=q.handoff_reason,
            tags=q.tags, gold=q.gold, answer_facts=q.answer_facts, kind=kind, action=action,
            reply_text=draft.text, draft_text=draft_text, confidence=float(draft.confidence),
            reason_codes=draft.reason_codes, retrieved=ranking, citations=citations,
            timings=timings, ocr_damaged=damaged(draft.text)))
        tick(f"{q.id} {items[-1].predicted_action}")
    return items


def run_baseline(questions: Sequence[Question], retriever: BaselineRetriever,
                 progress: bool = False,
                 damaged: Callable[[str], int] | None = None) -> list[ItemResult]:
    """Every question through the baseline retriever: answer = top chunk, action = answer."""
    tick = _progress(progress, len(questions), "baseline")
    items: list[ItemResult] = []
    for q in questions:
        answer, hits, ms = retriever.answer(q.question, k=MAX_K)
        items.append(score_item(
            qid=q.id, expected_action=q.expected_action, expected_reason=q.handoff_reason,
            tags=q.tags, gold=q.gold, answer_facts=q.answer_facts, kind="answer",
            action="answer", reply_text=answer, draft_text=answer,
            confidence=hits[0].relevance if hits else 0.0, reason_codes=[],
            retrieved=[(h.source_name, h.text) for h in hits],
            timings={"search": ms, "total": ms},
            ocr_damaged=damaged(answer) if damaged else 0))
        tick(q.id)
    return items


def auto_send_threshold(settings: Settings) -> float:
    """The auto-send threshold in force: the settings' override or the shipped model's."""
    if settings.auto_send_threshold is not None:
        return settings.auto_send_threshold
    from responder.judge import shipped_judge

    return shipped_judge().confidence.threshold


def evaluate(questions_path: Path, settings: Settings, corpus: Sequence[Path] = (),
             pipelines: Sequence[str] = ("lantunan", "baseline"), retrieval: str = "search",
             cache_path: Path | None = None, progress: bool = False) -> EvalRun:
    """Load questions, build the stores, run the pipelines and summarise; writes nothing."""
    from knowledge.embeddings import get_embedder

    started_at = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    questions = load_questions(Path(questions_path), settings.timezone)
    run = EvalRun()
    embedder = get_embedder(settings)
    if cache_path is not None:
        from eval.vector_cache import CachingEmbedder

        embedder = CachingEmbedder(embedder, cache_path)
    corpus = [Path(p) for p in corpus]
    for path in corpus:
        if not path.exists():
            raise EvalError(f"{path}: corpus file or folder not found")
    run.meta = {
        "questions": str(questions_path), "n_items": len(questions),
        "corpus": [str(p) for p in corpus] or "configured store",
        "retrieval": ("Draft.hit_chunk_ids as recorded by the responder" if retrieval == "responder"
                      else "KnowledgeBase.search(Draft.normalised_message, k=10, "
                           "extra_queries=[question]), the responder's own search call"),
        "embedder": embedder.name,
        "auto_send_threshold": auto_send_threshold(settings),
        "started_at": started_at.isoformat(timespec="seconds"),
    }
    with tempfile.TemporaryDirectory(prefix="lantunan-eval-") as tmp:
        if "lantunan" in pipelines:
            run.items["lantunan"] = _run_lantunan_pipeline(
                questions, settings, corpus, embedder, Path(tmp), retrieval, progress, run)
        if "baseline" in pipelines:
            if not corpus:
                run.warnings.append("baseline skipped: it needs the corpus files (--corpus)")
            else:
                _run_baseline_pipeline(questions, corpus, embedder, Path(tmp), progress, run)
    for name in ("lantunan", "baseline"):
        items = run.items.get(name)
        run.results[name] = summarise(items, auto_send_threshold(settings)) if items else None
    if cache_path is not None:
        run.meta["vector_cache"] = {"path": str(cache_path), "hits": embedder.hits,
                                    "misses": embedder.misses}
    run.meta["duration_s"] = round(time.perf_counter() - t0, 1)
    return run


def _run_baseline_pipeline(questions: Sequence[Question], corpus: Sequence[Path],
                           embedder: Embedder, tmp: Path, progress: bool, run: EvalRun) -> None:
    """The plain baseline over the corpus files, into run.items["baseline"]."""
    from eval.baseline import BaselineRetriever, load_texts
    from ingest.ocr_vocab import DocVocabulary, suspicious_tokens

    retriever = BaselineRetriever(embedder, tmp / "baseline")
    try:
        n = retriever.add_paths(corpus)
        run.warnings += [f"baseline: {e}" for e in retriever.errors]
        run.meta["baseline_chunks"] = n
        vocab = DocVocabulary(t for _, t in load_texts(corpus)[0])
        run.items["baseline"] = run_baseline(
            questions, retriever, progress,
            damaged=lambda text: len(suspicious_tokens(text, vocab)) if text else 0)
    finally:
        retriever.close()


def _run_lantunan_pipeline(questions: Sequence[Question], settings: Settings,
                           corpus: Sequence[Path], embedder: Embedder, tmp: Path,
                           retrieval: str, progress: bool, run: EvalRun) -> list[ItemResult]:
    """Build (or open) the knowledge base and run the responder over the questions."""
    from knowledge.store import KnowledgeBase

    if corpus:
        from ingest.pipeline import ingest_paths

        # A fresh store: only what --corpus names is in it; Chroma is embedded here even if
        # the configured service uses a server, so the run never touches shared state.
        run_settings = settings.model_copy(update={"data_dir": tmp / "store", "chroma_url": None})
        run_settings.data_dir.mkdir(parents=True, exist_ok=True)
        kb = KnowledgeBase(run_settings, embedder=embedder)
        report = ingest_paths(kb, corpus, progress=progress)
        run.warnings += [f"ingest: {r.error}" for r in report.failed]
        run.meta["store"] = f"temporary ({kb.stats()['documents']} documents, " \
                            f"{kb.stats()['chunks']} chunks)"
    else:
        run_settings = settings
        kb = KnowledgeBase(settings, embedder=embedder)
        run.meta["store"] = f"configured: {settings.data_dir}"
    if not kb.documents():
        raise EvalError("the knowledge base is empty: give --corpus DIR or ingest documents first")
    return run_lantunan(questions, kb, run_settings, retrieval=retrieval, progress=progress)
