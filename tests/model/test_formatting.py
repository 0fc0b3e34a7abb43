"""One formatting module: every part of the workbook writes an amount the same way."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from ftroi_helpers import formatting as f
from ftroi_helpers.cli import main as cli_main
from ftroi_helpers.plots import usd as plots_usd
from ftroi_helpers.prediction import format_number as prediction_format_number
from ftroi_helpers.report import _value
from ftroi_helpers.tables import format_value as tables_format_value


def test_the_old_homes_of_the_public_formatters_are_the_one_module():
    assert plots_usd is f.usd
    assert tables_format_value is f.format_value
    assert prediction_format_number is f.format_number


@pytest.mark.parametrize("never", [None, math.inf, np.ma.masked, pd.NA])
def test_never_reads_never_in_sentences_tables_and_figures(never):
    assert f.format_value(never, "months") == "never"
    assert f.format_number(None if never is np.ma.masked else never, "months") == "never"
    assert f.months_text(None if never is np.ma.masked or never is pd.NA else never) == "never"


@pytest.mark.parametrize(("fmt", "value", "shown"), [
    (f.usd, 1234.5, "$1,234"),
    (f.usd, -0.4, "$0"),
    (f.money, 9.0, "$9.00"),
    (f.money, 1234.4, "$1,234"),
    (f.money_cents, 1234.5, "$1,234.50"),
    (f.usd_per_request, 0.000153, "$0.0001530"),
    (f.usd_per_1k_requests, 0.0014, "$0.0014"),
    (f.usd_per_1m_tokens, 0.075, "$0.075"),
    (f.usd_per_1m_tokens, 0.6, "$0.60"),
    (f.plain_number, 100_000.0, "100,000"),
    (f.months_text, 0.8333, "25.0 days"),
])
def test_each_kind_of_amount_has_one_way_of_being_written(fmt, value, shown):
    assert fmt(value) == shown


def test_the_report_and_the_command_line_write_money_as_the_module_does(capsys):
    assert _value("training_usd", 1469.16) == f.usd(1469.16)
    assert cli_main(["tco", "--horizon-months", "1"]) == 0
    out = capsys.readouterr().out
    assert f"{f.usd(400.0):>9}" in out  # the one-time cost line


def test_days_per_month_is_defined_once():
    from ftroi_helpers import scenario_file, token_costs

    assert token_costs.DAYS_PER_MONTH is f.DAYS_PER_MONTH == 30
    assert scenario_file.DAYS_PER_MONTH is f.DAYS_PER_MONTH
