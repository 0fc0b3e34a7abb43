"""Argument checks shared by every public function.

One helper per kind of check, so every function rejects bad input the same way and every
message names the parameter, says what was expected and shows what was got::

    >>> require_nonnegative("hosted_cost_per_1k_req", -3)
    Traceback (most recent call last):
    ...
    ValueError: hosted_cost_per_1k_req must be >= 0, got -3

Numbers may be Python or numpy scalars, lists, numpy arrays or pandas Series. Each check returns
the value as a float (for a scalar) or a float ndarray (for an array), ready for arithmetic.
Booleans, complex numbers, strings and None are refused (TypeError); NaN and infinity are
refused (ValueError); an integer too large for a float is refused as "too large"
(:class:`TooLargeError`, a ValueError) instead of numpy's OverflowError.

Results go through :func:`finite_result`, so a computation that overflows says so, naming the
inputs, instead of returning ``inf`` (which a learner would read as "never").

Sizes have named limits (:data:`MAX_HORIZON_MONTHS`, :data:`MAX_DRAWS`, ...) that keep every
computation well inside the memory of a 24 GB machine.
"""

from __future__ import annotations

import decimal
import math
import numbers
import sys
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

Number = float | np.ndarray

__all__ = [
    "MAX_DRAWS",
    "MAX_EVAL_CELLS",
    "MAX_HORIZON_MONTHS",
    "MAX_SCENARIO_MONTHS",
    "MAX_TABLE_ROWS",
    "LARGEST_FLOAT",
    "TooLargeError",
    "as_number",
    "as_output",
    "common_shape",
    "finite_result",
    "require_bool",
    "require_choice",
    "require_fraction",
    "require_int",
    "require_nonnegative",
    "require_positive",
    "require_scalar",
    "short_repr",
]

#: The largest float (about 1.8e308): anything beyond it is "too large".
LARGEST_FLOAT = sys.float_info.max

#: Longest horizon of a total-cost-of-ownership comparison: 50 years of months.
MAX_HORIZON_MONTHS = 600
#: Most random draws in one Monte Carlo run.
MAX_DRAWS = 10_000_000
#: Most scenario-months in one :func:`~ftroi_helpers.tco.simulate` call (scenarios x months):
#: 10 million draws over the default 12 months. Each scenario-month costs about 40 bytes of
#: working memory, so the largest call needs about 5 GB.
MAX_SCENARIO_MONTHS = 120_000_000
#: Most simulated example scores in one eval simulation (examples x sets x (models + 1)):
#: about 0.3 GB of working memory, and a second of drawing.
MAX_EVAL_CELLS = 20_000_000
#: Most rows in a table built from a list of values (volumes, token counts, sizes).
MAX_TABLE_ROWS = 100_000

#: Characters of an offending value shown in a message before it is shortened.
_SHOWN_CHARS = 60


class TooLargeError(ValueError):
    """A number, or a result computed from valid numbers, is too large to represent."""


