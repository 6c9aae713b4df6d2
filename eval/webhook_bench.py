"""Webhook benchmark: ack latency (p50/p95), sustained messages/s, and processing lag (time from
the webhook's 200 to the reply arriving at the Graph API) against a running server.

The server must send to a ``GraphSink`` (its ``graph_base_url`` = ``sink.base_url``) for the
lag to be seen; ``bench_server`` starts such a server as a subprocess. Every message comes
from its own applicant number, so each reply maps to exactly one acknowledged message.

    with GraphSink() as sink, bench_server(data_dir, sink.base_url, secret) as server:
        result = run_webhook_bench(server.base_url, secret, duration_s=10, sink=sink)
        rss_mb = server.rss_mb()

`lantunan bench` runs it after the scale runs (eval.bench); `python -m eval.webhook_bench`
runs it alone.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from api.signature import sign

DEFAULT_QUESTIONS = (
    "Berapa biaya membuat NIB?",
    "apa syarat membuat NIB untuk PT?",
    "layanan wa buka 24 jam?",
    "bikin nib bayar ga?",
    "no wa dpmptsp balangan",
    "halo",
)


class GraphSink:
    """A local Graph API send endpoint that answers like the platform and records, per
    recipient, when each message arrived."""

    def __init__(self, token: str | None = None) -> None:
        self.token = token
        self.arrivals: dict[str, list[float]] = {}
        self._lock = threading.Lock()
        self._count = 0
        sink = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server API)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                at = time.time()
                ok = sink.token is None or self.headers.get("Authorization") == f"Bearer {sink.token}"
                try:
                    to = str(json.loads(body).get("to", ""))
                except ValueError:
                    to, ok = "", False
                with sink._lock:
                    sink._count += 1
                    wamid = f"wamid.BENCH{sink._count:09d}"
                    if ok:
                        sink.arrivals.setdefault(to, []).append(at)
                data = json.dumps({"messaging_product": "whatsapp",
                                   "messages": [{"id": wamid}]} if ok else
                                  {"error": {"message": "unauthorized"}}).encode()
                self.send_response(200 if ok else 401)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """Value for the server's ``graph_base_url``."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/v21.0"

    def first_arrival(self, to: str) -> float | None:
        """When the first message to ``to`` arrived (epoch seconds)."""
        with self._lock:
            times = self.arrivals.get(to)
            return times[0] if times else None

    def __enter__(self) -> GraphSink:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()


