"""The sources' claims, and the workbook's corrections, side by side.

Every table here rebuilds one example from the source material with the workbook's maths, so a
lesson can show where the sources agree with their own numbers and where they do not:

* :func:`inference_savings_table` -- the crossover guide's inference-savings table, with the
  shortcut it used (``naive``) and the saving at each model's own prices (``true``);
* :func:`breakeven_range_table` -- the crossover guide's "at 100 requests/day, breakeven extends to
  6-18 months", tested against its own figures;
* :func:`volume_table` and :func:`tokens_rule_table` -- the crossover guide's requests/day bands and
  the economics article's 10-100M tokens/month rule, tested against the calculator;
* the economics article's "Where teams misuse fine-tuning economics", as a walk from the
  per-token comparison to a total cost of ownership, is in :mod:`ftroi_helpers.misuse`.

The general maths these use lives in the module of its idea: :mod:`~ftroi_helpers.breakeven`
(months and days to break even), :mod:`~ftroi_helpers.token_costs`, :mod:`~ftroi_helpers.hosting`
(GPU utilization), :mod:`~ftroi_helpers.prices` (per-token prices) and
:mod:`~ftroi_helpers.cost_model` (scenarios). The maths imports numpy only; pandas is imported
inside the functions that build tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from .breakeven import months_to_break_even
from .never import never_to_inf, never_to_na
from .prices import GPT_4O, GPT_4O_MINI, TokenPrices, token_price_models, token_prices
from .token_costs import (
    DAYS_PER_MONTH,
    monthly_inference_savings,
    monthly_prompting_cost,
    monthly_tokens,
)
from .training import TRAINING_EXAMPLES, TRAINING_EXAMPLES_LOW, training_run_usd
from .validation import (
    MAX_TABLE_ROWS,
    Number,
    require_choice,
    require_nonnegative,
    require_positive,
    require_scalar,
    short_repr,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "InferenceExample",
    "SOURCE_002_INFERENCE",
    "SOURCE_002_MINI_TRAINING_USD",
    "SOURCE_002_REQUESTS_PER_DAY",
    "SOURCE_003_REQUESTS_PER_MONTH",
    "breakeven_by_task_table",
    "breakeven_range_table",
    "inference_savings_table",
    "task_training_usd",
    "tokens_rule_table",
    "volume_table",
]

#: The calculator demo's volume: "200k requests/month currently on a hosted model".
SOURCE_003_REQUESTS_PER_MONTH = 200_000

#: The crossover guide's inference table is computed "at 10K req/day".
SOURCE_002_REQUESTS_PER_DAY = 10_000

#: The crossover guide's typical gpt-4o-mini training run: "$15-75 (500-2K examples)". A check on
#: the workbook's computed run (:func:`task_training_usd`), never an input.
SOURCE_002_MINI_TRAINING_USD = (15.0, 75.0)


class InferenceExample(NamedTuple):
    """One row of the crossover guide's inference-cost table, as printed."""

    task: str
    prompted_input_tokens: int
    finetuned_input_tokens: int
    output_tokens: int
    #: "Monthly cost savings (10K req/day)" as printed, USD per month (gpt-4o-mini).
    source_usd_per_month: float
    #: "Breakeven (training cost / monthly savings)" as printed.
    source_breakeven: str


#: The crossover guide, "Inference Cost Comparison" (all four rows: gpt-4o-mini, 10K requests/day).
SOURCE_002_INFERENCE: tuple[InferenceExample, ...] = (
    InferenceExample("Simple classification", 800, 200, 50, 54.0, "1-2 months"),
    InferenceExample("Entity extraction", 1200, 400, 200, 72.0, "1 month"),
    InferenceExample("Content generation", 2000, 500, 1000, 135.0, "1 month"),
    InferenceExample("Complex analysis", 3000, 1000, 2000, 180.0, "1 month"),
)


# -- the crossover guide's inference table ---------------------------------------------------------
def _savings(requests_per_day: Number, ex: InferenceExample, base: TokenPrices,
             tuned: TokenPrices, naive: bool) -> Number:
    return monthly_inference_savings(
        requests_per_day, ex.prompted_input_tokens, ex.finetuned_input_tokens, ex.output_tokens,
        base.base_usd_per_1m_input, base.base_usd_per_1m_output,
        tuned.ft_usd_per_1m_input, tuned.ft_usd_per_1m_output,
        days_per_month=DAYS_PER_MONTH, naive=naive)


