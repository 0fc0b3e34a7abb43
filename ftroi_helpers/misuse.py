"""The economics article's five misuses, as a walk from a per-token comparison to a full TCO.

:func:`misuse_scenarios` starts from the crossover guide's classification task and adds, one step
at a time, what each misuse leaves out; :func:`misuse_table` compares the steps. (Moved here from
:mod:`ftroi_helpers.sources`, which still re-exports both names.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .cost_model import Scenario, compare_scenarios
from .prices import GPT_4O, GPT_4O_MINI, TokenPrices, token_prices
from .sources import _task, _training
from .token_costs import DAYS_PER_MONTH
from .validation import finite_result, require_positive, require_scalar

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["MISUSE_ASSUMPTIONS", "misuse_scenarios", "misuse_table"]


# -- the economics article's misuses, as a walk to a total cost of ownership -----------------------
#: Illustrative assumptions for :func:`misuse_table` (ours, not a source's), USD.
MISUSE_ASSUMPTIONS = {
    "requests_per_day": 1_000,
    "rag_context_tokens": 1_000,
    "regression_testing_usd_per_month": 50.0,
    "horizon_months": 24,
}


def misuse_scenarios(requests_per_day: float = MISUSE_ASSUMPTIONS["requests_per_day"],
                     training_usd: float | None = None
                     ) -> dict[str, tuple[str, Scenario]]:
    """The economics article's five misuses as a walk from a per-token comparison to a full TCO.

    The walk starts from the crossover guide's classification task (800 -> 200 input tokens, 50
    output), prompting gpt-4o and fine-tuning gpt-4o-mini, counting only the training run. Each step
    adds what one misuse leaves out, keeping the steps before it. The data-preparation and
    evaluation harness costs are the calculator demo's split of its $400 project; the request
    volume, RAG context and regression-testing cost are illustrative (:data:`MISUSE_ASSUMPTIONS`).

    Parameters
    ----------
    requests_per_day : requests per day (> 0)
    training_usd : USD per training run (>= 0); None (the default): the classification run on
        gpt-4o-mini, :func:`task_training_usd`

    Returns
    -------
    dict
        Step label -> (what the step adds, :class:`Scenario`), in walk order.

    Raises
    ------
    ValueError, TypeError
        For an unknown task or model, or a bad number, naming it.

    Examples
    --------
    >>> list(misuse_scenarios())[0]
    'per-token price only'
    """
    requests_per_day = require_scalar("requests_per_day", requests_per_day, require_positive)
    training_usd = _training("training_usd", training_usd, "Simple classification", GPT_4O_MINI)
    finite_result(requests_per_day * DAYS_PER_MONTH, "requests per month",
                  {"requests_per_day": requests_per_day})
    a = MISUSE_ASSUMPTIONS
    mini, big = token_prices(GPT_4O_MINI), token_prices(GPT_4O)
    ex = _task("Simple classification")
    rag = a["rag_context_tokens"]

    def scenario(base: TokenPrices, context: int, **assumptions) -> Scenario:
        return Scenario.from_tokens(
            requests_per_day, ex.prompted_input_tokens + context,
            ex.finetuned_input_tokens + context, ex.output_tokens,
            base.base_usd_per_1m_input, base.base_usd_per_1m_output,
            mini.ft_usd_per_1m_input, mini.ft_usd_per_1m_output,
            days_per_month=DAYS_PER_MONTH, horizon_months=a["horizon_months"],
            training_usd=training_usd, **assumptions)

    one_time = {"data_prep_usd": Scenario.data_prep_usd,
                "eval_harness_usd": Scenario.eval_harness_usd}
    evals = {**one_time, "monitoring_usd_per_month": a["regression_testing_usd_per_month"]}
    return {
        "per-token price only": (
            "training only: the inference price gap is all that is compared",
            scenario(big, 0, data_prep_usd=0, eval_harness_usd=0)),
        "1. + data and eval harness (TCO)": (
            "misuse 1: compare total cost of ownership, not inference price",
            scenario(big, 0, **one_time)),
        "3. + regression testing": (
            "misuse 3: the eval burden goes on every month in production",
            scenario(big, 0, **evals)),
        "4. + RAG context on both sides": (
            "misuse 4: price the combined system; retrieved context rides on every request",
            scenario(big, rag, **evals)),
        "5. + monthly retraining": (
            "misuse 5: data that shifts monthly needs monthly retraining, not a stale snapshot",
            scenario(big, rag, retrain_every_months=1, **evals)),
        "2. prompted gpt-4o-mini would do": (
            "misuse 2: if a cheaper prompted model meets the bar, compare against it",
            scenario(mini, rag, retrain_every_months=1, **evals)),
    }


def misuse_table(requests_per_day: float = MISUSE_ASSUMPTIONS["requests_per_day"],
                 training_usd: float | None = None) -> pd.DataFrame:
    """:func:`compare_scenarios` over :func:`misuse_scenarios`, with what each step adds.

    Parameters
    ----------
    requests_per_day : requests per day (> 0)
    training_usd : USD per training run (>= 0); None (the default): as in
        :func:`misuse_scenarios`

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`compare_scenarios` plus ``adds``.

    Raises
    ------
    ValueError, TypeError
        For an unknown task or model, or a bad number, naming it.

    Examples
    --------
    The per-token comparison pays back within days; the full picture never does:

    >>> t = misuse_table()
    >>> t["payback_months"].round(2).tolist()
    [0.06, 4.96, 16.57, 4.06, <NA>, <NA>]
    """
    steps = misuse_scenarios(requests_per_day, training_usd)
    table = compare_scenarios({label: s for label, (_, s) in steps.items()})
    table.insert(1, "adds", [adds for adds, _ in steps.values()])
    return table
