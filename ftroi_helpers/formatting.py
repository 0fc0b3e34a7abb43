"""One home for how the workbook writes numbers: money, counts, months, fractions and "never".

Sentences, tables, figures, the report and the command line all format through this module, so
one amount reads the same everywhere. "never" follows :mod:`ftroi_helpers.never`: None, a
masked value, ``pd.NA`` or +inf is written "never".

>>> usd(1234.5), money(9.0), months_text(8.333), format_value(0.4321, "fraction")
('$1,234', '$9.00', '8.3 months', '43.2 %')
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from .validation import require_int, require_scalar, short_repr

__all__ = [
    "DAYS_PER_MONTH",
    "NEVER",
    "format_number",
    "format_value",
    "money",
    "money_cents",
    "months_text",
    "plain_number",
    "usd",
    "usd_per_1k_requests",
    "usd_per_1m_tokens",
    "usd_per_request",
]

#: Days in a month, wherever the workbook turns days into months (the crossover guide's 30).
DAYS_PER_MONTH = 30
#: How a learner writes "never" (see :mod:`ftroi_helpers.never`).
NEVER = "never"


def usd(value: float, decimals: int = 0) -> str:
    """Format money the way the workbook prints it.

    >>> usd(1234.5)
    '$1,234'
    >>> usd(-80, 2)
    '-$80.00'
    >>> usd(float("inf"))
    'never'
    >>> usd(-0.4)
    '$0'
    """
    from .validation import require_int, short_repr

    if isinstance(value, float) and math.isinf(value):
        return "never"
    if isinstance(value, (bool, str, bytes, complex)) or not isinstance(value, numbers.Real):
        raise TypeError(f"value must be a number of dollars, got {short_repr(value)} "
                        f"({type(value).__name__})")
    try:
        value = float(value)
    except OverflowError:
        raise ValueError(f"value is too large to show (at most 1.8e308 dollars), got "
                         f"{short_repr(value)}") from None
    if math.isnan(value):
        raise ValueError("value must be a number of dollars, got nan")
    if math.isinf(value):
        return "never"
    decimals = require_int("decimals", decimals, minimum=0, maximum=20)
    # round half to even like Python's format; show a thousands separator
    digits = f"{abs(value):,.{decimals}f}"
    # no sign when the rounded amount is zero: -0.4 prints as $0, not -$0
    sign = "-" if value < 0 and digits.strip("0.,") else ""
    return f"{sign}${digits}"



def money(value: float) -> str:
    """Money for a sentence: cents below $100, whole dollars above.

    >>> money(9.0), money(0.09), money(1234.4), money(-18.0)
    ('$9.00', '$0.09', '$1,234', '-$18.00')
    """
    value = require_scalar("value", value)
    return usd(value, 2 if abs(value) < 100 else 0)



def money_cents(x: float) -> str:
    """Money for a sentence: '$2.00', '$1,234.50'; very large amounts in scientific notation.

    >>> money_cents(1234.5), money_cents(2e15)
    ('$1,234.50', '$2e+15')
    """
    x = require_scalar("x", x)
    return f"${x:,.2f}" if abs(x) < 1e15 else f"${x:.3g}"



def usd_per_request(amount: float) -> str:
    """A per-request amount with four significant digits (two decimals at least).

    >>> usd_per_request(0.000153), usd_per_request(0.015), usd_per_request(1.25)
    ('$0.0001530', '$0.01500', '$1.250')
    """
    amount = require_scalar("amount", amount)
    if amount == 0:
        return "$0"
    digits = max(2, 2 - int(math.floor(math.log10(abs(amount)))) + 1)
    return f"${amount:,.{min(digits, 8)}f}"



def usd_per_1k_requests(usd_per_1k: float) -> str:
    """A price per 1,000 requests: cents, or four decimals below one cent.

    >>> usd_per_1k_requests(3.6719), usd_per_1k_requests(0.0014)
    ('$3.67', '$0.0014')
    """
    usd_per_1k = require_scalar("usd_per_1k", usd_per_1k)
    return usd(usd_per_1k, 2 if usd_per_1k >= 0.01 or usd_per_1k == 0 else 4)



def usd_per_1m_tokens(usd_per_1m: float) -> str:
    """$0.15, $0.60, $10.00; more digits only when a price has them ($0.075).

    >>> usd_per_1m_tokens(0.6), usd_per_1m_tokens(0.075)
    ('$0.60', '$0.075')
    """
    usd_per_1m = require_scalar("usd_per_1m", usd_per_1m)
    return f"${usd_per_1m:.2f}" if round(usd_per_1m, 2) == usd_per_1m else f"${usd_per_1m:g}"



def plain_number(value: float) -> str:
    """A range end for a label: 250 -> '250', 0.5 -> '0.5', 100000 -> '100,000'.

    >>> plain_number(100_000), plain_number(0.5)
    ('100,000', '0.5')
    """
    value = require_scalar("value", value)
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.4g}"



def months_text(months: float | None) -> str:
    """'8.3 months', '833 months (69 years)', '25.0 days' (under a month, 30-day months) or 'never'.

    ``None`` (or ``inf``) is "never" (see :mod:`ftroi_helpers.never`).

    >>> months_text(8.333), months_text(833.3), months_text(0.8333), months_text(None)
    ('8.3 months', '833 months (69 years)', '25.0 days', 'never')
    """
    months = _number_or_never("months", months)
    if months is None:
        return "never"
    if months < 1:
        return f"{months * DAYS_PER_MONTH:,.1f} days"
    if months >= 120:
        return f"{months:,.0f} months ({months / 12:,.0f} years)"
    return f"{months:,.1f} months"



def format_number(value: float | None, unit: str = "", decimals: int | None = None) -> str:
    """A number the way the workbook prints it: thousands separators, money as ``$1,234``.

    ``unit`` "USD" puts a dollar sign in front; any other unit follows the number. None (or
    ``"never"``, or ``inf``) is "never". With ``decimals`` None, numbers of 100 or more get
    none, smaller ones up to two.

    >>> format_number(30769.23, "requests")
    '30,769 requests'
    >>> format_number(1234.5, "USD")
    '$1,234'
    >>> format_number(0.85, "months")
    '0.85 months'
    >>> format_number(None, "months")
    'never'
    """
    value = _number_or_never("value", value)
    if value is None:
        return "never"
    if decimals is None:
        decimals = 0 if abs(value) >= 100 else 2
    else:
        decimals = require_int("decimals", decimals, minimum=0, maximum=20)
    digits = f"{abs(value):,.{decimals}f}"
    if decimals:
        digits = digits.rstrip("0").rstrip(".") if "." in digits else digits
    sign = "-" if value < 0 and digits.strip("0.,") else ""
    if unit.upper() == "USD":
        return f"{sign}${digits}"
    return f"{sign}{digits} {unit}".rstrip()



def _number_or_never(name: str, value: Any) -> float | None:
    """A real number, or None for "never" (given as None, ``pd.NA``, masked, "never" or +inf);
    anything else is refused by ``name``."""
    from .never import is_never

    if is_never(value) or (isinstance(value, str) and value == NEVER):  # None, <NA>, masked, inf
        return None
    try:
        return require_scalar(name, value)
    except (TypeError, ValueError) as exc:
        if "finite" in str(exc):  # NaN, -inf
            raise ValueError(f"{name} must be a number, or None for never, got "
                             f"{short_repr(value)}") from None
        raise



def format_value(value: Any, kind: str, decimals: int | None = None) -> str:
    """One cell as text.

    >>> format_value(1234.5, "money", 0)
    '$1,234'
    >>> import pandas as pd
    >>> format_value(None, "months"), format_value(pd.NA, "months")
    ('never', 'never')
    >>> format_value(0.105042, "months")
    '0.11'
    >>> format_value(2125.0, "count")
    '2,125'
    >>> format_value(0.4321, "fraction")
    '43.2 %'
    """
    if _is_never(value):
        # "never" (ftroi_helpers.never) where a number could be one; a gap elsewhere (e.g. the
        # utilization of an option that has no GPU)
        return "never" if kind in {"months", "count", "number"} else "–"
    if isinstance(value, float) and math.isnan(value):
        return "–"
    if kind == "yes/no":
        return "yes" if bool(value) else "no"
    if kind in {"text", "date"} or isinstance(value, str):
        return str(value)
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isinf(x):
        return "never" if x > 0 else "-inf"
    if kind == "money":
        d = 2 if decimals is None else decimals
        digits = f"{abs(x):,.{d}f}"
        sign = "-" if x < 0 and digits.strip("0.,") else ""
        return f"{sign}${digits}"
    if kind == "months":
        d = (2 if abs(x) < 1 else 1) if decimals is None else decimals
        return f"{x:,.{d}f}"
    if kind == "percent":
        return f"{x:,.{1 if decimals is None else decimals}f} %"
    if kind == "fraction":
        return f"{100 * x:,.{1 if decimals is None else decimals}f} %"
    if kind == "count":
        return f"{x:,.{0 if decimals is None else decimals}f}"
    if decimals is not None:
        return f"{x:,.{decimals}f}"
    if x == 0 or abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:,.3g}"



def _is_never(value: Any) -> bool:
    """None, pd.NA or a masked value: "never" (see :mod:`ftroi_helpers.never`)."""
    if value is None:
        return True
    import numpy as np

    if value is np.ma.masked:
        return True
    try:
        import pandas as pd

        return value is pd.NA
    except ImportError:  # pragma: no cover - pandas is a dependency
        return False
