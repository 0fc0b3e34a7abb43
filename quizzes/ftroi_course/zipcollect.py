"""``nbgrader zip_collect`` that takes the student id from each download's own file name.

nbgrader's stock plugins extract every archive as it is and then read the student id from the
*path* of each extracted file. A zip named ``alice.zip`` that holds ``extracted/bob/q1.ipynb`` is
then filed as bob's (and when bob handed in too, the duplicate stops the whole collect). The
course's plugins take the id from the download itself:

* :class:`ArchiveNameExtractor` matches each file in ``downloaded/<quiz>/archive/`` against
  ``archive_regexp`` (anchored at the start and the end of the file name): ``<student>.zip`` or
  ``<student>_<file>.ipynb``. It writes exactly ``extracted/<student>/<file>``: from a zip only
  regular notebook files, under their own base name (the folders inside the zip are ignored);
  symbolic links, other special entries and files over ``CourseDirectory.max_file_size`` kB are
  skipped; a zip that holds two notebooks of the same name is refused. Every skip is logged
  with the student's id, and nothing stops the collect for the others.
* :class:`ArchiveNameCollector` files ``extracted/<student>/<file>`` under ``<student>``, read
  from that fixed layout, never from a name the student chose.

The course config selects both::

    c.ZipCollectApp.extractor_plugin = "ftroi_course.zipcollect.ArchiveNameExtractor"
    c.ZipCollectApp.collector_plugin = "ftroi_course.zipcollect.ArchiveNameCollector"

Examples
--------
>>> ArchiveNameExtractor().identify("alice.zip")
('alice', None)
>>> ArchiveNameExtractor().identify("bob_q1_break_even.ipynb")
('bob', 'q1_break_even.ipynb')
>>> ArchiveNameExtractor().identify("extracted/bob/q1.ipynb") is None
True
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import zipfile

from nbgrader.plugins import ExtractorPlugin, FileNameCollectorPlugin
from traitlets import List, Unicode

from .safe_copy import unsafe_reason

__all__ = ["ArchiveNameCollector", "ArchiveNameExtractor"]

_CHUNK = 1 << 20


class ArchiveNameExtractor(ExtractorPlugin):
    """Extract each download into ``extracted/<student>/``, the student named by the download."""

    archive_regexp = Unicode(
        r"(?P<student_id>[^/\\_.\s\x00-\x1f\x7f][^/\\_\s\x00-\x1f\x7f]*?)"
        r"(?:\.zip|_(?P<file_id>[^/\\\x00-\x1f\x7f]+\.ipynb))",
        help="A download's file name, matched in full: the student id, then '.zip' or "
             "'_<notebook>.ipynb'. Student ids must not contain '_', white space or control "
             "characters (a newline would break nbgrader's own path matching for the class).",
    ).tag(config=True)

    member_ext = List([".ipynb"], help="The file extensions taken out of a zip.").tag(
        config=True)

    def identify(self, name: str) -> tuple[str, str | None] | None:
        """``(student, notebook or None for a zip)`` from a download's file name, or None."""
        match = re.fullmatch(self.archive_regexp, name)
        if match is None:
            return None
        return match.group("student_id"), match.groupdict().get("file_id")

    def _max_bytes(self) -> int | None:
        coursedir = getattr(self.parent, "coursedir", None)
        return None if coursedir is None else 1000 * coursedir.max_file_size

    def extract(self, archive_path: str, extracted_path: str) -> None:
        names = sorted(os.listdir(archive_path)) if os.path.isdir(archive_path) else []
        if not names:
            self.log.warning("No files found in directory: %s", archive_path)
            return
        for name in names:
            path = os.path.join(archive_path, name)
            who = self.identify(name)
            if who is None:
                self.log.warning("Skipped %s: its name is not <student>.zip or "
                                 "<student>_<notebook>.ipynb (%s)", name, self.archive_regexp)
                continue
            student, notebook = who
            try:
                if notebook is None:
                    self._extract_zip(path, os.path.join(extracted_path, student), student)
                else:
                    self._copy_notebook(path, os.path.join(extracted_path, student), student,
                                        notebook)
            except Exception as exc:  # noqa: BLE001 - one bad download must not stop the class
                self.log.error("%s: %s not extracted: %s", student, name, exc)

    def _copy_notebook(self, path: str, dest_dir: str, student: str, notebook: str) -> None:
        reason = unsafe_reason(os.lstat(path), max_file_bytes=self._max_bytes())
        if reason is not None:
            self.log.warning("%s: skipped %s: %s", student, os.path.basename(path), reason)
            return
        dest = os.path.join(dest_dir, notebook)
        if os.path.lexists(dest):
            self.log.warning("%s: skipped %s: %s came already from another download",
                             student, os.path.basename(path), notebook)
            return
        os.makedirs(dest_dir, exist_ok=True)
        self.log.info("%s: copying %s", student, os.path.basename(path))
        with open(path, "rb", opener=_nofollow) as src, open(dest, "xb") as out:
            shutil.copyfileobj(src, out)

    def _members(self, zf: zipfile.ZipFile, student: str, archive: str) -> dict[str, zipfile.ZipInfo]:
        """base name -> member, for the regular notebook files the zip holds."""
        limit, chosen, seen = self._max_bytes(), {}, {}
        for info in zf.infolist():
            if info.is_dir():
                continue
            base = info.filename.replace("\\", "/").rsplit("/", 1)[-1]
            if os.path.splitext(base)[1] not in self.member_ext:
                self.log.debug("%s: ignored %s in %s", student, info.filename, archive)
                continue
            kind = stat.S_IFMT(info.external_attr >> 16)  # Unix zips record the file type
            if info.create_system == 3 and kind not in (0, stat.S_IFREG):
                self.log.warning("%s: skipped %s in %s: not a regular file (a symbolic link?)",
                                 student, info.filename, archive)
                continue
            if limit is not None and info.file_size > limit:
                self.log.warning("%s: skipped %s in %s: %.1f MB, over the cap of %.1f MB",
                                 student, info.filename, archive, info.file_size / 1e6,
                                 limit / 1e6)
                continue
            seen.setdefault(base, []).append(info.filename)
            chosen[base] = info
        for base, paths in seen.items():
            if len(paths) > 1:
                raise ValueError(f"the archive holds {len(paths)} files named {base} "
                                 f"({', '.join(paths)}): which one is the submission is "
                                 "ambiguous, so none is collected")
        return chosen

    def _extract_zip(self, path: str, dest_dir: str, student: str) -> None:
        archive = os.path.basename(path)
        reason = unsafe_reason(os.lstat(path))
        if reason is not None:
            raise ValueError(f"the download is {reason}")
        with open(path, "rb", opener=_nofollow) as fh, zipfile.ZipFile(fh) as zf:
            members = self._members(zf, student, archive)
            os.makedirs(dest_dir, exist_ok=True)
            for base, info in sorted(members.items()):
                dest = os.path.join(dest_dir, base)
                if os.path.lexists(dest):
                    self.log.warning("%s: skipped %s in %s: %s came already from another "
                                     "download", student, info.filename, archive, base)
                    continue
                self.log.info("%s: extracting %s from %s", student, info.filename, archive)
                try:
                    with zf.open(info) as src, open(dest, "xb") as out:
                        _copy_capped(src, out, self._max_bytes())
                except Exception:
                    os.unlink(dest)
                    raise


