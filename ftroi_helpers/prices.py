"""Dated price data shipped with the package.

Every row says where its numbers come from, in ``provenance``:

* ``"provider page"`` (:data:`PROVIDER_PAGE`): the provider's own price page, ``source`` (its
  URL), as listed on ``as_of`` (an ISO date);
* ``"workbook source: crossover guide (unverified)"`` (:data:`SOURCE_002_PROVENANCE`): a figure
  quoted by the crossover guide (one of the workbook's four sources, see ``lessons/sources.md``) and
  not checked against a price page; ``as_of`` is ``"undated"`` and no provider URL sits on it.

Prices move -- the crossover guide notes hosted prices have fallen 50-80 % a year -- so any lesson that
uses one shows its date beside it. Ranges quoted by a source keep both ends
(``*_low`` / ``*_high``). Cached-input prices and the batch discount are filled where the
provider publishes them, and ``ft_premium`` is the fine-tuned model's per-token price over the
base model's. ``cache_min_tokens`` and ``cache_increment_tokens`` hold the provider's prompt-cache
rule (OpenAI: 1,024 tokens, then 128-token steps), which
:func:`~ftroi_helpers.token_costs.request_cost` applies. A row read from a provider page whose
price could not be read leaves the price blank and says so in its ``note`` ("No price
entered: ..."); the 2024-10-01 rows the lessons' worked examples use stay as dated history.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, NamedTuple

from .validation import require_choice, short_repr

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "GPT_4O",
    "GPT_4O_MINI",
    "PRICE_COLUMNS",
    "PriceDataError",
    "PROVIDER_PAGE",
    "SOURCE_002_PROVENANCE",
    "TokenPrices",
    "load_prices",
    "price_row",
    "hosted_price_models",
    "token_price_models",
    "token_prices",
]

#: The two OpenAI models in ``data/prices.csv`` that have per-token prices.
GPT_4O_MINI = "gpt-4o-mini-2024-07-18"
GPT_4O = "gpt-4o-2024-08-06"

#: ``provenance`` of a row read from the provider's own price page on its ``as_of`` date.
PROVIDER_PAGE = "provider page"
#: ``provenance`` of a row quoted from the crossover guide (one of the workbook's four sources).
SOURCE_002_PROVENANCE = "workbook source: crossover guide (unverified)"

PRICE_COLUMNS = (
    "provider",
    "model",
    "kind",
    "base_usd_per_1m_input_tokens",
    "base_usd_per_1m_output_tokens",
    "ft_usd_per_1m_input_tokens",
    "ft_usd_per_1m_output_tokens",
    "base_usd_per_1m_cached_input_tokens",
    "ft_usd_per_1m_cached_input_tokens",
    "cache_min_tokens",
    "cache_increment_tokens",
    "batch_discount",
    "ft_premium",
    "training_usd_per_1m_tokens_low",
    "training_usd_per_1m_tokens_high",
    "hosting_usd_per_hour",
    "gpu_type",
    "usd_per_gpu_hour_low",
    "usd_per_gpu_hour_high",
    "as_of",
    "source",
    "provenance",
    "note",
)


#: Columns that hold prices (USD): blank, or a positive number.
PRICE_NUMBER_COLUMNS = tuple(c for c in PRICE_COLUMNS
                             if "usd" in c or c in ("batch_discount", "ft_premium"))
#: Prompt-cache rules (tokens): blank where the provider publishes none, else a whole number --
#: the shortest prefix cached (>= 0) and the step above it (>= 1).
PRICE_COUNT_COLUMNS = ("cache_min_tokens", "cache_increment_tokens")
#: Columns every row must fill.
PRICE_REQUIRED_COLUMNS = ("provider", "model", "kind", "as_of", "source", "provenance")


class PriceDataError(ValueError):
    """The price table is missing, cannot be read, or has a bad row.

    For the shipped table this is a broken installation, not a user's mistake: the command line
    reports it as an internal error (exit code 3).
    """

    internal = True


def load_prices(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The price table as a DataFrame (one row per provider/model or GPU offer), every row checked.

    Every row must have a provider, a model name found on no other row, a kind, an ``as_of``
    date written as an ISO date (``2024-07-23``) and a source; every price is blank or a
    positive number, and a range's low end is at most its high end.

    Parameters
    ----------
    path : str or path-like, optional
        A CSV file with the columns of :data:`PRICE_COLUMNS` (default: the table shipped with
        the package, ``ftroi_helpers/data/prices.csv``).

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`PRICE_COLUMNS`: per-token prices in USD per 1M tokens, GPU prices
        in USD per hour (floats; NaN where blank), and on every row ``as_of`` (an ISO date, or
        ``"undated"``), ``source`` and ``provenance`` (see the module docstring).

    Raises
    ------
    PriceDataError
        (a ValueError) If the file is missing or unreadable, lacks a column, or has a bad row;
        the message names the file, the line and the column.

    Examples
    --------
    >>> prices = load_prices()
    >>> row = prices.set_index("model").loc["gpt-4o-mini-2024-07-18"]
    >>> float(row["ft_usd_per_1m_input_tokens"] / row["base_usd_per_1m_input_tokens"])
    2.0
    >>> row["as_of"], row["provenance"]
    ('2024-10-01', 'provider page')
    >>> load_prices("no-such-file.csv")
    Traceback (most recent call last):
    ...
    ftroi_helpers.prices.PriceDataError: the price table no-such-file.csv is missing
    """
    import csv

    import pandas as pd


    name = "prices.csv (shipped with ftroi_helpers)" if path is None else os.fspath(path)
    try:
        if path is None:
            fh = resources.files("ftroi_helpers").joinpath("data/prices.csv").open(
                "r", encoding="utf-8", newline="")
        else:
            fh = open(path, encoding="utf-8", newline="")  # noqa: SIM115 - closed below
        with fh:
            rows = list(csv.reader(fh))
    except FileNotFoundError:
        raise PriceDataError(f"the price table {name} is missing"
                             + (": reinstall the package" if path is None else "")) from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        detail = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise PriceDataError(f"the price table {name} cannot be read: {detail}") from None
    if not rows:
        raise PriceDataError(f"the price table {name} is empty")
    header = [h.strip() for h in rows[0]]
    missing = [c for c in PRICE_COLUMNS if c not in header]
    if missing:
        raise PriceDataError(f"the price table {name} lacks the column(s) {', '.join(missing)}")
    columns = _checked_prices(header, rows[1:], name)
    return pd.DataFrame(columns, columns=list(PRICE_COLUMNS))


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _checked_prices(header: list[str], rows: list[list[str]], name: str) -> dict[str, list]:
    """Check every row; return the columns, prices as floats (NaN where blank)."""
    if not [r for r in rows if any(c.strip() for c in r)]:
        raise PriceDataError(f"the price table {name} has no rows")
    where_is = {c: header.index(c) for c in PRICE_COLUMNS}
    columns: dict[str, list] = {c: [] for c in PRICE_COLUMNS}
    seen: dict[str, int] = {}
    for i, row in enumerate(rows):
        line = i + 2  # the header is line 1
        if not any(c.strip() for c in row):
            continue  # a blank line
        where = f"the price table {name}, line {line}"
        if len(row) != len(header):
            raise PriceDataError(f"{where}: {len(row)} cells, the header has {len(header)}")
        cells = {c: row[j].strip() for c, j in where_is.items()}
        for column in PRICE_REQUIRED_COLUMNS:
            if not cells[column]:
                raise PriceDataError(f"{where}: {column} is blank (every row needs one)")
        model = cells["model"]
        where += f" ({short_repr(model, 40)})"
        if model in seen:
            raise PriceDataError(f"{where}: model {short_repr(model, 40)} is already on line "
                                 f"{seen[model]} (model names must be unique)")
        seen[model] = line
        provenance = cells["provenance"]
        if provenance not in (PROVIDER_PAGE, SOURCE_002_PROVENANCE):
            raise PriceDataError(f"{where}: provenance must be {PROVIDER_PAGE!r} or "
                                 f"{SOURCE_002_PROVENANCE!r}, got {short_repr(provenance, 60)}")
        as_of = cells["as_of"]
        if provenance == SOURCE_002_PROVENANCE:
            if as_of != "undated":
                raise PriceDataError(f"{where}: as_of must be 'undated' for a figure from the "
                                     f"crossover guide, got {short_repr(as_of, 40)}")
        else:
            try:
                if not _ISO_DATE.fullmatch(as_of):
                    raise ValueError
                dt.date.fromisoformat(as_of)
            except ValueError:
                raise PriceDataError(f"{where}: as_of must be an ISO date such as 2024-07-23, "
                                     f"got {short_repr(as_of, 40)}") from None
        numbers: dict[str, float] = {}
        for column in PRICE_NUMBER_COLUMNS:
            text = cells[column]
            if not text:
                numbers[column] = math.nan
                continue
            try:
                value = float(text)
            except ValueError:
                raise PriceDataError(f"{where}: {column} must be a number (USD), got "
                                     f"{short_repr(text, 40)}") from None
            if not math.isfinite(value) or value <= 0:
                raise PriceDataError(f"{where}: {column} must be a positive number (USD), got "
                                     f"{short_repr(text, 40)}")
            numbers[column] = value
        numbers.update(_counts(cells, where))
        for low in (c for c in PRICE_NUMBER_COLUMNS if c.endswith("_low")):
            high = low[:-4] + "_high"
            a, b = numbers[low], numbers.get(high, math.nan)
            if a > b:
                raise PriceDataError(f"{where}: {low} ({a:g}) must be at most {high} ({b:g})")
        for column in PRICE_COLUMNS:
            columns[column].append(numbers[column] if column in numbers
                                   else (cells[column] or math.nan))
    return columns


