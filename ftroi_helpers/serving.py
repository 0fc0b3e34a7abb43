"""How many requests a GPU serves, from dated, sourced throughput measurements.

``data/throughput.csv`` holds published benchmarks (and, where none was found, figures derived
from them by a stated rule): a GPU, a model size, fixed input and output lengths, the concurrency
(blank: requests fed at an infinite rate, the GPU's maximum throughput), the output tokens a second
of the whole replica and, where published, the latency of one request. Every row names its
``source`` (a URL), the date it was read (``as_of``) and whether it is ``measured`` or ``derived``.

* :func:`capacity_rps`: requests a second one GPU sustains flat out, interpolated between the
  maximum-throughput rows of that GPU and model size.
* :func:`time_per_answer_s`: how long one answer takes, from the single-stream rows (one request at
  a time decodes at the GPU's memory speed), slowed down by load along the one measured
  latency-load curve of the table.
* :func:`replicas_needed`: how many GPUs keep a peak load within a latency target.

Interpolation: the GPU-seconds a request takes (1 / requests a second) are linear in its input
and output tokens between the three measured points around it (the triangle with the smallest
circumcircle, as a Delaunay triangulation chooses): a request's work grows about linearly with
its tokens. Left out one at a time, the table's interior points are recovered within 10 %, its
edge points 35-50 % low (a conservative error: a GPU serves at least that much). A request below the measured lengths, down to a quarter of
the shortest, is held at the shortest measured length (a lower bound: fewer tokens are never
slower); anything else outside the measured points is refused, naming the parameter.
"""

from __future__ import annotations

import csv
import itertools
import math
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

import numpy as np

from .validation import require_choice, require_positive, require_scalar

__all__ = [
    "THROUGHPUT_COLUMNS",
    "ReplicaPlan",
    "capacity_rps",
    "load_throughput",
    "replicas_needed",
    "time_per_answer_s",
]

THROUGHPUT_COLUMNS = (
    "gpu", "gpu_model", "gpus", "model", "params_b", "precision", "engine", "input_tokens",
    "output_tokens", "concurrency", "output_tokens_per_s", "latency_s", "provenance", "source",
    "as_of", "note",
)
#: How far below the shortest measured length a request may be and still get the shortest
#: length's figure (a lower bound on its capacity).
HOLD_BELOW = 4.0
#: Model sizes within this share of a measured size count as that size (7-8B: 8B).
SIZE_TOLERANCE = 0.15


class ThroughputRow(NamedTuple):
    """One row of ``data/throughput.csv``, numbers as floats (NaN where blank)."""

    gpu: str
    gpus: int
    params_b: float
    input_tokens: float
    output_tokens: float
    concurrency: float
    output_tokens_per_s: float
    latency_s: float
    provenance: str
    source: str
    as_of: str


@lru_cache(maxsize=1)
def load_throughput() -> tuple[ThroughputRow, ...]:
    """Every row of ``data/throughput.csv``, checked.

    Returns
    -------
    tuple of ThroughputRow

    Raises
    ------
    ValueError
        For a row without a source URL, an ISO ``as_of`` date, a provenance of ``measured`` or
        ``derived``, or a positive throughput (a broken installation).

    Examples
    --------
    The A40 row behind issue 20: about 1,000 output tokens a second at 50 concurrent requests.

    >>> row = next(r for r in load_throughput() if r.gpu == "A40")
    >>> row.output_tokens_per_s, int(row.concurrency), row.provenance
    (1016.6, 50, 'measured')
    """
    text = resources.files("ftroi_helpers").joinpath("data/throughput.csv").read_text("utf-8")
    records = list(csv.DictReader(text.splitlines()))
    rows = []
    for line, r in enumerate(records, start=2):
        where = f"throughput.csv line {line}"
        if not r.get("source", "").startswith("https://"):
            raise ValueError(f"{where}: source must be a https:// URL, got {r.get('source')!r}")
        if r.get("provenance") not in ("measured", "derived"):
            raise ValueError(f"{where}: provenance must be 'measured' or 'derived'")

        def number(column: str, r: dict = r) -> float:
            return float(r[column]) if r[column] else math.nan

        row = ThroughputRow(r["gpu"], int(r["gpus"]), number("params_b"),
                            number("input_tokens"), number("output_tokens"),
                            number("concurrency"), number("output_tokens_per_s"),
                            number("latency_s"), r["provenance"], r["source"], r["as_of"])
        if not row.output_tokens_per_s > 0:
            raise ValueError(f"{where}: output_tokens_per_s must be positive")
        rows.append(row)
    return tuple(rows)