def _nofollow(path: str, flags: int) -> int:
    return os.open(path, flags | os.O_NOFOLLOW)


def _copy_capped(src, out, limit: int | None) -> None:
    """Copy a stream, refusing to write more than ``limit`` bytes (a zip can lie about sizes)."""
    written = 0
    while chunk := src.read(_CHUNK):
        written += len(chunk)
        if limit is not None and written > limit:
            raise ValueError(f"a member grew past the cap of {limit / 1e6:.1f} MB")
        out.write(chunk)


class ArchiveNameCollector(FileNameCollectorPlugin):
    """File ``extracted/<student>/<notebook>`` (as :class:`ArchiveNameExtractor` lays it out)."""

    def collect(self, submitted_file: str) -> dict | None:
        if os.path.splitext(submitted_file)[1] not in self.valid_ext:
            return None
        extracted = self.parent._format_collect_path(self.parent.extracted_directory)
        parts = os.path.relpath(submitted_file, extracted).split(os.sep)
        if len(parts) != 2 or parts[0] in ("", ".", ".."):
            self.log.warning("Skipped %s: not extracted/<student>/<notebook>", submitted_file)
            return None
        if unsafe_reason(os.lstat(submitted_file)) is not None:
            self.log.warning("Skipped %s: not a regular file", submitted_file)
            return None
        return {"student_id": parts[0], "file_id": parts[1]}
