"""The ``ftroi`` command line, run the way a user runs it: ``python -m ftroi_helpers ...``."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import subprocess
import sys

import pytest

from ftroi_helpers.cli import SCENARIO_FLAGS, build_parser, days_sentence, main
from ftroi_helpers.cost_model import Scenario

# A wide terminal, so argparse never wraps a help line inside a hyphenated word.
ENV = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", COLUMNS="1000")


def ftroi(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ftroi_helpers", *args], capture_output=True,
                          text=True, env=ENV, cwd=cwd, timeout=60)


def inproc(*args: str) -> subprocess.CompletedProcess:
    """The same command through ``main()`` in this process (quicker; same code path after
    ``python -m``, which test_package and the subprocess tests here cover)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return subprocess.CompletedProcess(["ftroi", *args], code, out.getvalue(), err.getvalue())


def assert_one_line_error(result: subprocess.CompletedProcess, message: str) -> None:
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("ftroi: error: ")
    assert message in lines[0], lines[0]


# -- breakeven ---------------------------------------------------------------------------------

def test_breakeven_prints_source_003s_sentence():
    # 003_512d162286761903.txt: breakeven(15, 2, 400) prints "Break even after ~30,769 requests".
    result = ftroi("breakeven", "--hosted", "15", "--self-hosted", "2", "--one-time", "400")
    assert result.returncode == 0
    assert result.stdout == "Break even after ~30,769 requests\n"
    assert result.stderr == ""


def test_breakeven_accepts_the_python_parameter_names_as_flags():
    result = inproc("breakeven", "--hosted-cost-per-1k-req", "15",
                   "--self-hosted-cost-per-1k-req", "2", "--one-time-finetune-cost", "400")
    assert result.stdout == "Break even after ~30,769 requests\n"


def test_breakeven_says_when_self_hosting_is_not_cheaper():
    result = inproc("breakeven", "--hosted", "2", "--self-hosted", "15", "--one-time", "400")
    assert result.returncode == 0
    assert result.stdout.startswith("Self-hosting is not cheaper per request")


def test_breakeven_turns_requests_into_days_at_a_daily_volume():
    # 30,769 requests at 1,000 requests/day = 30.8 days.
    result = inproc("breakeven", "--hosted", "15", "--self-hosted", "2", "--one-time", "400",
                   "--requests-per-day", "1000")
    assert result.stdout.splitlines() == ["Break even after ~30,769 requests",
                                          "At 1,000 requests/day that is ~30.8 days"]


def test_breakeven_at_zero_requests_a_day_never_happens():
    assert main(["breakeven", "--hosted", "15", "--self-hosted", "2", "--one-time", "400",
                 "--requests-per-day", "0"]) == 0


def test_breakeven_with_no_break_even_prints_no_days_line(capsys):
    main(["breakeven", "--hosted", "2", "--self-hosted", "15", "--one-time", "400",
          "--requests-per-day", "1000"])
    assert len(capsys.readouterr().out.splitlines()) == 1


def test_breakeven_days_line_says_never_at_zero_volume(capsys):
    main(["breakeven", "--hosted", "15", "--self-hosted", "2", "--one-time", "400",
          "--requests-per-day", "0"])
    assert capsys.readouterr().out.splitlines()[1] == "At 0 requests/day that never happens"


def test_a_negative_daily_volume_is_an_error_with_no_half_answer():
    result = inproc("breakeven", "--hosted", "15", "--self-hosted", "2", "--one-time", "400",
                    "--requests-per-day", "-5")
    assert_one_line_error(result, "requests_per_day must be >= 0, got -5")


def test_negative_cost_is_one_line_naming_the_parameter():
    result = ftroi("breakeven", "--hosted", "-3", "--self-hosted", "2", "--one-time", "400")
    assert_one_line_error(result, "ftroi: error: hosted_cost_per_1k_req must be >= 0, got -3")


def test_nan_is_rejected_by_the_helpers_not_silently_printed():
    result = inproc("breakeven", "--hosted", "nan", "--self-hosted", "2", "--one-time", "400")
    assert_one_line_error(result, "hosted_cost_per_1k_req must be a finite number, got nan")


def test_a_word_instead_of_a_number_is_one_argparse_line():
    result = ftroi("breakeven", "--hosted", "fifteen", "--self-hosted", "2", "--one-time", "400")
    assert_one_line_error(result, "argument --hosted/--hosted-cost-per-1k-req: must be a number, "
                                  "got 'fifteen'")


