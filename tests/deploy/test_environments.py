"""The conda/Binder environments and the Binder build stay in step with pyproject.toml."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parents[2]


def _requirement(spec: str) -> tuple[str, str]:
    """'jupyterlab>=4.2,<5' or 'jupyterlab >=4.2,<5' -> ('jupyterlab', '>=4.2,<5')."""
    match = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)\s*(.*?)\s*", spec)
    assert match, spec
    name = match.group(1).lower().replace("-", "_")
    return name, match.group(2).replace(" ", "")


def _conda_dependencies(path: Path) -> dict[str, str]:
    """Conda packages and, from a ``- pip:`` sub-list, pip-only packages, with their ranges."""
    deps: dict[str, str] = {}
    in_deps = False
    for line in path.read_text().splitlines():
        if line.startswith("dependencies:"):
            in_deps = True
            continue
        item = line.split("#")[0].rstrip()
        if in_deps and item.strip() == "- pip:":
            continue
        if in_deps and (item.startswith("  - ") or item.startswith("      - ")):
            name, spec = _requirement(item.strip()[2:])
            deps[name] = spec
        elif in_deps and line and not line.startswith(" "):
            in_deps = False
    return deps


def _pip_only_dependencies(path: Path) -> set[str]:
    """Names under the ``- pip:`` sub-list of a conda environment file."""
    text = path.read_text()
    block = re.search(r"^  - pip:\n((?:      - .*\n?)+)", text, re.M)
    return {_requirement(line.strip()[2:])[0] for line in block.group(1).splitlines()} \
        if block else set()


def test_environment_yml_has_the_same_ranges_as_pyproject():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wanted = dict(_requirement(d) for d in pyproject["project"]["dependencies"])
    conda = _conda_dependencies(ROOT / "environment.yml")
    assert {k: conda.get(k) for k in wanted} == wanted
    assert conda["python"] == "=3.11"
    assert conda["pip"] == "", "pip itself is a conda dependency (for the pip-only packages)"
    assert "conda-forge" in (ROOT / "environment.yml").read_text()


def test_pip_only_packages_are_installed_by_pip_in_the_conda_environment():
    """quicktok-v1 (exact offline token counts) is on PyPI only: it sits under ``- pip:``."""
    assert "quicktok_v1" in _pip_only_dependencies(ROOT / "environment.yml")


def test_binder_environment_is_identical_to_the_top_level_one():
    assert (ROOT / "binder" / "environment.yml").read_bytes() == (
        ROOT / "environment.yml"
    ).read_bytes()


def test_postbuild_is_executable_strict_and_does_the_four_jobs():
    post = ROOT / "binder" / "postBuild"
    assert os.access(post, os.X_OK)
    text = post.read_text()
    assert "set -euo pipefail" in text
    assert re.search(r"pip install .*\s\.\s*$", text, re.M), "installs the package"
    assert "nbgrader generate_assignment" in text
    removed = re.search(r"^rm -rf (.*)$", text, re.M).group(1).split()
    assert {"quizzes/source", "quizzes/ftroi_course"} <= set(removed), \
        "removes the solutions and the answer key from the learner's image"
    for ext in ("assignment-list", "course-list"):
        assert f"labextension disable --level=sys_prefix @jupyter/nbgrader:{ext}" in text
    for ext in ("assignment_list", "course_list"):
        assert f"server extension disable --sys-prefix nbgrader.server_extensions.{ext}" in text
    assert "formgrader" not in re.sub(r"#.*", "", text), "formgrader stays enabled"


def test_postbuild_generates_every_quiz_in_the_course():
    quizzes = sorted(p.name for p in (ROOT / "quizzes" / "source").iterdir() if p.is_dir())
    assert quizzes, "quizzes/source holds the course"
    text = (ROOT / "binder" / "postBuild").read_text()
    for quiz in quizzes:
        assert quiz in text


def test_repo2docker_builds_binder_from_binder_folder():
    """repo2docker (what Binder runs) uses binder/environment.yml and binder/postBuild."""
    exe = Path(sys.executable).with_name("jupyter-repo2docker")
    if not exe.exists():  # pragma: no cover - installed by the test extra
        pytest.fail("jupyter-repo2docker is not installed: pip install -e '.[test]'")
    result = subprocess.run(
        [str(exe), "--no-build", "--debug", str(ROOT)],
        capture_output=True, text=True, timeout=120,
    )
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-2000:]
    assert re.search(r'env update .*--file "binder/environment.yml"', out), out[-3000:]
    assert "RUN ./binder/postBuild" in out
    # With binder/ present, the root environment.yml is ignored.
    assert '--file "environment.yml"' not in out


def test_readme_badge_opens_lesson_zero_and_gives_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "mybinder.org/v2/" in readme
    assert "labpath=lessons%2F00_start_here.ipynb" in readme or \
        "labpath=lessons/00_start_here.ipynb" in readme
    assert "make lab" in readme and "make test" in readme


def test_ci_runs_exactly_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^exec make test$", ci, re.M)


def test_makefile_commands_exist_and_lab_opens_lesson_zero():
    make = shutil.which("make")
    assert make, "make is required"
    result = subprocess.run([make, "-n", "lab"], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "MAKEFLAGS": ""})
    assert result.returncode == 0, result.stderr
    assert "jupyter lab" in result.stdout and "lessons/00_start_here.ipynb" in result.stdout
    assert "--ServerApp.root_dir=" in result.stdout, "the whole repo is served, quizzes included"


def test_make_reinstalls_nothing_when_nothing_changed():
    """`make test` has just installed .venv: asking again must plan no pip install."""
    result = subprocess.run(["make", "-n", "install-test", "install"], cwd=ROOT,
                            capture_output=True, text=True, env={**os.environ, "MAKEFLAGS": ""})
    assert result.returncode == 0, result.stderr
    assert "pip install" not in result.stdout, result.stdout
    assert "venv" not in result.stdout, result.stdout
