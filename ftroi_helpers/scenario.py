"""The assumptions of a total-cost-of-ownership comparison, and the one registry of their facts.

Each :class:`Scenario` field is declared once, with its facts in
``dataclasses.field(metadata=...)``: a plain label with units, the unit, a kind (``money``,
``count``, ``fraction``, ``months`` or ``flag``), the section of a scenario file it belongs in, the
command line's metavar and help, its valid range and the source of its default.
:data:`SCENARIO_FIELDS` collects them as :class:`FieldSpec` records, and everything else derives
from it: the command line's ``tco`` flags, the scenario file's sections and checks, the
calculators' and sensitivity tables' labels, the report's formats and the checks below. Adding a field is one edit here (plus its use in the model and its tests).

>>> SCENARIO_FIELDS["replicas"].kind, SCENARIO_FIELDS["replicas"].minimum
('count', 1)
>>> SCENARIO_FIELDS["hosted_price_decline_per_year"].section
'prices'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, fields
from types import MappingProxyType
from typing import Any

import numpy as np

from .token_costs import request_cost
from .validation import (
    MAX_HORIZON_MONTHS,
    Number,
    as_number,
    finite_result,
    require_bool,
    require_fraction,
    require_int,
    require_nonnegative,
    short_repr,
)

__all__ = ["KINDS", "SCENARIO_FIELDS", "FieldSpec", "Scenario"]

#: The kinds of field, and what each holds.
KINDS = {
    "money": "USD (an amount, a price or a monthly bill), >= 0",
    "count": "a count of things (requests, replicas), >= its minimum",
    "fraction": "a share from 0 to below 1",
    "months": "a whole number of months, or a month",
    "flag": "True or False: a policy that is on or off",
}


@dataclass(frozen=True)
class FieldSpec:
    """The facts about one :class:`Scenario` field, declared once beside it."""

    #: Plain-language label with units, for tables and charts.
    label: str
    #: The unit ("USD", "USD per month", "months", "share per year", ...; "" for a flag).
    unit: str
    #: One of :data:`KINDS`.
    kind: str
    #: The scenario file's section that holds it.
    section: str
    #: The command line's placeholder for its value (``--flag METAVAR``).
    metavar: str
    #: One line for ``--help`` and the docs, with units.
    help: str
    #: Where the default comes from.
    source: str
    #: The smallest valid value.
    minimum: float = 0
    #: The largest valid value (None: no limit but a float's; fractions stay below 1).
    maximum: int | None = None
    #: Whether it holds whole numbers (months and replicas).
    whole: bool = False

    def stored(self, value: Any) -> Any:
        """``value`` as a Scenario stores it: bool, int or float."""
        if self.kind == "flag":
            return bool(value)
        return int(value) if self.whole else float(value)


def _field(default: Any, **spec: Any) -> Any:
    """A dataclass field whose facts sit in its metadata (a whole number for months)."""
    if spec["kind"] not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {spec['kind']!r}")
    spec.setdefault("whole", spec["kind"] == "months")
    return dataclasses.field(default=default, metadata={"spec": FieldSpec(**spec)})


@dataclass(frozen=True)
class Scenario:
    """Assumptions for one prompting-versus-fine-tuning comparison. Money in USD.

    The defaults are the calculator demo's example: 200,000 requests a month on a hosted model at
    $15 per 1,000 requests, a self-hosted fine-tuned small model at $2 per 1,000, and a $400
    one-time project (split here into data, training and evaluation; the split is ours, the total is
    the source's). No hosting fee, engineering time, launch delay, second replica, monitoring,
    retraining or price change until you add them.

    >>> s = Scenario()
    >>> s.one_time_usd
    400.0
    >>> dataclasses.replace(s, retrain_every_months=3).retrain_every_months
    3
    """

    requests_per_month: float = _field(
        200_000.0, kind="count", label="requests per month", unit="requests per month",
        section="workload", metavar="N", source="the calculator demo: 200k requests a month",
        help="requests served per month (requests/month)")
    hosted_cost_per_1k_req: float = _field(
        15.0, kind="money", label="hosted API price (USD per 1,000 requests)",
        unit="USD per 1,000 requests", section="prices", metavar="USD",
        source="the calculator demo: USD 15 per 1,000 requests",
        help="prompting the hosted model, USD per 1,000 requests")
    self_hosted_cost_per_1k_req: float = _field(
        2.0, kind="money", label="fine-tuned model inference (USD per 1,000 requests)",
        unit="USD per 1,000 requests", section="prices", metavar="USD",
        source="the calculator demo: USD 2 per 1,000 requests",
        help="the fine-tuned model's inference, USD per 1,000 requests")
    data_prep_usd: float = _field(
        250.0, kind="money", label="data preparation (USD, one-time)", unit="USD",
        section="one_time", metavar="USD",
        source="the workbook's split of the calculator demo's USD 400 project",
        help="one-time data collection, cleaning and labelling, USD")
    training_usd: float = _field(
        50.0, kind="money", label="training run (USD)", unit="USD", section="one_time",
        metavar="USD", source="the workbook's split of the calculator demo's USD 400 project",
        help="one training run, USD (paid again at each retraining)")
    eval_harness_usd: float = _field(
        100.0, kind="money", label="evaluation harness (USD, re-run at each retraining)",
        unit="USD", section="one_time", metavar="USD",
        source="the workbook's split of the calculator demo's USD 400 project",
        help="building the evaluation harness, USD (paid again, as re-evaluation, at each "
        "retraining)")
    serving_build_usd: float = _field(
        0.0, kind="money", label="serving stack build (USD, one-time)", unit="USD",
        section="one_time", metavar="USD", source="none until you add it",
        help="one-time build of the fine-tuned model's serving stack (inference server, "
        "autoscaling, health checks, deploy pipeline), USD; not paid again at retraining")
    hosting_usd_per_month: float = _field(
        0.0, kind="money", label="hosting fee per replica: GPU or deployment (USD per month)",
        unit="USD per month", section="recurring", metavar="USD", source="none until you add it",
        help="fixed hosting of one replica of the fine-tuned model (GPU or deployment fee), "
        "USD per month")
    replicas: int = _field(
        1, kind="count", whole=True, minimum=1, label="replicas (each pays the hosting fee)",
        unit="replicas", section="recurring", metavar="N", source="one until you add more",
        help="replicas of the fine-tuned deployment, each paying the hosting fee (whole number "
        ">= 1); 2 survives one failure")
    monitoring_usd_per_month: float = _field(
        0.0, kind="money", label="monitoring (USD per month)", unit="USD per month",
        section="recurring", metavar="USD", source="none until you add it",
        help="monitoring the fine-tuned model, USD per month")
    engineering_usd_per_month: float = _field(
        0.0, kind="money", label="engineering time (USD per month)", unit="USD per month",
        section="recurring", metavar="USD", source="none until you add it",
        help="people's time to run the fine-tuned system (on-call, upgrades), USD per month")
    launch_delay_months: int = _field(
        0, kind="months", label="months before launch (hosted API until then)",
        unit="months", section="plan", metavar="MONTHS", source="none until you add it",
        help="whole months before the fine-tuned model serves traffic; until then the hosted "
        "API serves it all (months)")
    retrain_every_months: int = _field(
        0, kind="months", label="retrain every N months (0 = never)",
        unit="months", section="recurring", metavar="MONTHS", source="none until you add it",
        help="retrain every N months after launch, 0 = never (months)")
    hosted_price_decline_per_year: float = _field(
        0.0, kind="fraction", label="hosted price decline (share per year)",
        unit="share per year", section="prices", metavar="FRACTION", source="none until you add it",
        help="yearly fall in the hosted price, fraction 0 to below 1 (0.5 = halves each year)")
    finetune_price_decline_per_year: float = _field(
        0.0, kind="fraction", label="fine-tuning price decline (share per year)",
        unit="share per year", section="prices", metavar="FRACTION", source="none until you add it",
        help="yearly fall in fine-tuning's inference and training prices, fraction 0 to below 1")
    hosting_price_decline_per_year: float = _field(
        0.0, kind="fraction", label="GPU price decline (share per year)", unit="share per year",
        section="prices", metavar="FRACTION", source="none until you add it",
        help="yearly fall in the fixed hosting fee (GPU-hour prices), fraction 0 to below 1")
    model_switch_month: int = _field(
        0, kind="months", label="month of the switch to a cheaper model (0 = none)", unit="month",
        section="prices", metavar="MONTH", source="none until you add it",
        help="month in which both sides move to a cheaper model: prompting pays a "
        "re-evaluation, fine-tuning a retraining (0 = no switch, else >= 2)")
    model_switch_price_cut: float = _field(
        0.0, kind="fraction", label="price cut at the switch (share)", unit="share",
        section="prices", metavar="FRACTION", source="none until you add it",
        help="share cut from both per-request prices at the switch, 0 to below 1")
    horizon_months: int = _field(
        12, kind="months", maximum=MAX_HORIZON_MONTHS, minimum=1, label="horizon (months)",
        unit="months", section="plan", metavar="MONTHS", source="the workbook's: one year",
        help="months to compare over (months)")
    stop_finetune_when_hosted_cheaper: bool = _field(
        False, kind="flag", label="stop the GPUs once the hosted bill is lower", unit="",
        section="plan", metavar="", source="off until you turn it on: the workbook's policy",
        help="from the first month after launch in which the hosted bill is below the "
        "fine-tuned model's running cost, stop its GPUs and pay the hosted price (the "
        "one-time costs stay sunk; no restart)")
    per_request_on_top_of_hosting: bool = _field(
        False, kind="flag", label="a per-request cost on top of the GPUs", unit="",
        section="recurring", metavar="", source="off: the GPUs' fee pays for serving",
        help="the fine-tuned model pays self_hosted_cost_per_1k_req on top of its hosting fee "
        "because that part is something else (egress, a gateway); without it a scenario "
        "served by GPUs (hosting fee > 0) must have no per-request serving price")

    def __post_init__(self) -> None:
        checked = _validate_fields({f.name: getattr(self, f.name) for f in fields(self)},
                                   scalar=True)
        # Store plain Python numbers (ints for whole months), whatever the caller passed.
        for name, value in checked.items():
            object.__setattr__(self, name, SCENARIO_FIELDS[name].stored(value))

    @property
    def one_time_usd(self) -> float:
        """Data preparation + training + evaluation harness + serving stack, paid at the start."""
        return float(self.data_prep_usd + self.training_usd + self.eval_harness_usd
                     + self.serving_build_usd)

    @property
    def prompting_usd_per_month(self) -> float:
        """The hosted bill in month 1, before any price change."""
        return float(self.requests_per_month / 1000 * self.hosted_cost_per_1k_req)

    @property
    def finetune_usd_per_month(self) -> float:
        """Fine-tuning's running cost per month once launched, before any price change.

        Per-request inference + hosting fee x replicas + monitoring + engineering.
        """
        return float(self.requests_per_month / 1000 * self.self_hosted_cost_per_1k_req
                     + self.hosting_usd_per_month * self.replicas
                     + self.monitoring_usd_per_month + self.engineering_usd_per_month)

    @classmethod
    def from_tokens(
        cls,
        requests_per_day: float,
        prompted_input_tokens: float,
        finetuned_input_tokens: float,
        output_tokens: float,
        base_usd_per_1m_input: float,
        base_usd_per_1m_output: float,
        ft_usd_per_1m_input: float,
        ft_usd_per_1m_output: float,
        days_per_month: float = 30,
        *,
        prompted_cached_input_tokens: float = 0,
        base_usd_per_1m_cached_input: float | None = None,
        finetuned_cached_input_tokens: float = 0,
        ft_usd_per_1m_cached_input: float | None = None,
        batch_discount: float = 0.0,
        cache_min_tokens: int | None = None,
        cache_increment_tokens: int | None = None,
        **assumptions: Any,
    ) -> Scenario:
        """Build a scenario whose per-1k-request costs come from the token model.

        Both requests are priced with :func:`~ftroi_helpers.token_costs.request_cost`, prompt caching
        and the batch discount included.

        Parameters
        ----------
        requests_per_day : float, requests per day (>= 0)
        prompted_input_tokens : float, input tokens per prompted request (>= 0)
        finetuned_input_tokens : float, input tokens per fine-tuned request (>= 0)
        output_tokens : float, output tokens per request (>= 0)
        base_usd_per_1m_input, base_usd_per_1m_output : float, the prompted model's USD per 1M
            input / output tokens (>= 0)
        ft_usd_per_1m_input, ft_usd_per_1m_output : float, the fine-tuned model's USD per 1M
            input / output tokens (>= 0)
        days_per_month : float, days per month (default 30)
        prompted_cached_input_tokens : float, the part of the prompted input served from the
            provider's prompt cache, e.g. a repeated few-shot prefix (default 0)
        base_usd_per_1m_cached_input : float, the prompted model's USD per 1M cached input
            tokens; required when ``prompted_cached_input_tokens > 0``
        finetuned_cached_input_tokens : float, the cached part of the fine-tuned input
            (default 0)
        ft_usd_per_1m_cached_input : float, the fine-tuned model's USD per 1M cached input
            tokens; required when ``finetuned_cached_input_tokens > 0``
        batch_discount : float, share taken off both requests by a batch API, 0 to 1
            (default 0; 0.5 for OpenAI's Batch API)
        cache_min_tokens, cache_increment_tokens : int, the provider's prompt-cache rule
            (``token_prices(row).cache_min_tokens`` and ``.cache_increment_tokens``; OpenAI:
            1,024 and 128): cached tokens below the minimum are billed at the input price
            (default None: no minimum, see :func:`~ftroi_helpers.token_costs.request_cost`)
        **assumptions : any other :class:`Scenario` field

        Returns
        -------
        Scenario
            ``requests_per_month`` and both per-1k-request costs set from the tokens.

        Raises
        ------
        ValueError, TypeError
            For a bad argument, naming it (arrays are refused: use :func:`simulate`).

        Examples
        --------
        The crossover guide's simple classification on gpt-4o-mini at 10K requests/day:

        >>> s = Scenario.from_tokens(10_000, 800, 200, 50, 0.15, 0.60, 0.30, 1.20)
        >>> s.requests_per_month, round(s.hosted_cost_per_1k_req, 4), round(s.self_hosted_cost_per_1k_req, 4)
        (300000.0, 0.15, 0.12)

        OpenAI caches a prefix only from 1,024 tokens: the 600 repeated example tokens of the
        800-token prompt are billed at the full input price, cached or not:

        >>> s = Scenario.from_tokens(10_000, 800, 200, 50, 0.15, 0.60, 0.30, 1.20,
        ...                          prompted_cached_input_tokens=600,
        ...                          base_usd_per_1m_cached_input=0.075,
        ...                          cache_min_tokens=1024, cache_increment_tokens=128)
        >>> round(s.hosted_cost_per_1k_req, 4)
        0.15
        """
        # Check every argument under its own name (request_cost would name its own parameters).
        given = {
            "requests_per_day": requests_per_day,
            "prompted_input_tokens": prompted_input_tokens,
            "finetuned_input_tokens": finetuned_input_tokens,
            "output_tokens": output_tokens,
            "base_usd_per_1m_input": base_usd_per_1m_input,
            "base_usd_per_1m_output": base_usd_per_1m_output,
            "ft_usd_per_1m_input": ft_usd_per_1m_input,
            "ft_usd_per_1m_output": ft_usd_per_1m_output,
            "days_per_month": days_per_month,
            "prompted_cached_input_tokens": prompted_cached_input_tokens,
            "finetuned_cached_input_tokens": finetuned_cached_input_tokens,
            "base_usd_per_1m_cached_input": base_usd_per_1m_cached_input,
            "ft_usd_per_1m_cached_input": ft_usd_per_1m_cached_input,
        }
        v: dict[str, float | None] = {}
        for name, value in given.items():
            if value is None and name.endswith("_cached_input"):
                v[name] = None
                continue
            if np.ndim(value) != 0:
                raise TypeError(f"{name} must be a single number in a Scenario, got "
                                f"{short_repr(value)}")
            v[name] = float(require_nonnegative(name, value))
        discount = float(require_fraction("batch_discount", batch_discount))
        for side, tokens in (("prompted", "base"), ("finetuned", "ft")):
            cached, total = v[f"{side}_cached_input_tokens"], v[f"{side}_input_tokens"]
            if cached > total:  # type: ignore[operator]
                raise ValueError(
                    f"{side}_cached_input_tokens must be <= {side}_input_tokens "
                    f"({total:g}), got {cached:g}")
            if cached and v[f"{tokens}_usd_per_1m_cached_input"] is None:
                raise ValueError(
                    f"{tokens}_usd_per_1m_cached_input is required when "
                    f"{side}_cached_input_tokens > 0, got None")
        requests = finite_result(v["requests_per_day"] * v["days_per_month"],  # type: ignore[operator]
                                 "requests per month", {"requests_per_day": v["requests_per_day"],
                                                        "days_per_month": v["days_per_month"]})
        hosted = request_cost(v["prompted_input_tokens"], v["output_tokens"],
                              v["base_usd_per_1m_input"], v["base_usd_per_1m_output"],
                              cached_input_tokens=v["prompted_cached_input_tokens"],
                              usd_per_1m_cached_input_tokens=v["base_usd_per_1m_cached_input"],
                              batch_discount=discount, cache_min_tokens=cache_min_tokens,
                              cache_increment_tokens=cache_increment_tokens)
        tuned = request_cost(v["finetuned_input_tokens"], v["output_tokens"],
                             v["ft_usd_per_1m_input"], v["ft_usd_per_1m_output"],
                             cached_input_tokens=v["finetuned_cached_input_tokens"],
                             usd_per_1m_cached_input_tokens=v["ft_usd_per_1m_cached_input"],
                             batch_discount=discount, cache_min_tokens=cache_min_tokens,
                             cache_increment_tokens=cache_increment_tokens)
        per_1k = finite_result(np.array([hosted, tuned]) * 1000, "USD per 1,000 requests",
                               {k: x for k, x in v.items() if x is not None})
        return cls(
            requests_per_month=float(requests),
            hosted_cost_per_1k_req=float(per_1k[0]),
            self_hosted_cost_per_1k_req=float(per_1k[1]),
            **assumptions,
        )


#: Every Scenario field's :class:`FieldSpec`, in the dataclass's order.
SCENARIO_FIELDS: Mapping[str, FieldSpec] = MappingProxyType(
    {f.name: f.metadata["spec"] for f in fields(Scenario)})


def _ndim(value: Any) -> int:
    """``np.ndim``, but a ragged list counts as an array (numpy refuses to measure it)."""
    try:
        return np.ndim(value)
    except ValueError:
        return 1


def _validate_whole(name: str, value: Any, spec: FieldSpec, scalar: bool) -> Number:
    """A whole-number field: an int for a single value, a float array of whole numbers."""
    minimum = int(spec.minimum)
    if spec.maximum is not None:  # the horizon: a scalar, capped
        return require_int(name, value, minimum=minimum, maximum=spec.maximum,
                           limit_name="MAX_HORIZON_MONTHS")
    if scalar or _ndim(value) == 0:
        whole = require_int(name, value, minimum=minimum)
        if spec.kind == "months":
            # a month beyond any horizon never comes round; the model only compares it with one
            out: Number = float(min(whole, 2**53))
        else:  # a count that multiplies a cost: beyond a float it is too large
            out = float(as_number(name, whole))
    else:
        out = require_nonnegative(name, value)
        if not np.all(np.mod(out, 1) == 0):
            bad = float(out[np.mod(out, 1) != 0].flat[0])
            what = "whole numbers of months" if spec.kind == "months" else "whole numbers"
            raise TypeError(f"{name} must hold {what}, got {bad}")
        if np.any(out < minimum):
            raise ValueError(f"{name} must be >= {minimum}, got {float(np.min(out)):g}")
    if name == "model_switch_month" and np.any(np.asarray(out) == 1):
        raise ValueError("model_switch_month must be 0 (no switch) or >= 2 (month 1 is the "
                         "start: there is nothing to switch from), got 1")
    return out


def _validate_flag(name: str, value: Any, scalar: bool) -> Any:
    """A flag: True or False, or (in :func:`simulate`) a 1-D array of them."""
    if scalar or _ndim(value) == 0:
        return require_bool(name, value)
    arr = np.asarray(value) if not isinstance(value, (str, bytes)) else None
    if arr is None or arr.dtype != bool:
        raise TypeError(f"{name} must hold True or False, got {short_repr(value)}")
    return arr


#: The fields that together say how the fine-tuned model is paid for (see :func:`_check_serving`).
_SERVING = ("hosting_usd_per_month", "self_hosted_cost_per_1k_req",
            "per_request_on_top_of_hosting")


def _check_serving(v: Mapping[str, Any]) -> None:
    """Refuse a fine-tune that pays for serving twice: its GPUs' fee *and* a price per request.

    A scenario served by GPUs (``hosting_usd_per_month > 0``) pays their fee instead of a flat
    price per 1,000 requests (lesson 03's double count), unless ``per_request_on_top_of_hosting``
    says the per-request part is something else, such as egress.
    """
    hosting = np.atleast_1d(np.asarray(v["hosting_usd_per_month"], dtype=float))
    per_request = np.atleast_1d(np.asarray(v["self_hosted_cost_per_1k_req"], dtype=float))
    extra = np.atleast_1d(np.asarray(v["per_request_on_top_of_hosting"], dtype=bool))
    sizes = {hosting.size, per_request.size, extra.size} - {1}
    if len(sizes) > 1:
        return  # arrays of different lengths: simulate() refuses them by name
    twice = (hosting > 0) & (per_request > 0) & ~extra
    if not np.any(twice):
        return
    i = int(np.argmax(twice))
    at = (lambda x: float(x[i] if x.size > 1 else x[0]))  # noqa: E731 - one element of each
    where = f" (scenario {i})" if twice.size > 1 else ""
    raise ValueError(
        f"self_hosted_cost_per_1k_req ({at(per_request):g}) and hosting_usd_per_month "
        f"({at(hosting):g}) would both pay for serving the fine-tuned model{where}: served by "
        "GPUs it pays their fee, not a price per request as well. Set "
        "self_hosted_cost_per_1k_req=0, or per_request_on_top_of_hosting=True if the "
        "per-request part is something else (egress, a gateway)")


def _validate_fields(values: dict[str, Any], *, scalar: bool) -> dict[str, Any]:
    """Check every scenario field once, by its kind; return values ready for the model."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        spec = SCENARIO_FIELDS[name]
        if scalar and _ndim(value) != 0:
            raise TypeError(
                f"{name} must be a single {'flag' if spec.kind == 'flag' else 'number'} in a "
                f"Scenario (give arrays to simulate()), got {short_repr(value)}")
        if spec.kind == "flag":
            out[name] = _validate_flag(name, value, scalar)
        elif spec.whole:
            out[name] = _validate_whole(name, value, spec, scalar)
        elif spec.kind == "fraction":
            decline = require_fraction(name, value)
            if np.any(np.asarray(decline) >= 1):
                raise ValueError(f"{name} must be below 1 (a price cannot fall to zero), got 1")
            out[name] = decline
        else:
            out[name] = require_nonnegative(name, value)
    if all(name in out for name in _SERVING):
        _check_serving(out)
    return out
