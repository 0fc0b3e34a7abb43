"""JupyterLab-in-a-real-browser helpers for tests/widgets/test_browser.py.

Two halves:

* :class:`LabServer` starts JupyterLab on 127.0.0.1 (a free port, a random token) in a temporary
  copy of the workbook, with private config/runtime/data/workspace/settings folders, and stops
  it and every kernel it started however the tests end.
* Page helpers drive Debian's Chromium through Playwright like a learner: open a notebook,
  Run All, wait until every code cell has run, and read what went wrong
  (:func:`render_problems`: errors, warnings, widgets that did not render, prose typeset as TeX)
  and how wide each calculator slider is.

Selectors and timings were checked against JupyterLab 4.6 + ipywidgets 8.1 (see
/work/shared/FIELD-NOTES.md, "JupyterLab in a real browser").
"""

from __future__ import annotations

import atexit
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1366, "height": 900}

# What a widget that failed to render shows: JupyterLab 4.6 + ipywidgets 8.1 print the first,
# older versions the second; the third is the widget manager's message for an unknown model.
WIDGET_ERROR_MARKERS = (
    "Click to show javascript error",
    "Error displaying widget",
    "Model not found",
)

# Selectors (JupyterLab 4.6).
NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"
KERNEL_IDLE = ".jp-Notebook-ExecutionIndicator[data-status='idle']"
# The execution indicator already reads 'idle' before any kernel exists ("No Kernel |
# Initializing" in the status bar), so readiness is read from the status bar's kernel item.
KERNEL_READY_JS = """() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]
    .some(el => /^(?!No Kernel).+ \\| Idle$/.test(el.textContent.trim()))"""
NEWS_NO = ".jp-toast-button:has-text('No')"
# The open notebook panel for a server-relative path (needs --LabApp.expose_app_in_browser).
_PANEL_JS = """(path) => Array.from(window.jupyterapp.shell.widgets('main'))
    .find(w => w.context && w.context.path === path)"""


# ---------------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------------
def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_workbook(dest: Path, repo: Path | None = None) -> Path:
    """Copy what a learner's server root holds (lessons, quizzes, nbgrader config) to ``dest``.

    Generated nbgrader folders and checkpoints are left behind so every run starts clean.
    """
    repo = REPO if repo is None else repo
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "release", "submitted",
                                    "autograded", "feedback", "exchange", "gradebook.db",
                                    "my_decision.*")  # lesson 07's output: start clean
    for name in ("lessons", "quizzes"):
        if (repo / name).is_dir():
            shutil.copytree(repo / name, dest / name, ignore=ignore)
    for name in ("nbgrader_config.py", "autotests.yml"):
        if (repo / name).is_file():
            shutil.copy2(repo / name, dest / name)
    return dest


@dataclass
class LabServer:
    """A JupyterLab server in a temporary copy of the workbook (use :func:`lab_server`)."""

    root: Path
    port: int
    token: str
    process: subprocess.Popen
    env: dict[str, str]
    log_path: Path
    startup_s: float = 0.0
    _log: Any = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str, **query: str) -> str:
        """A URL on the server with the token (and ``?reset`` for lab pages)."""
        q = "&".join(f"{k}={v}" if v != "" else k for k, v in query.items())
        return f"{self.base_url}/{path.lstrip('/')}?{q}" if q else f"{self.base_url}/{path}"

    def lab_url(self, notebook: str) -> str:
        """Open ``notebook`` (server-relative) in a fresh workspace."""
        return self.url(f"lab/tree/{notebook}", reset="", token=self.token)

    def api(self, method: str, path: str, body: Any = None) -> Any:
        """Call the REST API with the token (token-authenticated calls need no XSRF cookie)."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.base_url}/{path.lstrip('/')}", data=data,
                                     method=method,
                                     headers={"Authorization": f"token {self.token}",
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            text = resp.read().decode()
        return json.loads(text) if text else None

    def shutdown_kernels(self) -> None:
        """Close every session (and its kernel) so finished lessons stop using CPU."""
        for session in self.api("GET", "api/sessions"):
            try:
                self.api("DELETE", f"api/sessions/{session['id']}")
            except urllib.error.HTTPError:
                pass

    def run(self, *args: str, cwd: Path | None = None, timeout: float = 120) -> str:
        """Run a command with the server's environment (venv bin first on PATH)."""
        proc = subprocess.run(args, cwd=cwd or self.root, env=self.env, capture_output=True,
                              text=True, timeout=timeout)
        if proc.returncode:
            raise AssertionError(f"{' '.join(args)} failed ({proc.returncode}):\n"
                                 f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        return proc.stdout + proc.stderr

    def log_tail(self, n_chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n_chars:]
        except OSError:
            return ""

    def stop(self) -> None:
        """Stop the server and every kernel it started.

        Kernels run in sessions of their own (jupyter_client starts them with
        ``start_new_session``), so they are shut down through the API first, the server's
        process group gets TERM (then KILL), and any kernel still alive is found by this run's
        private runtime folder in its command line and killed.
        """
        if self.process.poll() is None:
            try:
                self.shutdown_kernels()
            except (urllib.error.URLError, OSError, ValueError):
                pass
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=15)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # anything left in the group
        except (ProcessLookupError, PermissionError):
            pass
        for pid in processes_mentioning(self.env["JUPYTER_RUNTIME_DIR"]):
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if self._log is not None:
            self._log.close()


