#!/usr/bin/env python
"""Benchmarks for issue 13: token counting speed and report generation time.

    .venv/bin/python benchmarks/decision.py            # full sizes
    .venv/bin/python benchmarks/decision.py --quick    # tiny sizes: checks the script only

Prints one line per figure. Targets (2-core machine): counting >= 1 MB of text per second for
each exact encoding; writing a one-page report (HTML or Markdown) from a scenario file as lesson
07 builds it, in a fresh process (``ftroi report``), <= 3 s.
Timings depend on the machine's load: the load average is printed with them.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a checkout without installing the package
    sys.path.insert(0, str(ROOT))

SAMPLE = (
    "You are a support assistant for an online shop. Classify each customer message as "
    "billing, shipping, technical or other, and answer with the label only.\n"
    "Input: My invoice for March shows USD 1,234.56 twice!! Can you refund one?\n"
    "Label: billing\n"
    "Input: Le colis n'est jamais arrivé à Köln — 東京の倉庫から発送されました 🙂\n"
    "Label: shipping\n"
    "def handler(event):\n    return {'status': 200, 'body': event['body'].strip()}\n\n"
)


def tokenizer_rows(quick: bool) -> list[tuple[str, str, bool]]:
    from ftroi_helpers.tokenizer import _encoder, count_tokens

    rows = []
    size = 20_000 if quick else 4_000_000
    text = (SAMPLE * (size // len(SAMPLE) + 1))[:size]
    megabytes = len(text.encode("utf-8")) / 1e6
    for model, encoding in (("gpt-4o-mini", "o200k_base"), ("gpt-3.5-turbo", "cl100k_base")):
        start = time.perf_counter()
        _encoder(encoding)
        load = time.perf_counter() - start
        times = []
        for _ in range(1 if quick else 5):
            start = time.perf_counter()
            n = count_tokens(text, model=model)
            times.append(time.perf_counter() - start)
        rate = megabytes / statistics.median(times)
        rows.append((f"count_tokens {encoding}",
                     f"{rate:,.1f} MB/s ({megabytes:.2f} MB, {n:,} tokens, median of "
                     f"{len(times)}; vocabulary load {load:.2f} s once)", rate >= 1.0))
    return rows


def worksheet_like_file(path: Path) -> None:
    """A scenario file as lesson 07 builds it: prompt, tokens, prices, costs, ranges, answers."""
    from ftroi_helpers import calculators
    from ftroi_helpers.scenario_file import update

    calculators.prompt_cost(price_row="gpt-4o-2024-08-06").use_file(path)
    update(path, prices={"finetuned_model": "gpt-4o-mini-2024-07-18"}, data_prep_usd=500,
           eval_harness_usd=200, monitoring_usd_per_month=20, retrain_every_months=6,
           ranges={"requests_per_month": [100_000, 300_000], "data_prep_usd": [250, 1_500],
                   "eval_harness_usd": [100, 500], "monitoring_usd_per_month": [0, 60],
                   "hosted_price_decline_per_year": [0.0, 0.3]},
           uncertainty={"n_draws": 10_000, "seed": 0, "within_months": 3})
    calculators.decision_tree(labeled_examples=1_000, quality_gap_pct=8).use_file(path)


def report_rows(quick: bool) -> list[tuple[str, str, bool]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        toml = Path(tmp) / "my.toml"
        worksheet_like_file(toml)
        for suffix in ("html", "md"):
            out = Path(tmp) / f"decision.{suffix}"
            times, cpu = [], []
            for _ in range(1 if quick else 5):
                # a fresh process each time: what `ftroi report` costs a learner, imports included
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                subprocess.run([sys.executable, "-m", "ftroi_helpers", "report", str(toml), "-o",
                                str(out)], check=True, capture_output=True, cwd=ROOT)
                times.append(time.perf_counter() - start)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            median = statistics.median(times)
            # on a busy machine the wall time waits for a core; the CPU time is what it costs
            rows.append((f"ftroi report -o decision.{suffix}",
                         f"{median:.2f} s wall, {statistics.median(cpu):.2f} s CPU (medians of "
                         f"{len(times)} fresh processes; {out.stat().st_size / 1024:,.0f} KiB)",
                         median <= 3.0))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (checks the script)")
    args = parser.parse_args(argv)
    load_start = os.getloadavg()[0]
    rows = tokenizer_rows(args.quick) + report_rows(args.quick)
    width = max(len(r[0]) for r in rows)
    for what, result, met in rows:
        print(f"{what.ljust(width)}  {result}  {'target met' if met else 'TARGET MISSED'}")
    print(f"load average {load_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end; "
          f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
