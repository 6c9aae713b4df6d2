"""A local stand-in for the WhatsApp Graph API's send endpoint, speaking its real protocol over
HTTP on 127.0.0.1: ``POST /<version>/<phone_number_id>/messages`` with a bearer token and the
text-message JSON, answering ``{"messages": [{"id": "wamid..."}]}``.

Tests script failures per recipient: an HTTP status to answer, or "timeout" (hold the
request longer than the client waits) for the next attempts.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable


@dataclass
class GraphCall:
    """One request the fake received."""

    path: str
    auth: str
    body: dict[str, Any]
    at: float
    status: int
    wamid: str | None = None

    @property
    def to(self) -> str:
        return str(self.body.get("to", ""))

    @property
    def text(self) -> str:
        return str((self.body.get("text") or {}).get("body", ""))


class _GraphHandler(BaseHTTPRequestHandler):
    """The send endpoint; ``fake`` (the FakeGraph it records into) is set per server."""

    protocol_version = "HTTP/1.1"
    fake: "FakeGraph"

    def log_message(self, *args: Any) -> None:  # keep test output clean
        pass

    def _reply(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:  # noqa: N802 (http.server API)
        fake = self.fake
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        auth = self.headers.get("Authorization", "")
        try:
            body = json.loads(raw)
        except ValueError:
            body = {}
        parts = self.path.strip("/").split("/")
        call = GraphCall(self.path, auth, body, time.time(), 0)
        valid = (len(parts) == 3 and parts[2] == "messages"
                 and body.get("messaging_product") == "whatsapp"
                 and body.get("type") == "text" and body.get("to")
                 and isinstance((body.get("text") or {}).get("body"), str))
        if auth != f"Bearer {fake.token}":
            call.status = 401
        elif not valid:
            call.status = 400
        else:
            with fake._lock:
                plan = fake.plans.get(call.to) or []
                step = plan.pop(0) if plan else 200
            if step == "timeout":
                time.sleep(fake.timeout_hold)  # the client gives up meanwhile
                with fake._lock:
                    fake.calls.append(call)  # status 0: never answered in time
                self.close_connection = True
                return
            else:
                call.status = int(step)
        if call.status == 200:
            call.wamid = f"wamid.FAKE{next(fake._ids):08d}"
        with fake._lock:
            fake.calls.append(call)
        if call.status == 200:
            self._reply(200, {"messaging_product": "whatsapp",
                              "contacts": [{"input": call.to, "wa_id": call.to}],
                              "messages": [{"id": call.wamid}]})
        else:
            self._reply(call.status, {"error": {"message": f"fake error {call.status}",
                                                "code": call.status}})


@dataclass
class FakeGraph:
    """Threaded fake Graph server; ``base_url`` is what ``graph_base_url`` should be."""

    token: str = "test-access-token"
    timeout_hold: float = 3.0
    calls: list[GraphCall] = field(default_factory=list)
    plans: dict[str, list[int | str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def start(self) -> "FakeGraph":
        """Serve on a free port of 127.0.0.1 in a daemon thread."""
        handler = type("Handler", (_GraphHandler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v21.0"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def plan(self, to: str, steps: list[int | str]) -> None:
        """Answer the next requests for ``to`` with these statuses (or "timeout")."""
        with self._lock:
            self.plans[to] = list(steps)

    def delivered(self, to: str | None = None) -> list[GraphCall]:
        """Successful sends (optionally to one recipient)."""
        with self._lock:
            return [c for c in self.calls if c.status == 200 and (to is None or c.to == to)]

    def attempts(self, to: str) -> list[GraphCall]:
        """Every request for ``to``, failed or not."""
        with self._lock:
            return [c for c in self.calls if c.to == to]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 30.0) -> bool:
        """Poll until ``predicate()`` holds."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if predicate():
                return True
            time.sleep(0.05)
        return predicate()
