"""No student-authored HTML or script runs in anyone's browser.

A submission is rendered to HTML in two places: formgrader's grading page (served by the
instructor's Jupyter server) and the feedback file ``nbgrader generate_feedback`` writes. Both
use nbconvert's ``HTMLExporter`` with nbgrader's templates, which pass markdown cells through
``markdown2html`` unsanitised whatever ``HTMLExporter.sanitize_html`` says. Two layers stop a
hostile submission:

1. **Sanitising** (``quizzes/nbgrader_config.py`` configures every ``HTMLExporter``):

   * :func:`markdown2html` replaces nbconvert's filter of that name: markdown is rendered, then
     cleaned with an allow-list (:func:`clean_html`): no script, no event handler, no ``style``,
     no ``iframe``/``svg``/``form``; links only to ``http(s):``, ``mailto:`` or ``#``; images
     only as PNG, JPEG or GIF ``data:`` URLs (from the cell's attachments). Whatever is not
     allowed is shown as text, so the grader still sees what the student wrote.
   * :class:`SanitizeStudentHTML` cleans ``text/html`` outputs, drops SVG, JavaScript, markdown,
     LaTeX and widget outputs (their ``text/plain`` stays), drops SVG and other non-raster
     attachments, cleans raw cells and removes the saved widget state.

2. **A Content-Security-Policy** that lets only the page's own scripts run
   (:func:`page_policy`: the template's inline scripts by hash, none of the notebook's):

   * on formgrader's submission page, as a header (:func:`protect_formgrader_pages` installs a
     Tornado output transform in the running Jupyter server when formgrader loads the course
     config). The same policy lets the page's scripts talk only to formgrader's own API, never
     ``/api/contents``. Files of the submission's folder that formgrader serves
     (``/formgrader/submissions/<id>/<file>``) get a ``sandbox`` policy: an ``evil.html`` handed
     in runs no script and has no origin;
   * in the feedback file, as a ``<meta>`` element (:class:`SafeFeedbackExporter`).
"""

from __future__ import annotations

import base64
import hashlib
import re
import sys
from typing import Any

import bleach
from bs4 import BeautifulSoup
from jinja2 import pass_context
from mistune import HTMLRenderer
from nbconvert.exporters import HTMLExporter
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbconvert.preprocessors import Preprocessor
from pygments.token import STANDARD_TYPES
from traitlets import Set

# ---------------------------------------------------------------------------------------------
# What student HTML may contain
# ---------------------------------------------------------------------------------------------
#: Tags kept; any other tag is shown as text (``<script>`` becomes the visible ``&lt;script&gt;``).
ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "div", "dl", "dt",
    "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol",
    "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "u", "ul", "var",
})
#: Attachment and output image types that cannot carry script.
RASTER_TYPES = ("image/png", "image/jpeg", "image/gif")
_RASTER_DATA_URL = re.compile(r"data:image/(?:png|jpeg|gif);base64,[A-Za-z0-9+/=]*\Z")
_WEB_LINK = re.compile(r"(?:https?://|mailto:|#)")
_NUMBER = re.compile(r"\d{1,4}\Z")
#: Pygments' token classes and the wrappers nbconvert puts around highlighted code.
_CODE_CLASSES = frozenset(STANDARD_TYPES.values()) - {""} | {"highlight", "hll"}
#: Output types kept as they are: plain text and raster images run nothing.
SAFE_OUTPUT_TYPES = frozenset({"text/plain", *RASTER_TYPES})


