"""A typed box set from code with a value its slider cannot hold shows the message beside the
controls; it never raises from the widget's observer or its trait validation."""

from __future__ import annotations

import math

import pytest

from ftroi_helpers import calculators

FACTORIES = sorted(n for n in calculators._index() if not n.endswith("_outcome"))
BOXES = [(factory, name) for factory in FACTORIES
         for name in getattr(getattr(calculators, factory)(), "typed", {})]


@pytest.mark.parametrize(("factory", "name"), BOXES)
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_non_finite_typed_value_shows_a_message_naming_the_control(factory, name, bad):
    calc = getattr(calculators, factory)()
    before = calc.controls[name].value
    calc.typed[name].value = bad  # must not raise
    assert calc.error is not None and name in calc.error and "finite" in calc.error
    assert calc.controls[name].value == before
    assert calc.typed[name].value == before  # the box goes back to what the slider holds
    label = calc.controls[name].description
    assert label in calc.message.value  # the learner sees the label, beside the controls


def test_a_whole_number_typed_as_a_float_moves_an_integer_slider():
    calc = calculators.cost_curves()
    calc.typed["retrain_every_months"].value = 3.0
    assert calc.controls["retrain_every_months"].value == 3 and calc.error is None
    calc.typed["retrain_every_months"].value = 2.5
    assert "retrain_every_months must be a whole number" in calc.error


def test_the_list_of_typed_boxes_is_not_empty():
    assert len(BOXES) >= 20
