"""The ``ftroi`` command line: the workbook's cost model without a notebook.

The calculator demo's example, one line in and one line out::

    $ ftroi breakeven --hosted 15 --self-hosted 2 --one-time 400
    Break even after ~30,769 requests

Subcommands (``ftroi COMMAND --help`` explains every flag and its units):

``breakeven``  requests until fine-tuning repays its one-time cost (the calculator demo);
``days``       days until training pays back from P, V, T and S (the Cost Curves page);
``tokens``     monthly inference savings from token counts and per-token prices (the crossover guide);
``tco``        month-by-month total cost of ownership of a scenario, from a JSON/TOML file and flags;
``prices``     the dated price table shipped with the package;
``report``     a one-page decision report (HTML or Markdown) from a scenario file.

Run it as ``ftroi ...`` (the installed console script) or ``python -m ftroi_helpers ...``.
A bad value, file or key is reported as one line on stderr (``ftroi: error: ...``) with exit code
2, never a traceback. Only the modules a subcommand needs are imported, so it starts quickly:
pandas loads only for ``tco``, ``prices`` and ``report`` (and ``tokens`` when it looks prices up).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

__all__ = ["main", "build_parser"]

PROG = "ftroi"
DEFAULT_MODEL = "gpt-4o-mini-2024-07-18"


class CliError(Exception):
    """A problem with the command line, reported as one line."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (``ftroi: error: ...``) and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise CliError(message)


def _text(text: str) -> str:
    """A typed value for a message, shortened: '10000...(400 characters)'."""
    return repr(text) if len(text) <= 40 else repr(text[:30]) + f"... ({len(text):,} characters)"


def number(text: str) -> float:
    """argparse type: a number such as ``15``, ``0.002`` or ``1e6``."""
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {_text(text)}") from None


def whole(text: str) -> int:
    """argparse type: a whole number such as ``12`` (any size: the model says if it is too big)."""
    try:
        return int(text, 10)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {_text(text)}") from None
    if not value.is_integer():
        raise argparse.ArgumentTypeError(f"must be a whole number, got {_text(text)}")
    return int(value)


# ----------------------------------------------------------------------------------------------
# breakeven


def _breakeven(args: argparse.Namespace) -> int:
    from .breakeven import breakeven_requests, explain_breakeven
    from .validation import finite_result, require_nonnegative

    # Check everything before printing anything, so an error never follows half an answer.
    sentence = explain_breakeven(args.hosted_cost_per_1k_req, args.self_hosted_cost_per_1k_req,
                                 args.one_time_finetune_cost)
    lines = [sentence]
    if args.requests_per_day is not None:
        per_day = require_nonnegative("requests_per_day", args.requests_per_day)
        requests = breakeven_requests(args.hosted_cost_per_1k_req,
                                      args.self_hosted_cost_per_1k_req,
                                      args.one_time_finetune_cost)
        if requests is not None and requests > 0:  # (at once, or never: the sentence says so)
            if per_day == 0:
                lines.append("At 0 requests/day that never happens")
            else:
                days = finite_result(requests / per_day, "days to break even",
                                     {"one_time_finetune_cost": args.one_time_finetune_cost,
                                      "requests_per_day": per_day})
                lines.append(f"At {per_day:,.0f} requests/day that is ~{days:,.1f} days")
    print("\n".join(lines))
    return 0


