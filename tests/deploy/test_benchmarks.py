"""The benchmark script (benchmarks/run.py) and the fast paths it measures.

The smoke tests run the script at tiny sizes (``--quick``) and check its table and JSON, never
its timings (a shared machine is too noisy for that). The other tests check that every fast
path gives the same answers (or, for figures, the same picture) as the plain code it replaced.
"""

from __future__ import annotations

import io
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ftroi_helpers.breakeven import breakeven_requests
from ftroi_helpers.cost_model import Scenario, simulate
from ftroi_helpers.plots import _text_caching_canvas, figure_to_png, new_figure, style_axes

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "run.py"
ROWS = ["1a", "1b", "2", "3", "4", "5", "6"]


def run_script(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "results.json"
    done = run_script("--quick", "--out", str(out))
    return done, out


# -- the script -----------------------------------------------------------------------------------

@pytest.mark.nbgrader
def test_quick_run_exits_0_and_prints_a_table_with_every_row(quick_run):
    done, _ = quick_run
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("row "))
    assert lines[header].split()[:3] == ["row", "what", "result"]
    body = lines[header + 2:lines.index("", header)]
    assert [line.split()[0] for line in body if line[:1].strip()] == ROWS


@pytest.mark.nbgrader
def test_quick_run_writes_json_with_the_machine_and_every_row(quick_run):
    done, out = quick_run
    data = json.loads(out.read_text())
    assert data["quick"] is True
    machine = data["machine"]
    for key in ("cpu_count", "platform", "python", "numpy", "date"):
        assert machine[key], key
    assert [r["row"] for r in data["rows"]] == ROWS
    for r in data["rows"]:
        assert r["status"] in {"ok", "skipped"}, (r["row"], r["message"])
        assert r["title"] and r["target"], r["row"]
        if r["status"] == "skipped":
            assert r["message"].startswith("not available"), r["row"]


@pytest.mark.nbgrader
def test_quick_run_checks_its_baselines_agree_with_the_fast_paths(quick_run):
    _, out = quick_run
    rows = {r["row"]: r for r in json.loads(out.read_text())["rows"]}
    assert rows["1a"]["details"]["never_breaks_even"]["agree"] is True
    assert rows["1b"]["details"]["loop_matches_vectorized"] is True
    calculators = [i for i in rows["3"]["items"] if i["status"] == "ok"]
    assert calculators, "row 3 found no calculator to nudge"
    assert all(i["median_s"] > 0 for i in calculators)


def test_only_reruns_one_row_and_keeps_the_other_rows_of_the_file(tmp_path):
    out = tmp_path / "results.json"
    earlier = {"machine": {"cpu_count": 2}, "quick": True,
               "rows": [{"row": r, "title": f"earlier {r}"} for r in ROWS]}
    out.write_text(json.dumps(earlier))
    done = run_script("--quick", "--only", "2", "--out", str(out))
    assert done.returncode == 0, done.stderr[-3000:]
    rows = json.loads(out.read_text())["rows"]
    assert [r["row"] for r in rows] == ROWS
    assert [r["title"].startswith("earlier") for r in rows] == [r != "2" for r in ROWS]


def test_only_rejects_an_unknown_row_naming_the_choices():
    done = run_script("--quick", "--only", "9", "--out", "/nonexistent/never-written.json")
    assert done.returncode != 0
    assert "--only must be one of 1a, 1b, 2, 3, 4, 5, 6" in done.stderr


# -- the fast paths give the same answers ---------------------------------------------------------

def test_breakeven_on_arrays_matches_one_scenario_at_a_time():
    rng = np.random.default_rng(7)
    hosted = np.concatenate([rng.uniform(0, 30, 500), [0.0, 2.0, 15.0, 0.0]])
    self_hosted = np.concatenate([rng.uniform(0, 30, 500), [0.0, 2.0, 2.0, 5.0]])
    one_time = np.concatenate([rng.uniform(0, 5000, 500), [0.0, 400.0, 0.0, 0.0]])
    many = breakeven_requests(hosted, self_hosted, one_time)
    one = np.array([np.inf if r is None else r for r in
                    (breakeven_requests(h, s, o)
                     for h, s, o in zip(hosted, self_hosted, one_time, strict=True))])
    never = np.ma.getmaskarray(many)
    assert np.array_equal(never, np.isinf(one))
    # never where self-hosting is dearer, or no cheaper with something to repay (issue 11: a
    # free project that saves nothing breaks even at once)
    assert np.array_equal(never, (hosted < self_hosted)
                          | ((hosted == self_hosted) & (one_time > 0)))
    finite = np.isfinite(one)
    np.testing.assert_allclose(many.compressed(), one[finite], rtol=1e-12)


def test_breakeven_broadcasts_a_single_saving_against_many_one_time_costs():
    # source 003: $15 vs $2 per 1k requests; $400 one-time -> ~30,769 requests
    out = breakeven_requests(15, 2, np.array([400.0, 0.0]))
    assert round(out[0]) == 30769 and out[1] == 0.0
    assert breakeven_requests(2, 2, np.array([400.0, 0.0])).tolist() == [None, 0.0]


