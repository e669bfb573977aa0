"""A local server speaking the Anthropic Message Batches and OpenAI Batch wire formats.

Anthropic: ``POST /v1/messages/batches``, ``GET /v1/messages/batches/{id}``,
``GET /v1/messages/batches/{id}/results`` (JSONL). OpenAI: ``POST /v1/files``
(multipart upload of the JSONL input), ``POST /v1/batches``,
``GET /v1/batches/{id}``, ``GET /v1/files/{id}/content``.

Replies are computed from each request, so the server can stand in for a model
for a whole run. A batch ends once it has been polled ``polls_to_end`` times,
unless the server is holding batches (:attr:`BatchServer.hold`), which is how
tests stop a run mid-batch and then check that the next run collects the same
batch by id instead of sending a new one. Requests whose user message contains
:attr:`BatchServer.fail_marker` come back errored.
"""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
import itertools
import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.fault_server import chat_reply

__all__ = ["BatchServer"]

_TIME = "2026-01-01T00:00:00Z"


@dataclass
class _Batch:
    id: str
    api: str  # "anthropic" or "openai"
    items: list[tuple[str, dict[str, Any]]]  # (custom_id, request body)
    polls: int = 0
    ended: bool = False
    files: dict[str, str] = field(default_factory=dict)  # "output" / "error" → file id


def _user_text(body: dict[str, Any]) -> str:
    messages = body.get("messages") or []
    return next((str(m.get("content")) for m in reversed(messages) if m.get("role") == "user"), "")


def _system_text(body: dict[str, Any]) -> str:
    system = body.get("system") or ""
    if isinstance(system, list):  # Anthropic content blocks
        return "".join(block.get("text", "") for block in system)
    return str(system)


def _anthropic_message(body: dict[str, Any]) -> dict[str, Any]:
    persona = hashlib.sha256(_system_text(body).encode("utf-8")).hexdigest()[:6]
    text = f"Batched answer to: {_user_text(body)[:60]} (persona {persona})."
    words = len(_system_text(body).split()) + len(_user_text(body).split())
    return {
        "id": "msg_batched", "type": "message", "role": "assistant", "model": body.get("model", "?"),
        "content": [{"type": "text", "text": text}], "stop_reason": "end_turn", "stop_sequence": None,
        "usage": {"input_tokens": words, "output_tokens": len(text.split())},
    }