def _add_breakeven(sub: Any) -> None:
    p = sub.add_parser(
        "breakeven",
        help="requests until fine-tuning repays its one-time cost (the calculator demo)",
        description="Requests until the per-request savings of a self-hosted fine-tuned model "
        "repay the one-time fine-tuning cost: one_time / (hosted - self_hosted) * 1,000.",
        epilog="Example (the calculator demo): ftroi breakeven --hosted 15 --self-hosted 2 --one-time 400",
    )
    p.add_argument("--hosted", "--hosted-cost-per-1k-req", dest="hosted_cost_per_1k_req",
                   type=number, required=True, metavar="USD",
                   help="cost of the hosted API, USD per 1,000 requests (the calculator demo: 15)")
    p.add_argument("--self-hosted", "--self-hosted-cost-per-1k-req",
                   dest="self_hosted_cost_per_1k_req", type=number, required=True, metavar="USD",
                   help="cost of the self-hosted fine-tuned model, USD per 1,000 requests "
                   "(the calculator demo: 2)")
    p.add_argument("--one-time", "--one-time-finetune-cost", dest="one_time_finetune_cost",
                   type=number, required=True, metavar="USD",
                   help="one-time project cost in USD: data + training + evaluation "
                   "(the calculator demo: 400)")
    p.add_argument("--requests-per-day", type=number, metavar="N",
                   help="optional: your volume in requests/day, to also say how many days "
                   "break-even takes")
    p.set_defaults(run=_breakeven)


# ----------------------------------------------------------------------------------------------
# days


def days_sentence(prompt_cost_per_call: float, calls_per_day: float, training_cost: float,
                  savings_fraction: float) -> str:
    """The sentence ``ftroi days`` prints (the same as the lesson's P/V/T/S calculator).

    >>> days_sentence(0.002, 10_000, 300, 0.6)
    'Training pays back after 25.0 days (saving $12.00 a day)'
    """
    from .breakeven import explain_breakeven_days

    return explain_breakeven_days(prompt_cost_per_call, calls_per_day, training_cost,
                                  savings_fraction)


def _days(args: argparse.Namespace) -> int:
    print(days_sentence(args.prompt_cost_per_call, args.calls_per_day, args.training_cost,
                        args.savings_fraction))
    return 0


def _add_days(sub: Any) -> None:
    p = sub.add_parser(
        "days",
        help="days until training pays back, from P, V, T and S (the Cost Curves page)",
        description="The Cost Curves page's question: prompt cost P per call at V calls/day, training "
        "cost T, inference savings S. Days to break even = T / (P * V * S).",
        epilog="Example: ftroi days --prompt-cost 0.002 --calls-per-day 10000 "
        "--training-cost 300 --savings 0.6",
    )
    p.add_argument("--prompt-cost", "--prompt-cost-per-call", dest="prompt_cost_per_call",
                   type=number, required=True, metavar="USD",
                   help="P: cost of one prompted call, USD per call (e.g. 0.002)")
    p.add_argument("--calls-per-day", type=number, required=True, metavar="N",
                   help="V: calls per day (calls/day)")
    p.add_argument("--training-cost", type=number, required=True, metavar="USD",
                   help="T: one-time training cost, USD")
    p.add_argument("--savings", "--savings-fraction", dest="savings_fraction", type=number,
                   required=True, metavar="FRACTION",
                   help="S: fraction of the per-call cost the fine-tuned model saves, "
                   "0 to 1 (0.6 = 60 %%)")
    p.set_defaults(run=_days)


# ----------------------------------------------------------------------------------------------
# tokens

_PRICE_FLAGS = {
    # dest: (column in prices.csv, which model flag supplies it)
    "base_usd_per_1m_input": ("base_usd_per_1m_input_tokens", "model"),
    "base_usd_per_1m_output": ("base_usd_per_1m_output_tokens", "model"),
    "ft_usd_per_1m_input": ("ft_usd_per_1m_input_tokens", "ft_model"),
    "ft_usd_per_1m_output": ("ft_usd_per_1m_output_tokens", "ft_model"),
}