def test_simulate_on_many_scenarios_matches_one_scenario_at_a_time():
    rng = np.random.default_rng(3)
    n = 300  # above the size where running sums switch to month-by-month vector adds
    arrays = {
        "requests_per_month": rng.uniform(0, 1e6, n),
        "hosted_cost_per_1k_req": rng.uniform(0, 30, n),
        "self_hosted_cost_per_1k_req": rng.uniform(0, 10, n),
        "data_prep_usd": rng.uniform(0, 5000, n),
        "hosting_usd_per_month": rng.uniform(0, 2000, n),
        "retrain_every_months": rng.integers(0, 30, n).astype(float),
        "finetune_price_decline_per_year": rng.uniform(0, 0.6, n),
    }
    # Both a GPU fee and a per-request price vary here: the base says the two add up.
    base = Scenario(horizon_months=24, hosted_price_decline_per_year=0.3, training_usd=80.0,
                    per_request_on_top_of_hosting=True)
    many = simulate(base, **arrays)
    for i in range(0, n, 7):
        one = simulate(base, **{k: v[i] for k, v in arrays.items()})
        for name in ("prompting_usd", "finetune_usd", "prompting_cumulative_usd",
                     "finetune_cumulative_usd", "payback_months", "payback_month"):
            assert np.array_equal(getattr(many, name)[i], getattr(one, name)[0]), (i, name)


def test_simulate_accepts_an_array_of_one_time_costs_alone():
    # source 003's example ($15 vs $2 per 1k, 200k requests/month) with dearer data preparation
    c = simulate(Scenario(), data_prep_usd=np.array([250.0, 20_000.0]))
    assert c.payback_month.tolist() == [1, 8]
    assert c.finetune_usd.shape == (2, 12)


# -- the figure fast paths draw the same picture ----------------------------------------------------

def _busy_figure():
    fig, ax = new_figure()
    ax.plot([0, 1, 2], [0, 1500, 700], label="keep prompting (hosted)")
    ax.text(0.5, 800, "rotated, half transparent", rotation=30, color="red", alpha=0.5)
    ax.text(0.2, 300, "two\nlines and $x^2$ math", fontsize=14)
    ax.annotate("payback: month 1.4", (1, 1500), xytext=(8, -16), textcoords="offset points")
    style_axes(ax, title="Fine-tuning pays back in month 4", ylabel="cumulative cost (USD)")
    return fig


def _pixels(fig):
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).astype(float)


def test_text_cache_draws_the_picture_plain_agg_draws_to_within_a_pixel():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = _busy_figure()
    cached = _pixels(fig)
    FigureCanvasAgg(fig)
    plain = _pixels(fig)
    assert cached.shape == plain.shape
    # Texts sit on whole pixels (as matplotlib <= 3.10 put them): edges may move by under a
    # pixel, so compare 8 x 8 blocks; a missing, doubled or misplaced label moves a block by
    # far more.
    h, w = (s // 8 * 8 for s in plain.shape[:2])

    def blocks(x):
        return x[:h, :w, :3].reshape(h // 8, 8, w // 8, 8, 3).mean(axis=(1, 3))

    assert np.abs(blocks(cached) - blocks(plain)).max() < 40
    assert abs(cached.mean() - plain.mean()) < 0.5


def test_text_cache_redraws_a_figure_identically():
    fig = _busy_figure()
    assert isinstance(fig.canvas, _text_caching_canvas())
    assert np.array_equal(_pixels(fig), _pixels(fig))


def test_png_holds_exactly_the_canvas_pixels():
    from PIL import Image

    fig = _busy_figure()
    png = figure_to_png(fig)
    decoded = np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))
    assert np.array_equal(decoded, np.asarray(fig.canvas.buffer_rgba()))


def test_png_keeps_transparency_when_the_figure_has_some():
    from PIL import Image

    fig = _busy_figure()
    fig.patch.set_alpha(0.0)
    image = Image.open(io.BytesIO(figure_to_png(fig)))
    assert image.mode == "RGBA"
    assert np.array_equal(np.asarray(image), np.asarray(fig.canvas.buffer_rgba()))


def test_calculator_update_changes_the_png_and_keeps_the_figure():
    from ftroi_helpers.calculators import break_even

    calc = break_even()
    fig, before = calc.fig, calc.image.value
    calc.set(hosted_cost_per_1k_req=10.0)
    assert calc.fig is fig and calc.image.value != before
    # source 003's $400 one-time cost at $10 vs $2 per 1k requests: 50,000 requests
    assert calc.ax.get_title(loc="left") == "Break even after ~50,000 requests"
    assert math.isclose(calc.outcome.data["series"][3], 50_000)


def test_calculator_title_pinned_above_the_axes_where_matplotlib_would_place_it():
    from ftroi_helpers.calculators import break_even

    calc = break_even()
    calc.fig.canvas.draw()
    pinned = np.asarray(calc.fig.canvas.buffer_rgba()).copy()
    calc.ax._autotitlepos = True  # matplotlib's own search for what sits above the axes
    calc.fig.canvas.draw()
    assert np.array_equal(pinned, np.asarray(calc.fig.canvas.buffer_rgba()))


def test_markdown_prints_the_saved_results_as_a_table_with_every_row(quick_run):
    _, out = quick_run
    done = run_script("--markdown", "--out", str(out))
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0].startswith("| row | what | result |") and lines[1].startswith("| --- |")
    assert [line.split("|")[1].strip() for line in lines[2:]
            if line.split("|")[1].strip()] == ROWS
