"""Fixtures of the API suite: a fake Graph API server, a sample KB built once per session, and
real `python -m api serve` processes on SQLite and on PostgreSQL (each in its own schema)."""

from __future__ import annotations

import gc
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from api_support import (
    ACCESS_TOKEN, PG_URL, REPO, Server, database, pg_available, server_env, start_server,
)
from fake_graph import FakeGraph

@pytest.fixture(scope="session")
def fake_graph() -> Iterator[FakeGraph]:
    """The Graph API stand-in every test server sends to."""
    fake = FakeGraph(token=ACCESS_TOKEN).start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def kb_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir holding the sample KB, embedded once per session (copied per server)."""
    from ingest.pipeline import ingest_paths
    from knowledge.store import KnowledgeBase
    from lantunan.settings import Settings

    folder = tmp_path_factory.mktemp("kb-template")
    kb = KnowledgeBase(Settings(data_dir=folder, _env_file=None))
    report = ingest_paths(kb, [REPO / "sample_kb"], progress=False)
    assert report.ok, [r.error for r in report.failed]
    assert kb.documents()
    del kb
    gc.collect()
    return folder


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    """Both database backends; PostgreSQL is skipped where it is not running (fails in CI)."""
    if request.param == "postgres" and not pg_available():
        if os.environ.get("LANTUNAN_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL not reachable at {PG_URL}")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}")
    return request.param


@pytest.fixture(scope="session")
def server(backend: str, fake_graph: FakeGraph, kb_template: Path,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One shared server per backend (tests use their own applicant numbers)."""
    work = tmp_path_factory.mktemp(f"server-{backend}")
    data = work / "data"
    shutil.copytree(kb_template, data)
    with database(backend) as url:
        srv = start_server(work, server_env(data, fake_graph.base_url, url))
        try:
            yield srv
        finally:
            srv.stop()


@pytest.fixture
def spawn(backend: str, fake_graph: FakeGraph, kb_template: Path,
          tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Start extra servers sharing one fresh data dir and database (restart tests)."""
    data = tmp_path / "data"
    shutil.copytree(kb_template, data)
    started: list[Server] = []
    with database(backend) as url:

        def _spawn(wait_ready: bool = True, data_dir: Path | None = None,
                   **overrides: str) -> Server:
            env = server_env(data_dir or data, fake_graph.base_url, url, **overrides)
            srv = start_server(tmp_path, env, wait_ready=wait_ready)
            started.append(srv)
            return srv

        try:
            yield _spawn
        finally:
            for srv in started:
                srv.stop()
