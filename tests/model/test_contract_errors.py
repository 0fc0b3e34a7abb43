"""Issue 11, by hand: the cases the issue names, and every branch of the input checks.

The property suite (test_contract.py) draws thousands of inputs; these tests pin the named
examples and the messages, so a regression reads as a sentence.
"""

from __future__ import annotations

import contextlib
import decimal
import fractions
import io
import math
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

import ftroi_helpers as f
from ftroi_helpers import calculators
from ftroi_helpers.cli import main
from ftroi_helpers.prices import PRICE_COLUMNS, PriceDataError, load_prices, token_prices
from ftroi_helpers.sources import misuse_scenarios, tokens_rule_table, volume_table
from ftroi_helpers.token_costs import monthly_prompting_cost
from ftroi_helpers.validation import (
    MAX_DRAWS,
    MAX_HORIZON_MONTHS,
    MAX_SCENARIO_MONTHS,
    TooLargeError,
    as_number,
    common_shape,
    finite_result,
    require_bool,
    require_choice,
    require_int,
    require_scalar,
    short_repr,
)

HUGE = 10**400


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(err):
        warnings.simplefilter("always")
        code = main(list(argv))
    assert not caught, [str(w.message) for w in caught]
    return code, out.getvalue(), err.getvalue()


# -- the shared checks ---------------------------------------------------------------------------
def test_a_complex_number_is_refused_by_name_not_cast_with_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TypeError, match="^usd_per_hour must be a number.*complex"):
            f.hosting_cost_per_month(np.array([1 + 2j]))
        with pytest.raises(TypeError, match="^epochs must be a number, got 1j .*complex"):
            as_number("epochs", 1j)


@pytest.mark.parametrize("value", [np.array([True, False]), [True, 1.0], ["a", 1.0],
                                   [[1, 2], [3]], {"a": 1}, {1, 2}, object()])
def test_things_that_are_not_numbers_are_refused_by_name(value):
    with pytest.raises(TypeError, match="^gpus must "):
        as_number("gpus", value)


def test_an_integer_too_large_for_a_float_is_too_large_not_an_overflow_error():
    for value in (HUGE, [1, HUGE], np.array([HUGE], dtype=object)):
        with pytest.raises(TooLargeError, match="^training_tokens .*too large"):
            as_number("training_tokens", value)
    assert issubclass(TooLargeError, ValueError)


def test_fractions_decimals_numpy_scalars_and_series_are_numbers():
    assert as_number("x", fractions.Fraction(1, 4)) == 0.25
    assert as_number("x", decimal.Decimal("2.5")) == 2.5
    assert as_number("x", np.float32(0.5)) == 0.5
    assert as_number("x", pd.Series([1, 2])).tolist() == [1.0, 2.0]
    with pytest.raises(ValueError, match="finite"):
        as_number("x", decimal.Decimal("NaN"))
    with pytest.raises(ValueError, match="^x must contain only finite numbers, got nan$"):
        as_number("x", np.array([1, math.nan], dtype=object))
    with pytest.raises(TypeError, match=r"^x must hold only numbers, got None \(NoneType\)"):
        as_number("x", np.array([1, None], dtype=object))


def test_one_number_is_refused_as_an_array_by_name():
    with pytest.raises(TypeError, match=r"^x must be a single number, got an array of shape"):
        require_scalar("x", [1.0, 2.0])
    assert require_scalar("x", 3) == 3.0


def test_long_or_huge_values_are_shortened_in_messages():
    assert short_repr("x" * 10_000).endswith("... (10,000 characters)")
    assert len(short_repr("x" * 10_000)) < 90
    assert short_repr(10**5000) == "an integer of 5,001 digits"
    assert short_repr(-HUGE) == "a negative integer of 401 digits"
    assert short_repr(np.arange(100)).startswith("array of shape (100,)")
    assert short_repr(list(range(1000))).endswith("(1,000 items, list)")

    class Broken:
        def __repr__(self):
            raise RuntimeError("no")

    assert short_repr(Broken()) == "<Broken>"
    with pytest.raises(ValueError) as info:
        token_prices("x" * 10_000)
    assert len(str(info.value)) < 300


