"""No student-authored HTML or script runs in anyone's browser (issue 19, item 2).

A hostile student hands in q1 with a payload in every channel: the written answer (an
``<img onerror>``, a ``javascript:`` markdown link and anchor), another markdown cell (an
``<iframe srcdoc>`` with a script, an inline ``<svg onload>``, an SVG attachment, ``data:`` URLs),
a code cell whose outputs are a ``<script>`` in ``text/html``, an SVG with ``onload``,
``application/javascript`` and markdown with an ``<img onerror>``, and an ``evil.html`` next to the
notebook. Every payload tries to read ``quizzes/ftroi_course/key.py`` through the server's contents
API and to PUT it back as ``pwned_<channel>.txt``, and marks a canary global.

The submission is graded through the real commands (``generate_assignment``, ``autograde`` in the
sandbox, ``generate_feedback``) on a temporary copy of the course, then opened in Debian's Chromium
as the instructor in formgrader (the manual-grading page on its own and inside JupyterLab's
formgrader panel, the submission list, the file formgrader serves from the submission) and as
the student in the feedback HTML, served from the same origin without any policy of its own.
Every request the browser makes is recorded.

Three configurations of the same course:

* ``protected`` (the course as committed): nothing ran, no request reached ``/api/contents``, no
  file was written, and the grader still reads the written answer and saves a score;
* ``policy only`` (sanitising off, the Content-Security-Policy on): still nothing ran;
* ``unprotected`` (both off), the negative control: the payloads ran and wrote their files, so
  the checks above can fail.
"""

from __future__ import annotations

import base64
import doctest
import os
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest
from browser_support import CHROMIUM, chromium_browser, lab_server
from class_support import COURSE, ROOT, load_quiz, make_course, run, tool_env

sys.path.insert(0, str(COURSE))
from ftroi_course import safe_html  # noqa: E402
from ftroi_course.sandbox import find_bwrap, probe_sandbox  # noqa: E402

QUIZ = "q1_break_even"
STUDENT = "mallory"
WRITTEN = "q1_8"
HONEST = "Fine-tuning pays once the monthly saving has covered the training cost"
#: What an unprotected render must run (the negative control), by where it is shown.
MUST_RUN_UNPROTECTED = {
    "grading page": {"answer-img", "answer-a", "answer-link", "md-iframe", "md-svg",
                     "out-html-script", "out-html-img", "out-md-img"},
    "grading page in lab": {"answer-img", "md-iframe", "out-html-script"},
    "served file": {"file-html"},
    "feedback": {"answer-img", "answer-a", "answer-link", "md-iframe", "out-html-script"},
}
NO_SANDBOX = probe_sandbox(find_bwrap())


# ---------------------------------------------------------------------------------------------
# The payloads and the hostile submission
# ---------------------------------------------------------------------------------------------
#: Marks the canary, reads key.py through the contents API and writes it back as a file.
PAYLOAD_JS = (
    "(function(){var c='__CHANNEL__';"
    "[window,parent,top].forEach(function(w){try{w.__ftroi_pwned="
    "(w.__ftroi_pwned||[]).concat(c)}catch(e){}});"
    "var x=decodeURIComponent((document.cookie.match(/_xsrf=([^;]*)/)||['',''])[1]);"
    "fetch('/api/contents/quizzes/ftroi_course/key.py').then(function(r){return r.json()})"
    ".then(function(m){return fetch('/api/contents/pwned_'+c+'.txt',{method:'PUT',"
    "headers:{'X-XSRFToken':x,'Content-Type':'application/json'},"
    "body:JSON.stringify({type:'file',format:'text',content:m.content})})})})()")


def payload_js(channel: str) -> str:
    """:data:`PAYLOAD_JS` for one channel (its canary and file name)."""
    return PAYLOAD_JS.replace("__CHANNEL__", channel)


def handler(channel: str) -> str:
    """The payload as one attribute-safe expression (no quotes, no angle brackets)."""
    return f"eval(atob('{base64.b64encode(payload_js(channel).encode()).decode()}'))"


