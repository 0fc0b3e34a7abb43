"""Build it: in lessons 01-06 the learner writes the core of the model (issue 21, item 1).

Each lesson's "Build it" cell holds a function with ``...`` blanks and a check cell calling
``check_function``; its folded solution passes the check on held-out inputs, a wrong function
does not, and the blank function is "not yet answered" (so the lesson runs top to bottom).
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from ftroi_helpers import check_function
from ftroi_helpers.build_it import BUILD_IT, reference_result
from ftroi_helpers.cost_model import simulate

ROOT = Path(__file__).resolve().parents[2]
BUILT = {"B1": "01_break_even", "B2": "02_tokens_and_volume", "B3": "03_cost_curves",
         "B4": "04_eval_baselines", "B5": "05_retraining_and_drift", "B6": "06_decide"}


def _build_it_cells(stem: str) -> dict[str, str]:
    """The Build it section's blank function, check cell and folded solution code."""
    nb = json.loads((ROOT / "lessons" / f"{stem}.ipynb").read_text(encoding="utf-8"))
    cells = [("".join(c["source"]), c["cell_type"]) for c in nb["cells"]]
    start = next(i for i, (src, kind) in enumerate(cells)
                 if kind == "markdown" and src.startswith("## Build it"))
    section = []
    for src, kind in cells[start + 1:]:
        if kind == "markdown" and re.match(r"##\s", src):
            break
        section.append((src, kind))
    code = [src for src, kind in section if kind == "code"]
    solution = next(src for src, kind in section if kind == "markdown" and "<details>" in src)
    return {"blank": code[0], "check": code[1],
            "solution": re.search(r"```python\n(.*?)```", solution, re.S).group(1)}


def _define(source: str) -> object:
    namespace = {"np": np, "simulate": simulate}
    exec(compile(source, "<lesson>", "exec"), namespace)  # noqa: S102 - the lesson's own code
    return next(v for k, v in namespace.items() if k.startswith("my_"))


@pytest.mark.parametrize("exercise_id", sorted(BUILT))
def test_each_lesson_builds_its_model_and_checks_it_with_check_function(exercise_id):
    cells = _build_it_cells(BUILT[exercise_id])
    assert re.fullmatch(rf'check_function\("{exercise_id}", my_\w+\)', cells["check"].strip())
    assert "..." in cells["blank"]


@pytest.mark.parametrize("exercise_id", sorted(BUILT))
def test_the_blank_function_is_not_yet_answered_and_the_solution_passes(exercise_id):
    cells = _build_it_cells(BUILT[exercise_id])
    blank = check_function(exercise_id, _define(cells["blank"]))
    assert blank.status == "not answered" and "replace every ..." in blank.message
    solved = check_function(exercise_id, _define(cells["solution"]))
    assert solved.correct, solved.message
    assert "From here on" in solved.message


WRONG = {
    # forgets "never": divides by a zero or negative saving
    "B1": "def my_f(h, s, c):\n    return c / ((h - s) / 1000) if h != s else 0.0",
    # prices per thousand instead of per million tokens
    "B2": "def my_f(i, o, pi, po, r):\n    return (i * pi + o * po) / 1000 * r",
    # a tie does not count as paid back
    "B3": ("def my_f(c, p, f, h):\n    s = -c\n    for m in range(1, h + 1):\n        s += p - f\n"
           "        if s > 0:\n            return m\n    return None"),
    # the textbook p +/- z sqrt(p(1-p)/n) instead of Wilson's
    "B4": "def my_f(k, n):\n    p = k / n\n    h = 1.96 * (p * (1 - p) / n) ** 0.5\n    return (p - h, p + h)",
    # counts retrainings from month 1 instead of from launch
    "B5": ("def my_f(e, d, h, u):\n    return 0.0 if e == 0 else (h // e) * u"),
    # uniform draws, not the triangles capstone_answer uses
    "B6": ("def my_f(sc, r, n, seed, dl):\n    rng = np.random.default_rng(seed)\n"
           "    d = {k: rng.uniform(lo, hi, n) for k, (lo, hi) in r.items()}\n"
           "    return np.mean(simulate(sc, **d).payback_months.filled(np.inf) <= dl)"),
}


@pytest.mark.parametrize("exercise_id", sorted(WRONG))
def test_a_wrong_function_is_not_yet_and_names_the_input_it_failed_on(exercise_id):
    result = check_function(exercise_id, _define(WRONG[exercise_id]))
    assert result.status == "not yet"
    assert "for (" in result.message and "the package gives" in result.message


def test_a_function_that_raises_is_reported_with_its_input_not_raised():
    def crashes(hosted_usd_per_1k, self_hosted_usd_per_1k, one_time_usd):
        return one_time_usd / (hosted_usd_per_1k - self_hosted_usd_per_1k) * 1000
    result = check_function("B1", crashes)
    assert result.status == "not yet"
    assert "ZeroDivisionError" in result.message
    assert "hosted_usd_per_1k=10.0, self_hosted_usd_per_1k=10.0" in result.message


def test_never_is_expected_as_none_and_a_number_there_is_wrong():
    assert reference_result("B1", 10, 10, 500) is None
    assert reference_result("B3", 1_000, 200, 250, 12) is None

    def never_says_never(hosted_usd_per_1k, self_hosted_usd_per_1k, one_time_usd):
        return one_time_usd / max((hosted_usd_per_1k - self_hosted_usd_per_1k) / 1000, 1e-9)
    result = check_function("B1", never_says_never)
    assert result.status == "not yet" and "never (None)" in result.message


def test_the_references_are_the_package_computed_by_hand():
    assert reference_result("B1", 12, 3, 900) == pytest.approx(900 / 9 * 1000)
    assert reference_result("B2", 1_200, 300, 2.5, 10.0, 50_000) == pytest.approx(300.0)
    assert reference_result("B3", 5_000, 1_800, 600, 12) == math.ceil(5_000 / 1_200)
    # launch in month 4 (delay 3), retrained every 2 months: months 6, 8, 10, 12
    assert reference_result("B5", 2, 3, 12, 150.0) == pytest.approx(4 * 150.0)
    assert reference_result("B5", 0, 1, 12, 500.0) == 0.0
    low, high = reference_result("B4", 0, 25)
    assert low == 0.0 and 0 < high < 0.2


@pytest.mark.parametrize("fn,status", [(..., "not answered"), (42, "not yet"),
                                       ("my_function", "not yet")])
def test_something_that_is_not_a_function_is_feedback_not_an_exception(fn, status):
    result = check_function("B2", fn)
    assert result.status == status
    if status == "not yet":
        assert result.message.startswith("fn must be your function")


def test_an_unknown_exercise_id_is_refused_by_name():
    with pytest.raises(ValueError, match=r"^exercise_id must be one of B1, .* got 'B9'$"):
        check_function("B9", print)


def test_every_build_it_exercise_is_in_a_lesson():
    assert set(BUILD_IT) == set(BUILT)
