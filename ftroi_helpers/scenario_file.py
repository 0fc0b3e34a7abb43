"""Scenario files: everything about one decision in one TOML file, to save, share and report on.

A scenario file is the CLI's scenario format (``ftroi tco --scenario my.toml``) grown into
sections. Every section is optional; whatever is left out takes the cost model's defaults
(:class:`~ftroi_helpers.cost_model.Scenario`, the calculator demo's example)::

    title = "Support-ticket labels"
    as_of = "2025-06-01"                 # when these numbers were put together
    caveats = ["Volumes are this year's."]   # anything a reader must know

    [workload]                           # volume and tokens
    requests_per_month = 200000
    system_prompt_tokens = 310           # tokens per request, counted with count_tokens()
    few_shot_tokens = 1450
    input_tokens = 240
    output_tokens = 1000
    cached_input_tokens = 1760           # the repeated prefix the provider's prompt cache serves
    tokens_model = "gpt-4o"              # the tokenizer that counted them

    [prices]                             # per 1,000 requests, or per 1M tokens from which they follow
    hosted_model = "gpt-4o-2024-08-06"   # a row of the price table (fills in per-token prices)
    self_hosted_cost_per_1k_req = 2.0
    hosted_price_decline_per_year = 0.0

    [one_time]                           # USD, paid before the fine-tuned model serves traffic
    data_prep_usd = 250.0
    training_usd = 50.0
    eval_harness_usd = 100.0

    [recurring]                          # USD per month, and how often to retrain
    hosting_usd_per_month = 0.0
    monitoring_usd_per_month = 0.0
    retrain_every_months = 0

    [plan]
    horizon_months = 12

    [ranges]                             # low and high end of each uncertain assumption
    requests_per_month = [100000, 300000]
    hosted_cost_per_1k_req = [7.5, 22.5]

    [uncertainty]                        # the Monte Carlo over those ranges
    n_draws = 10000
    seed = 0
    within_months = 3

    [decision_tree]                      # answers to the fine-tune-or-prompt decision tree
    labeled_examples = 1000
    quality_gap_pct = 8.0
    format_or_style_task = false
    finetune_improves_eval = "unknown"   # "yes", "no" or "unknown" (no eval yet)

    [sources.hosted_cost_per_1k_req]     # where a number comes from, and when it was read
    source = "OpenAI pricing page"
    as_of = "2024-08-20"

    [prompt]                             # optional: the texts the token counts came from
    system = "You are ..."

The flat files the CLI has always read (a table of ``Scenario`` field: value, TOML or JSON)
load unchanged. Any ``Scenario`` field may sit in any of the five cost sections or at the top
level; :func:`save` writes each in its usual section.

**Prices from tokens.** When ``[workload]`` has token counts and ``[prices]`` has per-token
prices (its own, or a ``hosted_model`` / ``finetuned_model`` row of the price table), the cost
per 1,000 requests follows from them with :func:`ftroi_helpers.token_costs.request_cost`: the
prompted request sends ``system_prompt_tokens + few_shot_tokens + input_tokens``, the fine-tuned
one ``finetuned_input_tokens`` (default: the same without the few-shot examples). Give either
the per-1k cost or the tokens and prices for a side, not both.

The maths lives elsewhere: this module reads, checks and writes. Only the standard library and
the cost model (numpy) are imported; the price table (pandas) loads only for a file that names a
price row.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .cost_model import Scenario
from .formatting import DAYS_PER_MONTH
from .scenario import SCENARIO_FIELDS
from .token_costs import cacheable_tokens, request_cost

__all__ = [
    "EVAL_ANSWERS",
    "SECTIONS",
    "ScenarioFile",
    "example_scenario_file",
    "dumps",
    "from_dict",
    "load",
    "loads",
    "save",
    "update",
]

#: The sections of a scenario file, in the order :func:`save` writes them.
SECTIONS = ("workload", "prices", "one_time", "recurring", "plan", "ranges", "uncertainty",
            "decision_tree", "sources", "prompt")

#: Keys that are not cost-model fields, by section: (kind, meaning with units).
_WORKLOAD_KEYS = {
    "requests_per_day": ("number", "requests per day (x 30 = requests_per_month)"),
    "system_prompt_tokens": ("count", "tokens of the system prompt, per request"),
    "few_shot_tokens": ("count", "tokens of the few-shot examples, per request"),
    "input_tokens": ("count", "tokens of a typical input, per request"),
    "output_tokens": ("count", "tokens of a typical output, per request"),
    "cached_input_tokens": ("count", "input tokens per prompted request served from the "
                            "provider's prompt cache"),
    "finetuned_input_tokens": ("count", "input tokens per fine-tuned request (default: system "
                               "prompt + input, no examples)"),
    "finetuned_cached_input_tokens": ("count", "input tokens per fine-tuned request served from "
                                      "the prompt cache"),
    "tokens_model": ("text", "the model whose tokenizer counted the tokens"),
    "tokens_exact": ("bool", "whether the counts are exact (false: an estimate)"),
}
_PRICE_KEYS = {
    "hosted_model": ("text", "price-table row of the prompted (hosted) model"),
    "usd_per_1m_input_tokens": ("number", "hosted model, USD per 1M input tokens"),
    "usd_per_1m_output_tokens": ("number", "hosted model, USD per 1M output tokens"),
    "usd_per_1m_cached_input_tokens": ("number", "hosted model, USD per 1M cached input tokens"),
    "finetuned_model": ("text", "price-table row of the fine-tuned model (billed per token)"),
    "ft_usd_per_1m_input_tokens": ("number", "fine-tuned model, USD per 1M input tokens"),
    "ft_usd_per_1m_output_tokens": ("number", "fine-tuned model, USD per 1M output tokens"),
    "ft_usd_per_1m_cached_input_tokens": ("number", "fine-tuned model, USD per 1M cached input "
                                          "tokens"),
    "batch_discount": ("fraction", "share taken off every per-token price by a batch API "
                       "(0.5 = half price)"),
}
_UNCERTAINTY_KEYS = {
    "n_draws": ("count", "Monte Carlo draws"),
    "seed": ("count", "seed of the random draws (the same seed, the same answer)"),
    "within_months": ("count", "the deadline for payback, months (3 = a quarter)"),
    "distribution": ("text", '"split" (lesson 06\'s: each value the median), "triangular" or '
                             '"uniform"'),
    "spread_pct": ("number", "+/- percent around each value when [ranges] is empty"),
}
_TREE_KEYS = {
    "requests_per_day": ("number", "daily volume for question 1 (default: requests_per_month "
                         "/ 30)"),
    "labeled_examples": ("count", "high-quality labeled examples you have"),
    "quality_gap_pct": ("number", "percentage points prompting falls short of your target"),
    "format_or_style_task": ("bool", "the task is primarily format/style, not reasoning"),
    "finetune_improves_eval": ("answer", '"yes", "no" or "unknown" (no eval yet)'),
}
_PROMPT_KEYS = ("system", "examples", "input", "output")
_TOP_KEYS = {"title", "as_of", "caveats", "format"}

#: The decision tree's question 5, as a file writes it, and the value it means.
EVAL_ANSWERS = {"yes": True, "no": False, "unknown": None}

#: Defaults of the sections that have them.
_UNCERTAINTY_DEFAULTS = {"n_draws": 10_000, "seed": 0, "within_months": 3,
                         "distribution": "split", "spread_pct": 50.0}
_TREE_DEFAULTS = {"labeled_examples": 0, "quality_gap_pct": 0.0, "format_or_style_task": False,
                  "finetune_improves_eval": "unknown"}

FORMAT_VERSION = 1


def _scenario_fields() -> list[str]:
    return [f.name for f in fields(Scenario)]


#: How the file checks each cost-model field's value: a whole number, true/false or a number
#: (the Scenario then checks its range).
_FILE_KIND = {name: "count" if spec.whole else "bool" if spec.kind == "flag" else "number"
              for name, spec in SCENARIO_FIELDS.items()}


def _without_side(prices: Any, name: str) -> dict[str, Any]:
    """``prices`` without the per-token prices that give ``name`` (hosted or fine-tuned)."""
    if name == "hosted_cost_per_1k_req":
        drop = {"hosted_model", "usd_per_1m_input_tokens", "usd_per_1m_output_tokens",
                "usd_per_1m_cached_input_tokens"}
    else:
        drop = {"finetuned_model", "ft_usd_per_1m_input_tokens", "ft_usd_per_1m_output_tokens",
                "ft_usd_per_1m_cached_input_tokens"}
    return {k: v for k, v in prices.items() if k not in drop}


def _section_of(name: str) -> str:
    """The file section of a cost-model field (from the fields' registry)."""
    return SCENARIO_FIELDS[name].section


@dataclass(frozen=True)
class ScenarioFile:
    """One decision: the cost scenario plus workload, prices, ranges, answers, sources, caveats.

    Build one with :func:`load`, :func:`from_dict` or :func:`example_scenario_file`; change it
    with :func:`dataclasses.replace`; write it with :meth:`save`.
    """

    #: The cost model's assumptions (with any per-1k costs already worked out from tokens).
    scenario: Scenario = field(default_factory=Scenario)
    #: A name for the decision.
    title: str = "My decision"
    #: When the numbers were put together (ISO date).
    as_of: str = field(default_factory=lambda: dt.date.today().isoformat())
    #: [workload] keys that are not cost-model fields (tokens, the tokenizer's model...).
    workload: Mapping[str, Any] = field(default_factory=dict)
    #: [prices] keys that are not cost-model fields (price rows, per-token prices, discounts).
    prices: Mapping[str, Any] = field(default_factory=dict)
    #: Low and high end of each uncertain assumption, by cost-model field.
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    #: The Monte Carlo's settings given in the file (n_draws, seed, within_months, distribution,
    #: spread_pct); :meth:`settings` fills in the defaults.
    uncertainty: Mapping[str, Any] = field(default_factory=dict)
    #: Answers to the decision tree's questions given in the file; :meth:`tree_answers` fills in
    #: the defaults.
    decision_tree: Mapping[str, Any] = field(default_factory=dict)
    #: Where each number comes from: name -> {"source": ..., "as_of": ...}.
    sources: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    #: The texts the token counts came from (system, examples, input, output), if kept.
    prompt: Mapping[str, str] = field(default_factory=dict)
    #: Anything a reader must know.
    caveats: tuple[str, ...] = ()
    #: Cost-model fields given in the file (the others are the model's defaults).
    given: frozenset[str] = frozenset()
    #: Cost-model fields worked out from tokens x per-token prices.
    derived: frozenset[str] = frozenset()

    def __repr__(self) -> str:
        """A short readable summary (the whole file: :meth:`to_dict` or :func:`dumps`)."""
        s = self.scenario
        one_time = s.data_prep_usd + s.training_usd + s.eval_harness_usd
        return (f"ScenarioFile {self.title!r} (as of {self.as_of}): "
                f"{s.requests_per_month:,.0f} requests a month; prompting USD "
                f"{s.hosted_cost_per_1k_req:,.2f} per 1,000 requests, the fine-tune USD "
                f"{s.self_hosted_cost_per_1k_req:,.2f} per 1,000 plus USD "
                f"{s.hosting_usd_per_month * s.replicas:,.0f} a month of hosting; one-time USD "
                f"{one_time:,.0f}; " + ", ".join(
                    f"{n} {word}{'' if n == 1 else 's'}" for n, word in
                    ((len(self.ranges), "range"), (len(self.sources), "source"),
                     (len(self.caveats), "caveat"))))

    # -- reading --------------------------------------------------------------------------------
    @property
    def requests_per_day(self) -> float:
        """Daily volume: the decision tree's own answer, else requests_per_month / 30."""
        if "requests_per_day" in self.decision_tree:
            return float(self.decision_tree["requests_per_day"])
        return self.scenario.requests_per_month / DAYS_PER_MONTH

    def tree_answers(self) -> dict[str, Any]:
        """Keyword arguments for :func:`ftroi_helpers.rules_of_thumb.decision_tree`."""
        answers = {**_TREE_DEFAULTS, **self.decision_tree}
        return {
            "requests_per_day": self.requests_per_day,
            "labeled_examples": answers["labeled_examples"],
            "quality_gap_pct": answers["quality_gap_pct"],
            "format_or_style_task": answers["format_or_style_task"],
            "finetune_improves_eval": EVAL_ANSWERS[answers["finetune_improves_eval"]],
        }

    def settings(self) -> dict[str, Any]:
        """The Monte Carlo settings with their defaults filled in."""
        return {**_UNCERTAINTY_DEFAULTS, **self.uncertainty}

    def source_of(self, name: str) -> tuple[str, str]:
        """(source, date) of an assumption; a number with none is "your own figure"."""
        entry = self.sources.get(name)
        if entry is None and name in self.derived:
            entry = self.sources.get("prices") or self.sources.get("workload")
        if entry is None and name in self.decision_tree:
            entry = self.sources.get("decision_tree")
        if entry is None:
            if (name in self.given or name in self.workload or name in self.prices
                    or name in self.decision_tree):
                return ("your own figure (no source given)", self.as_of)
            return ("the workbook's default", self.as_of)
        return (entry.get("source", "no source given"), entry.get("as_of", self.as_of))

    # -- writing --------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The file's content as nested dicts and lists (what :func:`dumps` writes)."""
        out: dict[str, Any] = {"format": FORMAT_VERSION, "title": self.title,
                               "as_of": self.as_of}
        sections: dict[str, dict[str, Any]] = {name: {} for name in SECTIONS}
        for name in _scenario_fields():
            if name in self.given and name not in self.derived:  # derived: written as tokens
                sections[_section_of(name)][name] = getattr(self.scenario, name)
        sections["workload"].update(self.workload)
        sections["prices"].update(self.prices)
        sections["ranges"] = {k: [lo, hi] for k, (lo, hi) in self.ranges.items()}
        sections["uncertainty"] = dict(self.uncertainty)
        sections["decision_tree"] = dict(self.decision_tree)
        sections["sources"] = {k: dict(v) for k, v in self.sources.items()}
        sections["prompt"] = dict(self.prompt)
        if self.caveats:
            out["caveats"] = list(self.caveats)
        for name in SECTIONS:
            if sections[name]:
                out[name] = sections[name]
        return out

    def save(self, path: str | Path) -> Path:
        """Write this decision to ``path`` (``.toml``, or ``.json``); see :func:`save`."""
        return save(self, path)


# -- checking -------------------------------------------------------------------------------------

def _where(origin: str, section: str | None, key: str) -> str:
    """Where a key sits, for messages (the file is named once, by :func:`from_dict`)."""
    return f"[{section}] {key}" if section else key


def _number(origin: str, section: str | None, key: str, value: Any, kind: str) -> Any:
    where = _where(origin, section, key)
    if kind == "text":
        if not isinstance(value, str):
            raise TypeError(f"{where} must be text, got {value!r}")
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise TypeError(f"{where} must be true or false, got {value!r}")
        return value
    if kind == "answer":
        if isinstance(value, bool) or value is None:
            return {True: "yes", False: "no", None: "unknown"}[value]
        if value not in EVAL_ANSWERS:
            raise ValueError(f"{where} must be \"yes\", \"no\" or \"unknown\", got {value!r}")
        return value
    if isinstance(value, (list, tuple, dict)):
        raise TypeError(f"{where} must be a single number, got {value!r}")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{where} must be a number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{where} must be a finite number, got {value!r}")
    if value < 0:
        raise ValueError(f"{where} must be >= 0, got {value:g}")
    if kind == "count":
        if float(value) != int(value):
            raise TypeError(f"{where} must be a whole number, got {value!r}")
        return int(value)
    if kind == "fraction" and value >= 1:
        raise ValueError(f"{where} must be between 0 and 1 (below 1), got {value:g}")
    return float(value)


def _table(origin: str, data: Mapping[str, Any], section: str) -> dict[str, Any]:
    value = data.get(section, {})
    if not isinstance(value, Mapping):
        raise TypeError(f"[{section}] must be a table, got {type(value).__name__}")
    return dict(value)


def _check_keys(origin: str, section: str, table: Mapping[str, Any], known: Any) -> None:
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise ValueError(f"unknown key(s) in [{section}]: {', '.join(unknown)} (known: "
                         f"{', '.join(sorted(known))})")


def _price_row_values(origin: str, key: str, model: str, side: str) -> dict[str, float]:
    """Per-token prices of a price-table row, as [prices] keys (side: "" or "ft_")."""
    from .prices import load_prices

    table = load_prices()
    rows = table[table["model"] == model]
    if rows.empty:
        raise ValueError(f"{_where(origin, 'prices', key)} must be a model of the price table "
                         f"(ftroi prices), got {model!r}")
    row = rows.iloc[0]
    prefix = "base" if side == "" else "ft"
    out: dict[str, float] = {}
    for kind in ("input", "output", "cached_input"):
        column = f"{prefix}_usd_per_1m_{kind}_tokens"
        if column in row.index and row[column] == row[column]:  # present and not NaN
            out[f"{side}usd_per_1m_{kind}_tokens"] = float(row[column])
    for rule in ("cache_min_tokens", "cache_increment_tokens"):  # the prompt cache's rule
        if rule in row.index and row[rule] == row[rule]:
            out[f"{side}{rule}"] = int(row[rule])
    if f"{side}usd_per_1m_input_tokens" not in out:
        raise ValueError(f"{_where(origin, 'prices', key)}: {model!r} has no per-token "
                         f"{'fine-tuned ' if side else ''}prices in the price table")
    return out


def _request_usd(input_tokens: int, output_tokens: int, cached_tokens: int, usd_in: float,
                 usd_out: float, usd_cached: float | None, batch_discount: float,
                 where: str) -> float:
    """USD for one request (:func:`~ftroi_helpers.token_costs.request_cost`), errors named by key."""
    if cached_tokens > input_tokens:
        raise ValueError(f"{where}: cached input tokens ({cached_tokens:,}) cannot exceed the "
                         f"input tokens ({input_tokens:,})")
    if cached_tokens and usd_cached is None:
        raise ValueError(f"{where}: cached input tokens need a cached-input price "
                         "(usd_per_1m_cached_input_tokens)")
    return float(request_cost(input_tokens, output_tokens, usd_in, usd_out,
                              cached_input_tokens=cached_tokens,
                              usd_per_1m_cached_input_tokens=usd_cached,
                              batch_discount=batch_discount))


def _derive_costs(origin: str, cost: dict[str, Any], workload: dict[str, Any],
                  prices: dict[str, Any]) -> set[str]:
    """Fill hosted/self-hosted cost per 1k requests from tokens x prices; return what was."""
    derived: set[str] = set()
    tokens = ("system_prompt_tokens", "few_shot_tokens", "input_tokens")
    have_tokens = any(k in workload for k in tokens) or "output_tokens" in workload
    if not have_tokens:
        return derived
    looked_up = dict(prices)
    if "hosted_model" in prices:
        for k, v in _price_row_values(origin, "hosted_model", prices["hosted_model"], "").items():
            looked_up.setdefault(k, v)
    if "finetuned_model" in prices:
        for k, v in _price_row_values(origin, "finetuned_model", prices["finetuned_model"],
                                      "ft_").items():
            looked_up.setdefault(k, v)
    prompted_in = sum(workload.get(k, 0) for k in tokens)
    output = workload.get("output_tokens", 0)
    tuned_in = workload.get("finetuned_input_tokens",
                            workload.get("system_prompt_tokens", 0) + workload.get("input_tokens", 0))
    batch = looked_up.get("batch_discount", 0.0)
    sides = (
        ("hosted_cost_per_1k_req", "", prompted_in, workload.get("cached_input_tokens", 0)),
        ("self_hosted_cost_per_1k_req", "ft_", tuned_in,
         workload.get("finetuned_cached_input_tokens", 0)),
    )
    for name, side, tin, cached in sides:
        pin = looked_up.get(f"{side}usd_per_1m_input_tokens")
        pout = looked_up.get(f"{side}usd_per_1m_output_tokens")
        if pin is None and pout is None:
            continue
        if pin is None or pout is None:
            missing = f"{side}usd_per_1m_{'input' if pin is None else 'output'}_tokens"
            raise ValueError(f"{_where(origin, 'prices', missing)} is missing: give both the "
                             "input and the output price per 1M tokens")
        if name in cost:
            raise ValueError(
                f"{_where(origin, 'prices', name)} is given and also follows from the tokens and "
                f"per-token prices; give one or the other")
        # the price row's cache rule: a prefix shorter than its minimum is billed in full
        if 0 <= cached <= tin:  # (more cached than input is refused below, by its key)
            cached = int(cacheable_tokens(cached, looked_up.get(f"{side}cache_min_tokens"),
                                          looked_up.get(f"{side}cache_increment_tokens")))
        usd = _request_usd(tin, output, cached, pin, pout,
                           looked_up.get(f"{side}usd_per_1m_cached_input_tokens"), batch,
                           _where(origin, "workload", "cached_input_tokens" if not side
                                  else "finetuned_cached_input_tokens"))
        cost[name] = usd * 1000
        derived.add(name)
    return derived


def from_dict(data: Mapping[str, Any], origin: str = "") -> ScenarioFile:
    """Check a scenario file's content (nested dicts) and build a :class:`ScenarioFile`.

    Parameters
    ----------
    data : mapping
        What a TOML or JSON scenario file holds: sections as tables, or the old flat table of
        cost-model fields.
    origin : str
        Where it came from (a file name), for error messages.

    Returns
    -------
    ScenarioFile

    Raises
    ------
    ValueError, TypeError
        For an unknown section or key, a value of the wrong kind or outside its domain, or a
        cost given both directly and by tokens x prices; the message names the section and key.

    Examples
    --------
    >>> sf = from_dict({"workload": {"requests_per_month": 30_000}, "one_time": {"training_usd": 75}})
    >>> sf.scenario.requests_per_month, sf.scenario.training_usd
    (30000.0, 75.0)
    >>> from_dict({"hosted_cost_per_1k_req": 3}).scenario.hosted_cost_per_1k_req  # a flat file
    3.0
    >>> from_dict({"workload": {"requests_per_month": -1}})
    Traceback (most recent call last):
    ...
    ValueError: [workload] requests_per_month must be >= 0, got -1
    """
    try:
        return _from_dict(data, origin)
    except (TypeError, ValueError) as exc:
        if origin and origin not in str(exc):
            raise type(exc)(f"{exc} (in {origin})") from None
        raise


def _from_dict(data: Mapping[str, Any], origin: str = "") -> ScenarioFile:
    """:func:`from_dict` without the file's name in its messages: each section read and
    checked by its own reader."""
    if not isinstance(data, Mapping):
        raise TypeError(f"a scenario must hold a table of field: value, got a "
                        f"{type(data).__name__}")
    cost, given_in, workload, prices = _read_cost(origin, data)
    derived = _derive_costs(origin, cost, workload, prices)
    scenario = Scenario(**cost)
    prompt = _table(origin, data, "prompt")
    _check_keys(origin, "prompt", prompt, _PROMPT_KEYS)
    prompt = {k: _number(origin, "prompt", k, v, "text") for k, v in prompt.items()}
    title, as_of, caveats = _read_top(origin, data)
    return ScenarioFile(
        scenario=scenario, title=title, as_of=as_of, workload=workload, prices=prices,
        ranges=_read_ranges(origin, data),
        uncertainty=_read_uncertainty(origin, data, scenario.horizon_months),
        decision_tree=_read_tree(origin, data), sources=_read_sources(origin, data),
        prompt=prompt, caveats=tuple(caveats), given=frozenset(given_in), derived=frozenset(derived),
    )


def _read_cost(origin: str, data: Mapping[str, Any]
               ) -> tuple[dict[str, Any], dict[str, str], dict[str, Any], dict[str, Any]]:
    """The cost model's fields (where each was given), and [workload] and [prices]' other keys."""
    scenario_names = _scenario_fields()
    cost: dict[str, Any] = {}
    given_in: dict[str, str] = {}

    def take(section: str | None, key: str, value: Any) -> None:
        if key in cost:
            raise ValueError(f"{key} is given twice (in {given_in[key]} and "
                             f"{_where('', section, '') or 'the top level'})")
        cost[key] = _number(origin, section, key, value, _FILE_KIND[key])
        given_in[key] = f"[{section}]" if section else "the top level"

    unknown_top = set(data) - set(SECTIONS) - _TOP_KEYS - set(scenario_names)
    if unknown_top:
        raise ValueError(
            f"unknown scenario field(s) in {origin or 'the scenario'}: "
            f"{', '.join(sorted(unknown_top))} (known: {', '.join(scenario_names)}; "
            f"sections: {', '.join(SECTIONS)})")
    for key in scenario_names:  # the old flat format
        if key in data:
            take(None, key, data[key])
    extras: dict[str, dict[str, Any]] = {}
    for section, known in (("workload", _WORKLOAD_KEYS), ("prices", _PRICE_KEYS)):
        table = _table(origin, data, section)
        _check_keys(origin, section, table, set(known) | set(scenario_names))
        extras[section] = {}
        for key, value in table.items():
            if key in scenario_names:
                take(section, key, value)
            else:
                extras[section][key] = _number(origin, section, key, value, known[key][0])
    for section in ("one_time", "recurring", "plan"):
        table = _table(origin, data, section)
        _check_keys(origin, section, table, scenario_names)
        for key, value in table.items():
            take(section, key, value)

    workload, prices = extras["workload"], extras["prices"]
    if "requests_per_day" in workload:
        if "requests_per_month" in cost:
            raise ValueError(f"{_where(origin, 'workload', 'requests_per_day')}: give "
                             "requests_per_month or requests_per_day, not both")
        cost["requests_per_month"] = workload.pop("requests_per_day") * DAYS_PER_MONTH
        given_in["requests_per_month"] = "[workload]"
    return cost, given_in, workload, prices


def _read_ranges(origin: str, data: Mapping[str, Any]) -> dict[str, tuple[float, float]]:
    """[ranges]: field -> (low, high), checked as the sensitivity analysis checks them."""
    scenario_names = _scenario_fields()
    ranges_table = _table(origin, data, "ranges")
    _check_keys(origin, "ranges", ranges_table, [n for n in scenario_names if n != "horizon_months"])
    ranges: dict[str, tuple[float, float]] = {}
    for key, pair in ranges_table.items():
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise TypeError(f"{_where(origin, 'ranges', key)} must be [low, high], got {pair!r}")
        low = _number(origin, "ranges", key, pair[0], "number")
        high = _number(origin, "ranges", key, pair[1], "number")
        if low > high:
            raise ValueError(f"{_where(origin, 'ranges', key)} must be [low, high] with low <= "
                             f"high, got [{low:g}, {high:g}]")
        ranges[key] = (low, high)
    if ranges:
        from .sensitivity import _check_ranges

        try:
            _check_ranges(ranges)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"[ranges]: {exc}") from None

    return ranges