def _resolve_prices(args: argparse.Namespace) -> tuple[dict[str, float], list[str]]:
    """Per-token prices from the flags, looking up the rest in prices.csv; plus the as_of lines."""
    prices = {dest: getattr(args, dest) for dest in _PRICE_FLAGS}
    notes: list[str] = []
    missing = [dest for dest, value in prices.items() if value is None]
    if not missing:
        notes.append("prices given on the command line")
        return prices, notes
    from .prices import price_row

    rows: dict[str, Any] = {}
    for dest in missing:
        column, flag = _PRICE_FLAGS[dest]
        model = getattr(args, flag) or args.model
        if model not in rows:
            try:
                rows[model] = price_row(model)
            except ValueError as exc:
                if getattr(exc, "internal", False):  # the price table itself is broken
                    raise
                typed = flag if getattr(args, flag) else "model"
                raise ValueError(f"--{typed.replace('_', '-')}: {exc}") from None
        value = rows[model][column]
        if value != value:  # NaN: the row has no such price
            raise ValueError(
                f"--{flag.replace('_', '-')} {model!r} has no {column} in prices.csv; "
                f"give --{dest.replace('_', '-')} instead"
            )
        prices[dest] = float(value)
    for model, row in rows.items():
        notes.append(f"{model} prices as of {row['as_of']} ({row['source']})")
    return prices, notes


def _tokens(args: argparse.Namespace) -> int:
    from .formatting import usd
    from .formatting import usd_per_1m_tokens as price
    from .token_costs import monthly_inference_savings, request_cost

    prices, notes = _resolve_prices(args)
    common = dict(
        requests_per_day=args.requests_per_day,
        prompted_input_tokens=args.prompted_input_tokens,
        finetuned_input_tokens=args.finetuned_input_tokens,
        output_tokens=args.output_tokens,
        days_per_month=args.days_per_month,
        **prices,
    )
    true_savings = monthly_inference_savings(**common)
    volume = f"{args.requests_per_day:,.0f} requests/day x {args.days_per_month:g} days"
    if args.naive:
        naive_savings = monthly_inference_savings(**common, naive=True)
        print(f"Naive monthly savings (the crossover guide's shortcut): {usd(naive_savings)} a month "
              f"({volume})")
        print("  The shortcut prices the saved input tokens at the fine-tuned input price and "
              "ignores that every")
        print("  fine-tuned token costs more. At each model's own prices the saving is "
              f"{usd(true_savings)} a month.")
    else:
        verdict = "" if true_savings >= 0 else " (negative: the fine-tuned model costs more)"
        print(f"Monthly inference savings: {usd(true_savings)} a month ({volume}){verdict}")
    prompted = request_cost(args.prompted_input_tokens, args.output_tokens,
                            prices["base_usd_per_1m_input"], prices["base_usd_per_1m_output"])
    tuned = request_cost(args.finetuned_input_tokens, args.output_tokens,
                         prices["ft_usd_per_1m_input"], prices["ft_usd_per_1m_output"])
    base_name = args.model
    ft_name = args.ft_model or args.model
    print(f"  prompting  {base_name}: {args.prompted_input_tokens:,.0f} in + "
          f"{args.output_tokens:,.0f} out tokens at {price(prices['base_usd_per_1m_input'])} / "
          f"{price(prices['base_usd_per_1m_output'])} per 1M = ${prompted:.6f} per request")
    print(f"  fine-tuned {ft_name} (fine-tuned prices): {args.finetuned_input_tokens:,.0f} in + "
          f"{args.output_tokens:,.0f} out tokens at {price(prices['ft_usd_per_1m_input'])} / "
          f"{price(prices['ft_usd_per_1m_output'])} per 1M = ${tuned:.6f} per request")
    for note in notes:
        print(f"  {note}")
    return 0