def _rows_for(gpu: str, params_b: float, *, saturated: bool) -> list[ThroughputRow]:
    """The rows of one GPU and model size: maximum-throughput rows, or single streams."""
    table = load_throughput()
    gpus = sorted({r.gpu for r in table})
    gpu = require_choice("gpu", gpu, gpus)
    size = require_scalar("params_b", params_b, require_positive)
    sizes = sorted({r.params_b for r in table if r.gpu == gpu})
    match = [s for s in sizes if abs(size - s) <= SIZE_TOLERANCE * s]
    if not match:
        raise ValueError(f"params_b must be a model size measured on the {gpu} "
                         f"({', '.join(f'{s:g}' for s in sizes)} billion), got {size:g}")
    if saturated:
        rows = [r for r in table if r.gpu == gpu and r.params_b == match[0]
                and math.isnan(r.concurrency)]
        kind = "a maximum-throughput measurement"
    else:
        rows = [r for r in table if r.gpu == gpu and r.params_b == match[0]
                and r.concurrency == 1]
        kind = "a single-stream (concurrency 1) measurement"
    if not rows:
        raise ValueError(f"gpu={gpu!r} with params_b={size:g} has no {kind} in "
                         "throughput.csv")
    return rows


def _tokens(name: str, value: float) -> float:
    return require_scalar(name, value, require_positive)


def capacity_rps(gpu: str = "A10G", params_b: float = 8, input_tokens: float = 500,
                 output_tokens: float = 1000) -> float:
    """Requests a second one GPU sustains flat out, at the given request lengths.

    From the maximum-throughput rows of ``data/throughput.csv`` (output tokens a second of the
    replica, divided by the output tokens per request and by the GPUs in the replica),
    interpolated linearly in GPU-seconds per request between measured lengths (see the module
    docstring).

    Parameters
    ----------
    gpu : str, a GPU of the table ("A10G", "A100", "H100")
    params_b : float, model size in billions of parameters (8 for a 7-8B model, 70)
    input_tokens, output_tokens : float, tokens per request (> 0)

    Returns
    -------
    float
        Requests a second, per GPU.

    Raises
    ------
    ValueError, TypeError
        For a GPU or model size the table does not hold, or lengths outside the measured ones,
        naming the parameter.

    Examples
    --------
    Measured: one H100 serves Llama 3.1 8B (FP8, TensorRT-LLM 0.17) at 15,244.78 output tokens a
    second for 1,000 in and 1,000 out, 15.2 requests a second:

    >>> round(capacity_rps("H100", 8, 1_000, 1_000), 2)
    15.24

    An A10G (g5.xlarge) at 500 in and 1,000 out: about one request a second, not ten.

    >>> round(capacity_rps("A10G", 8, 500, 1_000), 2)
    1.34
    >>> capacity_rps("A10G", 8, 500, 50_000)
    Traceback (most recent call last):
    ...
    ValueError: output_tokens must be within the lengths measured on the A10G for 8B models (128 to 4,096 tokens; down to a quarter of the shortest is held at it), got 50,000
    """
    tin, tout = _tokens("input_tokens", input_tokens), _tokens("output_tokens", output_tokens)
    rows = _rows_for(gpu, params_b, saturated=True)
    points = np.array([[r.input_tokens, r.output_tokens] for r in rows])
    seconds = np.array([r.gpus * r.output_tokens / r.output_tokens_per_s for r in rows])
    query = np.array([_held("input_tokens", tin, points[:, 0], rows[0].gpu, params_b),
                      _held("output_tokens", tout, points[:, 1], rows[0].gpu, params_b)])
    weights = _barycentric(points, query)
    if weights is None:
        raise ValueError(
            f"input_tokens and output_tokens together ({tin:,.0f} in, {tout:,.0f} out) lie "
            f"outside the lengths measured on the {rows[0].gpu} for {params_b:g}B models: "
            "no measured points surround them, and the table is never extrapolated")
    index, w = weights
    return 1.0 / float(np.dot(seconds[list(index)], w))


