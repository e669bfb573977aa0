"""A scripted HTTP server on 127.0.0.1 that speaks provider wire formats.

Provider tests point an SDK at it (through ``ANTHROPIC_BASE_URL`` or
``OPENAI_BASE_URL``), queue the replies it should give, and then inspect the
requests it recorded. Nothing leaves the machine, so the real SDK code paths
(status handling, headers, JSON parsing) are exercised without a real API.

Usage::

    def test_something(wire_server: ScriptedServer) -> None:
        wire_server.enqueue(ScriptedResponse(429, {"error": "slow down"}, {"retry-after": "0"}))
        wire_server.enqueue(ScriptedResponse(200, anthropic_message("hi")))
        ...
        assert len(wire_server.requests) == 2

Import the fixture into a test module with ``from tests.wire_servers import wire_server``.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

__all__ = [
    "RecordedRequest",
    "ScriptedResponse",
    "ScriptedServer",
    "anthropic_error",
    "anthropic_message",
    "openai_chat_completion",
    "openai_error",
    "openai_logprobs",
    "wire_server",
]

Body = bytes | str | dict[str, Any] | list[Any]


@dataclass(frozen=True)
class ScriptedResponse:
    """One reply the server will give.

    Args:
        status: HTTP status code.
        body: bytes and str are sent as they are (so tests can send broken
            JSON); dicts and lists are JSON-encoded.
        headers: extra response headers. ``content-type`` defaults to JSON.
        delay: seconds to wait before replying, to provoke client timeouts.
    """

    status: int = 200
    body: Body = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    def encoded(self) -> tuple[bytes, dict[str, str]]:
        """The body as bytes, and the headers with a content type filled in."""
        headers = {"content-type": "application/json", **{k.lower(): v for k, v in self.headers.items()}}
        if isinstance(self.body, bytes):
            return self.body, headers
        if isinstance(self.body, str):
            return self.body.encode("utf-8"), headers
        return json.dumps(self.body).encode("utf-8"), headers


@dataclass(frozen=True)
class RecordedRequest:
    """A request the server received; header names are lower-cased."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        """The body decoded as JSON."""
        return json.loads(self.body)


# Sent when a test makes more calls than it scripted. 501 rather than 500 so the
# mistake is visible, and it is still an error status so no test passes by it.
_EXHAUSTED = ScriptedResponse(501, {"error": {"type": "wire_server", "message": "no scripted response left"}})


class ScriptedServer:
    """A ``ThreadingHTTPServer`` in a background thread that replays queued responses.

    Every method and path is answered from the same queue, in arrival order;
    when the queue is empty the server answers 501 and counts the call in
    ``unscripted_calls``.
    """

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.unscripted_calls = 0
        self._queue: deque[ScriptedResponse] = deque()
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        # Daemon handler threads: a reply still sleeping in `delay` must not
        # hold up server_close at the end of a test.
        self._httpd.daemon_threads = True
        # A short poll interval: shutdown() waits up to one interval, once per test.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, name="wire-server", daemon=True
        )

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:54321`` (no trailing slash)."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def enqueue(self, *responses: ScriptedResponse) -> None:
        """Add responses to the end of the queue."""
        with self._lock:
            self._queue.extend(responses)

    def start(self) -> ScriptedServer:
        """Start serving in the background."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> ScriptedServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _next(self, request: RecordedRequest) -> ScriptedResponse:
        with self._lock:
            self.requests.append(request)
            if self._queue:
                return self._queue.popleft()
            self.unscripted_calls += 1
            return _EXHAUSTED


def _handler_for(server: ScriptedServer) -> type[BaseHTTPRequestHandler]:
    """A request handler class bound to ``server``."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like the real APIs

        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {name.lower(): value for name, value in self.headers.items()}
            reply = server._next(RecordedRequest(self.command, self.path, headers, body))
            if reply.delay:
                time.sleep(reply.delay)
            payload, reply_headers = reply.encoded()
            try:
                self.send_response(reply.status)
                for name, value in reply_headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test); nothing to tell it

        do_GET = do_POST = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: object) -> None:
            """Keep test output quiet."""

    return Handler


@pytest.fixture
def wire_server() -> Iterator[ScriptedServer]:
    """A started :class:`ScriptedServer`, stopped after the test."""
    with ScriptedServer() as server:
        yield server


# --- Wire-format bodies -----------------------------------------------------


def anthropic_message(
    text: str,
    *,
    input_tokens: int = 11,
    output_tokens: int = 7,
    stop_reason: str = "end_turn",
    model: str = "claude-test",
) -> dict[str, Any]:
    """A successful Anthropic Messages API reply (``POST /v1/messages``)."""
    return {
        "id": "msg_test",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": text}],
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens},
    }


def anthropic_error(error_type: str, message: str) -> dict[str, Any]:
    """An Anthropic error body, e.g. ``anthropic_error("rate_limit_error", "slow down")``."""
    return {"type": "error", "error": {"type": error_type, "message": message}}


def openai_chat_completion(
    text: str | None,
    *,
    prompt_tokens: int = 13,
    completion_tokens: int = 5,
    finish_reason: str = "stop",
    model: str = "gpt-test",
    logprobs: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A successful OpenAI Chat Completions reply (``POST /v1/chat/completions``).

    ``logprobs`` is the ``choices[0].logprobs.content`` list, e.g. from
    :func:`openai_logprobs`.
    """
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": finish_reason,
                "logprobs": None if logprobs is None else {"content": logprobs, "refusal": None},
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def openai_logprobs(tokens: list[str], alternatives: dict[int, dict[str, float]] | None = None) -> list[dict[str, Any]]:
    """``logprobs.content`` for a reply made of ``tokens``.

    Each token gets log-probability 0 (certain) unless ``alternatives`` gives,
    for its index, a map of token → probability; the first token in that map is
    taken to be the one chosen.
    """
    import math

    content = []
    for i, token in enumerate(tokens):
        probs = (alternatives or {}).get(i, {token: 1.0})
        chosen = next(iter(probs))
        top = [{"token": t, "logprob": math.log(p), "bytes": list(t.encode())} for t, p in probs.items()]
        content.append(
            {"token": chosen, "logprob": math.log(probs[chosen]), "bytes": list(chosen.encode()), "top_logprobs": top}
        )
    return content


def openai_error(message: str, error_type: str = "invalid_request_error", code: str | None = None) -> dict[str, Any]:
    """An OpenAI error body."""
    return {"error": {"message": message, "type": error_type, "param": None, "code": code}}
