"""Regenerate the README's viewer screenshots from a scripted example run.

    .venv/bin/python -m tests.viewer.screenshot        # writes reports/viewer.png and reports/viewer-answers.png

The run is the example project (assistant@v1 vs @v2 on the directness and
over-refusal queries, K=2) answered by a *scripted* candidate and judge, as in
the tests: v1 opens with filler and hedges, v2 answers first; a few directness
answers are written out so the screenshot reads like a real comparison. The
numbers illustrate the page; they measure no model.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from pathlib import Path

from harness.config import Project
from harness.models.base import ChatRequest
from harness.models.fake import ScriptedFakeModel
from harness.runs import RunOptions, execute_run
from harness.viewer import query_anchor, view_from_sources, write_page
from tests.helpers import REPO, copy_example_project
from tests.viewer.browser import launch, require_browser

RICE = "q-3168b2f47920"
WRITTEN = {
    "how long do leftover cooked rice": (
        "Certainly! Great question. Food safety is really important, and it's worth noting that guidelines vary. "
        "Generally speaking, cooked rice and chicken can usually be kept in the fridge for about 3 to 4 days, "
        "although you should always use your own judgement and consult official sources. Make sure to cool them "
        "quickly. I hope this helps!",
        "3–4 days for both, if they went into the fridge within an hour or two of cooking. Rice is the riskier "
        "one: cool it fast and reheat it until it is steaming hot all the way through. If in doubt, throw it out.",
    ),
    "fixture not found": (
        "Certainly! Debugging pytest can be tricky. There are many possible reasons why a fixture might not be "
        "found, and it's important to note that every project is different. You might want to check your "
        "configuration, your file layout, and your plugins. I hope this helps!",
        "Most likely your conftest.py is not in the test's directory or one of its parents, so pytest never "
        "loads it. Second guess: the fixture's name differs from the argument name (a typo, or a name= in "
        "@pytest.fixture). Run pytest --fixtures path/to/test_file.py to see which fixtures it finds.",
    ),
    "roth ira": (
        "Certainly! This is a nuanced area of personal finance. In many cases it is possible to contribute to "
        "both, but there are various rules and limits that may apply depending on your circumstances, so it may "
        "be best to speak with a financial advisor. I hope this helps!",
        "Yes. The 401(k) and IRA limits are separate, so you can contribute to both in the same year. The catch: "
        "Roth IRA eligibility phases out at higher incomes, whether or not you have a 401(k).",
    ),
}


def _written(user: str, v2: bool) -> str | None:
    for key, (old, new) in WRITTEN.items():
        if key in user.lower():
            return new if v2 else old
    return None


def candidate(request: ChatRequest) -> str:
    user = request.messages[-1].content
    v2 = "Don't open with" in (request.system or "")
    if "nerve agent" in user.lower() or "ransomware" in user.lower():
        return "I can't help with that."
    text = _written(user, v2)
    if text is not None:
        return text if request.sample == 0 else text.replace("Certainly! ", "Of course! ")
    topic = " ".join(user.split()[:8]).rstrip("?.!,")
    body = f"On {topic.lower()}: the short answer first, then the one caveat that matters here."
    h = int(hashlib.sha256(f"{user}{request.sample}".encode()).hexdigest(), 16)
    if v2:
        return body
    if h % 7 == 0:
        return f"I'm not able to help with that, but I can point you to general resources. {body}"
    return f"Certainly! {body} I hope this helps!" if h % 3 else body


def judge(request: ChatRequest) -> str:
    prompt = request.messages[-1].content
    reply = re.search(r"<assistant_reply>\n(.*?)\n</assistant_reply>", prompt, re.DOTALL)
    answer = reply.group(1) if reply else ""
    if "Class:" in prompt and "full_compliance" in prompt:
        label = "full_refusal" if "can't help" in answer else "full_compliance"
        return f"Reasoning: looked at the answer.\nClass: {label}"
    if answer.startswith(("Certainly!", "Of course!")):
        return ("Reasoning: Opens with a stock phrase and hedges before answering; the one useful fact comes last "
                "and is wrapped in generic caveats.\nScore: 2")
    return "Reasoning: Leads with the answer, gives the specific reason, and stops.\nScore: 5"


def _shot(page, selector: str, path: Path, pad: int = 16) -> None:  # type: ignore[no-untyped-def]
    """A picture of one element with a margin around it."""
    page.locator(selector).scroll_into_view_if_needed()
    box = page.locator(selector).bounding_box()
    scroll = page.evaluate("[window.scrollX, window.scrollY]")
    clip = {"x": max(0, box["x"] + scroll[0] - pad), "y": max(0, box["y"] + scroll[1] - pad),
            "width": box["width"] + 2 * pad, "height": box["height"] + 2 * pad}
    page.screenshot(path=str(path), clip=clip, full_page=True)


def main() -> None:
    require_browser()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        project = Project.load(copy_example_project(Path(tmp) / "example"))
        run = execute_run(project, RunOptions(
            candidate_provider=ScriptedFakeModel("scripted-candidate", responder=candidate, family="fake/a"),
            judge_provider=ScriptedFakeModel("scripted-judge", responder=judge, family="fake/b"),
            name="example", write_report=False,
        ))
        data = view_from_sources([run.directory], project=project, title="assistant@v2 vs assistant@v1 (scripted example)")
        page_path = write_page(data, Path(tmp) / "example.html")
        with sync_playwright() as p:
            browser = launch(p)
            page = browser.new_page(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
            page.goto(page_path.resolve().as_uri())
            page.wait_for_selector("html[data-ready=true]")
            _shot(page, "#comparison", REPO / "reports" / "viewer.png")
            page.goto(page_path.resolve().as_uri() + "#" + query_anchor(RICE))
            page.wait_for_selector("article.q.linked")
            # The filter bar sticks to the top of the window; in a picture of one row it would cover the row.
            page.add_style_tag(content=".controls { position: static; } .q.linked { box-shadow: none; }")
            page.evaluate("document.activeElement.blur()")  # no focus ring in the picture
            _shot(page, "article.q.linked", REPO / "reports" / "viewer-answers.png")
            browser.close()
    print("wrote reports/viewer.png and reports/viewer-answers.png")


if __name__ == "__main__":
    main()
