"""The retraining calculator (lesson 05) and the capstone calculator (lesson 06).

Controls are set programmatically, as a learner would move them; the sentence shown must equal
what the helpers compute, a bad value must replace it with its message, and the figure must be
the same one, its lines moved in place.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from ftroi_helpers import calculators
from ftroi_helpers.calculators.capstone_decision import capstone, capstone_outcome, capstone_title
from ftroi_helpers.calculators.drift import percent_to_share, retraining, retraining_outcome
from ftroi_helpers.capstone import capstone_answer
from ftroi_helpers.cost_model import REALISTIC, Scenario, replace, simulate, tco
from ftroi_helpers.hosting import hosting_cost_per_month
from ftroi_helpers.sensitivity import REALISTIC_RANGES, share_text
from ftroi_helpers.sensitivity_plots import payback_sentence

#: Lesson 05's scenario: 120k requests/month on an A10G billed by the hour ($1.006/hour,
#: g5.xlarge in prices.csv), monitoring, and a realistic one-time project.
DRIFT = replace(Scenario(), requests_per_month=120_000, self_hosted_cost_per_1k_req=0.0,
                hosting_usd_per_month=hosting_cost_per_month(1.006),
                monitoring_usd_per_month=200.0, data_prep_usd=2_500.0, training_usd=40.0,
                eval_harness_usd=500.0, retrain_every_months=3)


def lines(calc):
    return list(calc.ax.get_lines())


def at_month_ends(line):
    """A cost line's values at the end of months 1, 2, ...: a retraining is drawn as a
    vertical step, so a month boundary can appear twice (before and after the payment)."""
    _, first = np.unique(line.get_xdata(), return_index=True)
    return line.get_ydata()[np.sort(first)][1:]


# -- retraining ---------------------------------------------------------------------------------

def test_retraining_calculator_is_exposed_by_name():
    assert calculators.retraining is retraining
    assert calculators.retraining_outcome is retraining_outcome


def test_retraining_controls_start_at_the_scenario_values():
    calc = retraining(DRIFT)
    assert calc.values() == {"retrain_every_months": 3, "hosted_price_decline_pct": 0.0,
                             "finetune_price_decline_pct": 0.0, "requests_per_month": 120_000}


def test_retraining_sentence_states_the_payback_month_that_tco_computes():
    calc = retraining(DRIFT)
    for cadence, decline in [(3, 0), (1, 0), (6, 25), (3, 50)]:
        calc.set(retrain_every_months=cadence, hosted_price_decline_pct=decline)
        expected = tco(replace(DRIFT, retrain_every_months=cadence,
                               hosted_price_decline_per_year=decline / 100))
        assert calc.outcome.data["scenario"] == expected.scenario
        if expected.payback_month is None:
            assert calc.result_text.startswith("Fine-tuning does not pay back within 12 months")
        else:
            assert f"pays back in month {expected.payback_month} " in calc.result_text
        assert "ftroi-result" in calc.message.value and calc.error is None


def test_monthly_retraining_pays_back_later_than_quarterly():
    # 001_cc89cacdfb6b29fd.txt: retraining is a recurring cost; more often = later payback.
    quarterly = retraining_outcome(3, 0, 0, 120_000, scenario=DRIFT).data["curves"]
    monthly = retraining_outcome(1, 0, 0, 120_000, scenario=DRIFT).data["curves"]
    assert monthly.payback_months[0] > quarterly.payback_months[0]


def test_falling_hosted_prices_can_stop_fine_tuning_paying_back():
    # 002_44dbb0b6dad16d21.txt: hosted prices "have dropped 50-80% annually".
    out = retraining_outcome(3, 80, 0, 120_000, scenario=DRIFT)
    assert out.data["curves"].payback_month[0] == 0
    assert out.sentence.startswith("Fine-tuning does not pay back within 12 months")


def test_sentence_warns_when_fine_tuning_pays_back_and_then_falls_behind():
    # Cheap to start, but the hosted price keeps falling below the GPU's fixed bill.
    s = replace(Scenario(), requests_per_month=80_000, self_hosted_cost_per_1k_req=0.0,
                hosting_usd_per_month=hosting_cost_per_month(1.006))
    curves = simulate(replace(s, hosted_price_decline_per_year=0.8))
    net = curves.prompting_cumulative_usd[0, -1] - curves.finetune_cumulative_usd[0, -1]
    assert curves.payback_month[0] > 0 and net < 0
    out = retraining_outcome(0, 80, 0, 80_000, scenario=s)
    assert out.sentence == (f"Fine-tuning pays back in month {curves.payback_month[0]} but falls "
                            f"behind again: ${-net:,.0f} behind after 12 months")
    assert out.title == f"Pays back in month {curves.payback_month[0]}, then falls behind"


def test_finetune_price_decline_brings_payback_forward():
    slow = retraining_outcome(3, 0, 0, 120_000, scenario=DRIFT).data["curves"]
    # the GPU bill is fixed, so fine-tuning's decline acts on retraining's training cost only
    fast = retraining_outcome(3, 0, 80, 120_000, scenario=DRIFT).data["curves"]
    assert fast.finetune_cumulative_usd[0, -1] < slow.finetune_cumulative_usd[0, -1]


@pytest.mark.parametrize("values,message", [
    ({"requests_per_month": -5}, "requests_per_month must be >= 0, got -5"),
])
def test_retraining_shows_the_message_in_place_of_the_result(values, message):
    calc = retraining(DRIFT)
    before = calc.image.value
    calc.set(**values)
    assert calc.outcome is None and calc.error == message
    assert calc.result_text == message
    assert "ftroi-error" in calc.message.value and "ftroi-result" not in calc.message.value
    assert calc.image.value == before                      # the last good figure stays
    calc.set(requests_per_month=120_000)
    assert calc.error is None and "ftroi-result" in calc.message.value


@pytest.mark.parametrize("args,error,message", [
    ((3, 100, 0, 1_000), ValueError,
     "hosted_price_decline_pct must be below 100 \\(a price cannot fall to zero\\), got 100"),
    ((3, 0, -5, 1_000), ValueError, "finetune_price_decline_pct must be >= 0, got -5"),
    ((2.5, 0, 0, 1_000), TypeError, "retrain_every_months must be a whole number, got 2.5"),
    ((-1, 0, 0, 1_000), ValueError, "retrain_every_months must be >= 0, got -1"),
])
def test_retraining_outcome_rejects_bad_values_naming_the_control(args, error, message):
    with pytest.raises(error, match=message):
        retraining_outcome(*args)


def test_percent_to_share_rejects_arrays():
    with pytest.raises(TypeError, match="must be a single number"):
        percent_to_share("hosted_price_decline_pct", np.array([10, 20]))


def test_retraining_figure_is_reused_and_its_lines_move_in_place():
    calc = retraining(DRIFT)
    fig, ax, before = calc.fig, calc.ax, lines(calc)
    calc.set(retrain_every_months=1)
    calc.set(requests_per_month=200_000)
    assert calc.fig is fig and calc.ax is ax
    assert lines(calc) == before and len(before) == 3          # two curves and the marker
    series = calc.outcome.data["series"]
    np.testing.assert_allclose(before[0].get_ydata(), series["prompting"])
    np.testing.assert_allclose(before[1].get_ydata(), series["finetune"])
    expected = tco(replace(DRIFT, retrain_every_months=1, requests_per_month=200_000))
    np.testing.assert_allclose(at_month_ends(before[0]),
                               expected.table["prompting_cumulative_usd"])
    np.testing.assert_allclose(at_month_ends(before[1]),
                               expected.table["finetune_cumulative_usd"])
    assert before[2].get_xdata()[0] == pytest.approx(expected.payback_months)


def test_retraining_marker_disappears_when_there_is_no_payback():
    calc = retraining(DRIFT)
    calc.set(hosted_price_decline_pct=80)
    mark = lines(calc)[2]
    assert len(mark.get_xdata()) == 0
    assert calc.ax.get_title(loc="left") == "No payback within 12 months"


def test_payback_sentence_reports_the_lead_after_the_horizon():
    s = Scenario(hosted_cost_per_1k_req=3.0)
    sentence, title = payback_sentence(s, simulate(s))
    net = tco(s).table["cumulative_savings_usd"].iloc[-1]
    assert sentence == (f"Fine-tuning pays back in month 2 (after 2.0 months) and is "
                        f"${net:,.0f} ahead after 12 months")
    assert title == "Fine-tuning pays back in month 2"


# -- capstone -----------------------------------------------------------------------------------
# The capstone calculator must report what lesson 06 reports (issue 12): the payback at the
# point values, P(payback within 3 months), P(within 12), P(ahead at month 12) and the drivers,
# from the same ranges; at its starting values, the very same numbers.

START = {"requests_per_month": 200_000, "hosted_cost_per_1k_req": 15, "usd_per_gpu_hour": 1.006,
         "replicas": 2, "data_prep_usd": 2_500, "engineering_usd_per_month": 500,
         "launch_delay_months": 1, "retrain_every_months": 3, "model_switch_month": 9}


def test_capstone_calculator_is_exposed_by_name():
    assert calculators.capstone is capstone
    assert calculators.capstone_outcome is capstone_outcome


def test_capstone_controls_start_at_the_realistic_scenario():
    values = capstone(n_draws=200).values()
    assert values["usd_per_gpu_hour"] == pytest.approx(1.006, abs=0.005)
    for name in ("requests_per_month", "replicas", "data_prep_usd", "engineering_usd_per_month",
                 "launch_delay_months", "retrain_every_months", "model_switch_month"):
        assert values[name] == getattr(REALISTIC, name), name


def test_capstone_at_its_starting_values_reports_lesson_06s_numbers():
    calc = capstone()
    lesson = capstone_answer(REALISTIC, REALISTIC_RANGES, n_draws=10_000, seed=0)
    answer = calc.outcome.data["answer"]
    assert (answer.payback_month, answer.p_within_deadline, answer.p_within_year,
            answer.p_ahead_at_horizon, answer.drivers) == (
        lesson.payback_month, lesson.p_within_deadline, lesson.p_within_year,
        lesson.p_ahead_at_horizon, lesson.drivers)
    assert calc.result_text == lesson.text()
    assert calc.ax.get_title(loc="left") == capstone_title(lesson)


def test_capstone_title_and_text_carry_the_same_three_probabilities():
    out = capstone_outcome(**{**START, "replicas": 1, "data_prep_usd": 1_000}, n_draws=2_000)
    a = out.data["answer"]
    for p in (a.p_within_deadline, a.p_within_year, a.p_ahead_at_horizon):
        assert share_text(p) in out.title and share_text(p) in out.sentence


def test_capstone_monte_carlo_moves_with_the_controls():
    # the draws peak at the controls' values, so a cheaper deployment is likelier to pay back
    base = capstone_outcome(**START, n_draws=2_000).data["answer"]
    cheaper = capstone_outcome(**{**START, "replicas": 1}, n_draws=2_000).data["answer"]
    assert cheaper.p_within_year > base.p_within_year


def test_capstone_shows_the_payback_the_model_computes():
    calc = capstone(n_draws=500)
    calc.set(usd_per_gpu_hour=1.5, data_prep_usd=6_000, replicas=3)
    s = replace(REALISTIC, hosting_usd_per_month=hosting_cost_per_month(1.5),
                data_prep_usd=6_000.0, replicas=3)
    assert calc.outcome.data["scenario"] == s
    expected = tco(s)
    if expected.payback_month is None:
        assert calc.result_text.startswith("At the point values fine-tuning does not pay back")
    else:
        assert f"pays back in month {expected.payback_month} " in calc.result_text


def test_capstone_monte_carlo_is_the_same_every_time():
    a = capstone_outcome(**START, n_draws=1_000)
    b = capstone_outcome(**START, n_draws=1_000)
    np.testing.assert_array_equal(a.data["answer"].monte_carlo.payback_months,
                                  b.data["answer"].monte_carlo.payback_months)


def test_capstone_widens_a_range_to_contain_a_control_outside_it():
    out = capstone_outcome(**{**START, "data_prep_usd": 18_000}, n_draws=500)
    drawn = out.data["answer"].monte_carlo.draws["data_prep_usd"]
    assert drawn.max() > REALISTIC_RANGES["data_prep_usd"][1]


@pytest.mark.parametrize("values,message", [
    ({"requests_per_month": -1}, "requests_per_month must be >= 0, got -1"),
])
def test_capstone_shows_the_message_in_place_of_the_result(values, message):
    calc = capstone(n_draws=200)
    calc.set(**values)
    assert calc.outcome is None and calc.error == message
    assert "ftroi-error" in calc.message.value


@pytest.mark.parametrize("kwargs,error,message", [
    ({"usd_per_gpu_hour": -1}, ValueError, "usd_per_gpu_hour must be >= 0, got -1"),
    ({"hosted_cost_per_1k_req": -2}, ValueError, "hosted_cost_per_1k_req must be >= 0, got -2"),
    ({"data_prep_usd": math.nan}, ValueError, "data_prep_usd must be a finite number, got nan"),
    ({"replicas": 0}, ValueError, "replicas must be >= 1, got 0"),
    ({"launch_delay_months": 0.5}, TypeError, "launch_delay_months must be a whole number"),
    ({"model_switch_month": 1}, ValueError, "model_switch_month must be 0 (no switch) or >= 2"),
    ({"retrain_every_months": 1.5}, TypeError, "retrain_every_months must be a whole number"),
])
def test_capstone_outcome_rejects_bad_values_naming_the_control(kwargs, error, message):
    with pytest.raises(error, match=re.escape(message)):
        capstone_outcome(**{**START, **kwargs}, n_draws=100)


@pytest.mark.parametrize("kwargs,message", [({"n_draws": 0}, "n_draws must be >= 1, got 0"),
                                            ({"within_months": 0},
                                             "within_months must be >= 1, got 0")])
def test_capstone_builder_rejects_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        capstone(**kwargs)


def test_capstone_figure_is_reused_and_its_lines_move_in_place():
    calc = capstone(n_draws=200)
    fig, ax, before = calc.fig, calc.ax, lines(calc)
    calc.set(hosted_cost_per_1k_req=8.0)
    calc.set(data_prep_usd=9_000)
    assert calc.fig is fig and calc.ax is ax and lines(calc) == before
    expected = tco(replace(REALISTIC, hosted_cost_per_1k_req=8.0, data_prep_usd=9_000.0))
    np.testing.assert_allclose(at_month_ends(before[0]),
                               expected.table["prompting_cumulative_usd"])
    np.testing.assert_allclose(at_month_ends(before[1]),
                               expected.table["finetune_cumulative_usd"])
