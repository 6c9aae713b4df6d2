"""Schemathesis against the served API: cases generated from /openapi.json for every operation,
sent to a real server with an admin key; no response may be a server error (5xx).

The server is its own (the fuzzer uploads, deletes and changes things) with rate limits high
enough that the fuzzer is measured, not throttled. Revoking API keys is left out: the fuzzer
would revoke the very key it authenticates with (key 1) and test nothing but 401 afterwards.
"""

from __future__ import annotations

import shutil

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402

from api_support import ADMIN_KEY, database, server_env, start_server  # noqa: E402

CASES: list[tuple[str, int]] = []
MAX_EXAMPLES = 25


@pytest.fixture(scope="module")
def fuzz_server(fake_graph, kb_template, tmp_path_factory):
    work = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(kb_template, work / "data")
    with database("sqlite") as url:
        srv = start_server(work, server_env(work / "data", fake_graph.base_url, url,
                                            rate_api_key="1000000/minute",
                                            rate_webhook_applicant="1000000/minute"))
        try:
            yield srv
            print(f"\nschemathesis: {len(CASES)} cases, "
                  f"{len({op for op, _ in CASES})} operations, "
                  f"statuses {sorted({s for _, s in CASES})}")
        finally:
            srv.stop()


def test_no_server_error(fuzz_server):
    """Every operation (key revocation excepted), MAX_EXAMPLES generated cases each."""
    # Hypothesis drives the generation directly: schemathesis's pytest plugin predates the
    # pytest this project pins.
    raw = schemathesis.openapi.from_url(fuzz_server.base_url + "/openapi.json")
    api = raw.exclude(path_regex=r"/revoke$")
    failures: list[str] = []
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 25

    for operation in operations:
        @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck),
                  phases=[Phase.explicit, Phase.generate])
        @given(case=operation.as_strategy())
        def run(case) -> None:
            label = f"{case.method} {case.path}"
            try:
                response = case.call_and_validate(
                    base_url=fuzz_server.base_url, checks=[not_a_server_error], timeout=60,
                    headers={"Authorization": f"Bearer {ADMIN_KEY}"})
            except Exception as exc:  # noqa: BLE001 (collect every operation's failure)
                failures.append(f"{label}: {str(exc)[:300]}")
                return
            CASES.append((label, response.status_code))

        run()
    assert fuzz_server.client().get("/healthz").status_code == 200
    assert not failures, "\n".join(failures[:20])
