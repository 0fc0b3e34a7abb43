"""How a result says "never": None, a masked array, ``pd.NA`` or the word -- never inf or NaN.

Some questions have "never" as their true answer: fine-tuning that saves nothing per request
never breaks even. Issue 11 asks that no public function return ``inf`` or ``NaN`` to stand
for that (a learner, or a program, would read ``inf`` as a number). Everywhere in ftroi:

* **a single value**: ``None`` means "never" (type hint ``float | None``);
* **a numpy array**: a :class:`numpy.ma.MaskedArray`, masked exactly where the answer is
  "never" and finite elsewhere, so it prints ``--`` there and ``np.isinf(r).any()`` is False.
  A function that can answer "never" for array input always returns a MaskedArray for array
  input (a mask of all False when nothing is "never"). The data under the mask, and the
  ``fill_value``, are ``inf`` -- the mathematical limit -- so code that strips the mask still
  reads "more than any number", never the opposite answer (0). Use ``np.ma`` functions,
  ``.compressed()``, :func:`numpy.ma.getmaskarray` or ``.filled(x)`` with an explicit ``x``;
* **a pandas table**: a nullable ``"Float64"`` column with ``pd.NA`` for "never";
* **text**: the word "never" (or "does not pay back within N months").

A true result that is finite but too large for a float raises a ``ValueError`` saying "too
large", naming the inputs (:func:`ftroi_helpers.validation.finite_result`). A free project
with no savings breaks even at once (0) in every function; a project with a cost and no
savings never does.

Examples
--------
>>> from ftroi_helpers import breakeven_requests
>>> breakeven_requests(2, 15, 400) is None
True
>>> breakeven_requests(np.array([15, 2]), 2, 400)
masked_array(data=[30769.23076923077, --],
             mask=[False,  True],
       fill_value=inf)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["is_never", "never_array", "never_or_float", "never_to_inf", "never_to_na"]


def never_array(values: Any, never: Any) -> np.ma.MaskedArray:
    """A float MaskedArray: ``values`` where they are an answer, masked (data ``inf``) where never.

    Parameters
    ----------
    values : array-like
        The computed answers (whatever is stored where ``never`` is True is replaced by inf).
    never : bool array-like
        Where the answer is "never" (broadcast to the shape of ``values``).

    Returns
    -------
    numpy.ma.MaskedArray
        Masked exactly where ``never``; ``fill_value`` inf.

    Examples
    --------
    >>> never_array([1.0, 2.0], [False, True])
    masked_array(data=[1.0, --],
                 mask=[False,  True],
           fill_value=inf)
    """
    data = np.array(values, dtype=float)
    mask = np.array(np.broadcast_to(np.asarray(never, dtype=bool), data.shape))
    data[mask] = np.inf
    return np.ma.MaskedArray(data, mask=mask, fill_value=np.inf)


def never_or_float(value: Any, never: bool | None = None) -> float | None:
    """One answer: a Python float, or None for "never" (``inf`` or ``never=True``).

    Parameters
    ----------
    value : float
        The computed answer (``inf`` stands for "never" inside the computation).
    never : bool, optional
        Whether the answer is "never"; by default where ``value`` is ``+inf``.

    Returns
    -------
    float or None

    Examples
    --------
    >>> never_or_float(2.5), never_or_float(math.inf)
    (2.5, None)
    """
    x = float(value)
    if never is None:
        never = x == math.inf
    return None if never else x


def is_never(value: Any) -> bool:
    """Whether a single answer means "never": None, ``pd.NA``, ``np.ma.masked`` or ``+inf``.

    Parameters
    ----------
    value : any
        One answer as a function in ftroi returns it (or an older ``inf``).

    Returns
    -------
    bool

    Examples
    --------
    >>> is_never(None), is_never(math.inf), is_never(0.0)
    (True, True, False)
    """
    if value is None or value is np.ma.masked:
        return True
    try:
        import pandas as pd

        if value is pd.NA:
            return True
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    if isinstance(value, (float, np.floating)):
        return float(value) == math.inf
    return False


def never_to_inf(value: Any) -> Any:
    """For internal arithmetic: "never" (None, masked) as ``inf``; anything else unchanged.

    Parameters
    ----------
    value : float, None or array
        An answer as a public function returns it.

    Returns
    -------
    float or ndarray
        ``inf`` where the answer is "never".

    Examples
    --------
    >>> never_to_inf(None), never_to_inf(3.0)
    (inf, 3.0)
    """
    if isinstance(value, np.ma.MaskedArray):
        return value.filled(np.inf)
    if is_never(value):
        return math.inf
    return value


def never_to_na(values: Any) -> Any:
    """A column for a pandas table: nullable ``Float64``, ``pd.NA`` where "never".

    Parameters
    ----------
    values : float, None, array or MaskedArray
        Answers, "never" given as None, masked or ``inf``.

    Returns
    -------
    pandas.arrays.FloatingArray

    Examples
    --------
    >>> never_to_na([1.5, None, math.inf]).tolist()
    [1.5, <NA>, <NA>]
    """
    import pandas as pd

    if isinstance(values, np.ma.MaskedArray):
        data = values.filled(np.inf).astype(float).ravel()
    else:
        data = np.array([math.inf if is_never(v) else float(v)
                         for v in np.ravel(np.asarray(values, dtype=object))], dtype=float)
    mask = data == np.inf
    return pd.arrays.FloatingArray(np.where(mask, 0.0, data), mask)
