"""Save a calculator's numbers to a scenario file, and load them back: ``calc.save("my.toml")``.

Every :class:`~ftroi_helpers.calculators._base.Calculator` has these two methods (this mixin).
What a calculator saves, and what it can load, follows from the names of its controls:

* a control named after a :class:`~ftroi_helpers.cost_model.Scenario` field is that field;
  ``usd_per_gpu_hour`` is the hosting fee over 730 hours a month, and ``X_pct`` is the field
  ``X_per_year`` in percent;
* a control named after a decision-tree answer (``labeled_examples``, ``quality_gap_pct``...)
  is that answer;
* ``uncertainty_pct`` is the Monte Carlo's +/- spread;
* the outcome's ``data["scenario"]`` (the capstone and the cost-curve calculators have one) is
  the whole scenario, controls and fixed assumptions alike;
* a calculator may add more through ``file_extras()`` (the prompt calculator: tokens, prices
  and texts) and read more through ``controls_from_file(sf)``.

A file loaded into a calculator is remembered, so saving again keeps its title, sources, ranges
and caveats.
"""

from __future__ import annotations

import dataclasses
from functools import partial
from pathlib import Path
from typing import Any

__all__ = ["ScenarioFileMixin"]

#: The decision-tree calculator's dropdown texts for question 5, by file answer.
_EVAL_TEXT = {"unknown": "unknown (no eval yet)", "yes": "yes", "no": "no"}


def _tree_keys() -> set[str]:
    from ..scenario_file import _TREE_KEYS

    return set(_TREE_KEYS)


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _without_side(prices: Any, name: str) -> dict[str, Any]:
    """``prices`` without the per-token prices that give ``name`` (hosted or fine-tuned)."""
    if name == "hosted_cost_per_1k_req":
        drop = {"hosted_model", "usd_per_1m_input_tokens", "usd_per_1m_output_tokens",
                "usd_per_1m_cached_input_tokens"}
    else:
        drop = {"finetuned_model", "ft_usd_per_1m_input_tokens", "ft_usd_per_1m_output_tokens",
                "ft_usd_per_1m_cached_input_tokens"}
    return {k: v for k, v in prices.items() if k not in drop}


