"""The benchmark function the eval engineer calls, run briefly against the shared server."""

from __future__ import annotations

from eval.webhook_bench import run_webhook_bench
from api_support import APP_SECRET


class FakeGraphSink:
    """Adapts the test's fake Graph server to the bench's sink interface."""

    def __init__(self, fake):
        self.fake = fake

    def first_arrival(self, to: str) -> float | None:
        sent = self.fake.delivered(to)
        return sent[0].at if sent else None


def test_bench_reports_ack_latency_rate_and_lag(server, fake_graph):
    # A greeting: answered off-hours without retrieval, so the test measures the plumbing.
    result = run_webhook_bench(server.base_url, APP_SECRET, duration_s=1.5, concurrency=2,
                               rate=8, sink=FakeGraphSink(fake_graph), questions=("halo",),
                               drain_timeout=60)
    assert result.errors == 0 and result.acked >= 3
    assert result.ack_p50_ms <= result.ack_p95_ms <= result.ack_max_ms
    assert result.drained and result.replies_seen == result.acked
    assert result.lag_p50_ms is not None and result.lag_p50_ms <= result.lag_max_ms
    assert result.to_json()["messages_per_s"] > 0