def test_whole_numbers_have_a_named_upper_limit():
    with pytest.raises(ValueError, match=r"^n must be <= 600 \(MAX_HORIZON_MONTHS\), got 601$"):
        require_int("n", 601, maximum=600, limit_name="MAX_HORIZON_MONTHS")
    with pytest.raises(ValueError, match=r"^n must be >= 10,000, got 3$"):
        require_int("n", 3, minimum=10_000)
    assert require_int("n", np.array(4)) == 4
    assert require_int("n", HUGE) == HUGE  # a count may be any size where it is only compared


def test_yes_no_and_choices_name_the_parameter():
    assert require_bool("naive", np.bool_(True)) is True
    with pytest.raises(TypeError, match="^naive must be True or False, got 1"):
        require_bool("naive", 1)
    with pytest.raises(TypeError, match="^metric must be one of"):
        require_choice("metric", ["payback_months"], ["payback_months"])
    with pytest.raises(ValueError, match="^x must be one of .*[.][.][.], got 'z'"):
        require_choice("x", "z", [f"option {i}" for i in range(100)])


def test_arrays_that_cannot_be_combined_are_named_both():
    with pytest.raises(ValueError, match=r"^hosted_cost_per_1k_req and one_time_finetune_cost "
                                         r"must have the same length .* got 3 and 2 values$"):
        f.breakeven_requests(np.ones(3), 2, np.ones(2))
    assert common_shape(a=np.ones((2, 3)), b=np.ones(3)) == (2, 3)


def test_an_overflow_names_the_element_of_an_array_that_caused_it():
    with pytest.raises(TooLargeError, match=r"for x\[1\]=1e\+308$"):
        finite_result(np.array([1.0, np.inf]), "y", {"x": np.array([1.0, 1e308])})
    out = finite_result(np.array([np.inf, 2.0]), "y", {"x": 1.0},
                        allowed=np.array([True, False]))
    assert out.tolist() == [np.inf, 2.0]


# -- the named cases -----------------------------------------------------------------------
def test_overflow_is_too_large_not_the_opposite_answer():
    # issue 11: explain_breakeven(15, 2, 1e308) said self-hosting is not cheaper
    with pytest.raises(TooLargeError, match="^requests to break even is too large"):
        f.explain_breakeven(15, 2, 1e308)
    with pytest.raises(TooLargeError, match="one_time_finetune_cost"):
        f.breakeven_requests(np.array([15.0, 15.0]), 2, np.array([400.0, 1e308]))
    with pytest.raises(TooLargeError, match="daily saving"):
        f.explain_breakeven_days(1e308, 10, 300, 0.6)
    with pytest.raises(TooLargeError, match="months to break even"):
        f.breakeven_timeline(15, 2, 400, 1e-320)


def test_a_saving_beyond_the_largest_float_still_gives_the_right_days():
    # T / (P V S) with P V S = 1e308 x 10 x 0.5 = 5e308 (beyond a float): 1e300 / 5e308
    assert f.breakeven_days(1e308, 10, 1e300, 0.5) == pytest.approx(2e-9, rel=1e-9)


def test_wrappers_name_their_own_parameters():
    # issue 11: gpu_breakeven_requests_per_month(-1, 15) talked about "usd_per_hour"
    with pytest.raises(ValueError, match="^usd_per_gpu_hour must be >= 0, got -1$"):
        f.gpu_breakeven_requests_per_month(-1, 15)
    with pytest.raises(ValueError, match="^base_model must be one of"):
        monthly_prompting_cost(10_000, 800, 50, base_model="gpt-5")
    with pytest.raises(ValueError, match="^finetuned_model must be one of"):
        f.inference_savings_table(finetuned_model="gpt-5")
    with pytest.raises(TooLargeError, match="^the monthly saving .*ft_usd_per_1m_output"):
        f.monthly_inference_savings(10_000, 800, 200, 50, 0.15, 0.6, 0.3, 1.7e308)


