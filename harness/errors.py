"""Errors the harness raises on purpose.

Every user-facing failure is a :class:`HarnessError` carrying what went wrong
and how to fix it; the CLI renders these in one place, without a traceback.
"""

from __future__ import annotations

import re

__all__ = ["HarnessError", "ModelCallError", "RetryableModelError", "redact"]

# Key-shaped strings are scrubbed from every message we raise or record, so a
# provider error that echoes a header can never leak a secret into a report.
_SECRET_PATTERNS = [
    re.compile(r"sk-ant-[A-Za-z0-9_\-]{8,}"),
    re.compile(r"sk-[A-Za-z0-9_\-]{16,}"),
    re.compile(r"(?i)(x-api-key|authorization|api[_-]?key)(\s*[:=]\s*)(bearer\s+)?[^\s,'\"}]+"),
]


def redact(text: str) -> str:
    """Replace anything that looks like an API key with ``[REDACTED]``."""
    for pattern in _SECRET_PATTERNS:
        if pattern.groups >= 2:
            text = pattern.sub(lambda m: f"{m.group(1)}{m.group(2)}[REDACTED]", text)
        else:
            text = pattern.sub("[REDACTED]", text)
    return text


class HarnessError(Exception):
    """A problem the user can fix; ``fix`` says how."""

    def __init__(self, message: str, fix: str | None = None) -> None:
        self.message = redact(message)
        self.fix = redact(fix) if fix else None
        super().__init__(self.message if not self.fix else f"{self.message}\n  fix: {self.fix}")


class ModelCallError(HarnessError):
    """A model call failed for good (after retries, or on a non-retryable error)."""


class RetryableModelError(ModelCallError):
    """A transient failure (rate limit, server error, timeout, malformed reply).

    ``retry_after`` is the server's requested wait in seconds, when it sent one.
    """

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
