"""Scenario files (issue 13): one TOML file per decision, saved and loaded by the calculators and
read by the CLI. Expected costs are worked out by hand in the comments, not by the code."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import math
import re
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ftroi_helpers import calculators
from ftroi_helpers.cli import main
from ftroi_helpers.cost_model import Scenario, simulate
from ftroi_helpers.scenario import SCENARIO_FIELDS
from ftroi_helpers.scenario_file import (
    ScenarioFile,
    dumps,
    example_scenario_file,
    from_dict,
    load,
    loads,
    save,
    update,
)


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


# -- the file format ------------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_a_saved_scenario_file_loads_back_equal(tmp_path, suffix):
    sf = example_scenario_file()
    path = sf.save(tmp_path / f"my{suffix}")
    assert load(path) == sf


def test_every_cost_model_field_survives_a_round_trip(tmp_path):
    """Each Scenario field (the model's new ones included) set away from its default."""
    changed = {}
    for name, spec in SCENARIO_FIELDS.items():
        default = getattr(Scenario(), name)
        if name == "horizon_months":
            changed[name] = 24
        elif spec.kind == "flag":
            changed[name] = not default
        elif spec.whole:
            changed[name] = default + 2
        elif spec.kind == "fraction":
            changed[name] = 0.25
        else:
            changed[name] = default + 1.5
    sf = from_dict(changed)
    back = load(sf.save(tmp_path / "all.toml"))
    assert back.scenario == Scenario(**changed)
    text = (tmp_path / "all.toml").read_text()
    for section in ("[workload]", "[prices]", "[one_time]", "[recurring]", "[plan]"):
        assert section in text


def test_the_old_flat_file_still_loads():
    """The CLI's original format: a flat table of Scenario fields."""
    sf = loads("hosted_cost_per_1k_req = 2.8\nhorizon_months = 24\n")
    assert sf.scenario == Scenario(hosted_cost_per_1k_req=2.8, horizon_months=24)


def test_fields_left_out_take_the_defaults_and_are_written_as_comments(tmp_path):
    sf = loads("[one_time]\ntraining_usd = 75\n")
    assert sf.scenario == Scenario(training_usd=75)
    text = dumps(sf)
    assert "training_usd = 75.0" in text
    assert "# data_prep_usd = 250.0  (the cost model's default)" in text
    assert load(save(sf, tmp_path / "a.toml")).given == {"training_usd"}


def test_requests_per_day_is_thirty_days_a_month():
    assert loads("[workload]\nrequests_per_day = 10000\n").scenario.requests_per_month == 300_000


def test_hosted_cost_follows_from_tokens_and_a_price_table_row():
    # gpt-4o at USD 2.50 / 10.00 per 1M tokens: 2,000 in and 1,000 out cost
    # 0.005 + 0.010 = USD 0.015 a request, USD 15 per 1,000: the demo's hosted price.
    sf = loads("[workload]\ninput_tokens = 2000\noutput_tokens = 1000\n"
               "[prices]\nhosted_model = \"gpt-4o-2024-08-06\"\n")
    assert sf.scenario.hosted_cost_per_1k_req == pytest.approx(15.0)
    assert sf.derived == {"hosted_cost_per_1k_req"}


def test_cached_input_and_batch_discount_lower_the_hosted_cost():
    # own prices 2.50 in / 1.25 cached / 10.00 out per 1M: 500 fresh + 1,500 cached input
    # tokens and 1,000 output = (1,250 + 1,875 + 10,000) / 1M = USD 0.013125 a request;
    # half off for batch: USD 0.0065625, i.e. USD 6.5625 per 1,000.
    sf = loads("[workload]\nsystem_prompt_tokens = 300\nfew_shot_tokens = 1200\n"
               "input_tokens = 500\noutput_tokens = 1000\ncached_input_tokens = 1500\n"
               "[prices]\nusd_per_1m_input_tokens = 2.5\nusd_per_1m_output_tokens = 10\n"
               "usd_per_1m_cached_input_tokens = 1.25\nbatch_discount = 0.5\n")
    assert sf.scenario.hosted_cost_per_1k_req == pytest.approx(6.5625)


@pytest.mark.parametrize("prefix, cached_billed", [(800, 0), (1_100, 1_024)])
def test_a_price_rows_cache_rule_applies_to_a_scenario_file(prefix, cached_billed):
    # issue 20: gpt-4o-mini (prices.csv) caches a prefix from 1,024 tokens in 128-token steps;
    # 0.15 in / 0.075 cached / 0.60 out per 1M, 100 more input tokens and 50 output.
    sf = loads(f"[workload]\nfew_shot_tokens = {prefix}\ninput_tokens = 100\n"
               f"output_tokens = 50\ncached_input_tokens = {prefix}\n"
               "[prices]\nhosted_model = \"gpt-4o-mini-2024-07-18\"\n")
    fresh = prefix + 100 - cached_billed
    usd = (fresh * 0.15 + cached_billed * 0.075 + 50 * 0.60) / 1e6
    assert sf.scenario.hosted_cost_per_1k_req == pytest.approx(usd * 1000)


def test_the_finetuned_side_drops_the_examples_and_uses_finetuned_prices():
    # gpt-4o-mini fine-tuned at 0.30 / 1.20 per 1M: (300 + 500) in and 100 out
    # = 240 + 120 = 360 / 1M = USD 0.00036 a request, USD 0.36 per 1,000.
    sf = loads("[workload]\nsystem_prompt_tokens = 300\nfew_shot_tokens = 1200\n"
               "input_tokens = 500\noutput_tokens = 100\n"
               "[prices]\nfinetuned_model = \"gpt-4o-mini-2024-07-18\"\n")
    assert sf.scenario.self_hosted_cost_per_1k_req == pytest.approx(0.36)


@pytest.mark.parametrize("text, error, message", [
    ("[workload]\nrequests_per_month = -1\n", ValueError,
     "[workload] requests_per_month must be >= 0, got -1"),
    ("[workload]\nrequests = 5\n", ValueError, "unknown key(s) in [workload]: requests"),
    ("[budget]\nx = 1\n", ValueError, "unknown scenario field(s) in the scenario: budget"),
    ("[one_time]\ntraining_usd = \"fifty\"\n", TypeError,
     "[one_time] training_usd must be a number, got 'fifty'"),
    ("[recurring]\nretrain_every_months = 1.5\n", TypeError,
     "retrain_every_months must be a whole number, got 1.5"),
    ("[ranges]\ntraining_usd = [40, 4]\n", ValueError, "low <= high, got [40, 4]"),
    ("[ranges]\ntraining_usd = 40\n", TypeError, "[ranges] training_usd must be [low, high]"),
    ("[uncertainty]\nwithin_months = 13\n", ValueError, "must be at most horizon_months (12)"),
    ("[decision_tree]\nfinetune_improves_eval = \"maybe\"\n", ValueError,
     "must be \"yes\", \"no\" or \"unknown\", got 'maybe'"),
    ("[prices]\nhosted_cost_per_1k_req = 3\nhosted_model = \"gpt-4o-2024-08-06\"\n"
     "[workload]\ninput_tokens = 10\n", ValueError, "give one or the other"),
    ("[prices]\nhosted_model = \"gpt-5\"\n[workload]\ninput_tokens = 10\n", ValueError,
     "hosted_model must be a model of the price table"),
    ("[workload]\ninput_tokens = 10\ncached_input_tokens = 20\n[prices]\n"
     "usd_per_1m_input_tokens = 1\nusd_per_1m_output_tokens = 1\n"
     "usd_per_1m_cached_input_tokens = 0.5\n", ValueError, "cannot exceed the input tokens"),
    ("hosted_cost_per_1k_req = 3\n[prices]\nhosted_cost_per_1k_req = 4\n", ValueError,
     "hosted_cost_per_1k_req is given twice"),
    ("as_of = \"yesterday\"\n", ValueError, "as_of must be a date like 2025-06-01"),
    ("format = 2\n", ValueError, "format must be 1"),
])
def test_bad_content_names_the_section_and_key(text, error, message):
    with pytest.raises(error) as info:
        loads(text)
    assert message in str(info.value)


def test_a_bad_file_is_named_in_the_message(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text("[workload]\nrequests_per_month = -1\n")
    with pytest.raises(ValueError, match=r"got -1 \(in '.*mine.toml'\)"):
        load(path)
    with pytest.raises(ValueError, match="must end in .json or .toml"):
        load(tmp_path / "mine.yaml")
    with pytest.raises(ValueError, match="cannot read scenario file"):
        load(tmp_path / "missing.toml")


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(["system", "examples", "input", "output"]),
                       st.text(alphabet=st.characters(blacklist_categories=("Cs",)),
                               max_size=80)))