# -- showing values in messages ------------------------------------------------------------------
def short_repr(value: Any, limit: int = _SHOWN_CHARS) -> str:
    """A value as it appears in an error message, shortened to about ``limit`` characters.

    Whole floats lose their ``.0``; huge integers are described by their size (Python refuses
    to print integers of more than 4,300 digits); long strings and containers are cut.

    Parameters
    ----------
    value : any
        The offending value.
    limit : int
        Characters kept before the value is cut (default 60).

    Returns
    -------
    str

    Raises
    ------
    Nothing: a value whose ``repr`` fails is shown by its type.

    Examples
    --------
    >>> short_repr(3.0), short_repr(0.5), short_repr("abc")
    ('3', '0.5', "'abc'")
    >>> short_repr(10**400)
    'an integer of 401 digits'
    >>> short_repr("x" * 500)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx... (500 characters)"
    """
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, numbers.Integral):
        v = int(value)
        if v.bit_length() > 64:
            digits = len(str(abs(v))) if v.bit_length() < 10_000 else int(
                v.bit_length() * math.log10(2)) + 1
            return f"{'a negative' if v < 0 else 'an'} integer of {digits:,} digits"
        return str(v)
    if isinstance(value, (float, np.floating)):
        x = float(value)
        if math.isfinite(x) and x.is_integer() and abs(x) < 1e16:
            return str(int(x))
        return repr(x)
    if isinstance(value, str):
        if len(value) <= limit:
            return repr(value)
        return repr(value[: limit - 4])[:-1] + f"... ({len(value):,} characters)"
    if isinstance(value, np.ndarray):
        head = f"array of shape {value.shape}, dtype {value.dtype}"
        if value.size <= 6:
            text = np.array2string(value, threshold=6, separator=", ")
            return text if len(text) <= limit else head
        return head
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a broken __repr__ must not hide the real error
        text = f"<{type(value).__name__}>"
    if len(text) > limit:
        size = f"{len(value):,} items, " if hasattr(value, "__len__") and _safe_len(value) else ""
        text = f"{text[: limit - 3]}... ({size}{type(value).__name__})"
    return text


def _safe_len(value: Any) -> int:
    try:
        return len(value)
    except Exception:  # noqa: BLE001
        return 0


def _got(value: Any) -> str:
    """``'3' (str)``: the value and, where it helps, its type."""
    shown = short_repr(value)
    if isinstance(value, (float, int, np.floating, np.integer)) and not isinstance(value, bool):
        return shown
    return f"{shown} ({type(value).__name__})"


def _count(n: int) -> str:
    """600, 10,000, 10,000,000: thousands separated from five digits on."""
    return f"{n:,}" if abs(n) >= 10_000 else str(n)


def _show(value: Any) -> str:
    """Format an offending number for an error message."""
    return short_repr(value)


# -- numbers -------------------------------------------------------------------------------------
def _not_a_number(name: str, value: Any, *, allow_array: bool) -> TypeError:
    what = "a number or an array of numbers" if allow_array and _array_like(value) else "a number"
    if isinstance(value, (complex, np.complexfloating)) or (
            isinstance(value, np.ndarray) and value.dtype.kind == "c"):
        return TypeError(f"{name} must be {what}, got {_got(value)}: complex numbers are not "
                         "allowed")
    return TypeError(f"{name} must be {what}, got {_got(value)}")


def _scalar_float(name: str, value: Any, *, allow_array: bool = True) -> float:
    """A real scalar as a float; refuses bool, complex, text; huge integers are too large."""
    if isinstance(value, (bool, np.bool_)) or value is None or isinstance(
            value, (str, bytes, bytearray)):
        raise _not_a_number(name, value, allow_array=allow_array)
    if isinstance(value, (numbers.Real, decimal.Decimal)):
        try:
            out = float(value)
        except OverflowError:
            raise TooLargeError(
                f"{name} is too large: at most {LARGEST_FLOAT:.3g}, got {short_repr(value)}"
            ) from None
        except (TypeError, ValueError):  # e.g. a Decimal signalling NaN
            raise _not_a_number(name, value, allow_array=allow_array) from None
        if not math.isfinite(out):
            if isinstance(value, (numbers.Integral, decimal.Decimal)) and not (
                    isinstance(value, decimal.Decimal) and not value.is_finite()):
                raise TooLargeError(
                    f"{name} is too large: at most {LARGEST_FLOAT:.3g}, got {short_repr(value)}")
            raise ValueError(f"{name} must be a finite number, got {_show(out)}")
        return out
    raise _not_a_number(name, value, allow_array=allow_array)


