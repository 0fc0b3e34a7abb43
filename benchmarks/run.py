#!/usr/bin/env python
"""ftroi benchmarks: how fast the maths, the widgets, the notebooks and the command line are.

Run from anywhere (``make bench`` runs it with the project's venv)::

    .venv/bin/python benchmarks/run.py            # every row, full sizes (about 5 minutes)
    .venv/bin/python benchmarks/run.py --quick    # tiny sizes: checks the script, not the speed
    .venv/bin/python benchmarks/run.py --only 3   # one row ("1" runs 1a and 1b)
    .venv/bin/python benchmarks/run.py --out /tmp/results.json

It prints a table and writes JSON (default ``benchmarks/results.json``) with the machine it ran
on. With ``--only``, the other rows already in the JSON file are kept. Rows whose subject does
not exist yet (no quizzes, no command line) are reported as "not available", not as failures.
The exit code is 0 unless a row raised an unexpected error; a missed target is reported, not an
error (timings depend on the machine and its load).

Rows (see benchmarks/README.md):

1a  breakeven_requests on 1,000,000 scenarios vs source 003's breakeven() in a Python loop
1b  tco.simulate on 100,000 scenarios x 36 months vs one simulate() call per scenario
2   sensitivity.monte_carlo with 100,000 draws
3   every calculator: control change -> result -> redrawn PNG, median and p95 of 50 updates
4   execution time of every lesson and quiz source notebook (nbclient)
5   nbgrader autograde of a class of 20 submissions vs nbclient alone on the same notebooks
6   cold start: ``import ftroi_helpers`` and ``python -m ftroi_helpers breakeven ...``
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import importlib
import inspect
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "benchmarks" / "results.json"
QUIZ_FOR_AUTOGRADE = "q1_break_even"

if str(ROOT) not in sys.path:  # run from a checkout without installing the package
    sys.path.insert(0, str(ROOT))


# -- source 003's calculator, the baseline of row 1a --------------------------------------------

def source_003_breakeven(hosted_cost_per_1k_req, self_hosted_cost_per_1k_req,
                         one_time_finetune_cost):
    """Source 003's break-even calculator, transcribed as published (003_512d162286761903.txt).

    One scenario per call, returning a sentence. Kept exactly as the source wrote it (US
    spelling included): this is the scalar baseline that row 1a compares against.
    """
    savings_per_1k = hosted_cost_per_1k_req - self_hosted_cost_per_1k_req
    if savings_per_1k <= 0:
        return "Self-hosting is not cheaper per request -- fine-tune only for behavior, not cost"
    req_to_breakeven = (one_time_finetune_cost / savings_per_1k) * 1000
    return f"Break even after ~{req_to_breakeven:,.0f} requests"


# -- timing helpers ------------------------------------------------------------------------------

def timed(fn: Callable[[], Any], repeat: int, warmup: int = 1) -> list[float]:
    """Wall-clock seconds of ``repeat`` calls of ``fn`` after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def timed_cpu(fn: Callable[[], Any], repeat: int, warmup: int = 1) -> list[float]:
    """CPU seconds of this process for ``repeat`` calls of ``fn``: unlike wall-clock time, not
    inflated by other work on a shared machine (for single-threaded numpy code)."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.process_time()
        fn()
        out.append(time.process_time() - t0)
    return out


def stats(seconds: list[float]) -> dict[str, float]:
    """Median, min, p95 and max of a list of timings, in seconds."""
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * (len(ordered) - 1))))]
    return {"median_s": statistics.median(ordered), "min_s": ordered[0], "p95_s": p95,
            "max_s": ordered[-1], "runs": len(ordered)}


def ms(seconds: float | None) -> str:
    """Seconds as a short human string (ms below 10 s)."""
    if seconds is None:
        return "-"
    if seconds < 10:
        return f"{seconds * 1e3:,.1f} ms" if seconds < 1 else f"{seconds * 1e3:,.0f} ms"
    return f"{seconds:,.1f} s"


def row(row_id: str, title: str, **fields: Any) -> dict[str, Any]:
    """A result record; ``fields`` are summary, baseline, speedup, target, met, details, items."""
    record = {"row": row_id, "title": title, "status": "ok", "message": "",
              "summary": "", "baseline": "", "speedup": None, "target": "", "met": None,
              "details": {}, "items": [],
              "measured_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
    record.update(fields)
    return record


def not_available(row_id: str, title: str, message: str, target: str = "") -> dict[str, Any]:
    return row(row_id, title, status="skipped", message=f"not available: {message}",
               summary="not available", target=target)


def venv_env() -> dict[str, str]:
    """The environment for child processes: the interpreter's bin/ first on PATH (nbgrader
    shells out to alembic)."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


