"""The shared argument checks: every message names the parameter and the offending value."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ftroi_helpers.validation import (
    as_number,
    as_output,
    require_choice,
    require_fraction,
    require_int,
    require_nonnegative,
    require_positive,
)


def test_a_scalar_comes_back_as_a_python_float():
    value = require_nonnegative("training_cost", 400)
    assert value == 400.0 and type(value) is float


def test_numpy_scalars_and_zero_d_arrays_come_back_as_python_floats():
    assert type(as_number("x", np.float32(2.5))) is float
    assert type(as_number("x", np.int64(3))) is float
    assert as_number("x", np.array(7.0)) == 7.0 and type(as_number("x", np.array(7.0))) is float


def test_a_list_comes_back_as_a_float_array():
    out = as_number("x", [1, 2, 3])
    assert isinstance(out, np.ndarray) and out.dtype == float
    assert out.tolist() == [1.0, 2.0, 3.0]


def test_an_empty_array_is_accepted_as_no_values():
    assert as_number("x", []).size == 0


def test_negative_number_is_rejected_with_the_parameter_name_and_value():
    with pytest.raises(ValueError, match=r"^hosted_cost_per_1k_req must be >= 0, got -3$"):
        require_nonnegative("hosted_cost_per_1k_req", -3)


def test_a_fractional_bad_value_is_shown_with_its_decimals():
    with pytest.raises(ValueError, match=r"got -0.5$"):
        require_nonnegative("x", -0.5)


def test_array_with_one_negative_element_names_that_element():
    with pytest.raises(ValueError, match=r"^x must be >= 0, got -2$"):
        require_nonnegative("x", np.array([1.0, -2.0, 3.0]))


def test_zero_is_nonnegative_but_not_positive():
    assert require_nonnegative("x", 0) == 0.0
    with pytest.raises(ValueError, match=r"^calls_per_day must be > 0, got 0$"):
        require_positive("calls_per_day", 0)
    with pytest.raises(ValueError, match=r"must be > 0, got 0$"):
        require_positive("x", [1, 0])


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, np.float64("nan")])
def test_non_finite_scalars_are_rejected(bad):
    with pytest.raises(ValueError, match=r"^epochs must be a finite number"):
        as_number("epochs", bad)


def test_non_finite_array_element_is_rejected():
    with pytest.raises(ValueError, match=r"^x must contain only finite numbers, got inf$"):
        as_number("x", [1.0, math.inf])


@pytest.mark.parametrize(
    ("bad", "shown"),
    [("3", r"'3' \(str\)"), (True, r"True \(bool\)"), (False, r"False \(bool\)"),
     (None, r"None \(NoneType\)"), (b"3", r"b'3' \(bytes\)")],
)
def test_strings_bools_and_none_are_type_errors(bad, shown):
    with pytest.raises(TypeError, match=rf"^epochs must be a number, got {shown}$"):
        as_number("epochs", bad)


@pytest.mark.parametrize("bad", [[1, "a"], {"a": 1}, 1j, object()])
def test_things_that_are_not_numbers_are_type_errors_naming_the_parameter(bad):
    with pytest.raises(TypeError, match=r"^rate must be a number"):
        as_number("rate", bad)


def test_fraction_accepts_both_ends_by_default():
    assert require_fraction("s", 0) == 0.0
    assert require_fraction("s", 1) == 1.0


def test_fraction_above_one_or_below_zero_is_rejected():
    with pytest.raises(ValueError, match=r"^savings_fraction must be between 0 and 1, got 1.5$"):
        require_fraction("savings_fraction", 1.5)
    with pytest.raises(ValueError, match=r"got -0.1$"):
        require_fraction("s", [0.5, -0.1])


def test_fraction_without_zero_rejects_zero_but_accepts_one():
    with pytest.raises(ValueError, match=r"^utilization must be in \(0, 1\], got 0$"):
        require_fraction("utilization", 0, allow_zero=False)
    assert require_fraction("utilization", 1, allow_zero=False) == 1.0


def test_whole_numbers_pass_as_ints_even_when_given_as_floats():
    assert require_int("horizon_months", 12.0, minimum=1) == 12
    assert type(require_int("horizon_months", np.int64(12))) is int


@pytest.mark.parametrize("bad", [2.5, math.nan, math.inf, "12", None, True])
def test_non_whole_numbers_are_type_errors(bad):
    with pytest.raises(TypeError, match=r"^horizon_months must be a whole number"):
        require_int("horizon_months", bad, minimum=1)


def test_whole_number_below_the_minimum_is_a_value_error():
    with pytest.raises(ValueError, match=r"^horizon_months must be >= 1, got 0$"):
        require_int("horizon_months", 0, minimum=1)
    with pytest.raises(ValueError, match=r"^n must be >= 0, got -2$"):
        require_int("n", -2.0)


def test_choice_lists_the_options_when_it_rejects():
    assert require_choice("d", "uniform", ("uniform", "triangular")) == "uniform"
    with pytest.raises(ValueError, match=r"^d must be one of 'uniform', 'triangular', got 'x'$"):
        require_choice("d", "x", ("uniform", "triangular"))


def test_as_output_unwraps_zero_d_and_keeps_arrays():
    assert type(as_output(np.float64(2.0))) is float
    arr = np.array([1.0, 2.0])
    assert as_output(arr) is arr
