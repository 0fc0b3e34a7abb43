"""Argument checks shared by every public function.

One helper per kind of check, so every function rejects bad input the same way and every
message names the parameter and the offending value::

    >>> require_nonnegative("hosted_cost_per_1k_req", -3)
    Traceback (most recent call last):
    ...
    ValueError: hosted_cost_per_1k_req must be >= 0, got -3

Numbers may be Python scalars or numpy arrays. Each check returns the value as a float (for a
scalar) or a float ndarray (for an array), ready for arithmetic.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np

Number = float | np.ndarray

__all__ = [
    "as_number",
    "as_output",
    "require_choice",
    "require_fraction",
    "require_int",
    "require_nonnegative",
    "require_positive",
]


def _show(value: Any) -> str:
    """Format an offending value for an error message (arrays show their first bad element)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, str) else str(value)


def as_number(name: str, value: Any) -> Number:
    """Return ``value`` as a finite float or float ndarray, or raise naming ``name``.

    Parameters
    ----------
    name : str
        The parameter's name, used in the error message.
    value : number or array-like
        A Python or numpy number, or anything :func:`numpy.asarray` turns into numbers.

    Returns
    -------
    float or ndarray
        A Python float for a scalar (or 0-d array), otherwise a float ndarray.

    Raises
    ------
    TypeError
        For a bool, None, str, bytes or anything that is not numeric.
    ValueError
        For NaN or infinity (in an array: the first such element is shown).

    Examples
    --------
    >>> as_number("epochs", 3)
    3.0
    >>> as_number("epochs", "3")
    Traceback (most recent call last):
    ...
    TypeError: epochs must be a number, got '3' (str)
    """
    if isinstance(value, bool) or value is None or isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a number, got {value!r} ({type(value).__name__})")
    if isinstance(value, numbers.Real):
        out = float(value)
        if not np.isfinite(out):
            raise ValueError(f"{name} must be a finite number, got {_show(out)}")
        return out
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be a number or an array of numbers, got {value!r}"
        ) from None
    if arr.ndim == 0:
        return as_number(name, float(arr))
    if arr.size and not np.isfinite(arr).all():
        bad = arr[~np.isfinite(arr)][0]
        raise ValueError(f"{name} must contain only finite numbers, got {_show(float(bad))}")
    return arr


def _check(name: str, value: Any, ok, rule: str) -> Number:
    x = as_number(name, value)
    if isinstance(x, float):
        if not ok(x):
            raise ValueError(f"{name} must be {rule}, got {_show(x)}")
        return x
    mask = ok(x)
    if not np.all(mask):
        bad = x[~mask].flat[0]
        raise ValueError(f"{name} must be {rule}, got {_show(float(bad))}")
    return x


def require_nonnegative(name: str, value: Any) -> Number:
    """Return ``value`` if it is a finite number >= 0 (elementwise for arrays).

    Parameters
    ----------
    name : str
        The parameter's name, used in the error message.
    value : number or array-like
        The value to check, in whatever units the caller uses.

    Returns
    -------
    float or ndarray
        ``value`` as a float (scalar) or float ndarray.

    Raises
    ------
    ValueError
        ``"<name> must be >= 0, got <value>"`` for a negative value, or a non-finite one.
    TypeError
        For a value that is not a number.

    Examples
    --------
    Source 003's one-time cost:

    >>> require_nonnegative("training_cost", 400)
    400.0
    """
    return _check(name, value, lambda x: x >= 0, ">= 0")


def require_positive(name: str, value: Any) -> Number:
    """Return ``value`` if it is a finite number > 0 (elementwise for arrays).

    Parameters
    ----------
    name : str
        The parameter's name, used in the error message.
    value : number or array-like
        The value to check.

    Returns
    -------
    float or ndarray
        ``value`` as a float (scalar) or float ndarray.

    Raises
    ------
    ValueError
        ``"<name> must be > 0, got <value>"`` for zero or a negative value, or a non-finite one.
    TypeError
        For a value that is not a number.

    Examples
    --------
    >>> require_positive("calls_per_day", 0)
    Traceback (most recent call last):
    ...
    ValueError: calls_per_day must be > 0, got 0
    """
    return _check(name, value, lambda x: x > 0, "> 0")


