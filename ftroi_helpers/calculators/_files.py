"""Save a calculator's numbers to a scenario file and load them back: ``calc.save("my.toml")``.

Every :class:`~ftroi_helpers.calculators._base.Calculator` has these methods (this mixin):

``save(path)``
    Writes the calculator's numbers into the file. A file that exists already keeps everything
    else it holds, so several calculators can share one file: each writes the controls that
    changed since it last loaded or saved (all of them the first time). A new file also gets
    the whole scenario the calculator works with (the capstone's fixed assumptions too).
``load(path)``
    Sets the controls from the file (a cost-model field it leaves out is the model's default;
    a decision-tree answer it leaves out keeps the calculator's value) and takes the file's
    other assumptions; returns the calculator, so ``calculators.capstone().load("my.toml")``
    shows it.
``use_file(path)``
    Loads the file if it exists (and writes back what it lacked), else creates it; from then
    on a **Save to <file>** button under the calculator (or ``save()`` with no path) writes
    your changes to it. Nothing is written while you explore: a drag never changes the file
    behind your back. The worksheet (lesson 07) uses this.

What a control means in a file follows from its name:

* a control named after a :class:`~ftroi_helpers.cost_model.Scenario` field is that field;
  ``usd_per_gpu_hour`` is the hosting fee over 730 hours a month, and ``X_pct`` is the field
  ``X_per_year`` in percent;
* a control named after a decision-tree answer (``labeled_examples``, ``quality_gap_pct``...)
  is that answer;
* ``uncertainty_pct`` is the Monte Carlo's +/- spread;
* a calculator may add more through ``file_extras()`` (the prompt calculator: tokens, prices
  and texts) and read more through ``controls_from_file(sf)``.
"""

from __future__ import annotations

import dataclasses
from functools import partial
from pathlib import Path
from typing import Any

__all__ = ["ScenarioFileMixin"]

#: The decision-tree calculator's dropdown texts for question 5, by file answer.
_EVAL_TEXT = {"unknown": "unknown (no eval yet)", "yes": "yes", "no": "no"}
_MISSING = object()


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _file_answer(name: str, value: Any) -> Any:
    """A decision-tree control's value as the file writes it."""
    if name == "finetune_improves_eval":
        if isinstance(value, str):
            return {v: k for k, v in _EVAL_TEXT.items()}.get(value, value)
        return {True: "yes", False: "no", None: "unknown"}[value]
    if name == "labeled_examples":
        return int(value)
    return value


