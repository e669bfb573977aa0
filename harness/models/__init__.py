"""The model seam: one small async interface that every provider implements.

Nothing above this package imports a provider SDK. Caching, retries,
concurrency and cost accounting live in :mod:`harness.models.client`, once.
"""

from harness.models.base import ChatRequest, ChatResponse, Message, Provider, Usage
from harness.models.client import CallStats, ModelClient
from harness.models.registry import get_provider, resolve_model_name

__all__ = [
    "CallStats",
    "ChatRequest",
    "ChatResponse",
    "Message",
    "ModelClient",
    "Provider",
    "Usage",
    "get_provider",
    "resolve_model_name",
]
