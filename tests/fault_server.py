"""A local OpenAI-format server with fixed latency and seeded fault injection.

Unlike :class:`tests.wire_servers.ScriptedServer`, which replays a queue of
scripted replies, this server *computes* a reply for any Chat Completions
request, so it can stand in for a model for a whole run. It is built on
asyncio, so hundreds of slow requests can be in flight at once (the throughput
benchmark needs that), and it can inject, at configured rates:

* ``rate_limit``: 429 with ``retry-after`` headers;
* ``server_error``: 500 or 503;
* ``timeout``: no reply for ``hang`` seconds (set it past the client's timeout);
* ``reset``: the connection is reset (TCP RST) after the request is read;
* ``malformed``: 200 with a body that is not JSON.

Whether an attempt faults is decided by a seeded hash of (seed, request, attempt
number), not by arrival order, so a run's faults are the same whatever the
concurrency. The server counts calls per distinct request (:attr:`calls`), which
is how tests check that nothing was lost, duplicated, or paid for twice.

In a test::

    with FaultServer(Faults(rate_limit=0.3, seed=1)) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url + "/v1")

From a shell or a benchmark (prints ``PORT <n>``, serves until killed)::

    python -m tests.fault_server --latency 0.2
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import random
import socket
import struct
import sys
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["FAULTS", "FaultServer", "Faults", "chat_reply", "conversation_key", "request_key"]

#: The fault classes, in the order their rates are laid out on [0, 1).
FAULTS = ("rate_limit", "server_error", "timeout", "reset", "malformed")
_MAX_BODY = 16 * 1024 * 1024


@dataclass(frozen=True)
class Faults:
    """What the server does besides answering.

    Rates are probabilities per attempt, and must sum to at most 1.

    Args:
        latency: seconds before every reply (faults included), like a model's thinking time.
        hang: seconds a ``timeout`` fault waits before dropping the connection.
        retry_after: the ``retry-after`` header of a 429, in seconds.
        seed: seeds the fault decisions.
    """

    rate_limit: float = 0.0
    server_error: float = 0.0
    timeout: float = 0.0
    reset: float = 0.0
    malformed: float = 0.0
    latency: float = 0.0
    hang: float = 1.0
    retry_after: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        if sum(getattr(self, name) for name in FAULTS) > 1.0 + 1e-9:
            raise ValueError("fault rates must sum to at most 1")

    def pick(self, key: str, attempt: int) -> str | None:
        """The fault for ``attempt`` (1-based) of request ``key``, or None to answer."""
        draw = random.Random(f"{self.seed}|{key}|{attempt}").random()
        edge = 0.0
        for name in FAULTS:
            edge += getattr(self, name)
            if draw < edge:
                return name
        return None


def request_key(system: str | None, user: str, seed: int | None) -> str:
    """Identity of a distinct request, as the server and the tests both compute it."""
    blob = json.dumps([system, user, seed], ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def conversation_key(body: dict[str, Any]) -> str:
    """Identity of a request by its whole chat (every turn, not just the last user message) and seed.

    Conversations repeat the same pressure turn ("Are you sure?") after
    different histories; counting calls per conversation turn needs the history.
    """
    turns = [[m.get("role"), m.get("content")] for m in body.get("messages") or []]
    blob = json.dumps([turns, body.get("seed")], ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def _key_of(body: dict[str, Any]) -> str:
    messages = body.get("messages") or []
    system = next((m.get("content") for m in messages if m.get("role") == "system"), None)
    user = next((m.get("content") for m in reversed(messages) if m.get("role") == "user"), "")
    return request_key(system, user, body.get("seed"))


def chat_reply(body: dict[str, Any]) -> dict[str, Any]:
    """A Chat Completions reply computed from the request: deterministic, cheap."""
    messages = body.get("messages") or []
    user = next((m.get("content") for m in reversed(messages) if m.get("role") == "user"), "")
    system = next((m.get("content") for m in messages if m.get("role") == "system"), "") or ""
    # Replies differ by system prompt, as a real model's would (so two arms' answers are not one answer).
    persona = hashlib.sha256(system.encode("utf-8")).hexdigest()[:6]
    text = f"Here is a direct answer to: {user[:60]} (seed {body.get('seed')}, persona {persona})."
    prompt_tokens = sum(len(str(m.get("content", "")).split()) for m in messages)
    completion_tokens = len(text.split())
    return {
        "id": "chatcmpl-fault-server",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": body.get("model", "unknown"),
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


@dataclass
class _Tally:
    calls: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)


class FaultServer:
    """An asyncio HTTP/1.1 server on 127.0.0.1, run in a background thread.

    Attributes:
        faults: the injection settings (may be replaced between runs).
    """

    def __init__(self, faults: Faults | None = None, key: Callable[[dict[str, Any]], str] | None = None) -> None:
        self.faults = faults or Faults()
        self._key = key or _key_of  # how calls are counted: by default system, last user message and seed
        self._tally = _Tally()
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, name="fault-server", daemon=True)
        self._port = 0

    # --- lifecycle ---------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL without the ``/v1`` suffix, e.g. ``http://127.0.0.1:54321``."""
        return f"http://127.0.0.1:{self._port}"

    def start(self, port: int = 0) -> FaultServer:
        """Listen (on ``port``, 0 = any free one) and serve in the background."""
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._listen(port), self._loop)
        self._port = future.result(timeout=10)
        return self

    def stop(self) -> None:
        """Stop serving, drop open connections, release the port."""
        if self._server is not None:
            asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    async def _listen(self, port: int) -> int:
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", port, backlog=1024)
        return int(self._server.sockets[0].getsockname()[1])

    async def _close(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]:
            task.cancel()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._server.wait_closed(), timeout=2)

    # --- what tests read ---------------------------------------------------

    @property
    def calls(self) -> Counter[str]:
        """Calls received per distinct request (:func:`request_key`), retries included."""
        with self._lock:
            return Counter(self._tally.calls)

    @property
    def faults_injected(self) -> Counter[str]:
        """Faults injected, by class."""
        with self._lock:
            return Counter(self._tally.faults)

    @property
    def total_calls(self) -> int:
        """All calls received."""
        return sum(self.calls.values())

    def reset_counts(self) -> None:
        """Forget the calls counted so far (attempt numbers restart too)."""
        with self._lock:
            self._tally = _Tally()

    # --- serving -----------------------------------------------------------

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while await self._one_request(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            pass
        except asyncio.CancelledError:
            pass  # the server is stopping; a hanging reply is simply dropped
        finally:
            writer.close()

    async def _one_request(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Serve one request; False when the connection should close."""
        head = await reader.readuntil(b"\r\n\r\n")
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines if h)}
        length = int(headers.get("content-length") or 0)
        if length > _MAX_BODY:
            return False
        raw = await reader.readexactly(length) if length else b""
        method, path = request_line.split(" ")[:2]
        if method != "POST" or not path.endswith("/chat/completions"):
            await _send(writer, 404, {"error": {"message": f"no route {method} {path}", "type": "not_found"}})
            return True
        try:
            body = json.loads(raw)
        except json.JSONDecodeError:
            await _send(writer, 400, {"error": {"message": "bad JSON", "type": "invalid_request_error"}})
            return True
        key = self._key(body)
        faults = self.faults
        with self._lock:
            self._tally.calls[key] += 1
            attempt = self._tally.calls[key]
            fault = faults.pick(key, attempt)
            if fault:
                self._tally.faults[fault] += 1
        if faults.latency:
            await asyncio.sleep(faults.latency)
        return await self._reply(writer, body, fault, faults)

    async def _reply(
        self, writer: asyncio.StreamWriter, body: dict[str, Any], fault: str | None, faults: Faults
    ) -> bool:
        if fault == "rate_limit":
            ms = str(int(faults.retry_after * 1000))
            headers = {"retry-after": f"{faults.retry_after:g}", "retry-after-ms": ms}
            await _send(writer, 429, {"error": {"message": "slow down", "type": "rate_limit_error"}}, headers)
        elif fault == "server_error":
            status = random.Random(json.dumps(body, sort_keys=True)).choice((500, 503))
            await _send(writer, status, {"error": {"message": "internal trouble", "type": "server_error"}})
        elif fault == "timeout":
            await asyncio.sleep(faults.hang)
            return False  # the client has long given up
        elif fault == "reset":
            sock = writer.get_extra_info("socket")
            if sock is not None:
                # Linger 0: close() sends RST instead of FIN.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
            return False
        elif fault == "malformed":
            await _send(writer, 200, b'{"id": "chatcmpl-torn", "choices": [{"mess')
        else:
            await _send(writer, 200, chat_reply(body))
        return True


async def _send(writer: asyncio.StreamWriter, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
    payload = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
    reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 429: "Too Many Requests",
              500: "Internal Server Error", 503: "Service Unavailable"}.get(status, "Status")
    lines = [f"HTTP/1.1 {status} {reason}", "content-type: application/json", f"content-length: {len(payload)}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload)
    await writer.drain()


def main(argv: list[str] | None = None) -> int:
    """Serve from the command line until killed; prints ``PORT <n>`` once listening."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    for name in FAULTS:
        parser.add_argument(f"--{name.replace('_', '-')}", type=float, default=0.0, help="rate per attempt")
    parser.add_argument("--hang", type=float, default=1.0)
    args = parser.parse_args(argv)
    faults = Faults(latency=args.latency, seed=args.seed, hang=args.hang, **{n: getattr(args, n) for n in FAULTS})
    server = FaultServer(faults).start(args.port)
    print(f"PORT {server._port}", flush=True)
    try:
        # Serve until stdin closes (the parent exits) or we are killed.
        sys.stdin.read()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