# -- row 1a: break-even over a million scenarios --------------------------------------------------

def bench_1a(quick: bool) -> dict[str, Any]:
    import numpy as np

    from ftroi_helpers.breakeven import breakeven_requests

    n = 10_000 if quick else 1_000_000
    rng = np.random.default_rng(0)
    hosted = rng.uniform(0.5, 30.0, n)           # USD per 1k requests
    self_hosted = rng.uniform(0.1, 10.0, n)      # USD per 1k requests
    one_time = rng.uniform(50.0, 5_000.0, n)     # USD
    vec = stats(timed(lambda: breakeven_requests(hosted, self_hosted, one_time),
                      repeat=3 if quick else 15))
    cpu = stats(timed_cpu(lambda: breakeven_requests(hosted, self_hosted, one_time),
                          repeat=3 if quick else 30))
    # The baseline gets Python floats (as a caller of the source's function would have); the
    # conversion is not timed.
    args = list(zip(hosted.tolist(), self_hosted.tolist(), one_time.tolist(), strict=True))

    def loop() -> list[str]:
        return [source_003_breakeven(h, s, o) for h, s, o in args]

    loop_s = stats(timed(loop, repeat=1, warmup=0))
    sentences = loop()
    result = breakeven_requests(hosted, self_hosted, one_time)
    never_vec = int(np.ma.getmaskarray(result).sum())  # masked where never (issue 11)
    never_src = sum(s.startswith("Self-hosting is not cheaper") for s in sentences)
    speedup = loop_s["median_s"] / vec["median_s"]
    met = cpu["median_s"] <= 0.008 and speedup >= 10
    return row("1a", f"breakeven_requests, {n:,} scenarios (numpy arrays)",
               summary=f"{ms(vec['median_s'])} (CPU {ms(cpu['median_s'])})",
               baseline=f"{ms(loop_s['median_s'])} (source 003's breakeven() in a loop)",
               speedup=speedup, target="<= 8 ms CPU and >= 10x the loop", met=met,
               details={"scenarios": n, "vectorized": vec, "vectorized_cpu": cpu,
                        "source_003_loop": loop_s,
                        "data_mb": round(4 * n * 8 / 1e6, 1),
                        "never_breaks_even": {"vectorized": never_vec,
                                              "source_003": never_src,
                                              "agree": never_vec == never_src}})


# -- row 1b: the TCO model over a grid ------------------------------------------------------------

def tco_grid(quick: bool):
    """A grid of scenarios (flattened) and the scenario holding the fixed assumptions."""
    import numpy as np

    from ftroi_helpers.cost_model import Scenario

    if quick:
        axes = {"requests_per_month": np.geomspace(1e4, 5e6, 5),
                "hosted_cost_per_1k_req": np.linspace(1.0, 30.0, 4),
                "retrain_every_months": np.arange(0.0, 3.0),
                "hosted_price_decline_per_year": np.linspace(0.0, 0.6, 5)}
    else:  # 25 x 20 x 10 x 20 = 100,000 scenarios
        axes = {"requests_per_month": np.geomspace(1e4, 5e6, 25),
                "hosted_cost_per_1k_req": np.linspace(1.0, 30.0, 20),
                "retrain_every_months": np.arange(0.0, 10.0),
                "hosted_price_decline_per_year": np.linspace(0.0, 0.6, 20)}
    mesh = np.meshgrid(*axes.values(), indexing="ij")
    grid = {name: m.ravel() for name, m in zip(axes, mesh, strict=True)}
    base = Scenario(horizon_months=36, hosting_usd_per_month=300.0,
                    monitoring_usd_per_month=50.0, finetune_price_decline_per_year=0.2,
                    per_request_on_top_of_hosting=True)
    return base, grid


