"""``nbgrader collect`` that takes each submission only from the account that owns it.

On a hub with local users (The Littlest JupyterHub, ``deploy/jupyterhub_config.py``) every
student writes into the exchange's ``inbound/`` folder as their own Unix account. nbgrader's
collect files a submission under the student id written in its folder name
(``<student>+<quiz>+<timestamp>+<random>``) and only *warns* when the folder belongs to somebody
else, so one student can hand in a notebook "as" a classmate, with a later timestamp, and replace
their work. A folder name that does not parse stops the whole collect.

:class:`OwnerCheckedCollect` drops both with a warning naming the folder, and collects the
rest exactly as nbgrader does. The course config selects it::

    c.ExchangeFactory.collect = "ftroi_course.exchange.OwnerCheckedCollect"

``CollectApp.check_owner = False`` turns the owner check off, as in nbgrader: needed where every
user has the same Unix id (Zero to JupyterHub's pods all run as ``jovyan``), which is why that
deployment cannot tell students apart in a shared exchange (see ``deploy/README.md``).

Nothing is followed out of a student's folder: each one is copied with
:func:`ftroi_course.safe_copy.safe_copytree` (links, FIFOs, sockets, device files, hard links and
files the student does not own are skipped and logged with the student's id; files over
``CourseDirectory.max_file_size`` kB on disk are refused, and a folder's files stop at
``CourseDirectory.max_dir_size`` kB on disk). A submission's time is the exchange's, not the
student's: the newest status-change time (``st_ctime``) of the folder and everything in it, which
no student can set back. It decides which of a student's submissions is collected and is what
``submitted/<student>/<quiz>/timestamp.txt`` records; the folder name's time and the student's own
``timestamp.txt`` are only reported when they disagree. A submission that cannot be collected is
logged with the student's id and the reason, and the others are collected.

:class:`SafeReleaseFeedback` is ``nbgrader release_feedback`` one student at a time: a feedback
folder with no ``submission_secret.txt`` (a student who deleted it before handing in), or a
feedback file that is not a regular file, is logged with the student's id and skipped, and the
others are released. The course config selects it::

    c.ExchangeFactory.release_feedback = "ftroi_course.exchange.SafeReleaseFeedback"

Examples
--------
>>> from pathlib import Path
>>> OwnerCheckedCollect.claimed_student(Path("inbound/alice+q1_break_even+2025-01-01 10:00:00.1 UTC+x1"))
'alice'
"""

from __future__ import annotations

import datetime
import glob
import os
import pwd
import shutil
import stat
from collections import defaultdict
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.exchange.default.release_feedback import ExchangeReleaseFeedback
from nbgrader.utils import check_mode, notebook_hash

from .safe_copy import safe_copytree

__all__ = ["OwnerCheckedCollect", "SafeReleaseFeedback", "exchange_time"]

#: How far the time a student wrote may differ from the exchange's before the log says so.
_CLAIM_TOLERANCE = datetime.timedelta(minutes=2)


def owner_name(path: str | os.PathLike[str]) -> str:
    """The user name owning ``path`` (its numeric id when the account no longer exists)."""
    uid = os.lstat(path).st_uid
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def exchange_time(path: str | os.PathLike[str]) -> datetime.datetime:
    """When the exchange last saw the folder ``path`` or anything in it change (naive UTC, as
    nbgrader's ``parse_utc`` gives).

    The newest ``st_ctime`` (status change) of the folder and every entry in it, links not
    followed: writing, renaming, ``touch -d`` and ``chmod`` all move it forward, and only root
    can move it back.

    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    >>> abs(exchange_time(folder) - now) < datetime.timedelta(minutes=1)
    True
    """
    newest = os.lstat(path).st_ctime
    for dirpath, dirnames, filenames in os.walk(path):
        for name in dirnames + filenames:
            try:
                newest = max(newest, os.lstat(os.path.join(dirpath, name)).st_ctime)
            except OSError:
                continue
    return datetime.datetime.fromtimestamp(newest, datetime.timezone.utc).replace(tzinfo=None)


def _format_utc(when: datetime.datetime) -> str:
    """A naive UTC time in nbgrader's timestamp format (``nbgrader submit`` writes the same)."""
    return when.strftime("%Y-%m-%d %H:%M:%S.%f UTC")