def svg(channel: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20" '
            f'onload="{handler(channel)}"><script>{handler(channel + "-script")}</script>'
            f'<circle cx="10" cy="10" r="8"/></svg>')


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def hostile_notebook(quiz):
    """A right submission with a payload in every channel a notebook has."""
    nb = quiz.submission("right", STUDENT)
    written = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == WRITTEN)
    written.source = (
        f"{HONEST}.\n\n<img src=x onerror=\"{handler('answer-img')}\">\n\n"
        f"[See my working](javascript:{handler('answer-link')})\n\n"
        f"<a href=\"javascript:{handler('answer-a')}\">my sources</a>\n")
    notes = nbformat.v4.new_markdown_cell(
        f"Notes. <iframe srcdoc=\"<script>{handler('md-iframe')}</script>\"></iframe>\n\n"
        f"{svg('md-svg')}\n\n![diagram](attachment:diagram.svg)\n\n"
        f"<img src=\"data:image/svg+xml;base64,{b64(svg('md-data-img'))}\">\n\n"
        f"<a href=\"data:text/html;base64,{b64('<script>' + handler('md-data-a') + '</script>')}\">"
        f"data link</a>\n",
        attachments={"diagram.svg": {"image/svg+xml": b64(svg("md-attachment"))}})
    outputs = nbformat.v4.new_code_cell(
        "from IPython.display import HTML, SVG, Javascript, Markdown, display\n"
        f"display(HTML({'<script>' + handler('out-html-script') + '</script>'!r}))\n"
        f"display(HTML({'<img src=x onerror=' + chr(34) + handler('out-html-img') + chr(34) + '>'!r}))\n"
        f"display(SVG({svg('out-svg')!r}))\n"
        f"display(Javascript({handler('out-js')!r}))\n"
        f"display(Markdown({'<img src=x onerror=' + chr(34) + handler('out-md-img') + chr(34) + '>'!r}))\n"
        "print('honest output line')\n")
    nb.cells[1:1] = [notes, outputs]
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {
        "state": {}, "version_major": 2, "version_minor": 0}}
    return nb


# ---------------------------------------------------------------------------------------------
# Fast checks of the sanitiser (no browser)
# ---------------------------------------------------------------------------------------------
def test_the_sanitisers_examples_hold():
    result = doctest.testmod(safe_html, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 3 and result.failed == 0


@pytest.mark.parametrize("html", [
    '<img src=x onerror="alert(1)">', "<script>alert(1)</script>",
    '<a href=" jAvAsCrIpT:alert(1)">x</a>', '<a href="data:text/html,<script>x</script>">x</a>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>', '<svg onload="alert(1)"></svg>',
    '<img src="data:image/svg+xml;base64,PHN2Zz4=">', '<p style="position:fixed">x</p>',
    '<div data-toggle="tooltip" data-template="<img src=x onerror=alert(1)>">x</div>',
    '<form action="/api/contents"><button>x</button></form>', '<img src="/api/contents/x">',
])
def test_cleaned_student_html_has_no_script_handler_or_unsafe_url(html):
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(safe_html.clean_html(html), "html.parser")
    tags = soup.find_all(True)
    assert {t.name for t in tags} <= safe_html.ALLOWED_TAGS
    for tag in tags:
        for name, value in tag.attrs.items():
            assert not name.startswith(("on", "data-", "style")), (name, value)
            if name in ("href", "src"):
                assert value.startswith(("https:", "http:", "mailto:", "#", "data:image/png")), value


def test_student_html_keeps_code_highlighting_but_no_page_classes():
    highlighted = safe_html.render_markdown("```python\nx = 1\n```")
    assert '<div class="highlight">' in highlighted and '<span class="n">' in highlighted
    cleaned = safe_html.clean_html('<div class="navbar-fixed-top btn">fake</div>')
    assert cleaned == "<div>fake</div>"


def test_the_written_answers_text_survives_cleaning():
    cleaned = safe_html.render_markdown(f"{HONEST} <img src=x onerror=alert(1)> $a<b$")
    assert HONEST in cleaned and "$a&lt;b$" in cleaned and "onerror" not in cleaned


def test_the_preprocessor_drops_scriptable_outputs_attachments_and_widget_state():
    html_out = nbformat.v4.new_output("display_data", data={
        "text/html": '<b>table</b><script>x()</script>', "text/plain": "table"},
        metadata={"text/html": {"isolated": True}})
    svg_out = nbformat.v4.new_output("display_data", data={"image/svg+xml": "<svg onload=x()/>"})
    js_out = nbformat.v4.new_output("display_data", data={
        "application/javascript": "x()", "text/plain": "<IPython.Javascript>"})
    png_out = nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo="})
    code = nbformat.v4.new_code_cell("x", outputs=[html_out, svg_out, js_out, png_out])
    md = nbformat.v4.new_markdown_cell("![a](attachment:a.svg)", attachments={
        "a.svg": {"image/svg+xml": "PHN2Zz4="}, "b.png": {"image/png": "iVBO"}})
    nb = nbformat.v4.new_notebook(cells=[md, code])
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}

    nb, _ = safe_html.SanitizeStudentHTML().preprocess(nb, {})

    outs = nb.cells[1].outputs
    assert outs[0].data == {"text/html": "<b>table</b>&lt;script&gt;x()&lt;/script&gt;",
                            "text/plain": "table"}
    assert outs[0].metadata == {}  # no "isolated" iframe
    assert list(outs[1].data) == ["text/plain"] and "image/svg+xml" in outs[1].data["text/plain"]
    assert outs[2].data == {"text/plain": "<IPython.Javascript>"}
    assert outs[3].data == {"image/png": "iVBORw0KGgo="}
    assert nb.cells[0].attachments == {"b.png": {"image/png": "iVBO"}}
    assert "widgets" not in nb.metadata


