"""Rules of thumb for "prompt or fine-tune?": volume bands, a token rule, a decision tree, and
a data-quality checklist.

Everything here is the crossover guide's or the economics article's own rule, encoded as data and small functions so
a lesson can show the rule, apply it to a case, and question it:

* :func:`volume_band` -- the crossover guide's "Volume Decision" table (requests per day).
* :func:`tokens_per_month_rule` -- the economics article's rule (tokens per month).
* :func:`decision_tree` -- the crossover guide's five-question "Decision Tree", answered in order.
* :func:`check_data_quality` -- the crossover guide's "Data Quality Checklist".

Boundary values
---------------
The sources write their bands as ``<100``, ``100-1,000``, ``1,000-10,000`` ... so a value such as
exactly 1,000 requests/day sits in two bands. The workbook settles it one way everywhere:

* ``<100`` and ``>100,000`` are read literally (strictly below / strictly above);
* a shared boundary belongs to the **lower** band: 1,000 requests/day is in "100-1,000", 10,000
  in "1,000-10,000", 100,000 in "10,000-100,000". This agrees with question 1 of the crossover guide's own
  decision tree ("Is your daily volume >1,000 requests?"), which answers "no" at exactly 1,000.
* The economics article's token rule says "Below 10M", "10-100M" and "Above 100M", so 10M and 100M tokens a
  month both fall in the middle band ("fine-tuning may break even").

pandas is imported only inside the functions that return a table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .validation import require_fraction, require_int, require_nonnegative, short_repr

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "DATA_QUALITY_CHECKLIST",
    "DECISION_TREE",
    "TOKEN_RULES",
    "VOLUME_BANDS",
    "ChecklistItem",
    "Decision",
    "TokenRule",
    "TreeQuestion",
    "VolumeBand",
    "check_data_quality",
    "decision_tree",
    "decision_tree_table",
    "token_rules_table",
    "tokens_per_month_rule",
    "volume_band",
    "volume_bands_table",
]

# --------------------------------------------------------------------------------------------
# Volume bands (the crossover guide, "The Volume Decision")
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VolumeBand:
    """One row of the crossover guide's "Volume Decision" table.

    ``lower_requests_per_day`` and ``upper_requests_per_day`` bound the band;
    ``includes_lower`` says whether the lower bound itself belongs to it (the upper bound always
    does, except for the open-ended top band). See the module docstring for why.
    """

    label: str
    recommendation: str
    why: str
    lower_requests_per_day: float
    upper_requests_per_day: float
    includes_lower: bool

    def contains(self, requests_per_day: float) -> bool:
        """Whether ``requests_per_day`` falls in this band (the workbook's boundary rule)."""
        lo, hi = self.lower_requests_per_day, self.upper_requests_per_day
        above = requests_per_day >= lo if self.includes_lower else requests_per_day > lo
        below = requests_per_day < hi if lo == 0 else requests_per_day <= hi
        return above and below


#: The crossover guide's "Volume Decision" table, lowest band first.
VOLUME_BANDS: tuple[VolumeBand, ...] = (
    VolumeBand("<100 requests/day", "Prompt engineering",
               "Training cost never recovers at this volume", 0.0, 100.0, True),
    VolumeBand("100-1,000 requests/day", "Prompt engineering (usually)",
               "Fine-tune only if quality delta >5% AND error cost is high", 100.0, 1_000.0,
               True),
    VolumeBand("1,000-10,000 requests/day", "Evaluate both",
               "Run quality comparison; fine-tune if delta >3%", 1_000.0, 10_000.0, False),
    VolumeBand("10,000-100,000 requests/day", "Fine-tune (usually)",
               "Token savings alone justify training cost within weeks", 10_000.0, 100_000.0,
               False),
    VolumeBand(">100,000 requests/day", "Fine-tune + prompt optimization",
               "Both layers -- fine-tune for base behavior, prompt for per-request "
               "customization", 100_000.0, math.inf, False),
)


def volume_band(requests_per_day: float) -> VolumeBand:
    """The crossover guide's volume band, recommendation and reason for a daily request volume.

    A shared boundary belongs to the lower band (so exactly 1,000 requests/day is in
    "100-1,000", like question 1 of the decision tree, which asks for ">1,000").

    Parameters
    ----------
    requests_per_day : float
        Requests per day (>= 0).

    Returns
    -------
    VolumeBand
        With ``label``, ``recommendation`` and ``why`` as the crossover guide writes them.

    Raises
    ------
    ValueError, TypeError
        If ``requests_per_day`` is negative, not finite or not a number.

    Examples
    --------
    The crossover guide's table, at 10K requests/day (its inference-table volume):

    >>> band = volume_band(10_000)
    >>> band.label, band.recommendation
    ('1,000-10,000 requests/day', 'Evaluate both')
    >>> volume_band(1_000).label
    '100-1,000 requests/day'
    >>> volume_band(1_001).recommendation
    'Evaluate both'
    >>> volume_band(-5)
    Traceback (most recent call last):
    ...
    ValueError: requests_per_day must be >= 0, got -5
    """
    r = require_nonnegative("requests_per_day", requests_per_day)
    if not isinstance(r, float):
        raise TypeError(f"requests_per_day must be a single number, got {short_repr(requests_per_day)}")
    for band in VOLUME_BANDS:
        if band.contains(r):
            return band
    raise AssertionError(f"no band for {r}")  # pragma: no cover - the bands cover [0, inf)


def volume_bands_table() -> pd.DataFrame:
    """The crossover guide's "Volume Decision" table as a DataFrame (one row per band).

    Examples
    --------
    >>> table = volume_bands_table()
    >>> list(table["recommendation"])[:2]
    ['Prompt engineering', 'Prompt engineering (usually)']
    >>> table.columns.tolist()
    ['band', 'from_requests_per_day', 'to_requests_per_day', 'recommendation', 'why']
    """
    import pandas as pd

    return pd.DataFrame(
        {
            "band": [b.label for b in VOLUME_BANDS],
            "from_requests_per_day": [b.lower_requests_per_day for b in VOLUME_BANDS],
            "to_requests_per_day": [b.upper_requests_per_day for b in VOLUME_BANDS],
            "recommendation": [b.recommendation for b in VOLUME_BANDS],
            "why": [b.why for b in VOLUME_BANDS],
        }
    )


# --------------------------------------------------------------------------------------------
# Tokens per month (the economics article, "Practical decision check")
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenRule:
    """One band of the economics article's tokens-per-month rule."""

    label: str
    verdict: str
    lower_tokens_per_month: float
    upper_tokens_per_month: float


#: The economics article: "Below 10M tokens/month: prompting is cheaper. 10-100M tokens/month: fine-tuning
#: may break even. Above 100M tokens/month: fine-tuning usually wins."
TOKEN_RULES: tuple[TokenRule, ...] = (
    TokenRule("below 10M tokens/month", "prompting is cheaper", 0.0, 10e6),
    TokenRule("10-100M tokens/month", "fine-tuning may break even", 10e6, 100e6),
    TokenRule("above 100M tokens/month", "fine-tuning usually wins", 100e6, math.inf),
)


def tokens_per_month_rule(tokens_per_month: float) -> TokenRule:
    """The economics article's verdict for a monthly token volume.

    "Below 10M" and "Above 100M" are read literally, so exactly 10M and exactly 100M tokens a
    month are in the middle band.

    Parameters
    ----------
    tokens_per_month : float
        Tokens processed per month, input plus output (>= 0).

    Returns
    -------
    TokenRule
        With ``label`` and ``verdict`` as the economics article words them.

    Raises
    ------
    ValueError, TypeError
        If ``tokens_per_month`` is negative, not finite or not a number.

    Examples
    --------
    The crossover guide's classification example, 10K requests/day of 850 tokens, is 255M tokens a month:

    >>> tokens_per_month_rule(255e6).verdict
    'fine-tuning usually wins'
    >>> tokens_per_month_rule(10e6).label
    '10-100M tokens/month'
    >>> tokens_per_month_rule(9_999_999).verdict
    'prompting is cheaper'
    """
    t = require_nonnegative("tokens_per_month", tokens_per_month)
    if not isinstance(t, float):
        raise TypeError(f"tokens_per_month must be a single number, got {short_repr(tokens_per_month)}")
    low, middle, high = TOKEN_RULES
    if t < middle.lower_tokens_per_month:
        return low
    if t <= middle.upper_tokens_per_month:
        return middle
    return high


def token_rules_table() -> pd.DataFrame:
    """The economics article's tokens-per-month rule as a DataFrame.

    >>> token_rules_table()["verdict"].tolist()
    ['prompting is cheaper', 'fine-tuning may break even', 'fine-tuning usually wins']
    """
    import pandas as pd

    return pd.DataFrame(
        {
            "band": [r.label for r in TOKEN_RULES],
            "from_tokens_per_month": [r.lower_tokens_per_month for r in TOKEN_RULES],
            "to_tokens_per_month": [r.upper_tokens_per_month for r in TOKEN_RULES],
            "verdict": [r.verdict for r in TOKEN_RULES],
        }
    )


# --------------------------------------------------------------------------------------------
# The decision tree (the crossover guide, "Decision Tree")
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TreeQuestion:
    """One question of the crossover guide's decision tree, with what each answer leads to."""

    number: int
    question: str
    if_yes: str
    if_no: str


#: The crossover guide's decision tree, verbatim ("Answer these questions in order").
DECISION_TREE: tuple[TreeQuestion, ...] = (
    TreeQuestion(1, "Is your daily volume >1,000 requests?", "Continue to #2",
                 "Use prompting -- volume too low to justify training"),
    TreeQuestion(2, "Do you have 100+ high-quality labeled examples?", "Continue to #3",
                 "Use prompting -- collect data first, fine-tune later"),
    TreeQuestion(3, "Is the quality gap between prompting and your target >5%?",
                 "Continue to #4", "Use prompting -- it's already good enough"),
    TreeQuestion(4, "Is the task primarily format/style (not reasoning)?",
                 "Fine-tune -- format tasks benefit most", "Continue to #5"),
    TreeQuestion(5, "Does fine-tuning actually improve quality on your eval set?",
                 "Fine-tune -- data confirms the benefit",
                 "Use prompting -- fine-tuning doesn't help this task"),
)

#: The workbook's own reason (not the source's) when question 5 is reached without an eval result.
RUN_THE_EVAL_REASON = (
    "Question 5 needs an eval result: score the prompted baseline and a fine-tuned candidate on "
    "the same held-out set, then answer it"
)

# Short forms of the questions for the path a learner reads.
_PATH_TEXT = {
    1: "Daily volume > 1,000 requests?",
    2: "100+ high-quality labeled examples?",
    3: "Quality gap between prompting and target > 5%?",
    4: "Task primarily format/style (not reasoning)?",
    5: "Fine-tuning improves quality on the eval set?",
}


@dataclass(frozen=True)
class Decision:
    """The outcome of :func:`decision_tree`.

    Attributes
    ----------
    recommendation : "fine-tune", "prompt" or "run the eval first"
    reason : the crossover guide's text for the exit taken (the workbook's own text for
        "run the eval first", which the source does not have)
    path : the questions asked, in order, each with its answer, e.g.
        ``"1. Daily volume > 1,000 requests? yes"``
    """

    recommendation: str
    reason: str
    path: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """The recommendation and reason as one sentence.

        >>> decision_tree(500, 2_000, 10, True).summary()
        'Recommendation: prompt. Use prompting -- volume too low to justify training.'
        """
        return f"Recommendation: {self.recommendation}. {self.reason}."


def _require_bool(name: str, value: Any, *, allow_none: bool = False) -> bool | None:
    if value is None and allow_none:
        return None
    if not isinstance(value, (bool, np.bool_)):
        extra = ", or None if not known yet" if allow_none else ""
        raise TypeError(f"{name} must be True or False{extra}, got {short_repr(value)}")
    return bool(value)


def decision_tree(
    requests_per_day: float,
    labeled_examples: int,
    quality_gap_pct: float,
    format_or_style_task: bool,
    finetune_improves_eval: bool | None = None,
) -> Decision:
    """Answer the crossover guide's five-question decision tree, in order, and say where it exits.

    1. Is your daily volume >1,000 requests? (no: prompt)
    2. Do you have 100+ high-quality labeled examples? (no: prompt)
    3. Is the quality gap between prompting and your target >5%? (no: prompt)
    4. Is the task primarily format/style (not reasoning)? (yes: fine-tune)
    5. Does fine-tuning actually improve quality on your eval set? (yes: fine-tune; no: prompt)

    Question 5 is reached only when the task is *not* format/style. If it is reached and
    ``finetune_improves_eval`` is ``None`` (no eval yet), the recommendation is a third outcome
    the source does not list, ``"run the eval first"``: the tree cannot be finished without one.
    Note what the source's tree does *not* do: a format/style task exits at question 4 with
    "fine-tune" without ever consulting an eval.

    Every argument is checked, even those a given path never reaches.

    Parameters
    ----------
    requests_per_day : float
        Daily request volume (>= 0). Question 1 asks for strictly more than 1,000.
    labeled_examples : int
        High-quality labeled examples you have (whole number >= 0). Question 2 asks for 100+.
    quality_gap_pct : float
        How far prompting falls short of your quality target, in percentage points (0 to 100;
        0 when prompting already meets the target). Question 3 asks for strictly more than 5.
    format_or_style_task : bool
        Whether the task is primarily format/style rather than reasoning (question 4).
    finetune_improves_eval : bool or None
        Whether a fine-tuned candidate beat the prompted baseline on your held-out eval set
        (question 5); ``None`` if that eval has not been run.

    Returns
    -------
    Decision
        ``recommendation`` ("fine-tune", "prompt" or "run the eval first"), ``reason`` and
        ``path``.

    Raises
    ------
    ValueError, TypeError
        For a negative or non-numeric number, a fractional example count, a gap above 100
        points, or a yes/no answer that is not a bool (``finetune_improves_eval`` may be None).

    Examples
    --------
    The crossover guide's inference-table volume, 10K requests/day, 500 examples, prompting 8 points
    short of target on a structured-output (format) task:

    >>> d = decision_tree(10_000, 500, 8, True)
    >>> d.recommendation, d.reason
    ('fine-tune', 'Fine-tune -- format tasks benefit most')
    >>> d.path[0]
    '1. Daily volume > 1,000 requests? yes'

    A reasoning task where no eval has been run yet:

    >>> decision_tree(10_000, 500, 8, False).recommendation
    'run the eval first'
    >>> decision_tree(10_000, 500, 8, "yes")
    Traceback (most recent call last):
    ...
    TypeError: format_or_style_task must be True or False, got 'yes'
    """
    volume = require_nonnegative("requests_per_day", requests_per_day)
    if not isinstance(volume, float):
        raise TypeError(f"requests_per_day must be a single number, got {short_repr(requests_per_day)}")
    examples = require_int("labeled_examples", labeled_examples, minimum=0)
    gap = require_nonnegative("quality_gap_pct", quality_gap_pct)
    if not isinstance(gap, float):
        raise TypeError(f"quality_gap_pct must be a single number, got {short_repr(quality_gap_pct)}")
    if gap > 100:
        raise ValueError(f"quality_gap_pct must be <= 100, got {short_repr(quality_gap_pct)}")
    style = _require_bool("format_or_style_task", format_or_style_task)
    improves = _require_bool("finetune_improves_eval", finetune_improves_eval, allow_none=True)

    answers = {1: volume > 1_000, 2: examples >= 100, 3: gap > 5, 4: style, 5: improves}
    path: list[str] = []
    for q in DECISION_TREE:
        answer = answers[q.number]
        if answer is None:  # only question 5 can be unanswered
            path.append(f"{q.number}. {_PATH_TEXT[q.number]} not known yet (no eval)")
            return Decision("run the eval first", RUN_THE_EVAL_REASON, path)
        path.append(f"{q.number}. {_PATH_TEXT[q.number]} {'yes' if answer else 'no'}")
        outcome = q.if_yes if answer else q.if_no
        if outcome.startswith("Continue"):
            continue
        recommendation = "fine-tune" if outcome.startswith("Fine-tune") else "prompt"
        return Decision(recommendation, outcome, path)
    raise AssertionError("the tree always exits by question 5")  # pragma: no cover


def decision_tree_table() -> pd.DataFrame:
    """The crossover guide's decision tree as a DataFrame (question, if yes, if no).

    >>> decision_tree_table().loc[3, "if_yes"]
    'Fine-tune -- format tasks benefit most'
    """
    import pandas as pd

    return pd.DataFrame(
        {
            "number": [q.number for q in DECISION_TREE],
            "question": [q.question for q in DECISION_TREE],
            "if_yes": [q.if_yes for q in DECISION_TREE],
            "if_no": [q.if_no for q in DECISION_TREE],
        }
    )


# --------------------------------------------------------------------------------------------
# Data-quality checklist (the crossover guide, "Data Quality Checklist")
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistItem:
    """One criterion of the crossover guide's data-quality checklist."""

    criterion: str
    what: str
    why: str
    threshold: str


#: The crossover guide's six criteria: what each means and why it matters, with the threshold the
#: workbook checks (from the "What it means" column).
DATA_QUALITY_CHECKLIST: tuple[ChecklistItem, ...] = (
    ChecklistItem("Label accuracy", ">95% of examples have correct labels",
                  "Model learns from errors -- 5% label noise = 5%+ accuracy ceiling",
                  "> 95%"),
    ChecklistItem("Distribution match", "Training distribution matches production distribution",
                  "Mismatched distributions = fine-tuned model worse than prompting on real data",
                  "yes"),
    ChecklistItem("Edge case coverage", "10-20% of examples are edge cases",
                  "Models memorize easy patterns; edge cases force generalization",
                  "10% to 20%"),
    ChecklistItem("Consistent format", "All examples follow same input/output schema",
                  "Format inconsistency teaches the model to be inconsistent", "yes"),
    ChecklistItem("No data leakage", "Test examples not in training set",
                  "Inflated eval metrics that collapse in production", "0 examples"),
    ChecklistItem("Diverse examples", "No more than 5% duplicate or near-duplicate examples",
                  "Duplicates cause overfitting to specific patterns", "<= 5%"),
)


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def check_data_quality(
    label_accuracy: float,
    distribution_matches_production: bool,
    edge_case_fraction: float,
    consistent_format: bool,
    test_examples_in_training: int,
    duplicate_fraction: float,
) -> pd.DataFrame:
    """Check a training set against the crossover guide's six-point data-quality checklist.

    Thresholds, from the source's "What it means" column: label accuracy **above** 95%
    (exactly 95% fails); training distribution matches production; 10% to 20% edge cases
    (both ends pass); one input/output schema; **no** test example in the training set; no more
    than 5% duplicates or near-duplicates (exactly 5% passes).

    Parameters
    ----------
    label_accuracy : float
        Fraction of examples whose label is correct, 0 to 1 (e.g. from a re-labelled sample).
    distribution_matches_production : bool
        Whether the training inputs look like production traffic.
    edge_case_fraction : float
        Fraction of examples that are edge cases, 0 to 1.
    consistent_format : bool
        Whether every example follows the same input/output schema.
    test_examples_in_training : int
        How many held-out test examples also appear in the training set (whole number >= 0).
    duplicate_fraction : float
        Fraction of examples that duplicate or nearly duplicate another, 0 to 1.

    Returns
    -------
    pandas.DataFrame
        One row per criterion, columns ``criterion``, ``value`` (as text), ``threshold``,
        ``passed`` (bool) and ``why`` (the source's reason).

    Raises
    ------
    ValueError, TypeError
        For a fraction outside [0, 1], a non-bool yes/no, or a negative or fractional count.

    Examples
    --------
    A set that fails only on label noise (94% correct):

    >>> t = check_data_quality(0.94, True, 0.15, True, 0, 0.02)
    >>> t.loc[~t["passed"], "criterion"].tolist()
    ['Label accuracy']
    >>> t.loc[0, "why"]
    'Model learns from errors -- 5% label noise = 5%+ accuracy ceiling'
    >>> check_data_quality(94, True, 0.15, True, 0, 0.02)
    Traceback (most recent call last):
    ...
    ValueError: label_accuracy must be between 0 and 1, got 94
    """
    import pandas as pd

    acc = _scalar_fraction("label_accuracy", label_accuracy)
    dist = _require_bool("distribution_matches_production", distribution_matches_production)
    edge = _scalar_fraction("edge_case_fraction", edge_case_fraction)
    fmt = _require_bool("consistent_format", consistent_format)
    leaked = require_int("test_examples_in_training", test_examples_in_training, minimum=0)
    dup = _scalar_fraction("duplicate_fraction", duplicate_fraction)

    values = [_pct(acc), "yes" if dist else "no", _pct(edge), "yes" if fmt else "no",
              f"{leaked:,} examples", _pct(dup)]
    passed = [acc > 0.95, bool(dist), 0.10 <= edge <= 0.20, bool(fmt), leaked == 0,
              dup <= 0.05]
    return pd.DataFrame(
        {
            "criterion": [c.criterion for c in DATA_QUALITY_CHECKLIST],
            "value": values,
            "threshold": [c.threshold for c in DATA_QUALITY_CHECKLIST],
            "passed": pd.array(passed, dtype=bool),
            "why": [c.why for c in DATA_QUALITY_CHECKLIST],
        }
    )


def _scalar_fraction(name: str, value: Any) -> float:
    x = require_fraction(name, value)
    if not isinstance(x, float):
        raise TypeError(f"{name} must be a single number, got {short_repr(value)}")
    return x