def _add_tokens(sub: Any) -> None:
    p = sub.add_parser(
        "tokens",
        help="monthly inference savings from token counts and prices (the crossover guide)",
        description="USD per month saved by serving a fine-tuned model with a short prompt "
        "instead of prompting the base model with few-shot examples. Each request is priced at "
        "its own model's per-token prices; a negative saving means fine-tuning costs more per "
        "request. Prices not given as flags come from prices.csv (see 'ftroi prices').",
        epilog="Example (the crossover guide, simple classification): ftroi tokens --requests-per-day "
        "10000 --prompted-input-tokens 800 --finetuned-input-tokens 200 --output-tokens 50 "
        "--naive",
    )
    p.add_argument("--requests-per-day", type=number, required=True, metavar="N",
                   help="requests per day (requests/day)")
    p.add_argument("--prompted-input-tokens", type=number, required=True, metavar="TOKENS",
                   help="input tokens per prompted request, few-shot examples included "
                   "(tokens/request)")
    p.add_argument("--finetuned-input-tokens", type=number, required=True, metavar="TOKENS",
                   help="input tokens per request to the fine-tuned model (tokens/request)")
    p.add_argument("--output-tokens", type=number, required=True, metavar="TOKENS",
                   help="output tokens per request, the same for both (tokens/request)")
    p.add_argument("--model", default=DEFAULT_MODEL, metavar="NAME",
                   help="model prompted today; its base prices come from prices.csv "
                   f"(default: {DEFAULT_MODEL})")
    p.add_argument("--ft-model", metavar="NAME",
                   help="model you would fine-tune; its fine-tuned prices come from prices.csv "
                   "(default: the same as --model)")
    for dest, (column, _flag) in _PRICE_FLAGS.items():
        kind = "input" if dest.endswith("input") else "output"
        who = "base model" if dest.startswith("base") else "fine-tuned model"
        p.add_argument(f"--{dest.replace('_', '-')}", dest=dest, type=number, metavar="USD",
                       help=f"{who} {kind} price, USD per 1M tokens (overrides prices.csv's "
                       f"{column})")
    p.add_argument("--days-per-month", type=number, default=30.0, metavar="DAYS",
                   help="days per month (default: 30, as the crossover guide)")
    p.add_argument("--naive", action="store_true",
                   help="show the crossover guide's shortcut (saved input tokens x fine-tuned input "
                   "price, USD/month) next to the correct figure")
    p.set_defaults(run=_tokens)


# ----------------------------------------------------------------------------------------------
# tco

def _scenario_flags() -> dict[str, tuple[str, str]]:
    """Scenario field -> (metavar, help with units), from the fields' registry."""
    from .scenario import SCENARIO_FIELDS

    return {name: (spec.metavar, spec.help) for name, spec in SCENARIO_FIELDS.items()}


#: Scenario field -> (metavar, help with units), derived from
#: :data:`~ftroi_helpers.scenario.SCENARIO_FIELDS`.
SCENARIO_FLAGS: dict[str, tuple[str, str]] = _scenario_flags()


def load_scenario_file(path: str) -> dict[str, Any]:
    """Scenario fields from a ``.toml`` or ``.json`` scenario file, by field name.

    Reads both the sectioned format of :mod:`ftroi_helpers.scenario_file` (costs worked out
    from tokens x prices included) and the flat table of field: value that earlier versions
    wrote. Every message names the file.
    """
    from .scenario_file import load

    sf = load(path)
    return {name: getattr(sf.scenario, name) for name in sf.given | sf.derived}


def _format_table(headers: Sequence[str], rows: Sequence[Sequence[str]],
                  right: Sequence[bool] | None = None) -> str:
    """Plain-text table: columns padded to their widest cell."""
    right = right if right is not None else [True] * len(headers)
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.rjust(w) if r else c.ljust(w)
                         for c, w, r in zip(cells, widths, right, strict=True)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])