def test_a_missing_or_svg_attachment_leaves_an_empty_image_not_a_failed_page():
    html = safe_html.render_markdown("![gone](attachment:nowhere.png) ![v](attachment:v.svg)",
                                     {"v.svg": {"image/svg+xml": "PHN2Zz4="}})
    assert html.count("<img") == 2 and "src" not in html


def test_the_feedback_policy_comes_after_the_charset_and_allows_no_requests():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("x <script>y()</script>")])
    html, _ = safe_html.SafeFeedbackExporter().from_notebook_node(nb)
    charset = html.lower().index("<meta charset")
    policy = html.index('http-equiv="Content-Security-Policy"')
    assert charset < policy and charset < 1024
    assert "connect-src 'none'" in html[policy:policy + 2000]


def test_the_page_policy_allows_the_templates_scripts_but_not_the_notebooks():
    page = ('<html><head><script>var a = 1;</script></head><body>'
            '<span onclick="toggle(true);">x</span><div id="notebook-container">'
            '<script>steal()</script><img onerror="steal()"></div></body></html>')
    policy = safe_html.page_policy(page)
    assert safe_html._sha256_source("var a = 1;") in policy
    assert safe_html._sha256_source("toggle(true);") in policy
    assert safe_html._sha256_source("steal()") not in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "connect-src 'none'" in policy


# ---------------------------------------------------------------------------------------------
# The real course, graded once
# ---------------------------------------------------------------------------------------------
@dataclass
class GradedCourse:
    root: Path          # the Jupyter server's root: quizzes/ and the root nbgrader_config.py
    course: Path        # root / "quizzes"
    config_text: str    # the copy's quizzes/nbgrader_config.py as made
    submission_id: str = ""
    logs: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def feedback(self) -> Path:
        return self.course / "feedback" / STUDENT / QUIZ / f"{QUIZ}.html"

    def nbgrader(self, *args: str) -> str:
        t0 = time.perf_counter()
        proc = run(self.course, "nbgrader", *args, env=tool_env(), timeout=600)
        out = proc.stdout + proc.stderr
        self.logs[" ".join(args)] = out
        self.seconds[" ".join(args)] = round(time.perf_counter() - t0, 1)
        assert proc.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{out[-3000:]}"
        return out

    def configure(self, variant: str) -> None:
        """Rewrite the copy's course config for ``variant`` and regenerate the feedback."""
        text = self.config_text
        if variant in ("policy only", "unprotected"):
            text += ("\nc.HTMLExporter.sanitize_html = False  # test: sanitising off\n"
                     "c.HTMLExporter.preprocessors = []\nc.HTMLExporter.filters = {}\n")
        if variant == "unprotected":
            text += ('c.GenerateFeedback.exporter_class = "nbconvert.exporters.HTMLExporter"\n'
                     "protect_formgrader_pages(enabled=False)  # test: no policy\n")
        (self.course / "nbgrader_config.py").write_text(text, encoding="utf-8")
        self.nbgrader("generate_feedback", QUIZ, "--force")

    def pwned_files(self) -> list[str]:
        return sorted(p.name for p in self.root.glob("pwned_*"))

    def clear_pwned(self) -> None:
        for path in self.root.glob("pwned_*"):
            path.unlink()


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Iterator[GradedCourse]:
    if NO_SANDBOX is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the autograding sandbox cannot run here: {NO_SANDBOX}")
        pytest.skip(f"no autograding sandbox on this machine: {NO_SANDBOX}")
    root = tmp_path_factory.mktemp("hostile-html") / "workbook"
    course = make_course(root, timeout_s=20)
    (root / "nbgrader_config.py").write_bytes((ROOT / "nbgrader_config.py").read_bytes())
    g = GradedCourse(root, course, (course / "nbgrader_config.py").read_text(encoding="utf-8"))
    g.nbgrader("generate_assignment", QUIZ, "--force")
    folder = course / "submitted" / STUDENT / QUIZ
    folder.mkdir(parents=True)
    nbformat.write(hostile_notebook(load_quiz(course, QUIZ)), folder / f"{QUIZ}.ipynb")
    (folder / "evil.html").write_text(f"<script>{handler('file-html')}</script>hello",
                                      encoding="utf-8")
    g.nbgrader("autograde", QUIZ)
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "ftroi") as gb:
        g.submission_id = gb.find_submission_notebook(QUIZ, QUIZ, STUDENT).id
    yield g