class ScenarioFileMixin:
    """``save``, ``load`` and ``use_file`` for a calculator (see the module docstring)."""

    def scenario_file(self, base: Any = None, names: Any = None) -> Any:
        """The calculator's numbers written over ``base`` (a ScenarioFile; default: a new one).

        ``names`` limits the controls written (default: all). Returns a
        :class:`~ftroi_helpers.scenario_file.ScenarioFile`.

        Raises
        ------
        ValueError
            While the calculator shows an error (fix the setting first).
        TypeError
            For a calculator with nothing a scenario file holds.
        """
        from ..cost_model import Scenario
        from ..hosting import HOURS_PER_MONTH
        from ..scenario_file import _TREE_KEYS, ScenarioFile, _without_side

        outcome = getattr(self, "outcome", None)
        if outcome is None:
            raise ValueError("the calculator shows an error: fix the setting it names, then save "
                             f"({getattr(self, 'error', '')})")
        fresh = base is None
        if fresh:
            base = getattr(self, "_loaded_file", None) or ScenarioFile()
        values = self.values()  # type: ignore[attr-defined]
        chosen = set(values) if names is None else set(names)
        fields = {f.name for f in dataclasses.fields(Scenario)}
        cost: dict[str, Any] = {}
        scenario = outcome.data.get("scenario")
        if fresh and isinstance(scenario, Scenario):
            cost = {name: getattr(scenario, name) for name in fields}
        tree: dict[str, Any] = {}
        changes: dict[str, Any] = {}
        uncertainty = dict(base.uncertainty)
        for name in chosen:
            value = values[name]
            if name in fields:
                cost[name] = value
            elif name == "usd_per_gpu_hour":
                cost["hosting_usd_per_month"] = value * HOURS_PER_MONTH
            elif name.endswith("_pct") and f"{name[:-4]}_per_year" in fields:
                cost[f"{name[:-4]}_per_year"] = value / 100
            elif name in _TREE_KEYS:
                tree[name] = _file_answer(name, value)
            elif name == "uncertainty_pct":
                uncertainty["spread_pct"] = float(value)
        if tree:
            changes["decision_tree"] = {**base.decision_tree, **tree}
        answer = outcome.data.get("answer")  # the capstone's: its Monte Carlo and ranges
        mc = outcome.data.get("monte_carlo") or getattr(answer, "monte_carlo", None)
        if answer is not None and fresh and not base.ranges:
            changes["ranges"] = _capstone_ranges(self, answer.scenario)
        if mc is not None and (fresh or "uncertainty_pct" in chosen):
            # the report then draws what the calculator drew, unless the file says otherwise
            for key, value in (("n_draws", mc.n_draws), ("seed", mc.seed),
                               ("within_months", mc.within_months),
                               ("distribution", mc.distribution)):
                if fresh:
                    uncertainty[key] = value
                else:
                    uncertainty.setdefault(key, value)
        if uncertainty != dict(base.uncertainty):
            changes["uncertainty"] = uncertainty
        extras = getattr(self, "file_extras", None)
        derived = set(base.derived)
        if extras is not None and chosen:
            more = dict(extras(base))
            cost.update(more.pop("cost", {}))
            derived = set(more.pop("derived", derived))
            changes.update(more)
        elif not cost and not tree and "uncertainty_pct" not in chosen and names is None:
            raise TypeError(f"this calculator ({type(self).__name__}) has nothing a scenario file "
                            "holds: save from capstone(), decision_tree() or prompt_cost()")
        if cost:
            prices = changes.get("prices", base.prices)
            for name in sorted(derived & set(cost)):
                if extras is None and not _same(cost[name], getattr(base.scenario, name)):
                    # a control moved a cost the file works out from tokens x prices: the
                    # control's value is kept, and that side's per-token prices are dropped
                    derived.discard(name)
                    prices = _without_side(prices, name)
            if prices is not base.prices:
                changes["prices"] = prices
            changes["scenario"] = dataclasses.replace(base.scenario, **cost)
            changes["given"] = (base.given | set(cost)) - derived
            changes["derived"] = frozenset(derived)
        return dataclasses.replace(base, **changes)

    def save(self, path: str | Path | None = None) -> Path:
        """Save the calculator's numbers into a scenario file (``.toml`` or ``.json``).

        An existing file keeps everything else it holds (see the module docstring).

        Parameters
        ----------
        path : str or Path, optional
            Where to write, e.g. ``"my.toml"``; ``ftroi report my.toml`` reports on it. Default:
            the file given to :meth:`use_file`.

        Returns
        -------
        Path
            The file written.

        Raises
        ------
        ValueError, TypeError
            While the calculator shows an error, for a calculator with nothing to save, for a
            file that exists but cannot be read, or a path that cannot be written.
        """
        from ..scenario_file import load

        if path is None:
            path = getattr(self, "_file", None)
            if path is None:
                raise ValueError("path must be given (a file name such as 'my.toml'), or call "
                                 "use_file(path) first")
        target = Path(path)
        synced = getattr(self, "_synced", None)
        values = self.values()  # type: ignore[attr-defined]
        if target.exists():
            base = load(target)
            names = None if synced is None else [
                n for n, v in values.items() if synced.get(n, _MISSING) != v]
            sf = self.scenario_file(base, names)
        else:
            sf = self.scenario_file()
        out = sf.save(target)
        self._loaded_file = sf
        self._synced = values
        return out

    def load(self, path: str | Path) -> Any:
        """Set the calculator from a scenario file (the inverse of :meth:`save`).

        Controls take the file's values, and assumptions the calculator has no control for come
        from the file too. A cost-model field the file leaves out is the model's default (as the
        file's comments say); a decision-tree answer or Monte Carlo setting it leaves out keeps
        the calculator's value.

        Parameters
        ----------
        path : str or Path
            A ``.toml`` or ``.json`` scenario file.

        Returns
        -------
        Calculator
            The calculator itself, so ``calculators.capstone().load("my.toml")`` shows it.

        Raises
        ------
        ValueError, TypeError
            For a file that cannot be read or checked (the message names the file).
        """
        from ..hosting import HOURS_PER_MONTH
        from ..scenario_file import load

        sf = load(path)
        self._loaded_file = sf
        self._loading = True
        compute = self.compute  # type: ignore[has-type]
        if isinstance(compute, partial) and "scenario" in compute.keywords:
            keywords = {**compute.keywords, "scenario": sf.scenario}
            if "ranges" in keywords:  # the Monte Carlo draws over the file's own ranges
                keywords.update(_monte_carlo_keywords(sf))
            self.compute = partial(compute.func, *compute.args, **keywords)
        # a scenario file defines the whole scenario: a field it leaves out is the cost model's
        # default (its comments say so), never the calculator's own starting value
        values: dict[str, Any] = {}
        for name in self.controls:  # type: ignore[attr-defined]
            per_year = f"{name[:-4]}_per_year" if name.endswith("_pct") else ""
            if hasattr(sf.scenario, name):
                values[name] = getattr(sf.scenario, name)
            elif name == "usd_per_gpu_hour":
                values[name] = sf.scenario.hosting_usd_per_month / HOURS_PER_MONTH
            elif per_year and hasattr(sf.scenario, per_year):
                values[name] = getattr(sf.scenario, per_year) * 100
            elif name == "uncertainty_pct" and "spread_pct" in sf.uncertainty:
                values[name] = sf.uncertainty["spread_pct"]
            elif name in sf.decision_tree:
                value = sf.decision_tree[name]
                values[name] = _EVAL_TEXT[value] if name == "finetune_improves_eval" else value
            elif name == "requests_per_day":
                values[name] = sf.requests_per_day
        more = getattr(self, "controls_from_file", None)
        if more is not None:
            values.update(more(sf))
        try:
            self.set(**values)  # type: ignore[attr-defined]
        finally:
            self._loading = False
        self._synced = {n: v for n, v in self.values().items()  # type: ignore[attr-defined]
                        if n in values}
        return self

    def use_file(self, path: str | Path) -> Any:
        """Work with ``path``: load it (or create it); the Save button writes changes to it.

        Parameters
        ----------
        path : str or Path
            The worksheet's scenario file, e.g. ``"my_decision.toml"``.

        Returns
        -------
        Calculator
            The calculator itself (a notebook cell shows it).

        Raises
        ------
        ValueError, TypeError
            For a file that exists but cannot be read or checked.
        """
        target = Path(path).absolute()  # later saves go here, whatever the working folder
        if target.exists():
            self.load(target)
        if self.outcome is not None:  # type: ignore[attr-defined]
            self.save(target)  # creates it, or adds what the file lacked
        self._file = target
        if getattr(self, "save_button", None) is None:
            self.save_button = _save_button(self)
            self.children = (*self.children, self.save_button)  # type: ignore[has-type]
        self.save_button.description = f"Save to {target.name}"
        return self