def _model(name: str, model: str) -> TokenPrices:
    """A model's per-token prices, refusing an unknown model under the caller's name."""
    require_choice(name, model, token_price_models())
    return token_prices(model)


def _values(name: str, values: Any) -> np.ndarray:
    """A list (or one number) of positive values for a table's rows, checked under ``name``."""
    if isinstance(values, (set, frozenset)) or (
            isinstance(values, Iterable) and not isinstance(values, (str, bytes, Mapping))
            and not hasattr(values, "__array__") and not isinstance(values, (list, tuple))):
        items = []
        for item in values:  # a generator or range: stop before it grows too long
            items.append(item)
            if len(items) > MAX_TABLE_ROWS:
                break
        values = items
    arr = np.atleast_1d(require_positive(name, values))
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be one or more numbers, got {short_repr(values)}")
    if arr.size > MAX_TABLE_ROWS:
        raise ValueError(f"{name} must hold at most {MAX_TABLE_ROWS:,} values (MAX_TABLE_ROWS), "
                         f"got {arr.size:,}")
    return arr


def _task(task: str) -> InferenceExample:
    names = [ex.task for ex in SOURCE_002_INFERENCE]
    require_choice("task", task, names)
    return SOURCE_002_INFERENCE[names.index(task)]


def task_training_usd(task: str = "Simple classification", finetuned_model: str = GPT_4O_MINI,
                      examples: float = TRAINING_EXAMPLES) -> float:
    """The workbook's training run for one of the crossover guide's tasks, in USD.

    ``examples`` copies of the task's fine-tuned request (input + output tokens), 3 epochs, at
    ``finetuned_model``'s training price: :func:`~ftroi_helpers.training.training_run_usd`.
    Every table here that repays a training run uses this figure unless given another.

    Parameters
    ----------
    task : one of the four tasks of :data:`SOURCE_002_INFERENCE`
    finetuned_model : a row of :func:`token_price_models`
    examples : training examples (> 0; default 2,000, the top of the guide's "500-2K")

    Returns
    -------
    float
        USD for the run.

    Raises
    ------
    ValueError, TypeError
        For an unknown task or model, or a bad number, naming it.

    Examples
    --------
    >>> [round(task_training_usd(ex.task), 2) for ex in SOURCE_002_INFERENCE]
    [4.5, 10.8, 27.0, 54.0]
    >>> task_training_usd(examples=500)
    1.125
    """
    ex = _task(task)
    _model("finetuned_model", finetuned_model)
    return float(training_run_usd(ex.finetuned_input_tokens, ex.output_tokens, finetuned_model,
                                  examples=require_scalar("examples", examples, require_positive)))


def _training(name: str, value: Any, task: str, finetuned_model: str,
              examples: float = TRAINING_EXAMPLES) -> float:
    """``value`` checked under ``name``, or the task's computed run when it is None."""
    if value is None:
        return task_training_usd(task, finetuned_model, examples)
    return require_scalar(name, value, require_nonnegative)