class ScenarioFileMixin:
    """``save(path)`` and ``load(path)`` for a calculator (see the module docstring)."""

    def scenario_file(self) -> Any:
        """The calculator's current numbers as a :class:`~ftroi_helpers.scenario_file.ScenarioFile`.

        Raises
        ------
        ValueError
            While the calculator shows an error (fix the setting first).
        TypeError
            For a calculator with nothing a scenario file holds.
        """
        from ..cost_model import Scenario
        from ..hosting import HOURS_PER_MONTH
        from ..scenario_file import ScenarioFile

        outcome = getattr(self, "outcome", None)
        if outcome is None:
            raise ValueError("the calculator shows an error: fix the setting it names, then save "
                             f"({getattr(self, 'error', '')})")
        values = self.values()  # type: ignore[attr-defined]
        base = getattr(self, "_loaded_file", None) or ScenarioFile(given=frozenset())
        fields = {f.name for f in dataclasses.fields(Scenario)}
        changes: dict[str, Any] = {}
        cost: dict[str, Any] = {}
        scenario = outcome.data.get("scenario")
        if isinstance(scenario, Scenario):
            cost = {name: getattr(scenario, name) for name in fields}
        for name, value in values.items():
            if name in fields:
                cost[name] = value
            elif name == "usd_per_gpu_hour":
                cost.setdefault("hosting_usd_per_month", value * HOURS_PER_MONTH)
            elif name.endswith("_pct") and f"{name[:-4]}_per_year" in fields:
                cost.setdefault(f"{name[:-4]}_per_year", value / 100)
        tree = {}
        for name in _tree_keys() & set(values):
            value = values[name]
            if name == "finetune_improves_eval":
                value = {v: k for k, v in _EVAL_TEXT.items()}.get(value, value)
                value = {True: "yes", False: "no", None: "unknown"}.get(value, value) \
                    if not isinstance(value, str) else value
            elif name == "labeled_examples":
                value = int(value)
            tree[name] = value
        if tree:
            changes["decision_tree"] = {**base.decision_tree, **tree}
        uncertainty = dict(base.uncertainty)
        if "uncertainty_pct" in values:
            uncertainty["spread_pct"] = float(values["uncertainty_pct"])
        mc = outcome.data.get("monte_carlo")
        if mc is not None:  # the report then draws what the calculator drew
            uncertainty.update(n_draws=mc.n_draws, seed=mc.seed, within_months=mc.within_months,
                               distribution=mc.distribution)
        if uncertainty != dict(base.uncertainty):
            changes["uncertainty"] = uncertainty
        extras = getattr(self, "file_extras", None)
        if extras is not None:
            more = dict(extras())
            cost.update(more.pop("cost", {}))
            changes.update(more)
        if not cost and not tree and extras is None:
            raise TypeError(f"this calculator ({type(self).__name__}) has nothing a scenario file "
                            "holds: save from capstone(), decision_tree() or prompt_cost()")
        if cost:
            derived = set(changes.get("derived", base.derived)) & set(cost)
            for name in sorted(derived):
                if "derived" not in changes and not _same(cost[name], getattr(base.scenario, name)):
                    # a control moved a cost that the file works out from tokens x prices: the
                    # control's value is kept, and that side's per-token prices are dropped
                    derived.discard(name)
                    changes["prices"] = _without_side(changes.get("prices", base.prices), name)
            changes["scenario"] = dataclasses.replace(base.scenario, **cost)
            changes["given"] = (base.given | set(cost)) - derived
            changes["derived"] = frozenset(derived)
        return dataclasses.replace(base, **changes)

    def save(self, path: str | Path) -> Path:
        """Save the calculator's current numbers to a scenario file (``.toml`` or ``.json``).

        Parameters
        ----------
        path : str or Path
            Where to write, e.g. ``"my.toml"``; ``ftroi report my.toml`` reports on it.

        Returns
        -------
        Path
            The file written.

        Raises
        ------
        ValueError, TypeError
            While the calculator shows an error, for a calculator with nothing to save, or for a
            path that cannot be written.
        """
        return self.scenario_file().save(path)

    def load(self, path: str | Path) -> Any:
        """Set the calculator from a scenario file (the inverse of :meth:`save`).

        Controls take the file's values; assumptions the calculator has no control for come
        from the file too. Returns the loaded
        :class:`~ftroi_helpers.scenario_file.ScenarioFile`.

        Raises
        ------
        ValueError, TypeError
            For a file that cannot be read or checked (the message names the file).
        """
        from ..hosting import HOURS_PER_MONTH
        from ..scenario_file import load

        sf = load(path)
        self._loaded_file = sf
        compute = self.compute  # type: ignore[has-type]
        if isinstance(compute, partial) and "scenario" in compute.keywords:
            self.compute = partial(compute.func, *compute.args,
                                   **{**compute.keywords, "scenario": sf.scenario})
        controls = self.controls  # type: ignore[attr-defined]
        values: dict[str, Any] = {}
        tree = sf.tree_answers()
        for name in controls:
            if hasattr(sf.scenario, name):
                values[name] = getattr(sf.scenario, name)
            elif name == "usd_per_gpu_hour":
                values[name] = sf.scenario.hosting_usd_per_month / HOURS_PER_MONTH
            elif name.endswith("_pct") and hasattr(sf.scenario, f"{name[:-4]}_per_year"):
                values[name] = getattr(sf.scenario, f"{name[:-4]}_per_year") * 100
            elif name == "uncertainty_pct":
                values[name] = sf.settings()["spread_pct"]
            elif name in tree:
                value = tree[name]
                if name == "finetune_improves_eval":
                    value = _EVAL_TEXT[sf.decision_tree["finetune_improves_eval"]]
                values[name] = value
        more = getattr(self, "controls_from_file", None)
        if more is not None:
            values.update(more(sf))
        self.set(**values)  # type: ignore[attr-defined]
        return sf