def _counts(cells: dict[str, str], where: str) -> dict[str, float]:
    """The cache-rule columns of one row: whole numbers of tokens, NaN where blank."""
    out: dict[str, float] = {}
    for column in PRICE_COUNT_COLUMNS:
        text = cells[column]
        smallest = 1 if column == "cache_increment_tokens" else 0
        if not text:
            out[column] = math.nan
            continue
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and value.is_integer() and value >= smallest):
            raise PriceDataError(f"{where}: {column} must be a whole number of tokens >= "
                                 f"{smallest}, got {short_repr(text, 40)}")
        out[column] = value
    return out


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
            f"model must be one of the rows of prices.csv (see load_prices()), got "
            f"{short_repr(model)}"
        )
    return table.set_index("model").loc[model]


# -- per-token prices of the models -----------------------------------------------------------
class TokenPrices(NamedTuple):
    """Per-token prices of one model, USD per 1M tokens, and the date they were read."""

    model: str
    base_usd_per_1m_input: float
    base_usd_per_1m_output: float
    ft_usd_per_1m_input: float
    ft_usd_per_1m_output: float
    as_of: str
    #: Cached-input prices (None where the provider publishes none) and the batch discount.
    base_usd_per_1m_cached_input: float | None = None
    ft_usd_per_1m_cached_input: float | None = None
    batch_discount: float = 0.0
    #: The prompt cache's rule (tokens): the shortest prefix cached and the step above it;
    #: None where the provider publishes none.
    cache_min_tokens: int | None = None
    cache_increment_tokens: int | None = None


