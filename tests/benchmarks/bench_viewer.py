"""Viewer benchmark: a synthetic 10,000-answer run as one HTML page, opened and filtered in Chromium.

Not a test (pytest does not collect it); run it by hand::

    .venv/bin/python -m tests.benchmarks.bench_viewer               # 10,000 answers
    .venv/bin/python -m tests.benchmarks.bench_viewer --answers 20000 --keep /tmp/view.html

The run: 2 prompt versions × 2,500 queries × 2 samples over 5 traits, answers
of 40–220 words (mean about 130, ~800 characters, longer than most chat
replies to these queries), a judge reason of 15–45 words per answer, filler,
hedging and refusal verdicts on a share of them. Prints the build time in
Python, the file size, and in headless Chromium (Debian's, through
Playwright): the time to load the page until it is ready to use, then to
apply a trait filter, a free-text search, the "refused" filter, sorting by
score difference, and to follow a deep link to the last query.
Targets (issue 13): file under 15 MB; opens and filters in under 2 s.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from harness.formats import dump_jsonl
from harness.scores.filler import FillerResult
from harness.scores.hedging import HedgeResult
from harness.scores.judges import AdherenceVerdict
from harness.scores.records import ScoredAnswer
from harness.scores.refusal import RefusalVerdict
from harness.viewer import view_from_sources, write_page
from tests.viewer.browser import launch, missing_browser

WORDS = (
    "the of and to a in is it you that he was for on are with as his they be at one have this from or had by hot "
    "word but what some we can out other were all there when up use your how said an each she which do their time "
    "if will way about many then them write would like so these her long make thing see him two has look more day "
    "could go come did number sound no most people my over know water than call first who may down side been now "
    "find any new work part take get place made live where after back little only round man year came show every "
    "good me give our under name very through just form sentence great think say help low line differ turn cause "
    "much mean before move right boy old too same tell does set three want air well also play small end put home "
    "read hand port large spell add even land here must big high such follow act why ask men change went light kind"
).split()
TRAITS = ["directness", "even_handedness", "intellectual_honesty", "warmth_with_curiosity", None]


def _text(rng: random.Random, lo: int, hi: int) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(lo, hi))]
    # Sentences and paragraphs, as real answers have.
    out = []
    for i, w in enumerate(words):
        out.append(w.capitalize() if i == 0 or words[i - 1].endswith(".") else w)
        if rng.random() < 0.08:
            out[-1] += "."
    text = " ".join(out) + "."
    return text.replace(". ", ".\n\n", 2)


def synthetic_scores(answers: int, seed: int = 0) -> list[ScoredAnswer]:
    """2 arms × (answers / 4) queries × 2 samples of scored answers."""
    rng = random.Random(seed)
    queries = answers // 4
    clean = FillerResult(has_filler=False, phrases=[], openers=[], closers=[])
    filler = FillerResult(has_filler=True, phrases=["Certainly!", "I hope this helps!"], openers=["Certainly!"], closers=["I hope this helps!"])
    comply = RefusalVerdict(label="full_compliance", cues=[], reason="No refusal, lecture or redirect cues, so the response answers the request.")
    refuse = RefusalVerdict(label="full_refusal", cues=["i can't help with"], reason="A refusal sentence and nothing that helps.")
    out = []
    for q in range(queries):
        trait = TRAITS[q % len(TRAITS)]
        query = _text(rng, 10, 40)
        for arm, bias in (("assistant@v1", 0.0), ("assistant@v2", 0.4)):
            for k in range(2):
                refused = rng.random() < 0.04
                response = "I can't help with that." if refused else _text(rng, 40, 220)
                has_filler = rng.random() < (0.3 - bias / 2)
                score = max(1, min(5, round(rng.gauss(3.2 + bias, 1.0))))
                out.append(
                    ScoredAnswer(
                        id=f"{arm}|q{q}|{k}", arm=arm, query_id=f"q-{q:05d}", trait=trait, sample=k, should_refuse=False,
                        model="synthetic", prompt_hash=None, query=query,
                        response=("Certainly! " + response + " I hope this helps!") if has_filler else response,
                        refusal=refuse if refused else comply, over_refusal=refused,
                        filler=filler if has_filler else clean,
                        hedging=HedgeResult(has_hedge=rng.random() < 0.1, phrases=[]),
                        adherence=AdherenceVerdict(score=score, reason=_text(rng, 15, 45), scorable=True) if trait else None,
                    )
                )
    return out


_FILTER_JS = """async ([id, value, kind]) => {
  const t = performance.now();
  const el = document.getElementById(id);
  if (kind === 'check') el.checked = value; else el.value = value;
  el.dispatchEvent(new Event(kind === 'search' ? 'input' : 'change', {bubbles: true}));
  if (kind === 'search') {  // the search box waits 120 ms for typing to pause; count from when it fires
    await new Promise(r => setTimeout(r, 130));
  }
  await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  return [performance.now() - t - (kind === 'search' ? 130 : 0), document.querySelectorAll('#rows > .q').length,
          document.getElementById('count').textContent];
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=10_000)
    parser.add_argument("--keep", help="also copy the page here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        scores_path = Path(tmp) / "scores.jsonl"
        dump_jsonl(synthetic_scores(args.answers), scores_path)
        t = time.perf_counter()
        data = view_from_sources([scores_path])
        page_path = write_page(data, Path(args.keep) if args.keep else Path(tmp) / "view.html")
        build = time.perf_counter() - t
        size = page_path.stat().st_size
        n = sum(len(v) for q in data.queries for v in q.answers.values())
        print(f"answers: {n} ({len(data.queries)} queries × {len(data.arms)} arms × 2 samples)")
        print(f"build (Python, load + compare + render): {build:.2f} s")
        print(f"file size: {size / 1e6:.2f} MB (target < 15 MB)")
        reason = missing_browser()
        if reason:
            print(f"browser timings skipped: {reason}")
            return
        _browser_timings(page_path, data.queries[-1].id)


def _browser_timings(path: Path, last_query: str) -> None:
    from playwright.sync_api import sync_playwright

    from harness.viewer import query_anchor

    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(bypass_csp=True)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        t = time.perf_counter()
        page.goto(path.resolve().as_uri())
        page.wait_for_selector("html[data-ready=true]")
        wall = time.perf_counter() - t
        timings = page.evaluate("harnessViewer.timings")
        print(f"load until ready: {timings['readyAt'] / 1000:.2f} s since navigation start "
              f"(JSON.parse {timings['parse'] / 1000:.2f} s, first render {(timings['ready'] - timings['parse']) / 1000:.2f} s); "
              f"wall clock from goto: {wall:.2f} s (target < 2 s)")
        for label, args in (
            ("filter trait=directness", ["f-trait", "directness", "select"]),
            ("search 'water people'", ["f-search", "water people", "search"]),
            ("filter refused (on top)", ["f-refused", True, "check"]),
            ("clear the search (refused still on)", ["f-search", "", "search"]),
            ("uncheck refused", ["f-refused", False, "check"]),
            ("sort by biggest difference", ["f-sort", "change", "select"]),
            ("flipped only", ["f-flipped", True, "check"]),
        ):
            ms, rows, count = page.evaluate(_FILTER_JS, args)
            print(f"{label}: {ms / 1000:.3f} s ({count.strip()} {rows} rows rendered)")
        t = time.perf_counter()
        page.evaluate(f"location.hash = {('#' + query_anchor(last_query))!r}")
        page.wait_for_function(f"document.querySelector('article.q.linked')?.dataset.queryId === {last_query!r}")
        print(f"deep link to the last query: {time.perf_counter() - t:.2f} s")
        print(f"page errors: {errors or 'none'}")
        browser.close()


if __name__ == "__main__":
    main()