def _tco(args: argparse.Namespace) -> int:
    from .cost_model import Scenario, tco
    from .formatting import usd

    values: dict[str, Any] = {}
    if args.scenario:
        values.update(load_scenario_file(args.scenario))
    for name in SCENARIO_FLAGS:
        flag_value = getattr(args, name)
        if flag_value is not None:
            values[name] = flag_value
    result = tco(Scenario(**values))
    table = result.table
    if args.csv == "-":
        sys.stdout.write(table.to_csv(index=False))
        return 0
    if args.csv:
        try:
            table.to_csv(args.csv, index=False)
        except OSError as exc:
            raise ValueError(f"--csv: cannot write {_text(args.csv)}: "
                             f"{exc.strerror or exc}") from None
    s = result.scenario
    when = (f" (after {result.payback_months:.2f} months)"
            if result.payback_months is not None else "")
    print(result.summary() + when)
    print()
    print("Scenario:")
    width = max(map(len, SCENARIO_FLAGS))
    for name, (_metavar, text) in SCENARIO_FLAGS.items():
        value = getattr(s, name)
        shown = ("yes" if value else "no") if isinstance(value, bool) else f"{value:,.10g}"
        print(f"  {name.ljust(width)}  {shown:>9}  {text}")
    print(f"  {'one-time cost'.ljust(width)}  {usd(s.one_time_usd):>9}  "
          "data + training + evaluation harness, USD")
    print()
    money = [c for c in table.columns if c != "month"]
    rows = [[str(int(r["month"]))] + [usd(float(r[c])) for c in money]
            for _, r in table.iterrows()]
    print(_format_table(["month", *money], rows))
    if args.csv:
        print(f"\nWrote the table to {args.csv}")
    return 0


def _add_tco(sub: Any) -> None:
    from .scenario import SCENARIO_FIELDS, Scenario

    defaults = Scenario()
    p = sub.add_parser(
        "tco",
        help="month-by-month total cost of ownership of a scenario",
        description="Total cost of ownership, month by month: keep prompting the hosted model, "
        "or fine-tune? Start from the defaults (the calculator demo's example), a scenario file, or "
        "both; flags override the file. One-time costs are paid at the start of month 1, "
        "retraining at the start of months 1+N, 1+2N, ...",
        epilog="A scenario file is a flat JSON object or TOML table whose keys are the flag "
        "names with underscores, e.g. {\"hosted_cost_per_1k_req\": 3, \"retrain_every_months\": "
        "3}. Example: ftroi tco --scenario my.toml --horizon-months 24 --csv table.csv",
    )
    p.add_argument("--scenario", metavar="FILE",
                   help="a .json or .toml file of scenario fields (field names as below, with "
                   "underscores)")
    for name, spec in SCENARIO_FIELDS.items():
        default = getattr(defaults, name)
        if spec.kind == "flag":  # --name turns it on, --no-name off
            p.add_argument(f"--{name.replace('_', '-')}", dest=name, default=None,
                           action=argparse.BooleanOptionalAction,
                           help=f"{spec.help} (default: {'on' if default else 'off'})")
            continue
        p.add_argument(f"--{name.replace('_', '-')}", dest=name, metavar=spec.metavar,
                       type=whole if spec.whole else number,
                       help=f"{spec.help} (default: {default:,.10g})")
    p.add_argument("--csv", nargs="?", const="-", metavar="PATH",
                   help="write the month table as CSV: to PATH, or alone to standard output "
                   "when PATH is left out (money in USD)")
    p.set_defaults(run=_tco)


# ----------------------------------------------------------------------------------------------
# prices

_PRICE_SUMMARY = [
    # (header, column, format)
    ("model", "model", "s"),
    ("kind", "kind", "s"),
    ("base in/out USD/1M tok", ("base_usd_per_1m_input_tokens", "base_usd_per_1m_output_tokens"),
     "pair"),
    ("FT in/out USD/1M tok", ("ft_usd_per_1m_input_tokens", "ft_usd_per_1m_output_tokens"), "pair"),
    ("training USD/1M tok", ("training_usd_per_1m_tokens_low", "training_usd_per_1m_tokens_high"),
     "range"),
    ("GPU", "gpu_type", "s"),
    ("USD/GPU-hour", ("usd_per_gpu_hour_low", "usd_per_gpu_hour_high"), "range"),
    ("as_of", "as_of", "s"),
    ("source", "source", "s"),
]


def _cell(value: Any) -> str:
    if value is None or value != value:  # None or NaN
        return "-"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _price_cells(row: Any) -> list[str]:
    cells = []
    for _header, column, fmt in _PRICE_SUMMARY:
        if fmt == "s":
            cells.append(_cell(row[column]))
            continue
        a, b = (_cell(row[c]) for c in column)
        if a == "-" and b == "-":
            cells.append("-")
        elif fmt == "range" and a == b:
            cells.append(a)
        else:
            cells.append(f"{a}-{b}" if fmt == "range" else f"{a} / {b}")
    return cells


