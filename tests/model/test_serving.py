"""Serving capacity from the dated, sourced throughput table (issue 20, item 1)."""

from __future__ import annotations

import csv
import datetime as dt
import math
from importlib import resources

import numpy as np
import pytest

from ftroi_helpers.hosting import hosting_options
from ftroi_helpers.serving import (
    THROUGHPUT_COLUMNS,
    _barycentric,
    capacity_rps,
    load_throughput,
    replicas_needed,
    time_per_answer_s,
)

RAW = list(csv.DictReader(resources.files("ftroi_helpers").joinpath("data/throughput.csv")
                          .read_text("utf-8").splitlines()))


def test_the_table_has_the_documented_columns():
    assert tuple(RAW[0]) == THROUGHPUT_COLUMNS


@pytest.mark.parametrize("row", RAW, ids=lambda r: f"{r['gpu']}-{r['params_b']}B-"
                         f"{r['input_tokens']}/{r['output_tokens']}-c{r['concurrency']}")
def test_every_row_has_a_source_url_a_read_date_and_says_measured_or_derived(row):
    assert row["source"].startswith("https://")
    assert dt.date.fromisoformat(row["as_of"]) <= dt.date.today()
    assert row["provenance"] in {"measured", "derived"}
    if row["provenance"] == "derived":  # a derived row says from what and by which rule
        assert "Derived from" in row["note"] and "bandwidth" in row["note"]


@pytest.mark.parametrize("gpu", ["A10G", "A100", "H100"])
def test_the_price_tables_gpus_are_covered_for_8b_models(gpu):
    assert capacity_rps(gpu, 8, 500, 1_000) > 0
    assert time_per_answer_s(gpu, 8, 1_000) > 0


def test_a_larger_model_is_covered_on_h100s():
    assert any(r.params_b == 70 and r.gpu == "H100" and r.gpus == 2 for r in load_throughput())
    assert capacity_rps("H100", 70, 500, 1_000) < capacity_rps("H100", 8, 500, 1_000)


def test_only_the_a10g_has_no_measured_throughput_and_says_so():
    derived = {r.gpu for r in load_throughput() if r.provenance == "derived"}
    measured = {r.gpu for r in load_throughput() if r.provenance == "measured"}
    assert "A10G" in derived and "A10G" not in measured
    assert {"A100", "H100", "A40"} <= measured


# -- the numbers ---------------------------------------------------------------------
def test_an_a10g_serves_about_one_request_a_second_of_500_in_and_1000_out_not_ten():
    # issue 20: "a 24 GB A10G serves about one such request a second or less", not 10.
    cap = capacity_rps("A10G", 8, 500, 1_000)
    assert 0.5 < cap < 2.0


def test_the_a40_measurement_is_about_1000_output_tokens_a_second_at_50_concurrent():
    # Database Mart's A40 vLLM benchmark (throughput.csv): 1,016.60 output tokens/s at 50
    # concurrent requests: about one 1,000-token answer a second.
    row = next(r for r in load_throughput() if r.gpu == "A40")
    assert row.concurrency == 50
    assert row.output_tokens_per_s / 1_000 == pytest.approx(1.0, abs=0.05)


def test_one_stream_decodes_about_30_tokens_a_second_so_1000_tokens_take_about_30_s():
    # issue 20: "one stream decodes about 30 tokens a second, so an answer takes about 30 s".
    assert 25 <= time_per_answer_s("A10G", 8, 1_000) <= 45


def test_a_measured_row_is_returned_exactly():
    # TensorRT-LLM 0.17 perf overview: H100 FP8, Llama 3.1 8B, 1,000/1,000: 15,244.78 tokens/s.
    assert capacity_rps("H100", 8, 1_000, 1_000) == pytest.approx(15_244.78 / 1_000)
    # 70B on 2 x H100 (TP2), 5,000/500: 919.73 tokens/s for the pair.
    assert capacity_rps("H100", 70, 5_000, 500) == pytest.approx(919.73 / 500 / 2)


# -- interpolation on held-out points ----------------------------------------------------------
def _saturated(gpu, size):
    return [r for r in load_throughput()
            if r.gpu == gpu and r.params_b == size and math.isnan(r.concurrency)]


@pytest.mark.parametrize("gpu, size", [("H100", 8), ("A100", 8), ("H100", 70)])
def test_held_out_points_are_recovered_within_a_factor_of_two_and_never_above(gpu, size):
    rows = _saturated(gpu, size)
    checked = 0
    for k, held in enumerate(rows):
        rest = rows[:k] + rows[k + 1:]
        points = np.array([[r.input_tokens, r.output_tokens] for r in rest])
        seconds = np.array([r.gpus * r.output_tokens / r.output_tokens_per_s for r in rest])
        found = _barycentric(points, np.array([held.input_tokens, held.output_tokens]))
        if found is None:
            continue  # a corner of the table: nothing to interpolate from
        est = 1 / float(np.dot(seconds[list(found[0])], found[1]))
        true = held.output_tokens_per_s / held.output_tokens / held.gpus
        assert 0.5 <= est / true <= 1.2, (held.input_tokens, held.output_tokens, est / true)
        checked += 1
    assert checked >= 4


