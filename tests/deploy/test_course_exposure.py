"""The deployment never exposes the course (issue 19, item 9): the hub refuses to start, in one
line, while a student could read the key by any path, and ``make publish-lessons`` builds the
lessons-only repository that nbgitpuller links clone. Offline: the configuration is loaded as
JupyterHub loads it (tests/deploy_support.py); the real hub runs in tests/deploy/test_hub.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from deploy_support import (
    JUPYTER,
    ROOT,
    ROOT_ONLY,
    course_checkout,
    git,
    load_hub_config,
    refused,
    tmp_path,
    users_env,
)

__all__ = ["tmp_path", "users_env"]  # fixtures used by the tests below


@ROOT_ONLY
def test_hub_refuses_to_start_while_students_can_read_the_key_in_the_checkout(
        tmp_path, users_env):
    proc = refused(tmp_path, users_env, course_checkout(tmp_path))
    assert "students can read " in proc.stderr and "/quizzes/" in proc.stderr
    assert "more)" in proc.stderr  # the key, the source and the history: three ways in


@ROOT_ONLY
def test_hub_refuses_to_start_while_the_git_history_is_readable_even_with_quizzes_private(
        tmp_path, users_env):
    checkout = course_checkout(tmp_path)
    subprocess.run(["chmod", "-R", "go-rwx", str(checkout / "quizzes")], check=True)  # old advice
    proc = refused(tmp_path, users_env, checkout)
    assert f"students can read {checkout}/.git/objects/" in proc.stderr


@ROOT_ONLY
def test_hub_refuses_to_start_while_students_can_read_the_course_secret(tmp_path, users_env):
    # The secret keys every exam's numbers and option order: with it a student computes anyone's.
    checkout = course_checkout(tmp_path)
    for private in ("quizzes/ftroi_course", "quizzes/source", ".git"):
        subprocess.run(["chmod", "-R", "go-rwx", str(checkout / private)], check=True)
    secret = checkout / "quizzes" / "course_secret.key"
    secret.write_text("0" * 64)
    secret.chmod(0o644)
    proc = refused(tmp_path, users_env, checkout)
    assert f"students can read {secret}" in proc.stderr


@ROOT_ONLY
def test_hub_starts_once_the_checkout_is_private(tmp_path, users_env):
    checkout = course_checkout(tmp_path)
    os.chmod(checkout, 0o700)  # deploy/README.md, step 2
    cfg, proc = load_hub_config(tmp_path, users_env, checkout, FTROI_COURSE_OWNER="nobody")
    assert cfg["authenticator"] == "pam" and "refuses" not in proc.stderr


@ROOT_ONLY
def test_hub_refuses_to_start_when_students_can_import_the_course_package(tmp_path, users_env):
    site = next(users_env.glob("lib/python3*/site-packages"))
    (site / "ftroi_course").mkdir()
    try:
        (site / "ftroi_course" / "__init__.py").write_text("")
        proc = refused(tmp_path, users_env)
    finally:
        shutil.rmtree(site / "ftroi_course")
    assert "students can import ftroi_course from " in proc.stderr


@ROOT_ONLY
def test_hub_refuses_to_start_when_users_cannot_run_the_environments_python(tmp_path,
                                                                          users_env):
    os.chmod(users_env.parent, 0o700)  # like a pyenv under /root
    try:
        proc = refused(tmp_path, users_env)
    finally:
        os.chmod(users_env.parent, 0o755)
    assert f"users cannot run {users_env}/bin/python" in proc.stderr


@ROOT_ONLY
def test_hub_refuses_to_start_when_the_lessons_repository_holds_the_course(tmp_path, users_env):
    lessons = tmp_path / "lessons-repo"
    lessons.mkdir()
    git(lessons, "init", "-q", "-b", "main")
    (lessons / "quizzes" / "ftroi_course").mkdir(parents=True)
    (lessons / "quizzes" / "ftroi_course" / "key.py").write_text("ANSWER = 42\n")
    git(lessons, "add", ".")
    git(lessons, "commit", "-q", "-m", "oops")
    git(lessons, "rm", "-q", "-r", "quizzes")
    git(lessons, "commit", "-q", "-m", "removed, but still in the history")
    proc = refused(tmp_path, users_env, FTROI_LESSONS_REPO=str(lessons))
    assert "quizzes/ftroi_course/key.py" in proc.stderr and "make publish-lessons" in proc.stderr


@ROOT_ONLY
def test_the_real_jupyterhub_exits_with_the_one_line_reason(tmp_path, users_env):
    jupyterhub = Path(sys.executable).parent / "jupyterhub"
    checkout = course_checkout(tmp_path)
    base = {k: v for k, v in os.environ.items() if not k.startswith("FTROI_")}
    env = {**base, "FTROI_HUB_STATE": str(tmp_path / "state"), "FTROI_COURSE_OWNER": "nobody",
           "FTROI_EXCHANGE_ROOT": str(tmp_path / "exchange"), "FTROI_USER_ENV": str(users_env)}
    proc = subprocess.run([str(jupyterhub), "-f", str(checkout / "deploy" /
                                                       "jupyterhub_config.py")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1].startswith("[ftroi] the hub refuses to start: ")
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "exchange").exists()  # it stopped before creating anything


@ROOT_ONLY
def test_the_hub_installs_the_users_jupyter_config_outside_the_private_checkout(
        tmp_path, users_env):
    load_hub_config(tmp_path, users_env, FTROI_COURSE_OWNER="nobody")
    installed = tmp_path / "jupyter"
    ours = {str(p.relative_to(JUPYTER)): p.read_text() for p in JUPYTER.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}
    assert {str(p.relative_to(installed)): p.read_text() for p in installed.rglob("*")
            if p.is_file()} == ours
    probe = subprocess.run(["runuser", "-u", "nobody", "--", "cat",
                            str(installed / "student" / "jupyter_server_config.json")],
                           capture_output=True, text=True)
    assert probe.returncode == 0 and "formgrader" in probe.stdout


# --- the lessons repository that nbgitpuller links clone (make publish-lessons) ------------------


def _publish(source: Path, dest: Path) -> dict:
    import publish_lessons

    return publish_lessons.publish(source, dest)


def _git_out(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    dest = tmp_path_factory.mktemp("publish") / "ftroi-lessons"
    return dest, _publish(ROOT, dest)


def test_published_lessons_are_the_committed_lessons_in_one_commit_and_no_course(published):
    dest, result = published
    committed = set(_git_out(ROOT, "ls-files", "lessons").split())
    assert set(result["files"]) == committed | {"README.md"}
    assert _git_out(dest, "rev-list", "--all", "--count").strip() == "1"
    every_path = _git_out(dest, "rev-list", "--all", "--objects").split()
    assert not [p for p in every_path if "quizzes" in p or "ftroi_course" in p or
                p.endswith("key.py")]
    assert not (dest / "quizzes").exists()
    key = (ROOT / "quizzes" / "ftroi_course" / "key.py").read_text()
    for path in result["files"]:
        assert key not in (dest / path).read_text()


def test_republishing_adds_one_commit_students_can_pull_and_keeps_the_course_out(tmp_path):
    course = tmp_path / "course"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(course)], check=True)
    dest = tmp_path / "lessons"
    first = _publish(course, dest)
    student = tmp_path / "student"
    subprocess.run(["git", "clone", "-q", str(dest), str(student)], check=True)
    lesson = course / "lessons" / "sources.md"
    lesson.write_text(lesson.read_text() + "\nA line added for the next term.\n")
    git(course, "commit", "-q", "-am", "a lesson changes")
    second = _publish(course, dest)
    assert (first["commits"], second["commits"]) == (1, 2) and not second["new"]
    subprocess.run(["git", "-C", str(student), "pull", "-q", "--ff-only"], check=True)
    assert "A line added for the next term." in (student / "lessons" / "sources.md").read_text()
    import course_exposure

    assert course_exposure.course_files_in_history(dest) == []


def test_publish_lessons_refuses_a_folder_it_did_not_build(tmp_path, capsys):
    import publish_lessons

    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    assert publish_lessons.main([str(other), "--source", str(ROOT)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"publish-lessons: dest {other} exists and is not a lessons repository")
    assert (other / "notes.txt").read_text() == "mine"


def test_the_published_lessons_run(published):
    import nbformat
    from nbclient import NotebookClient

    dest, _ = published
    lessons = sorted((dest / "lessons").glob("*.ipynb"))
    assert len(lessons) >= 8
    for path in lessons:
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, timeout=120, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        errors = [o for c in nb.cells for o in c.get("outputs", [])
                  if o.get("output_type") == "error"]
        assert not errors, (path.name, errors[:1])