def _normalised_url(value: str) -> str:
    """``value`` as a browser reads a URL's scheme: no whitespace, controls or case."""
    return re.sub(r"[\x00-\x20\x7f-\xa0\s]+", "", value).lower()


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    """Whether ``<tag name="value">`` may stay in student HTML (bleach's attribute filter)."""
    if name in ("title", "alt"):
        return True
    if tag == "a" and name == "href":
        return bool(_WEB_LINK.match(_normalised_url(value)))
    if tag == "img" and name == "src":
        return bool(_RASTER_DATA_URL.match(re.sub(r"\s+", "", value)))
    if tag == "img" and name in ("width", "height") or tag in ("td", "th") and name in (
            "colspan", "rowspan") or tag == "ol" and name == "start":
        return bool(_NUMBER.match(value))
    # Only code highlighting's classes: no ids (they could clobber the page's own elements), no
    # page classes (e.g. Bootstrap's navbar-fixed-top could lay a fake control over the page's).
    return name == "class" and all(c in _CODE_CLASSES or c.startswith("language-")
                                   for c in value.split())


def clean_html(html: str) -> str:
    """Student HTML with only :data:`ALLOWED_TAGS` and harmless attributes left.

    Disallowed tags are escaped, not removed, so the grader still reads them as text.

    >>> clean_html('<p>Fine <img src=x onerror="alert(1)"><script>alert(2)</script></p>')
    '<p>Fine <img>&lt;script&gt;alert(2)&lt;/script&gt;</p>'
    >>> clean_html('<a href="javascript:alert(1)">x</a> <a href="https://example.org">y</a>')
    '<a>x</a> <a href="https://example.org">y</a>'
    """
    return bleach.clean(str(html), tags=ALLOWED_TAGS, attributes=_allowed_attribute,
                        protocols={"http", "https", "mailto", "data"}, strip=False,
                        strip_comments=True)


def raster_attachments(attachments: dict[str, Any] | None) -> dict[str, dict[str, str]]:
    """A cell's attachments with only PNG, JPEG or GIF data kept (an SVG can carry script)."""
    kept = {}
    for name, bundle in (attachments or {}).items():
        safe = {mime: data for mime, data in dict(bundle).items() if mime in RASTER_TYPES}
        if safe:
            kept[name] = safe
    return kept


class _StudentMarkdownRenderer(IPythonRenderer):
    """nbconvert's renderer, but an attachment is embedded only as a raster image, and a
    missing or unsafe attachment leaves an empty image instead of failing the whole page."""

    def image(self, text: str, url: str, title: str | None = None) -> str:
        if url.startswith("attachment:"):
            bundle = self.attachments.get(url[len("attachment:"):], {})
            mime = next((m for m in RASTER_TYPES if m in bundle), None)
            url = f"data:{mime};base64,{bundle[mime]}" if mime else ""
        return HTMLRenderer.image(self, text, url, title)


def render_markdown(source: str, attachments: dict[str, Any] | None = None) -> str:
    """Markdown (with ``$maths$`` kept for MathJax) to HTML, then :func:`clean_html`.

    >>> render_markdown("[click](javascript:alert(1)) and **bold**")
    '<p><a>click</a> and <strong>bold</strong></p>\\n'
    """
    renderer = _StudentMarkdownRenderer(escape=False, attachments=raster_attachments(attachments),
                                        exclude_anchor_links=True)
    return clean_html(MarkdownWithMath(renderer=renderer).render(str(source)))


@pass_context
def markdown2html(context: Any, source: str) -> str:
    """Jinja filter in place of nbconvert's ``markdown2html``: the rendered markdown is
    cleaned (nbgrader's templates render markdown cells through this filter unsanitised)."""
    cell = context.get("cell") or {}
    return render_markdown(source, cell.get("attachments") if hasattr(cell, "get") else None)