def as_number(name: str, value: Any, *, allow_array: bool = True) -> Number:
    """Return ``value`` as a finite float or float ndarray, or raise naming ``name``.

    Parameters
    ----------
    name : str
        The parameter's name, used in the error message.
    value : number or array-like
        A Python or numpy real number, or a list, array or pandas Series of them.
    allow_array : bool
        Whether an array is acceptable (default True); False refuses anything but one number.

    Returns
    -------
    float or ndarray
        A Python float for a scalar (or 0-d array), otherwise a float ndarray.

    Raises
    ------
    TypeError
        For a bool, None, str, bytes, complex number or anything that is not numeric (or an
        array when ``allow_array`` is False).
    ValueError
        For NaN or infinity (in an array: the first such element is shown), or a ragged list.
    TooLargeError
        For an integer too large for a float (a ValueError).

    Examples
    --------
    >>> as_number("epochs", 3)
    3.0
    >>> as_number("epochs", "3")
    Traceback (most recent call last):
    ...
    TypeError: epochs must be a number, got '3' (str)
    >>> as_number("epochs", 10**400)
    Traceback (most recent call last):
    ...
    ftroi_helpers.validation.TooLargeError: epochs is too large: at most 1.8e+308, got an integer of 401 digits
    """
    if isinstance(value, (bool, np.bool_, str, bytes, bytearray, numbers.Number,
                          decimal.Decimal)) or value is None:
        if isinstance(value, numbers.Number) and not isinstance(
                value, (numbers.Real, decimal.Decimal)):
            raise _not_a_number(name, value, allow_array=allow_array)
        return _scalar_float(name, value, allow_array=allow_array)
    if isinstance(value, (list, tuple)) and _holds_bool(value):
        raise TypeError(f"{name} must hold numbers, not True/False, got {short_repr(value)}")
    if isinstance(value, (Mapping, set, frozenset)) or not _array_like(value):
        raise _not_a_number(name, value, allow_array=allow_array)
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError, OverflowError):
        raise TypeError(
            f"{name} must be {'a number or an array of numbers' if allow_array else 'a number'}"
            f" (a list of numbers of equal lengths), got {short_repr(value)}"
        ) from None
    if arr.ndim == 0:
        return _scalar_float(name, arr.item(), allow_array=allow_array)
    if not allow_array:
        raise TypeError(f"{name} must be a single number, got an array of shape {arr.shape}"
                        f" ({short_repr(value)})")
    kind = arr.dtype.kind
    if kind in "iuf":
        out = arr.astype(float, copy=kind != "f" or arr.dtype != np.float64)
    elif kind == "O":
        out = np.empty(arr.shape, dtype=float)
        flat = out.reshape(-1)
        for i, item in enumerate(arr.reshape(-1)):
            if isinstance(item, (np.ndarray, list, tuple)):
                raise TypeError(f"{name} must be a number or an array of numbers (a list of "
                                f"numbers of equal lengths), got {short_repr(value)}")
            try:
                flat[i] = _scalar_float(name, item)
            except ValueError as exc:
                if isinstance(exc, TooLargeError):
                    raise TooLargeError(
                        f"{name} holds a number too large for a float (at most "
                        f"{LARGEST_FLOAT:.3g}): {short_repr(item)}") from None
                flat[i] = math.nan  # reported below with the other non-finite elements
            except TypeError:
                raise TypeError(f"{name} must hold only numbers, got {_got(item)} in "
                                f"{short_repr(value)}") from None
    elif kind == "b":
        raise TypeError(f"{name} must hold numbers, not True/False, got {short_repr(value)}")
    else:
        raise _not_a_number(name, arr, allow_array=True) if kind == "c" else TypeError(
            f"{name} must be a number or an array of numbers, got {short_repr(value)} "
            f"(dtype {arr.dtype})")
    if out.size and not np.isfinite(out).all():
        bad = out[~np.isfinite(out)][0]
        raise ValueError(f"{name} must contain only finite numbers, got {_show(float(bad))}")
    return out


def _holds_bool(items: list | tuple) -> bool:
    """Whether a list (or a list of lists) holds True or False, which numpy would make 1 or 0."""
    for item in items:
        if isinstance(item, (bool, np.bool_)):
            return True
        if isinstance(item, (list, tuple)) and any(isinstance(x, (bool, np.bool_))
                                                   for x in item):
            return True
    return False