def test_a_missing_flag_is_one_line_naming_it():
    result = ftroi("breakeven", "--hosted", "15")
    assert_one_line_error(result, "the following arguments are required: --self-hosted")


def test_an_unknown_flag_is_one_line():
    result = inproc("breakeven", "--hosted", "15", "--self-hosted", "2", "--one-time", "400",
                   "--colour", "red")
    assert_one_line_error(result, "unrecognized arguments: --colour red")


def test_no_command_is_one_line_listing_the_commands():
    assert_one_line_error(ftroi(), "choose a command: breakeven, days, tokens, tco, prices or report")


def test_an_unknown_command_is_one_line():
    assert_one_line_error(ftroi("payback"), "invalid choice: 'payback'")


# -- days --------------------------------------------------------------------------------------

def test_days_prints_training_cost_over_daily_savings():
    # $0.002 x 10,000 calls x 0.6 = $12 a day; $300 / $12 = 25 days.
    result = ftroi("days", "--prompt-cost", "0.002", "--calls-per-day", "10000",
                   "--training-cost", "300", "--savings", "0.6")
    assert result.returncode == 0
    assert result.stdout == "Training pays back after 25.0 days (saving $12.00 a day)\n"


def test_days_with_nothing_saved_never_pays_back(capsys):
    assert main(["days", "--prompt-cost", "0.002", "--calls-per-day", "10000",
                 "--training-cost", "300", "--savings", "0"]) == 0
    assert capsys.readouterr().out == "Training never pays back: nothing is saved per call\n"


def test_days_sentence_is_the_calculators_sentence():
    from ftroi_helpers.calculators.breakeven import break_even_days_outcome

    for args in [(0.002, 10_000, 300, 0.6), (0.01, 500, 1_000, 0.25), (0.002, 10_000, 300, 0)]:
        assert days_sentence(*args) == break_even_days_outcome(*args).sentence


def test_days_savings_fraction_above_one_is_one_line():
    result = inproc("days", "--prompt-cost", "0.002", "--calls-per-day", "10000",
                   "--training-cost", "300", "--savings", "1.5")
    assert_one_line_error(result, "savings_fraction must be between 0 and 1, got 1.5")


# -- tokens ------------------------------------------------------------------------------------

CLASSIFICATION = ["tokens", "--requests-per-day", "10000", "--prompted-input-tokens", "800",
                  "--finetuned-input-tokens", "200", "--output-tokens", "50"]


def test_tokens_prints_the_true_monthly_saving_with_dated_prices(capsys):
    # Source 002's simple classification on gpt-4o-mini: $9 a month at each model's own prices.
    assert main(CLASSIFICATION) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ("Monthly inference savings: $9 a month "
                      "(10,000 requests/day x 30 days)")
    assert "$0.15 / $0.60 per 1M = $0.000150 per request" in out[1]
    assert "$0.30 / $1.20 per 1M = $0.000120 per request" in out[2]
    assert out[3] == ("  gpt-4o-mini-2024-07-18 prices as of 2024-10-01 "
                      "(https://openai.com/api/pricing/)")


