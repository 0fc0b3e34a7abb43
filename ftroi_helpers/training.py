"""One-time training cost, priced per token (provider APIs) or per GPU-hour (self-hosted)."""

from __future__ import annotations

import numpy as np

from .validation import Number, common_shape, finite_result, require_nonnegative, require_positive

__all__ = ["training_cost_gpu", "training_cost_tokens"]


def training_cost_tokens(
    training_tokens: Number, epochs: Number, usd_per_1m_training_tokens: Number
) -> Number:
    """USD to train on ``training_tokens`` for ``epochs`` passes, priced per 1M tokens.

    This is how OpenAI bills fine-tuning: every epoch re-reads the whole training file.

    Parameters
    ----------
    training_tokens : float or array, tokens in the training file (>= 0)
    epochs : float or array, passes over the file (> 0)
    usd_per_1m_training_tokens : float or array, USD per 1M training tokens (>= 0)

    Returns
    -------
    float or ndarray
        USD for the run.

    Raises
    ------
    ValueError, TypeError
        For a bad argument, naming it.

    Examples
    --------
    1,000 examples of 1,000 tokens, 3 epochs, gpt-4o-mini at $3.00 per 1M training tokens
    (the crossover guide):

    >>> training_cost_tokens(1_000_000, 3, 3.00)
    9.0
    """
    tokens = require_nonnegative("training_tokens", training_tokens)
    n = require_positive("epochs", epochs)
    price = require_nonnegative("usd_per_1m_training_tokens", usd_per_1m_training_tokens)
    inputs = {"training_tokens": tokens, "epochs": n, "usd_per_1m_training_tokens": price}
    common_shape(**inputs)
    with np.errstate(over="ignore"):
        usd = np.multiply(np.multiply(tokens, n), price) / 1_000_000
        # an intermediate product beyond the largest float: the same sum in a safer order
        usd = np.where(np.isfinite(usd), usd,
                       np.multiply(np.multiply(np.divide(tokens, 1_000_000), n), price))
    return finite_result(usd, "training cost (USD)", inputs)


def training_cost_gpu(gpu_hours: Number, usd_per_gpu_hour: Number, gpus: Number = 1) -> Number:
    """USD for a training run of ``gpu_hours`` wall-clock hours on ``gpus`` rented GPUs.

    Parameters
    ----------
    gpu_hours : float or array, wall-clock hours of the run (>= 0)
    usd_per_gpu_hour : float or array, USD per GPU-hour (>= 0)
    gpus : float or array, GPUs rented for the run (> 0; default 1)

    Returns
    -------
    float or ndarray
        USD for the run.

    Raises
    ------
    ValueError, TypeError
        For a bad argument, naming it.

    Examples
    --------
    The crossover guide: Llama 3.1 8B, 4-20 hours on an A10G at $1-2/hour, i.e. $4-40 (the source
    prints "$8-40"; its own low end is 4 h x $1 = $4). The source calls it a full fine-tune,
    but that does not fit in an A10G's 24 GB; the hours fit LoRA or QLoRA:

    >>> training_cost_gpu(4, 1.0), training_cost_gpu(20, 2.0)
    (4.0, 40.0)
    """
    hours = require_nonnegative("gpu_hours", gpu_hours)
    rate = require_nonnegative("usd_per_gpu_hour", usd_per_gpu_hour)
    count = require_positive("gpus", gpus)
    inputs = {"gpu_hours": hours, "usd_per_gpu_hour": rate, "gpus": count}
    common_shape(**inputs)
    with np.errstate(over="ignore"):
        usd = np.multiply(np.multiply(hours, rate), count)
    return finite_result(usd, "training cost (USD)", inputs)