@pytest.mark.parametrize("call", [lambda bad: f.tco(bad), lambda bad: f.simulate(bad),
                                  lambda bad: f.cost_curves_figure(bad),
                                  lambda bad: f.replace(bad, horizon_months=3)])
def test_a_wrong_type_for_a_scenario_is_a_type_error_naming_it(call):
    # issue 11: AttributeError for tco, simulate, cost_curves_figure
    for bad in ("x", {"horizon_months": 3}, f.Scenario):
        with pytest.raises(TypeError, match="^scenario must be a Scenario"):
            call(bad)


def test_compare_scenarios_names_a_wrong_type():
    with pytest.raises(TypeError, match="^scenarios must be a dict of label -> Scenario"):
        f.compare_scenarios([f.Scenario()])
    with pytest.raises(TypeError, match=r"^scenarios\['a'\] must be a Scenario, got 3"):
        f.compare_scenarios({"a": 3})


def test_ask_names_question_id_for_a_list():
    # issue 11: ask(["L1.1"]) gave "unhashable type"
    with pytest.raises(TypeError, match=r"^question_id must be a question's id such as 'L1.2'"):
        f.ask(["L1.1"])
    with pytest.raises(ValueError, match="^question_id must be one of"):
        f.ask("L9.9")


def test_a_long_answer_is_not_echoed_in_full():
    from ftroi_helpers.selfcheck import grade_choice

    feedback = grade_choice("L1.1", "z" * 10_000)
    assert not feedback.correct and len(feedback.message) < 200
    with pytest.raises(TypeError, match="^answer must be a letter"):
        grade_choice("L1.1", ["A"])


def test_share_text_refuses_nan_instead_of_printing_nan_percent():
    with pytest.raises(ValueError, match="^p must be a finite number, got nan$"):
        f.share_text(math.nan)
    with pytest.raises(ValueError, match="^p must be between 0 and 1"):
        f.share_text(2)


def test_breakeven_timeline_refuses_arrays_by_name_before_summary_could_fail():
    with pytest.raises(TypeError, match="^requests_per_month must be a single number"):
        f.breakeven_timeline(15, 2, 400, [200_000, 300_000])
    assert f.breakeven_timeline(2, 2, 0).summary() == \
        "Break even at once: there is no one-time cost to repay"


def test_a_free_project_has_the_same_answer_everywhere():
    # issue 11: months_to_break_even(0, 0) was inf while breakeven_days(P, V, 0, 0) was 0
    assert f.months_to_break_even(0, 0) == 0.0
    assert f.breakeven_days(0.002, 10_000, 0, 0) == 0.0
    assert f.breakeven_requests(2, 2, 0) == 0.0
    assert f.months_to_break_even(np.array([0.0, 0.0, 5.0]), np.array([0.0, -1.0, 0.0])
                                  ).tolist() == [0.0, None, None]
    assert f.explain_breakeven(2, 2, 0) == \
        "Break even at once: there is no one-time cost to repay"


