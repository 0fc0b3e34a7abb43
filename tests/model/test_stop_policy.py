"""``Scenario.stop_finetune_when_hosted_cheaper``: stop the GPUs once the hosted bill is lower.

Hand-worked case (all months 1-based). 100,000 requests a month at USD 10 per 1,000 requests is a
USD 1,000 hosted bill in month 1, falling 80 % a year: month m costs 1,000 x 0.2 ** ((m - 1) / 12).
The fine-tuned model runs for USD 300 of hosting + USD 100 of engineering = USD 400 a month (no
per-request cost), after USD 400 of one-time costs (250 + 50 + 100, the defaults).

* Month 7's hosted bill is 1,000 x 0.2 ** 0.5 = 447.21 > 400; month 8's is
  1,000 x 0.2 ** (7/12) = 391.08 < 400, so the policy stops the GPUs from month 8.
* With r = 0.2 ** (1/12) = 0.874485, prompting's cumulative cost after m months is
  1,000 x (1 - r**m) / (1 - r): 4,851.37 after 7 months, 7,648.50 after 24.
* Without the policy, fine-tuning costs 400 + 24 x 400 = 10,000 over 24 months:
  7,648.50 - 10,000 = -2,351.50 (it paid back in month 1, then fell behind again).
* With it, fine-tuning costs 400 + 7 x 400 = 3,200 over months 1-7 and then exactly what
  prompting costs: it stays 4,851.37 - 3,200 = +1,651.37 ahead from month 7 to the horizon.
"""

from __future__ import annotations

import numpy as np
import pytest

from ftroi_helpers.cli import main as cli_main
from ftroi_helpers.cost_model import Scenario, replace, simulate, tco
from ftroi_helpers.scenario_file import dumps, from_dict, loads

FALLING = Scenario(requests_per_month=100_000, hosted_cost_per_1k_req=10,
                   self_hosted_cost_per_1k_req=0, hosting_usd_per_month=300,
                   engineering_usd_per_month=100, hosted_price_decline_per_year=0.8,
                   horizon_months=24)
STOPPING = replace(FALLING, stop_finetune_when_hosted_cheaper=True)


def test_the_option_is_off_by_default():
    assert Scenario().stop_finetune_when_hosted_cheaper is False


def test_without_the_option_fine_tuning_pays_back_then_falls_behind_by_hand_worked_numbers():
    result = tco(FALLING)
    savings = result.table["cumulative_savings_usd"]
    assert result.payback_month == 1
    assert savings.iloc[6] == pytest.approx(1_651.37, abs=0.01)
    assert savings.iloc[-1] == pytest.approx(-2_351.50, abs=0.01)
    assert result.table["finetune_usd"].iloc[7:].eq(400).all()


def test_with_the_option_the_gpus_stop_in_month_8_and_fine_tuning_pays_the_hosted_bill():
    table = tco(STOPPING).table
    assert table["finetune_usd"].iloc[:7].tolist() == [800.0] + [400.0] * 6
    assert table["finetune_usd"].iloc[7] == pytest.approx(391.08, abs=0.01)
    assert np.array_equal(table["finetune_usd"].iloc[7:], table["prompting_usd"].iloc[7:])
    assert table["finetune_cumulative_usd"].iloc[-1] == pytest.approx(
        3_200 + 7_648.50 - 4_851.37, abs=0.01)


def test_with_the_option_the_lead_is_frozen_from_the_stop_so_it_never_falls_behind_again():
    result = tco(STOPPING)
    savings = result.table["cumulative_savings_usd"]
    assert result.payback_month == 1
    assert savings.iloc[6:].to_numpy() == pytest.approx(1_651.37, abs=0.01)
    assert result.summary() == "Fine-tuning pays back in month 1"