def _held(name: str, value: float, lengths: np.ndarray, gpu: str, params_b: float) -> float:
    """``value`` held at the shortest measured length below it; refused beyond the range."""
    low, high = float(lengths.min()), float(lengths.max())
    if low / HOLD_BELOW <= value < low:
        return low
    if low <= value <= high * (1 + 1e-9):
        return value
    raise ValueError(f"{name} must be within the lengths measured on the {gpu} for "
                     f"{params_b:g}B models ({low:,.0f} to {high:,.0f} tokens; down to a quarter "
                     f"of the shortest is held at it), got {value:,.0f}")


def _barycentric(points: np.ndarray, q: np.ndarray) -> tuple[tuple[int, ...], np.ndarray] | None:
    """The smallest-circumcircle triangle of ``points`` holding ``q``, and ``q``'s weights."""
    best: tuple[float, tuple[int, ...], np.ndarray] | None = None
    for tri in itertools.combinations(range(len(points)), 3):
        a, b, c = points[list(tri)]
        m = np.array([[b[0] - a[0], c[0] - a[0]], [b[1] - a[1], c[1] - a[1]]])
        det = float(np.linalg.det(m))
        if abs(det) < 1e-12:
            continue  # three points on a line
        u, v = np.linalg.solve(m, q - a)
        w = np.array([1 - u - v, u, v])
        if w.min() < -1e-9:
            continue
        sides = [np.linalg.norm(b - c), np.linalg.norm(a - c), np.linalg.norm(a - b)]
        radius = sides[0] * sides[1] * sides[2] / (2 * abs(det))
        if best is None or radius < best[0] - 1e-12:
            best = (radius, tri, np.clip(w, 0, 1))
    return None if best is None else (best[1], best[2] / best[2].sum())


# -- latency ---------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _load_curve() -> tuple[np.ndarray, np.ndarray]:
    """(utilization, slowdown) points of the table's measured concurrency sweeps.

    A sweep is the rows of one GPU, size and lengths with a latency at concurrency 1 and at more
    than two concurrencies: utilization is each row's throughput over the sweep's highest, and
    slowdown its latency over the single stream's.
    """
    table = [r for r in load_throughput() if not math.isnan(r.latency_s)]
    groups: dict[tuple, list[ThroughputRow]] = {}
    for r in table:
        groups.setdefault((r.gpu, r.params_b, r.input_tokens, r.output_tokens), []).append(r)
    util, slow = [0.0], [1.0]
    for rows in groups.values():
        rows.sort(key=lambda r: r.concurrency)
        if len(rows) < 3 or rows[0].concurrency != 1:
            continue
        top = max(r.output_tokens_per_s for r in rows)
        for r in rows:
            util.append(r.output_tokens_per_s / top)
            slow.append(r.latency_s / rows[0].latency_s)
            if util[-1] >= 0.99:
                break
    order = np.argsort(util, kind="stable")
    u, s = np.array(util)[order], np.maximum.accumulate(np.array(slow)[order])
    return u, s


