"""The wire side of :mod:`fake_openai`: the OpenAI-shaped request and reply types, the response
bodies, and the HTTP request handler that serves them. The server object, its configuration
and the pytest fixture live in :mod:`fake_openai`, which re-exports these names."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # only for the annotation: fake_openai imports this module
    from fake_openai import FakeOpenAI

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



class _RequestHandler(BaseHTTPRequestHandler):
    """Request handler bound to one :class:`FakeOpenAI` (set on a subclass)."""

    fake: "FakeOpenAI"
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

