"""Break-even in requests (source 003) and in days (source 000's P/V/T/S question)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ftroi_helpers.breakeven import (
    breakeven_days,
    breakeven_requests,
    explain_breakeven,
    explain_breakeven_days,
)
from ftroi_helpers.never import never_to_inf

# Seeded and database-free, so every run checks the same examples and writes nothing.
SETTINGS = settings(derandomize=True, database=None, deadline=None, max_examples=150)

# Money in USD: 0 or up to a million, never subnormal (no dollar amount is 1e-310).
money = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False,
                  allow_subnormal=False)
positive_money = st.floats(min_value=0.01, max_value=1e6, allow_nan=False,
                           allow_infinity=False)


def zero_or(low: float, high: float) -> st.SearchStrategy[float]:
    """0, or a realistic value in [low, high] (no subnormal products that overflow a division)."""
    return st.one_of(st.just(0.0), st.floats(min_value=low, max_value=high))


# -- breakeven_requests ------------------------------------------------------------------------

def test_source_003_example_breaks_even_after_30769_requests():
    # 003_512d162286761903.txt: hosted $15 / 1k requests, self-hosted $2 / 1k, $400 one-time,
    # printed as "Break even after ~30,769 requests". 400 / (15 - 2) * 1000 = 30,769.23...
    assert breakeven_requests(15, 2, 400) == pytest.approx(400 / 13 * 1000)
    assert round(breakeven_requests(15, 2, 400)) == 30_769


def test_breakeven_is_never_none_when_self_hosting_is_not_cheaper():
    # issue 11: "never" is None, not inf
    assert breakeven_requests(2, 15, 400) is None
    assert breakeven_requests(15, 15, 400) is None


def test_breakeven_is_never_when_dearer_even_if_nothing_was_spent():
    assert breakeven_requests(2, 15, 0) is None


def test_a_free_project_that_saves_nothing_breaks_even_at_once_as_everywhere_else():
    # issue 11: one semantics for "nothing to repay, nothing saved": at once (0), as
    # breakeven_days(P, V, 0, 0), months_to_break_even(0, 0) and the TCO model's payback.
    from ftroi_helpers import Scenario, breakeven_days, months_to_break_even, tco

    assert breakeven_requests(2, 2, 0) == 0.0
    assert breakeven_days(0.002, 10_000, 0, 0) == 0.0
    assert months_to_break_even(0, 0) == 0.0
    free = Scenario(hosted_cost_per_1k_req=2, self_hosted_cost_per_1k_req=2, data_prep_usd=0,
                    training_usd=0, eval_harness_usd=0)
    assert tco(free).payback_months == 0.0


def test_zero_one_time_cost_breaks_even_at_once():
    assert breakeven_requests(15, 2, 0) == 0.0


def test_breakeven_returns_a_python_float_for_scalars():
    assert type(breakeven_requests(15, 2, 400)) is float
    assert type(breakeven_requests(np.float64(15), np.int64(2), np.array(400))) is float


def test_breakeven_arrays_are_masked_exactly_where_self_hosting_is_not_cheaper():
    out = breakeven_requests(np.array([15.0, 10.0, 2.0, 1.0]), 2, 400)
    assert isinstance(out, np.ma.MaskedArray)
    assert out.compressed() == pytest.approx([400 / 13 * 1000, 400 / 8 * 1000])
    assert np.ma.getmaskarray(out).tolist() == [False, False, True, True]
    assert not np.isinf(out).any() and not np.isnan(out).any()
    assert out.fill_value == np.inf and np.isinf(out.data[2:]).all()


def test_breakeven_arrays_are_masked_arrays_even_when_nothing_is_never():
    out = breakeven_requests(np.array([15.0, 10.0]), 2, 400)
    assert isinstance(out, np.ma.MaskedArray) and not np.ma.getmaskarray(out).any()


def test_breakeven_arrays_broadcast_to_a_grid():
    out = breakeven_requests(np.array([15.0, 10.0]), 2, np.array([[400.0], [800.0]]))
    assert out.shape == (2, 2)
    assert out[1, 1] == pytest.approx(800 / 8 * 1000)


def test_scalar_costs_with_an_array_of_one_time_costs_give_an_array():
    out = breakeven_requests(15, 2, np.array([0.0, 400.0, 1300.0]))
    assert out.tolist() == pytest.approx([0.0, 400 / 13 * 1000, 100_000.0])
    assert breakeven_requests(2, 2, np.array([0.0, 400.0])).tolist() == [0.0, None]


@SETTINGS
@given(st.lists(st.tuples(money, money, money), min_size=1, max_size=8))
def test_breakeven_arrays_equal_the_scalar_results(rows):
    hosted, self_hosted, one_time = (np.array(col) for col in zip(*rows, strict=True))
    out = breakeven_requests(hosted, self_hosted, one_time)
    expected = [never_to_inf(breakeven_requests(*row)) for row in rows]
    assert np.ma.getmaskarray(out).tolist() == [e == math.inf for e in expected]
    # Relative to 1e-12; absolutely to 1e-300 requests, where rounding in the last bits of a
    # denormal result (multiply-then-divide against divide-then-multiply) is all that differs.
    np.testing.assert_allclose(out.filled(np.inf), expected, rtol=1e-12, atol=1e-300)


@SETTINGS
@given(money, money, positive_money, st.floats(min_value=0.01, max_value=100))
def test_breakeven_falls_as_per_request_savings_rise(hosted, self_hosted, one_time, extra):
    base = never_to_inf(breakeven_requests(hosted, self_hosted, one_time))
    cheaper = never_to_inf(breakeven_requests(hosted + extra, self_hosted, one_time))
    assert cheaper <= base
    if math.isfinite(base):
        assert cheaper < base


@SETTINGS
@given(money, money, money, st.floats(min_value=0.01, max_value=1e5))
def test_breakeven_rises_with_the_one_time_cost(hosted, self_hosted, one_time, extra):
    base = never_to_inf(breakeven_requests(hosted, self_hosted, one_time))
    dearer = never_to_inf(breakeven_requests(hosted, self_hosted, one_time + extra))
    assert dearer >= base
    if hosted > self_hosted:
        assert dearer > base


@SETTINGS
@given(money, money, positive_money)
def test_breakeven_requests_repay_the_one_time_cost_exactly(hosted, self_hosted, one_time):
    requests = breakeven_requests(hosted, self_hosted, one_time)
    assert (requests is None) == (hosted <= self_hosted)
    if requests is not None:
        saved = requests / 1000 * (hosted - self_hosted)
        assert saved == pytest.approx(one_time, rel=1e-9)


PARAMS = ["hosted_cost_per_1k_req", "self_hosted_cost_per_1k_req", "one_time_finetune_cost"]


@pytest.mark.parametrize("position", range(3))
@pytest.mark.parametrize(
    ("bad", "error"),
    [(-3, ValueError), (math.nan, ValueError), (math.inf, ValueError), ("15", TypeError),
     (True, TypeError), (None, TypeError), ([1.0, -1.0], ValueError)],
)
def test_bad_breakeven_inputs_raise_naming_the_parameter(position, bad, error):
    args = [15.0, 2.0, 400.0]
    args[position] = bad
    with pytest.raises(error, match=rf"^{PARAMS[position]} must"):
        breakeven_requests(*args)


def test_negative_cost_message_shows_the_value():
    with pytest.raises(ValueError, match=r"^hosted_cost_per_1k_req must be >= 0, got -3$"):
        breakeven_requests(-3, 2, 400)


# -- explain_breakeven -------------------------------------------------------------------------

def test_explain_reads_like_source_003s_sentence():
    # 003_512d162286761903.txt prints f"Break even after ~{req_to_breakeven:,.0f} requests"
    assert explain_breakeven(15, 2, 400) == "Break even after ~30,769 requests"


def test_explain_rounds_to_whole_requests_with_thousands_separators():
    assert explain_breakeven(10, 2, 8_000_000) == "Break even after ~1,000,000,000 requests"


def test_explain_says_self_hosting_is_not_cheaper_and_shows_both_prices():
    text = explain_breakeven(2, 15, 400)
    assert text.startswith("Self-hosting is not cheaper per request")
    assert "$15.00 vs $2.00 per 1k" in text
    assert text.endswith("fine-tune only for behaviour, not for cost")


def test_explain_refuses_arrays():
    with pytest.raises(TypeError, match="^hosted_cost_per_1k_req must be a single number"):
        explain_breakeven(np.array([15.0, 10.0]), 2, 400)


def test_explain_rejects_bad_input_naming_the_parameter():
    with pytest.raises(ValueError, match=r"^one_time_finetune_cost must be >= 0, got -1$"):
        explain_breakeven(15, 2, -1)


# -- breakeven_days ----------------------------------------------------------------------------

def test_days_are_training_cost_over_daily_savings():
    # $0.002 per call x 10,000 calls a day x 60 % saved = $12 a day; $300 / $12 = 25 days.
    assert breakeven_days(0.002, 10_000, 300, 0.6) == pytest.approx(25.0)


def test_days_for_source_002s_classification_saving_at_its_own_figures():
    # 002_44dbb0b6dad16d21.txt claims $54/month saved at 10K req/day, i.e. $1.80 a day, and a
    # gpt-4o-mini training run of $15-75: 15 / 1.8 = 8.3 days and 75 / 1.8 = 41.7 days.
    per_call = 54 / 30 / 10_000
    assert breakeven_days(per_call, 10_000, 15, 1.0) == pytest.approx(15 / 1.8)
    assert breakeven_days(per_call, 10_000, 75, 1.0) == pytest.approx(75 / 1.8)


def test_days_are_never_when_nothing_is_saved():
    assert breakeven_days(0.002, 10_000, 300, 0) is None
    assert breakeven_days(0.002, 0, 300, 0.6) is None
    assert breakeven_days(0, 10_000, 300, 0.6) is None


def test_zero_training_cost_pays_back_at_once_even_with_no_savings():
    assert breakeven_days(0.002, 10_000, 0, 0.6) == 0.0
    assert breakeven_days(0.002, 10_000, 0, 0) == 0.0


def test_days_broadcast_over_arrays():
    out = breakeven_days(0.002, np.array([10_000, 5_000, 0]), 300, 0.6)
    assert out[:2].tolist() == pytest.approx([25.0, 50.0])
    assert np.ma.getmaskarray(out).tolist() == [False, False, True]
    assert not np.isinf(out).any()


def test_days_array_of_training_costs_gives_zero_where_free():
    out = breakeven_days(0.002, 10_000, np.array([0.0, 300.0]), 0.0)
    assert out[0] == 0.0 and out[1] is np.ma.masked


@SETTINGS
@given(st.lists(st.tuples(zero_or(1e-6, 1), zero_or(1, 1e6), money, zero_or(1e-3, 1)),
                min_size=1, max_size=8))
def test_days_arrays_equal_the_scalar_results(rows):
    cols = [np.array(c) for c in zip(*rows, strict=True)]
    np.testing.assert_allclose(breakeven_days(*cols).filled(np.inf),
                               [never_to_inf(breakeven_days(*r)) for r in rows], rtol=1e-12)


@SETTINGS
@given(st.floats(1e-4, 1), st.floats(1, 1e6), positive_money, st.floats(0.01, 0.99),
       st.floats(0.001, 0.5))
def test_days_fall_as_the_savings_fraction_rises(p, v, t, s, more):
    assert breakeven_days(p, v, t, min(s + more, 1.0)) < breakeven_days(p, v, t, s)


DAY_PARAMS = ["prompt_cost_per_call", "calls_per_day", "training_cost", "savings_fraction"]


@pytest.mark.parametrize("position", range(4))
@pytest.mark.parametrize(
    ("bad", "error"),
    [(-1, ValueError), (math.nan, ValueError), (math.inf, ValueError), ("1", TypeError),
     (False, TypeError), (None, TypeError)],
)
def test_bad_days_inputs_raise_naming_the_parameter(position, bad, error):
    args = [0.002, 10_000, 300, 0.6]
    args[position] = bad
    with pytest.raises(error, match=rf"^{DAY_PARAMS[position]} must"):
        breakeven_days(*args)


def test_savings_fraction_above_one_is_rejected():
    with pytest.raises(ValueError, match=r"^savings_fraction must be between 0 and 1, got 1.2$"):
        breakeven_days(0.002, 10_000, 300, 1.2)


def test_explain_breakeven_days_refuses_arrays_with_a_clear_message():
    import numpy as np

    with pytest.raises(TypeError, match="must be a single number"):
        explain_breakeven_days(np.array([0.002, 0.003]), 10_000, 300, 0.6)


def test_explain_breakeven_days_names_a_bad_argument():
    with pytest.raises(ValueError, match="savings_fraction"):
        explain_breakeven_days(0.002, 10_000, 300, 1.5)


def test_an_array_of_scenarios_gives_exactly_what_each_scenario_gives_alone():
    rng = np.random.default_rng(7)
    hosted = rng.uniform(0.0, 30.0, 500).round(2)
    self_hosted = rng.uniform(0.0, 30.0, 500).round(2)
    one_time = rng.choice([0.0, 400.0, 12_345.6], 500)
    hosted[:3], self_hosted[:3], one_time[:3] = 5.0, 5.0, 0.0  # free projects that save nothing
    many = breakeven_requests(hosted, self_hosted, one_time)
    for i in range(500):
        alone = breakeven_requests(float(hosted[i]), float(self_hosted[i]), float(one_time[i]))
        if alone is None:
            assert np.ma.getmaskarray(many)[i], i
        else:
            assert many[i] == alone, i  # the same formula, to the last bit