@dataclass
class BenchResult:
    """Numbers of one run (milliseconds unless named otherwise)."""

    duration_s: float
    concurrency: int
    acked: int
    errors: int
    messages_per_s: float
    ack_p50_ms: float
    ack_p95_ms: float
    ack_max_ms: float
    replies_seen: int
    lag_p50_ms: float | None
    lag_p95_ms: float | None
    lag_max_ms: float | None
    drained: bool  # every acked message got its reply within the drain timeout
    error_samples: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Plain dict for reports."""
        return asdict(self)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def off_hours_timestamp(tz: str = "Asia/Makassar") -> datetime:
    """The latest 03:00 office-local time: outside any office hours, within the 24-hour window."""
    now = datetime.now(ZoneInfo(tz))
    at = now.replace(hour=3, minute=0, second=0, microsecond=0)
    if at > now:
        at -= timedelta(days=1)
    return at.astimezone(timezone.utc)


def _payload(wa_id: str, wamid: str, text: str, at: datetime) -> bytes:
    return json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "bench", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "0", "phone_number_id": "106540352242922"},
            "contacts": [{"profile": {"name": "Bench"}, "wa_id": wa_id}],
            "messages": [{"from": wa_id, "id": wamid, "timestamp": str(int(at.timestamp())),
                          "type": "text", "text": {"body": text}}]}}]}]}).encode()


@dataclass
class _Plan:
    """What the client loops share: the message counter, pacing, and what came back."""

    deadline: float
    started: float
    rate: float | None
    counter: Iterator[int]
    lock: threading.Lock = field(default_factory=threading.Lock)
    acks: list[tuple[str, float, float]] = field(default_factory=list)  # (wa_id, sent, acked)
    errors: list[str] = field(default_factory=list)


def _post_loop(url: str, app_secret: str, questions: Sequence[str], at: datetime, run: str,
               plan: _Plan) -> None:
    """One client: post signed webhooks until the deadline (or the message budget) is reached."""
    with httpx.Client(timeout=30.0) as client:
        while time.monotonic() < plan.deadline:
            with plan.lock:
                i = next(plan.counter, None)
            if i is None:
                return
            if plan.rate:
                wait = plan.started + i / plan.rate - time.time()
                if wait > 0:
                    time.sleep(wait)
                if time.monotonic() >= plan.deadline:
                    return
            wa_id = f"628{run}{i:06d}"
            body = _payload(wa_id, f"wamid.BENCH.{run}.{i}", questions[i % len(questions)], at)
            t0 = time.time()
            try:
                r = client.post(url, content=body, headers={
                    "Content-Type": "application/json",
                    "X-Hub-Signature-256": sign(body, app_secret)})
                t1 = time.time()
                with plan.lock:
                    if r.status_code == 200:
                        plan.acks.append((wa_id, t0, t1))
                    else:
                        plan.errors.append(f"HTTP {r.status_code}: {r.text[:200]}")
            except httpx.HTTPError as exc:
                with plan.lock:
                    plan.errors.append(f"{type(exc).__name__}: {exc}")


def _reply_lags(sink: GraphSink | None, acks: list[tuple[str, float, float]],
                drain_timeout: float) -> list[float]:
    """Milliseconds from each ack to its reply at the sink, waiting up to drain_timeout."""
    if sink is None:
        return []
    end = time.monotonic() + drain_timeout
    while True:
        seen = {w: sink.first_arrival(w) for w, _, _ in acks}
        if all(v is not None for v in seen.values()) or time.monotonic() > end:
            break
        time.sleep(0.2)
    return sorted((seen[w] - acked) * 1000 for w, _, acked in acks if seen.get(w))


def run_webhook_bench(base_url: str, app_secret: str, duration_s: float = 10.0,
                      concurrency: int = 4, rate: float | None = None,
                      sink: GraphSink | None = None, questions: Sequence[str] = DEFAULT_QUESTIONS,
                      at: datetime | None = None, drain_timeout: float = 60.0,
                      max_messages: int = 100_000) -> BenchResult:
    """Post signed webhooks for ``duration_s`` seconds from ``concurrency`` loops (optionally
    paced to ``rate`` messages/s), then wait up to ``drain_timeout`` s for the replies."""
    at = at or off_hours_timestamp()
    run = f"{os.getpid() % 1000:03d}{int(time.time()) % 10000:04d}"
    url = base_url.rstrip("/") + "/webhooks/whatsapp"
    plan = _Plan(deadline=time.monotonic() + duration_s, started=time.time(), rate=rate,
                 counter=iter(range(max_messages)))
    threads = [threading.Thread(target=_post_loop, args=(url, app_secret, questions, at, run, plan),
                                daemon=True) for _ in range(max(1, concurrency))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.time() - plan.started
    acks = plan.acks
    ack_ms = sorted((a[2] - a[1]) * 1000 for a in acks)
    lags = _reply_lags(sink, acks, drain_timeout)
    return BenchResult(
        duration_s=round(elapsed, 3), concurrency=concurrency, acked=len(acks),
        errors=len(plan.errors), messages_per_s=round(len(acks) / elapsed, 2) if elapsed else 0.0,
        ack_p50_ms=round(_pct(ack_ms, 50), 2), ack_p95_ms=round(_pct(ack_ms, 95), 2),
        ack_max_ms=round(ack_ms[-1], 2) if ack_ms else 0.0, replies_seen=len(lags),
        lag_p50_ms=round(_pct(lags, 50), 1) if lags else None,
        lag_p95_ms=round(_pct(lags, 95), 1) if lags else None,
        lag_max_ms=round(lags[-1], 1) if lags else None,
        drained=sink is None or len(lags) == len(acks), error_samples=plan.errors[:5])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class BenchServer:
    """A running bench server: where it listens and its process id (for its memory)."""

    base_url: str
    pid: int

    def rss_mb(self) -> dict[str, float]:
        """The server's resident memory now and at its peak (Linux /proc), in MB."""
        return process_rss_mb(self.pid)