@lru_cache(maxsize=1)
def _token_price_table() -> dict[str, TokenPrices]:
    import pandas as pd

    table = load_prices()
    cols = ["base_usd_per_1m_input_tokens", "base_usd_per_1m_output_tokens",
            "ft_usd_per_1m_input_tokens", "ft_usd_per_1m_output_tokens"]
    rows = table.dropna(subset=cols)

    def optional(value: object) -> float | None:
        return None if pd.isna(value) else float(value)  # type: ignore[arg-type]

    def count(value: object) -> int | None:
        return None if pd.isna(value) else int(value)  # type: ignore[call-overload]

    return {
        r["model"]: TokenPrices(
            r["model"], *(float(r[c]) for c in cols), str(r["as_of"]),
            optional(r["base_usd_per_1m_cached_input_tokens"]),
            optional(r["ft_usd_per_1m_cached_input_tokens"]),
            optional(r["batch_discount"]) or 0.0,
            count(r["cache_min_tokens"]), count(r["cache_increment_tokens"]))
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


def hosted_price_models() -> list[str]:
    """Models in ``data/prices.csv`` with per-token prices for the hosted (base) model.

    A superset of :func:`token_price_models`: it adds providers that publish per-token prices but
    no fine-tuned ones (Anthropic fine-tunes nothing through its API), for a row picker that
    prices a prompt at every provider.

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
    >>> hosted_price_models()[:2]
    ['gpt-4o-mini-2024-07-18', 'gpt-4o-2024-08-06']
    >>> "claude-sonnet-5-5" in hosted_price_models()
    True
    """
    table = load_prices()
    rows = table.dropna(subset=["base_usd_per_1m_input_tokens", "base_usd_per_1m_output_tokens"])
    return rows["model"].tolist()


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
    (0.15, 0.3, '2024-10-01')
    >>> p.base_usd_per_1m_cached_input, p.batch_discount
    (0.075, 0.5)

    OpenAI caches prompts of 1,024 tokens or more, in 128-token steps:

    >>> p.cache_min_tokens, p.cache_increment_tokens
    (1024, 128)
    >>> token_prices("Llama 3.1 8B (LoRA or QLoRA)")
    Traceback (most recent call last):
    ...
    ValueError: model must be one of 'gpt-4o-mini-2024-07-18', 'gpt-4o-2024-08-06', got 'Llama 3.1 8B (LoRA or QLoRA)'
    """
    table = _token_price_table()
    require_choice("model", model, list(table))
    return table[model]