def inference_savings_table(
    requests_per_day: float = SOURCE_002_REQUESTS_PER_DAY,
    base_model: str = GPT_4O_MINI,
    finetuned_model: str = GPT_4O_MINI,
    training_usd: float | None = None,
) -> pd.DataFrame:
    """The crossover guide's inference-savings table, recomputed two ways.

    ``naive_savings_usd_per_month`` is the shortcut behind the printed figures (saved input
    tokens times the fine-tuned input price); ``true_savings_usd_per_month`` prices the prompted
    request at ``base_model``'s prices and the fine-tuned request at ``finetuned_model``'s
    fine-tuned prices. Break-even months are the training run divided by each saving.

    Parameters
    ----------
    requests_per_day : requests per day (>= 0); the crossover guide uses 10,000
    base_model : model prompted with few-shot examples (a row of :func:`token_price_models`)
    finetuned_model : model fine-tuned and served without examples
    training_usd : one-time training cost, USD (>= 0); None (the default): each task's own run,
        :func:`task_training_usd` (2,000 examples, 3 epochs)

    Returns
    -------
    pandas.DataFrame
        One row per task: token counts, ``training_usd``, ``prompting_usd_per_month`` (the whole
        prompted bill),
        ``source_002_usd_per_month`` (as printed, for gpt-4o-mini), the naive and true savings
        (USD per month) and months to break even (nullable ``Float64``, ``<NA>`` = never:
        see :mod:`ftroi_helpers.never`).

    Raises
    ------
    ValueError, TypeError
        For an unknown task or model, or a bad number, naming it.

    Examples
    --------
    The printed $54 saving for classification is more than the whole $45 prompted bill:

    >>> t = inference_savings_table()
    >>> t["prompting_usd_per_month"].round(2).tolist()
    [45.0, 90.0, 270.0, 495.0]
    >>> t["naive_savings_usd_per_month"].round(2).tolist()
    [54.0, 72.0, 135.0, 180.0]
    >>> t["true_savings_usd_per_month"].round(2).tolist()
    [9.0, -18.0, -135.0, -315.0]
    """
    import pandas as pd

    volume = require_scalar("requests_per_day", requests_per_day, require_nonnegative)
    base = _model("base_model", base_model)
    tuned = _model("finetuned_model", finetuned_model)
    given = (None if training_usd is None
             else require_scalar("training_usd", training_usd, require_nonnegative))
    requests_per_day = volume
    rows = []
    for ex in SOURCE_002_INFERENCE:
        training = (task_training_usd(ex.task, finetuned_model) if given is None else given)
        naive = float(_savings(requests_per_day, ex, base, tuned, naive=True))
        true = float(_savings(requests_per_day, ex, base, tuned, naive=False))
        bill = float(monthly_prompting_cost(requests_per_day, ex.prompted_input_tokens,
                                            ex.output_tokens, base_model))
        rows.append({
            "task": ex.task,
            "prompted_input_tokens": ex.prompted_input_tokens,
            "finetuned_input_tokens": ex.finetuned_input_tokens,
            "output_tokens": ex.output_tokens,
            "training_usd": training,
            "prompting_usd_per_month": bill,
            "source_002_usd_per_month": ex.source_usd_per_month,
            "naive_savings_usd_per_month": naive,
            "true_savings_usd_per_month": true,
            # inf only while the rows are built: the table shows never as <NA>
            "naive_breakeven_months": never_to_inf(months_to_break_even(training, naive)),
            "true_breakeven_months": never_to_inf(months_to_break_even(training, true)),
        })
    return _never_columns(pd.DataFrame(rows))