def _array_like(value: Any) -> bool:
    """Lists, tuples, ranges, numpy arrays, pandas objects: things numpy turns into arrays."""
    if isinstance(value, (list, tuple, range, np.ndarray, np.generic)):
        return True
    return hasattr(value, "__array__") or hasattr(value, "__array_interface__")


def require_scalar(name: str, value: Any, check: Any = None, **kwargs: Any) -> float:
    """One number (not an array), checked by ``check`` (default :func:`as_number`).

    Parameters
    ----------
    name : str
        The parameter's name, used in the error message.
    value : number
        The value to check.
    check : callable, optional
        One of the ``require_*`` checks, called as ``check(name, value, **kwargs)``.
    **kwargs
        Passed on to ``check``.

    Returns
    -------
    float

    Raises
    ------
    TypeError
        For an array or a non-number.
    ValueError
        For whatever ``check`` refuses.

    Examples
    --------
    >>> require_scalar("requests_per_month", [1, 2])
    Traceback (most recent call last):
    ...
    TypeError: requests_per_month must be a single number, got an array of shape (2,) ([1, 2])
    """
    as_number(name, value, allow_array=False)
    return (check or as_number)(name, value, **kwargs)


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
    The one-time cost of the $15-vs-$2 example:

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


def require_int(name: str, value: Any, *, minimum: int = 0, maximum: int | None = None,
                limit_name: str | None = None) -> int:
    """Return ``value`` as an int if it is a whole number in [``minimum``, ``maximum``].

    Parameters
    ----------
    name : str
        The parameter's name, used in the error message.
    value : int or float
        A count, e.g. months; 12.0 is accepted as 12.
    minimum : int
        The smallest value allowed (default 0).
    maximum : int, optional
        The largest value allowed (default: no limit).
    limit_name : str, optional
        The name of the constant that sets ``maximum`` (shown in the message).

    Returns
    -------
    int

    Raises
    ------
    TypeError
        For a fractional, non-finite or non-numeric value, or a bool.
    ValueError
        For a whole number below ``minimum`` or above ``maximum``.

    Examples
    --------
    >>> require_int("horizon_months", 12, minimum=1)
    12
    >>> require_int("horizon_months", 2.5, minimum=1)
    Traceback (most recent call last):
    ...
    TypeError: horizon_months must be a whole number, got 2.5
    >>> require_int("horizon_months", 10**15, minimum=1, maximum=600)
    Traceback (most recent call last):
    ...
    ValueError: horizon_months must be <= 600, got 1000000000000000
    """
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a whole number, got {_got(value)}")
    if not isinstance(value, numbers.Integral):
        x = float(value)
        if not x.is_integer():  # also NaN and infinity
            raise TypeError(f"{name} must be a whole number, got {_show(x)}")
        value = int(x)
    value = int(value)
    if value < minimum:
        raise ValueError(f"{name} must be >= {_count(minimum)}, got {_show(value)}")
    if maximum is not None and value > maximum:
        limit = f" ({limit_name})" if limit_name else ""
        raise ValueError(f"{name} must be <= {_count(maximum)}{limit}, got {_show(value)}")
    return value