def test_behind_at_the_stop_it_loses_at_most_its_sunk_one_time_costs():
    # USD 5,000 one-time: at month 7 fine-tuning is 4,851.37 - 7 x 400 - 5,000 = -2,948.63
    # behind, and without the option it ends 7,648.50 - 24 x 400 - 5,000 = -6,951.50 behind.
    costly = replace(FALLING, data_prep_usd=4_850)
    assert costly.one_time_usd == 5_000
    without = tco(costly).table["cumulative_savings_usd"]
    with_it = tco(replace(costly, stop_finetune_when_hosted_cheaper=True)).table[
        "cumulative_savings_usd"]
    assert without.iloc[-1] == pytest.approx(-6_951.50, abs=0.01)
    assert without.min() < -costly.one_time_usd
    assert with_it.iloc[-1] == pytest.approx(-2_948.63, abs=0.01)
    assert with_it.min() >= -costly.one_time_usd


def test_after_the_stop_no_retraining_is_paid():
    retraining = replace(STOPPING, retrain_every_months=3)  # months 4, 7, 10, ... after launch
    table = tco(retraining).table
    assert table["finetune_usd"].iloc[3] == pytest.approx(400 + 50 + 100)  # month 4 retrains
    assert table["finetune_usd"].iloc[6] == pytest.approx(400 + 50 + 100)  # month 7 too
    assert np.array_equal(table["finetune_usd"].iloc[7:], table["prompting_usd"].iloc[7:])


def test_before_launch_the_gpus_are_not_running_so_nothing_stops():
    # hosted at USD 300 a month is below the USD 400 running cost from month 1; launch in month 4
    cheap = replace(STOPPING, hosted_cost_per_1k_req=3, hosted_price_decline_per_year=0,
                    launch_delay_months=3)
    table = tco(cheap).table
    # months 1-3: the hosted bill plus engineering (plus the one-time 400 in month 1); from
    # month 4 (launch) the hosted bill only
    assert table["finetune_usd"].tolist() == [300.0 + 100 + 400, 400.0, 400.0] + [300.0] * 21


def test_simulate_takes_the_option_as_an_array_and_matches_tco():
    curves = simulate(FALLING, stop_finetune_when_hosted_cheaper=np.array([False, True]))
    for row, scenario in enumerate((FALLING, STOPPING)):
        np.testing.assert_allclose(curves.finetune_usd[row], tco(scenario).table["finetune_usd"])
    assert curves.payback_month.tolist() == [1, 1]


@pytest.mark.parametrize("bad", [1, 0, "yes", None, 0.5, np.array([1, 0])])
def test_the_option_takes_only_true_or_false_and_names_itself(bad):
    with pytest.raises(TypeError, match="stop_finetune_when_hosted_cheaper must"):
        if isinstance(bad, np.ndarray):
            simulate(FALLING, stop_finetune_when_hosted_cheaper=bad)
        else:
            Scenario(stop_finetune_when_hosted_cheaper=bad)


def test_a_scenario_file_keeps_the_option_in_its_plan_section():
    sf = from_dict({"plan": {"stop_finetune_when_hosted_cheaper": True}})
    assert sf.scenario.stop_finetune_when_hosted_cheaper is True
    assert loads(dumps(sf)).scenario.stop_finetune_when_hosted_cheaper is True
    with pytest.raises(TypeError, match=r"stop_finetune_when_hosted_cheaper must be true or false"):
        from_dict({"plan": {"stop_finetune_when_hosted_cheaper": "yes"}})


def test_the_command_line_turns_the_option_on_and_its_table_shows_the_stop(capsys):
    argv = ["tco", "--requests-per-month", "100000", "--hosted-cost-per-1k-req", "10",
            "--self-hosted-cost-per-1k-req", "0", "--hosting-usd-per-month", "300",
            "--engineering-usd-per-month", "100", "--hosted-price-decline-per-year", "0.8",
            "--horizon-months", "24", "--csv"]
    assert cli_main([*argv, "--stop-finetune-when-hosted-cheaper"]) == 0
    on = capsys.readouterr().out.splitlines()
    assert cli_main(argv) == 0
    off = capsys.readouterr().out.splitlines()
    # the CSV's last column is the cumulative savings
    assert float(on[-1].split(",")[-1]) == pytest.approx(1_651.37, abs=0.01)
    assert float(off[-1].split(",")[-1]) == pytest.approx(-2_351.50, abs=0.01)