class OwnerCheckedCollect(ExchangeCollect):
    """nbgrader's collect, minus submissions that their folder's owner did not hand in."""

    @staticmethod
    def claimed_student(path: Path) -> str:
        """The student id a submission folder's name claims (``alice`` in ``alice+q1+...``)."""
        return path.name.rsplit("+", 3)[0]

    def _usable(self, path: str) -> dict | None:
        """The record of one inbound folder, or None (with a warning) when it is not usable."""
        try:
            record = self._path_to_record(path)
        except Exception as exc:  # noqa: BLE001 - parse_utc and self.fail raise several kinds
            self.log.warning("Skipping %s: its name is not <student>+<quiz>+<timestamp>+<id> "
                             "(%s)", path, exc)
            return None
        if self.check_owner:
            owner = owner_name(path)
            if owner != record["username"]:
                self.log.warning("Skipping %s: it claims to be submitted by %s but is owned by "
                                 "%s (a cheating attempt?). Not collected.", path,
                                 record["username"], owner)
                return None
        if not stat.S_ISDIR(os.lstat(path).st_mode):
            self.log.warning("Skipping %s: it is not a folder (a link?). Not collected.", path)
            return None
        claimed = record["timestamp"]
        record["claimed"] = claimed
        record["timestamp"] = exchange_time(path)
        return record

    def init_src(self) -> None:
        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")
        self.course_path = os.path.join(self.root, self.coursedir.course_id)
        self.inbound_path = os.path.join(self.course_path, "inbound")
        if not os.path.isdir(self.inbound_path):
            self.fail(f"Course not found: {self.inbound_path}")
        if not check_mode(self.inbound_path, read=True, execute=True):
            self.fail(f"You don't have read permissions for the directory: {self.inbound_path}")
        student_id = self.coursedir.student_id or "*"
        pattern = os.path.join(self.inbound_path,
                               f"{student_id}+{self.coursedir.assignment_id}+*")
        by_student: dict[str, list[dict]] = defaultdict(list)
        for path in sorted(glob.glob(pattern)):
            record = self._usable(path)
            if record is not None:
                by_student[record["username"]].append(record)

        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            try:
                self.duedate = gb.find_assignment(self.coursedir.assignment_id).duedate
            except MissingEntry:
                self.duedate = None
        self.src_records = []
        for records in by_student.values():
            newest_first = self._sort_by_timestamp(records)
            if self.duedate is not None and self.before_duedate:
                on_time = [r for r in newest_first if r["timestamp"] <= self.duedate]
                newest_first = on_time or newest_first
            self.src_records.append(newest_first[0])

    def copy_files(self) -> None:
        """Collect each chosen submission on its own: one that fails is logged, not fatal."""
        if not self.src_records:
            self.log.warning("No submissions of '%s' for course '%s' to collect",
                             self.coursedir.assignment_id, self.coursedir.course_id)
            return
        self.log.info("Processing %d submissions of '%s' for course '%s'",
                      len(self.src_records), self.coursedir.assignment_id,
                      self.coursedir.course_id)
        failed = []
        for record in self.src_records:
            try:
                self._collect_one(record)
            except Exception as exc:  # noqa: BLE001 - one bad folder must not stop the class
                failed.append(record["username"])
                self.log.error("%s: submission %s not collected: %s", record["username"],
                               record["filename"], exc)
        if failed:
            self.log.error("Not collected (see above): %s", ", ".join(sorted(failed)))

    def _should_copy(self, dest_path: str, record: dict) -> bool:
        """nbgrader's rule: a new submission, or a newer one with --update or --before-duedate."""
        if not os.path.isdir(dest_path):
            return True
        existing = self.coursedir.get_existing_timestamp(dest_path)
        newer = existing is None or record["timestamp"] > existing
        if (self.update and newer) or (self.before_duedate and existing != record["timestamp"]):
            return True
        hint = "No newer submission to collect" if self.update else (
            "Submission already exists, use --update to update")
        self.log.info("%s: %s %s", hint, record["username"], self.coursedir.assignment_id)
        return False

    def _collect_one(self, record: dict) -> None:
        student = record["username"]
        src_path = os.path.join(self.inbound_path, record["filename"])
        dest_path = self.coursedir.format_path(self.coursedir.submitted_directory, student,
                                               self.coursedir.assignment_id)
        if not self._should_copy(dest_path, record):
            return
        os.makedirs(os.path.dirname(dest_path), exist_ok=True)
        staging = f"{dest_path}.collecting"
        if os.path.lexists(staging):
            shutil.rmtree(staging)
        try:
            report = safe_copytree(src_path, staging, student=student, log=self.log,
                                   max_file_bytes=1000 * self.coursedir.max_file_size,
                                   max_total_bytes=1000 * self.coursedir.max_dir_size,
                                   ignore=self.coursedir.ignore)
            self._record_time(staging, record)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        if os.path.isdir(dest_path):
            self.log.info("Updating submission: %s %s", student, self.coursedir.assignment_id)
            shutil.rmtree(dest_path)
        else:
            self.log.info("Collecting submission: %s %s", student, self.coursedir.assignment_id)
        os.rename(staging, dest_path)
        self.log.info("%s: collected %d files (%.1f kB on disk), skipped %d", student,
                      len(report.copied), report.disk_bytes / 1000, len(report.skipped))

    def _record_time(self, folder: str, record: dict) -> None:
        """Write the exchange's time to ``timestamp.txt``, saying so when the student's differs."""
        path = os.path.join(folder, "timestamp.txt")
        claims = [("the folder name", record.get("claimed"))]
        if os.path.isfile(path):
            claims.append(("timestamp.txt", self.coursedir.get_existing_timestamp(folder)))
            os.unlink(path)
        received = record["timestamp"]
        for where, claimed in claims:
            if claimed is None or abs(claimed - received) > _CLAIM_TOLERANCE:
                self.log.warning("%s: %s says %s but the exchange received the submission at "
                                 "%s: recorded the exchange's time", record["username"], where,
                                 claimed, _format_utc(received))
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(_format_utc(received))