def test_tokens_naive_shows_source_002s_54_usd_and_the_correction():
    # 002_44dbb0b6dad16d21.txt's table says $54/mo; the shortcut reproduces it, and the output
    # says at once that the true figure is $9.
    result = ftroi(*CLASSIFICATION, "--naive")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Naive monthly savings (the crossover guide's shortcut): $54 a month")
    assert "At each model's own prices the saving is $9 a month." in result.stdout


def test_tokens_says_when_the_saving_is_negative(capsys):
    # Source 002's entity extraction row (1,200 -> 400 input, 200 output): -$18 a month.
    main(["tokens", "--requests-per-day", "10000", "--prompted-input-tokens", "1200",
          "--finetuned-input-tokens", "400", "--output-tokens", "200"])
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("Monthly inference savings: -$18 a month")
    assert "the fine-tuned model costs more" in first


def test_tokens_compares_two_models_with_both_dates(capsys):
    # Prompted gpt-4o against fine-tuned gpt-4o-mini: $714 a month saved (see test_token_costs.py).
    main([*CLASSIFICATION, "--model", "gpt-4o-2024-08-06", "--ft-model",
          "gpt-4o-mini-2024-07-18"])
    out = capsys.readouterr().out
    assert out.startswith("Monthly inference savings: $714 a month")
    assert "gpt-4o-2024-08-06 prices as of 2024-10-01" in out
    assert "gpt-4o-mini-2024-07-18 prices as of 2024-10-01" in out


def test_tokens_price_flags_override_the_table(capsys):
    main([*CLASSIFICATION, "--base-usd-per-1m-input", "0.15", "--base-usd-per-1m-output", "0.6",
          "--ft-usd-per-1m-input", "0.15", "--ft-usd-per-1m-output", "0.6"])
    out = capsys.readouterr().out
    # Same prices both ways: only the 600 saved input tokens count, 180M x $0.15 = $27.
    assert out.startswith("Monthly inference savings: $27 a month")
    assert "prices given on the command line" in out


def test_tokens_shows_extra_price_digits_only_when_needed(capsys):
    main([*CLASSIFICATION, "--base-usd-per-1m-input", "0.075"])
    assert "$0.075 / $0.60 per 1M" in capsys.readouterr().out


def test_tokens_with_an_unknown_model_is_one_line():
    result = inproc(*CLASSIFICATION, "--model", "gpt-5")
    assert_one_line_error(result, "model must be one of the rows of prices.csv")


def test_tokens_with_a_gpu_row_as_model_says_which_price_is_missing():
    result = inproc(*CLASSIFICATION, "--model", "g5.xlarge")
    assert_one_line_error(result, "--model 'g5.xlarge' has no base_usd_per_1m_input_tokens in "
                                  "prices.csv; give --base-usd-per-1m-input instead")


def test_tokens_negative_tokens_is_one_line_naming_the_parameter():
    result = inproc("tokens", "--requests-per-day", "10000", "--prompted-input-tokens", "-800",
                   "--finetuned-input-tokens", "200", "--output-tokens", "50")
    assert_one_line_error(result, "prompted_input_tokens must be >= 0, got -800")


# -- tco ---------------------------------------------------------------------------------------

def test_every_scenario_field_has_a_tco_flag():
    assert list(SCENARIO_FLAGS) == list(Scenario.__dataclass_fields__)


def test_tco_defaults_print_source_003s_payback_and_a_12_month_table():
    result = ftroi("tco")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Fine-tuning pays back in month 1 (after 0.15 months)"
    header = next(i for i, line in enumerate(lines) if line.startswith("month"))
    assert lines[header].split() == ["month", "prompting_usd", "finetune_usd",
                                     "prompting_cumulative_usd", "finetune_cumulative_usd",
                                     "cumulative_savings_usd"]
    rows = [line.split() for line in lines[header + 2:]]
    assert len(rows) == 12
    # Month 1: $3,000 prompting; $400 inference + $400 one-time.
    assert rows[0] == ["1", "$3,000", "$800", "$3,000", "$800", "$2,200"]
    assert rows[-1] == ["12", "$3,000", "$400", "$36,000", "$5,200", "$30,800"]


def test_tco_lists_the_assumptions_used():
    out = inproc("tco", "--retrain-every-months", "3").stdout
    assert "retrain_every_months" in out and "one-time cost" in out and "$400" in out


def test_tco_csv_alone_writes_only_the_table_to_stdout():
    result = ftroi("tco", "--hosted-cost-per-1k-req", "3", "--horizon-months", "3", "--csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["month"] for r in rows] == ["1", "2", "3"]
    assert [float(r["cumulative_savings_usd"]) for r in rows] == [-200.0, 0.0, 200.0]


def test_tco_csv_with_a_path_writes_the_file_and_prints_the_summary(tmp_path):
    target = tmp_path / "table.csv"
    result = inproc("tco", "--horizon-months", "2", "--csv", str(target))
    assert result.stdout.startswith("Fine-tuning pays back in month 1")
    assert f"Wrote the table to {target}" in result.stdout
    with target.open() as fh:
        assert len(list(csv.DictReader(fh))) == 2


def test_tco_csv_to_an_unwritable_path_is_one_line(tmp_path):
    result = ftroi("tco", "--csv", str(tmp_path / "no-such-folder" / "table.csv"))
    assert_one_line_error(result, "cannot write")
    assert "directory" in result.stderr        # pandas: "... into a non-existent directory"


def test_tco_reads_a_json_scenario_file(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"hosted_cost_per_1k_req": 2.8}))
    # $560 - $400 = $160 a month saved repays $400 in 2.5 months.
    assert inproc("tco", "--scenario", str(path)).stdout.splitlines()[0] == (
        "Fine-tuning pays back in month 3 (after 2.50 months)")