def require_fraction(name: str, value: Any, *, allow_zero: bool = True) -> Number:
    """Return ``value`` if it lies in [0, 1] (or (0, 1] with ``allow_zero=False``).

    Parameters
    ----------
    name : str
        The parameter's name, used in the error message.
    value : number or array-like
        A fraction, e.g. a utilization or a share of cost saved (0.6 = 60 %).
    allow_zero : bool
        Whether 0 is allowed (default True).

    Returns
    -------
    float or ndarray
        ``value`` as a float (scalar) or float ndarray.

    Raises
    ------
    ValueError
        For a value outside the interval, or a non-finite one.
    TypeError
        For a value that is not a number.

    Examples
    --------
    >>> require_fraction("savings_fraction", 1.5)
    Traceback (most recent call last):
    ...
    ValueError: savings_fraction must be between 0 and 1, got 1.5
    >>> require_fraction("utilization", 0, allow_zero=False)
    Traceback (most recent call last):
    ...
    ValueError: utilization must be in (0, 1], got 0
    """
    if allow_zero:
        return _check(name, value, lambda x: (x >= 0) & (x <= 1), "between 0 and 1")
    return _check(name, value, lambda x: (x > 0) & (x <= 1), "in (0, 1]")


def require_int(name: str, value: Any, *, minimum: int = 0) -> int:
    """Return ``value`` as an int if it is a whole number >= ``minimum``.

    Parameters
    ----------
    name : str
        The parameter's name, used in the error message.
    value : int or float
        A count, e.g. months; 12.0 is accepted as 12.
    minimum : int
        The smallest value allowed (default 0).

    Returns
    -------
    int

    Raises
    ------
    TypeError
        For a fractional, non-finite or non-numeric value, or a bool.
    ValueError
        For a whole number below ``minimum``.

    Examples
    --------
    >>> require_int("horizon_months", 12, minimum=1)
    12
    >>> require_int("horizon_months", 2.5, minimum=1)
    Traceback (most recent call last):
    ...
    TypeError: horizon_months must be a whole number, got 2.5
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a whole number, got {value!r}")
    if not float(value).is_integer():
        raise TypeError(f"{name} must be a whole number, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {_show(value)}")
    return int(value)


def require_choice(name: str, value: Any, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices``.

    Parameters
    ----------
    name : str
        The parameter's name, used in the error message.
    value : str
        The option given.
    choices : iterable of str
        The options allowed.

    Returns
    -------
    str
        ``value`` unchanged.

    Raises
    ------
    ValueError
        For a value not among ``choices``; the message lists them.

    Examples
    --------
    >>> require_choice("distribution", "normal", ["uniform", "triangular"])
    Traceback (most recent call last):
    ...
    ValueError: distribution must be one of 'uniform', 'triangular', got 'normal'
    """
    options = list(choices)
    if value not in options:
        listed = ", ".join(repr(c) for c in options)
        raise ValueError(f"{name} must be one of {listed}, got {value!r}")
    return value


def as_output(x: Number) -> Number:
    """Return a Python float for a 0-d result and the ndarray otherwise.

    Parameters
    ----------
    x : float or ndarray
        A result computed with numpy.

    Returns
    -------
    float or ndarray
        A Python float when ``x`` holds one number, else ``x`` as an ndarray.

    Raises
    ------
    TypeError
        If ``x`` is 0-d but not convertible to float (never for a numeric result).

    Examples
    --------
    >>> as_output(np.float64(2.0))
    2.0
    """
    arr = np.asarray(x)
    return float(arr) if arr.ndim == 0 else arr
