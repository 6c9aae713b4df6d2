"""A small real HTTP server speaking the OpenAI protocol, for tests (no network, no model).

It listens on 127.0.0.1 at a free port in a background thread and serves
``POST /v1/embeddings``, ``POST /v1/chat/completions`` (plain and ``stream: true`` SSE) and
``GET /v1/models``. Each route's behaviour is configurable by the test, and every request is
recorded::

    with FakeOpenAI() as server:
        server.set_chat(lambda req: "Halo! " + req["messages"][-1]["content"])
        llm = ChatOpenAI(base_url=server.base_url, api_key="x", model="m")
        ...
        assert server.requests_to("/v1/chat/completions")[0].json["model"] == "m"

    server.set_chat(status=500)          # every chat call fails with an OpenAI-style error
    server.set_chat("ok", delay=5)       # answer after 5 s (client timeouts)
    server.set_embeddings(status=503)    # embeddings fail

A handler may return a ``str`` (chat: the assistant content), a ``dict`` (the whole JSON
body, e.g. with tool calls) or a :class:`Reply` (any status, body and headers).

As a pytest fixture: ``from fake_openai import fake_openai`` in a test module, then take a
``fake_openai`` argument.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np
import pytest

EMBEDDINGS_PATH = "/v1/embeddings"
CHAT_PATH = "/v1/chat/completions"
MODELS_PATH = "/v1/models"


@dataclass
class RecordedRequest:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]  # names lower-cased (HTTP header names are case-insensitive)
    body: bytes
    json: Any = None  # parsed body, None if not JSON
    received_at: float = 0.0

    def header(self, name: str, default: str | None = None) -> str | None:
        """A request header by case-insensitive name."""
        return self.headers.get(name.lower(), default)


@dataclass
class Reply:
    """An explicit response: status, JSON-able (or str/bytes) body, extra headers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[dict[str, Any]], "str | dict[str, Any] | Reply"]


@dataclass
class RouteBehaviour:
    """How one route answers: a handler, or a fixed error status; optionally after a delay."""

    handler: Handler | None = None
    status: int | None = None  # when set (>= 400), answer with this error instead
    delay: float = 0.0


def hash_vector(text: str, dim: int) -> list[float]:
    """Deterministic unit vector for a text (same text -> same vector, across runs)."""
    seed = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")
    vec = np.random.default_rng(seed).standard_normal(dim).astype(np.float32)
    vec /= np.linalg.norm(vec)
    return [float(x) for x in vec]


def openai_error(status: int, message: str | None = None) -> Reply:
    """An error in OpenAI's shape: ``{"error": {"message", "type", "code"}}``."""
    kind = {
        400: "invalid_request_error", 401: "authentication_error", 404: "not_found_error",
        429: "rate_limit_error",
    }.get(status, "server_error")
    msg = message or f"fake server error {status}"
    return Reply(status, {"error": {"message": msg, "type": kind, "param": None, "code": str(status)}})