def test_any_prompt_text_survives_toml(prompt):
    sf = dataclasses.replace(ScenarioFile(as_of="2025-01-01"), prompt=prompt)
    assert loads(dumps(sf)).prompt == prompt


def test_a_written_file_explains_itself_in_comments_that_a_reader_skips():
    text = dumps(ScenarioFile(as_of="2025-01-01", scenario=Scenario(training_usd=75.0),
                              given=frozenset({"training_usd"})))
    lines = text.splitlines()
    assert any(line.startswith("[one_time]") and "# USD, paid once" in line for line in lines)
    assert "# horizon_months = 12  (the cost model's default)" in lines
    assert loads(text).scenario == Scenario(training_usd=75.0)


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_a_number_toml_cannot_hold_is_refused_by_name(bad):
    sf = dataclasses.replace(ScenarioFile(as_of="2025-01-01"), caveats=[bad])
    with pytest.raises(ValueError, match="cannot write"):
        dumps(sf)


# -- the command line ------------------------------------------------------------------------------

def test_the_cli_reads_a_sectioned_file_with_costs_from_tokens(tmp_path):
    path = tmp_path / "my.toml"
    path.write_text("[workload]\nrequests_per_month = 200000\ninput_tokens = 2000\n"
                    "output_tokens = 1000\n[prices]\nhosted_model = \"gpt-4o-2024-08-06\"\n")
    code, out, _ = run_cli("tco", "--scenario", str(path))
    assert code == 0
    # the same answer as the demo's USD 15 per 1,000 given directly
    month = int(simulate(Scenario(hosted_cost_per_1k_req=15.0)).payback_month[0])
    assert out.splitlines()[0].startswith(f"Fine-tuning pays back in month {month} ")
    assert re.search(r"hosted_cost_per_1k_req +15 ", out)