# -- size limits ---------------------------------------------------------------------------------
def test_sizes_have_named_limits_that_fit_the_machine():
    # issue 11: a horizon of 10**15 months and 10**15 draws ran out of memory
    with pytest.raises(ValueError, match=r"^horizon_months must be <= 600 \(MAX_HORIZON"):
        f.tco(f.Scenario(horizon_months=10**15))
    with pytest.raises(ValueError, match=r"^n_draws must be <= 10,000,000 \(MAX_DRAWS\)"):
        f.monte_carlo(n_draws=10**15)
    with pytest.raises(ValueError, match=r"^n_draws x the scenario's horizon_months must be"):
        f.monte_carlo(f.Scenario(horizon_months=600), n_draws=MAX_DRAWS)
    with pytest.raises(ValueError, match=r"^hosted_cost_per_1k_req \(1,000,000 scenarios\) x "
                                         r"horizon_months \(600\) must be at most"):
        f.simulate(f.Scenario(horizon_months=600), hosted_cost_per_1k_req=np.ones(1_000_000))
    assert MAX_HORIZON_MONTHS == 600 and MAX_SCENARIO_MONTHS >= MAX_DRAWS * 12
    with pytest.raises(ValueError, match="n_examples x n_sets"):
        f.simulate_eval(10_000, [0.9, 0.95], n_sets=10_000)
    with pytest.raises(ValueError, match="held_out_examples x n_sets"):
        f.measured_delta_spread([100_000], 0.9, 0.95, n_sets=10_000)
    with pytest.raises(ValueError, match=r"^requests_per_day must hold at most 100,000"):
        volume_table(range(1, 10**15))


def test_an_overflowing_scenario_is_too_large_naming_its_largest_fields():
    with pytest.raises(TooLargeError, match=r"^the cumulative cost over horizon_months=12 is "
                                            r"too large .* data_prep_usd=1e\+308"):
        f.tco(f.Scenario(data_prep_usd=1e308, training_usd=1e308))
    with pytest.raises(TooLargeError, match=r"\(scenario 1\)"):
        f.simulate(f.Scenario(self_hosted_cost_per_1k_req=0),
                   hosting_usd_per_month=np.array([1.0, 1e308]))


def test_a_scenario_refuses_empty_and_ragged_input_by_field():
    with pytest.raises(ValueError, match="^data_prep_usd must hold at least one value"):
        f.simulate(None, data_prep_usd=[])
    with pytest.raises(TypeError, match="^requests_per_month must be a single number"):
        f.Scenario(requests_per_month=[[1, 2], [3]])
    assert f.tco(f.Scenario(retrain_every_months=HUGE)).payback_month == 1  # never retrains


def test_eval_helpers_say_too_large_or_too_many():
    with pytest.raises(TooLargeError, match="^the held-out examples needed are too many"):
        f.min_examples_to_detect(0.5, 1e-300)
    with pytest.raises(ValueError, match="^n_examples must be <= 9,007,199,254,740,992"):
        f.held_out_split(2**60)
    with pytest.raises(TooLargeError, match="^USD per correct answer is too large"):
        f.cost_per_correct_answer(1e308, 1e-10)
    with pytest.raises(TooLargeError, match="^the monthly cost is too large"):
        f.quality_adjusted_comparison(1e308, 0.9, 0.1, 0.9, 0.05, 300_000)
    low, _ = f.accuracy_interval(1, 1e308)  # no overflow warning on a vast count
    assert low == 0.0 or low < 1e-300


def test_tables_name_their_list_parameters():
    with pytest.raises(TypeError, match="^pairs must be a list of"):
        tokens_rule_table(pairs="ab")
    with pytest.raises(ValueError, match="^pairs must name models of the price table"):
        tokens_rule_table(pairs=[("gpt-4o-mini-2024-07-18", "gpt-5")])
    with pytest.raises(ValueError, match="^pairs must hold at least one"):
        tokens_rule_table(pairs=[])
    with pytest.raises(TypeError, match="^requests_per_day must be a number"):
        volume_table("300")
    assert len(volume_table(x for x in (100, 1_000))) == 2  # a generator is a list
    with pytest.raises(TooLargeError, match="^requests per month is too large"):
        misuse_scenarios(1.7e308)
    with pytest.raises(ValueError, match=r"^values: hosted_cost_per_1k_req must be >= 0"):
        f.sweep(None, "hosted_cost_per_1k_req", [-1])
    with pytest.raises(TypeError, match="^name must be a Scenario field"):
        f.sweep(None, 3, [1])
    with pytest.raises(TypeError, match="^names must be a list of Scenario field names"):
        f.ranges_around(names="hosted_cost_per_1k_req")
    with pytest.raises(TypeError, match="^names must be a list, got 3"):
        f.ranges_around(names=3)


