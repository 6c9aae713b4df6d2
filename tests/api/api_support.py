"""Helpers of the API tests: a real `python -m api serve` subprocess, signed webhook posts,
payload builders, polling."""

from __future__ import annotations

import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

import httpx

from api.signature import sign

REPO = Path(__file__).resolve().parents[2]
APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "test-verify-token"
ACCESS_TOKEN = "test-access-token"
ADMIN_KEY = "test-admin-key-0123456789"
CHANNEL_KEY = "test-channel-key-0123456789"

_seq = itertools.count(1)


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unique_wa_id() -> str:
    """A fresh applicant number per test (tests share one server)."""
    return f"62899{os.getpid() % 10000:04d}{next(_seq):04d}"


def unique_wamid() -> str:
    """A fresh inbound message id."""
    return f"wamid.TEST{os.getpid()}x{next(_seq)}x{time.time_ns()}"


def wait_until(predicate: Callable[[], Any], timeout: float = 30.0, interval: float = 0.1) -> Any:
    """Poll until ``predicate()`` is truthy; returns its value (or the last falsy one)."""
    end = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < end:
        time.sleep(interval)
        value = predicate()
    return value


def off_hours_time() -> datetime:
    """The latest moment before now when the office is closed (auto-send is allowed then);
    always within the last day, so the 24-hour window is open."""
    from lantunan.settings import Settings
    from responder.office_hours import is_office_hours

    settings = Settings(_env_file=None)
    at = datetime.now(timezone.utc) - timedelta(minutes=1)
    while is_office_hours(at, settings):
        at -= timedelta(minutes=15)
    return at


def text_payload(wa_id: str, text: str, wamid: str | None = None, at: datetime | None = None,
                 msg_type: str = "text", name: str = "Pemohon Uji") -> dict[str, Any]:
    """A WhatsApp envelope with one message (the documented shape)."""
    at = at or datetime.now(timezone.utc)
    msg: dict[str, Any] = {"from": wa_id, "id": wamid or unique_wamid(),
                           "timestamp": str(int(at.timestamp())), "type": msg_type}
    if msg_type == "text":
        msg["text"] = {"body": text}
    else:
        msg[msg_type] = {"caption": text, "mime_type": "image/jpeg", "id": "1479537139650973"}
    return {"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "6281253411389",
                         "phone_number_id": "106540352242922"},
            "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
            "messages": [msg]}}]}]}


def status_payload(wamid: str, status: str, recipient: str) -> dict[str, Any]:
    """A WhatsApp envelope with one delivery status."""
    return {"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "6281253411389",
                         "phone_number_id": "106540352242922"},
            "statuses": [{"id": wamid, "status": status, "recipient_id": recipient,
                          "timestamp": str(int(time.time()))}]}}]}]}


def raw(payload: dict[str, Any]) -> bytes:
    """Serialise like the platform (non-ASCII escaped)."""
    return json.dumps(payload).encode()