def _read_regular(path: str, limit: int = 1 << 16) -> str:
    """The text of a small regular file, refusing links, FIFOs and devices."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError(f"{os.path.basename(path)} is not a regular file")
        return fh.read(limit).decode("utf-8", errors="replace")


def released_notebook_ids(source_folder: str) -> set[str]:
    """Names (without ``.ipynb``) of the notebooks in an assignment's source folder.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "q1.ipynb").write_text("{}"); _ = (folder / "notes.html").write_text("")
    >>> sorted(released_notebook_ids(str(folder)))
    ['q1']
    """
    return {os.path.splitext(os.path.basename(p))[0]
            for p in glob.glob(os.path.join(glob.escape(source_folder), "*.ipynb"))}


class SafeReleaseFeedback(ExchangeReleaseFeedback):
    """nbgrader's release_feedback, one student at a time; a broken folder is only skipped."""

    def copy_files(self) -> None:
        exclude = set(filter(None, (self.coursedir.student_id_exclude or "").split(",")))
        html_files = sorted(glob.glob(os.path.join(self.src_path, "*.html")))
        notebooks = self._notebook_ids()
        failed = []
        for html_file in html_files:
            notebook_id = os.path.splitext(os.path.basename(html_file))[0]
            if notebook_id not in notebooks:
                self.log.warning("%s: not released: no notebook of %s is called %s (only the "
                                 "graded notebooks' pages are feedback)", html_file,
                                 self.coursedir.assignment_id, notebook_id)
                continue
            feedback_dir = os.path.dirname(html_file)
            student = os.path.basename(os.path.dirname(feedback_dir))
            if student in exclude:
                self.log.debug("Skipping student '%s'", student)
                continue
            try:
                self._release_one(html_file, feedback_dir, student, notebook_id)
            except Exception as exc:  # noqa: BLE001 - one bad folder must not stop the class
                failed.append(student)
                self.log.error("student %s: feedback %s not released: %s", student,
                               os.path.basename(html_file), exc)
        if failed:
            self.log.error("Feedback not released (see above): %s", ", ".join(sorted(failed)))

    def _notebook_ids(self) -> set[str]:
        """The assignment's notebooks (``source/<quiz>/*.ipynb``): their pages alone are released."""
        source = self.coursedir.format_path(self.coursedir.source_directory, ".",
                                            self.coursedir.assignment_id)
        return released_notebook_ids(source)

    def _release_one(self, html_file: str, feedback_dir: str, student: str,
                     notebook_id: str) -> None:
        secret_path = os.path.join(feedback_dir, "submission_secret.txt")
        if not os.path.lexists(secret_path):
            raise ValueError("its folder has no submission_secret.txt (the submission did not "
                             "come through `nbgrader submit`, or the file was deleted), so "
                             "there is no address only this student can fetch")
        secret = _read_regular(secret_path)
        stamp_path = os.path.join(feedback_dir, "timestamp.txt")
        timestamp = _read_regular(stamp_path) if os.path.lexists(stamp_path) else "no timestamp"
        checksum = notebook_hash(secret=secret, notebook_id=notebook_id)
        staging = os.path.join(self.dest_path, f"{checksum}-tmp.html")
        self.log.info("Releasing feedback for student '%s' on assignment '%s/%s/%s' (%s)",
                      student, self.coursedir.course_id, self.coursedir.assignment_id,
                      notebook_id, timestamp)
        src = os.open(html_file, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(src, "rb") as fin:
            if not stat.S_ISREG(os.fstat(src).st_mode):
                raise ValueError(f"{os.path.basename(html_file)} is not a regular file")
            with open(staging, "wb") as fout:
                shutil.copyfileobj(fin, fout)
        os.chmod(staging, 0o644)
        released = os.path.join(self.dest_path, f"{checksum}.html")
        os.replace(staging, released)
        self.log.info("Feedback released to: %s", released)
