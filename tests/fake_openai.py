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
import json
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from typing import Any

import numpy as np
import pytest

from fake_openai_wire import (  # noqa: F401 - re-exported for the tests
    CHAT_PATH, EMBEDDINGS_PATH, MODELS_PATH, Handler, RecordedRequest, Reply, RouteBehaviour,
    _RequestHandler, chat_response, hash_vector, openai_error,
)


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


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """A started :class:`FakeOpenAI`, stopped after the test."""
    with FakeOpenAI() as server:
        yield server
