"""The machinery every calculator shares.

A calculator is three things, kept apart so each can be tested on its own:

1. labelled **controls** (ipywidgets with units in their descriptions);
2. a pure **compute** function of the control values that returns a :class:`Outcome` (the
   sentence to show plus whatever the figure needs) or raises ``ValueError``/``TypeError``;
3. a **figure** created once; ``draw(ax, outcome)`` builds its artists the first time and
   ``redraw(ax, artists, outcome)`` moves them on later updates, re-rendered to PNG.

The result sentence and any error message share one spot under the controls, so a bad setting
replaces the answer with its message (CSS classes ``ftroi-result`` / ``ftroi-error``). The whole
widget carries the class ``ftroi-calculator``, which the browser tests look for.

Accessibility: every slider sits in a row (class ``ftroi-control-row``) with a number box
(class ``ftroi-typed``) that holds the same value and can be typed into; the box's accessible
name is the slider's description plus ", typed value". The figure is an ``<img>`` whose alt text
says what it shows (:attr:`Outcome.alt`, else the title and the sentence). The slider handles
themselves have no accessible name: ipywidgets 8 renders them (noUiSlider) without one, and a
description does not reach them; the typed box is the accessible way to set the value.

Nothing here waits for a frontend: under nbgrader (``NBGRADER_EXECUTION``) or in a headless kernel
the widget builds, computes its first result and returns.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as widgets

from ..plots import figure_to_png, new_figure

__all__ = ["Calculator", "Outcome", "float_slider", "int_slider", "number_box"]

_STYLE = {"description_width": "initial"}
_LAYOUT = widgets.Layout(width="700px")


@dataclass
class Outcome:
    """What a compute function returns: the sentence, and data for the figure."""

    sentence: str
    data: Mapping[str, Any] = field(default_factory=dict)
    #: Optional figure title (defaults to the sentence).
    title: str | None = None
    #: Optional text alternative for the figure (defaults to "Chart: title. sentence").
    alt: str | None = None


def float_slider(description: str, value: float, min: float, max: float, step: float,
                 fmt: str = ",.2f") -> widgets.FloatSlider:
    """A slider with a units-bearing description that updates on release (debounced)."""
    return widgets.FloatSlider(value=value, min=min, max=max, step=step, description=description,
                               readout_format=fmt, continuous_update=False, style=_STYLE,
                               layout=_LAYOUT)


def int_slider(description: str, value: int, min: int, max: int, step: int = 1,
               fmt: str = ",d") -> widgets.IntSlider:
    """An integer slider that updates on release."""
    return widgets.IntSlider(value=value, min=min, max=max, step=step, description=description,
                             readout_format=fmt, continuous_update=False, style=_STYLE,
                             layout=_LAYOUT)


def number_box(description: str, value: float) -> widgets.FloatText:
    """A free-typed number (for values a slider would make awkward)."""
    return widgets.FloatText(value=value, description=description, style=_STYLE,
                             layout=_LAYOUT, continuous_update=False)


class Calculator(widgets.VBox):
    """A labelled set of controls, a one-sentence result and a figure updated in place.

    Parameters
    ----------
    title : heading shown above the controls
    controls : name -> widget; the names are the keyword arguments of ``compute``
    compute : pure function of the control values returning an :class:`Outcome`
    draw : ``draw(ax, outcome) -> artists``: build the figure's artists (called once)
    redraw : ``redraw(ax, artists, outcome)``: move the artists to a new outcome
    xlabel, ylabel : axis labels with units (applied after ``draw``)
    """

    def __init__(
        self,
        title: str,
        controls: Mapping[str, widgets.ValueWidget],
        compute: Callable[..., Outcome],
        draw: Callable[[Any, Outcome], Any] | None = None,
        redraw: Callable[[Any, Any, Outcome], None] | None = None,
        *,
        figsize: tuple[float, float] = (7.0, 4.0),
    ) -> None:
        self.controls = dict(controls)
        self.compute = compute
        self._draw, self._redraw = draw, redraw
        self.message = widgets.HTML(layout=widgets.Layout(min_height="2.2em"))
        # An <img> in HTML rather than widgets.Image, which has no alt text.
        self.image = widgets.HTML(layout=widgets.Layout(max_width="700px"))
        self.image.add_class("ftroi-figure")
        self.fig = self.ax = self._artists = None
        self._title_kw: dict[str, float] = {}
        self._figsize = figsize
        self.outcome: Outcome | None = None
        self.error: str | None = None
        heading = widgets.HTML(f"<h4 style='margin:0.2em 0'>{html.escape(title)}</h4>")
        self.typed: dict[str, widgets.ValueWidget] = {}
        rows = []
        for name, w in self.controls.items():
            if isinstance(w, (widgets.FloatSlider, widgets.IntSlider)):
                self.typed[name] = typed = _typed_box(w)
                row = widgets.HBox([w, typed])
                row.add_class("ftroi-control-row")
                rows.append(row)
            else:
                rows.append(w)
        box = widgets.VBox(rows)
        children = [heading, box, self.message]
        if draw is not None:
            children.append(self.image)
        super().__init__(children=children)
        self.add_class("ftroi-calculator")
        for w in self.controls.values():
            w.observe(self._on_change, names="value")
        self.update()

    # -- the update cycle --------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """The current control values, by name."""
        return {name: w.value for name, w in self.controls.items()}

    def set(self, **values: Any) -> None:
        """Set controls by name (as a user would) and update once. For tests and lessons."""
        unknown = set(values) - set(self.controls)
        if unknown:
            raise TypeError(f"unknown control(s): {', '.join(sorted(unknown))}")
        with self.hold_trait_notifications():
            for name, value in values.items():
                w = self.controls[name]
                w.unobserve(self._on_change, names="value")
                try:
                    w.value = value
                finally:
                    w.observe(self._on_change, names="value")
        self.update()

    def _on_change(self, _change: Any) -> None:
        self.update()

    def update(self) -> None:
        """Recompute from the controls; show the sentence or the error in the same spot."""
        try:
            outcome = self.compute(**self.values())
        except (ValueError, TypeError) as exc:
            self.outcome, self.error = None, str(exc)
            self.message.value = (
                "<div class='ftroi-error' style='color:#a00000;font-weight:bold'>"
                f"&#9888; {html.escape(str(exc))}</div>"
            )
            self.message.remove_class("ftroi-ok")
            return
        self.outcome, self.error = outcome, None
        self.message.value = (
            f"<div class='ftroi-result' style='font-size:1.15em'>{html.escape(outcome.sentence)}</div>"
        )
        self.message.add_class("ftroi-ok")
        if self._draw is not None:
            self._render(outcome)

    def _render(self, outcome: Outcome) -> None:
        # 15-30 ms on a 2-core machine (benchmarks/, row 3): the figure is drawn on a canvas
        # that rasterizes each distinct label once, and written by a PNG encoder with no row
        # filter and zlib level 1 (see plots.new_figure and plots.figure_to_png).
        if self.fig is None:
            self.fig, self.ax = new_figure(*self._figsize)
            self._artists = self._draw(self.ax, outcome)
            self._title_kw = _title_position(self.fig, self.ax)
        else:
            self._redraw(self.ax, self._artists, outcome)
        self.ax.set_title(outcome.title or outcome.sentence, loc="left", fontsize=12,
                          fontweight="bold", **self._title_kw)
        self.image.value = _img_html(figure_to_png(self.fig), self.alt_text)

    @property
    def alt_text(self) -> str:
        """The figure's text alternative: what it shows, in words."""
        o = self.outcome
        if o is None:
            return ""
        if o.alt:
            return o.alt
        title = o.title or o.sentence
        return f"Chart: {title}." if title == o.sentence else f"Chart: {title}. {o.sentence}"

    @property
    def result_text(self) -> str:
        """The sentence (or error message) currently shown, as plain text."""
        return self.outcome.sentence if self.outcome else (self.error or "")


