"""Calculator for lesson 07: the tokens and the cost of *your own* prompt, at any price.

Paste a system prompt, few-shot examples and a typical input and output. The calculator counts
their tokens (exactly, offline, for OpenAI's models: :func:`ftroi_helpers.tokenizer.count_tokens`;
a labelled estimate for other providers) and prices one request, with and without the examples,
at every row of the price table that has per-token prices -- cached-input and batch prices
where the row publishes them -- and at "my own prices". ``calc.save("my.toml")`` writes the
tokens, prices and texts into a scenario file for ``ftroi report``.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from ..formatting import usd_per_request
from ..scenario_file import _request_usd
from ..token_costs import cacheable_tokens
from ..tokenizer import CHARS_PER_TOKEN, _count_or_estimate
from ..validation import require_fraction, require_nonnegative
from ._base import (
    _LAYOUT,
    _STYLE,
    Calculator,
    Outcome,
    _start,
    dropdown,
    field_label,
    number_box,
)

__all__ = ["prompt_cost", "prompt_cost_outcome", "price_rows"]

#: The price-row choice that uses the three "my own price" boxes.
OWN_PRICES = "my own prices"

#: "Count tokens for" choices: label -> model name given to the tokenizer.
TOKENIZERS = {
    "the price row's model": None,
    "gpt-4o, gpt-4.1 and their mini/nano models (o200k_base, exact)": "gpt-4o",
    "gpt-4, gpt-4-turbo, gpt-3.5-turbo (cl100k_base, exact)": "gpt-4",
    f"another provider's model (estimate: {CHARS_PER_TOKEN:g} characters per token)":
        "another provider",
}

#: The crossover guide's "simple classification" task, as a pasted prompt (the worksheet's starting point).
EXAMPLE_PROMPT = {
    "system_prompt": (
        "You are a support assistant for an online shop that sells outdoor clothing. Read the "
        "customer's message and answer with exactly one label: billing, shipping, returns, "
        "technical or other. Answer with the label only, in lower case."
    ),
    "examples": (
        "Message: Hi, I ordered a waterproof jacket last Tuesday (order 48213) and my card "
        "statement shows two payments of 89.99 for it. I only ordered one jacket. Could you "
        "check this and refund the second payment, please?\nLabel: billing\n\n"
        "Message: The tracking page for my order has said 'label created' for six days now and "
        "nothing has moved. I need the boots for a trip on Saturday. Has the parcel actually "
        "left your warehouse, and can you send it by express?\nLabel: shipping\n\n"
        "Message: I sent back a pair of trousers three weeks ago because they were too long. "
        "The courier confirmed delivery to your returns centre on the 4th, but I still have "
        "not had an email or a refund. What is happening?\nLabel: returns\n\n"
        "Message: Every time I try to pay in your app it shows a spinning wheel and then logs me "
        "out. I have reinstalled it twice and it still happens on my phone, but the website "
        "works fine on my laptop.\nLabel: technical\n\n"
        "Message: Do you sell gift cards that can be used in your shop in Keswick as well as "
        "online? I would like to buy one for my brother's birthday next month.\n"
        "Label: other\n"
    ),
    "input_text": (
        "Message: I returned a fleece on the 2nd and your email says the refund was issued, but "
        "it is not on my account yet and it has been ten days. Can you tell me when it will "
        "arrive?"
    ),
    "output_text": "returns",
}


def _cell(row: Any, column: str) -> float | None:
    if column not in row.index:
        return None
    value = row[column]
    return None if value != value else float(value)  # NaN: not published


def price_rows() -> dict[str, dict[str, Any]]:
    """Every row of the price table with per-token prices, by model name.

    Each row: ``input``, ``output`` and ``cached_input`` (USD per 1M tokens; None when not
    published), ``batch_discount`` (share taken off; None when not published), the fine-tuned
    model's ``ft_input``, ``ft_output`` and ``ft_cached_input`` (None when it cannot be
    fine-tuned through the API), the prompt cache's rule ``cache_min_tokens`` and
    ``cache_increment_tokens`` (None when not published), ``as_of`` and ``source``.

    >>> rows = price_rows()
    >>> rows["gpt-4o-mini-2024-07-18"]["input"], rows["gpt-4o-mini-2024-07-18"]["ft_output"]
    (0.15, 1.2)
    """
    from ..prices import load_prices

    table = load_prices()
    out: dict[str, dict[str, Any]] = {}
    for _, row in table.iterrows():
        if _cell(row, "base_usd_per_1m_input_tokens") is None:
            continue
        out[row["model"]] = {
            "input": _cell(row, "base_usd_per_1m_input_tokens"),
            "output": _cell(row, "base_usd_per_1m_output_tokens"),
            "cached_input": _cell(row, "base_usd_per_1m_cached_input_tokens"),
            "batch_discount": _cell(row, "batch_discount"),
            "ft_input": _cell(row, "ft_usd_per_1m_input_tokens"),
            "ft_output": _cell(row, "ft_usd_per_1m_output_tokens"),
            "ft_cached_input": _cell(row, "ft_usd_per_1m_cached_input_tokens"),
            "cache_min_tokens": _cell(row, "cache_min_tokens"),
            "cache_increment_tokens": _cell(row, "cache_increment_tokens"),
            "as_of": str(row["as_of"]),
            "source": str(row["source"]),
        }
    return out


def _request(tokens: dict[str, int], with_examples: bool, prices: dict[str, Any], side: str,
             use_cache: bool, use_batch: bool) -> tuple[float | None, str]:
    """USD for one request at one row, and a note on what was applied (None: no price)."""
    pin, pout = prices.get(f"{side}input"), prices.get(f"{side}output")
    if pin is None or pout is None:
        return None, "no price"
    tin = tokens["system"] + tokens["input"] + (tokens["examples"] if with_examples else 0)
    notes = []
    cached = 0
    pcached = prices.get(f"{side}cached_input")
    if use_cache:
        if pcached is None:
            notes.append("no cached-input price published")
        else:
            prefix = tokens["system"] + (tokens["examples"] if with_examples else 0)
            low, step = prices.get("cache_min_tokens"), prices.get("cache_increment_tokens")
            cached = int(cacheable_tokens(prefix, None if low is None else int(low),
                                          None if step is None else int(step)))
            if cached == 0 and prefix > 0:
                notes.append(f"prefix too short to cache ({prefix:,} < {int(low or 0):,} tokens)")
            elif cached < prefix:
                notes.append(f"{cached:,} of {prefix:,} prefix tokens cached")
            else:
                notes.append("prefix cached")
    batch = 0.0
    if use_batch:
        if prices.get("batch_discount") is None:
            notes.append("no batch price published")
        else:
            batch = prices["batch_discount"]
            notes.append(f"batch -{batch:.0%}")
    usd = _request_usd(tin, tokens["output"], cached, pin, pout, pcached, batch, "prompt_cost")
    return usd, ", ".join(notes)


def prompt_cost_outcome(system_prompt: str, examples: str, input_text: str, output_text: str,
                        price_row: str, tokens_for: str, use_cache: bool, use_batch: bool,
                        requests_per_month: float, usd_per_1m_input_tokens: float,
                        usd_per_1m_output_tokens: float, usd_per_1m_cached_input_tokens: float,
                        batch_discount_pct: float) -> Outcome:
    """The prompt calculator's result for given control values.

    Parameters
    ----------
    system_prompt, examples, input_text, output_text : str
        The texts of one request: the few-shot examples are the part a fine-tuned model would
        no longer need.
    price_row : str
        A model of :func:`price_rows`, or ``"my own prices"``.
    tokens_for : str
        A key of :data:`TOKENIZERS`: whose tokenizer counts the texts.
    use_cache, use_batch : bool
        Price the repeated prefix (system prompt + examples) at the cached-input price, and
        take the batch discount, where the row publishes them.
    requests_per_month : float
        Volume, requests per month (>= 0).
    usd_per_1m_input_tokens, usd_per_1m_output_tokens, usd_per_1m_cached_input_tokens : float
        "My own prices", USD per 1M tokens (>= 0).
    batch_discount_pct : float
        "My own" batch discount, percent (0 to below 100).

    Returns
    -------
    Outcome
        The sentence; ``data`` holds ``tokens`` (system, examples, input, output),
        ``count`` (the TokenCount of the whole request), ``usd_per_request`` with and without
        the examples at the chosen row, ``table`` (every row) and ``file`` (what ``save``
        writes).

    Raises
    ------
    ValueError, TypeError
        For a negative price or volume, a discount of 100 % or more, or an unknown row.

    Examples
    --------
    >>> out = prompt_cost_outcome(**{**EXAMPLE_PROMPT, "price_row": "gpt-4o-mini-2024-07-18",
    ...     "tokens_for": "the price row's model", "use_cache": False, "use_batch": False,
    ...     "requests_per_month": 200_000, "usd_per_1m_input_tokens": 0.15,
    ...     "usd_per_1m_output_tokens": 0.60, "usd_per_1m_cached_input_tokens": 0.075,
    ...     "batch_discount_pct": 50})
    >>> out.data["tokens"]
    {'system': 45, 'examples': 248, 'input': 44, 'output': 1}
    """
    rows = price_rows()
    if price_row != OWN_PRICES and price_row not in rows:
        raise ValueError(f"price_row must be one of the price table's models or "
                         f"{OWN_PRICES!r}, got {price_row!r}")
    if tokens_for not in TOKENIZERS:
        raise ValueError(f"tokens_for must be one of {list(TOKENIZERS)}, got {tokens_for!r}")
    volume = require_nonnegative("requests_per_month", requests_per_month)
    own = {
        "input": require_nonnegative("usd_per_1m_input_tokens", usd_per_1m_input_tokens),
        "output": require_nonnegative("usd_per_1m_output_tokens", usd_per_1m_output_tokens),
        "cached_input": require_nonnegative("usd_per_1m_cached_input_tokens",
                                            usd_per_1m_cached_input_tokens),
        "batch_discount": _discount(batch_discount_pct),
        "ft_input": None, "ft_output": None, "ft_cached_input": None,
        "as_of": "your own", "source": "your own prices",
    }
    model = TOKENIZERS[tokens_for]
    if model is None:
        model = "another provider" if price_row == OWN_PRICES else price_row
    texts = {"system": system_prompt, "examples": examples, "input": input_text,
             "output": output_text}
    for name, text in texts.items():
        if not isinstance(text, str):
            raise TypeError(f"{name} must be text, got {type(text).__name__}")
    counts = {name: _count_or_estimate(text, model) for name, text in texts.items()}
    tokens = {name: c.tokens for name, c in counts.items()}
    whole = _count_or_estimate("".join(texts.values()), model)
    exact = whole.exact

    table = []
    for name, prices in [*rows.items(), (OWN_PRICES, own)]:
        with_ex, note = _request(tokens, True, prices, "", use_cache, use_batch)
        without, _ = _request(tokens, False, prices, "", use_cache, use_batch)
        tuned, _ = _request(tokens, False, prices, "ft_", use_cache, use_batch)
        table.append({"price_row": name, "as_of": prices["as_of"], "with_examples": with_ex,
                      "without_examples": without, "finetuned_without_examples": tuned,
                      "applied": note})
    chosen = next(r for r in table if r["price_row"] == price_row)
    prices = own if price_row == OWN_PRICES else rows[price_row]
    tin_with = tokens["system"] + tokens["examples"] + tokens["input"]
    tin_without = tokens["system"] + tokens["input"]
    how = ("exact, " + whole.method) if exact else \
        f"estimated at {CHARS_PER_TOKEN:g} characters per token"
    where = (f"at {price_row} (prices as of {prices['as_of']})" if price_row != OWN_PRICES
             else "at your own prices")
    usd_with, usd_without = chosen["with_examples"], chosen["without_examples"]
    sentence = (f"Each request is {tin_with:,} input tokens with the examples ({tin_without:,} "
                f"without) and {tokens['output']:,} output ({how}). {where[:1].upper()}"
                f"{where[1:]} it costs {usd_per_request(usd_with)} with the examples and "
                f"{usd_per_request(usd_without)} without: ${usd_with * volume:,.0f} and "
                f"${usd_without * volume:,.0f} a month at {volume:,.0f} requests.")

    workload: dict[str, Any] = {
        "system_prompt_tokens": tokens["system"], "few_shot_tokens": tokens["examples"],
        "input_tokens": tokens["input"], "output_tokens": tokens["output"],
        "finetuned_input_tokens": tin_without,
        "tokens_model": model, "tokens_exact": exact,
    }
    file_prices: dict[str, Any] = {}
    if price_row == OWN_PRICES:
        file_prices.update(usd_per_1m_input_tokens=own["input"],
                           usd_per_1m_output_tokens=own["output"])
        if use_cache:
            file_prices["usd_per_1m_cached_input_tokens"] = own["cached_input"]
        if use_batch and own["batch_discount"]:
            file_prices["batch_discount"] = own["batch_discount"]
    else:
        file_prices["hosted_model"] = price_row
        if use_batch and prices["batch_discount"]:
            file_prices["batch_discount"] = prices["batch_discount"]
    if use_cache and prices["cached_input"] is not None:
        workload["cached_input_tokens"] = tokens["system"] + tokens["examples"]
    file = {
        "workload": workload, "prices": file_prices,
        "prompt": {"system": system_prompt, "examples": examples, "input": input_text,
                   "output": output_text},
        "requests_per_month": volume,
        "sources": {} if price_row == OWN_PRICES else
        {"prices": {"source": f"price table row {price_row} ({prices['source']})",
                    "as_of": prices["as_of"]}},
    }
    data = {"tokens": tokens, "count": whole, "usd_per_request": {"with_examples": usd_with,
            "without_examples": usd_without}, "table": table, "file": file,
            "requests_per_month": volume}
    return Outcome(sentence, data)


def _discount(pct: float) -> float:
    share = require_fraction("batch_discount_pct", require_nonnegative("batch_discount_pct", pct)
                             / 100)
    if share >= 1:
        raise ValueError(f"batch_discount_pct must be below 100, got {pct:g}")
    return float(share)


def _table_html(outcome: Outcome) -> str:
    rows = []
    for r in outcome.data["table"]:
        cells = [html.escape(r["price_row"]), html.escape(r["as_of"])]
        for key in ("with_examples", "without_examples", "finetuned_without_examples"):
            v = r[key]
            cells.append("-" if v is None else f"{usd_per_request(v)} / ${v * 1000:,.2f}")
        cells.append(html.escape(r["applied"]))
        rows.append("<tr>" + "".join(f"<td style='padding:2px 10px 2px 0'>{c}</td>"
                                     for c in cells) + "</tr>")
    head = "".join(f"<th style='text-align:left;padding:2px 10px 2px 0'>{h}</th>" for h in (
        "price row", "as of", "with examples (USD per request / per 1,000)",
        "without examples", "fine-tuned, without examples", "applied"))
    head = f"<tr>{head}</tr>"
    missing = unpriced_models()
    note = ("" if not missing else
            "<p class='ftroi-unpriced'>No per-token price in the price table for "
            f"{html.escape('; '.join(missing))} (their pages could not be read): choose "
            f"&ldquo;{html.escape(OWN_PRICES)}&rdquo; and type them.</p>")
    return ("<table class='ftroi-price-rows' style='border-collapse:collapse;font-size:0.9em'>"
            f"<caption style='text-align:left'>Cost of one request at every price row</caption>"
            f"<thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>{note}")


def unpriced_models() -> list[str]:
    """Provider rows of the price table that hold no per-token price (a page not read).

    >>> any("gpt-4.1" in m for m in unpriced_models())
    True
    """
    from ..prices import load_prices

    table = load_prices()
    rows = table[(table["kind"] == "api") & table["base_usd_per_1m_input_tokens"].isna()
                 & table["source"].astype(str).str.startswith("http")]
    return [str(m) for m in rows["model"]]


class _PromptCalculator(Calculator):
    """The prompt calculator: the sentence, then a table of every price row."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.table_box = widgets.HTML()
        self.table_box.add_class("ftroi-table")
        super().__init__(*args, **kwargs)
        self.children = (*self.children, self.table_box)

    def update(self) -> None:
        super().update()
        self.table_box.value = _table_html(self.outcome) if self.outcome else ""

    def file_extras(self, base: Any) -> dict[str, Any]:
        """Tokens, prices and texts for :meth:`save`, over ``base`` (a ScenarioFile).

        The prompted side's token counts and prices replace the file's; the fine-tuned side's
        prices stay; the per-1,000-request costs that follow from them are recomputed.
        """
        from ..scenario_file import from_dict

        file = self.outcome.data["file"]  # type: ignore[union-attr]
        workload = {k: v for k, v in base.workload.items() if k not in _PROMPT_WORKLOAD}
        workload.update(file["workload"])
        prices = {k: v for k, v in base.prices.items() if k in _FINETUNED_PRICES}
        prices.update(file["prices"])
        probe = from_dict({"workload": workload, "prices": prices})
        cost = {name: getattr(probe.scenario, name) for name in probe.derived}
        cost["requests_per_month"] = file["requests_per_month"]
        return {"workload": workload, "prices": prices, "prompt": file["prompt"],
                "sources": {**base.sources, **file["sources"]}, "cost": cost,
                "derived": frozenset(probe.derived)}

    def controls_from_file(self, sf: Any) -> dict[str, Any]:
        """Control values from a loaded scenario file (texts, price row, volume)."""
        values: dict[str, Any] = {}
        names = {"system": "system_prompt", "examples": "examples", "input": "input_text",
                 "output": "output_text"}
        for key, control in names.items():
            if key in sf.prompt:
                values[control] = sf.prompt[key]
        if "hosted_model" in sf.prices:
            values["price_row"] = sf.prices["hosted_model"]
        elif "usd_per_1m_input_tokens" in sf.prices:
            values["price_row"] = OWN_PRICES
            values["usd_per_1m_input_tokens"] = sf.prices["usd_per_1m_input_tokens"]
            values["usd_per_1m_output_tokens"] = sf.prices.get("usd_per_1m_output_tokens", 0.0)
            if "usd_per_1m_cached_input_tokens" in sf.prices:
                values["usd_per_1m_cached_input_tokens"] = sf.prices[
                    "usd_per_1m_cached_input_tokens"]
        values["use_cache"] = bool(sf.workload.get("cached_input_tokens"))
        values["use_batch"] = bool(sf.prices.get("batch_discount"))
        if values["use_batch"] and values.get("price_row") == OWN_PRICES:
            values["batch_discount_pct"] = sf.prices["batch_discount"] * 100
        return values