class SanitizeStudentHTML(Preprocessor):
    """Clean a notebook's outputs, raw cells, attachments and widget state before rendering.

    Runs in every ``HTMLExporter`` the course config reaches (formgrader, generate_feedback).
    Markdown cells are cleaned after rendering, by :func:`markdown2html`.
    """

    sanitized_output_types = Set({"text/html"}, help=(
        "Output types shown after cleaning with clean_html; every type not in this set or in "
        "SAFE_OUTPUT_TYPES (text/plain, PNG, JPEG, GIF) is dropped.")).tag(config=True)

    def preprocess(self, nb: Any, resources: dict) -> tuple[Any, dict]:
        nb.metadata.pop("widgets", None)  # saved widget state: nbconvert would embed it as JS
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell: Any, resources: dict, index: int) -> tuple[Any, dict]:
        if "attachments" in cell:
            cell.attachments = raster_attachments(cell.attachments)
        if cell.cell_type == "raw":
            cell.source = clean_html(cell.source)
        elif cell.cell_type == "code":
            for output in cell.get("outputs", []):
                if "data" in output:
                    self._clean_data(output)
        return cell, resources

    def _clean_data(self, output: Any) -> None:
        data = output.data
        dropped = [mime for mime in data
                   if mime not in SAFE_OUTPUT_TYPES and mime not in self.sanitized_output_types]
        for mime in dropped:
            del data[mime]
        for mime in self.sanitized_output_types & set(data):
            text = data[mime]
            data[mime] = clean_html("".join(text) if isinstance(text, list) else text)
        if not data:
            data["text/plain"] = f"[output not shown: {', '.join(dropped)} could run script]"
        output.metadata = {}  # e.g. text/html's "isolated": nbconvert would make it an iframe


# ---------------------------------------------------------------------------------------------
# Content-Security-Policy: only the page's own scripts run
# ---------------------------------------------------------------------------------------------
#: Where nbconvert's templates load MathJax from (``HTMLExporter.mathjax_url``).
MATHJAX_ORIGIN = "https://cdnjs.cloudflare.com"
#: The element nbgrader's templates put the rendered notebook in.
NOTEBOOK_CONTAINER_ID = "notebook-container"