class BatchServer:
    """A ``ThreadingHTTPServer`` in a background thread holding batches in memory.

    Attributes:
        hold: while True, batches never end (polls say they are still running).
        polls_to_end: a batch ends on this poll (1: the first poll sees it ended).
        fail_marker: requests whose user message contains it are errored.
        requests: every (method, path) received, in order.
    """

    def __init__(self, polls_to_end: int = 2) -> None:
        self.hold = False
        self.polls_to_end = polls_to_end
        self.fail_marker: str | None = None
        self.requests: list[tuple[str, str]] = []
        self.batches: dict[str, _Batch] = {}
        self._files: dict[str, bytes] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, name="batch-server", daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> BatchServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> BatchServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- what tests read ---------------------------------------------------

    @property
    def created(self) -> list[int]:
        """Sizes of the batches created, in order."""
        with self._lock:
            return [len(b.items) for b in self.batches.values()]

    def calls(self, method: str, prefix: str) -> int:
        """How many requests with ``method`` went to paths starting with ``prefix``."""
        with self._lock:
            return sum(1 for m, p in self.requests if m == method and p.startswith(prefix))

    def item_counts(self) -> Counter[str]:
        """How many times each request (by custom id) was sent in some batch, to spot resends."""
        with self._lock:
            return Counter(custom_id for b in self.batches.values() for custom_id, _ in b.items)

    # --- serving -----------------------------------------------------------

    def _route(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, Any, str]:
        with self._lock:
            self.requests.append((method, path))
            parts = [p for p in path.split("?")[0].split("/") if p]
            if method == "POST" and parts == ["v1", "messages", "batches"]:
                requests = json.loads(raw)["requests"]
                batch = self._new("anthropic", [(r["custom_id"], r["params"]) for r in requests])
                return 200, self._anthropic_batch(batch), "json"
            if method == "GET" and parts[:3] == ["v1", "messages", "batches"] and len(parts) == 4:
                return self._poll(parts[3], self._anthropic_batch)
            if method == "GET" and parts[:3] == ["v1", "messages", "batches"] and parts[4:] == ["results"]:
                return 200, self._anthropic_results(self.batches[parts[3]]), "jsonl"
            if method == "POST" and parts == ["v1", "files"]:
                file_id = f"file-{next(self._ids):04d}"
                self._files[file_id] = _multipart_file(headers.get("content-type", ""), raw)
                return 200, {"id": file_id, "object": "file", "bytes": len(self._files[file_id]), "created_at": 0,
                             "filename": "batch.jsonl", "purpose": "batch", "status": "processed"}, "json"
            if method == "POST" and parts == ["v1", "batches"]:
                spec = json.loads(raw)
                lines = self._files[spec["input_file_id"]].decode("utf-8").splitlines()
                items = [(d["custom_id"], d["body"]) for d in map(json.loads, filter(None, lines))]
                return 200, self._openai_batch(self._new("openai", items, spec["input_file_id"])), "json"
            if method == "GET" and parts[:2] == ["v1", "batches"] and len(parts) == 3:
                return self._poll(parts[2], self._openai_batch)
            if method == "GET" and parts[:2] == ["v1", "files"] and parts[3:] == ["content"]:
                return 200, self._files[parts[2]], "jsonl"
        return 404, {"error": {"type": "not_found_error", "message": f"no route {method} {path}"}}, "json"

    def _new(self, api: str, items: list[tuple[str, dict[str, Any]]], input_file: str = "") -> _Batch:
        prefix = "msgbatch_" if api == "anthropic" else "batch_"
        batch = _Batch(id=f"{prefix}{next(self._ids):04d}", api=api, items=items, files={"input": input_file})
        self.batches[batch.id] = batch
        return batch

    def _poll(self, batch_id: str, render: Any) -> tuple[int, Any, str]:
        batch = self.batches.get(batch_id)
        if batch is None:
            return 404, {"error": {"type": "not_found_error", "message": f"no batch {batch_id}"}}, "json"
        batch.polls += 1
        if not self.hold and batch.polls >= self.polls_to_end and not batch.ended:
            batch.ended = True
            if batch.api == "openai":
                self._write_openai_files(batch)
        return 200, render(batch), "json"

    def _failing(self, body: dict[str, Any]) -> bool:
        return bool(self.fail_marker) and self.fail_marker in _user_text(body)  # type: ignore[operator]

    def _anthropic_batch(self, batch: _Batch) -> dict[str, Any]:
        failed = sum(self._failing(body) for _, body in batch.items)
        return {
            "id": batch.id, "type": "message_batch",
            "processing_status": "ended" if batch.ended else "in_progress",
            "request_counts": {"processing": 0 if batch.ended else len(batch.items),
                               "succeeded": len(batch.items) - failed if batch.ended else 0,
                               "errored": failed if batch.ended else 0, "canceled": 0, "expired": 0},
            "created_at": _TIME, "expires_at": _TIME, "ended_at": _TIME if batch.ended else None,
            "archived_at": None, "cancel_initiated_at": None,
            "results_url": f"{self.url}/v1/messages/batches/{batch.id}/results" if batch.ended else None,
        }

    def _anthropic_results(self, batch: _Batch) -> bytes:
        lines = []
        for custom_id, body in batch.items:
            if self._failing(body):
                error = {"type": "error", "error": {"type": "invalid_request_error", "message": "refused in batch"}}
                result: dict[str, Any] = {"type": "errored", "error": error}
            else:
                result = {"type": "succeeded", "message": _anthropic_message(body)}
            lines.append(json.dumps({"custom_id": custom_id, "result": result}))
        return ("\n".join(lines) + "\n").encode("utf-8")

    def _write_openai_files(self, batch: _Batch) -> None:
        out, err = [], []
        for custom_id, body in batch.items:
            if self._failing(body):
                error = {"error": {"message": "refused in batch", "type": "invalid_request_error"}}
                err.append({"id": "req", "custom_id": custom_id,
                            "response": {"status_code": 400, "request_id": "r", "body": error}, "error": None})
            else:
                reply = {"status_code": 200, "request_id": "r", "body": chat_reply(body)}
                out.append({"id": "req", "custom_id": custom_id, "response": reply, "error": None})
        for kind, rows in (("output", out), ("error", err)):
            if rows:
                file_id = f"file-{next(self._ids):04d}"
                self._files[file_id] = ("\n".join(map(json.dumps, rows)) + "\n").encode("utf-8")
                batch.files[kind] = file_id

    def _openai_batch(self, batch: _Batch) -> dict[str, Any]:
        return {
            "id": batch.id, "object": "batch", "endpoint": "/v1/chat/completions", "errors": None,
            "input_file_id": batch.files["input"], "completion_window": "24h",
            "status": "completed" if batch.ended else "in_progress", "created_at": 0,
            "output_file_id": batch.files.get("output"), "error_file_id": batch.files.get("error"),
            "request_counts": {"total": len(batch.items), "completed": len(batch.items) if batch.ended else 0,
                               "failed": 0},
        }


def _multipart_file(content_type: str, raw: bytes) -> bytes:
    """The ``file`` part of a multipart/form-data body."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"content-type: {content_type}\r\n\r\n".encode("latin-1") + raw
    )
    for part in message.iter_parts():  # type: ignore[attr-defined]
        if part.get_param("name", header="content-disposition") == "file":
            return bytes(part.get_payload(decode=True))
    raise ValueError("no file part in the upload")


def _handler_for(server: BatchServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, body, kind = server._route(self.command, self.path, headers, raw)
            payload = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
            self.send_response(status)
            self.send_header("content-type", "application/json" if kind == "json" else "application/binary")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _serve

        def log_message(self, format: str, *args: object) -> None:
            """Keep test output quiet."""

    return Handler