def _read_uncertainty(origin: str, data: Mapping[str, Any], horizon_months: int
                      ) -> dict[str, Any]:
    """[uncertainty]: the Monte Carlo's settings given in the file (defaults not filled in)."""
    uncertainty = _table(origin, data, "uncertainty")
    _check_keys(origin, "uncertainty", uncertainty, _UNCERTAINTY_KEYS)
    uncertainty = {k: _number(origin, "uncertainty", k, v, _UNCERTAINTY_KEYS[k][0])
                   for k, v in uncertainty.items()}
    settings = {**_UNCERTAINTY_DEFAULTS, **uncertainty}
    if settings["distribution"] not in ("split", "triangular", "uniform"):
        raise ValueError(f"{_where(origin, 'uncertainty', 'distribution')} must be \"split\", "
                         f"\"triangular\" or \"uniform\", got {uncertainty['distribution']!r}")
    for key, low in (("n_draws", 1), ("within_months", 1)):
        if key in uncertainty and uncertainty[key] < low:
            raise ValueError(f"{_where(origin, 'uncertainty', key)} must be >= {low}, got "
                             f"{uncertainty[key]}")
    if settings["within_months"] > horizon_months:
        raise ValueError(f"{_where(origin, 'uncertainty', 'within_months')} must be at most "
                         f"horizon_months ({horizon_months}), got "
                         f"{settings['within_months']}")
    if settings["spread_pct"] > 100:
        raise ValueError(f"{_where(origin, 'uncertainty', 'spread_pct')} must be between 0 and "
                         f"100, got {uncertainty['spread_pct']:g}")

    return uncertainty