def bench_1b(quick: bool) -> dict[str, Any]:
    import dataclasses

    import numpy as np

    from ftroi_helpers.cost_model import simulate, tco

    base, grid = tco_grid(quick)
    n = len(next(iter(grid.values())))
    vec = stats(timed(lambda: simulate(base, **grid), repeat=2 if quick else 7))
    curves = simulate(base, **grid)
    # The same model, one scenario per call, on n_loop scenarios spread over the grid.
    n_loop = 30 if quick else 1_000
    picks = np.linspace(0, n - 1, n_loop).round().astype(int)
    scalars = [{k: float(v[i]) for k, v in grid.items()} for i in picks]

    def loop() -> list[float]:
        # payback is masked where it never comes (issue 11): compare with inf filled in
        return [float(simulate(base, **one).payback_months.filled(np.inf)[0]) for one in scalars]

    loop_s = stats(timed(loop, repeat=1 if quick else 3))
    scale = n / n_loop
    loop_full_s = loop_s["median_s"] * scale
    agree = bool(np.array_equal(np.array(loop()), curves.payback_months.filled(np.inf)[picks]))
    # tco() per scenario (simulate + a pandas table), the way a lesson computes one scenario.
    n_tco = 10 if quick else 200
    tco_args = [dataclasses.replace(base, **{k: (int(v) if k == "retrain_every_months" else v)
                                             for k, v in one.items()})
                for one in scalars[:n_tco]]
    tco_s = stats(timed(lambda: [tco(s) for s in tco_args], repeat=1))
    speedup = loop_full_s / vec["median_s"]
    met = vec["median_s"] <= 0.5 and speedup >= 100
    return row("1b", f"tco.simulate, {n:,} scenarios x {base.horizon_months} months",
               summary=ms(vec["median_s"]),
               baseline=f"{ms(loop_full_s)} (simulate() per scenario, {n_loop:,} timed)",
               speedup=speedup, target="<= 0.5 s and >= 100x the loop", met=met,
               details={"scenarios": n, "months": base.horizon_months,
                        "grid": {k: int(len(np.unique(v))) for k, v in grid.items()},
                        "vectorized": vec, "loop_scenarios_timed": n_loop,
                        "loop_timed": loop_s, "loop_scaled_s": loop_full_s,
                        "loop_matches_vectorized": agree,
                        "tco_table_per_scenario_s": tco_s["median_s"] / n_tco,
                        "tco_table_loop_scaled_s": tco_s["median_s"] / n_tco * n,
                        "speedup_vs_tco_table_loop": tco_s["median_s"] / n_tco * n
                        / vec["median_s"]})


# -- row 2: Monte Carlo -------------------------------------------------------------------------

def bench_2(quick: bool) -> dict[str, Any]:
    import numpy as np

    n = 1_000 if quick else 100_000
    try:
        from ftroi_helpers.sensitivity import monte_carlo
    except ImportError:
        monte_carlo = None
    if monte_carlo is not None:
        how = "sensitivity.monte_carlo(n_draws=..., seed=0)"
        result = monte_carlo(n_draws=n, seed=0)
        fn = lambda: monte_carlo(n_draws=n, seed=0)  # noqa: E731
        extra = {"summary": result.summary()}
    else:  # the equivalent: draw the arrays and run one simulate() call
        from ftroi_helpers.cost_model import Scenario, simulate

        how = "tco.simulate with drawn arrays (sensitivity.monte_carlo not available)"

        def fn():
            rng = np.random.default_rng(0)
            return simulate(Scenario(), hosted_cost_per_1k_req=rng.uniform(5, 25, n),
                            self_hosted_cost_per_1k_req=rng.uniform(1, 6, n),
                            data_prep_usd=rng.uniform(100, 1000, n))

        extra = {}
    t = stats(timed(fn, repeat=3 if quick else 9))
    return row("2", f"Monte Carlo payback, {n:,} draws", summary=ms(t["median_s"]),
               baseline=how, target="<= 100 ms", met=t["median_s"] <= 0.1,
               details={"draws": n, "timing": t, "how": how, **extra})


