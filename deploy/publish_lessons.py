"""Build the lessons-only git repository that nbgitpuller links clone (``make publish-lessons``).

Whatever a link clones, every student can read. So the link never points at the course's own
repository (it holds ``quizzes/source``, the answer key in ``quizzes/ftroi_course`` and, in its
history, every version of both). This command builds a separate repository instead:

* the committed ``lessons/`` of the course checkout (``git archive HEAD lessons``: exactly what
  is committed, clean notebooks, nothing from the working tree) and a short README;
* no history of the course: the first run makes a fresh ``git init`` with one commit; each later
  run adds one commit with the new lessons, so students' clones can pull the update;
* nothing of the course in any commit: checked after every build (``course_exposure``).

The lessons import the learner's package, ``ftroi_helpers``, which the hub's environment
provides (``deploy/README.md``, step 2): it is not copied.

Usage::

    python deploy/publish_lessons.py DEST            # or: make publish-lessons LESSONS_REPO=DEST
    git -C DEST push https://github.com/OWNER/ftroi-lessons main

Examples
--------
>>> MARKER_KEY
'ftroi.publishedlessons'
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from course_exposure import course_files_in_history, is_course_path  # noqa: E402

#: git config key that marks a repository this command built (and may update).
MARKER_KEY = "ftroi.publishedlessons"
#: What is published from the course checkout.
PUBLISHED = ("lessons",)
AUTHOR = {"GIT_AUTHOR_NAME": "ftroi publish-lessons", "GIT_AUTHOR_EMAIL": "lessons@ftroi.invalid",
          "GIT_COMMITTER_NAME": "ftroi publish-lessons",
          "GIT_COMMITTER_EMAIL": "lessons@ftroi.invalid"}

README = """# ftroi: the lessons

The lessons of the ftroi workbook (the economics of fine-tuning versus prompting), published
for a class on JupyterHub. Open them with the link your instructor gives you; the graded quizzes
arrive separately, under **Nbgrader -> Assignment List**.

Built by `make publish-lessons` from the course at commit {commit}. Changes made here are
overwritten by the next publication: edit the lessons in the course's repository.
"""


def _git(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, **AUTHOR, "GIT_CONFIG_NOSYSTEM": "1"}
    proc = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed in {cwd}: {proc.stderr.strip()[-300:]}")
    return proc


def committed_lessons(source: Path) -> tuple[bytes, str]:
    """The committed ``lessons/`` of the checkout ``source`` as a tar archive, and its commit."""
    commit = _git("rev-parse", "--short=12", "HEAD", cwd=source).stdout.strip()
    proc = subprocess.run(["git", "archive", "--format=tar", "HEAD", *PUBLISHED], cwd=source,
                          capture_output=True)
    if proc.returncode != 0:
        raise RuntimeError(f"git archive failed in {source}: "
                           f"{proc.stderr.decode(errors='replace').strip()[-300:]}")
    return proc.stdout, commit


def _prepare(dest: Path) -> bool:
    """Make ``dest`` an empty work tree of a lessons repository; True when it is new."""
    if dest.exists() and any(dest.iterdir()):
        marked = _git("config", "--get", MARKER_KEY, cwd=dest, check=False).stdout.strip()
        if not (dest / ".git").is_dir() or marked != "true":
            raise ValueError(f"dest {dest} exists and is not a lessons repository built by "
                             "publish-lessons: give a new folder")
        for child in dest.iterdir():
            if child.name != ".git":
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        return False
    dest.mkdir(parents=True, exist_ok=True)
    _git("init", "-q", "-b", "main", cwd=dest)
    _git("config", MARKER_KEY, "true", cwd=dest)
    return True


def publish(source: Path, dest: Path) -> dict:
    """Build or update the lessons repository ``dest`` from the course checkout ``source``.

    Returns
    -------
    dict
        ``{"dest", "commit" (the course's), "commits" (in dest), "files", "new"}``.

    Raises
    ------
    ValueError
        When ``dest`` exists and is not a repository this command built.
    RuntimeError
        When git fails, or when a course file would be published.
    """
    source, dest = Path(source).resolve(), Path(dest).resolve()
    if dest == source or dest in source.parents:
        raise ValueError(f"dest {dest} must not be the course checkout {source} or hold it")
    archive, commit = committed_lessons(source)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        members = [m for m in tar.getmembers() if m.isfile() or m.isdir()]
        leaked = [m.name for m in members if is_course_path(m.name)]
        if leaked:
            raise RuntimeError(f"refusing to publish course files: {leaked[:3]}")
        new = _prepare(dest)
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        tar.extractall(dest, members=members, **safe)
    (dest / "README.md").write_text(README.format(commit=commit))
    _git("add", "-A", ".", cwd=dest)
    if _git("diff", "--cached", "--quiet", cwd=dest, check=False).returncode != 0:
        _git("commit", "-q", "-m", f"Lessons from the course at {commit}", cwd=dest)
    _git("update-server-info", cwd=dest)  # so that a plain web server can serve it too
    leaked = course_files_in_history(dest)
    if leaked:
        raise RuntimeError(f"{dest} holds course files in its history: {leaked[:3]}")
    commits = int(_git("rev-list", "--count", "HEAD", cwd=dest).stdout.strip())
    files = _git("ls-files", cwd=dest).stdout.split()
    return {"dest": str(dest), "commit": commit, "commits": commits, "files": files, "new": new}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dest", help="folder of the lessons repository (created, or updated)")
    parser.add_argument("--source", default=str(HERE.parent),
                        help="the course checkout (default: this one)")
    args = parser.parse_args(argv)
    try:
        result = publish(Path(args.source), Path(args.dest))
    except (ValueError, RuntimeError) as exc:
        print(f"publish-lessons: {exc}", file=sys.stderr)
        return 2
    state = "created" if result["new"] else "updated"
    print(f"{result['dest']}: {state}, {len(result['files'])} files, {result['commits']} "
          f"commit(s), lessons of the course at {result['commit']}. Push it where nbgitpuller "
          f"links point: git -C {result['dest']} push <url> main")
    return 0


if __name__ == "__main__":
    sys.exit(main())
