"""Dated price data shipped with the package.

Every row carries ``as_of`` (the date the figure was read) and ``source`` (where). Prices move —
source 002 notes hosted prices have fallen 50-80 % a year — so any lesson that uses one shows its
date beside it. Ranges quoted by a source keep both ends (``*_low`` / ``*_high``).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, NamedTuple

from .validation import require_choice

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "GPT_4O",
    "GPT_4O_MINI",
    "PRICE_COLUMNS",
    "TokenPrices",
    "load_prices",
    "price_row",
    "token_price_models",
    "token_prices",
]

#: The two OpenAI models in ``data/prices.csv`` that have per-token prices.
GPT_4O_MINI = "gpt-4o-mini-2024-07-18"
GPT_4O = "gpt-4o-2024-08-06"

PRICE_COLUMNS = (
    "provider",
    "model",
    "kind",
    "base_usd_per_1m_input_tokens",
    "base_usd_per_1m_output_tokens",
    "ft_usd_per_1m_input_tokens",
    "ft_usd_per_1m_output_tokens",
    "training_usd_per_1m_tokens_low",
    "training_usd_per_1m_tokens_high",
    "hosting_usd_per_hour",
    "gpu_type",
    "usd_per_gpu_hour_low",
    "usd_per_gpu_hour_high",
    "as_of",
    "source",
    "note",
)


def load_prices() -> pd.DataFrame:
    """The price table as a DataFrame (one row per provider/model or GPU offer).

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`PRICE_COLUMNS`: per-token prices in USD per 1M tokens, GPU prices
        in USD per hour, ``as_of`` (ISO date, a string) and ``source`` (URL) on every row.

    Raises
    ------
    RuntimeError
        If the shipped CSV lacks a column (a packaging error).

    Examples
    --------
    >>> prices = load_prices()
    >>> row = prices.set_index("model").loc["gpt-4o-mini-2024-07-18"]
    >>> float(row["ft_usd_per_1m_input_tokens"] / row["base_usd_per_1m_input_tokens"])
    2.0
    >>> row["as_of"]
    '2024-07-23'
    """
    import pandas as pd

    with resources.files("ftroi_helpers").joinpath("data/prices.csv").open("r") as fh:
        table = pd.read_csv(fh, dtype={"as_of": str})
    missing = set(PRICE_COLUMNS) - set(table.columns)
    if missing:  # pragma: no cover - guards the shipped file
        raise RuntimeError(f"prices.csv is missing columns: {sorted(missing)}")
    return table


def price_row(model: str) -> pd.Series:
    """The price row for one model, by its exact name.

    Parameters
    ----------
    model : str
        A value of the ``model`` column of :func:`load_prices`, e.g. ``"gpt-4o-mini-2024-07-18"``.

    Returns
    -------
    pandas.Series
        The row, indexed by column name.

    Raises
    ------
    ValueError
        For a name that is not in the table.

    Examples
    --------
    >>> float(price_row("gpt-4o-2024-08-06")["training_usd_per_1m_tokens_low"])
    25.0
    >>> price_row("gpt-5")
    Traceback (most recent call last):
    ...
    ValueError: model must be one of the rows of prices.csv (see load_prices()), got 'gpt-5'
    """
    table = load_prices()
    if not isinstance(model, str) or model not in set(table["model"]):
        raise ValueError(
            f"model must be one of the rows of prices.csv (see load_prices()), got {model!r}"
        )
    return table.set_index("model").loc[model]


# -- per-token prices of the models --------------------------------------------------------------------------------------
class TokenPrices(NamedTuple):
    """Per-token prices of one model, USD per 1M tokens, and the date they were read."""

    model: str
    base_usd_per_1m_input: float
    base_usd_per_1m_output: float
    ft_usd_per_1m_input: float
    ft_usd_per_1m_output: float
    as_of: str


@lru_cache(maxsize=1)
def _token_price_table() -> dict[str, TokenPrices]:
    from .prices import load_prices

    table = load_prices()
    cols = ["base_usd_per_1m_input_tokens", "base_usd_per_1m_output_tokens",
            "ft_usd_per_1m_input_tokens", "ft_usd_per_1m_output_tokens"]
    rows = table.dropna(subset=cols)
    return {
        r["model"]: TokenPrices(r["model"], *(float(r[c]) for c in cols), str(r["as_of"]))
        for _, r in rows.iterrows()
    }


def token_price_models() -> list[str]:
    """Models in ``data/prices.csv`` with base and fine-tuned per-token prices.

    Returns
    -------
    list of str
        Model names, in the order of the table.

    Raises
    ------
    RuntimeError
        If the shipped CSV lacks a column (a packaging error).

    Examples
    --------
    >>> token_price_models()
    ['gpt-4o-mini-2024-07-18', 'gpt-4o-2024-08-06']
    """
    return list(_token_price_table())


def token_prices(model: str) -> TokenPrices:
    """Base and fine-tuned per-token prices of ``model`` (a row of ``data/prices.csv``).

    Parameters
    ----------
    model : str, one of :func:`token_price_models`

    Returns
    -------
    TokenPrices
        USD per 1M input/output tokens for the base and the fine-tuned model, and ``as_of``.

    Raises
    ------
    ValueError
        If the model has no per-token prices in the table.

    Examples
    --------
    The fine-tuned gpt-4o-mini costs twice the base model per token:

    >>> p = token_prices("gpt-4o-mini-2024-07-18")
    >>> p.base_usd_per_1m_input, p.ft_usd_per_1m_input, p.as_of
    (0.15, 0.3, '2024-07-23')
    >>> token_prices("Llama 3.1 8B (full)")
    Traceback (most recent call last):
    ...
    ValueError: model must be one of 'gpt-4o-mini-2024-07-18', 'gpt-4o-2024-08-06', got 'Llama 3.1 8B (full)'
    """
    table = _token_price_table()
    require_choice("model", model, list(table))
    return table[model]