# -- row 3: calculator update latency ------------------------------------------------------------

def _builders() -> list[tuple[str, Callable[[], Any]]]:
    """Every calculator builder: public names of ftroi_helpers.calculators callable with no
    arguments (the ``*_outcome`` functions need arguments and are left out)."""
    calcs = importlib.import_module("ftroi_helpers.calculators")
    out = []
    for name in dir(calcs):
        if name.startswith("_") or name in {"Calculator", "Outcome"}:
            continue
        obj = getattr(calcs, name)
        if not callable(obj) or inspect.isclass(obj):
            continue
        try:
            params = inspect.signature(obj).parameters.values()
        except (TypeError, ValueError):
            continue
        if all(p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
               for p in params):
            out.append((name, obj))
    return out


def _first_slider(calc) -> tuple[str, Any] | None:
    """The first numeric slider among the calculator's controls."""
    import ipywidgets as widgets

    sliders = (widgets.FloatSlider, widgets.IntSlider, widgets.FloatLogSlider)
    for name, w in calc.controls.items():
        if isinstance(w, sliders):
            return name, w
    return None


def _nudged(w) -> float:
    """The slider's value one step up (or down, at the top of its range)."""
    import ipywidgets as widgets

    if isinstance(w, widgets.FloatLogSlider):  # its step is in powers of its base
        up = w.value * w.base ** w.step
        return up if up <= w.max else w.value / w.base ** w.step
    up = w.value + w.step
    return up if up <= w.max else w.value - w.step


def _sweep(w, count: int) -> list[float]:
    """Up to ``count`` values for the slider not yet shown, one step apart: upwards from its
    value to the top of its range, then downwards from its value."""
    import ipywidgets as widgets

    def step(value: float, up: bool) -> float:
        if isinstance(w, widgets.FloatLogSlider):
            return value * w.base ** w.step if up else value / w.base ** w.step
        return value + w.step if up else value - w.step

    values: list[float] = []
    for up in (True, False):
        value = step(w.value, up)
        while len(values) < count and w.min <= value <= w.max:
            values.append(value)
            value = step(value, up)
    return values


def bench_3(quick: bool) -> dict[str, Any]:
    from ftroi_helpers.calculators import Calculator

    updates = 5 if quick else 50
    items, met_all = [], True
    for name, builder in _builders():
        t0 = time.perf_counter()
        try:
            calc = builder()
        except Exception as exc:  # a builder that needs arguments after all, or is broken
            items.append({"name": name, "status": "error", "message": f"building failed: {exc!r}"})
            met_all = False
            continue
        build_s = time.perf_counter() - t0
        if not isinstance(calc, Calculator):
            continue
        found = _first_slider(calc)
        if found is None:
            items.append({"name": name, "status": "skipped",
                          "message": "no numeric slider to nudge", "build_s": build_s})
            continue
        control, w = found
        start, other = w.value, _nudged(w)
        values = [other, start]
        seconds, cpu = [], []
        for i in range(updates + 2):           # the first two updates are warm-up
            t, c = time.perf_counter(), time.process_time()
            w.value = values[i % 2]             # the observer path: _on_change -> update
            if i >= 2:
                seconds.append(time.perf_counter() - t)
                cpu.append(time.process_time() - c)
        s = stats(seconds)
        # A sweep: every update a value not seen before, so the sentence, the title and some
        # tick labels are new texts (the alternating updates above mostly reuse them).
        sweep = []
        for value in _sweep(w, 3 if quick else 20):
            t = time.perf_counter()
            w.value = value
            sweep.append(time.perf_counter() - t)
        w.value = start
        ok = s["median_s"] <= 0.040
        met_all &= ok
        items.append({"name": name, "status": "ok", "control": control,
                      "values": [start, other], "has_figure": calc.fig is not None,
                      "error_shown": calc.error, "build_s": build_s, **s,
                      "cpu_median_s": statistics.median(cpu),
                      "sweep_median_s": statistics.median(sweep) if sweep else None,
                      "sweep_updates": len(sweep),
                      "met": ok})
    measured = [i for i in items if i["status"] == "ok"]
    worst = max((i["median_s"] for i in measured), default=None)
    return row("3", f"calculator update latency ({len(measured)} calculators, "
                    f"{updates} updates each)",
               summary=f"worst median {ms(worst)}", target="median <= 40 ms each",
               met=met_all if measured else None, items=items,
               details={"updates": updates, "how": "set widget.value on the first slider, "
                        "alternating two values one step apart; observer -> compute -> "
                        "redraw -> PNG, in-process, no browser"})