def process_rss_mb(pid: int) -> dict[str, float]:
    """VmRSS (now) and VmHWM (peak) of a process in MB; empty where /proc is absent."""
    out: dict[str, float] = {}
    try:
        text = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return out
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out["rss_mb" if key == "VmRSS" else "peak_rss_mb"] = int(value.split()[0]) / 1024.0
    return out


@contextmanager
def bench_server(data_dir: Path, graph_base_url: str, app_secret: str,
                 database_url: str | None = None, port: int | None = None,
                 env: dict[str, str] | None = None, ready_timeout: float = 180.0) -> Iterator[BenchServer]:
    """Run `python -m api serve` on a free port (KB in ``data_dir``; the sample KB is ingested
    when it is empty) until the block exits; yields it once /readyz is 200."""
    port = port or _free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("LANTUNAN_")}
    full_env.update({
        "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
        "LANTUNAN_DATA_DIR": str(data_dir), "LANTUNAN_WHATSAPP_APP_SECRET": app_secret,
        "LANTUNAN_WHATSAPP_ACCESS_TOKEN": "bench-token",
        "LANTUNAN_GRAPH_BASE_URL": graph_base_url, "LANTUNAN_ADMIN_KEY": "bench-admin-key",
        "LANTUNAN_API_POLL_INTERVAL": "0.2",
    })
    if database_url:
        full_env["LANTUNAN_DATABASE_URL"] = database_url
    full_env.update(env or {})
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen([sys.executable, "-m", "api", "serve", "--host", "127.0.0.1",
                                 "--port", str(port), "--no-access-log"],
                                cwd=data_dir, env=full_env, stdout=log, stderr=subprocess.STDOUT)
        try:
            end = time.monotonic() + ready_timeout
            while True:
                if proc.poll() is not None:
                    log.seek(0)
                    raise RuntimeError("bench server exited:\n"
                                       + log.read().decode(errors="replace")[-3000:])
                try:
                    if httpx.get(base + "/readyz", timeout=5).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > end:
                    raise RuntimeError("bench server not ready in time")
                time.sleep(0.2)
            yield BenchServer(base, proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


def main(argv: list[str] | None = None) -> int:
    """`python -m eval.webhook_bench`: start a server (temp data dir unless given), bench it,
    print the numbers."""
    p = argparse.ArgumentParser(prog="python -m eval.webhook_bench")
    p.add_argument("--data-dir", type=Path, help="data dir with a KB (default: a temp dir, "
                                                 "seeded with the sample KB)")
    p.add_argument("--url", help="bench a running server instead (needs --secret)")
    p.add_argument("--secret", default="bench-secret")
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--concurrency", type=int, default=4)
    p.add_argument("--rate", type=float)
    args = p.parse_args(argv)
    if args.url:
        result = run_webhook_bench(args.url, args.secret, args.seconds, args.concurrency, args.rate)
    else:
        with tempfile.TemporaryDirectory() as tmp, GraphSink("bench-token") as sink:
            data = args.data_dir or Path(tmp) / "data"
            with bench_server(data, sink.base_url, args.secret) as server:
                result = run_webhook_bench(server.base_url, args.secret, args.seconds,
                                           args.concurrency, args.rate, sink=sink)
    print(json.dumps(result.to_json(), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