def test_a_bad_sectioned_file_is_one_cli_line(tmp_path):
    path = tmp_path / "my.toml"
    path.write_text("[recurring]\nmonitoring_usd_per_month = -5\n")
    code, out, err = run_cli("report", str(path), "-o", str(tmp_path / "d.html"))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "monitoring_usd_per_month must be >= 0" in err


# -- the calculators -------------------------------------------------------------------------------

def test_the_capstone_saves_what_it_shows_and_the_cli_agrees(tmp_path):
    calc = calculators.capstone(n_draws=500)
    calc.set(usd_per_gpu_hour=1.006, replicas=1, data_prep_usd=1_000, retrain_every_months=3)
    path = calc.save(tmp_path / "my.toml")
    sf = load(path)
    assert sf.scenario == calc.outcome.data["scenario"]
    code, out, _ = run_cli("tco", "--scenario", str(path))
    assert code == 0
    # the calculator's payback month is the CLI's
    month = int(calc.outcome.data["curves"].payback_month[0])
    assert out.splitlines()[0].startswith(f"Fine-tuning pays back in month {month} ")


def test_a_fresh_capstone_loads_the_saved_file_and_shows_the_same(tmp_path):
    calc = calculators.capstone(n_draws=500)
    calc.set(usd_per_gpu_hour=1.5, replicas=3, engineering_usd_per_month=800,
             model_switch_month=6)
    calc.save(tmp_path / "my.toml")
    other = calculators.capstone(n_draws=500)
    other.load(tmp_path / "my.toml")
    assert other.values() == pytest.approx(calc.values())
    assert other.result_text == calc.result_text


def test_fixed_assumptions_without_a_control_come_from_the_file(tmp_path):
    path = from_dict({"one_time": {"training_usd": 900.0}, "plan": {"horizon_months": 24}}
                     ).save(tmp_path / "my.toml")
    calc = calculators.capstone()
    calc.load(path)
    s = calc.outcome.data["scenario"]
    assert (s.training_usd, s.horizon_months) == (900.0, 24)


def test_the_decision_tree_saves_and_loads_its_answers(tmp_path):
    calc = calculators.decision_tree()
    calc.set(labeled_examples=50, quality_gap_pct=12, finetune_improves_eval="no")
    calc.save(tmp_path / "tree.toml")
    assert load(tmp_path / "tree.toml").decision_tree["finetune_improves_eval"] == "no"
    other = calculators.decision_tree()
    other.load(tmp_path / "tree.toml")
    assert other.values() == calc.values()
    assert other.path == calc.path


def test_a_calculator_showing_an_error_does_not_save(tmp_path):
    calc = calculators.capstone()
    calc.set(requests_per_month=-5)
    with pytest.raises(ValueError, match="fix the setting"):
        calc.save(tmp_path / "my.toml")
    assert not (tmp_path / "my.toml").exists()