# ---------------------------------------------------------------------------------------------
# The browser
# ---------------------------------------------------------------------------------------------
@dataclass
class Visit:
    """What the browser did while it showed one course configuration's pages."""

    canaries: dict[str, list[str]] = field(default_factory=dict)  # where -> channels that ran
    contents_requests: list[str] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)           # where -> visible text
    saved_score: float | None = None
    name_toggle_works: bool = False
    pwned_files: list[str] = field(default_factory=list)


CANARY_JS = "() => (window.__ftroi_pwned || []).slice()"
#: How long a page is given, after its links were clicked, for any payload's requests to finish
#: (the unprotected run shows every payload has written its file well within this).
SETTLE_MS = 1_500


def _settle(frame, page) -> list[str]:
    """Click every script-bearing link left in the shown notebook (a ``javascript:`` link runs
    only when clicked), wait for any payload's requests, and return the channels that ran."""
    links = frame.locator("#notebook-container a[href^='javascript:' i], "
                          "#notebook-container a[href^='data:' i]")
    for i in range(links.count()):
        try:
            links.nth(i).click(timeout=1_000, no_wait_after=True)
        except Exception:  # noqa: BLE001 - a link left with no href cannot be clicked: fine
            pass
    page.wait_for_timeout(SETTLE_MS)
    ran = set(page.evaluate(CANARY_JS))
    if frame is not page:
        try:
            ran |= set(frame.evaluate(CANARY_JS))
        except Exception:  # noqa: BLE001 - a payload navigated the frame away: the page's count
            ran.add("frame navigated away")
    return sorted(ran)


def _from_a_rendered_page(request) -> bool:
    """A contents-API request that JupyterLab's own page did not make."""
    if "/api/contents" not in request.url:
        return False
    try:
        frame_url = request.frame.url
    except Exception:  # noqa: BLE001 - the frame is gone: count it
        return True
    return "/lab" not in frame_url or "key.py" in request.url or "pwned_" in request.url