def test_formatters_refuse_what_they_cannot_print():
    from ftroi_helpers.plots import breakeven_series, usd
    from ftroi_helpers.prediction import closeness, format_number

    assert usd(math.inf) == "never"
    with pytest.raises(TypeError, match="^value must be a number of dollars"):
        usd("5")
    with pytest.raises(ValueError, match="^value is too large to show"):
        usd(HUGE)
    with pytest.raises(ValueError, match="^decimals must be <= 20"):
        usd(1, 99)
    with pytest.raises(ValueError, match="^max_requests must be > 0"):
        breakeven_series(15, 2, 400, max_requests=-1)
    with pytest.raises(TooLargeError, match="the chart's cumulative cost"):
        breakeven_series(1e300, 2, 400, max_requests=1e300)
    with pytest.raises(ValueError, match=r"^value must be a number, or None for never"):
        format_number(math.nan)
    with pytest.raises(ValueError, match=r"^value must be a number, or None for never"):
        format_number(-math.inf)
    assert closeness(5, 0).ratio is None and closeness(0, 0).ratio == 1.0
    assert format_number(None) == format_number(math.inf) == "never"


def test_hosting_keeps_a_tiny_bill_and_names_every_part_of_the_capacity():
    assert f.hosting_cost_per_month(1e-300) == pytest.approx(7.3e-298)
    with pytest.raises(ValueError, match=r"for 1 hours\), got 200,000: .*hours_per_month"):
        f.gpu_utilization(200_000, 10, hours_per_month=1)
    with pytest.raises(ValueError, match="far more than 100%"):
        f.gpu_utilization(200_000, 1e-300)
    assert f.self_hosted_cost_per_1k_req(1.0, 1e308, 1.0) == 0.0 or \
        f.self_hosted_cost_per_1k_req(1.0, 1e308, 1.0) < 1e-300


def test_token_costs_take_a_safer_order_before_saying_too_large():
    # 1e305 tokens x $1e5 per 1M: the product overflows, the cost (1e304) does not
    assert f.request_cost(1e305, 0, 1e5, 0) == pytest.approx(1e304)
    assert f.training_cost_tokens(1e305, 10, 1e5) == pytest.approx(1e305)
    with pytest.raises(TooLargeError, match="^USD per request is too large"):
        f.request_cost(1e308, 0, 1e300, 0)
    with pytest.raises(TooLargeError, match="^tokens per month is too large"):
        f.monthly_tokens(1e308, 1e308)
    assert f.monthly_inference_savings(10_000, 800, 200, 50, 0.15, 0.6, 0.3, 1.2,
                                       naive=np.bool_(True)) == pytest.approx(54.0)


# -- the price table -----------------------------------------------------------------------------
def _write(tmp_path, rows: list[dict], columns=PRICE_COLUMNS) -> str:
    table = load_prices().head(2).to_dict("records")
    for row, change in zip(table, rows, strict=False):
        row.update(change)
    path = tmp_path / "prices.csv"
    pd.DataFrame(table)[list(columns)].to_csv(path, index=False)
    return str(path)


@pytest.mark.parametrize(("change", "message"), [
    ({"base_usd_per_1m_input_tokens": "cheap"},
     r"line 2 \('gpt-4o-mini-2024-07-18'\): base_usd_per_1m_input_tokens must be a number"),
    ({"ft_usd_per_1m_output_tokens": -1.2}, "must be a positive number"),
    ({"ft_usd_per_1m_output_tokens": "inf"}, "must be a positive number"),
    ({"as_of": ""}, "line 2: as_of is blank"),
    ({"as_of": "23/07/2024"}, "as_of must be an ISO date such as 2024-07-23, got '23/07/2024'"),
    ({"as_of": "2024-02-30"}, "as_of must be an ISO date"),
    ({"source": ""}, "source is blank"),
    ({"training_usd_per_1m_tokens_low": 30.0}, "training_usd_per_1m_tokens_low .* must be at most"),
])
def test_every_row_of_the_price_table_is_checked(tmp_path, change, message):
    with pytest.raises(PriceDataError, match=message):
        load_prices(_write(tmp_path, [change]))