def _prices(args: argparse.Namespace) -> int:
    from .prices import load_prices, price_row

    if args.model:
        row = price_row(args.model)
        print(f"model: {args.model}")
        for column, value in row.items():
            print(f"{column}: {_cell(value)}")
        return 0
    table = load_prices()
    if args.csv:
        sys.stdout.write(table.to_csv(index=False))
        return 0
    rows = [_price_cells(row) for _, row in table.iterrows()]
    headers = [h for h, _c, _f in _PRICE_SUMMARY]
    print(_format_table(headers, rows, right=[f != "s" for _h, _c, f in _PRICE_SUMMARY]))
    print("\nPrices move (the crossover guide: down 50-80 % a year): check as_of before you rely on one. "
          "Ranges are as quoted by the crossover guide.")
    return 0


def _add_prices(sub: Any) -> None:
    p = sub.add_parser(
        "prices",
        help="the dated price table shipped with the package",
        description="The price table (ftroi_helpers/data/prices.csv): per-token prices in USD "
        "per 1M tokens, training in USD per 1M training tokens, GPUs in USD per GPU-hour. Every "
        "row says when the figure was read (as_of) and where (source).",
    )
    p.add_argument("--model", metavar="NAME",
                   help="show every column of one row, by its exact model name")
    p.add_argument("--csv", action="store_true", help="print the whole table as CSV")
    p.set_defaults(run=_prices)


# ----------------------------------------------------------------------------------------------


# ----------------------------------------------------------------------------------------------
# report


def _report(args: argparse.Namespace) -> int:
    from .report import write_report

    out = write_report(args.scenario_file, args.output)
    print(f"Wrote {out} (open it in a browser; print it on A4)"
          if out.suffix.lower() != ".md" else f"Wrote {out} (Markdown, images embedded)")
    return 0


def _add_report(sub: Any) -> None:
    p = sub.add_parser(
        "report",
        help="a one-page decision report (HTML or Markdown) from a scenario file",
        description="Write a one-page report on a scenario file: the decision in one "
        "sentence, the cumulative cost curves with payback, the tornado and the Monte Carlo "
        "probabilities, the path through the decision tree, every assumption with its source "
        "and date, and the caveats. HTML is one self-contained page (figures embedded) that "
        "prints on A4; Markdown can be pasted into a document.",
        epilog="Example: ftroi report my.toml -o decision.html (or -o decision.md)",
    )
    p.add_argument("scenario_file", metavar="SCENARIO_FILE",
                   help="a .toml (or .json) scenario file, e.g. saved by a calculator's .save()")
    p.add_argument("-o", "--output", default="decision.html", metavar="PATH",
                   help="where to write: .html (default decision.html) or .md")
    p.set_defaults(run=_report)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    from . import __version__

    parser = _Parser(
        prog=PROG,
        description="Fine-tuning or prompting? The workbook's cost model on the command line. "
        "Money is in USD; each command's --help gives the units of every flag.",
        epilog="Example: ftroi breakeven --hosted 15 --self-hosted 2 --one-time 400",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND",
                                title="commands (ftroi COMMAND --help for details)")
    _add_breakeven(sub)
    _add_days(sub)
    _add_tokens(sub)
    _add_tco(sub)
    _add_prices(sub)
    _add_report(sub)
    return parser


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    import os

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor (e.g. captured)
        pass


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


#: Exit codes: 0 done; 2 a bad value, file or flag (the user can fix it); 3 an internal error
#: (a bug, or a broken installation such as a missing price table); 130 interrupted (Ctrl-C).
EXIT_OK, EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 2, 3, 130


