"""Shared set-up for the whole suite.

The tests are grouped by what they test:

- ``model/``: the package's maths, data, command line, report and figures;
- ``widgets/``: the calculators, driven in Python and in headless Chromium;
- ``course/``: the nbgrader course (key, sandbox, grading a class);
- ``content/``: the lessons' text, structure, links and claims;
- ``deploy/``: environments, the hub, distribution and the benchmarks' scripts.

The support modules beside this file (``browser_support``, ``class_support``, ``contract_cases``,
``hub_support``, ``pg_support``) are importable from every test: pytest puts this folder on
``sys.path`` when it loads this file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

#: The repository's root folder.
REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository's root folder (tests never write into it)."""
    return REPO_ROOT


#: Test files that share one expensive server per run. xdist runs a group's files on one worker,
#: so the session fixture below starts that server once (``pytest -n0`` runs everything in one
#: process, which shares it too).
SHARED_SERVER_GROUPS: dict[str, tuple[str, ...]] = {
    "postgres": ("tests/course/test_grade_class.py", "tests/deploy/test_hub.py"),
}
_GROUP_OF_FILE = {path: group for group, paths in SHARED_SERVER_GROUPS.items() for path in paths}

#: The files that take longest (``pytest --durations``; benchmarks/README.md, "The test suite"),
#: started first so that both workers finish at about the same time. Every other file follows
#: in collection order.
SLOWEST_FIRST: tuple[str, ...] = (
    "tests/course/test_quizzes.py",  # ~180 s: the graded exam and practice classes
    "tests/deploy/test_hub_limits.py",  # ~160 s: a hub with real accounts behind nginx
    "tests/widgets/test_browser.py",  # every lesson in Chromium
    "tests/course/test_hostile_html.py",  # a graded class, then formgrader in Chromium
    "tests/course/test_grade_class.py",  # with test_hub.py: the run's PostgreSQL server
    "tests/deploy/test_hub.py",
    "tests/course/test_sandbox.py",
    "tests/course/test_hostile_files.py",
    "tests/course/test_exam_keys.py",
    "tests/deploy/test_benchmarks.py",
    "tests/deploy/test_course_exposure.py",
    "tests/model/test_contract.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the slowest files first (the same order in every xdist worker and with ``-n0``)."""
    rank = {path: i for i, path in enumerate(SLOWEST_FIRST)}

    def key(item: pytest.Item) -> int:
        path = item.path.relative_to(REPO_ROOT).as_posix() if item.path.is_relative_to(
            REPO_ROOT) else item.path.as_posix()
        return rank.get(path, len(rank))

    items.sort(key=key)  # stable: each file keeps its own order


def pytest_xdist_make_scheduler(config: pytest.Config, log):  # noqa: ANN201 - xdist's hook
    """Distribute whole files (a notebook's cells need one kernel, in order), and keep the files
    of each :data:`SHARED_SERVER_GROUPS` group on one worker."""
    from xdist.scheduler import LoadScopeScheduling

    class ByFileAndSharedServer(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return _GROUP_OF_FILE.get(path, path)

    return ByFileAndSharedServer(config, log)


@pytest.fixture(scope="session")
def postgres():
    """One throwaway PostgreSQL server for the whole run (tests/pg_support.py); each test file
    creates its own databases in it. Skipped where PostgreSQL is missing, failed on CI."""
    import os

    from pg_support import ThrowawayPostgres, missing_reason

    reason = missing_reason()
    if reason and os.environ.get("CI") == "true":
        pytest.fail(f"{reason}: CI must run the PostgreSQL tests")
    if reason:
        pytest.skip(reason)
    server = ThrowawayPostgres().start()
    try:
        yield server
    finally:
        server.stop()
