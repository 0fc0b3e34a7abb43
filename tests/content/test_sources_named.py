"""Sources are named by what they are, and each wrong claim is corrected once (issue 14).

Learners never see "source 000".."source 003": the lessons, the sources page, the README, the
lesson self-checks and every calculator's visible text name the four documents by the short
names that ``lessons/sources.md`` introduces (with title, date and kind). Each erratum on that
page is corrected in a "Check the claim" box in the lesson it names, and the most repeated one,
"6-18 months", in exactly one box and at most one self-check.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from ftroi_helpers import calculators
from ftroi_helpers.calculators import _index
from ftroi_helpers.selfcheck import questions

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))
SOURCES_PAGE = ROOT / "lessons" / "sources.md"
SOURCE_NUMBER = re.compile(r"\bsources? 00[0-3]\b", re.I)
SHORT_NAMES = ("Cost Curves page", "economics article", "crossover guide", "calculator demo")
#: Lessons whose content the cost-model work (issue 12) is rewriting; they name the sources
#: with that rewrite. Strict: the day one passes, this set must shrink.
PENDING: set[str] = set()
BOX = re.compile(r"^\s*>\s*\*\*Check the claim", re.M)


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _lesson_param(path: Path):
    marks = ([pytest.mark.xfail(strict=True, reason="lesson rewritten for issue 12")]
             if path.stem in PENDING else [])
    return pytest.param(path, marks=marks, id=path.stem)


@pytest.mark.parametrize("path", [_lesson_param(p) for p in LESSONS])
def test_no_lesson_calls_a_source_by_number(path):
    found = [f"cell {i}: {m.group(0)!r}" for i, c in enumerate(cells(path))
             for m in SOURCE_NUMBER.finditer("".join(c["source"]))]
    assert not found, found


@pytest.mark.parametrize("page", [SOURCES_PAGE, ROOT / "README.md"], ids=lambda p: p.name)
def test_no_page_calls_a_source_by_number(page):
    assert not SOURCE_NUMBER.findall(page.read_text(encoding="utf-8"))


def test_no_self_check_calls_a_source_by_number():
    text = json.dumps(questions())
    assert not SOURCE_NUMBER.findall(text), SOURCE_NUMBER.findall(text)


def _calculator_names() -> list[str]:
    return sorted(n for n in _index() if not n.endswith("_outcome") and n != "price_rows")


@pytest.mark.parametrize("name", _calculator_names())
def test_no_calculator_shows_a_source_number(name):
    calc = getattr(calculators, name)()
    shown = [calc.result_text, getattr(calc, "alt_text", "")]
    shown += [html.unescape(w.value) for w in calc.children if hasattr(w, "value")
              and isinstance(w.value, str) and not w.value.startswith("<img")]
    shown += [getattr(w, "description", "") for w in getattr(calc, "controls", {}).values()]
    found = [s for s in shown if SOURCE_NUMBER.search(s or "")]
    assert not found, found


def test_the_sources_page_introduces_each_source_by_title_date_and_kind():
    text = SOURCES_PAGE.read_text(encoding="utf-8")
    table = re.findall(r"^\| \[\*\*(.+?)\*\*\]\(#([\w-]+)\) \| (.+?) \| (.+?) \| (.+?) \|$",
                       text, re.M)
    assert [row[0] for row in table] == [n for n in SHORT_NAMES], table
    for name, anchor, _what, date, kind in table:
        assert re.search(r"20\d\d|undated", date), (name, date)
        assert kind.strip() in {"a lesson page", "an article", "a guide with tables",
                                "a calculator demo"}, (name, kind)
        assert f"## The {name}" in text, f"no section for the {name}"
        assert anchor == "the-" + name.lower().replace(" ", "-")


def errata() -> list[tuple[str, str, str]]:
    """(number, claim, lesson file) for each row of the sources page's errata table."""
    text = SOURCES_PAGE.read_text(encoding="utf-8").split("## Errata", 1)[1]
    rows = re.findall(r"^\| (\d+) \| (.+?) \| .+? \| \[lesson \d\d\]\((\d\d_\w+\.ipynb)\) \|$",
                      text, re.M)
    assert len(rows) >= 10, rows
    return rows


def test_every_erratum_is_shown_in_a_check_the_claim_box_in_its_lesson():
    missing = []
    for number, claim, lesson in errata():
        path = ROOT / "lessons" / lesson
        assert path.is_file(), lesson
        if Path(lesson).stem in PENDING:
            continue
        boxes = [c for c in cells(path) if c["cell_type"] == "markdown"
                 and BOX.search("".join(c["source"]))]
        refs = [c for c in cells(path) if f"erratum {number}" in "".join(c["source"])]
        if not boxes or not refs:
            missing.append(f"erratum {number} ({claim[:50]}...): {lesson} has "
                           f"{len(boxes)} Check-the-claim boxes and {len(refs)} mentions")
    assert not missing, "\n".join(missing)


def test_the_6_to_18_months_claim_is_checked_once():
    boxes = [(p.stem, i) for p in LESSONS for i, c in enumerate(cells(p))
             if c["cell_type"] == "markdown" and BOX.search("".join(c["source"]))
             and "6-18 months" in "".join(c["source"])]
    assert len(boxes) == 1, boxes
    asked = [qid for qid, q in questions().items() if "6-18 months" in json.dumps(q)]
    assert len(asked) <= 1, asked


def test_no_package_text_calls_a_source_by_number():
    # help() shows docstrings and tables show string constants to learners: none may say
    # "source 002". (Identifiers such as SOURCE_002_PROVENANCE are code, not text.)
    found = [f"{p.relative_to(ROOT)}:{n}: {line.strip()[:80]}"
             for p in sorted((ROOT / "ftroi_helpers").rglob("*.py"))
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if SOURCE_NUMBER.search(line)]
    assert not found, found


def test_the_sources_page_links_each_reference_the_sources_cite_with_a_date():
    """Issue 21, item 6: the LoRA and QLoRA papers, OpenAI's fine-tuning guide, Together's
    fine-tuning page and every provider page the price table reads, each with its check date."""
    import csv

    text = (ROOT / "lessons" / "sources.md").read_text(encoding="utf-8")
    rows = {}
    for line in text.splitlines():
        for url in re.findall(r"\]\((https?://[^)\s]+)\)", line):
            rows[url] = line
    for needed in ("https://arxiv.org/abs/2106.09685", "https://arxiv.org/abs/2305.14314"):
        assert needed in rows, needed
    assert any("fine-tuning guide" in line and "openai.com" in url for url, line in rows.items())
    assert any("Together" in line and "fine-tuning" in url for url, line in rows.items())
    with open(ROOT / "ftroi_helpers" / "data" / "prices.csv", encoding="utf-8") as f:
        priced = {(r["source"], r["as_of"]) for r in csv.DictReader(f)
                  if r["source"].startswith("http")}
    assert priced
    for url, as_of in priced:
        assert url in rows, f"{url} (prices.csv) is not linked from sources.md"
        assert as_of in rows[url], f"{url}: checked {as_of} in prices.csv"
    for url, line in rows.items():
        assert re.search(r"\| \d{4}-\d{2}-\d{2} \|\s*$", line), f"{url} has no check date"
