"""The viewer in a real browser (Debian's Chromium through Playwright): rows, filters, search, links, escaping.

Skipped with the reason when Chromium or playwright is missing, unless
HARNESS_REQUIRE_BROWSER=1 (CI), which fails instead.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.config import Project
from harness.runs import RunOutcome
from harness.scores.filler import FillerResult
from harness.scores.judges import AdherenceVerdict
from harness.scores.records import ScoredAnswer
from harness.scores.refusal import RefusalVerdict
from harness.viewer import build_view_data, query_anchor, view_from_sources, write_page

V1, V2 = "assistant@v1", "assistant@v2"


@pytest.fixture(scope="module")
def example_page(example_run: tuple[Project, RunOutcome], tmp_path_factory: pytest.TempPathFactory) -> Path:
    project, run = example_run
    return write_page(view_from_sources([run.directory], project=project), tmp_path_factory.mktemp("page") / "view.html")


def _open(page, path: Path, fragment: str = "") -> None:  # type: ignore[no-untyped-def]
    page.goto(path.resolve().as_uri() + fragment)
    page.wait_for_selector("html[data-ready=true]")


def _row_ids(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.eval_on_selector_all("#rows > article.q", "els => els.map(e => e.dataset.queryId)")


def _count(page) -> str:  # type: ignore[no-untyped-def]
    return page.inner_text("#count")


def test_rows_hold_both_arms_answers_and_the_comparison(strict_page, example_page: Path, example_run) -> None:  # type: ignore[no-untyped-def]
    # The page's own policy in force: its script runs (by hash) and nothing is blocked or logged.
    page, errors = strict_page
    _open(page, example_page)
    _, run = example_run
    n_queries = len({s.query_id for s in run.scores})
    assert _count(page).startswith(f"Showing {n_queries} of {n_queries} queries")
    first = page.locator("#rows > article.q").first
    first.scroll_into_view_if_needed()  # off-screen rows skip layout (content-visibility), and so have no innerText
    # both arms, both samples, side by side; the judge's score and reason; the filler phrase that fired
    assert first.locator(f'.answer[data-arm="{V1}"]').count() == 2 and first.locator(f'.answer[data-arm="{V2}"]').count() == 2
    v1 = first.locator(f'.answer[data-arm="{V1}"]').first.inner_text()
    assert "Certainly!" in v1 and "score 2" in v1 and "Judge: graded against the rubric." in v1
    assert "filler: “Certainly!”, “I hope this helps!”" in v1
    # the word diff strikes v1's filler and keeps the shared words
    diff = first.locator(".diff").first
    assert diff.locator("del").first.inner_text().strip() == "Certainly!"
    # summary and comparison, with a forest plot row per compared metric
    assert page.locator("#summary-table tbody tr").count() > 0
    assert page.is_visible("#comparison") and "assistant@v2 vs assistant@v1" in page.inner_text("#comparison")
    metrics = page.locator("#comparison table tbody tr").count()
    assert metrics >= 4 and page.locator("svg.forest circle").count() == metrics  # one point per compared metric
    assert "improved" in page.inner_text("#comparison table")
    assert errors == []


def test_filter_and_search_narrow_the_rows(browser_page, example_page: Path, example_run) -> None:  # type: ignore[no-untyped-def]
    page, errors = browser_page
    _, run = example_run
    _open(page, example_page)
    page.select_option("#f-trait", "directness")
    directness = {s.query_id for s in run.scores if s.trait == "directness"}
    assert set(_row_ids(page)) == directness and _count(page).startswith(f"Showing {len(directness)} of")
    page.fill("#f-search", "roth ira")
    page.wait_for_function("document.querySelectorAll('#rows > article.q').length === 1")
    (row,) = _row_ids(page)
    assert "Roth IRA" in next(s.query for s in run.scores if s.query_id == row)
    # refused: only queries some shown arm refused (the scripted candidate refuses ransomware and nerve agents)
    page.click("#f-reset")
    page.wait_for_function(f"document.getElementById('count').textContent.startsWith('Showing {len(set(s.query_id for s in run.scores))} of')")
    page.check("#f-refused")
    refused = {s.query_id for s in run.scores if s.refusal and s.refusal.label != "full_compliance"}
    assert refused and set(_row_ids(page)) == refused
    # flipped only, sorted by the biggest difference: the directness queries (+3 points) come first
    page.uncheck("#f-refused")
    page.check("#f-flipped")
    page.select_option("#f-sort", "change")
    assert set(_row_ids(page)[: len(directness)]) == directness
    assert errors == []


def test_deep_link_opens_the_query_even_when_filtered_out(browser_page, example_page: Path, example_run) -> None:  # type: ignore[no-untyped-def]
    page, errors = browser_page
    _, run = example_run
    target = next(s.query_id for s in reversed(run.scores) if s.trait is None)
    _open(page, example_page, "#" + query_anchor(target))
    linked = page.locator("article.q.linked")
    assert linked.count() == 1 and linked.get_attribute("data-query-id") == target
    assert page.evaluate("document.activeElement.dataset.queryId") == target
    assert linked.is_visible()
    # a link followed while a filter hides its query clears the filters to show it
    page.select_option("#f-trait", "directness")
    other = next(s.query_id for s in run.scores if s.trait is None and s.query_id != target)
    page.evaluate(f"location.hash = {('#' + query_anchor(other))!r}")
    page.wait_for_function(f"document.querySelector('article.q.linked')?.dataset.queryId === {other!r}")
    assert page.input_value("#f-trait") == "" and "Filters cleared" in _count(page)
    assert errors == []


def test_keyboard_search_and_row_navigation(browser_page, example_page: Path) -> None:  # type: ignore[no-untyped-def]
    page, errors = browser_page
    _open(page, example_page)
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "f-search"
    page.keyboard.press("Tab")
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("j")
    page.keyboard.press("j")
    ids = _row_ids(page)
    assert page.evaluate("document.activeElement.dataset.queryId") == ids[1]
    page.keyboard.press("k")
    assert page.evaluate("document.activeElement.dataset.queryId") == ids[0]
    assert errors == []


def test_dark_mode_and_print(browser_page, example_page: Path) -> None:  # type: ignore[no-untyped-def]
    page, errors = browser_page
    page.emulate_media(color_scheme="dark")
    _open(page, example_page)
    dark = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    page.emulate_media(color_scheme="light")
    light = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    assert dark == "rgb(13, 17, 23)" and light == "rgb(255, 255, 255)"
    page.emulate_media(media="print")
    assert not page.is_visible("#controls") and page.is_visible("#rows article.q >> nth=0")
    assert errors == []


def _answer(arm: str, qid: str, query: str, response: str | None, reason: str, **fields: object) -> ScoredAnswer:
    """A scored answer in the version-1 field shape (migrated on load), with ``fields`` overriding."""
    record: dict[str, object] = dict(
        id=f"{arm}|{qid}|0", arm=arm, query_id=qid, trait="directness", sample=0, should_refuse=False, model="m",
        prompt_hash=None, query=query, response=response,
        refusal=RefusalVerdict(label="full_compliance", cues=[], reason="<i>no cues</i>"), over_refusal=False,
        filler=FillerResult(has_filler=True, phrases=["<b>Certainly!</b>"], openers=["<b>Certainly!</b>"], closers=[]),
        adherence=AdherenceVerdict(score=3, reason=reason, scorable=True),
    )
    record.update(fields)
    return ScoredAnswer.model_validate({k: v.model_dump() if hasattr(v, "model_dump") else v for k, v in record.items()})


NASTY_QUERY = "</script><script>window.__pwned = 'query'</script> **bold?** <img src=x onerror=\"window.__pwned='img'\">"
NASTY = [
    "<script>window.__pwned = 'answer'</script>",
    "<img src=x onerror=\"window.__pwned = 'img'\"><b>not bold</b>",
    "# Not a heading\n\n**not bold** [link](javascript:window.__pwned='md')",
    "</script><!-- <script>window.__pwned = 'comment'</script>",
]


def test_answers_with_markup_render_as_text_and_never_run(browser_page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page, errors = browser_page
    scores = []
    for i, text in enumerate(NASTY):
        qid = f"q-<{i}>\"'&"
        scores.append(_answer("x@v1", qid, NASTY_QUERY, text, "judge says <script>window.__pwned='reason'</script>"))
        scores.append(_answer("x@v2", qid, NASTY_QUERY, text + " more", "<u>fine</u>"))
    path = write_page(build_view_data(scores, title="<script>window.__pwned='title'</script>"), tmp_path / "nasty.html")
    _open(page, path)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("script").count() == 2 and page.locator("#rows img, #rows b:not(.reason b), #rows h1").count() == 0
    body = page.text_content("#rows")  # textContent: off-screen rows skip layout (content-visibility), so innerText omits them
    page.locator("#rows article.q >> nth=0").scroll_into_view_if_needed()
    assert NASTY[0] in page.inner_text("#rows article.q >> nth=0")  # and on screen, literally
    for text in NASTY:
        for line in text.splitlines():
            assert line.strip() in body
    assert NASTY_QUERY in body and "judge says <script>window.__pwned='reason'</script>" in body
    assert "filler: “<b>Certainly!</b>”" in body
    assert page.title() == "<script>window.__pwned='title'</script>"
    # the odd query id still deep-links
    _open(page, path, "#" + query_anchor("q-<2>\"'&"))
    assert page.locator("article.q.linked").get_attribute("data-query-id") == "q-<2>\"'&"
    assert page.evaluate("window.__pwned") is None
    assert errors == []


def test_insights_and_conversations_render_when_present(browser_page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from harness.viewer import Insight
    from harness.viewer.data import QueryView

    page, errors = browser_page
    scores = [_answer(arm, "q1", "hello", "plain answer", "ok") for arm in ("x@v1", "x@v2")]
    data = build_view_data(scores, title="t", insights=[Insight(title="Lectures <em>", summary="s", members=[{"query_id": "q1", "arm": "x@v1", "sample": 0}])])
    # issue 12 will give answers a conversation; the page renders one turn by turn
    q: QueryView = data.queries[0]
    q.answers["x@v2"][0]["messages"] = [{"role": "user", "content": "hi <b>"}, {"role": "assistant", "content": "hello"}]
    path = write_page(data, tmp_path / "extra.html")
    _open(page, path)
    assert page.is_visible("#insights") and "Lectures <em> (1)" in page.inner_text("#insights")
    page.click("#insights a")
    assert page.locator("article.q.linked").get_attribute("data-query-id") == "q1"
    turns = page.locator('.answer[data-arm="x@v2"] .turns li')
    assert turns.count() == 2 and "hi <b>" in turns.first.inner_text()
    assert errors == []


def test_big_views_render_in_windows_and_deep_links_jump(browser_page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.benchmarks.bench_viewer import synthetic_scores

    page, errors = browser_page
    data = build_view_data(synthetic_scores(800), title="big")  # 200 queries
    path = write_page(data, tmp_path / "big.html")
    _open(page, path)
    before = len(_row_ids(page))
    assert before < 50 and page.is_visible("#more")
    page.click("#more")
    assert before + 25 <= len(_row_ids(page)) < 150  # a window more, not all 200
    last = data.queries[-1].id
    page.evaluate(f"location.hash = {('#' + query_anchor(last))!r}")
    page.wait_for_function(f"document.querySelector('article.q.linked')?.dataset.queryId === {last!r}")
    ids = _row_ids(page)
    assert ids[0] == last and len(ids) == 1  # a window starting at the linked query, not 200 rows
    assert page.is_visible("#earlier")
    page.click("#earlier")
    ids = _row_ids(page)
    assert ids[-1] == last and ids[0] == data.queries[-1 - (len(ids) - 1)].id and len(ids) > 10
    assert errors == []


def test_answer_filters_arm_and_metric(browser_page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page, errors = browser_page
    no_filler = FillerResult(has_filler=False, phrases=[], openers=[], closers=[])
    special = {
        ("q1", "x@v1"): dict(response=None, error="timed out after 3 attempts", adherence=None, filler=None),
        ("q2", "x@v2"): dict(adherence=AdherenceVerdict(score=None, reason="no score line", scorable=False)),
        ("q3", "x@v2"): dict(trait=None, adherence=None),  # ungraded
    }
    scores = []
    for q in range(6):
        for arm in ("x@v1", "x@v2"):
            fields: dict[str, object] = {"response": f"answer {q} {arm}"}
            if arm == "x@v2":
                fields["filler"] = no_filler
            fields.update(special.get((f"q{q}", arm), {}))
            response = fields.pop("response")
            scores.append(_answer(arm, f"q{q}", f"query {q}", response, "ok", **fields))  # type: ignore[arg-type]
    path = write_page(build_view_data(scores, title="filters"), tmp_path / "filters.html")
    _open(page, path)
    page.check("#f-failed")
    assert _row_ids(page) == ["q1"] and "timed out after 3 attempts" in page.text_content("#rows")
    page.uncheck("#f-failed")
    page.check("#f-unscored")
    assert _row_ids(page) == ["q2"] and "unscored" in page.text_content("#rows")
    page.uncheck("#f-unscored")
    # only v2 shown: its answers have no filler, so "with filler" leaves nothing; one column, no diff
    page.select_option("#f-arm", "x@v2")
    assert page.locator('#rows .answer[data-arm="x@v1"]').count() == 0 and page.locator("#rows .diff").count() == 0
    page.check("#f-filler")
    assert _row_ids(page) == []
    page.select_option("#f-arm", "")
    assert len(_row_ids(page)) == 5  # every query but the failed one has v1 filler
    page.uncheck("#f-filler")
    # metric: only queries where both arms have an adherence score to compare
    page.select_option("#f-metric", "adherence")
    assert _row_ids(page) == ["q0", "q4", "q5"]
    assert errors == []


def test_serve_serves_the_page_on_loopback(tmp_path: Path) -> None:
    import threading
    import urllib.request

    from harness.viewer.page import make_server

    path = write_page(build_view_data([_answer(a, "q1", "q", "a", "r") for a in ("x@v1", "x@v2")], title="served"), tmp_path / "v.html")
    server = make_server(path)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_address[1]}/v.html") as reply:
            assert reply.read() == path.read_bytes()
    finally:
        server.shutdown()
        server.server_close()


def test_a_projects_own_check_shows_in_summary_and_answers(browser_page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from harness.scores.checks import Check, register, unregister
    from harness.scores.records import Score

    page, errors = browser_page
    register(Check("says_please", "rate", True, label="says please", description="Answers that say please."))
    try:
        scores = []
        for q in range(3):
            for arm, said in (("x@v1", False), ("x@v2", True)):
                s = _answer(arm, f"q{q}", "hello", "please do", "ok")
                s.scores["says_please"] = Score(value=float(said), reason="said please" if said else "no please", source="user")
                scores.append(s)
        path = write_page(build_view_data(scores, title="own check"), tmp_path / "own.html")
    finally:
        unregister("says_please")
    _open(page, path)
    assert "says please ↑" in page.inner_text("#summary-table thead")
    page.locator("#rows article.q").first.scroll_into_view_if_needed()
    v2 = page.locator('#rows .answer[data-arm="x@v2"]').first.inner_text()
    assert "says please: said please" in v2
    assert "says_please" in page.inner_text("#comparison table")  # compared, as every registered check is
    assert errors == []