def test_capacity_falls_as_answers_get_longer_and_prompts_get_longer():
    assert capacity_rps("A100", 8, 500, 2_000) < capacity_rps("A100", 8, 500, 1_000)
    assert capacity_rps("A100", 8, 4_000, 500) < capacity_rps("A100", 8, 1_000, 500)


def test_a_request_slightly_below_the_measured_lengths_is_held_at_the_shortest():
    assert capacity_rps("A10G", 8, 100, 1_000) == capacity_rps("A10G", 8, 128, 1_000)


# -- refusals name the parameter -----------------------------------------------------------------
@pytest.mark.parametrize("kwargs, name", [
    ({"output_tokens": 50_000}, "output_tokens must be within the lengths measured"),
    ({"output_tokens": 10}, "output_tokens must be within the lengths measured"),
    ({"input_tokens": 100_000}, "input_tokens must be within the lengths measured"),
    ({"gpu": "T4"}, "gpu must be one of"),
    ({"params_b": 405}, "params_b must be a model size measured on the A10G"),
    ({"output_tokens": -5}, "output_tokens must be > 0"),
    ({"input_tokens": 20_000, "output_tokens": 128}, "input_tokens and output_tokens together"),
])
def test_capacity_refuses_to_extrapolate_naming_the_parameter(kwargs, name):
    args = {"gpu": "A10G", "params_b": 8, "input_tokens": 500, "output_tokens": 1_000, **kwargs}
    with pytest.raises(ValueError, match=name):
        capacity_rps(**args)


def test_a_gpu_without_a_maximum_throughput_row_is_refused_by_name():
    with pytest.raises(ValueError, match="gpu='A40' with params_b=8 has no a maximum"):
        capacity_rps("A40", 8, 100, 443)


# -- replicas from peak load and a latency target ----------------------------------------------
def test_replicas_keep_the_peak_within_the_latency_target():
    plan = replicas_needed(peak_rps=2, latency_target_s=60, gpu="A10G", params_b=8,
                           input_tokens=500, output_tokens=1_000)
    assert plan.time_per_answer_s <= 60
    assert plan.utilization <= plan.max_utilization
    # one replica fewer would overload them beyond what the target allows
    assert 2 / ((plan.replicas - 1) * plan.capacity_rps) > plan.max_utilization


def test_a_looser_latency_target_needs_no_more_replicas():
    tight = replicas_needed(5, 45, "A100", 8, 500, 1_000).replicas
    loose = replicas_needed(5, 200, "A100", 8, 500, 1_000).replicas
    assert loose <= tight


def test_a_target_below_one_answer_alone_is_refused_by_name():
    with pytest.raises(ValueError, match="latency_target_s must be at least the time one answer"):
        replicas_needed(1, 10, "A10G", 8, 500, 1_000)
    with pytest.raises(ValueError, match="peak_rps must be > 0"):
        replicas_needed(0, 60)


# -- hosting_options uses the table, not a typed-in 10 requests a second -------------------------
def test_hosting_options_takes_its_capacity_from_the_table_and_shows_time_per_answer():
    t = hosting_options(200_000, 1.35, 1.006, replicas=2)
    gpu = t.iloc[1]
    expected = 200_000 / (capacity_rps("A10G", 8, 500, 1_000) * 3_600 * 730 * 2)
    assert float(gpu["utilization"]) == pytest.approx(expected)
    assert float(gpu["utilization"]) > 0.02  # not the 0.38 % a 10 requests/s GPU would show
    assert float(gpu["time_per_answer_s"]) == pytest.approx(
        time_per_answer_s("A10G", 8, 1_000, expected))
    assert "an answer of 1,000 tokens takes about" in gpu["note"]


def test_hosting_options_still_accepts_a_measured_capacity_of_your_own():
    t = hosting_options(200_000, 1.35, 1.006, 2.0, replicas=1)
    assert float(t.iloc[1]["utilization"]) == pytest.approx(200_000 / (2.0 * 3_600 * 730))


def test_hosting_options_sizes_the_replicas_for_a_peak_and_a_latency_target():
    # 3 requests a second at the peak, answers within 60 s: replicas_needed's count, not 1
    t = hosting_options(2_000_000, 1.35, 1.006, peak_rps=3, latency_target_s=60)
    plan = replicas_needed(3, 60, "A10G", 8, 500, 1_000)
    assert int(t.iloc[1]["replicas"]) == plan.replicas > 1
    assert float(t.iloc[1]["total_usd_per_month"]) == pytest.approx(734.38 * plan.replicas)
    assert f"{plan.replicas} keep answers within 60 s at a peak of 3.00" in t.iloc[1]["note"]
    # more replicas than needed are kept as given
    assert int(hosting_options(2_000_000, 1.35, 1.006, replicas=9, peak_rps=3,
                               latency_target_s=60).iloc[1]["replicas"]) == 9


def test_a_peak_without_a_latency_target_is_refused_by_name():
    with pytest.raises(ValueError, match="peak_rps needs latency_target_s"):
        hosting_options(200_000, 1.35, 1.006, peak_rps=3)
    with pytest.raises(ValueError, match="latency_target_s must be at least"):
        hosting_options(200_000, 1.35, 1.006, latency_target_s=5)