def _sha256_source(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def own_script_hashes(html: str) -> list[str]:
    """CSP hash sources of the inline scripts and event handlers outside the notebook.

    Whatever sits inside ``#notebook-container`` (the student's cells) is left out, so a script
    or handler that got past sanitising still does not run.
    """
    soup = BeautifulSoup(html, "html.parser")
    container = soup.find(id=NOTEBOOK_CONTAINER_ID)
    if container is not None:
        container.extract()
    hashes = []
    for script in soup.find_all("script"):
        if not script.get("src") and script.string:
            hashes.append(_sha256_source(script.string))
    for tag in soup.find_all(True):
        hashes.extend(_sha256_source(value) for name, value in tag.attrs.items()
                      if name.lower().startswith("on") and isinstance(value, str))
    return sorted(set(hashes))


def page_policy(html: str, connect_src: str = "'none'", report_uri: str = "") -> str:
    """The Content-Security-Policy of a page that shows a student's notebook.

    Parameters
    ----------
    html : str
        The page, as sent (its own inline scripts and handlers are allowed by hash).
    connect_src : str
        Where the page's scripts may send requests (formgrader: its own API only).
    report_uri : str
        Where the browser reports a blocked script ('' for none).
    """
    scripts = " ".join(["'self'", MATHJAX_ORIGIN, "'unsafe-hashes'", *own_script_hashes(html)])
    directives = [
        "default-src 'none'",
        f"script-src {scripts}",
        f"style-src 'self' 'unsafe-inline' {MATHJAX_ORIGIN}",
        f"font-src 'self' data: {MATHJAX_ORIGIN}",
        "img-src 'self' data:",
        f"connect-src {connect_src}",
        "frame-src 'none'", "worker-src 'none'", "object-src 'none'", "base-uri 'none'",
        "form-action 'none'",
    ]
    if report_uri:
        directives.append(f"report-uri {report_uri}")
    return "; ".join(directives)


#: A file from the submission's folder served by formgrader: no script, no origin.
FILE_POLICY = ("sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
               "frame-ancestors 'self'")


class SafeFeedbackExporter(HTMLExporter):
    """The feedback file's exporter: nbconvert's HTML plus a ``<meta>`` Content-Security-Policy
    that lets only the template's own inline scripts run and allows no requests at all."""

    def from_notebook_node(self, nb: Any, resources: dict | None = None,
                           **kw: Any) -> tuple[str, dict]:
        html, resources = super().from_notebook_node(nb, resources, **kw)
        meta = (f'<meta http-equiv="Content-Security-Policy" '
                f'content="{page_policy(html)}">')
        # After the charset, which a browser reads only in the first 1,024 bytes.
        head = (re.search(r"<meta\s+charset=[^>]*>", html, re.IGNORECASE)
                or re.search(r"<head[^>]*>", html, re.IGNORECASE))
        if head is None:
            raise ValueError("the feedback template produced no <head>: cannot add its "
                             "Content-Security-Policy")
        return html[:head.end()] + meta + html[head.end():], resources


# ---------------------------------------------------------------------------------------------
# Formgrader's pages, in the running Jupyter server
# ---------------------------------------------------------------------------------------------
def _formgrader_transform(settings: dict) -> type:
    """A Tornado output transform class that sets the policies on formgrader's pages."""
    from tornado.web import OutputTransform

    base_url = settings.get("base_url", "/")
    submissions = re.compile(re.escape(base_url.rstrip("/")) +
                             r"/formgrader/submissions/(?P<id>[^/]+)(?P<rest>/.*)?\Z")

    class StudentContentPolicy(OutputTransform):
        ftroi_settings = settings
        ftroi_student_content_policy = True  # how protect_formgrader_pages() finds it

        def __init__(self, request: Any) -> None:
            super().__init__(request)
            self.request = request

        def transform_first_chunk(self, status_code: int, headers: Any, chunk: bytes,
                                  finishing: bool) -> tuple[int, Any, bytes]:
            if not self.ftroi_settings.get("ftroi_student_content_policy", True):
                return status_code, headers, chunk
            match = submissions.match(self.request.path)
            if match is None:
                return status_code, headers, chunk
            rest = (match["rest"] or "/").strip("/")
            if match["id"] == "components" or rest in ("next", "prev", "next_incorrect",
                                                       "prev_incorrect"):
                return status_code, headers, chunk  # nbgrader's own static files, redirects
            # Added as a second policy: the server's own (e.g. frame-ancestors) still holds,
            # and a browser enforces both.
            if rest:
                headers.add("Content-Security-Policy", FILE_POLICY)
            elif finishing and headers.get("Content-Type", "").startswith("text/html"):
                origin = f"{self.request.protocol}://{self.request.host}"
                headers.add("Content-Security-Policy", page_policy(
                    chunk.decode("utf-8", errors="replace"),
                    connect_src=f"{origin}{base_url.rstrip('/')}/formgrader/api/",
                    report_uri=f"{base_url.rstrip('/')}/api/security/csp-report"))
            else:  # a page sent in pieces cannot be hashed: nothing inline runs
                headers.add("Content-Security-Policy", page_policy(""))
            return status_code, headers, chunk

    return StudentContentPolicy


def protect_formgrader_pages(enabled: bool = True) -> bool:
    """Set the Content-Security-Policy on formgrader's submission pages and files.

    Called from the course's ``nbgrader_config.py``: formgrader loads that file inside the
    instructor's Jupyter server, so the policy holds wherever formgrader grades this course.
    Elsewhere (an ``nbgrader`` command) there is no server and nothing happens. Calling it again
    is harmless; ``enabled=False`` switches the policy off (the tests' negative control).

    Returns whether a running Jupyter server was found.
    """
    serverapp = sys.modules.get("jupyter_server.serverapp")
    if serverapp is None or not serverapp.ServerApp.initialized():
        return False
    web_app = getattr(serverapp.ServerApp.instance(), "web_app", None)
    if web_app is None:
        return False
    web_app.settings["ftroi_student_content_policy"] = bool(enabled)
    if not any(getattr(t, "ftroi_student_content_policy", False) for t in web_app.transforms):
        # First, so it sees the page before any compressing transform.
        web_app.transforms.insert(0, _formgrader_transform(web_app.settings))
    return True