def breakeven_range_table(
    requests_per_day: float = 100,
    task: str = "Simple classification",
    training_usd_low: float | None = None,
    training_usd_high: float | None = None,
    base_model: str = GPT_4O_MINI,
    finetuned_model: str = GPT_4O_MINI,
) -> pd.DataFrame:
    """Months to break even at one volume, for a range of training costs, two ways.

    Tests the crossover guide's "At 100 requests/day, breakeven extends to 6-18 months" against its
    own figures: the saving from its shortcut (``naive``) and at each model's own prices (``true``).

    Parameters
    ----------
    requests_per_day : requests per day (> 0)
    task : one of the four tasks of :data:`SOURCE_002_INFERENCE`
    training_usd_low, training_usd_high : one-time training cost range, USD (>= 0); None (the
        default): the task's run computed for 500 and for 2,000 examples (the guide's "500-2K"),
        :func:`task_training_usd`
    base_model, finetuned_model : rows of :func:`token_price_models`

    Returns
    -------
    pandas.DataFrame
        Rows ``naive`` and ``true``: ``training_usd_low``, ``training_usd_high``,
        ``savings_usd_per_month``, ``breakeven_months_low`` and ``breakeven_months_high``
        (nullable ``Float64``, ``<NA>`` = never).

    Raises
    ------
    ValueError, TypeError
        For an unknown task or model, or a bad number, naming it.

    Examples
    --------
    Simple classification at 100 requests/day, its run computed for 500-2,000 examples
    (USD 1.13-4.50): 2.1-8.3 months by the shortcut, 12.5-50 months at true prices:

    >>> t = breakeven_range_table(100).set_index("method")
    >>> t.loc["naive", ["breakeven_months_low", "breakeven_months_high"]].round(1).tolist()
    [2.1, 8.3]
    >>> t.loc["true", ["breakeven_months_low", "breakeven_months_high"]].round(1).tolist()
    [12.5, 50.0]

    At the guide's quoted USD 15-75 (a check, not an input) the shortcut needs 28-139 months:

    >>> t = breakeven_range_table(100, training_usd_low=15, training_usd_high=75)
    >>> t.set_index("method").loc["naive", ["breakeven_months_low", "breakeven_months_high"]
    ...                          ].round().tolist()
    [28.0, 139.0]
    """
    import pandas as pd

    volume = require_scalar("requests_per_day", requests_per_day, require_positive)
    ex = _task(task)
    base = _model("base_model", base_model)
    tuned = _model("finetuned_model", finetuned_model)
    training_usd_low = _training("training_usd_low", training_usd_low, task, finetuned_model,
                                 TRAINING_EXAMPLES_LOW)
    training_usd_high = _training("training_usd_high", training_usd_high, task, finetuned_model)
    rows = []
    for method in ("naive", "true"):
        saving = float(_savings(volume, ex, base, tuned, naive=method == "naive"))
        rows.append({
            "method": method,
            "requests_per_day": volume,
            "training_usd_low": training_usd_low,
            "training_usd_high": training_usd_high,
            "savings_usd_per_month": saving,
            "breakeven_months_low": never_to_inf(months_to_break_even(training_usd_low, saving)),
            "breakeven_months_high": never_to_inf(months_to_break_even(training_usd_high,
                                                                       saving)),
        })
    return _never_columns(pd.DataFrame(rows))


def breakeven_by_task_table(
    requests_per_day: float = 100,
    base_model: str = GPT_4O_MINI,
    finetuned_model: str = GPT_4O_MINI,
) -> pd.DataFrame:
    """Months to repay each task's training run at one volume: the shortcut and true prices.

    Tests the crossover guide's "At 100 requests/day, breakeven extends to 6-18 months" on all
    four of its tasks. Each task's run is computed (:func:`task_training_usd`) for 500 and for
    2,000 examples, the guide's "500-2K"; the guide's quoted USD 15-75 is set beside it as a check.

    Parameters
    ----------
    requests_per_day : requests per day (> 0)
    base_model, finetuned_model : rows of :func:`token_price_models`

    Returns
    -------
    pandas.DataFrame
        One row per task: ``training_usd_low`` and ``training_usd_high`` (500 and 2,000
        examples), ``naive_savings_usd_per_month`` and ``true_savings_usd_per_month``,
        ``naive_breakeven_months_low/high`` and ``true_breakeven_months_low/high`` for the
        computed runs, and ``naive_breakeven_months_at_quoted_low/high`` for the guide's
        USD 15 and USD 75 (nullable ``Float64``, ``<NA>`` = never).

    Raises
    ------
    ValueError, TypeError
        For an unknown model or a bad number, naming it.

    Examples
    --------
    At the guide's USD 15 its own shortcut gives 11.1 and 8.3 months for the two long tasks,
    inside "6-18 months"; at true prices those tasks never pay back:

    >>> t = breakeven_by_task_table(100)
    >>> t["naive_breakeven_months_at_quoted_low"].round(1).tolist()
    [27.8, 20.8, 11.1, 8.3]
    >>> t["true_breakeven_months_high"].round(1).tolist()
    [50.0, <NA>, <NA>, <NA>]
    """
    import pandas as pd

    volume = require_scalar("requests_per_day", requests_per_day, require_positive)
    base = _model("base_model", base_model)
    tuned = _model("finetuned_model", finetuned_model)
    quoted_low, quoted_high = SOURCE_002_MINI_TRAINING_USD
    rows = []
    for ex in SOURCE_002_INFERENCE:
        low = task_training_usd(ex.task, finetuned_model, TRAINING_EXAMPLES_LOW)
        high = task_training_usd(ex.task, finetuned_model, TRAINING_EXAMPLES)
        naive = float(_savings(volume, ex, base, tuned, naive=True))
        true = float(_savings(volume, ex, base, tuned, naive=False))
        rows.append({
            "task": ex.task,
            "training_usd_low": low,
            "training_usd_high": high,
            "naive_savings_usd_per_month": naive,
            "true_savings_usd_per_month": true,
            "naive_breakeven_months_low": never_to_inf(months_to_break_even(low, naive)),
            "naive_breakeven_months_high": never_to_inf(months_to_break_even(high, naive)),
            "true_breakeven_months_low": never_to_inf(months_to_break_even(low, true)),
            "true_breakeven_months_high": never_to_inf(months_to_break_even(high, true)),
            "naive_breakeven_months_at_quoted_low": never_to_inf(
                months_to_break_even(quoted_low, naive)),
            "naive_breakeven_months_at_quoted_high": never_to_inf(
                months_to_break_even(quoted_high, naive)),
        })
    return _never_columns(pd.DataFrame(rows))