def test_tco_reads_a_toml_scenario_file_and_flags_override_it(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text("hosted_cost_per_1k_req = 2.8\nhorizon_months = 24\n")
    result = inproc("tco", "--scenario", str(path), "--hosted-cost-per-1k-req", "3")
    assert result.stdout.splitlines()[0] == "Fine-tuning pays back in month 2 (after 2.00 months)"
    assert result.stdout.rstrip().splitlines()[-1].split()[0] == "24"


@pytest.mark.parametrize(
    "flags, first_line",
    [
        # issue 12's table, source 003's defaults ($2,600 a month saved, $400 one-time)
        (["--launch-delay-months", "2"], "Fine-tuning pays back in month 3"),
        (["--engineering-usd-per-month", "3000"], "Fine-tuning does not pay back within 12"),
        # served by the GPUs: no USD 2 per 1,000 on top (issue 20)
        (["--self-hosted-cost-per-1k-req", "0", "--hosting-usd-per-month", "734.38",
          "--replicas", "2"], "Fine-tuning pays back in month 1"),
        (["--self-hosted-cost-per-1k-req", "0", "--hosting-usd-per-month", "734.38",
          "--replicas", "4"], "Fine-tuning pays back in month 7"),
        (["--hosting-usd-per-month", "734.38", "--per-request-on-top-of-hosting"],
         "Fine-tuning pays back in month 1"),
    ],
)
def test_tco_flags_for_the_costs_that_sink_self_hosting(capsys, flags, first_line):
    main(["tco", *flags])
    assert capsys.readouterr().out.splitlines()[0].startswith(first_line)


def test_tco_reads_the_new_fields_from_a_scenario_file(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text("replicas = 4\nhosting_usd_per_month = 734.38\nmodel_switch_month = 6\n"
                    "model_switch_price_cut = 0.5\nself_hosted_cost_per_1k_req = 0\n")
    out = inproc("tco", "--scenario", str(path)).stdout
    assert out.startswith("Fine-tuning does not pay back within 12 months")
    assert "model_switch_month" in out and "replicas" in out


def test_gpus_and_a_flat_price_per_request_together_are_one_line_naming_both():
    result = inproc("tco", "--hosting-usd-per-month", "734.38")
    assert result.returncode == 2
    line = result.stderr.strip()
    assert "\n" not in line and "self_hosted_cost_per_1k_req" in line
    assert "hosting_usd_per_month" in line and "per_request_on_top_of_hosting" in line


def test_a_fractional_replica_flag_is_one_line():
    assert_one_line_error(inproc("tco", "--replicas", "1.5"),
                          "argument --replicas: must be a whole number, got '1.5'")


def test_tco_that_never_pays_back_says_how_far_behind(capsys):
    main(["tco", "--hosted-cost-per-1k-req", "2"])
    assert capsys.readouterr().out.splitlines()[0] == (
        "Fine-tuning does not pay back within 12 months (it is $400 behind at the end)")


def test_tco_unknown_key_in_the_file_is_one_line(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"hosted": 3}))
    result = inproc("tco", "--scenario", str(path))
    assert_one_line_error(result, "unknown scenario field(s) in")
    assert "hosted (known: requests_per_month" in result.stderr


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [("s.json", "{not json", "is not valid JSON"),
     ("s.toml", "hosted_cost_per_1k_req = = 3", "is not valid TOML"),
     ("s.json", "[1, 2]", "must hold a table of field: value, got a list"),
     ("s.yaml", "a: 1", "scenario file must end in .json or .toml"),
     ("s.json", '{"horizon_months": 0}', "horizon_months must be >= 1, got 0"),
     ("s.json", '{"retrain_every_months": 1.5}',
      "retrain_every_months must be a whole number, got 1.5"),
     ("s.json", '{"hosted_price_decline_per_year": 1}',
      "hosted_price_decline_per_year must be below 1"),
     ("s.json", '{"training_usd": "fifty"}', "training_usd must be a number, got 'fifty'"),
     ("s.json", '{"training_usd": [50, 60]}', "training_usd must be a single number")],
)
def test_bad_scenario_files_are_one_line(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content)
    assert_one_line_error(inproc("tco", "--scenario", str(path)), message)


def test_a_missing_scenario_file_is_one_line(tmp_path):
    result = ftroi("tco", "--scenario", str(tmp_path / "nope.json"))
    assert_one_line_error(result, "cannot read scenario file")
    assert "No such file or directory" in result.stderr


