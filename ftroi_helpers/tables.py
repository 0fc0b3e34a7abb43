"""Tables formatted for reading: units in the headers, rounding, thousands separators, $1,234.

:func:`show_table` takes any DataFrame a helper returns and gives back a :class:`Table` that a notebook
displays as

* HTML: a ``<table>`` with a caption, numbers right-aligned, inside a
  ``<div role="region" tabindex="0" aria-label=...>`` that scrolls sideways when the table is
  wider than the page, so a keyboard user can focus it and scroll it too; web addresses become
  underlined links;
* plain text: the same formatted columns (what nbval, a terminal or a screen reader's text view
  sees).

How a column is formatted is read from its name, the workbook's naming convention (units in
names): ``..._usd...`` is money, ``..._months`` months (None, ``<NA>`` or a masked value --
"never" in :mod:`ftroi_helpers.never` -- is shown as "never"), ``..._pct`` or
``..._percent`` a percentage, ``requests``/``tokens``/``examples``/``draws`` counts. A mapping
``formats={"column": "money"}`` overrides the guess. The header reads as words with the unit in
brackets: ``true_savings_usd_per_month`` becomes "true savings (USD/month)".
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .formatting import format_value

__all__ = ["Table", "column_kind", "format_value", "header", "show_table"]

KINDS = ("money", "months", "percent", "points", "fraction", "count", "number", "text", "yes/no", "date")

_URL = re.compile(r"^https?://\S+$")


def column_kind(name: str, values: Any = None) -> str:
    """Guess how to format a column from its name (and, failing that, its values).

    >>> column_kind("true_savings_usd_per_month")
    'money'
    >>> column_kind("payback_months")
    'months'
    >>> column_kind("requests_per_day")
    'count'
    >>> column_kind("share_not_better_pct")
    'percent'
    """
    n = name.lower()
    if values is not None and _is_bool(values):
        return "yes/no"
    if re.search(r"(^|_)usd($|_)", n) or n.startswith("$") or "cost" in n and "usd" in n:
        return "money"
    if n.endswith("every_months"):  # a cadence: retrain every N months
        return "count"
    if re.search(r"(^|_)(pct|percent|points|pts)($|_)", n):
        # a difference of two percentages is in percentage points, not per cent
        return "points" if re.search(r"(^|_)(delta|gain|difference)($|_)", n) else "percent"
    if re.search(r"(^|_)(months?|days)(\b|_)", n) and not re.search(r"per_(month|day)$", n):
        return "months"
    if re.search(r"(^|_)(fraction|share|utilization|probability|accuracy)($|_)", n):
        return "fraction"
    if re.search(r"(^|_)(requests|tokens|examples|draws|calls|errors|count|n)($|_)", n):
        return "count"
    if n in {"as_of", "date"} or n.endswith("_date"):
        return "date"
    if values is not None and _is_numeric(values):
        return "number"
    return "text"


def _is_bool(values: Any) -> bool:
    try:
        items = list(values)
    except TypeError:
        return False
    return bool(items) and all(isinstance(v, bool) or type(v).__name__ == "bool_"
                               for v in items)


def _is_numeric(values: Any) -> bool:
    try:
        items = [v for v in values if v is not None]
    except TypeError:
        return False
    return bool(items) and all(isinstance(v, (int, float)) or hasattr(v, "dtype")
                               for v in items)


def _money_decimals(values: list[float]) -> int:
    """Decimals for a money column: cents when it holds amounts under USD 10 (so USD 0.54 does
    not print as $1), none for large amounts, six for fractions of a cent."""
    finite = [abs(v) for v in values if isinstance(v, (int, float)) and math.isfinite(v)]
    if not finite:
        return 0
    top = max(finite)
    if top < 0.01:
        return 6
    small = [v for v in finite if 0 < v < 10]
    if top < 100 or (small and top < 10_000):
        return 2
    return 0


_UNIT_WORDS = [
    (r"_usd_per_1m_input_tokens$", " (USD per 1M input tokens)"),
    (r"_usd_per_1m_output_tokens$", " (USD per 1M output tokens)"),
    (r"_usd_per_1k_req$", " (USD per 1,000 requests)"),
    (r"_cost_per_1k_req$", " cost (USD per 1,000 requests)"),
    (r"_usd_per_month$", " (USD/month)"),
    (r"_usd_per_hour$", " (USD/hour)"),
    (r"_usd_per_request$", " (USD/request)"),
    (r"_usd_per_error$", " (USD/error)"),
    (r"_usd$", " (USD)"),
    (r"^usd_", "USD "),
    (r"_per_month$", " per month"),
    (r"_per_day$", " per day"),
    (r"_months$", " (months)"),
    (r"_pct$", " (%)"),
]


def header(name: str) -> str:
    """A column name as a header: words, with the unit in brackets.

    >>> header("true_savings_usd_per_month")
    'true savings (USD/month)'
    >>> header("payback_months")
    'payback (months)'
    >>> header("requests_per_day")
    'requests per day'
    """
    text = str(name)
    inner = re.fullmatch(r"(.+?)_(pct|percent|points|pts)(_.+)?", text)
    if inner:  # the unit moves to the end: "stated_delta_pct_low" -> "stated delta low (pp)"
        unit = "pp" if column_kind(text) == "points" else "%"
        return f"{inner.group(1)}{inner.group(3) or ''} ({unit})".replace("_", " ").strip()
    for pattern, words in _UNIT_WORDS:
        new = re.sub(pattern, words, text)
        if new != text:
            text = new
            break
    return text.replace("_", " ").strip()


@dataclass
class Table:
    """A formatted table: ``data`` (the numbers), ``text`` (formatted strings), a caption."""

    data: Any
    text: Any
    caption: str
    kinds: dict[str, str]
    show_index: bool

    def __repr__(self) -> str:
        body = self.text.to_string(index=self.show_index)
        return f"{self.caption}\n{body}" if self.caption else body

    def _repr_html_(self) -> str:
        head = "".join(f"<th scope='col'>{html.escape(str(c))}</th>" for c in self.text.columns)
        if self.show_index:
            head = f"<th scope='col'>{html.escape(str(self.text.index.name or ''))}</th>" + head
        rows = []
        for idx, row in self.text.iterrows():
            cells = []
            if self.show_index:
                cells.append(f"<th scope='row'>{html.escape(str(idx))}</th>")
            for col, value in zip(self.text.columns, row, strict=True):
                kind = self.kinds.get(col, "text")
                align = "left" if kind in {"text", "date", "yes/no"} else "right"
                cells.append(f"<td style='text-align:{align}'>{_cell_html(value)}</td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
        caption = html.escape(self.caption or "table")
        return (f"<div class='ftroi-table' role='region' tabindex='0' aria-label='{caption}' "
                f"style='overflow-x:auto;max-width:100%'>"
                f"<table><caption style='text-align:left;font-weight:bold'>{caption}</caption>"
                f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


def _cell_html(value: str) -> str:
    if _URL.match(value):
        shown = re.sub(r"^https?://(www\.)?", "", value).rstrip("/")
        return (f"<a href='{html.escape(value, quote=True)}' target='_blank' rel='noopener' "
                f"style='text-decoration:underline'>{html.escape(shown)}</a>")
    return html.escape(value)


def show_table(df: Any, caption: str = "", *, formats: Mapping[str, str] | None = None,
         decimals: Mapping[str, int] | None = None, labels: Mapping[str, str] | None = None,
         columns: list[str] | None = None, index: bool | None = None) -> Table:
    """Format a DataFrame for reading (see the module docstring for the rules).

    Parameters
    ----------
    df : pandas.DataFrame (or anything ``pandas.DataFrame`` accepts)
    caption : str
        What the table shows, in words (also the scrolling region's accessible name).
    formats : mapping, optional
        column -> one of "money", "months", "percent", "fraction", "count", "number",
        "text", "yes/no", "date"; overrides the guess from the name.
    decimals : mapping, optional
        column -> decimals to show.
    labels : mapping, optional
        column -> header text; overrides :func:`header`.
    columns : list, optional
        Show only these columns, in this order.
    index : bool, optional
        Show the index (default: only a named index or one of labels, never row numbers,
        not even the gaps a filter leaves in them).

    Returns
    -------
    Table

    Raises
    ------
    ValueError
        For an unknown column in ``formats``/``decimals``/``labels``/``columns`` or an
        unknown format.

    Examples
    --------
    >>> import pandas as pd
    >>> t = show_table(pd.DataFrame({"payback_months": pd.array([0.105042, None], "Float64"),
    ...                        "savings_usd_per_month": [2125.0, -80.5]}), "Two scenarios")
    >>> print(t)
    Two scenarios
    payback (months) savings (USD/month)
                0.11              $2,125
               never                -$80
    """
    import pandas as pd

    frame = df if isinstance(df, pd.DataFrame) else pd.DataFrame(df)
    formats = dict(formats or {})
    decimals = dict(decimals or {})
    labels = dict(labels or {})
    for what, mapping in (("formats", formats), ("decimals", decimals), ("labels", labels),
                          ("columns", {c: None for c in (columns or [])})):
        unknown = [c for c in mapping if c not in frame.columns]
        if unknown:
            raise ValueError(f"{what} names columns the table does not have: {unknown}; "
                             f"it has {list(frame.columns)}")
    bad = {c: f for c, f in formats.items() if f not in KINDS}
    if bad:
        raise ValueError(f"formats must be among {KINDS}, got {bad}")
    if columns:
        frame = frame[list(columns)]
    if index is None:  # row numbers (also those left by a filter) are not shown
        index = frame.index.name is not None or not pd.api.types.is_integer_dtype(frame.index)
    text = pd.DataFrame(index=frame.index)
    kinds: dict[str, str] = {}
    for col in frame.columns:
        values = frame[col].tolist()
        kind = formats.get(col) or column_kind(str(col), values)
        d = decimals.get(col)
        if kind == "money" and d is None:
            d = _money_decimals(values)
        label = labels.get(col) or header(str(col))
        if kind == "points":
            text[label] = [format_value(v, "percent", d).replace(" %", " pp") for v in values]
        else:
            text[label] = [format_value(v, kind, d) for v in values]
        kinds[label] = kind
    if index:
        text.index = [str(i) for i in frame.index]
        text.index.name = str(frame.index.name or "")
    return Table(frame, text, caption, kinds, bool(index))
