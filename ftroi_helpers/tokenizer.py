"""Count the tokens of your own prompt, offline.

:func:`count_tokens` counts exactly as OpenAI's tokenizer does: ``o200k_base`` for the gpt-4o,
gpt-4.1, gpt-5 and o-series families (the "mini" and "nano" models included) and ``cl100k_base``
for older models (gpt-4, gpt-4-turbo, gpt-3.5-turbo, the text-embedding-3 models). The work is
done by the ``quicktok`` package (PyPI: ``quicktok-v1``), whose wheel carries both vocabularies,
so nothing is downloaded at run time: it works on Binder and on a machine with no network.
Its vocabularies are byte-identical to OpenAI's published files (the SHA-256 that OpenAI's
``tiktoken`` checks), and ``tests/model/test_tokenizer.py`` compares its counts with ``tiktoken``'s.

For any other provider's model (Claude, Gemini, Llama...) there is no exact count here:
:func:`estimate_tokens` gives an *estimate*, the number of characters divided by
:data:`CHARS_PER_TOKEN` (OpenAI's rule of thumb for English text: one token is about four
characters), and :func:`count_tokens` refuses to present an estimate as exact. A calculator that
prices every row of the price table labels each count as exact or estimated (:class:`TokenCount`).

The tokenizer loads on the first count (about a second, once per process): ``import
ftroi_helpers`` and this module's import never load it.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any, NamedTuple

__all__ = [
    "CHARS_PER_TOKEN",
    "ESTIMATE_SOURCE",
    "EXACT_ENCODINGS",
    "TokenCount",
    "count_tokens",
    "encoding_for_model",
    "estimate_tokens",
]

#: The encodings counted exactly.
EXACT_ENCODINGS = ("o200k_base", "cl100k_base")

#: Characters per token for an estimate: OpenAI's rule of thumb for English text.
CHARS_PER_TOKEN = 4.0

#: Where that ratio comes from (named in every estimate's label).
ESTIMATE_SOURCE = "OpenAI's rule of thumb for English: 1 token is about 4 characters"

# Exact names first, then prefixes (longest match wins); after OpenAI's tiktoken model table.
_MODEL_TO_ENCODING = {
    "gpt-4o": "o200k_base",
    "gpt-4o-mini": "o200k_base",
    "chatgpt-4o-latest": "o200k_base",
    "gpt-4.1": "o200k_base",
    "gpt-4.1-mini": "o200k_base",
    "gpt-4.1-nano": "o200k_base",
    "gpt-4.5-preview": "o200k_base",
    "gpt-5": "o200k_base",
    "o1": "o200k_base",
    "o1-mini": "o200k_base",
    "o3": "o200k_base",
    "o3-mini": "o200k_base",
    "o4-mini": "o200k_base",
    "gpt-4": "cl100k_base",
    "gpt-4-turbo": "cl100k_base",
    "gpt-3.5-turbo": "cl100k_base",
    "gpt-35-turbo": "cl100k_base",
    "davinci-002": "cl100k_base",
    "babbage-002": "cl100k_base",
    "text-embedding-ada-002": "cl100k_base",
    "text-embedding-3-small": "cl100k_base",
    "text-embedding-3-large": "cl100k_base",
}
_PREFIX_TO_ENCODING = {
    "o1-": "o200k_base",
    "o3-": "o200k_base",
    "o4-mini-": "o200k_base",
    "gpt-5": "o200k_base",
    "gpt-4.5-": "o200k_base",
    "gpt-4.1-": "o200k_base",
    "chatgpt-4o-": "o200k_base",
    "gpt-4o-": "o200k_base",
    "ft:gpt-4o": "o200k_base",
    "ft:gpt-4.1": "o200k_base",
    "gpt-4-": "cl100k_base",
    "gpt-3.5-turbo-": "cl100k_base",
    "gpt-35-turbo-": "cl100k_base",
    "ft:gpt-4": "cl100k_base",
    "ft:gpt-3.5-turbo": "cl100k_base",
}


class TokenCount(NamedTuple):
    """A token count and how it was obtained: exact (an encoding) or an estimate."""

    #: Tokens in the text.
    tokens: int
    #: True for an exact count by the provider's tokenizer, False for an estimate.
    exact: bool
    #: The encoding (e.g. "o200k_base"), or "estimate".
    method: str
    #: The count as a phrase that says which it is, e.g. "12 tokens (exact, o200k_base)".
    label: str


def _require_text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be text (a str), got {type(value).__name__}")
    return value


def _require_model(model: Any) -> str:
    if not isinstance(model, str) or not model.strip():
        raise TypeError(f"model must be a model name such as 'gpt-4o-mini', got {model!r}")
    return model.strip()


def encoding_for_model(model: str) -> str | None:
    """The OpenAI encoding a model's tokenizer uses, or None when there is no exact one here.

    Parameters
    ----------
    model : str
        A model name as the provider writes it, with or without a date, e.g. ``"gpt-4o-mini"``,
        ``"gpt-4o-mini-2024-07-18"``, ``"gpt-4.1-nano"``, ``"gpt-3.5-turbo"``. Case is ignored.

    Returns
    -------
    str or None
        ``"o200k_base"`` or ``"cl100k_base"``; None for other providers' models.

    Raises
    ------
    TypeError
        If ``model`` is not a non-empty string.

    Examples
    --------
    >>> encoding_for_model("gpt-4o-mini-2024-07-18"), encoding_for_model("gpt-4.1-nano")
    ('o200k_base', 'o200k_base')
    >>> encoding_for_model("gpt-4-turbo"), encoding_for_model("Claude (via AWS Bedrock)")
    ('cl100k_base', None)
    """
    name = _require_model(model).lower()
    if name in _MODEL_TO_ENCODING:
        return _MODEL_TO_ENCODING[name]
    for prefix in sorted(_PREFIX_TO_ENCODING, key=len, reverse=True):
        if name.startswith(prefix):
            return _PREFIX_TO_ENCODING[prefix]
    return None


@lru_cache(maxsize=len(EXACT_ENCODINGS))
def _encoder(encoding: str) -> Any:
    """The loaded tokenizer for an encoding (loaded once per process)."""
    try:
        import quicktok
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise RuntimeError(
            "exact token counts need the quicktok package: pip install quicktok-v1"
        ) from exc
    return quicktok.get_encoding(encoding)


def _count(text: str, encoding: str) -> int:
    # Ordinary text: "<|endoftext|>" typed into a prompt is counted as the characters it is.
    return int(_encoder(encoding).count(text))


def count_tokens(text: str, model: str = "gpt-4o-mini") -> int:
    """Tokens in ``text`` exactly as the model's OpenAI tokenizer counts them; no network needed.

    Parameters
    ----------
    text : str
        Any text: a system prompt, few-shot examples, a typical input or output.
    model : str
        An OpenAI model name (default ``"gpt-4o-mini"``); see :func:`encoding_for_model`.

    Returns
    -------
    int
        The number of tokens (the text counted as ordinary text, special tokens included as the
        characters they are). The chat format adds a few tokens per message on top.

    Raises
    ------
    ValueError
        For a model with no exact tokenizer here (another provider's): use
        :func:`estimate_tokens` for an estimate.
    TypeError
        If ``text`` is not a str or ``model`` not a model name.

    Examples
    --------
    >>> count_tokens("hello world")
    2
    >>> count_tokens("You are a support assistant. Classify the customer's message as billing, "
    ...              "technical or other.", model="gpt-3.5-turbo")
    19
    >>> count_tokens("hello", model="claude-3-haiku")
    Traceback (most recent call last):
    ...
    ValueError: model 'claude-3-haiku' has no exact tokenizer here (only OpenAI's o200k_base and cl100k_base models); use estimate_tokens(text) for an estimate
    """
    text = _require_text("text", text)
    encoding = encoding_for_model(model)
    if encoding is None:
        raise ValueError(
            f"model {model!r} has no exact tokenizer here (only OpenAI's o200k_base and "
            "cl100k_base models); use estimate_tokens(text) for an estimate"
        )
    return _count(text, encoding)


def estimate_tokens(text: str, chars_per_token: float = CHARS_PER_TOKEN) -> int:
    """An estimate of the tokens in ``text``: characters divided by ``chars_per_token``, rounded up.

    Parameters
    ----------
    text : str
        Any text.
    chars_per_token : float
        Characters per token (> 0; default 4, OpenAI's rule of thumb for English text).

    Returns
    -------
    int
        ``ceil(len(text) / chars_per_token)``: an estimate, not a count.

    Raises
    ------
    ValueError, TypeError
        If ``text`` is not a str or ``chars_per_token`` is not a positive number.

    Examples
    --------
    >>> estimate_tokens("a" * 10)
    3
    >>> estimate_tokens("hello", chars_per_token=0)
    Traceback (most recent call last):
    ...
    ValueError: chars_per_token must be > 0, got 0
    """
    from .validation import require_positive

    text = _require_text("text", text)
    ratio = require_positive("chars_per_token", chars_per_token)
    if not isinstance(ratio, float):
        raise TypeError(f"chars_per_token must be a single number, got {chars_per_token!r}")
    tokens = len(text) / ratio
    if not math.isfinite(tokens):
        raise ValueError(f"chars_per_token is too small: {len(text):,} characters at "
                         f"{chars_per_token!r} per token are too many tokens to count")
    return math.ceil(tokens)


def _count_or_estimate(text: str, model: str = "gpt-4o-mini",
                       chars_per_token: float = CHARS_PER_TOKEN) -> TokenCount:
    """Tokens in ``text`` for ``model``: exact for OpenAI's models, a labelled estimate otherwise.

    Parameters
    ----------
    text : str
        Any text.
    model : str
        A model name (default ``"gpt-4o-mini"``).
    chars_per_token : float
        Characters per token for an estimate (> 0; default :data:`CHARS_PER_TOKEN`).

    Returns
    -------
    TokenCount
        ``tokens``, ``exact``, ``method`` (the encoding, or ``"estimate"``) and ``label``.

    Raises
    ------
    ValueError, TypeError
        For a bad text, model or ratio, naming it.

    Examples
    --------
    >>> _count_or_estimate("hello world").label
    '2 tokens (exact, o200k_base)'
    >>> _count_or_estimate("hello world", model="Gemini (via Vertex AI)").label
    '≈ 3 tokens (estimate: 11 characters ÷ 4 per token)'
    """
    text = _require_text("text", text)
    from .validation import require_positive, require_scalar

    require_scalar("chars_per_token", chars_per_token, require_positive)
    encoding = encoding_for_model(model)
    if encoding is not None:
        n = _count(text, encoding)
        return TokenCount(n, True, encoding, f"{n:,} token{'s' * (n != 1)} (exact, {encoding})")
    n = estimate_tokens(text, chars_per_token)
    return TokenCount(n, False, "estimate",
                      f"≈ {n:,} token{'s' * (n != 1)} (estimate: {len(text):,} characters ÷ "
                      f"{chars_per_token:g} per token)")