def _read_tree(origin: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """[decision_tree]: the answers given."""
    tree = _table(origin, data, "decision_tree")
    _check_keys(origin, "decision_tree", tree, _TREE_KEYS)
    tree = {k: _number(origin, "decision_tree", k, v, _TREE_KEYS[k][0]) for k, v in tree.items()}
    if tree.get("quality_gap_pct", 0) > 100:
        raise ValueError(f"{_where(origin, 'decision_tree', 'quality_gap_pct')} must be between "
                         f"0 and 100, got {tree['quality_gap_pct']:g}")

    return tree


def _read_sources(origin: str, data: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """[sources]: field -> {source, as_of} (a plain text is the source)."""
    sources_table = _table(origin, data, "sources")
    sources: dict[str, dict[str, str]] = {}
    for key, entry in sources_table.items():
        if isinstance(entry, str):
            entry = {"source": entry}
        if not isinstance(entry, Mapping):
            raise TypeError(f"{_where(origin, 'sources', key)} must be a table with source and "
                            f"as_of, got {entry!r}")
        _check_keys(origin, f"sources.{key}", entry, ("source", "as_of"))
        sources[key] = {k: _number(origin, f"sources.{key}", k, v, "text")
                        for k, v in entry.items()}
        if "as_of" in sources[key]:
            _iso_date(origin, f"sources.{key}", sources[key]["as_of"])

    return sources


def _read_top(origin: str, data: Mapping[str, Any]) -> tuple[str, str, list[str]]:
    """The top-level title, as_of and caveats; the format version is checked."""
    title = data.get("title", "My decision")
    if not isinstance(title, str):
        raise TypeError(f"{_where(origin, None, 'title')} must be text, got {title!r}")
    as_of = data.get("as_of", dt.date.today().isoformat())
    if isinstance(as_of, dt.date):  # TOML has a date type
        as_of = as_of.isoformat()
    _iso_date(origin, None, as_of)
    caveats = data.get("caveats", [])
    if isinstance(caveats, str):
        caveats = [caveats]
    if not isinstance(caveats, list) or not all(isinstance(c, str) for c in caveats):
        raise TypeError(f"{_where(origin, None, 'caveats')} must be a list of texts, got "
                        f"{caveats!r}")
    version = data.get("format", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        raise ValueError(f"{_where(origin, None, 'format')} must be {FORMAT_VERSION} (this "
                         f"version of ftroi), got {version!r}")
    return title, as_of, caveats


def _iso_date(origin: str, section: str | None, value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if value == "undated" and section is not None:  # a source that gives no date says so
        return value
    try:
        dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"{_where(origin, section, 'as_of')} must be a date like 2025-06-01, "
                         f"got {value!r}") from None
    return value


# -- files ----------------------------------------------------------------------------------------

def _toml_loads(text: str) -> dict[str, Any]:
    try:
        import tomllib
    except ImportError:  # pragma: no cover - Python 3.10
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ImportError:
            raise ValueError("TOML scenario files need Python 3.11 or later (or the tomli "
                             "package); use JSON") from None
    return tomllib.loads(text)


def loads(text: str, kind: str = "toml", origin: str = "") -> ScenarioFile:
    """Read a scenario from the text of a TOML (or JSON) file.

    Parameters
    ----------
    text : str
        The file's text.
    kind : {"toml", "json"}
        Its format.
    origin : str
        A name for error messages.

    Returns
    -------
    ScenarioFile

    Raises
    ------
    ValueError, TypeError
        For text that is not valid TOML/JSON, or content :func:`from_dict` refuses.

    Examples
    --------
    >>> loads('[workload]\\nrequests_per_month = 30000\\n').scenario.requests_per_month
    30000.0
    >>> loads('[workload\\n')
    Traceback (most recent call last):
    ...
    ValueError: the scenario is not valid TOML: Expected ']' at the end of a table declaration (at line 1, column 10)
    """
    if kind not in ("toml", "json"):
        raise ValueError(f"kind must be 'toml' or 'json', got {kind!r}")
    try:
        data = json.loads(text) if kind == "json" else _toml_loads(text)
    except ValueError as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ValueError(f"{origin or 'the scenario'} is not valid {kind.upper()}: "
                         f"{detail}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{origin or 'the scenario'} must hold a table of field: value, got a "
                         f"{type(data).__name__} (see ftroi_helpers.scenario_file for the "
                         "sectioned format)")
    return from_dict(data, origin)


def _kind(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in (".toml", ".json"):
        raise ValueError(f"scenario file must end in .json or .toml, got {str(path)!r}")
    return suffix[1:]


def load(path: str | Path) -> ScenarioFile:
    """Read a scenario file (``.toml``, or ``.json``): the sectioned format or the old flat one.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    ScenarioFile

    Raises
    ------
    ValueError, TypeError
        For a missing or unreadable file, a wrong suffix, invalid TOML/JSON, or content that
        :func:`from_dict` refuses; every message names the file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "my.toml"
    >>> _ = example_scenario_file().save(path)
    >>> load(path).scenario.requests_per_month
    200000.0
    """
    kind = _kind(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ValueError(f"cannot read scenario file {str(path)!r}: "
                         f"{exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"scenario file {str(path)!r} is not valid {kind.upper()}: it is not "
                         "UTF-8 text") from None
    return loads(text, kind, origin=repr(str(path)))


# -- writing TOML (the standard library reads it; tomlkit writes it, comments included) ----------

def _toml_item(value: Any) -> Any:
    """``value`` as tomlkit writes it: a prompt as a multi-line literal string, a source as an
    inline table; a value TOML cannot hold is refused."""
    import tomlkit

    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"cannot write {value!r} to a scenario file")
    if isinstance(value, str) and "\n" in value:
        try:
            return tomlkit.string("\n" + value, literal=True, multiline=True)
        except ValueError:  # three quotes or a control character inside: a basic string
            return tomlkit.string(value)
    if isinstance(value, Mapping):
        table = tomlkit.inline_table()
        table.update({k: _toml_item(v) for k, v in value.items()})
        return table
    if isinstance(value, (list, tuple)):
        return [_toml_item(v) for v in value]
    if value is None or not isinstance(value, (bool, int, float, str)):
        raise TypeError(f"cannot write a {type(value).__name__} to a scenario file")
    return value


_SECTION_NOTES = {
    "workload": "volume and tokens per request",
    "prices": "USD per 1,000 requests, or per 1M tokens (the per-1k costs then follow)",
    "one_time": "USD, paid once at the start",
    "recurring": "USD per month, and how often to retrain (months; 0 = never)",
    "plan": "months",
    "ranges": "low and high end of each uncertain assumption, in its own units",
    "uncertainty": "the Monte Carlo over those ranges",
    "decision_tree": "answers to the fine-tune-or-prompt decision tree",
    "sources": "where each number comes from, and when it was read",
    "prompt": "the texts the token counts came from",
}


def dumps(scenario_file: ScenarioFile) -> str:
    """The TOML text of a scenario file (what :func:`save` writes).

    Parameters
    ----------
    scenario_file : ScenarioFile

    Returns
    -------
    str
        TOML that :func:`loads` reads back to an equal :class:`ScenarioFile`.

    Raises
    ------
    TypeError
        If ``scenario_file`` is not a :class:`ScenarioFile`.

    Examples
    --------
    >>> text = dumps(example_scenario_file())
    >>> "[one_time]" in text and loads(text) == example_scenario_file()
    True
    """
    if not isinstance(scenario_file, ScenarioFile):
        raise TypeError(f"scenario_file must be a ScenarioFile, got "
                        f"{type(scenario_file).__name__}")
    import tomlkit

    data = scenario_file.to_dict()
    doc = tomlkit.document()
    for line in ("ftroi scenario file: one fine-tune-or-prompt decision. Money in USD.",
                 "Read it with ftroi_helpers.scenario_file.load(); report on it with",
                 "    ftroi report THIS_FILE -o decision.html"):
        doc.add(tomlkit.comment(line))
    doc.add(tomlkit.nl())
    for key in ("format", "title", "as_of", "caveats"):
        if key in data:
            doc[key] = _toml_item(data[key])
    for section in SECTIONS:
        defaults = _defaults_in(scenario_file, section)
        if section not in data and not defaults:
            continue
        table = tomlkit.table()
        table.comment(_SECTION_NOTES[section])
        for key, value in data.get(section, {}).items():
            table[key] = _toml_item(value)
        for name in defaults:
            value = tomlkit.item(getattr(scenario_file.scenario, name)).as_string()
            table.add(tomlkit.comment(f"{name} = {value}  (the cost model's default)"))
        doc[section] = table
    return tomlkit.dumps(doc)


def _defaults_in(scenario_file: ScenarioFile, section: str) -> list[str]:
    """Cost-model fields of ``section`` left at their defaults (written as comments)."""
    return [name for name in _scenario_fields()
            if _section_of(name) == section and name not in scenario_file.given
            and name not in scenario_file.derived]


def save(scenario_file: ScenarioFile, path: str | Path) -> Path:
    """Write a scenario file: TOML for ``.toml``, JSON for ``.json``.

    Parameters
    ----------
    scenario_file : ScenarioFile
        The decision to write.
    path : str or Path
        Where; the suffix picks the format.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    ValueError, TypeError
        For a wrong suffix, an unwritable path, or something that is not a ScenarioFile.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = save(example_scenario_file(), pathlib.Path(tempfile.mkdtemp()) / "my.toml")
    >>> path.name
    'my.toml'
    """
    kind = _kind(path)
    if kind == "toml":
        text = dumps(scenario_file)
    else:
        if not isinstance(scenario_file, ScenarioFile):
            raise TypeError(f"scenario_file must be a ScenarioFile, got "
                            f"{type(scenario_file).__name__}")
        text = json.dumps(scenario_file.to_dict(), indent=2, ensure_ascii=False) + "\n"
    target = Path(path)
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"cannot write scenario file {str(path)!r}: "
                         f"{exc.strerror or exc}") from None
    return target


def update(path: str | Path, **changes: Any) -> ScenarioFile:
    """Change some numbers in a scenario file (creating it if need be) and save it.

    Parameters
    ----------
    path : str or Path
        A ``.toml`` or ``.json`` scenario file; a new one starts from the cost model's defaults.
    **changes
        Cost-model fields (``training_usd=75``, ``engineering_usd_per_month=2000``...), and
        ``title``, ``as_of``, ``caveats`` (a list of texts), and ``workload``, ``prices``,
        ``ranges`` (field: [low, high]), ``uncertainty``, ``decision_tree`` and ``sources``
        (tables whose entries are added to the file's, or replace them by name). Per-token
        prices for a side (``prices={"finetuned_model": ...}``) replace that side's cost per
        1,000 requests, which then follows from the tokens.

    Returns
    -------
    ScenarioFile
        What the file now holds.

    Raises
    ------
    ValueError, TypeError
        For an unknown name or a bad value (nothing is written then), or a file that cannot be
        read or written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "my.toml"
    >>> sf = update(path, training_usd=75, sources={"training_usd": {"source": "my quote"}})
    >>> sf.scenario.training_usd, load(path).source_of("training_usd")[0]
    (75.0, 'my quote')
    >>> update(path, training_usd=-1)
    Traceback (most recent call last):
    ...
    ValueError: [one_time] training_usd must be >= 0, got -1
    """
    target = Path(path)
    data = load(target).to_dict() if target.exists() else {}
    sections = {"workload", "prices", "ranges", "uncertainty", "decision_tree", "sources"}
    # per-token prices for a side make its cost per 1,000 requests follow from them
    sides = {"hosted_cost_per_1k_req": {"hosted_model", "usd_per_1m_input_tokens",
                                        "usd_per_1m_output_tokens"},
             "self_hosted_cost_per_1k_req": {"finetuned_model", "ft_usd_per_1m_input_tokens",
                                             "ft_usd_per_1m_output_tokens"}}
    for name, keys in sides.items():
        if keys & set(changes.get("prices", {})) and name not in changes:
            for section in data.values():
                if isinstance(section, dict):
                    section.pop(name, None)
    names = set(_scenario_fields())
    for key, value in changes.items():
        if key in names:
            section = _section_of(key)
            derived = from_dict(data).derived if data else frozenset()
            if key in derived:  # given directly now: that side's per-token prices go
                data["prices"] = _without_side(data.get("prices", {}), key)
            data.setdefault(section, {})[key] = value
        elif key in sections:
            if not isinstance(value, Mapping):
                raise TypeError(f"{key} must be a table (a dict), got {value!r}")
            data[key] = {**data.get(key, {}), **value}
        elif key in ("title", "as_of", "caveats"):
            data[key] = value
        else:
            raise TypeError(f"update() got an unknown name {key!r}: give cost-model fields "
                            f"({', '.join(sorted(names))}) or title, as_of, caveats, "
                            f"{', '.join(sorted(sections))}")
    sf = from_dict(data)
    sf.save(target)
    return sf


# -- the worked example ---------------------------------------------------------------------------

def example_scenario_file() -> ScenarioFile:
    """The calculator demo's example as a scenario file, with its sources.

    200,000 requests a month on a hosted model at USD 15 per 1,000 requests, a self-hosted
    fine-tuned small model at USD 2 per 1,000 and a USD 400 one-time project (the demo's
    numbers); the ranges of :data:`ftroi_helpers.sensitivity.DEFAULT_RANGES`, each widened to
    take in the example's own value; decision-tree
    answers that stop at question 5 (no eval yet).

    Returns
    -------
    ScenarioFile

    Raises
    ------
    RuntimeError
        Never in practice (the example is checked like any file).

    Examples
    --------
    >>> sf = example_scenario_file()
    >>> sf.scenario.hosted_cost_per_1k_req, sf.scenario.one_time_usd
    (15.0, 400.0)
    >>> sf.source_of("hosted_cost_per_1k_req")[0]
    'the calculator demo'
    """
    from .sensitivity import DEFAULT_RANGES

    base = Scenario()  # the demo's numbers are the cost model's defaults
    demo = {"source": "the calculator demo", "as_of": "undated"}
    data = {
        "title": "The calculator demo: 200k requests a month",
        "as_of": "2026-05-25",
        "workload": {"requests_per_month": 200_000.0},
        "prices": {"hosted_cost_per_1k_req": 15.0, "self_hosted_cost_per_1k_req": 2.0},
        "one_time": {"data_prep_usd": 250.0, "training_usd": 50.0, "eval_harness_usd": 100.0},
        # the workbook's default ranges, each widened to take in the example's own value
        "ranges": {k: [min(lo, getattr(base, k)), max(hi, getattr(base, k))]
                   for k, (lo, hi) in DEFAULT_RANGES.items()},
        "uncertainty": {"n_draws": 10_000, "seed": 0, "within_months": 3},
        "decision_tree": {"labeled_examples": 1_000, "quality_gap_pct": 8.0,
                          "format_or_style_task": False, "finetune_improves_eval": "unknown"},
        "sources": {
            "requests_per_month": demo,
            "hosted_cost_per_1k_req": demo,
            "self_hosted_cost_per_1k_req": demo,
            "data_prep_usd": {"source": "the calculator demo's USD 400 one-time "
                              "cost, split by the workbook", "as_of": "undated"},
            "training_usd": {"source": "the calculator demo's USD 400 one-time "
                             "cost, split by the workbook", "as_of": "undated"},
            "eval_harness_usd": {"source": "the calculator demo's USD 400 one-time "
                                 "cost, split by the workbook", "as_of": "undated"},
            "ranges": {"source": "the workbook's default ranges (ftroi_helpers.sensitivity), "
                       "widened to take in the example's own values", "as_of": "2026-05-25"},
            "decision_tree": {"source": "the workbook's example answers", "as_of": "2026-05-25"},
        },
        "caveats": ["The USD 2 per 1,000 requests for the self-hosted model is the demo's "
                    "figure: on a GPU billed by the hour it holds only at high utilisation."],
    }
    return from_dict(data, "the example")

