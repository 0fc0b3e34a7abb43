"""A non-editable install (what Binder's postBuild does) ships the package's data files."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_contains_price_table_question_bank_and_calculators(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path),
         str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    (wheel,) = tmp_path.glob("ftroi-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    lessons = sorted(p.stem for p in (ROOT / "ftroi_helpers/data/questions").glob("*.json"))
    assert "ftroi_helpers/data/prices.csv" in names
    assert "ftroi_helpers/data/task_quality.csv" in names
    assert "ftroi_helpers/data/throughput.csv" in names  # serving capacity (issue 20)
    for lesson in lessons:
        assert f"ftroi_helpers/data/questions/{lesson}.json" in names
    assert "ftroi_helpers/calculators/_base.py" in names
    assert "ftroi_helpers/templates/report.html.j2" in names  # the report renders from these
    assert "ftroi_helpers/templates/report.md.j2" in names
    assert "ftroi_helpers/templates/report.css" in names
    assert not any(n.startswith(("tests/", "lessons/", "quizzes/")) for n in names)
    # the quiz question data ships, the instructor's key and grading code never do
    assert "ftroi_helpers/data/quiz_items.json" in names
    assert not any("ftroi_course" in n or n.endswith("/key.py") for n in names)
    data = zipfile.ZipFile(wheel)
    assert not any(b"CHOICES" in data.read(n) for n in names if n.endswith(".py"))