def test_a_scenario_file_that_is_not_utf8_is_one_line(tmp_path):
    path = tmp_path / "s.json"
    path.write_bytes(b"\xff\xfe{}")
    assert_one_line_error(inproc("tco", "--scenario", str(path)), "is not valid JSON")


def test_fractional_horizon_flag_is_one_argparse_line():
    assert_one_line_error(ftroi("tco", "--horizon-months", "2.5"),
                          "argument --horizon-months: must be a whole number, got '2.5'")


def test_a_word_for_a_whole_number_flag_is_one_line():
    assert_one_line_error(inproc("tco", "--retrain-every-months", "often"),
                          "must be a whole number, got 'often'")


def test_a_negative_tco_flag_is_one_line_naming_the_field():
    assert_one_line_error(inproc("tco", "--hosting-usd-per-month", "-5"),
                          "hosting_usd_per_month must be >= 0, got -5")


def test_whole_number_flags_accept_12_point_0():
    assert main(["tco", "--horizon-months", "12.0", "--csv"]) == 0


# -- prices ------------------------------------------------------------------------------------

def test_prices_prints_every_row_with_its_date_and_source():
    from ftroi_helpers.prices import load_prices

    table = load_prices()
    out = ftroi("prices").stdout
    for _, row in table.iterrows():
        line = next(line for line in out.splitlines() if line.startswith(row["model"]))
        assert row["as_of"] in line and row["source"] in line


def test_prices_shows_ranges_and_pairs(capsys):
    main(["prices"])
    out = capsys.readouterr().out
    mini = next(line for line in out.splitlines() if line.startswith("gpt-4o-mini-2024-07-18"))
    assert "0.15 / 0.6" in mini and "0.3 / 1.2" in mini
    claude = next(line for line in out.splitlines() if line.startswith("Claude"))
    assert "8-30" in claude


def test_prices_for_one_model_shows_every_column(capsys):
    assert main(["prices", "--model", "gpt-4o-2024-08-06"]) == 0
    out = capsys.readouterr().out
    assert "training_usd_per_1m_tokens_low: 25" in out
    assert "as_of: 2024-10-01" in out and "source: https://openai.com/api/pricing/" in out
    assert "gpu_type: -" in out


def test_prices_csv_is_the_shipped_table(capsys):
    main(["prices", "--csv"])
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {"as_of", "source"} <= set(rows[0])
    assert rows[0]["model"] == "gpt-4o-mini-2024-07-18"


def test_prices_unknown_model_is_one_line():
    assert_one_line_error(inproc("prices", "--model", "gpt-5"), "got 'gpt-5'")


# -- help --------------------------------------------------------------------------------------

def test_top_level_help_lists_every_command():
    result = ftroi("--help")
    assert result.returncode == 0
    for command in ("breakeven", "days", "tokens", "tco", "prices"):
        assert command in result.stdout
    assert "USD" in result.stdout


@pytest.mark.parametrize(
    ("command", "units"),
    [("breakeven", ["USD per 1,000 requests", "USD: data + training + evaluation",
                    "requests/day"]),
     ("days", ["USD per call", "calls/day", "one-time training cost, USD", "0 to 1"]),
     ("tokens", ["requests/day", "tokens/request", "USD per 1M tokens", "USD/month"]),
     ("tco", ["requests/month", "USD per 1,000 requests", "USD per month", "(months)",
              "fraction 0 to below 1", ".json or .toml"]),
     ("prices", ["USD per 1M tokens", "USD per GPU-hour", "as_of", "source"])],
)
def test_each_command_help_states_units(command, units):
    result = ftroi(command, "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())     # undo argparse's line wrapping
    for unit in units:
        assert unit in text, (command, unit)


def test_every_flag_of_every_command_has_help_text():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, command in sub.choices.items():
        for action in command._actions:
            assert action.help, (name, action.dest)


def test_main_returns_0_for_help_instead_of_exiting(capsys):
    assert main(["--help"]) == 0
    assert "usage: ftroi" in capsys.readouterr().out


def test_piping_into_a_closed_reader_is_not_an_error():
    # `ftroi prices | head -1`: the pipe closes early; no traceback, no error line.
    code = ("import sys\n"
            "from ftroi_helpers import cli\n"
            "class Closed:\n"
            "    def write(self, s): raise BrokenPipeError\n"
            "    def flush(self): pass\n"
            "sys.stdout = Closed()\n"
            "sys.exit(cli.main(['breakeven', '--hosted', '15', '--self-hosted', '2',"
            " '--one-time', '400']))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=ENV)
    assert result.returncode == 0
    assert result.stderr == ""