def chat_response(content: str, request: dict[str, Any]) -> dict[str, Any]:
    """A ``chat.completion`` body with one assistant message."""
    prompt_tokens = sum(len(str(m.get("content", "")).split()) for m in request.get("messages", []))
    completion_tokens = len(content.split())
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.get("model", "fake-model"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


class FakeOpenAI:
    """OpenAI-compatible test server on 127.0.0.1; use as a context manager or call start/stop."""

    def __init__(
        self,
        *,
        embedding_dim: int = 32,
        chat: str | Handler | None = None,
        api_key: str | None = None,
    ) -> None:
        self.embedding_dim = embedding_dim
        self.api_key = api_key  # when set, requests without "Bearer <key>" get 401
        self._routes: dict[str, RouteBehaviour] = {
            EMBEDDINGS_PATH: RouteBehaviour(handler=self._default_embeddings),
            CHAT_PATH: RouteBehaviour(handler=_as_handler(chat if chat is not None else "OK")),
        }
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ----------------------------------------------------------------------
    def start(self) -> FakeOpenAI:
        """Bind a free port and serve in a daemon thread."""
        if self._httpd is not None:
            return self
        server = self

        class _Bound(_RequestHandler):
            fake = server

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Bound)
        httpd.daemon_threads = True
        # Do not wait for handlers still sleeping in a delay when closing.
        httpd.block_on_close = False  # type: ignore[attr-defined]
        self._httpd = httpd
        self._stopping.clear()
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; delayed handlers are woken up so nothing lingers."""
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- addresses ----------------------------------------------------------------------
    @property
    def port(self) -> int:
        """The bound port."""
        if self._httpd is None:
            raise RuntimeError("FakeOpenAI is not started")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """Server root, e.g. http://127.0.0.1:54321."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """API root as OpenAI clients take it: http://127.0.0.1:<port>/v1."""
        return self.url + "/v1"

    # --- configuration ------------------------------------------------------------------
    def set_chat(
        self, reply: str | Handler | None = None, *, status: int | None = None, delay: float = 0.0
    ) -> None:
        """Chat behaviour: fixed text, a function of the request JSON, or an error status."""
        self._set(CHAT_PATH, reply, status, delay)

    def set_embeddings(
        self, handler: Handler | None = None, *, status: int | None = None, delay: float = 0.0
    ) -> None:
        """Embeddings behaviour: default hash vectors, a custom handler, or an error status."""
        self._set(EMBEDDINGS_PATH, handler or self._default_embeddings, status, delay)

    def _set(self, path: str, reply: Any, status: int | None, delay: float) -> None:
        with self._lock:
            current = self._routes[path]
            handler = _as_handler(reply) if reply is not None else current.handler
            self._routes[path] = RouteBehaviour(handler=handler, status=status, delay=delay)

    # --- recorded traffic ---------------------------------------------------------------
    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far (a copy)."""
        with self._lock:
            return list(self._requests)

    def requests_to(self, path: str) -> list[RecordedRequest]:
        """Requests received on one path, e.g. ``"/v1/chat/completions"``."""
        return [r for r in self.requests if r.path == path]

    def clear_requests(self) -> None:
        """Forget recorded requests."""
        with self._lock:
            self._requests.clear()

    # --- default handlers ---------------------------------------------------------------
    def _default_embeddings(self, request: dict[str, Any]) -> Reply:
        raw = request.get("input")
        if raw is None:
            return openai_error(400, "'input' is required")
        # OpenAI accepts a string, a list of strings, a token list, or a list of token lists.
        if isinstance(raw, str) or (isinstance(raw, list) and raw and isinstance(raw[0], int)):
            items: list[Any] = [raw]
        elif isinstance(raw, list):
            items = raw
        else:
            return openai_error(400, "'input' must be a string or an array")
        if not items:
            return openai_error(400, "'input' must not be empty")
        dim = int(request.get("dimensions") or self.embedding_dim)
        as_base64 = request.get("encoding_format") == "base64"
        data = []
        for i, item in enumerate(items):
            key = item if isinstance(item, str) else json.dumps(item)
            vec = hash_vector(key, dim)
            emb: Any = vec
            if as_base64:
                emb = base64.b64encode(np.asarray(vec, dtype="<f4").tobytes()).decode("ascii")
            data.append({"object": "embedding", "index": i, "embedding": emb})
        tokens = sum(len(str(x).split()) for x in items)
        return Reply(200, {
            "object": "list",
            "data": data,
            "model": request.get("model", "fake-embedding"),
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        })

    # --- dispatch (called from handler threads) ----------------------------------------
    def _record(self, req: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(req)

    def _route(self, path: str) -> RouteBehaviour | None:
        with self._lock:
            return self._routes.get(path)

    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._stopping.wait(seconds)


def _as_handler(reply: str | Handler) -> Handler:
    """A fixed string becomes a handler returning it."""
    if isinstance(reply, str):
        text = reply
        return lambda _req: text
    return reply


class _RequestHandler(BaseHTTPRequestHandler):
    """Request handler bound to one :class:`FakeOpenAI` (set on a subclass)."""

    fake: FakeOpenAI
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Keep test output quiet."""

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        """Serve /v1/models and /health."""
        self._receive()
        path = self.path.split("?", 1)[0]
        if not self._authorised():
            return
        if path == MODELS_PATH:
            self._send(Reply(200, {"object": "list", "data": [
                {"id": "fake-model", "object": "model", "created": 0, "owned_by": "fake"},
                {"id": "fake-embedding", "object": "model", "created": 0, "owned_by": "fake"},
            ]}))
        elif path == "/health":
            self._send(Reply(200, {"status": "ok"}))
        else:
            self._send(openai_error(404, f"no route GET {path}"))

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        """Serve embeddings and chat completions as configured."""
        req = self._receive()
        path = req.path
        if not self._authorised():
            return
        behaviour = self.fake._route(path)
        if behaviour is None:
            self._send(openai_error(404, f"no route POST {path}"))
            return
        self.fake._sleep(behaviour.delay)
        if behaviour.status is not None and behaviour.status >= 400:
            self._send(openai_error(behaviour.status))
            return
        if not isinstance(req.json, dict):
            self._send(openai_error(400, "body must be a JSON object"))
            return
        try:
            result = behaviour.handler(req.json) if behaviour.handler else ""
        except Exception as exc:  # a broken test handler should show up as a 500, not a hang
            self._send(openai_error(500, f"handler raised {type(exc).__name__}: {exc}"))
            return
        if isinstance(result, Reply):
            self._send(result)
        elif isinstance(result, dict):
            self._send(Reply(200, result))
        elif path == CHAT_PATH and req.json.get("stream"):
            self._send_stream(str(result), req.json)
        elif path == CHAT_PATH:
            self._send(Reply(200, chat_response(str(result), req.json)))
        else:
            self._send(Reply(200, result))

    # --- helpers ------------------------------------------------------------------------
    def _receive(self) -> RecordedRequest:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        req = RecordedRequest(
            method=self.command,
            path=self.path.split("?", 1)[0],
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            json=parsed,
            received_at=time.time(),
        )
        self.fake._record(req)
        return req

    def _authorised(self) -> bool:
        key = self.fake.api_key
        if key is None or self.headers.get("Authorization") == f"Bearer {key}":
            return True
        self._send(openai_error(401, "Incorrect API key provided"))
        return False

    def _send(self, reply: Reply) -> None:
        body = reply.body
        if isinstance(body, bytes):
            payload, ctype = body, "application/octet-stream"
        elif isinstance(body, str):
            payload, ctype = body.encode("utf-8"), "text/plain; charset=utf-8"
        else:
            payload, ctype = json.dumps(body).encode("utf-8"), "application/json"
        try:
            self.send_response(reply.status)
            headers = {"Content-Type": ctype, **reply.headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test): nothing to answer

    def _send_stream(self, content: str, request: dict[str, Any]) -> None:
        """Server-sent events: one content delta, a finish chunk, then [DONE]."""
        base = {
            "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": request.get("model", "fake-model"),
        }
        chunks = [
            {**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": content}, "finish_reason": None}]},
            {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
        ]
        payload = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
        data = payload.encode("utf-8")
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """A started :class:`FakeOpenAI`, stopped after the test."""
    with FakeOpenAI() as server:
        yield server