# -- row 4: notebooks -----------------------------------------------------------------------------

def execute_notebook(path: Path, workdir: Path, *, allow_errors: bool = False,
                     timeout: int = 120) -> float:
    """Execute a copy of the notebook at ``path`` inside ``workdir``; return wall seconds."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            allow_errors=allow_errors,
                            resources={"metadata": {"path": str(workdir)}})
    t0 = time.perf_counter()
    client.execute()
    return time.perf_counter() - t0


def bench_4(quick: bool) -> dict[str, Any]:
    lessons = sorted((ROOT / "lessons").glob("*.ipynb"))
    quizzes = sorted((ROOT / "quizzes" / "source").glob("*/*.ipynb"))
    if quick:  # one of each is enough to check the machinery
        lessons, quizzes = lessons[:1], quizzes[:1]
    if not lessons and not quizzes:
        return not_available("4", "notebook execution", "no lessons/*.ipynb or "
                             "quizzes/source/*/*.ipynb yet", target="each lesson <= 10 s")
    items, met_all = [], True
    with tempfile.TemporaryDirectory(prefix="ftroi-bench-nb-") as tmp:
        for kind, paths in (("lesson", lessons), ("quiz source", quizzes)):
            for path in paths:
                # A copy of the notebook's folder, so nothing the notebook writes lands in the repo.
                work = Path(tmp) / f"{kind.split()[0]}-{path.parent.name}"
                shutil.copytree(path.parent, work, dirs_exist_ok=True)
                item = {"name": str(path.relative_to(ROOT)), "kind": kind}
                try:
                    item["seconds"] = execute_notebook(work / path.name, work)
                    item["status"] = "ok"
                except Exception as exc:
                    item.update(status="error", message=f"{type(exc).__name__}: "
                                f"{str(exc).strip().splitlines()[-1] if str(exc).strip() else ''}")
                if kind == "lesson":
                    item["met"] = item.get("seconds", float("inf")) <= 10.0
                    met_all &= item["met"]
                items.append(item)
    times = [i["seconds"] for i in items if "seconds" in i and i["kind"] == "lesson"]
    qtimes = [i["seconds"] for i in items if "seconds" in i and i["kind"] != "lesson"]
    summary = (f"slowest lesson {ms(max(times))}" if times else "no lessons yet") + (
        f"; slowest quiz {ms(max(qtimes))}" if qtimes else "")
    return row("4", f"notebook execution ({len(lessons)} lessons, {len(quizzes)} quiz sources)",
               summary=summary, target="each lesson <= 10 s",
               met=met_all if times else None, items=items,
               details={"how": "nbclient, kernel python3, a fresh kernel per notebook, in a "
                               "temporary copy of the notebook's folder"})


# -- row 5: nbgrader autograde ------------------------------------------------------------------

def _fill_answers(release, source) -> Any:
    """The release notebook with every answer cell replaced by the source's solution."""
    solutions = {}
    for cell in source.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            lines = [ln for ln in cell.source.splitlines()
                     if ln.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")]
            solutions[meta.get("grade_id")] = "\n".join(lines)
    for cell in release.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in solutions:
            cell.source = solutions[gid]
    return release


def bench_5(quick: bool) -> dict[str, Any]:
    import nbformat

    target = "autograde <= 2x bare execution"
    source_dir = ROOT / "quizzes" / "source"
    if not source_dir.is_dir() or not (ROOT / "quizzes" / "nbgrader_config.py").exists():
        return not_available("5", "nbgrader autograde", "quizzes/source (or "
                             "quizzes/nbgrader_config.py) is missing", target=target)
    quizzes = sorted(p.name for p in source_dir.iterdir() if (p / f"{p.name}.ipynb").exists())
    if not quizzes:
        return not_available("5", "nbgrader autograde", "no quiz in quizzes/source",
                             target=target)
    quiz = QUIZ_FOR_AUTOGRADE if QUIZ_FOR_AUTOGRADE in quizzes else quizzes[0]
    students = 2 if quick else 20
    env = venv_env()
    nbgrader = [sys.executable, "-m", "nbgrader"]
    with tempfile.TemporaryDirectory(prefix="ftroi-bench-grade-") as tmp:
        course = Path(tmp) / "quizzes"
        shutil.copytree(ROOT / "quizzes", course, ignore=shutil.ignore_patterns(
            "release", "submitted", "autograded", "feedback", "gradebook.db", ".ipynb_checkpoints"))
        gen = subprocess.run([*nbgrader, "generate_assignment", quiz, "--force",
                              "--log-level=ERROR"], cwd=course, env=env,
                             capture_output=True, text=True)
        if gen.returncode != 0:
            raise RuntimeError(f"nbgrader generate_assignment failed:\n{gen.stderr[-2000:]}")
        release = course / "release" / quiz / f"{quiz}.ipynb"
        source_nb = nbformat.read(course / "source" / quiz / f"{quiz}.ipynb", as_version=4)
        # Half the class answers everything correctly, half submits the blank release version.
        paths = []
        for i in range(students):
            nb = nbformat.read(release, as_version=4)
            if i % 2 == 0:
                nb = _fill_answers(nb, source_nb)
            folder = course / "submitted" / f"s{i + 1:02d}" / quiz
            folder.mkdir(parents=True)
            nbformat.write(nb, folder / f"{quiz}.ipynb")
            paths.append(folder / f"{quiz}.ipynb")
        def bare_run(p: Path) -> float:
            work = Path(tmp) / "bare" / p.parent.parent.name
            shutil.copytree(p.parent, work)
            return execute_notebook(work / p.name, work, allow_errors=True)

        # Half the bare runs before the autograde call and half after, so a change in the
        # machine's load during the row affects both sides alike.
        half = len(paths) // 2  # each half holds answered and blank submissions alike
        bare = [bare_run(p) for p in paths[:half]]
        t0 = time.perf_counter()
        graded = subprocess.run([*nbgrader, "autograde", quiz, "--log-level=ERROR"],
                                cwd=course, env=env, capture_output=True, text=True)
        autograde_s = time.perf_counter() - t0
        if graded.returncode != 0:
            raise RuntimeError(f"nbgrader autograde failed:\n{graded.stderr[-2000:]}")
        done = sorted((course / "autograded").glob(f"*/{quiz}/{quiz}.ipynb"))
        bare += [bare_run(p) for p in paths[half:]]
    bare_s = sum(bare)
    ratio = autograde_s / bare_s
    return row("5", f"nbgrader autograde, {students} submissions of {quiz} (one call)",
               summary=f"{ms(autograde_s / students)} per submission ({ratio:.2f}x bare)",
               baseline=f"{ms(bare_s / students)} per notebook (nbclient alone)",
               speedup=None, target=target, met=ratio <= 2.0,
               details={"quiz": quiz, "students": students, "autograded": len(done),
                        "autograde_total_s": autograde_s, "nbclient_total_s": bare_s,
                        "ratio": ratio, "nbclient_per_notebook": stats(bare)})


# -- row 6: cold start ----------------------------------------------------------------------------

def _wall(cmd: list[str], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=venv_env())
        out.append(time.perf_counter() - t0)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stderr[-1500:]}")
    return out