def _img_html(png: bytes, alt: str) -> str:
    """An ``<img>`` showing PNG bytes, with its text alternative."""
    import base64

    data = base64.b64encode(png).decode("ascii")
    return (f'<img alt="{html.escape(alt, quote=True)}" src="data:image/png;base64,{data}" '
            f'style="max-width:100%;height:auto">')


def _typed_box(slider: widgets.ValueWidget) -> widgets.ValueWidget:
    """A number box that holds ``slider``'s value, both ways, so the value can be typed.

    A typed value outside the slider's range is clamped by the slider, and the box then shows
    the clamped value.
    """
    kind = widgets.IntText if isinstance(slider, widgets.IntSlider) else widgets.FloatText
    box = kind(value=slider.value, description=f"{slider.description}, typed value",
               style={"description_width": "0px"}, layout=widgets.Layout(width="120px"),
               continuous_update=False)
    box.add_class("ftroi-typed")
    slider.readout = False
    slider.layout = widgets.Layout(width="580px")
    busy = [False]

    def from_slider(_change: Any) -> None:
        if not busy[0]:
            busy[0] = True
            try:
                box.value = slider.value
            finally:
                busy[0] = False

    def from_box(_change: Any) -> None:
        if busy[0]:
            return
        busy[0] = True
        try:
            slider.value = box.value  # the slider clamps to its range
        finally:
            busy[0] = False
        if box.value != slider.value:
            box.value = slider.value

    slider.observe(from_slider, names="value")
    box.observe(from_box, names="value")
    return box


def _title_position(fig: Any, ax: Any) -> dict[str, float]:
    """``{"y": 1.0}`` when nothing can sit above the axes, else ``{}``.

    By default matplotlib works out on every draw whether top tick labels, a top x label or the
    y axis' offset text ("1e6") would collide with the title, which costs about a fifth of a
    redraw. A single axes with its x ticks and label at the bottom and a y formatter that never
    writes an offset text has nothing up there, so its title can be pinned where that search
    would put it anyway (just above the axes). Decided once, after ``draw``.
    """
    from matplotlib.ticker import ScalarFormatter

    if (len(fig.axes) == 1 and ax.xaxis.get_ticks_position() == "bottom"
            and ax.xaxis.get_label_position() == "bottom"
            and not isinstance(ax.yaxis.get_major_formatter(), ScalarFormatter)):
        return {"y": 1.0}
    return {}
