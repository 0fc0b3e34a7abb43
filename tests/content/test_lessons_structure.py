"""Every lesson follows the workbook's template (STYLE.md, issue 4).

Title, one-line promise and time estimate; 3-5 learning objectives that start with a verb; a
single setup cell; at least one calculator that is a single call; 2-4 "Try it" exercises; 2-4
self-check questions whose ids exist (and whose answers are not in the notebook); key points and
a link to the matching quiz. No formula in a notebook: lessons call ftroi_helpers.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from ftroi_helpers.selfcheck import questions

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))
TAUGHT = [p for p in LESSONS if not p.name.startswith("00_")]
EXPECTED = ["00_start_here", "01_break_even", "02_tokens_and_volume", "03_cost_curves",
            "04_eval_baselines", "05_retraining_and_drift", "06_decide", "07_your_decision"]
QUIZZES = ["q0_end_of_lesson", "q1_break_even", "q2_eval_baselines", "q3_retraining"]


def _cells(path: Path) -> list[dict]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [{"type": c["cell_type"], "src": "".join(c["source"])} for c in nb["cells"]]


def _section(cells: list[dict], heading: str) -> list[dict]:
    """Cells from the markdown heading ``heading`` up to the next level-2 heading."""
    out, inside = [], False
    for cell in cells:
        starts = cell["type"] == "markdown" and re.match(r"##\s", cell["src"].lstrip())
        if starts and cell["src"].lstrip().startswith(heading):
            inside = True
            out.append(cell)
            continue
        if inside and starts:
            break
        if inside:
            out.append(cell)
    return out


def test_all_eight_lessons_exist():
    assert [p.stem for p in LESSONS] == EXPECTED


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lesson_opens_with_title_promise_and_time(path):
    first = _cells(path)[0]
    assert first["type"] == "markdown"
    lines = [ln for ln in first["src"].splitlines() if ln.strip()]
    assert lines[0].startswith("# "), "a '# Title' first"
    assert len(lines) >= 2, "a one-sentence promise after the title"
    if path in TAUGHT:
        assert re.search(r"≈\s*\d+\s*min", first["src"]), "an estimated time like '≈ 25 min'"


@pytest.mark.parametrize("path", TAUGHT, ids=lambda p: p.stem)
def test_lesson_has_three_to_five_objectives_starting_with_a_verb(path):
    section = _section(_cells(path), "## Learning objectives")
    assert section, "a '## Learning objectives' section"
    bullets = re.findall(r"^\s*[-*]\s+(\S+)", section[0]["src"], re.M)
    assert 3 <= len(bullets) <= 5, bullets
    for word in bullets:
        assert word[0].isupper() and not word.lower().startswith(("the", "a", "an", "how")), word


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_first_code_cell_is_the_import_setup(path):
    code = [c for c in _cells(path) if c["type"] == "code"]
    tree = ast.parse(code[0]["src"])
    assert all(isinstance(node, (ast.Import, ast.ImportFrom)) for node in tree.body)
    assert "ftroi_helpers" in code[0]["src"]


@pytest.mark.parametrize("path", TAUGHT, ids=lambda p: p.stem)
def test_lesson_has_a_calculator_cell_that_is_a_single_call(path):
    calls = []
    for cell in _cells(path):
        if cell["type"] != "code":
            continue
        tree = ast.parse(cell["src"])
        if (len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr)
                and isinstance(tree.body[0].value, ast.Call)
                and "calculators." in cell["src"]):
            calls.append(cell["src"])
    assert calls, "at least one cell that is just `calculators.something(...)`"


@pytest.mark.parametrize("path", TAUGHT, ids=lambda p: p.stem)
def test_try_it_has_two_to_four_predict_first_exercises(path):
    section = _section(_cells(path), "## Try it")
    assert section, "a '## Try it' section"
    text = "\n".join(c["src"] for c in section if c["type"] == "markdown")
    items = re.findall(r"^\s*(?:\d+\.|[-*])\s+", text, re.M) or re.findall(r"^###\s", text, re.M)
    assert 2 <= len(items) <= 4, f"found {len(items)} exercises"
    assert re.search(r"predict|guess|before you", text, re.I), "learners predict first"


@pytest.mark.parametrize("path", TAUGHT, ids=lambda p: p.stem)
def test_self_check_has_two_to_four_known_questions_one_per_cell(path):
    section = _section(_cells(path), "## Check your understanding")
    assert section, "a '## Check your understanding' section"
    asks = [re.findall(r"ask\(\s*['\"]([^'\"]+)['\"]\s*\)", c["src"]) for c in section
            if c["type"] == "code"]
    ids = [ids[0] for ids in asks if ids]
    assert all(len(found) <= 1 for found in asks), "one question per cell"
    assert 2 <= len(ids) <= 4, ids
    bank = questions()
    for qid in ids:
        assert qid in bank, f"{qid} is not in ftroi_helpers/data/questions"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_notebook_text_does_not_reveal_self_check_answers(path):
    text = path.read_text(encoding="utf-8")
    assert "answer_sha256" not in text
    assert not re.search(r"(?i)\b(answer|correct)\s*(is|:|=)\s*['\"]?[A-E]\b", text)


@pytest.mark.parametrize("path", TAUGHT, ids=lambda p: p.stem)
def test_lesson_ends_with_key_points_and_a_link_to_what_comes_next(path):
    """A lesson that a quiz covers links that quiz; every lesson's footer links onwards (the
    quiz order itself is checked in test_links_and_order.py)."""
    from test_links_and_order import quiz_lessons_from_lesson_00

    section = _section(_cells(path), "## Key points")
    assert section, "a '## Key points' section"
    text = "\n".join(c["src"] for c in section)
    bullets = re.findall(r"^\s*[-*]\s+", section[0]["src"], re.M)
    assert 3 <= len(bullets) <= 5
    covering = [q for q, lessons in quiz_lessons_from_lesson_00().items()
                if path.stem[:2] in lessons]
    if covering:
        assert any(q in text for q in covering), f"a link to {covering}"
    assert re.search(r"\]\([^)]+\.(ipynb|md)[^)]*\)", text), "a link to what comes next"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lessons_define_no_formulas_of_their_own_outside_build_it(path):
    """The maths lives in ftroi_helpers: the only function a lesson defines is the learner's own
    in its "Build it" section, one per cell, checked by check_function in the next cell."""
    cells = _cells(path)
    build_it = _section(cells, "## Build it")
    for i, cell in enumerate(cells):
        if cell["type"] != "code":
            continue
        defs = [node for node in ast.walk(ast.parse(cell["src"]))
                if isinstance(node, (ast.FunctionDef, ast.Lambda, ast.ClassDef))]
        if not defs:
            continue
        assert cell in build_it, cell["src"][:200]
        assert len(defs) == 1 and isinstance(defs[0], ast.FunctionDef), cell["src"][:200]
        assert f", {defs[0].name})" in cells[i + 1]["src"], "checked by check_function next"


def test_every_binder_link_in_the_readme_opens_a_lesson_that_exists():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"labpath=lessons(?:%2F|/)([\w.]+\.ipynb)", readme)
    assert "07_your_decision.ipynb" in links
    for name in links:
        assert (ROOT / "lessons" / name).exists(), name
