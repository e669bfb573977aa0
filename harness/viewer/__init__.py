"""``harness view``: runs and comparisons as one self-contained HTML page.

``data`` computes everything the page shows (with the code ``harness report``
and ``harness compare`` use), ``page`` renders it into a single file, and
``values`` is the one place per-answer scores are read.
"""

from harness.viewer.data import (
    Insight,
    ViewData,
    build_view_data,
    load_sources,
    query_metadata,
    version_pairs,
    view_for_arms,
    view_for_check,
    view_from_sources,
)
from harness.viewer.page import (
    embed_json,
    open_page,
    query_anchor,
    render_page,
    serve_page,
    write_page,
)

__all__ = [
    "Insight",
    "ViewData",
    "build_view_data",
    "embed_json",
    "load_sources",
    "open_page",
    "query_anchor",
    "query_metadata",
    "render_page",
    "serve_page",
    "version_pairs",
    "view_for_arms",
    "view_for_check",
    "view_from_sources",
    "write_page",
]