def bench_6(quick: bool) -> dict[str, Any]:
    runs = 3 if quick else 11
    py = sys.executable
    cli = [py, "-m", "ftroi_helpers", "breakeven", "--hosted", "15", "--self-hosted", "2",
           "--one-time", "400"]
    # Interleave the three commands so a change in the machine's load hits them alike.
    bare, imp, run_cli = [], [], []
    cli_ok = subprocess.run(cli, cwd=ROOT, capture_output=True, text=True,
                            env=venv_env()).returncode == 0
    for _ in range(runs):
        bare += _wall([py, "-c", "pass"], 1)
        imp += _wall([py, "-c", "import ftroi_helpers"], 1)
        if cli_ok:
            run_cli += _wall(cli, 1)
    heavy = subprocess.run(
        [py, "-c", "import sys, ftroi_helpers; print(','.join(m for m in "
         "('numpy', 'pandas', 'matplotlib', 'ipywidgets') if m in sys.modules))"],
        cwd=ROOT, capture_output=True, text=True, env=venv_env()).stdout.strip()
    base = statistics.median(bare)
    import_s = statistics.median(imp) - base
    items = [{"name": "import ftroi_helpers", "status": "ok", "seconds": import_s,
              "met": import_s <= 0.150, "target": "<= 150 ms",
              "modules_loaded": heavy.split(",") if heavy else []}]
    if cli_ok:
        cli_s = statistics.median(run_cli) - base
        items.append({"name": "python -m ftroi_helpers breakeven --hosted 15 --self-hosted 2 "
                              "--one-time 400", "status": "ok", "seconds": cli_s})
    else:
        items.append({"name": "python -m ftroi_helpers breakeven ...", "status": "skipped",
                      "message": "not available: `python -m ftroi_helpers` does not run yet"})
    return row("6", "cold start, minus a bare `python -c pass`",
               summary=f"import {ms(import_s)}" + (f"; CLI {ms(items[1]['seconds'])}"
                                                    if cli_ok else "; CLI n/a"),
               baseline=f"python -c pass: {ms(base)}", target="import <= 150 ms",
               met=import_s <= 0.150, items=items,
               details={"runs": runs, "python_c_pass": stats(bare), "import": stats(imp),
                        "cli": stats(run_cli) if run_cli else None,
                        "bytecode_cached": (ROOT / "ftroi_helpers" / "__pycache__").is_dir()})


