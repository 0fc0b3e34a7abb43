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

Examples
--------
>>> from pathlib import Path
>>> OwnerCheckedCollect.claimed_student(Path("inbound/alice+q1_break_even+2025-01-01 10:00:00.1 UTC+x1"))
'alice'
"""

from __future__ import annotations

import glob
import os
import pwd
from collections import defaultdict
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.utils import check_mode

__all__ = ["OwnerCheckedCollect"]


def owner_name(path: str | os.PathLike[str]) -> str:
    """The user name owning ``path`` (its numeric id when the account no longer exists)."""
    uid = os.stat(path).st_uid
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


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