def processes_mentioning(text: str) -> list[int]:
    """Ids of processes whose command line contains ``text`` (a path unique to this run)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in cmdline and int(entry.name) != os.getpid():
            found.append(int(entry.name))
    return found


def server_env(tmp: Path) -> dict[str, str]:
    """The server's environment: venv first on PATH, every Jupyter state folder private."""
    env = dict(os.environ)
    venv_bin = str(Path(sys.executable).parent)
    env["PATH"] = venv_bin + os.pathsep + env.get("PATH", "")
    for var, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                     ("JUPYTER_DATA_DIR", "data"), ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
                     ("JUPYTERLAB_SETTINGS_DIR", "settings"), ("IPYTHONDIR", "ipython")):
        path = tmp / sub
        path.mkdir(parents=True, exist_ok=True)
        env[var] = str(path)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("JUPYTER_PATH", None)
    return env


@contextmanager
def lab_server(timeout_s: float = 60.0, root: Path | None = None) -> Iterator[LabServer]:
    """Start JupyterLab in a temporary copy of the workbook; always stop it and remove the copy.

    With ``root``, the server serves that folder instead (the caller owns it; it is not removed).
    """
    tmp = Path(tempfile.mkdtemp(prefix="ftroi-browser-"))
    server: LabServer | None = None
    try:
        if root is None:
            root = copy_workbook(tmp / "workbook")
        root.mkdir(exist_ok=True)
        state = tmp / "state"
        env = server_env(state)
        port, token = free_port(), secrets.token_hex(16)
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser",
               f"--port={port}", "--ip=127.0.0.1", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
               "--ServerApp.open_browser=False", "--LabApp.news_url=None",
               # window.jupyterapp: lets the tests read the notebook model and the commands
               "--LabApp.expose_app_in_browser=True",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               f"--LabApp.workspaces_dir={state / 'workspaces'}",
               f"--LabApp.user_settings_dir={state / 'settings'}"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        # Every cell in the DOM (no windowing), so the accessibility scan sees every output.
        tracker = state / "settings" / "@jupyterlab" / "notebook-extension"
        tracker.mkdir(parents=True, exist_ok=True)
        (tracker / "tracker.jupyterlab-settings").write_text(
            json.dumps({"windowingMode": "none"}), encoding="utf-8")
        log_path = state / "server.log"
        log = open(log_path, "w")  # noqa: SIM115 -- closed in stop()
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        server = LabServer(root, port, token, proc, env, log_path, _log=log)
        atexit.register(server.stop)  # even if the fixture's finalizer never runs
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {proc.returncode}:\n"
                                   f"{server.log_tail()}")
            try:
                server.api("GET", "api/status")
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not answer within {timeout_s:.0f} s:\n"
                                       f"{server.log_tail()}") from None
                time.sleep(0.2)
        server.startup_s = time.perf_counter() - t0
        yield server
    finally:
        if server is not None:
            server.stop()
            atexit.unregister(server.stop)
        shutil.rmtree(tmp, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# The browser
# ---------------------------------------------------------------------------------------------
@contextmanager
def chromium_browser() -> Iterator[Any]:
    """Debian's Chromium, headless, through Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Problems:
    """What a learner would see go wrong in an executed notebook."""

    errors: list[str]          # error outputs (tracebacks), first lines
    stderr: list[str]          # stderr outputs (warnings)
    widget_errors: list[str]   # widgets that failed to render
    console_errors: list[str]  # page console errors seen so far
    math: list[str] = field(default_factory=list)  # markdown typeset as TeX (e.g. "$15 ... $2")

    def describe(self) -> str:
        parts = []
        for label, items in (("error outputs", self.errors), ("stderr outputs", self.stderr),
                             ("widget render errors", self.widget_errors),
                             ("markdown typeset as maths", self.math),
                             ("console errors", self.console_errors)):
            if items:
                parts.append(f"{label}:\n  " + "\n  ".join(items))
        return "\n".join(parts) or "none"


class NotebookPage:
    """One browser tab with one notebook open in JupyterLab."""

    def __init__(self, page: Any, server: LabServer, notebook: str) -> None:
        self.page = page
        self.server = server
        self.notebook = notebook
        self.console_errors: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.console_errors.append(f"pageerror: {exc}"))

    def _on_console(self, msg: Any) -> None:
        if msg.type == "error":
            self.console_errors.append(msg.text)

    # -- opening and running ------------------------------------------------------------------
    def open(self, timeout_ms: int = 60_000) -> NotebookPage:
        page = self.page
        page.goto(self.server.lab_url(self.notebook), wait_until="domcontentloaded",
                  timeout=timeout_ms)
        page.wait_for_selector(f"{NOTEBOOK} .jp-Cell", timeout=timeout_ms)
        self.dismiss_news()
        self.wait_kernel_idle(timeout_ms)
        return self

    def wait_kernel_idle(self, timeout_ms: int = 60_000) -> None:
        """Wait until a real kernel is connected and idle (status bar: "Python 3 | Idle")."""
        self.page.wait_for_function(KERNEL_READY_JS, timeout=timeout_ms, polling=100)
        self.page.wait_for_selector(f"{NOTEBOOK} {KERNEL_IDLE}", timeout=timeout_ms)

    def settle_maths(self, quiet_s: float = 1.0, timeout_s: float = 30.0) -> int:
        """Wait until MathJax has stopped typesetting (no new formula for ``quiet_s``);
        return how many formulas the notebook shows."""
        count_js = ("(path) => { const p = (__PANEL__)(path); "
                    "return p ? p.node.querySelectorAll('mjx-container').length : -1; }"
                    .replace("__PANEL__", _PANEL_JS))
        last, quiet_since = -2, time.monotonic()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            count = self.page.evaluate(count_js, self.notebook)
            if count != last:
                last, quiet_since = count, time.monotonic()
            elif time.monotonic() - quiet_since >= quiet_s:
                break
            time.sleep(0.1)
        return last

    def dismiss_news(self) -> None:
        """Close the first-start 'news' question if it shows (it should not: news_url=None)."""
        button = self.page.locator(NEWS_NO)
        if button.count():
            button.first.click()

    def code_cell_count(self) -> int:
        return self.page.locator(f"{NOTEBOOK} .jp-CodeCell").count()

    def prompts(self) -> list[str]:
        return self.page.locator(f"{NOTEBOOK} .jp-CodeCell .jp-InputPrompt").all_inner_texts()

    def run_all(self, timeout_ms: int = 120_000) -> float:
        """Run → Run All Cells; wait until every code cell has an execution count (or a cell
        raised and Run All stopped) and the kernel is idle. Returns the seconds it took."""
        page = self.page
        t0 = time.perf_counter()
        self.wait_kernel_idle(timeout_ms)
        page.locator(".lm-MenuBar-itemLabel:text-is('Run')").click()
        page.locator(".lm-Menu-item:not(.lm-mod-disabled) "
                     ".lm-Menu-itemLabel:text-is('Run All Cells')").click()
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            # Done when every code cell shows an execution count, or when a cell raised and
            # Run All stopped (nothing queued any more): the error is then reported, not waited
            # out.
            page.wait_for_function(
                """([sel, path]) => {
                    const prompts = [...document.querySelectorAll(sel)];
                    if (!prompts.length) return false;
                    const texts = prompts.map(p => p.textContent.trim());
                    if (texts.every(t => /^\\[\\d+\\]:$/.test(t))) return true;
                    if (texts.some(t => t === '[*]:')) return false;
                    const panel = (__PANEL__)(path);
                    return !!panel && panel.context.model.toJSON().cells.some(
                        c => (c.outputs || []).some(o => o.output_type === 'error'));
                }""".replace("__PANEL__", _PANEL_JS),
                arg=[f"{NOTEBOOK} .jp-CodeCell .jp-InputPrompt", self.notebook],
                timeout=timeout_ms, polling=200)
        except PlaywrightTimeout:
            raise AssertionError(
                f"Run All did not execute every code cell of {self.notebook} within "
                f"{timeout_ms / 1000:.0f} s; prompts: {self.prompts()}\n"
                f"{self.problems().describe()}") from None
        self.wait_kernel_idle(timeout_ms)
        return time.perf_counter() - t0

    # -- reading what went wrong ---------------------------------------------------------------
    def problems(self) -> Problems:
        return render_problems(self.page, self.notebook, self.console_errors)

    # -- widgets --------------------------------------------------------------------------------
    def calculators(self) -> Any:
        return self.page.locator(f"{NOTEBOOK} .ftroi-calculator")

    def slider_widths(self) -> list[tuple[int, str, int]]:
        """(calculator index, slider label, track width in px) for every calculator slider:
        a long label can squeeze the draggable track to nothing."""
        rows = self.page.evaluate(
            """(sel) => [...document.querySelectorAll(sel)].flatMap((calc, i) =>
                [...calc.querySelectorAll('.widget-slider')].map(s => [
                    i, (s.querySelector('.widget-label') || s).textContent.trim(),
                    Math.round(s.querySelector('.noUi-target').getBoundingClientRect().width)]))""",
            f"{NOTEBOOK} .ftroi-calculator")
        return [(int(i), str(label), int(px)) for i, label, px in rows]

    def screenshot(self, name: str, focus: Any = None) -> Path:
        """Save what the learner sees (the viewport, scrolled to ``focus``) as a PNG."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        if focus is not None:
            focus.scroll_into_view_if_needed()
            focus.wait_for(state="visible")
            # JupyterLab's windowed notebook re-attaches the cells around a scrolled-to element
            # over the next frames; a picture taken at once can be an empty panel.
            self.page.evaluate(
                "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            self.page.wait_for_timeout(400)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path


def render_problems(page: Any, notebook: str, console_errors: list[str] | None = None
                    ) -> Problems:
    """Error outputs, stderr outputs and widget render errors in the open notebook ``notebook``.

    This is the one check every browser test uses; the negative control proves it reports a
    widget that cannot render and a cell that raised.

    In JupyterLab 4.6 an error output is drawn exactly like stderr (both
    ``data-mime-type='application/vnd.jupyter.stderr'``; nothing carries
    ``application/vnd.jupyter.error``), so errors and warnings are told apart by reading the
    notebook model in the page (``output_type`` 'error' vs a 'stream' named 'stderr'). Widget
    render errors are read from the DOM: the widget manager's error view
    (``.jupyter-widgets-error-widget``) and the texts it shows. ``math`` lists markdown that
    MathJax typeset: in JupyterLab 4.6 two dollar amounts in one paragraph ("$15 ... $2", even
    written ``\\$15``) become a formula unless each is written ``\\\\$`` (jupyterlab#8645).
    """
    found = page.evaluate(
        """([path, markers]) => {
            const app = window.jupyterapp;
            if (!app) return {errors: ['window.jupyterapp is missing (expose_app_in_browser)'],
                              stderr: [], widgets: []};
            const panel = Array.from(app.shell.widgets('main'))
                .find(w => w.context && w.context.path === path);
            if (!panel) return {errors: ['notebook ' + path + ' is not open'], stderr: [],
                                widgets: [], math: []};
            const nb = panel.context.model.toJSON();
            const errors = [], stderr = [];
            nb.cells.forEach((cell, i) => {
                for (const out of (cell.outputs || [])) {
                    if (out.output_type === 'error') {
                        errors.push(`cell ${i}: ${out.ename}: ${out.evalue}`.slice(0, 400));
                    } else if (out.output_type === 'stream' && out.name === 'stderr') {
                        const text = Array.isArray(out.text) ? out.text.join('') : out.text;
                        stderr.push(`cell ${i}: ${text.trim()}`.slice(0, 400));
                    }
                }
            });
            const widgets = [];
            const outputs = panel.node.querySelectorAll('.jp-OutputArea-output');
            for (const out of outputs) {
                const text = out.textContent;
                const marker = markers.find(m => text.includes(m));
                const errorView = out.querySelector('.jupyter-widgets-error-widget');
                if (marker || errorView) {
                    const cell = out.closest('.jp-Cell');
                    const index = cell ? [...cell.parentNode.children].indexOf(cell) : -1;
                    widgets.push(`cell ${index}: ` +
                                 text.trim().replace(/\\s+/g, ' ').slice(0, 300));
                }
            }
            const math = [];
            const cells = [...panel.node.querySelectorAll('.jp-Cell')];
            cells.forEach((cell, i) => {
                if (!cell.classList.contains('jp-MarkdownCell')) return;
                const typeset = cell.querySelectorAll('mjx-container');
                if (!typeset.length) return;
                const text = (cell.querySelector('.jp-RenderedMarkdown') || cell).textContent;
                math.push(`cell ${i}: ${typeset.length} formula(s) in: ` +
                          text.trim().replace(/\\s+/g, ' ').slice(0, 200));
            });
            return {errors, stderr, widgets, math};
        }""",
        [notebook, list(WIDGET_ERROR_MARKERS)],
    )
    return Problems(found["errors"], found["stderr"], found["widgets"],
                    list(console_errors or []), found["math"])


def parse_readout(text: str) -> float:
    """A slider readout such as '1,250' or '15.50' as a number."""
    cleaned = re.sub(r"[,\s$%]", "", text)
    return float(cleaned)


# ---------------------------------------------------------------------------------------------
# Accessibility: axe-core on what the workbook itself puts in the notebook
# ---------------------------------------------------------------------------------------------
#: axe-core's WCAG 2.0 and 2.1, levels A and AA.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

#: What the workbook itself shows: cell outputs (tables, figures, calculators, self-checks,
#: prediction boxes) and rendered markdown. JupyterLab's own chrome (toolbars, the CodeMirror
#: editors, cell prompts, collapse buttons, the notebook's windowing container) is outside this
#: context: its known problems (unnamed CodeMirror editors, the windowed notebook's ``feed``
#: role, heading-collapse buttons with no name) are JupyterLab's, not the workbook's.
AXE_INCLUDE = [[f"{NOTEBOOK} .jp-OutputArea-output"], [f"{NOTEBOOK} .jp-RenderedMarkdown"]]

#: Parts of the outputs that ipywidgets draws and the workbook cannot reach:
#: the slider handles (noUiSlider) have role="slider" and no accessible name whatever the
#: description says (a known ipywidgets 8 limitation; every slider has a labelled box beside it
#: to type the value into instead).
AXE_EXCLUDE = [[f"{NOTEBOOK} .widget-slider .noUi-handle"]]


def _axe_script() -> str:
    """axe-core's script, as bundled by the axe-playwright-python package (no download)."""
    from importlib import resources

    return resources.files("axe_playwright_python").joinpath("axe.min.js").read_text(
        encoding="utf-8")


def axe_violations(page: Any, include: list | None = None, exclude: list | None = None
                   ) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations in ``include`` (minus ``exclude``) on ``page``.

    Each violation: ``{"id", "impact", "help", "nodes": [{"target", "html"}, ...]}``.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_script())
    context = {"include": include or AXE_INCLUDE, "exclude": exclude or AXE_EXCLUDE}
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    result = page.evaluate("([ctx, opts]) => axe.run(ctx, opts)", [context, options])
    return [{"id": v["id"], "impact": v.get("impact"), "help": v["help"],
             "nodes": [{"target": n["target"], "html": n["html"][:160]} for n in v["nodes"]]}
            for v in result["violations"]]


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} -- {len(v['nodes'])} node(s)")
        for node in v["nodes"][:3]:
            lines.append(f"    {node['target']}: {node['html']}")
    return "\n".join(lines) or "none"