def test_duplicate_models_and_missing_columns_and_files_are_one_clear_error(tmp_path):
    dup = _write(tmp_path, [{}, {"model": "gpt-4o-mini-2024-07-18"}])
    with pytest.raises(PriceDataError, match="line 3 .*already on line 2"):
        load_prices(dup)
    short = _write(tmp_path, [{}], columns=[c for c in PRICE_COLUMNS if c != "source"])
    with pytest.raises(PriceDataError, match="lacks the column.s. source"):
        load_prices(short)
    with pytest.raises(PriceDataError, match="is missing$"):
        load_prices(tmp_path / "nope.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(PriceDataError, match="is empty"):
        load_prices(empty)
    header_only = tmp_path / "header.csv"
    header_only.write_text(",".join(PRICE_COLUMNS) + "\n")
    with pytest.raises(PriceDataError, match="has no rows"):
        load_prices(header_only)
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(PriceDataError, match="cannot be read"):
        load_prices(binary)


def test_a_broken_shipped_price_table_is_an_internal_error_of_the_command_line(monkeypatch,
                                                                               tmp_path):
    from ftroi_helpers import prices

    class Folder:
        def joinpath(self, _name):
            return tmp_path / "missing.csv"

    monkeypatch.setattr(prices.resources, "files", lambda _pkg: Folder())
    code, out, err = run("prices")
    assert code == 3 and out == ""
    assert err == "ftroi: internal error: the price table prices.csv (shipped with " \
                  "ftroi_helpers) is missing: reinstall the package\n"


# -- the command line ----------------------------------------------------------------------------
def test_the_command_line_says_too_large_instead_of_never_or_inf():
    # issue 11: the CLI printed "never a month" or "saving $inf a day"
    code, out, err = run("days", "--prompt-cost", "1e308", "--calls-per-day", "10",
                         "--training-cost", "300", "--savings", "0.6")
    assert code == 2 and out == "" and "too large" in err and "--prompt-cost" in err
    code, out, err = run("breakeven", "--hosted", "15", "--self-hosted", "2", "--one-time",
                         "1e300", "--requests-per-day", "1e-300")
    assert code == 2 and out == "" and err.startswith("ftroi: error: days to break even is")


def test_the_command_line_names_the_flag_the_user_typed():
    code, _, err = run("breakeven", "--hosted", "-3", "--self-hosted", "2", "--one-time", "400")
    assert err == "ftroi: error: hosted_cost_per_1k_req must be >= 0, got -3 (flag --hosted)\n"
    code, _, err = run("tokens", "--requests-per-day", "1", "--prompted-input-tokens", "1",
                       "--finetuned-input-tokens", "1", "--output-tokens", "1",
                       "--ft-model", "gpt-5")
    assert code == 2 and err.startswith("ftroi: error: --ft-model: model must be one of")
    code, _, err = run("breakeven", "--hosted", "x" * 5000, "--self-hosted", "2",
                       "--one-time", "400")
    assert code == 2 and len(err) < 300 and "(5,000 characters)" in err


@pytest.mark.parametrize(("exc", "code", "line"), [
    (RuntimeError("boom"), 3, "ftroi: internal error: RuntimeError: boom (please report this)"),
    (MemoryError(), 3, "ftroi: internal error: not enough memory for this command; try "
                       "smaller values"),
    (KeyboardInterrupt(), 130, "ftroi: interrupted"),
])
def test_an_internal_error_is_one_line_with_its_own_exit_code(monkeypatch, exc, code, line):
    import ftroi_helpers.cli as cli

    def broken(_args):
        raise exc

    monkeypatch.setattr(cli, "_days", broken)
    result = run("days", "--prompt-cost", "1", "--calls-per-day", "1", "--training-cost", "1",
                 "--savings", "0.5")
    assert result == (code, "", line + "\n")


def test_no_numpy_warning_reaches_the_terminal():
    # -W error::RuntimeWarning would turn a leaked warning into a traceback
    out = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-m", "ftroi_helpers",
                          "tco", "--self-hosted-cost-per-1k-req", "0", "--hosting-usd-per-month",
                          "1e308", "--monitoring-usd-per-month", "1e308"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2, out.stderr
    assert out.stderr.startswith("ftroi: error: the cumulative cost") and \
        out.stderr.count("\n") == 1


# -- calculators ---------------------------------------------------------------------------------
def test_a_calculator_built_outside_a_slider_range_answers_for_that_value():
    # issue 11: break_even(hosted_cost_per_1k_req=100) showed $50's answer (8,333 requests);
    # 400 / (100 - 2) * 1,000 = 4,082
    calc = calculators.break_even(hosted_cost_per_1k_req=100)
    assert calc.controls["hosted_cost_per_1k_req"].value == 100
    assert calc.result_text == "Break even after ~4,082 requests"


def test_the_capstone_set_outside_its_range_agrees_with_tco():
    # issue 11: with data_prep_usd=50,000 the capstone said "$9,486 behind" (it had clamped
    # the value to its slider's 20,000) where tco said "$42,050 behind".
    calc = calculators.capstone()
    calc.set(data_prep_usd=50_000)
    assert calc.controls["data_prep_usd"].value == 50_000
    scenario = calc.outcome.data["scenario"]
    assert scenario.data_prep_usd == 50_000
    behind = -f.tco(scenario).table["cumulative_savings_usd"].iloc[-1]
    assert behind > 0 and f"${behind:,.0f} behind" in calc.result_text


def test_a_value_a_control_cannot_hold_is_refused_by_name_and_changes_nothing():
    calc = calculators.break_even()
    before = (calc.values(), calc.result_text)
    for bad, error in ((math.nan, ValueError), (math.inf, ValueError), ("5", TypeError),
                       (1j, TypeError), (HUGE, ValueError), (None, TypeError)):
        with pytest.raises(error, match="^hosted_cost_per_1k_req "):
            calc.set(hosted_cost_per_1k_req=bad)
        assert (calc.values(), calc.result_text) == before
    with pytest.raises(TypeError, match="^unknown control.s.: colour; the controls are"):
        calc.set(colour=1)
    with pytest.raises(TypeError, match="^hosted_cost_per_1k_req must be a number"):
        calculators.break_even(hosted_cost_per_1k_req="15")


def test_whole_number_text_and_choice_controls_refuse_the_wrong_kind_by_name():
    with pytest.raises(TypeError, match="^calls_per_day must be a whole number, got 2.5"):
        calculators.break_even_days().set(calls_per_day=2.5)
    with pytest.raises(ValueError, match="^calls_per_day is too large for this control"):
        calculators.break_even_days().set(calls_per_day=2**60)
    with pytest.raises(ValueError, match="^base_model must be one of"):
        calculators.token_savings(base_model="gpt-5")
    with pytest.raises(TypeError, match="^format_or_style_task must be True or False"):
        calculators.decision_tree(format_or_style_task="yes")
    with pytest.raises(TypeError, match="^system_prompt must be text"):
        calculators.prompt_cost(system_prompt=3)


def _toy(fail: dict):
    from ftroi_helpers.calculators._base import Calculator, Outcome, float_slider

    def compute(x):
        if fail.get("compute"):
            raise fail["compute"]
        return Outcome(fail.get("sentence", f"x is {x}"), {"x": x})

    def draw(ax, outcome):
        if fail.get("draw"):
            raise fail["draw"]
        (line,) = ax.plot([0, 1], [0, outcome.data["x"]])
        return line

    def redraw(ax, line, outcome):
        draw(ax, outcome)

    return Calculator("toy", {"x": float_slider("x (units)", 1.0, 0, 10, 1)}, compute, draw,
                      redraw)


@pytest.mark.parametrize(("fail", "shown"), [
    ({"draw": ValueError("Axis limits cannot be NaN or Inf")}, "too large to chart"),
    ({"draw": KeyError("artist")}, "internal error (KeyError"),
    ({"compute": MemoryError()}, "need more memory than this machine has"),
    ({"compute": OverflowError("math range error")}, "too large to compute with"),
    ({"compute": ZeroDivisionError("division by zero")}, "internal error (ZeroDivisionError"),
    ({"sentence": "saving $inf a day"}, "a number in it is too large to show"),
])
def test_any_error_while_computing_or_drawing_shows_beside_the_controls_and_recovers(fail,
                                                                                     shown):
    trouble = dict(fail)
    fail.clear()
    calc = _toy(fail)
    assert calc.error is None and calc.image.layout.display is None
    picture = calc.image.value
    fail.update(trouble)
    calc.set(x=2.0)                          # never raises
    assert shown in calc.error and "ftroi-error" in calc.message.value
    assert calc.image.layout.display == "none" and "ftroi-stale" in calc.image._dom_classes
    fail.clear()
    calc.set(x=3.0)                          # recovers
    assert calc.error is None and calc.result_text == "x is 3.0"
    assert calc.image.layout.display is None and calc.image.value != picture


def test_an_error_message_shows_the_label_the_learner_sees():
    calc = calculators.break_even()
    calc.set(hosted_cost_per_1k_req=-3)
    assert calc.error == "hosted_cost_per_1k_req must be >= 0, got -3"
    shown = calc.controls["hosted_cost_per_1k_req"].description
    assert shown == "Hosted API price (USD per 1,000 requests)"  # the fields' registry's label
    assert f"{shown}: hosted_cost_per_1k_req must be" in calc.message.value
    calc.set(hosted_cost_per_1k_req=15)
    assert calc.error is None and calc.controls["hosted_cost_per_1k_req"].min == -3


# -- the corners of the shared checks ------------------------------------------------------------
def test_the_corners_of_the_shared_checks_still_name_the_parameter():
    with pytest.raises(TypeError, match="^x must be a number"):
        as_number("x", decimal.Decimal("sNaN"))            # a Decimal float() refuses
    with pytest.raises(TooLargeError, match="^x is too large"):
        as_number("x", decimal.Decimal("1e400"))           # beyond a float
    with pytest.raises(TypeError, match="^x must be a number, got <object"):
        as_number("x", np.array(object()))                  # a 0-d array of something else
    ragged = np.empty(2, dtype=object)
    ragged[:] = [[1, 2], [3]]
    with pytest.raises(TypeError, match="of equal lengths"):
        as_number("x", ragged)
    with pytest.raises(TypeError, match="not True/False"):
        as_number("x", [[True, 1.0]])
    with pytest.raises(ValueError, match="^x must be one of 1, 2"):
        require_choice("x", np.array([1, 2]), [1, 2])
    with pytest.raises(TooLargeError, match=r"x\[1\]=1"):
        finite_result(np.array([1.0, np.inf]), "y", {"x": np.ones(3)})

    class Sized:
        def __len__(self):
            raise RuntimeError("no length")

        def __repr__(self):
            return "S" * 200

    assert short_repr(Sized()).endswith("... (Sized)")


def test_a_value_starting_with_a_dash_is_shown_how_to_write():
    code, _, err = run("tco", "--csv", "-inf")
    assert code == 2
    assert err == ("ftroi: error: unrecognized arguments: -inf (a value of --csv that starts "
                   "with '-' is written --csv=-inf)\n")