def _flags_named(message: str, parser: argparse.ArgumentParser, args: Any,
                 argv: Sequence[str]) -> str:
    """The flags (as the user typed them) whose parameters an error message names.

    The maths names its parameters (``hosted_cost_per_1k_req``); on the command line the user
    typed ``--hosted``. Returns e.g. ``" (flag --hosted)"``, or ``""``.
    """
    import re

    command = getattr(args, "command", None)
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not command or not subs or command not in subs[0].choices:
        return ""
    typed = set(argv)
    found = []
    for action in subs[0].choices[command]._actions:
        if not action.option_strings or action.dest in ("help",):
            continue
        if re.search(rf"(?<![A-Za-z_]){re.escape(action.dest)}(?![A-Za-z_])", message):
            used = [o for o in action.option_strings if o in typed]
            flag = (used or action.option_strings)[0]
            if flag not in message:
                found.append(flag)
    return f" (flag {', '.join(found)})" if found else ""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code.

    0 when the command ran; 2 for a bad value, file or flag (one line on stderr, starting
    ``ftroi: error:`` and naming the flag); 3 for an internal error (one line starting
    ``ftroi: internal error:``); 130 when interrupted. Never a traceback, and no numpy warning
    reaches the terminal.

    >>> main(["breakeven", "--hosted", "15", "--self-hosted", "2", "--one-time", "400"])
    Break even after ~30,769 requests
    0
    """
    import warnings

    argv = list(sys.argv[1:] if argv is None else argv)
    args: Any = None
    parser: argparse.ArgumentParser | None = None
    with warnings.catch_warnings():
        # numpy's RuntimeWarnings (overflow, invalid value) never reach the user; the maths
        # refuses a result that is not finite with a message of its own.
        warnings.simplefilter("ignore")
        try:
            parser = build_parser()
            args = parser.parse_args(argv)
            if args.command is None:
                raise CliError("choose a command: breakeven, days, tokens, tco, prices or report "
                               f"(see {PROG} --help)")
            return int(args.run(args))
        except SystemExit as exc:  # --help and --version
            return exc.code if isinstance(exc.code, int) else EXIT_OK
        except BrokenPipeError:  # e.g. `ftroi prices | head -1`: stop quietly
            _silence_stdout()
            return EXIT_OK
        except KeyboardInterrupt:
            print(f"{PROG}: interrupted", file=sys.stderr)
            return EXIT_INTERRUPTED
        except (CliError, ValueError, TypeError) as exc:
            internal = getattr(exc, "internal", False)
            text = _one_line(exc)
            if parser is not None and not internal:
                text += _flags_named(text, parser, args, argv) + _dash_hint(text, argv)
            kind = "internal error" if internal else "error"
            print(f"{PROG}: {kind}: {_short(text)}", file=sys.stderr)
            return EXIT_INTERNAL if internal else EXIT_BAD_INPUT
        except MemoryError:
            print(f"{PROG}: internal error: not enough memory for this command; try smaller "
                  "values", file=sys.stderr)
            return EXIT_INTERNAL
        except Exception as exc:  # noqa: BLE001 - one line, never a traceback
            detail = _one_line(exc)
            print(f"{PROG}: internal error: {type(exc).__name__}"
                  f"{': ' + _short(detail) if detail else ''} (please report this)",
                  file=sys.stderr)
            return EXIT_INTERNAL


def _dash_hint(message: str, argv: Sequence[str]) -> str:
    """For "unrecognized arguments: -inf" after a flag: how to give a value starting with '-'."""
    prefix = "unrecognized arguments: "
    if not message.startswith(prefix):
        return ""
    token = message[len(prefix):].split(" ")[0]
    if not token.startswith("-") or token not in argv:
        return ""
    i = list(argv).index(token)
    before = argv[i - 1] if i > 0 else ""
    if not before.startswith("--"):
        return ""
    return f" (a value of {before} that starts with '-' is written {before}={token})"


def _short(text: str, limit: int = 400) -> str:
    """A message cut to ``limit`` characters (an echoed value can be long)."""
    return text if len(text) <= limit else text[: limit - 3] + "..."
