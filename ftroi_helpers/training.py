"""One-time training cost, priced per token (provider APIs) or per GPU-hour (self-hosted)."""

from __future__ import annotations

import numpy as np

from .validation import Number, common_shape, finite_result, require_nonnegative, require_positive

__all__ = [
    "TRAINING_EPOCHS",
    "TRAINING_EXAMPLES",
    "TRAINING_EXAMPLES_LOW",
    "training_cost_gpu",
    "training_cost_tokens",
    "training_run_usd",
]


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




# -- the workbook's one training run --------------------------------------------------------------
#: Examples in the workbook's training run: the top of the crossover guide's "500-2K examples"
#: for a typical gpt-4o-mini run ("production quality -- handles edge cases").
TRAINING_EXAMPLES = 2_000
#: The fewest examples of the guide's typical run (its "500-2K examples").
TRAINING_EXAMPLES_LOW = 500
#: Passes over the training file: the crossover guide's "Use 2-4 epochs for most tasks", mid-range.
TRAINING_EPOCHS = 3


def training_run_usd(
    input_tokens: Number,
    output_tokens: Number,
    model: str = "gpt-4o-mini-2024-07-18",
    examples: Number = TRAINING_EXAMPLES,
    epochs: Number = TRAINING_EPOCHS,
) -> Number:
    """USD to fine-tune ``model`` on ``examples`` copies of one task's fine-tuned request.

    The one way the workbook prices a training run on a provider's API, in every lesson, table
    and erratum: each example is the fine-tuned request (its input and its output tokens), the
    file is read ``epochs`` times, and the tokens are billed at the model's training price from
    ``data/prices.csv``. The crossover guide's quoted "USD 15-75" for a typical run is a check on
    this arithmetic, never an input.

    Parameters
    ----------
    input_tokens, output_tokens : float or array, tokens of one fine-tuned request (>= 0)
    model : str, a row of ``data/prices.csv`` with a single training price per 1M tokens
    examples : float or array, training examples (> 0; default :data:`TRAINING_EXAMPLES`)
    epochs : float or array, passes over the file (> 0; default :data:`TRAINING_EPOCHS`)

    Returns
    -------
    float or ndarray
        USD for the run.

    Raises
    ------
    ValueError, TypeError
        For a bad argument, naming it, or a model without one training price.

    Examples
    --------
    The crossover guide's simple classification (200 input and 50 output tokens fine-tuned),
    2,000 examples, 3 epochs, gpt-4o-mini at USD 3.00 per 1M training tokens (prices.csv):

    >>> training_run_usd(200, 50)
    4.5
    >>> training_run_usd(1_000, 2_000)  # complex analysis: 3,000 tokens an example
    54.0
    """
    from .prices import load_prices  # pandas loads only when a run is priced
    from .validation import require_choice

    tokens_in = require_nonnegative("input_tokens", input_tokens)
    tokens_out = require_nonnegative("output_tokens", output_tokens)
    n = require_positive("examples", examples)
    table = load_prices().dropna(subset=["training_usd_per_1m_tokens_low"]).set_index("model")
    require_choice("model", model, list(table.index))
    low, high = table.loc[model, ["training_usd_per_1m_tokens_low",
                                  "training_usd_per_1m_tokens_high"]]
    if low != high:
        raise ValueError(f"model {model!r} has a training price range (USD {low:g}-{high:g} per "
                         "1M tokens), not one price: use training_cost_tokens with your price")
    common_shape(input_tokens=tokens_in, output_tokens=tokens_out, examples=n)
    with np.errstate(over="ignore"):
        tokens = np.multiply(np.add(tokens_in, tokens_out), n)
    tokens = finite_result(tokens, "training tokens",
                           {"input_tokens": tokens_in, "output_tokens": tokens_out, "examples": n})
    return training_cost_tokens(tokens, epochs, float(low))