def volume_table(
    requests_per_day: Iterable[float] = (30, 100, 300, 1_000, 3_000, 10_000, 30_000, 100_000,
                                         300_000),
    task: str = "Simple classification",
    base_model: str = GPT_4O_MINI,
    finetuned_model: str = GPT_4O_MINI,
    training_usd: float | None = None,
) -> pd.DataFrame:
    """Monthly savings and months to break even across daily volumes, for one task.

    The calculator's answer for each volume, to set beside the crossover guide's requests/day bands.

    Parameters
    ----------
    requests_per_day : daily volumes to tabulate (each > 0)
    task : one of the four tasks of :data:`SOURCE_002_INFERENCE`
    base_model, finetuned_model : rows of :func:`token_price_models`
    training_usd : one-time training cost, USD (>= 0); None (the default): the task's run,
        :func:`task_training_usd`

    Returns
    -------
    pandas.DataFrame
        ``requests_per_day``, ``tokens_per_month`` (prompted input + output),
        ``naive_savings_usd_per_month``, ``true_savings_usd_per_month``,
        ``naive_breakeven_months``, ``true_breakeven_months`` (nullable ``Float64``, ``<NA>``
        = never).

    Raises
    ------
    ValueError, TypeError
        For an unknown task or model, or a bad number, naming it.

    Examples
    --------
    Moving from prompted gpt-4o to a fine-tuned gpt-4o-mini pays back its USD 4.50 run within
    a month from about 100 requests a day:

    >>> t = volume_table([100, 1_000], base_model="gpt-4o-2024-08-06")
    >>> t["true_breakeven_months"].round(2).tolist()
    [0.63, 0.06]
    """
    import pandas as pd

    volumes = _values("requests_per_day", requests_per_day)
    ex = _task(task)
    base = _model("base_model", base_model)
    tuned = _model("finetuned_model", finetuned_model)
    training_usd = _training("training_usd", training_usd, task, finetuned_model)
    naive = _savings(volumes, ex, base, tuned, naive=True)
    true = _savings(volumes, ex, base, tuned, naive=False)
    return pd.DataFrame({
        "requests_per_day": volumes,
        "tokens_per_month": monthly_tokens(volumes, ex.prompted_input_tokens + ex.output_tokens,
                                           DAYS_PER_MONTH),
        "naive_savings_usd_per_month": naive,
        "true_savings_usd_per_month": true,
        "naive_breakeven_months": never_to_na(months_to_break_even(training_usd, naive)),
        "true_breakeven_months": never_to_na(months_to_break_even(training_usd, true)),
    })


