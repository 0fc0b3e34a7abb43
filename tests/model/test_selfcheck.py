"""Self-check questions: every file parses, every question is answerable, no key in plain text."""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest

from ftroi_helpers.selfcheck import (
    Feedback,
    answer_hash,
    ask,
    grade_choice,
    normalise_choice,
    questions,
)

QUESTION_FILES = sorted(
    (entry for entry in resources.files("ftroi_helpers").joinpath("data/questions").iterdir()
     if entry.name.endswith(".json")),
    key=lambda entry: entry.name,
)
ALL_IDS = sorted(questions())
# Keys that would give an answer away if they appeared anywhere in a question file.
GIVEAWAY_KEYS = {"answer", "correct", "correct_answer", "key", "solution", "right"}


def right_letter(question_id: str) -> str:
    """The one choice whose salted hash is the stored key (asserted unique elsewhere)."""
    q = questions()[question_id]
    (letter,) = [c for c in q["choices"] if answer_hash(question_id, c) == q["answer_sha256"]]
    return letter


def test_there_is_at_least_one_question_file():
    assert [f.name for f in QUESTION_FILES][:1] == ["L0.json"]


@pytest.mark.parametrize("entry", QUESTION_FILES, ids=lambda e: e.name)
def test_every_question_file_parses_to_questions_of_its_lesson(entry):
    data = json.loads(entry.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and data
    lesson = entry.name.removesuffix(".json")
    assert re.fullmatch(r"L\d+", lesson)
    for qid, q in data.items():
        assert re.fullmatch(rf"{lesson}\.\d+", qid), qid
        assert set(q) <= {"question", "choices", "answer_sha256", "why"}, qid
        assert isinstance(q["question"], str) and q["question"].strip(), qid
        assert isinstance(q["choices"], dict) and len(q["choices"]) >= 2, qid
        assert all(re.fullmatch(r"[A-Z]", c) for c in q["choices"]), qid
        assert re.fullmatch(r"[0-9a-f]{64}", q["answer_sha256"]), qid


def test_question_ids_are_unique_across_files():
    seen: dict[str, str] = {}
    for entry in QUESTION_FILES:
        for qid in json.loads(entry.read_text(encoding="utf-8")):
            assert qid not in seen, f"{qid} is in both {seen[qid]} and {entry.name}"
            seen[qid] = entry.name
    assert sorted(seen) == ALL_IDS


@pytest.mark.parametrize("qid", ALL_IDS)
def test_every_question_key_matches_exactly_one_choice(qid):
    q = questions()[qid]
    matches = [c for c in q["choices"] if answer_hash(qid, c) == q["answer_sha256"]]
    assert len(matches) == 1, f"{qid}: the stored hash matches {matches or 'no choice'}"


@pytest.mark.parametrize("qid", ALL_IDS)
def test_every_choice_has_a_one_line_reason(qid):
    q = questions()[qid]
    assert set(q.get("why", {})) == set(q["choices"]), qid
    for letter, reason in q["why"].items():
        assert reason.strip() and "\n" not in reason, (qid, letter)


@pytest.mark.parametrize("entry", QUESTION_FILES, ids=lambda e: e.name)
def test_no_question_file_holds_a_plain_answer(entry):
    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                assert key.lower() not in GIVEAWAY_KEYS, f"{entry.name}: key {key!r}"
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(entry.read_text(encoding="utf-8")))


def test_answer_hash_ignores_case_spaces_and_quotes():
    assert answer_hash("L1.1", "a") == answer_hash("L1.1", " 'A' ")
    assert answer_hash("L1.1", "A") != answer_hash("L1.2", "A")
    assert answer_hash("L1.1", "A") != answer_hash("L1.1", "B")


def test_normalise_choice_rejects_non_strings():
    with pytest.raises(TypeError, match=r"^answer must be a letter"):
        normalise_choice(1)


@pytest.mark.parametrize("qid", ALL_IDS)
def test_grade_choice_says_right_for_the_key_and_not_quite_otherwise(qid):
    right = right_letter(qid)
    q = questions()[qid]
    feedback = grade_choice(qid, right.lower())
    assert feedback == Feedback(True, f"Right. {q['why'][right]}".strip())
    for letter in q["choices"]:
        if letter != right:
            wrong = grade_choice(qid, letter)
            assert not wrong.correct
            assert wrong.message.startswith("Not quite.")


def test_lesson_0_self_check_key_is_instant_feedback():
    # L0.1 asks what a self-check does; "C" (checked at once, with a reason) is the right one.
    assert grade_choice("L0.1", "C").correct
    assert not grade_choice("L0.1", "A").correct


def test_an_answer_that_is_not_a_choice_gets_feedback_not_an_exception():
    feedback = grade_choice("L0.1", "Z")
    assert not feedback.correct
    assert feedback.message == "'Z' is not one of the choices (A, B, C, D)."


def test_an_unknown_question_id_is_a_value_error():
    with pytest.raises(ValueError, match=r"^question_id must be one of .* got 'L99.9'$"):
        grade_choice("L99.9", "A")


def test_ask_check_button_asks_for_a_choice_first():
    box = ask("L0.1")
    assert "ftroi-question" in box._dom_classes
    box.check()
    assert "Pick an answer first" in box.feedback.value


def test_ask_check_button_shows_right_and_wrong_feedback():
    box = ask("L0.1")
    box.picker.value = right_letter("L0.1")
    box.check()
    assert "Right." in box.feedback.value and "ftroi-feedback" in box.feedback.value
    wrong = next(c for c in questions()["L0.1"]["choices"] if c != right_letter("L0.1"))
    box.picker.value = wrong
    box.check()
    assert "Not quite." in box.feedback.value


def test_ask_shows_the_question_and_every_choice():
    box = ask("L0.1")
    q = questions()["L0.1"]
    assert q["question"] in box.children[0].value
    assert [value for _label, value in box.picker.options] == list(q["choices"])
    assert box.picker.value is None


def test_ask_escapes_html_in_the_question_text(monkeypatch):
    import ftroi_helpers.selfcheck as selfcheck

    fake = {"T.1": {"question": "Is <b>this</b> bold?", "choices": {"A": "yes", "B": "no"},
                    "answer_sha256": answer_hash("T.1", "B"), "why": {"A": "<no>", "B": "ok"}}}
    monkeypatch.setattr(selfcheck, "questions", lambda: fake)
    box = ask("T.1")
    assert "&lt;b&gt;this&lt;/b&gt;" in box.children[0].value
    box.picker.value = "A"
    box.check()
    assert "&lt;no&gt;" in box.feedback.value