def require_bool(name: str, value: Any) -> bool:
    """Return ``value`` if it is True or False (numpy's too), else raise naming ``name``.

    Parameters
    ----------
    name : str
        The parameter's name, used in the error message.
    value : bool
        The answer to a yes/no question.

    Returns
    -------
    bool

    Raises
    ------
    TypeError
        For anything but True or False (1 and "yes" included).

    Examples
    --------
    >>> require_bool("naive", "yes")
    Traceback (most recent call last):
    ...
    TypeError: naive must be True or False, got 'yes' (str)
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(f"{name} must be True or False, got {_got(value)}")


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
    TypeError
        For a value that is not a string when every choice is one.
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
    listed = ", ".join(repr(c) for c in options)
    if len(listed) > 400:
        listed = listed[:397] + "..."
    if all(isinstance(c, str) for c in options) and not isinstance(value, str):
        raise TypeError(f"{name} must be one of {listed}, got {_got(value)}")
    try:
        found = value in options
    except Exception:  # noqa: BLE001 - e.g. an array compared with strings
        found = False
    if not found:
        raise ValueError(f"{name} must be one of {listed}, got {short_repr(value)}")
    return value


def common_shape(**arrays: Any) -> tuple[int, ...]:
    """The shape that named arrays broadcast to, or an error naming the ones that clash.

    Parameters
    ----------
    **arrays : float or ndarray
        The checked arguments, by parameter name.

    Returns
    -------
    tuple of int
        The broadcast shape (``()`` when every argument is a single number).

    Raises
    ------
    ValueError
        When two arrays have lengths that cannot be combined, naming both.

    Examples
    --------
    >>> common_shape(a=np.ones(3), b=2.0)
    (3,)
    >>> common_shape(hosted_cost_per_1k_req=np.ones(3), one_time_finetune_cost=np.ones(2))
    Traceback (most recent call last):
    ...
    ValueError: hosted_cost_per_1k_req and one_time_finetune_cost must have the same length (or be single numbers), got 3 and 2 values
    """
    shape: tuple[int, ...] = ()
    owner = ""
    for name, value in arrays.items():
        s = np.shape(value)
        try:
            new = np.broadcast_shapes(shape, s)
        except ValueError:
            a = shape[0] if len(shape) == 1 else shape
            b = s[0] if len(s) == 1 else s
            raise ValueError(
                f"{owner} and {name} must have the same length (or be single numbers), "
                f"got {a} and {b} values") from None
        if new != shape or not owner:
            if s:
                owner = name
        shape = new
    return shape


def finite_result(value: Any, what: str, inputs: Mapping[str, Any],
                  allowed: Any = None) -> Number:
    """Return ``value`` if every element is finite; otherwise say it is too large.

    A computation from valid, finite inputs can still overflow (``1e308 * 1000``). That
    ``inf`` would read as "never", the opposite of the truth, so it is refused here, with the
    inputs that produced it.

    Parameters
    ----------
    value : float or ndarray
        The computed result.
    what : str
        What the result is, for the message ("requests to break even").
    inputs : mapping of parameter name -> checked value
        The arguments, shown in the message (for arrays, the element that overflowed).
    allowed : bool array, optional
        Where ``inf`` is the true answer ("never") and must be kept.

    Returns
    -------
    float or ndarray
        ``value`` as :func:`as_output` returns it.

    Raises
    ------
    TooLargeError
        Where the result is not finite (and not ``allowed``).

    Examples
    --------
    >>> finite_result(np.float64(3.0), "cost", {"x": 1.0})
    3.0
    >>> finite_result(np.float64(np.inf), "requests to break even",
    ...               {"one_time_finetune_cost": 1e308})
    Traceback (most recent call last):
    ...
    ftroi_helpers.validation.TooLargeError: requests to break even is too large to compute (above 1.8e+308) for one_time_finetune_cost=1e+308
    """
    arr = np.asarray(value, dtype=float)
    bad = ~np.isfinite(arr)
    if allowed is not None:
        bad &= ~np.broadcast_to(np.asarray(allowed, dtype=bool), arr.shape)
    if bad.any():
        index = np.unravel_index(int(np.argmax(bad)), arr.shape) if arr.ndim else ()
        shown = []
        for name, x in inputs.items():
            xa = np.asarray(x)
            if xa.ndim and arr.ndim:
                try:
                    element = np.broadcast_to(xa, arr.shape)[index]
                except ValueError:
                    element = xa.flat[0]
                shown.append(f"{name}[{', '.join(map(str, index))}]={short_repr(element)}")
            else:
                shown.append(f"{name}={short_repr(x)}")
        raise TooLargeError(
            f"{what} is too large to compute (above {LARGEST_FLOAT:.3g}) for "
            + ", ".join(shown))
    return as_output(arr if isinstance(value, np.ndarray) or arr.ndim else value)


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
