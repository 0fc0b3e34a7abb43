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
