"""Fair multiple-choice questions across the workbook (issue 14): neither the length of the
right option nor its letter gives the answer away.

Counted over every multiple-choice item a learner meets: the lesson self-checks
(``ftroi_helpers/data/questions/L*.json``, key: the salted hash) and the quizzes (options read
from the quiz notebooks' markdown, written ``- **A.** text``; key: ``quizzes/ftroi_course/key.py``).

* The right option is the longest (ties included) in at most a third of the items.
* Each letter is the right one in 15-35 % of the items.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

from ftroi_helpers.selfcheck import answer_hash, questions

ROOT = Path(__file__).resolve().parents[2]
QUIZ_NOTEBOOKS = sorted((ROOT / "quizzes" / "source").glob("*/*.ipynb"))
OPTION = re.compile(r"^\s*[-*]\s+\*\*([A-Z])\.\*\*\s+(.+?)\s*$", re.M)
ITEM = re.compile(r"\b(q\d+_\d+)\b", re.I)


def lesson_items() -> dict[str, tuple[dict[str, str], str]]:
    """id -> (options, right letter) for every lesson self-check."""
    out = {}
    for qid, q in questions().items():
        (right,) = [c for c in q["choices"] if answer_hash(qid, c) == q["answer_sha256"]]
        out[qid] = (dict(q["choices"]), right)
    return out


def quiz_options() -> dict[str, dict[str, str]]:
    """item id -> options, from every markdown cell of the quiz notebooks that lists options."""
    out: dict[str, dict[str, str]] = {}
    for path in QUIZ_NOTEBOOKS:
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "markdown":
                continue
            text = "".join(cell["source"])
            found = OPTION.findall(text)
            if not found:
                continue
            item = ITEM.search(text)
            assert item, f"{path.name}: options with no item id: {text[:120]!r}"
            out[item.group(1).lower()] = dict(found)
    return out


def quiz_key() -> dict[str, str]:
    sys.path.insert(0, str(ROOT / "quizzes"))
    try:
        from ftroi_course.key import CHOICES
    finally:
        sys.path.remove(str(ROOT / "quizzes"))
    return dict(CHOICES)


def quiz_items() -> dict[str, tuple[dict[str, str], str]]:
    options, key = quiz_options(), quiz_key()
    missing = sorted(set(options) - set(key))
    assert not missing, f"quiz items with options but no key: {missing}"
    unlisted = sorted(set(key) - set(options))
    assert not unlisted, f"keyed quiz items whose options are not in a notebook: {unlisted}"
    return {item: (options[item], key[item]) for item in options}


def right_is_longest(options: dict[str, str], right: str) -> bool:
    return len(options[right]) >= max(len(v) for v in options.values())


def _report(items: dict[str, tuple[dict[str, str], str]]) -> tuple[float, Counter]:
    longest = [i for i, (o, r) in items.items() if right_is_longest(o, r)]
    return len(longest) / len(items), Counter(r for _, r in items.values())


def test_every_item_has_its_right_letter_among_its_options():
    for item, (options, right) in {**lesson_items(), **quiz_items()}.items():
        assert right in options, f"{item}: key {right!r} is not one of {sorted(options)}"
        assert len(options) >= 3, f"{item}: only {len(options)} options"


def test_the_right_option_is_the_longest_in_at_most_a_third_of_the_workbooks_items():
    items = {**lesson_items(), **quiz_items()}
    share, _ = _report(items)
    longest = sorted(i for i, (o, r) in items.items() if right_is_longest(o, r))
    assert share <= 1 / 3, (f"the right option is the longest in {len(longest)} of "
                            f"{len(items)} items ({share:.0%}): {longest}")


def test_each_letter_is_right_in_15_to_35_percent_of_the_workbooks_items():
    items = {**lesson_items(), **quiz_items()}
    _, letters = _report(items)
    for letter in "ABCD":
        share = letters[letter] / len(items)
        assert 0.15 <= share <= 0.35, (f"{letter} is right in {letters[letter]} of {len(items)} "
                                       f"items ({share:.0%}); all: {dict(letters)}")


def test_the_lesson_self_checks_alone_give_no_cue_either():
    items = lesson_items()
    share, letters = _report(items)
    assert share <= 1 / 3
    assert all(0.15 <= letters[x] / len(items) <= 0.35 for x in "ABCD"), dict(letters)


@pytest.mark.parametrize("options,right,expected", [
    ({"A": "short", "B": "a much longer option"}, "B", True),
    ({"A": "same", "B": "same"}, "A", True),              # a tie still gives it away
    ({"A": "a much longer option", "B": "short"}, "B", False),
])
def test_the_longest_option_check_counts_ties(options, right, expected):
    assert right_is_longest(options, right) is expected


def test_quiz_options_are_read_from_markdown_written_with_bold_letters():
    text = "**q9_1** Which?\n\n- **A.** one\n- **B.** two\n* **C.** three"
    assert OPTION.findall(text) == [("A", "one"), ("B", "two"), ("C", "three")]