@dataclass
class Server:
    """One running service process."""

    base_url: str
    env: dict[str, str]
    data_dir: Path
    log_path: Path
    proc: subprocess.Popen | None = None
    clients: dict[str, httpx.Client] = field(default_factory=dict)

    def client(self, key: str | None = ADMIN_KEY) -> httpx.Client:
        """An HTTP client authenticating with ``key`` (None: no credential)."""
        name = key or ""
        if name not in self.clients:
            headers = {"Authorization": f"Bearer {key}"} if key else {}
            self.clients[name] = httpx.Client(base_url=self.base_url, headers=headers,
                                              timeout=30.0)
        return self.clients[name]

    def post_webhook(self, payload: dict[str, Any] | bytes, secret: str | None = APP_SECRET,
                     signature: str | None = None, **kw: Any) -> httpx.Response:
        """POST a webhook body signed with ``secret`` (or an explicit signature header)."""
        body = payload if isinstance(payload, bytes) else raw(payload)
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers["X-Hub-Signature-256"] = signature
        elif secret is not None:
            headers["X-Hub-Signature-256"] = sign(body, secret)
        return self.client(None).post("/webhooks/whatsapp", content=body, headers=headers, **kw)

    def log(self) -> str:
        """Everything the process printed."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_healthy(self, timeout: float = 60.0) -> None:
        """Wait until /healthz answers (the process is serving)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"server exited {self.proc.returncode}:\n{self.log()[-4000:]}")
            try:
                if httpx.get(self.base_url + "/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not become healthy:\n{self.log()[-4000:]}")

    def wait_ready(self, timeout: float = 90.0) -> dict[str, Any]:
        """Wait until /readyz is 200 (KB and responder loaded)."""
        last: Any = None
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                r = httpx.get(self.base_url + "/readyz", timeout=10.0)
            except httpx.HTTPError as exc:  # a busy 2-core box: the KB load hogs the CPU
                last = repr(exc)
                continue
            last = r.json()
            if r.status_code == 200:
                return last
            time.sleep(0.2)
        raise RuntimeError(f"server not ready: {last}\n{self.log()[-4000:]}")

    def close_clients(self) -> None:
        for c in self.clients.values():
            c.close()
        self.clients.clear()

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs (a crash)."""
        self.close_clients()
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        """Graceful stop (SIGTERM)."""
        self.close_clients()
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def server_env(data_dir: Path, graph_url: str, db_url: str | None,
               **overrides: str) -> dict[str, str]:
    """Environment of a test server: every LANTUNAN_* setting explicit."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANTUNAN_")}
    env.update({
        "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
        "PYTHONUNBUFFERED": "1",
        "LANTUNAN_DATA_DIR": str(data_dir),
        "LANTUNAN_WHATSAPP_APP_SECRET": APP_SECRET,
        "LANTUNAN_WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
        "LANTUNAN_WHATSAPP_ACCESS_TOKEN": ACCESS_TOKEN,
        "LANTUNAN_GRAPH_BASE_URL": graph_url,
        "LANTUNAN_ADMIN_KEY": ADMIN_KEY,
        "LANTUNAN_CHANNEL_API_KEY": CHANNEL_KEY,
        "LANTUNAN_CHANNEL_API_KEY_CHANNELS": "web,webchat",
        "LANTUNAN_SEND_MAX_ATTEMPTS": "3",
        "LANTUNAN_SEND_BACKOFF": "0.05",
        "LANTUNAN_SEND_TIMEOUT": "1.0",
        "LANTUNAN_API_POLL_INTERVAL": "0.2",
        "LANTUNAN_SEED_SAMPLE_KB": "false",
    })
    if db_url:
        env["LANTUNAN_DATABASE_URL"] = db_url
    env.update({f"LANTUNAN_{k.upper()}": v for k, v in overrides.items()})
    for k in [k for k, v in env.items() if v == "__unset__"]:
        del env[k]
    return env


def start_server(workdir: Path, env: dict[str, str], port: int | None = None,
                 wait_ready: bool = True) -> Server:
    """Start `python -m api serve` on a free port and wait until it serves."""
    port = port or free_port()
    log_path = workdir / f"server-{port}-{time.time_ns()}.log"
    server = Server(f"http://127.0.0.1:{port}", env, Path(env["LANTUNAN_DATA_DIR"]), log_path)
    with open(log_path, "wb") as out:
        # cwd outside the repo: no stray .env is read; the package comes from the venv.
        server.proc = subprocess.Popen(
            [sys.executable, "-m", "api", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=workdir, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        server.wait_healthy()
        if wait_ready:
            server.wait_ready()
    except Exception:
        server.kill()
        raise
    return server


PG_URL = os.environ.get("LANTUNAN_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_dsn() -> str:
    return PG_URL.replace("postgresql+psycopg://", "postgresql://")


def pg_available() -> bool:
    """True when the test PostgreSQL answers."""
    try:
        import psycopg

        with psycopg.connect(_pg_dsn(), connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return True
    except Exception:
        return False


@contextmanager
def database(backend: str) -> Iterator[str | None]:
    """A database URL for one server lifetime: None (SQLite in the data dir) or a fresh
    PostgreSQL schema, dropped afterwards."""
    if backend == "sqlite":
        yield None
        return
    import psycopg

    schema = f"lt_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_pg_dsn(), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(_pg_dsn(), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
