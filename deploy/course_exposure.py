"""Whether the hub's users could read the course: the check the hub makes before it starts.

The course (``quizzes/source`` and the answer key in ``quizzes/ftroi_course``) must never reach
a student. A student could reach it by several paths, and the hub refuses to start while any of
them is open (``deploy/jupyterhub_config.py``):

* **the users' Python environment**: ``ftroi_course`` importable, or ``ftroi_helpers`` imported
  from a checkout of the course (an editable install, ``pip install -e``);
* **a checkout of the course**: the one the hub's configuration is read from, and the one the
  package is imported from: its ``quizzes/ftroi_course``, ``quizzes/source``, the course secret
  and gradebook in ``quizzes/``, and its git history (``.git/objects``: loose objects and packs
  hold every version of ``key.py``);
* **the lessons repository** that nbgitpuller links clone (``FTROI_LESSONS_REPO``, when it is a
  folder on this server): no commit of it may hold a course file.

The first two are checked *as a student would try them*: a small Python program runs as a
student (a member of the students' group, else ``nobody`` with that group) with the users' own
Python, and tries to find ``ftroi_course`` and to read any file under those folders. That also
checks that users can run the environment's Python at all. The lessons repository's history is
read with git, as root.

Examples
--------
>>> is_course_path("quizzes/ftroi_course/key.py"), is_course_path("quizzes/source/q1/q1.ipynb")
(True, True)
>>> is_course_path("lessons/01_break_even.ipynb"), is_course_path("src/ftroi_course")
(False, True)
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import subprocess
from pathlib import Path, PurePosixPath

#: Names that mark the course wherever they appear in a path.
COURSE_NAMES = ("ftroi_course",)
#: Folders (as consecutive path parts) that hold the course.
COURSE_FOLDERS = (("quizzes", "source"),)

#: Runs as a student with the users' Python. argv: folders to try. Prints a JSON object.
PROBE = r'''
import importlib.util, json, os, sys
out = {"python": sys.executable, "readable": [], "ftroi_course": None, "ftroi_helpers": None}
for name in ("ftroi_course", "ftroi_helpers"):
    try:
        spec = importlib.util.find_spec(name)
    except Exception:
        spec = None
    if spec is not None:
        out[name] = spec.origin or list(spec.submodule_search_locations or [])
for root in sys.argv[1:]:
    def first_readable(root):
        if os.path.isfile(root):
            try:
                with open(root, "rb") as fh:
                    fh.read(1)
                return root
            except OSError:
                return None
        for folder, dirs, files in os.walk(root):
            for f in files:
                path = os.path.join(folder, f)
                try:
                    with open(path, "rb") as fh:
                        fh.read(1)
                    return path
                except OSError:
                    pass
        return None
    hit = first_readable(root)
    if hit:
        out["readable"].append(hit)
print(json.dumps(out))
'''


def is_course_path(path: str) -> bool:
    """Whether a repository path belongs to the course (its source or its key)."""
    parts = PurePosixPath(path).parts
    if any(name in parts for name in COURSE_NAMES):
        return True
    return any(parts[i:i + len(f)] == f for f in COURSE_FOLDERS for i in range(len(parts)))


def git_objects_dir(checkout: Path) -> Path | None:
    """The folder holding a checkout's git objects (a worktree's ``.git`` is a file)."""
    dot_git = checkout / ".git"
    if dot_git.is_dir():
        git_dir = dot_git
    elif dot_git.is_file():
        text = dot_git.read_text().strip()
        if not text.startswith("gitdir:"):
            return None
        git_dir = (checkout / text.split(":", 1)[1].strip()).resolve()
    else:
        return None
    common = git_dir / "commondir"
    if common.is_file():
        git_dir = (git_dir / common.read_text().strip()).resolve()
    return git_dir / "objects"


#: Files in a checkout's ``quizzes/`` that no student may read either: the course secret that keys
#: every exam's numbers and option order (``c.FtroiQuiz.secret_file``), and the SQLite gradebook.
COURSE_FILES = ("course_secret.key", "gradebook.db")


def course_folders(checkout: Path) -> list[Path]:
    """What in a checkout of the course no student may read (the folders and files that exist)."""
    found = [checkout / "quizzes" / "ftroi_course", checkout / "quizzes" / "source"]
    found += [checkout / "quizzes" / name for name in COURSE_FILES]
    objects = git_objects_dir(checkout)
    if objects is not None:
        found.append(objects)
    return [p for p in found if p.exists()]


def student_identity(student_group: str) -> tuple[int, int, list[int]]:
    """(uid, gid, groups) of a student: a member of ``student_group``, else ``nobody`` in it."""
    try:
        group = grp.getgrnam(student_group)
    except KeyError:
        group = None
    if group is not None:
        members = sorted(set(group.gr_mem) | {p.pw_name for p in pwd.getpwall()
                                              if p.pw_gid == group.gr_gid})
        if members:
            user = pwd.getpwnam(members[0])
            groups = os.getgrouplist(user.pw_name, user.pw_gid)
            return user.pw_uid, user.pw_gid, groups
    nobody = pwd.getpwnam("nobody")
    gids = [group.gr_gid] if group is not None else []
    return nobody.pw_uid, (group.gr_gid if group else nobody.pw_gid), gids


def probe_as_student(python: str, folders: list[Path], student_group: str,
                     timeout_s: float = 120) -> dict:
    """Run :data:`PROBE` as a student with ``python``. Raises RuntimeError when it cannot run."""
    uid, gid, groups = student_identity(student_group)
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/", "PYTHONNOUSERSITE": "1"}
    try:
        proc = subprocess.run([python, "-I", "-c", PROBE, *map(str, folders)], user=uid,
                              group=gid, extra_groups=groups, env=env, cwd="/",
                              capture_output=True, text=True, timeout=timeout_s)
    except OSError as exc:  # the interpreter itself cannot be executed as that user
        raise RuntimeError(f"users cannot run {python} ({exc.strerror}): build the users' "
                           "environment from a Python every account can run (not pyenv "
                           "under /root)") from None
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"users cannot run {python} ({tail}): build the users' environment "
                           "from a Python every account can run (not pyenv under /root)")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def course_files_in_history(repo: Path) -> list[str]:
    """Course files in any commit of the git repository ``repo`` (read as root with git)."""
    proc = subprocess.run(["git", "-C", str(repo), "rev-list", "--all", "--objects"],
                          capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise RuntimeError(f"{repo} is not a git repository: {proc.stderr.strip()[-200:]}")
    paths = {line.split(" ", 1)[1] for line in proc.stdout.splitlines() if " " in line}
    return sorted(p for p in paths if is_course_path(p))


def _checkout_of(spec_origin) -> Path | None:
    """The checkout a package is imported from, if it is imported from one."""
    if not spec_origin:
        return None
    origin = Path(spec_origin[0] if isinstance(spec_origin, list) else spec_origin)
    for parent in origin.parents:
        if (parent / "quizzes").is_dir() or (parent / ".git").exists():
            return parent
        if parent.name in ("site-packages", "dist-packages"):
            return None
    return None


def exposures(user_env: str, checkouts: list[Path], student_group: str,
              lessons_repo: str = "") -> list[str]:
    """Every way a student could read the course; an empty list when there is none.

    Parameters
    ----------
    user_env
        The Python environment users' servers run from (its ``bin/python`` is probed).
    checkouts
        Checkouts of the course on this server (the one the hub's configuration is read from).
    student_group
        The students' Unix group (the probe runs as one of its members).
    lessons_repo
        A folder holding the lessons repository nbgitpuller links clone ("" or a URL: unchecked).

    Raises
    ------
    RuntimeError
        When users cannot run the environment's Python (see :func:`probe_as_student`).
    """
    python = str(Path(user_env) / "bin" / "python")
    found: list[str] = []
    folders = [f for c in checkouts for f in course_folders(c)]
    seen = probe_as_student(python, folders, student_group)
    if seen["ftroi_course"]:
        found.append(f"students can import ftroi_course from {seen['ftroi_course']}")
    package_checkout = _checkout_of(seen["ftroi_helpers"])
    if package_checkout is not None and package_checkout not in checkouts:
        # an editable install (pip install -e): the checkout it imports from is checked too
        more = course_folders(package_checkout)
        if more:
            seen["readable"] += probe_as_student(python, more, student_group)["readable"]
    found += [f"students can read {path}" for path in seen["readable"]]
    if lessons_repo and Path(lessons_repo).is_dir():
        leaked = course_files_in_history(Path(lessons_repo))
        if leaked:
            found.append(f"the lessons repository {lessons_repo} holds course files in its "
                         f"history ({max(leaked, key=len)}, ...): rebuild it with "
                         "make publish-lessons")
    return found
