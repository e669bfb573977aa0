"""HTTP failure handling shared by the API providers (Anthropic, OpenAI).

Both SDKs expose a status code and response headers on errors; deciding
whether a failure is transient, and how long the server asked us to wait,
is the same for both.
"""

from __future__ import annotations

import email.utils
import json
import math
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from harness.errors import ModelCallError, RetryableModelError

__all__ = ["count", "is_transient", "retry_after_seconds", "status_error", "transient_label", "translate_sdk_errors"]


def count(value: object) -> int:
    """A token count, or 0 when the reply did not carry a usable one."""
    return value if isinstance(value, int) and value >= 0 else 0


def is_transient(status: int, headers: Mapping[str, str]) -> bool:
    """Whether a status is worth retrying, by the SDKs' own policy."""
    # A server may say so explicitly (the SDKs honour this header too).
    explicit = headers.get("x-should-retry")
    if explicit in ("true", "false"):
        return explicit == "true"
    return status in (408, 409, 429) or status >= 500


def transient_label(status: int) -> str:
    """A short human name for a transient status."""
    if status == 429:
        return "rate limited"
    if status == 529:
        return "overloaded"
    if status >= 500:
        return "server error"
    return "transient error"


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """The server's requested wait: ``retry-after-ms``, ``retry-after`` seconds or HTTP date."""
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) * scale
        except ValueError:
            continue
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    date = email.utils.parsedate_tz(headers.get("retry-after") or "")
    if date is None:
        return None
    return max(0.0, email.utils.mktime_tz(date) - time.time())


@contextmanager
def translate_sdk_errors(
    sdk: ModuleType,
    base_error: type[Exception],
    *,
    timeout: float,
    host: str,
    scrub: Callable[[str], str],
    status_error: Callable[[Any], Exception],
    detail_chars: int = 300,
) -> Iterator[None]:
    """Turn an official SDK's exceptions into retryable or permanent model errors.

    The Anthropic and OpenAI SDKs share one exception hierarchy
    (``APIStatusError``, ``APITimeoutError``, ``APIConnectionError``,
    ``APIResponseValidationError`` under a base error); ``status_error`` maps an
    HTTP status error with the provider's own wording.
    """
    # `from None` throughout: SDK exceptions carry the request, headers and
    # all, and must not ride along in a traceback.
    try:
        yield
    except sdk.APIStatusError as exc:
        raise status_error(exc) from None
    except sdk.APITimeoutError:
        raise RetryableModelError(f"no reply within {timeout:g}s (timed out)") from None
    except sdk.APIConnectionError:
        raise RetryableModelError(f"could not connect to {host}") from None
    except (sdk.APIResponseValidationError, json.JSONDecodeError, UnicodeDecodeError):
        raise RetryableModelError("malformed reply: the body could not be parsed") from None
    except base_error as exc:
        detail = scrub(f"{type(exc).__name__}: {exc}")[:detail_chars]
        raise ModelCallError(f"{sdk.__name__} SDK error: {detail}") from None


def status_error(
    status: int, headers: Mapping[str, str], detail: str, *, exhausted: str | None, permanent: str
) -> ModelCallError:
    """Map an HTTP error status to a retryable or a permanent error.

    Args:
        status: the HTTP status.
        headers: the response headers (for ``retry-after`` and ``x-should-retry``).
        detail: the server's message, already scrubbed of secrets.
        exhausted: the label when the account's budget or quota is spent
            (permanent even on a 429), else None.
        permanent: the provider's wording for a non-retryable status.
    """
    suffix = f": {detail}" if detail else ""
    if exhausted is not None:
        return ModelCallError(f"{exhausted} (HTTP {status}){suffix}")
    if is_transient(status, headers):
        return RetryableModelError(f"{transient_label(status)} (HTTP {status}){suffix}", retry_after=retry_after_seconds(headers))
    return ModelCallError(f"{permanent} (HTTP {status}){suffix}")