@contextmanager
def _browser_page(browser) -> Iterator[tuple]:
    """A fresh browser context that records contents-API requests from rendered pages and
    fails anything off this machine at once (MathJax's CDN would otherwise hold 'load')."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    requests: list[str] = []
    context.on("request", lambda r: requests.append(f"{r.method} {r.url}")
               if _from_a_rendered_page(r) else None)
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())
    try:
        yield context, context.new_page(), requests
    finally:
        context.close()


def visit(browser, g: GradedCourse, variant: str, in_lab: bool) -> Visit:
    """Show the graded submission in every view, as instructor and student, under ``variant``."""
    g.clear_pwned()
    g.configure(variant)
    v = Visit()
    with lab_server(root=g.root) as server, _browser_page(browser) as (context, page, requests):
        grading_url = server.url(f"formgrader/submissions/{g.submission_id}/")
        # 1. The manual-grading page on its own, as the instructor, logged in with the token.
        page.goto(server.url("login"), wait_until="load")
        page.fill("input[name=password]", server.token)
        page.click("button[type=submit], input[type=submit]")
        page.wait_for_load_state("load")
        page.goto(grading_url, wait_until="load")
        page.wait_for_selector(f"#{WRITTEN}", timeout=30_000)
        v.texts["grading page"] = page.inner_text("#notebook-container")
        v.canaries["grading page"] = _settle(page, page)
        page.fill(f"#{WRITTEN}", "1")
        page.press(f"#{WRITTEN}", "Tab")
        page.wait_for_timeout(SETTLE_MS)
        # The page's own inline handler (show or hide the student's name) still runs.
        shown = page.is_visible("a.name-shown")
        page.locator("span.glyphicon.name-hidden, span.glyphicon.name-shown").locator(
            "visible=true").first.click()
        v.name_toggle_works = page.is_visible("a.name-shown") != shown
        # 2. The file formgrader serves from the submission's folder.
        page.goto(server.url(f"formgrader/submissions/{g.submission_id}/evil.html"),
                  wait_until="load")
        v.canaries["served file"] = _settle(page, page)
        # 3. The feedback, as the student opens it: here from the server's own origin, with
        # no policy added by whatever serves it (the worst case).
        feedback_url = server.url("feedback-under-test.html")
        body = g.feedback.read_bytes()
        page.route(feedback_url, lambda route: route.fulfill(
            status=200, body=body, headers={"Content-Type": "text/html; charset=utf-8"}))
        page.goto(feedback_url, wait_until="load")
        v.texts["feedback"] = page.inner_text("body")
        v.canaries["feedback"] = _settle(page, page)
        # 4. Inside JupyterLab's formgrader panel: the submission list, then the grading page.
        if in_lab:
            page.goto(server.url("lab", reset=""), wait_until="domcontentloaded")
            page.wait_for_function("() => !!window.jupyterapp && "
                                   "jupyterapp.commands.hasCommand('nbgrader:open-formgrader')",
                                   timeout=60_000)
            page.evaluate("() => jupyterapp.commands.execute('nbgrader:open-formgrader')")
            frame = page.wait_for_selector("iframe[src*='formgrader']",
                                           timeout=30_000).content_frame()
            frame.goto(server.url(f"formgrader/manage_submissions/{QUIZ}"), wait_until="load")
            frame.wait_for_selector(f"text={STUDENT}", timeout=30_000)
            frame.goto(grading_url, wait_until="load")
            frame.wait_for_selector(f"#{WRITTEN}", timeout=30_000)
            v.canaries["grading page in lab"] = _settle(frame, page)
        v.contents_requests = list(requests)
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{g.course / 'gradebook.db'}", "ftroi") as gb:
        v.saved_score = gb.find_grade(WRITTEN, QUIZ, QUIZ, STUDENT).manual_score
    v.pwned_files = g.pwned_files()
    return v


@pytest.fixture(scope="module")
def visits(graded) -> dict[str, Visit]:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but there is no Chromium at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM} (make browser-deps)")
    out = {}
    with chromium_browser() as browser:
        for variant in ("protected", "policy only", "unprotected"):
            t0 = time.perf_counter()
            out[variant] = visit(browser, graded, variant, in_lab=variant != "policy only")
            graded.seconds[f"browser: {variant}"] = round(time.perf_counter() - t0, 1)
    print(f"\ntest_hostile_html seconds: {graded.seconds}")
    for variant, v in out.items():
        print(f"  {variant}: ran {v.canaries}, contents API {len(v.contents_requests)} requests, "
              f"files {v.pwned_files}, saved score {v.saved_score}")
    return out


@pytest.mark.browser
@pytest.mark.nbgrader
@pytest.mark.parametrize("variant", ["protected", "policy only"])
def test_no_payload_runs_in_formgrader_or_the_feedback(visits, variant):
    v = visits[variant]
    assert {where: ran for where, ran in v.canaries.items() if ran} == {}
    assert v.contents_requests == []
    assert v.pwned_files == []


@pytest.mark.browser
@pytest.mark.nbgrader
def test_the_grader_still_reads_the_written_answer_and_saves_a_score(visits):
    v = visits["protected"]
    assert HONEST in v.texts["grading page"]
    assert "honest output line" in v.texts["grading page"]
    assert HONEST in v.texts["feedback"]
    assert v.saved_score == 1.0
    assert v.name_toggle_works


@pytest.mark.browser
@pytest.mark.nbgrader
def test_without_sanitising_or_policy_the_same_payloads_run(visits):
    """The negative control: the checks above can fail."""
    v = visits["unprotected"]
    for where, must in MUST_RUN_UNPROTECTED.items():
        assert must <= set(v.canaries[where]), (where, v.canaries[where])
    assert any("GET" in r and "ftroi_course/key.py" in r for r in v.contents_requests)
    assert {f"pwned_{c}.txt" for c in MUST_RUN_UNPROTECTED["grading page"]} <= set(v.pwned_files)