def time_per_answer_s(gpu: str = "A10G", params_b: float = 8, output_tokens: float = 1000,
                      utilization: float = 0.0) -> float:
    """Seconds one answer takes: its output tokens at the GPU's single-stream speed, slowed by load.

    A single request decodes one token per read of the weights, so its speed is set by the GPU's
    memory bandwidth (the table's concurrency-1 rows). Under load the GPU batches requests and
    each one slows down: the slowdown at ``utilization`` (share of :func:`capacity_rps`) follows
    the measured latency-load sweep of the table (NVIDIA NIM, Llama 3.3 70B on 2 x H100: twice as
    slow at 68 % of the maximum throughput). Prefill (time to the first token) is in the measured
    latency, not added separately.

    Parameters
    ----------
    gpu : str, a GPU of the table
    params_b : float, model size, billions of parameters
    output_tokens : float, tokens per answer (> 0)
    utilization : float, share of the GPU's capacity in use, 0 to 1 (default 0: one request)

    Returns
    -------
    float
        Seconds per answer.

    Raises
    ------
    ValueError, TypeError
        For a GPU or size without a single-stream row, or a bad number, naming it.

    Examples
    --------
    One A10G decodes Llama 3.1 8B at about 29 tokens a second (derived from the A100's measured
    75 by memory bandwidth), so a 1,000-token answer takes about 35 s:

    >>> round(time_per_answer_s("A10G", 8, 1_000))
    35
    """
    tout = _tokens("output_tokens", output_tokens)
    load = require_scalar("utilization", utilization)
    if not 0 <= load <= 1:
        raise ValueError(f"utilization must be between 0 and 1, got {load:g}")
    rows = _rows_for(gpu, params_b, saturated=False)
    speed = float(np.median([r.output_tokens_per_s for r in rows]))
    u, s = _load_curve()
    return tout / speed * float(np.interp(load, u, s))


class ReplicaPlan(NamedTuple):
    """GPUs for a peak load within a latency target, and how busy they are."""

    replicas: int
    capacity_rps: float
    utilization: float
    time_per_answer_s: float
    max_utilization: float


def replicas_needed(peak_rps: float, latency_target_s: float, gpu: str = "A10G",
                    params_b: float = 8, input_tokens: float = 500,
                    output_tokens: float = 1000) -> ReplicaPlan:
    """GPUs needed to serve ``peak_rps`` with each answer within ``latency_target_s``.

    Each GPU may be loaded only up to the utilization at which the measured latency-load curve
    (see :func:`time_per_answer_s`) keeps an answer within the target; the replicas are the peak
    load over that share of :func:`capacity_rps`, rounded up.

    Parameters
    ----------
    peak_rps : float, requests a second at the busiest time (> 0)
    latency_target_s : float, the longest an answer may take, seconds (> 0)
    gpu, params_b, input_tokens, output_tokens : as for :func:`capacity_rps`

    Returns
    -------
    ReplicaPlan
        ``replicas``, ``capacity_rps`` (per GPU), ``utilization`` at the peak,
        ``time_per_answer_s`` at the peak and ``max_utilization`` (the most the target allows).

    Raises
    ------
    ValueError, TypeError
        If even one request alone takes longer than ``latency_target_s``, or for a bad argument,
        naming it.

    Examples
    --------
    Two requests a second of 500 in and 1,000 out on A10Gs, answers within 60 s:

    >>> plan = replicas_needed(2, 60, "A10G", 8, 500, 1_000)
    >>> plan.replicas, round(plan.utilization, 2), round(plan.time_per_answer_s)
    (3, 0.5, 59)
    >>> replicas_needed(2, 20, "A10G", 8, 500, 1_000)
    Traceback (most recent call last):
    ...
    ValueError: latency_target_s must be at least the time one answer takes alone on the A10G (35 s for 1,000 output tokens), got 20
    """
    peak = require_scalar("peak_rps", peak_rps, require_positive)
    target = require_scalar("latency_target_s", latency_target_s, require_positive)
    capacity = capacity_rps(gpu, params_b, input_tokens, output_tokens)
    alone = time_per_answer_s(gpu, params_b, output_tokens)
    if alone > target:
        raise ValueError(f"latency_target_s must be at least the time one answer takes alone on "
                         f"the {gpu} ({alone:,.0f} s for {output_tokens:,.0f} output tokens), "
                         f"got {target:g}")
    u, s = _load_curve()
    most = float(np.interp(target / alone, s, u)) if target / alone < s[-1] else float(u[-1])
    most = max(most, 1e-9)
    replicas = math.ceil(peak / (capacity * most) - 1e-9)
    util = peak / (replicas * capacity)
    return ReplicaPlan(replicas, capacity, util,
                       time_per_answer_s(gpu, params_b, output_tokens, min(util, 1.0)), most)
