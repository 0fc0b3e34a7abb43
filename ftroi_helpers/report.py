"""A one-page decision report from a scenario file: HTML to share or print, Markdown to paste.

:func:`write_report` (and ``ftroi report my.toml -o decision.html``) turns a scenario file
(:mod:`ftroi_helpers.scenario_file`) into one self-contained page:

* the decision in one sentence;
* the cumulative cost of prompting and of fine-tuning, with payback marked;
* the tornado (which assumption moves payback most) and the Monte Carlo probabilities;
* the path taken through the fine-tune-or-prompt decision tree;
* every assumption, with its source and date;
* the caveats.

The figures are PNG images embedded in the page (base64), each with alt text; nothing is
fetched to view or print it, and the print style fits it on one or two A4 pages. The Markdown
variant (``-o decision.md``) has the same content with the images embedded as data URIs.

Everything is computed by the workbook's own functions -- :func:`~ftroi_helpers.cost_model.simulate`,
:func:`~ftroi_helpers.sensitivity.tornado`, :func:`~ftroi_helpers.sensitivity.monte_carlo`,
:func:`~ftroi_helpers.rules_of_thumb.decision_tree` and the figures of
:mod:`ftroi_helpers.sensitivity_plots`; this module only arranges the results.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .formatting import usd

if TYPE_CHECKING:  # pragma: no cover
    from .scenario_file import ScenarioFile

__all__ = ["Report", "build_report", "decision_sentence", "render_html", "render_markdown",
           "write_report"]

#: Figures are written at this resolution (pixels per inch): sharp on paper, small in the file.
FIGURE_DPI = 110


@dataclass
class Figure:
    """One embedded figure: a title, alt text and PNG bytes."""

    name: str
    caption: str
    alt: str
    png: bytes

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass
class Report:
    """Everything a report shows, computed once; rendered by :func:`render_html` and
    :func:`render_markdown`."""

    title: str
    as_of: str
    sentence: str
    key_figures: list[tuple[str, str]]
    figures: list[Figure]
    tree_path: list[str]
    tree_summary: str
    workload: list[tuple[str, str]]
    assumptions: list[dict[str, str]]
    caveats: list[str]
    generated: str = field(default_factory=lambda: dt.date.today().isoformat())


# -- the numbers ----------------------------------------------------------------------------------

def _as_scenario_file(source: Any) -> ScenarioFile:
    from .cost_model import Scenario
    from .scenario_file import ScenarioFile, from_dict, load

    if isinstance(source, ScenarioFile):
        return source
    if isinstance(source, Scenario):
        given = {f.name: getattr(source, f.name) for f in fields(Scenario)}
        return from_dict(given, "the scenario")
    if isinstance(source, (str, Path)):
        return load(source)
    raise TypeError(f"source must be a scenario file's path, a ScenarioFile or a Scenario, got "
                    f"{type(source).__name__}")


def _label(name: str) -> str:
    from .sensitivity import ASSUMPTION_LABELS

    return ASSUMPTION_LABELS.get(name, name.replace("_", " "))


#: The kinds of the few keys a report shows that are not scenario fields.
_OTHER_KINDS = {"batch_discount": "fraction"}


def _value(name: str, value: Any) -> str:
    """``value`` formatted by its field's kind (from the fields' registry)."""
    from .scenario import SCENARIO_FIELDS

    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    spec = SCENARIO_FIELDS.get(name)
    kind = spec.kind if spec is not None else _OTHER_KINDS.get(name, "count")
    if kind == "money":
        return f"${value:,.2f}" if abs(value) < 100 else f"${value:,.0f}"
    if kind == "fraction":
        return f"{value:.0%}"
    if isinstance(value, int) or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.4g}"


def _ranges(sf: ScenarioFile) -> tuple[dict[str, tuple[float, float]], str]:
    """The file's ranges, or +/- spread_pct around the scenario's nonzero values."""
    from .sensitivity import DEFAULT_RANGES, ranges_around

    if sf.ranges:
        entry = sf.sources.get("ranges")
        note = "the ranges in the scenario file"
        if entry:
            note += f" ({entry.get('source', 'no source given')}, as of {entry.get('as_of', sf.as_of)})"
        return dict(sf.ranges), note
    spread = sf.settings()["spread_pct"]
    candidates = [n for n in (*DEFAULT_RANGES, "hosting_usd_per_month")
                  if getattr(sf.scenario, n, 0)]
    ranges = ranges_around(sf.scenario, spread / 100, candidates) if candidates else {}
    ranges = {k: v for k, v in ranges.items() if v[0] < v[1]}
    return ranges, f"±{spread:g}% around each value (the file gives no ranges)"


def decision_sentence(requests_per_month: float, payback: str, mc_text: str | None,
                      recommendation: str, reason: str, payback_month: int,
                      p_within: float | None) -> str:
    """The report's one-sentence decision, from the cost result and the decision tree.

    Parameters
    ----------
    requests_per_month : float
        The volume, requests per month.
    payback : str
        The cost model's sentence (:func:`~ftroi_helpers.sensitivity_plots.payback_sentence`).
    mc_text : str or None
        The Monte Carlo's summary, or None when nothing is uncertain.
    recommendation : str
        The decision tree's recommendation: "fine-tune", "prompt" or "run the eval first".
    reason : str
        The decision tree's reason for it.
    payback_month : int
        Month of payback at the scenario's values (0: none within the horizon).
    p_within : float or None
        Share of Monte Carlo draws that pay back within the deadline.

    Returns
    -------
    str
        "Fine-tune: ...", "Keep prompting: ...", "Fine-tune only if ...", or "Run the eval
        before deciding: ...", with the volume, the payback and the probability.

    Raises
    ------
    ValueError
        For an unknown recommendation.

    Examples
    --------
    >>> decision_sentence(200_000, "Fine-tuning pays back in month 1", None, "fine-tune",
    ...                   "Fine-tune -- format tasks benefit most", 1, None)
    'Fine-tune: at 200,000 requests a month, fine-tuning pays back in month 1, and the decision tree agrees (fine-tune -- format tasks benefit most).'
    """
    volume = f"at {requests_per_month:,.0f} requests a month, "
    cost = volume + payback[:1].lower() + payback[1:]
    if mc_text:
        cost += f"; {mc_text[:1].lower()}{mc_text[1:]}"
    tree = reason[:1].lower() + reason[1:]
    if recommendation not in ("fine-tune", "prompt", "run the eval first"):
        raise ValueError(f"recommendation must be 'fine-tune', 'prompt' or 'run the eval first', "
                         f"got {recommendation!r}")
    if not payback_month and recommendation != "prompt":
        return (f"Keep prompting: {cost}; the decision tree's \"{recommendation}\" does not "
                "change that, since a fine-tune must first pay for itself.")
    if recommendation == "prompt":
        if payback_month:
            return f"Keep prompting: {tree}, although {cost}."
        return f"Keep prompting: {cost}, and the decision tree agrees ({tree})."
    if recommendation == "run the eval first":
        return f"Run the eval before deciding: {cost}, but {tree}."

    if p_within is not None and p_within < 0.5:
        return f"Fine-tune only if your numbers hold: {cost}."
    return f"Fine-tune: {cost}, and the decision tree agrees ({tree})."


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=FIGURE_DPI, metadata={"Software": None})
    return buf.getvalue()


def build_report(source: Any) -> Report:
    """Compute everything a report shows, from a scenario file, a ScenarioFile or a Scenario.

    Parameters
    ----------
    source : str, Path, ScenarioFile or Scenario
        The decision (a path is read with :func:`ftroi_helpers.scenario_file.load`).

    Returns
    -------
    Report
        The sentence, key figures, three figures (cost curves, tornado, Monte Carlo), the tree
        path, workload, assumptions with sources and dates, and caveats.

    Raises
    ------
    ValueError, TypeError
        For a file or scenario that cannot be read, naming what is wrong.

    Examples
    --------
    >>> from ftroi_helpers.scenario_file import example_scenario_file
    >>> r = build_report(example_scenario_file())
    >>> r.sentence.split(":")[0], [f.name for f in r.figures]
    ('Run the eval before deciding', ['cost_curves', 'monte_carlo', 'tornado'])
    """
    from .cost_model import simulate
    from .rules_of_thumb import decision_tree
    from .sensitivity import monte_carlo, share_text, tornado
    from .sensitivity_plots import (
        cost_curve_series,
        cost_curves_figure,
        monte_carlo_figure,
        payback_sentence,
        tornado_figure,
    )

    sf = _as_scenario_file(source)
    s = sf.scenario
    settings = sf.settings()
    within = min(int(settings["within_months"]), s.horizon_months)
    curves = simulate(s)
    payback, _short = payback_sentence(s, curves)
    month = int(curves.payback_month[0])
    series = cost_curve_series(s, curves)
    ranges, ranges_note = _ranges(sf)

    figures: list[Figure] = []
    fig = cost_curves_figure(s)
    end_p, end_f = float(series["prompting"][-1]), float(series["finetune"][-1])
    alt = (f"Line chart of cumulative cost in USD over {s.horizon_months} months. Keep "
           f"prompting rises from $0 to ${end_p:,.0f}; fine-tuning starts at its one-time cost "
           f"${s.one_time_usd:,.0f} and ends at ${end_f:,.0f}. ")
    alt += (f"The lines cross at {series['payback_months']:.1f} months, marked as payback."
            if month else "The lines do not cross: no payback within the horizon.")
    figures.append(Figure("cost_curves", "Cumulative cost: keep prompting vs fine-tune", alt,
                          _png(fig)))

    mc = None
    table = None
    if ranges:
        table = tornado(s, ranges)
        fig = tornado_figure(table, deadline_months=within)
        top = table.iloc[0]
        alt = (f"Tornado chart of payback in months, one assumption at a time. "
               f"{_label(top['assumption'])[:1].upper()}{_label(top['assumption'])[1:]} moves "
               "it most: from "
               f"{_months(top['payback_months_at_low'])} at "
               f"{_value(top['assumption'], float(top['low']))} to "
               f"{_months(top['payback_months_at_high'])} at "
               f"{_value(top['assumption'], float(top['high']))}. "
               "Others, in order: " + ", ".join(_label(a) for a in table['assumption'][1:])
               + ".")
        tornado_fig = Figure("tornado", "Which assumption moves payback most", alt, _png(fig))
        mc = monte_carlo(s, ranges, n_draws=int(settings["n_draws"]), seed=int(settings["seed"]),
                         distribution=settings["distribution"], within_months=within)
        fig = monte_carlo_figure(mc)
        alt = (f"Line chart of the share of {mc.n_draws:,} random draws of the assumptions that "
               f"have paid back by each month: {share_text(mc.p_payback_within)} by month "
               f"{within}, {share_text(mc.p_payback_within_horizon)} by month "
               f"{s.horizon_months}.")
        figures.append(Figure("monte_carlo", "Monte Carlo: chance of payback by each month", alt,
                              _png(fig)))
        figures.append(tornado_fig)

    tree = decision_tree(**sf.tree_answers())
    mc_text = None
    if mc is not None:
        mc_text = mc.summary()
        if within < s.horizon_months:
            mc_text = (f"Payback within {within} months in {share_text(mc.p_payback_within)} "
                       f"and within {s.horizon_months} months in "
                       f"{share_text(mc.p_payback_within_horizon)} of {mc.n_draws:,} draws")
    sentence = decision_sentence(s.requests_per_month, payback, mc_text, tree.recommendation,
                                 tree.reason, month, mc.p_payback_within if mc else None)

    net = float(curves.prompting_cumulative_usd[0, -1] - curves.finetune_cumulative_usd[0, -1])
    key = [
        ("Payback at your values", f"month {month} (after {curves.payback_months[0]:.1f} months)"
         if month else f"none within {s.horizon_months} months"),
        (f"Fine-tuning ahead after {s.horizon_months} months", usd(net)),
    ]
    if mc is not None:
        key += [
            (f"P(payback within {within} months)", share_text(mc.p_payback_within)),
            (f"P(payback within {s.horizon_months} months)",
             share_text(mc.p_payback_within_horizon)),
            ("Median payback over the draws", _months(mc.median_payback_months)),
            ("Monte Carlo", f"{mc.n_draws:,} draws, {mc.distribution}, seed {mc.seed}; "
             f"{ranges_note}"),
        ]

    return Report(
        title=sf.title, as_of=sf.as_of, sentence=sentence, key_figures=key, figures=figures,
        tree_path=list(tree.path), tree_summary=tree.summary(), workload=_workload_rows(sf),
        assumptions=_assumption_rows(sf, ranges), caveats=_caveats(sf, ranges, curves, table),
    )


def _months(value: float | None) -> str:
    """Months for the report; None / <NA> (ftroi_helpers.never) is "never"."""
    from .never import is_never

    return "never (not within the horizon)" if is_never(value) else f"{value:.1f} months"


def _workload_rows(sf: ScenarioFile) -> list[tuple[str, str]]:
    """Tokens per request and what they cost, when the file has tokens."""
    w, p = sf.workload, sf.prices
    rows: list[tuple[str, str]] = []
    parts = [k for k in ("system_prompt_tokens", "few_shot_tokens", "input_tokens",
                         "output_tokens") if k in w]
    if not parts:
        return rows
    how = "exact" if w.get("tokens_exact", True) else "estimated"
    model = w.get("tokens_model")
    counted = f" ({how}, counted for {model})" if model else f" ({how})"
    with_examples = sum(w.get(k, 0) for k in ("system_prompt_tokens", "few_shot_tokens",
                                              "input_tokens"))
    without = w.get("finetuned_input_tokens",
                    w.get("system_prompt_tokens", 0) + w.get("input_tokens", 0))
    if sf.prompt:
        rows.append(("Counted from", f"the prompt texts kept in the scenario file (as of "
                     f"{sf.as_of})"))
    rows.append(("Input tokens per request, with the few-shot examples",
                 f"{with_examples:,}{counted}"))
    rows.append(("Input tokens per request, without them (fine-tuned)", f"{without:,}"))
    rows.append(("Output tokens per request", f"{w.get('output_tokens', 0):,}"))
    if w.get("cached_input_tokens"):
        rows.append(("of which served from the prompt cache", f"{w['cached_input_tokens']:,}"))
    for name, label in (("hosted_cost_per_1k_req", "Prompting"),
                        ("self_hosted_cost_per_1k_req", "Fine-tuned model")):
        value = getattr(sf.scenario, name)
        how = " (tokens × per-token prices)" if name in sf.derived else ""
        rows.append((f"{label}, per request", f"${value / 1000:,.6f}{how}"))
    for key, label in (("hosted_model", "Prompted model's prices"),
                       ("finetuned_model", "Fine-tuned model's prices"),
                       ("batch_discount", "Batch discount")):
        if key in p:
            where = "" if key == "batch_discount" else " (price table row)"
            rows.append((label, _value(key, p[key]) + where))
    return rows


def _assumption_rows(sf: ScenarioFile, ranges: Mapping[str, tuple[float, float]]
                     ) -> list[dict[str, str]]:
    """Every assumption: label, value, range, source, date."""
    from .cost_model import Scenario
    rows = []
    for f in fields(Scenario):
        name = f.name
        value = getattr(sf.scenario, name)
        source, as_of = sf.source_of(name)
        if name in sf.derived:
            source = f"tokens × per-token prices ({source})"
        lo_hi = ranges.get(name)
        rows.append({"name": name, "label": _label(name), "value": _value(name, value),
                     "range": f"{_value(name, lo_hi[0])} to {_value(name, lo_hi[1])}"
                     if lo_hi else "", "source": source, "as_of": as_of})
    # tokens and per-token prices are in the "Your prompt, in tokens" table, with their source
    for name, value in sf.tree_answers().items():
        source, as_of = sf.source_of(name)
        if name == "requests_per_day" and "requests_per_day" not in sf.decision_tree:
            value_text = f"{value:,.0f} (requests per month / 30)"
            source, as_of = sf.source_of("requests_per_month")
        elif value is None:
            value_text = "unknown (no eval yet)"
        else:
            value_text = _value(name, value)
        rows.append({"name": name, "label": _TREE_LABELS[name],
                     "value": value_text, "range": "", "source": source, "as_of": as_of})
    return rows


_TREE_LABELS = {
    "requests_per_day": "tree question 1: requests per day",
    "labeled_examples": "question 2: labeled examples",
    "quality_gap_pct": "question 3: quality gap (points)",
    "format_or_style_task": "question 4: format/style task",
    "finetune_improves_eval": "question 5: fine-tune wins the eval",
}


def _caveats(sf: ScenarioFile, ranges: Mapping[str, tuple[float, float]], curves: Any,
             table: Any) -> list[str]:
    s = sf.scenario
    out = list(sf.caveats)
    for name, (lo, hi) in ranges.items():
        value = getattr(s, name)
        if not lo <= value <= hi:
            out.append(f"The value used for {_label(name)} ({_value(name, value)}) lies outside "
                       f"its range ({_value(name, lo)} to {_value(name, hi)}): the tornado and the "
                       "Monte Carlo describe a different case from the cost curves.")
    if sf.workload and sf.workload.get("tokens_exact") is False:
        out.append("Token counts are estimates (characters ÷ 4), not the provider's tokenizer: "
                   "the per-request prices built on them are estimates too.")
    today = dt.date.today()
    old = sorted({name for name, entry in sf.sources.items()
                  if entry.get("as_of", "undated") != "undated"
                  and (today - dt.date.fromisoformat(entry["as_of"])).days > 365})
    if old:
        out.append("Some figures were read more than a year ago (" + ", ".join(old) + "): "
                   "prices move, check them against the provider's page.")
    net = float(curves.prompting_cumulative_usd[0, -1] - curves.finetune_cumulative_usd[0, -1])
    if int(curves.payback_month[0]) and net < 0:
        out.append("Fine-tuning pays back and then falls behind again: later costs (retraining, "
                   "falling hosted prices) outweigh the savings by the end of the horizon.")
    out.append("The Monte Carlo draws every assumption independently, and the tornado moves one "
               "at a time: neither knows that some assumptions move together.")
    out.append("Quality is not in these costs: a fine-tune is worth its saving only if it is at "
               "least as good on a held-out evaluation set (the decision tree's question 5).")
    out.append("Prices, volumes and costs are assumptions with the sources and dates listed: "
               "the answer is only as good as they are.")
    return out


# -- rendering ------------------------------------------------------------------------------------

_URL = re.compile(r"https?://[^\s)]+")


def _linked(text: str) -> Any:
    """Escape ``text``; a URL in it becomes a plain citation link (safe HTML for Jinja2)."""
    from markupsafe import Markup, escape

    out, last = [], 0
    for m in _URL.finditer(text):
        out.append(escape(text[last:m.start()]))
        url = m.group(0)
        out.append(Markup('<a href="{0}">{0}</a>').format(url))
        last = m.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


@lru_cache(maxsize=1)
def _templates() -> Any:
    """The report's Jinja2 templates (package data in ``ftroi_helpers/templates``): HTML ones
    autoescaped, the Markdown one not."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("ftroi_helpers", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",),
                                            default_for_string=False),
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined)
    env.filters.update(linked=_linked, md=_md_money, cell=_md_cell)
    return env