def tokens_rule_table(
    tokens_per_month: Iterable[float] = (1e6, 3e6, 1e7, 3e7, 1e8, 3e8, 1e9),
    task: str = "Simple classification",
    pairs: Iterable[tuple[str, str]] = ((GPT_4O_MINI, GPT_4O_MINI), (GPT_4O, GPT_4O_MINI)),
    training_usd: float | None = None,
) -> pd.DataFrame:
    """Months to break even at given tokens per month, for several (prompted, fine-tuned) pairs.

    Tests the economics article's rule ("Below 10M tokens/month: prompting is cheaper. 10-100M
    tokens/month: fine-tuning may break even. Above 100M tokens/month: fine-tuning usually
    wins.") against the calculator. Tokens are counted as the prompted workload processes them
    (input with the few-shot examples, plus output), which fixes the requests per day.

    Parameters
    ----------
    tokens_per_month : monthly token volumes (each > 0)
    task : one of the four tasks of :data:`SOURCE_002_INFERENCE`
    pairs : (prompted base model, fine-tuned model) pairs; one column of months per pair
    training_usd : one-time training cost, USD (>= 0); None (the default): the task's run on
        each pair's fine-tuned model, :func:`task_training_usd`

    Returns
    -------
    pandas.DataFrame
        ``tokens_per_month``, ``requests_per_day`` and one ``breakeven_months: A -> ft B``
        column per pair: nullable ``Float64``, ``<NA>`` = never (see :mod:`ftroi_helpers.never`).

    Raises
    ------
    ValueError, TypeError
        For an unknown task or model, or a bad number, naming it.

    Examples
    --------
    >>> t = tokens_rule_table([1e7, 1e8])
    >>> t.columns.tolist()[2:]
    ['breakeven_months: gpt-4o-mini -> ft gpt-4o-mini', 'breakeven_months: gpt-4o -> ft gpt-4o-mini']
    >>> t.iloc[:, 2].round(2).tolist()
    [12.75, 1.28]
    >>> t.iloc[:, 3].round(2).tolist()
    [0.16, 0.02]
    """
    import pandas as pd

    tokens = _values("tokens_per_month", tokens_per_month)
    if training_usd is not None:
        training_usd = require_scalar("training_usd", training_usd, require_nonnegative)
    ex = _task(task)
    pairs = _pairs(pairs)
    per_request = ex.prompted_input_tokens + ex.output_tokens
    requests_per_day = tokens / (per_request * DAYS_PER_MONTH)
    table = {"tokens_per_month": tokens, "requests_per_day": requests_per_day}
    for base_model, ft_model in pairs:
        saving = _savings(requests_per_day, ex, token_prices(base_model),
                          token_prices(ft_model), naive=False)
        label = f"breakeven_months: {_short(base_model)} -> ft {_short(ft_model)}"
        training = _training("training_usd", training_usd, task, ft_model)
        table[label] = never_to_na(months_to_break_even(training, saving))
    return pd.DataFrame(table)


def _never_columns(table: pd.DataFrame) -> pd.DataFrame:
    """Months-to-break-even columns as nullable Float64, ``pd.NA`` for never (ftroi_helpers.never)."""
    for column in table.columns:
        if "breakeven_months" in str(column):
            table[column] = never_to_na(table[column].to_numpy(dtype=object))
    return table


def _pairs(pairs: Any) -> list[tuple[str, str]]:
    """(prompted, fine-tuned) model pairs, each a row of the price table, checked as ``pairs``."""
    models = token_price_models()
    if isinstance(pairs, (str, bytes)) or not isinstance(pairs, Iterable):
        raise TypeError(f"pairs must be a list of (prompted model, fine-tuned model) pairs, got "
                        f"{short_repr(pairs)}")
    out = []
    for pair in pairs:
        if isinstance(pair, (str, bytes)) or not isinstance(pair, Iterable) or len(
                tuple(pair)) != 2:
            raise TypeError(f"pairs must hold (prompted model, fine-tuned model) pairs, got "
                            f"{short_repr(pair)}")
        for model in pair:
            if not isinstance(model, str) or model not in models:
                raise ValueError(f"pairs must name models of the price table "
                                 f"({', '.join(map(repr, models))}), got {short_repr(model)}")
        out.append(tuple(pair))
        if len(out) > 20:
            raise ValueError("pairs must hold at most 20 pairs (one column each)")
    if not out:
        raise ValueError("pairs must hold at least one (prompted, fine-tuned) pair")
    return out


def _short(model: str) -> str:
    """'gpt-4o-mini-2024-07-18' -> 'gpt-4o-mini' (drop a trailing date)."""
    parts = model.split("-")
    if len(parts) > 3 and all(p.isdigit() for p in parts[-3:]):
        return "-".join(parts[:-3])
    return model


def __getattr__(name: str) -> Any:
    """The misuse walk moved to :mod:`ftroi_helpers.misuse`; old imports still work."""
    if name in ("MISUSE_ASSUMPTIONS", "misuse_scenarios", "misuse_table"):
        from . import misuse

        return getattr(misuse, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
