"""What ``nbgrader autograde`` and ``generate_feedback`` do to a student's folder before nbgrader
copies it, so that one hostile or broken submission neither leaks nor stops the class.

nbgrader 0.9.6 copies every file of ``submitted/<student>/<quiz>/`` into ``autograded/`` (and of
``autograded/`` into ``feedback/``) with ``shutil.copy``, which follows symbolic links with the
instructor's rights and reads a FIFO or ``/dev/zero`` forever; and it stops the whole class on
one notebook whose nbgrader metadata claims an old schema. The course config plugs in:

* :func:`quarantine_hook` as ``c.Autograde.pre_convert_hook`` and
  ``c.GenerateFeedback.pre_convert_hook``: nbgrader calls it for each student's folder just
  before copying it. It moves out of the folder, without reading them, the links, FIFOs,
  sockets, device files, hard links, files not owned by the folder's owner and files over the
  size cap, to ``quarantine/<step>/<student>/<quiz>/`` in the course, and logs each with the
  student's id. What is left is the student's regular files only.
* :class:`UpgradeStudentMetadata`, first in ``c.Autograde.sanitize_preprocessors``: a notebook
  whose cells carry nbgrader metadata of an old schema (``schema_version: 1``) is upgraded as
  ``nbgrader update`` would (the graded cells are then restored from the gradebook anyway); one
  that claims a newer schema, or metadata that cannot be read, fails for that student alone with
  the reason in the log, and nbgrader grades the others.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader.nbgraderformat import SCHEMA_VERSION, MetadataValidator
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets.log import get_logger

from .safe_copy import unsafe_reason

__all__ = ["QUARANTINE", "UpgradeStudentMetadata", "feedback_pages_hook", "quarantine_hook",
           "quarantine_unsafe"]

#: The course folder that receives what is moved out of students' folders.
QUARANTINE = "quarantine"
#: nbgrader's own default file cap (``CourseDirectory.max_file_size``: 100000 kB).
DEFAULT_MAX_FILE_BYTES = 100_000_000


def _reason(st: os.stat_result, owner_uid: int, max_file_bytes: int) -> str | None:
    reason = unsafe_reason(st, owner_uid=owner_uid, max_file_bytes=max_file_bytes)
    if reason is None and stat.S_ISREG(st.st_mode) and st.st_size > max_file_bytes:
        reason = (f"{st.st_size / 1e6:.1f} MB long (sparse), and nbgrader's copy would write it "
                  f"in full: over the cap of {max_file_bytes / 1e6:.1f} MB")
    return reason


#: Files a browser would run as a page: a student's own never travels with the feedback.
WEB_PAGE_SUFFIXES = (".html", ".htm", ".xhtml", ".svg", ".xml")


def _name_reason(name: str, web_pages: bool) -> str | None:
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        return "its name holds a control character (it could forge a log line or a path)"
    if web_pages and name.lower().endswith(WEB_PAGE_SUFFIXES):
        return "a web page the student wrote: feedback carries only the graded notebook's page"
    return None


def quarantine_unsafe(folder: str, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
                      log=None, web_pages: bool = False,
                      keep: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """Move what must not be copied out of ``<course>/<step>/<student>/<quiz>`` (``folder``).

    Parameters
    ----------
    folder : str
        A student's quiz folder, ``<course>/<step>/<student>/<quiz>``.
    max_file_bytes : int
        Files larger than this, on disk or in length, are moved out too.
    log : logging.Logger, optional
        Where each move is reported (default: the running nbgrader app's log).
    web_pages : bool
        Also move web pages (``.html``, ``.svg``, ...) out: a feedback folder keeps only ``keep``.
    keep : frozenset of str
        Names of files in ``folder`` itself that stay whatever they are called (the feedback
        pages nbgrader wrote).

    Returns
    -------
    list of (str, str)
        The paths moved (relative to ``folder``) and why.
    """
    log = log or get_logger()
    folder = os.path.abspath(folder)
    student_dir = os.path.dirname(folder)
    step_dir = os.path.dirname(student_dir)
    student, quiz, step = (os.path.basename(p) for p in (student_dir, folder, step_dir))
    target = os.path.join(os.path.dirname(step_dir), QUARANTINE, step, student, quiz)
    moved: list[tuple[str, str]] = []

    def move(path: str, reason: str) -> None:
        rel = os.path.relpath(path, folder) if path.startswith(folder + os.sep) else "."
        dest = os.path.join(target, rel) if rel != "." else f"{target}.folder"
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        if os.path.lexists(dest):
            dest = f"{dest}.{os.getpid()}"
        os.rename(path, dest)
        moved.append((rel, reason))
        log.warning("%s's %s/%s: moved %s to %s before nbgrader copies the folder: %s",
                    student, step, quiz, rel, os.path.relpath(dest, os.path.dirname(step_dir)),
                    reason)

    for path in (student_dir, folder):
        if os.path.islink(path) or not os.path.isdir(path):
            move(path, "a symbolic link, not a folder")
            return moved
    owner_uid = os.lstat(folder).st_uid
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in sorted(dirnames + filenames):
            path = os.path.join(dirpath, name)
            if dirpath == folder and name in keep:
                continue
            reason = (_name_reason(name, web_pages and name in filenames)
                      or _reason(os.lstat(path), owner_uid, max_file_bytes))
            if reason is not None:
                move(path, reason)
                if name in dirnames:
                    dirnames.remove(name)
    return moved


def feedback_pages_hook(feedback_directory: str = "feedback") -> Callable[..., None]:
    """An nbgrader ``post_convert_hook`` for ``generate_feedback``: the feedback folder keeps the
    pages nbgrader wrote (``<notebook>.html``); a student's own web pages that nbgrader copied
    beside them (``README.html``, ``q1_feedback.html``, an ``.svg``) go to ``quarantine/``."""

    def hook(*, notebooks=(), **_) -> None:
        by_folder: dict[str, set[str]] = {}
        for nb in notebooks:
            folder = os.path.dirname(os.path.abspath(nb))
            by_folder.setdefault(folder, set()).add(
                os.path.splitext(os.path.basename(nb))[0] + ".html")
        for folder, pages in sorted(by_folder.items()):
            student_dir = os.path.dirname(folder)
            root = os.path.dirname(os.path.dirname(student_dir))
            out = os.path.join(root, feedback_directory, os.path.basename(student_dir),
                               os.path.basename(folder))
            if not os.path.isdir(out) or os.path.islink(out):
                continue
            try:
                quarantine_unsafe(out, web_pages=True, keep=frozenset(pages))
            except OSError as exc:
                get_logger().error("Could not check the feedback in %s: %s", out, exc)

    return hook


def quarantine_hook(max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
                    web_pages: bool = False) -> Callable[..., None]:
    """An nbgrader ``pre_convert_hook`` that runs :func:`quarantine_unsafe` on the folder of the
    notebooks nbgrader is about to convert."""

    def hook(*, notebooks=(), **_) -> None:
        folders = sorted({os.path.dirname(os.path.abspath(nb)) for nb in notebooks})
        for folder in folders:
            try:
                quarantine_unsafe(folder, max_file_bytes, web_pages=web_pages)
            except OSError as exc:
                get_logger().error("Could not check %s before copying it: %s", folder, exc)

    return hook


class UpgradeStudentMetadata(NbGraderPreprocessor):
    """Upgrade a submission's old nbgrader cell metadata; refuse newer or unreadable metadata."""

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict):
        student = resources.get("nbgrader", {}).get("student", "?")
        validator, upgraded = MetadataValidator(), 0
        for index, cell in enumerate(nb.cells):
            meta = cell.get("metadata", {}).get("nbgrader")
            if meta is None:
                continue
            version = meta.get("schema_version", 0) if isinstance(meta, dict) else None
            if not isinstance(version, int) or isinstance(version, bool):
                raise ValueError(f"student {student}: cell {index} has nbgrader metadata that "
                                 f"cannot be read ({str(meta)[:80]}): not graded")
            if version > SCHEMA_VERSION:
                raise ValueError(f"student {student}: cell {index} claims nbgrader metadata "
                                 f"schema {version}, newer than this nbgrader's "
                                 f"{SCHEMA_VERSION}: not graded")
            if version < SCHEMA_VERSION:
                try:
                    validator.upgrade_cell_metadata(cell)
                except Exception as exc:
                    raise ValueError(f"student {student}: cell {index}'s nbgrader metadata of "
                                     f"schema {version} cannot be upgraded ({exc}): not "
                                     "graded") from None
                upgraded += 1
        if upgraded:
            self.log.warning("student %s: %d cells carried nbgrader metadata of an old schema; "
                             "upgraded them as `nbgrader update` would", student, upgraded)
        return nb, resources