#: [workload] keys the prompt calculator writes (and so replaces).
_PROMPT_WORKLOAD = {"system_prompt_tokens", "few_shot_tokens", "input_tokens", "output_tokens",
                    "cached_input_tokens", "finetuned_input_tokens", "tokens_model",
                    "tokens_exact", "requests_per_day"}
#: [prices] keys of the fine-tuned side, which the prompt calculator leaves alone.
_FINETUNED_PRICES = {"finetuned_model", "ft_usd_per_1m_input_tokens",
                     "ft_usd_per_1m_output_tokens", "ft_usd_per_1m_cached_input_tokens"}


def _textarea(description: str, value: str, rows: int) -> widgets.Textarea:
    # the Calculator puts the value in, refusing one that is not text by the control's name
    return _start(widgets.Textarea(value="", description=description, rows=rows,
                                   continuous_update=False, style=_STYLE,
                                   layout=widgets.Layout(width="700px")), value)


def prompt_cost(system_prompt: str = EXAMPLE_PROMPT["system_prompt"],
                examples: str = EXAMPLE_PROMPT["examples"],
                input_text: str = EXAMPLE_PROMPT["input_text"],
                output_text: str = EXAMPLE_PROMPT["output_text"],
                price_row: str = "gpt-4o-mini-2024-07-18",
                requests_per_month: float = 200_000) -> Calculator:
    """Your own prompt's tokens and cost per request, at every price row, as a widget.

    Paste your texts into the four boxes (or pass them here). Defaults: a support-ticket
    classifier with five few-shot examples (the crossover guide's "simple
    classification" task) at the calculator demo's 200,000 requests a month.

    >>> calc = prompt_cost()
    >>> calc.outcome.data["tokens"]["examples"]
    248
    >>> calc.set(requests_per_month=-1)
    >>> calc.error
    'requests_per_month must be >= 0, got -1'
    """
    rows = price_rows()
    options = [(f"{m} (as of {p['as_of']})", m) for m, p in rows.items()]
    options.append((OWN_PRICES + " (the boxes below)", OWN_PRICES))
    controls = {
        "system_prompt": _textarea("System prompt", system_prompt, 3),
        "examples": _textarea("Few-shot examples", examples, 6),
        "input_text": _textarea("Typical input", input_text, 2),
        "output_text": _textarea("Typical output", output_text, 2),
        "tokens_for": widgets.Dropdown(options=list(TOKENIZERS), value=next(iter(TOKENIZERS)),
                                       description="Count tokens for", style=_STYLE,
                                       layout=_LAYOUT),
        "price_row": dropdown("Prices (USD per 1M tokens)", options, price_row),
        "use_cache": widgets.Checkbox(
            value=False, indent=False, style=_STYLE, layout=_LAYOUT,
            description="Cache the repeated prefix (system prompt + examples) at the "
            "cached-input price"),
        "use_batch": widgets.Checkbox(value=False, indent=False, style=_STYLE, layout=_LAYOUT,
                                      description="Send through the batch API (its discount)"),
        "requests_per_month": number_box(field_label("requests_per_month"), requests_per_month),
        "usd_per_1m_input_tokens": number_box("My own price: input (USD per 1M tokens)", 0.15),
        "usd_per_1m_output_tokens": number_box("My own price: output (USD per 1M tokens)", 0.60),
        "usd_per_1m_cached_input_tokens": number_box(
            "My own price: cached input (USD per 1M tokens)", 0.075),
        "batch_discount_pct": number_box("My own batch discount (%)", 50.0),
    }
    return _PromptCalculator("Your prompt: tokens and cost per request at every price",
                             controls, prompt_cost_outcome)
