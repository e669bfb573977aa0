"""The viewer page: one self-contained HTML file with its data embedded as JSON.

No CDN and no network: the CSS and the script are inlined, a Content Security
Policy forbids every fetch and lets only the page's own script run (by its
hash), and the data sits in a ``<script type="application/json">`` block with
every ``<`` escaped, so no answer text can close the block. The script builds
the page with DOM calls and ``textContent``; run text is never parsed as HTML.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache
from importlib import resources
from pathlib import Path
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from harness import __version__
from harness.viewer.data import ViewData

__all__ = ["embed_json", "make_server", "open_page", "query_anchor", "render_page", "serve_page", "write_page"]


@cache
def _asset(name: str) -> str:
    return resources.files("harness.viewer").joinpath(name).read_text(encoding="utf-8")


def query_anchor(query_id: str) -> str:
    """The fragment that opens one query in the page: ``q-<query id>``, URL-encoded as the page encodes it."""
    # The same characters as JavaScript's encodeURIComponent leaves alone.
    return "q-" + quote(query_id, safe="!*'()")


def embed_json(data: object) -> str:
    """JSON safe to place inside a ``<script>`` element.

    ``<`` becomes ``\\u003c`` (so ``</script>`` and ``<!--`` cannot appear),
    and ``>``, ``&``, U+2028 and U+2029 are escaped too; ``JSON.parse`` reads
    them back unchanged.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


def render_page(data: ViewData) -> str:
    """The HTML page for ``data`` (deterministic: same data, same bytes)."""
    body = _asset("static/viewer.js").strip("\n")
    if "</script" in body.lower() or "<!--" in body:
        raise RuntimeError("viewer.js must not contain '</script' or '<!--': they would end its script element early")
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True, keep_trailing_newline=True)
    page = env.from_string(_asset("template.html.j2"))
    # The template puts the script between newlines; the policy names the hash of exactly that text.
    digest = base64.b64encode(hashlib.sha256(f"\n{body}\n".encode()).digest()).decode("ascii")
    return page.render(
        title=data.title,
        harness_version=__version__,
        css=Markup(_asset("static/viewer.css")),
        js=Markup(body),
        script_hash=f"sha256-{digest}",
        data_json=Markup(embed_json(data.model_dump(mode="json"))),
    )


def write_page(data: ViewData, path: Path | str) -> Path:
    """Write the page to ``path`` (parent folders created); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_page(data), encoding="utf-8")
    return path


def open_page(path: Path) -> None:
    """Open the written page in the default browser."""
    import webbrowser

    webbrowser.open(path.resolve().as_uri())


def make_server(path: Path, port: int = 0, host: str = "127.0.0.1"):
    """An HTTP server for the page's folder on a loopback port (0: any free port); not yet serving."""
    import functools
    import http.server

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass  # one line per request would bury the URL

    handler = functools.partial(Quiet, directory=str(Path(path).resolve().parent))
    return http.server.ThreadingHTTPServer((host, port), handler)


def serve_page(path: Path, port: int = 0, host: str = "127.0.0.1") -> None:
    """Serve the page's folder on a loopback port until interrupted (prints the URL)."""
    with make_server(path, port, host) as server:
        print(f"Serving {path.name} at http://{host}:{server.server_address[1]}/{quote(path.name)} (Ctrl-C to stop)", flush=True)
        server.serve_forever()