def test_loading_a_bad_file_into_a_calculator_names_the_file(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[one_time]\ndata_prep_usd = -1\n")
    with pytest.raises(ValueError, match="bad.toml"):
        calculators.capstone().load(path)


def test_a_control_that_moves_a_token_priced_cost_keeps_the_control_value(tmp_path):
    prompt = calculators.prompt_cost(price_row="gpt-4o-2024-08-06")
    prompt.save(tmp_path / "my.toml")
    cap = calculators.capstone()
    cap.load(tmp_path / "my.toml")
    cap.set(hosted_cost_per_1k_req=3.0)
    sf = load(cap.save(tmp_path / "my.toml"))
    assert sf.scenario.hosted_cost_per_1k_req == 3.0
    assert "hosted_model" not in sf.prices and sf.workload["input_tokens"] > 0


def test_json_from_a_calculator_is_plain_json(tmp_path):
    calculators.capstone().save(tmp_path / "my.json")
    data = json.loads((tmp_path / "my.json").read_text())
    assert data["workload"]["requests_per_month"] == 200_000


def test_ftroi_report_runs_as_a_command(tmp_path):
    path = example_scenario_file().save(tmp_path / "my.toml")
    done = subprocess.run([sys.executable, "-m", "ftroi_helpers", "report", str(path), "-o",
                           str(tmp_path / "decision.html")], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Wrote" in done.stdout
    assert (tmp_path / "decision.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


# -- one file shared by several calculators (the worksheet) -----------------------------------------

def test_calculators_sharing_a_file_never_overwrite_each_other_with_stale_numbers(tmp_path):
    path = tmp_path / "my.toml"
    prompt = calculators.prompt_cost(price_row="gpt-4o-2024-08-06").use_file(path)
    capstone = calculators.capstone().use_file(path)
    first = load(path).scenario.hosted_cost_per_1k_req
    assert capstone.values()["hosted_cost_per_1k_req"] == pytest.approx(first)
    # the prompt grows: the file's hosted price follows it ...
    prompt.set(input_text=prompt.values()["input_text"] * 20)
    prompt.save()                                   # issue 21: saved only when asked
    grown = load(path).scenario.hosted_cost_per_1k_req
    assert grown > first
    # ... and a change in the capstone writes only what changed, not its stale hosted price
    capstone.set(data_prep_usd=4_000)
    capstone.save()
    sf = load(path)
    assert sf.scenario.data_prep_usd == 4_000
    assert sf.scenario.hosted_cost_per_1k_req == pytest.approx(grown)
    assert sf.derived == {"hosted_cost_per_1k_req"}


def test_use_file_resumes_where_the_file_left_off(tmp_path):
    path = tmp_path / "my.toml"
    tree = calculators.decision_tree().use_file(path)
    tree.set(labeled_examples=40)
    tree.save_button.click()
    again = calculators.decision_tree().use_file(path)
    assert again.values()["labeled_examples"] == 40
    assert again.path == tree.path


def test_use_file_writes_what_the_file_lacked(tmp_path):
    path = tmp_path / "my.toml"
    calculators.capstone().use_file(path)
    assert "labeled_examples" not in load(path).decision_tree
    calculators.decision_tree(labeled_examples=300).use_file(path)
    assert load(path).decision_tree["labeled_examples"] == 300
    assert load(path).scenario.requests_per_month == 200_000  # the capstone's, kept


def test_update_changes_only_what_it_is_given(tmp_path):
    path = tmp_path / "my.toml"
    calculators.prompt_cost(price_row="gpt-4o-2024-08-06").use_file(path)
    before = load(path)
    sf = update(path, monitoring_usd_per_month=200, training_usd=75,
                ranges={"training_usd": [15, 75]},
                sources={"training_usd": {"source": "the crossover guide",
                                          "as_of": "2025-01-01"}})
    assert sf.scenario.training_usd == 75 and sf.ranges["training_usd"] == (15.0, 75.0)
    assert sf.workload == before.workload and sf.prompt == before.prompt
    assert sf.scenario.hosted_cost_per_1k_req == before.scenario.hosted_cost_per_1k_req
    assert sf.source_of("training_usd") == ("the crossover guide", "2025-01-01")
    with pytest.raises(TypeError, match="unknown name 'trainig_usd'"):
        update(path, trainig_usd=5)


def test_the_format_shown_in_the_module_docstring_loads():
    import textwrap

    import ftroi_helpers.scenario_file as module

    doc = module.__doc__
    lines = []
    for line in doc.split("::\n\n", 1)[1].splitlines():
        if line.strip() and not line.startswith("    "):
            break  # the end of the indented example
        lines.append(line)
    sample = textwrap.dedent("\n".join(lines))
    sf = loads(sample)
    assert sf.title == "Support-ticket labels" and sf.prompt["system"] == "You are ..."
    assert sf.derived == {"hosted_cost_per_1k_req"}