def _save_button(calc: Any) -> Any:
    """A button that writes the calculator's numbers to its file (only when clicked)."""
    import ipywidgets as widgets

    button = widgets.Button(icon="save", tooltip="Write these numbers to the scenario file",
                            layout=widgets.Layout(width="max-content"))

    def on_click(_button: Any) -> None:
        try:
            calc.save()
        except (OSError, TypeError, ValueError) as exc:  # shown, never raised
            calc._fail(f"could not save to {calc._file}: {exc}")

    button.on_click(on_click)
    return button


def _monte_carlo_keywords(sf: Any) -> dict[str, Any]:
    """The capstone's Monte Carlo as the report runs it: the file's ranges (or its +/- spread),
    draws, seed, deadline and distribution."""
    from ..report import _ranges

    settings = sf.settings()
    return {"ranges": _ranges(sf)[0], "n_draws": int(settings["n_draws"]),
            "seed": int(settings["seed"]), "within_months": int(settings["within_months"]),
            "distribution": settings["distribution"]}


def _capstone_ranges(calc: Any, scenario: Any) -> dict[str, tuple[float, float]]:
    """The ranges the capstone calculator draws over (as ``capstone_answer`` widens them)."""
    from ..sensitivity import ranges_containing

    compute = calc.compute
    ranges = compute.keywords.get("ranges") if isinstance(compute, partial) else None
    return {k: (float(lo), float(hi)) for k, (lo, hi) in
            ranges_containing(scenario, ranges).items()}