def render_html(report: Report) -> str:
    """The report as one self-contained HTML page (figures embedded, print CSS for A4).

    Parameters
    ----------
    report : Report
        From :func:`build_report`.

    Returns
    -------
    str
        The HTML document.

    Raises
    ------
    TypeError
        If ``report`` is not a :class:`Report`.

    Examples
    --------
    >>> from ftroi_helpers.scenario_file import example_scenario_file
    >>> page = render_html(build_report(example_scenario_file()))
    >>> page.startswith("<!DOCTYPE html>"), page.count('src="data:image/png;base64,')
    (True, 3)
    """
    if not isinstance(report, Report):
        raise TypeError(f"report must be a Report, got {type(report).__name__}")
    return _templates().get_template("report.html.j2").render(report=report)


def _md_money(text: str) -> str:
    """"$1,234" -> "USD 1,234": a dollar sign can start maths in Markdown renderers."""
    return re.sub(r"\$(?=\d)", "USD ", text)


def _md_cell(text: str) -> str:
    return _md_money(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(report: Report) -> str:
    """The report as Markdown to paste into a document (images embedded as data URIs).

    Money is written "USD 1,234" (a dollar sign can start maths in Markdown renderers).

    Parameters
    ----------
    report : Report
        From :func:`build_report`.

    Returns
    -------
    str
        The Markdown text.

    Raises
    ------
    TypeError
        If ``report`` is not a :class:`Report`.

    Examples
    --------
    >>> from ftroi_helpers.scenario_file import example_scenario_file
    >>> text = render_markdown(build_report(example_scenario_file()))
    >>> text.splitlines()[0], "$" in text
    ('# The calculator demo: 200k requests a month', False)
    """
    if not isinstance(report, Report):
        raise TypeError(f"report must be a Report, got {type(report).__name__}")
    return _templates().get_template("report.md.j2").render(report=report)


def write_report(source: Any, path: str | Path) -> Path:
    """Write a one-page decision report: HTML for ``.html``, Markdown for ``.md``.

    Parameters
    ----------
    source : str, Path, ScenarioFile or Scenario
        The decision: a scenario file's path, or one in memory.
    path : str or Path
        Where to write; ``.html`` (or ``.htm``) for the page, ``.md`` for Markdown.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    ValueError, TypeError
        For a bad source (see :func:`build_report`), a suffix other than .html/.htm/.md, or a
        path that cannot be written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from ftroi_helpers.scenario_file import example_scenario_file
    >>> out = write_report(example_scenario_file(), pathlib.Path(tempfile.mkdtemp()) / "d.html")
    >>> out.read_text(encoding="utf-8").count("<img ")
    3
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".html", ".htm", ".md"):
        raise ValueError(f"path must end in .html or .md, got {str(path)!r}")
    report = build_report(source)
    text = render_markdown(report) if suffix == ".md" else render_html(report)
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"cannot write the report to {str(path)!r}: "
                         f"{exc.strerror or exc}") from None
    return target