# -- the table -----------------------------------------------------------------------------------

ROWS: dict[str, Callable[[bool], dict[str, Any]]] = {
    "1a": bench_1a, "1b": bench_1b, "2": bench_2, "3": bench_3, "4": bench_4, "5": bench_5,
    "6": bench_6,
}


def machine() -> dict[str, Any]:
    import matplotlib
    import numpy as np

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = None
    return {"cpu_count": os.cpu_count(), "cpu_model": cpu, "platform": platform.platform(),
            "python": platform.python_version(), "numpy": np.__version__,
            "matplotlib": matplotlib.__version__,
            "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "load_average_1_5_15_min": load}


def _met(value: Any) -> str:
    return {True: "yes", False: "NO", None: "-"}[value]


def table(rows: list[dict[str, Any]], markdown: bool = False) -> str:
    """The results as a fixed-width text table (or a Markdown one), a line per row and item."""
    lines = [("row", "what", "result", "baseline", "speed-up", "target", "met")]
    for r in rows:
        speed = f"{r['speedup']:,.0f}x" if r.get("speedup") else ""
        result = r["summary"] if r["status"] != "error" else "ERROR"
        lines.append((r["row"], r["title"], result, r.get("baseline", ""), speed,
                      r.get("target", ""), _met(r.get("met"))))
        for it in r.get("items", []):
            if it.get("status") != "ok":
                res = it.get("message", it.get("status", ""))
            elif "median_s" in it:
                res = f"median {ms(it['median_s'])}, p95 {ms(it['p95_s'])}"
                if "cpu_median_s" in it:
                    res += f" (CPU {ms(it['cpu_median_s'])})"
                if it.get("sweep_updates"):
                    res += f"; sweep {ms(it['sweep_median_s'])}"
            else:
                res = ms(it.get("seconds"))
            lines.append(("", f"  {it['name']}", res, "", "", it.get("target", ""),
                          _met(it.get("met"))))
        if r["status"] != "ok" and r.get("message"):
            lines.append(("", f"  {r['message'].splitlines()[0][:150]}", "", "", "", "", ""))
    if markdown:
        cells = [[str(c).replace("|", "\\|").strip() or " " for c in line] for line in lines]
        cells.insert(1, ["---"] * len(lines[0]))
        return "\n".join("| " + " | ".join(line) + " |" for line in cells)
    widths = [min(max(len(str(line[i])) for line in lines), cap)
              for i, cap in enumerate((4, 64, 66, 56, 9, 30, 4))]
    out = []
    for k, line in enumerate(lines):
        out.append("  ".join(str(c)[:w].ljust(w) for c, w in zip(line, widths, strict=True)))
        if k == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def select(only: str | None) -> list[str]:
    if only is None:
        return list(ROWS)
    chosen = [r for r in ROWS if r == only or (only.isdigit() and r.rstrip("ab") == only)]
    if not chosen:
        raise SystemExit(f"--only must be one of {', '.join(ROWS)} (or 1 for 1a and 1b), "
                         f"got {only!r}")
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes (checks the script in seconds; timings mean little)")
    parser.add_argument("--only", metavar="ROW", help="run one row: 1a, 1b, 1 (both), 2 ... 6")
    parser.add_argument("--out", metavar="PATH", type=Path, default=DEFAULT_OUT,
                        help=f"where to write the JSON results (default {DEFAULT_OUT})")
    parser.add_argument("--markdown", action="store_true",
                        help="print the table of the results in --out as Markdown and stop")
    args = parser.parse_args(argv)
    if args.markdown:
        print(table(json.loads(args.out.read_text())["rows"], markdown=True))
        return 0
    chosen = select(args.only)
    info = machine()
    print(f"ftroi benchmarks{' (quick)' if args.quick else ''} on {info['cpu_count']} CPU(s), "
          f"{info['platform']}, Python {info['python']}, numpy {info['numpy']}; "
          f"load average {info['load_average_1_5_15_min']}", flush=True)
    results, failed = [], False
    for key in chosen:
        print(f"  running row {key} ...", flush=True)
        t0 = time.perf_counter()
        try:
            r = ROWS[key](args.quick)
        except Exception as exc:  # report the row as broken and carry on with the others
            failed = True
            r = row(key, ROWS[key].__name__, status="error",
                    message=f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
            print(r["message"], file=sys.stderr)
        r["wall_s"] = time.perf_counter() - t0
        results.append(r)
    info["load_average_at_end"] = machine()["load_average_1_5_15_min"]
    print()
    print(table(results))
    out: dict[str, Any] = {"machine": info, "quick": args.quick, "rows": results}
    if args.only and args.out.exists():  # keep the other rows of an earlier full run
        try:
            earlier = json.loads(args.out.read_text())
            if earlier.get("quick") == args.quick:
                fresh = {r["row"] for r in results}
                kept = [r for r in earlier.get("rows", []) if r["row"] not in fresh]
                out["rows"] = sorted(kept + results, key=lambda r: list(ROWS).index(r["row"]))
                out["machine"] = {**earlier.get("machine", {}), "latest_rows": info}
        except (ValueError, KeyError):
            pass
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2, default=float) + "\n")
    print(f"\nwrote {args.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
