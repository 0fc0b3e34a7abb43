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
import math
import numbers
import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as widgets

from ..plots import figure_to_png, new_figure
from ..validation import short_repr
from ._files import ScenarioFileMixin

__all__ = ["Calculator", "Outcome", "checkbox", "dropdown", "float_slider", "int_slider",
           "number_box"]

_STYLE = {"description_width": "initial"}
_LAYOUT = widgets.Layout(width="700px")

#: The largest whole number a browser holds exactly (2**53 - 1): an integer control stops there.
MAX_SAFE_INTEGER = 2**53 - 1

#: Attribute on a control holding the value it was asked to start at, until the
#: :class:`Calculator` puts it in (widening a slider's range, or refusing it by name).
_REQUESTED = "_ftroi_requested"


@dataclass
class Outcome:
    """What a compute function returns: the sentence, and data for the figure."""

    sentence: str
    data: Mapping[str, Any] = field(default_factory=dict)
    #: Optional figure title (defaults to the sentence).
    title: str | None = None
    #: Optional text alternative for the figure (defaults to "Chart: title. sentence").
    alt: str | None = None


def _start(widget: widgets.Widget, value: Any) -> widgets.Widget:
    """Remember the value a control should start at; the Calculator puts it in."""
    setattr(widget, _REQUESTED, value)
    return widget


def _inside(value: Any, low: float, high: float) -> float:
    """A placeholder inside [low, high] until the real start value is checked."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        try:
            x = float(value)
        except OverflowError:
            return low
        if math.isfinite(x):
            return min(max(x, low), high)
    return low


def field_label(name: str) -> str:
    """A Scenario field's control description: its label in the fields' registry, capitalised.

    >>> field_label("retrain_every_months")
    'Retrain every N months (0 = never)'
    """
    from ..scenario import SCENARIO_FIELDS

    label = SCENARIO_FIELDS[name].label
    return label[:1].upper() + label[1:]


def float_slider(description: str, value: float, min: float, max: float, step: float,
                 fmt: str = ",.2f") -> widgets.FloatSlider:
    """A slider with a units-bearing description that updates on release (debounced).

    ``min`` and ``max`` are the usual range; a start value outside it widens the range (the
    :class:`Calculator` does this, so nothing is clamped).
    """
    w = widgets.FloatSlider(value=_inside(value, min, max), min=min, max=max, step=step,
                            description=description, readout_format=fmt,
                            continuous_update=False, style=_STYLE, layout=_LAYOUT)
    return _start(w, value)


def int_slider(description: str, value: int, min: int, max: int, step: int = 1,
               fmt: str = ",d") -> widgets.IntSlider:
    """An integer slider that updates on release (a start value outside widens the range)."""
    w = widgets.IntSlider(value=int(_inside(value, min, max)), min=min, max=max, step=step,
                          description=description, readout_format=fmt, continuous_update=False,
                          style=_STYLE, layout=_LAYOUT)
    return _start(w, value)


def number_box(description: str, value: float) -> widgets.FloatText:
    """A free-typed number (for values a slider would make awkward)."""
    w = widgets.FloatText(value=_inside(value, -math.inf, math.inf), description=description,
                          style=_STYLE, layout=_LAYOUT, continuous_update=False)
    return _start(w, value)


def dropdown(description: str, options: list, value: Any) -> widgets.Dropdown:
    """A choice among ``options`` (labels and values, as ipywidgets takes them)."""
    w = widgets.Dropdown(options=options, description=description, style=_STYLE,
                         layout=_LAYOUT)
    return _start(w, value)


def checkbox(description: str, value: bool) -> widgets.Checkbox:
    """A yes/no question."""
    w = widgets.Checkbox(value=False, description=description, style=_STYLE, indent=False,
                         layout=widgets.Layout(width="700px"))
    return _start(w, value)


def _choices(w: widgets.Dropdown) -> list[Any]:
    return [o[1] if isinstance(o, tuple) else o for o in w.options]


def checked_value(name: str, w: widgets.Widget, value: Any) -> Any:
    """``value`` if control ``w`` can hold it exactly, else a ValueError/TypeError naming ``name``.

    Numbers must be finite real numbers (an integer control needs a whole number a browser can
    hold); a dropdown takes one of its options; a checkbox takes True or False.
    """
    if isinstance(w, widgets.Dropdown):
        options = _choices(w)
        try:
            found = value in options
        except Exception:  # noqa: BLE001 - e.g. an array compared with strings
            found = False
        if not found:
            listed = ", ".join(short_repr(o) for o in options)
            raise ValueError(f"{name} must be one of {listed}, got {short_repr(value)}")
        return value
    if isinstance(w, (widgets.Text, widgets.Textarea)):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be text, got {short_repr(value)} "
                            f"({type(value).__name__})")
        return value
    if isinstance(w, widgets.Checkbox):
        if not isinstance(value, bool):
            raise TypeError(f"{name} must be True or False, got {short_repr(value)} "
                            f"({type(value).__name__})")
        return value
    if isinstance(w, (widgets.IntSlider, widgets.IntText, widgets.BoundedIntText)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be a whole number, got {short_repr(value)} "
                            f"({type(value).__name__})")
        if isinstance(value, numbers.Integral):
            whole = int(value)
        else:
            x = float(value)
            if not math.isfinite(x):
                raise ValueError(f"{name} must be a finite whole number, got {short_repr(x)}")
            if not x.is_integer():
                raise TypeError(f"{name} must be a whole number, got {short_repr(x)}")
            whole = int(x)
        if abs(whole) > MAX_SAFE_INTEGER:
            raise ValueError(f"{name} is too large for this control (at most "
                             f"{MAX_SAFE_INTEGER:,}), got {short_repr(whole)}")
        return whole
    if isinstance(w, (widgets.FloatSlider, widgets.FloatText, widgets.BoundedFloatText,
                      widgets.FloatLogSlider)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be a number, got {short_repr(value)} "
                            f"({type(value).__name__})")
        try:
            x = float(value)
        except OverflowError:
            raise ValueError(f"{name} is too large: at most 1.8e308, got "
                             f"{short_repr(value)}") from None
        if not math.isfinite(x):
            raise ValueError(f"{name} must be a finite number, got {short_repr(x)}")
        return x
    return value


def _put(w: widgets.Widget, value: Any) -> None:
    """Set a checked value, widening a slider's range first so it is never clamped."""
    if isinstance(w, (widgets.FloatSlider, widgets.IntSlider)):
        if value < w.min:
            w.min = value
        if value > w.max:
            w.max = value
    w.value = value


_NONSENSE = re.compile(r"(?<![A-Za-z])(nan|-?inf)(?![A-Za-z])|\$-?inf", re.I)


class Calculator(ScenarioFileMixin, widgets.VBox):
    """A labelled set of controls, a one-sentence result and a figure updated in place.

    Nothing is clamped: a start value or :meth:`set` value outside a slider's range widens
    the range, and a value a control cannot hold (text, NaN, infinity, a fraction for a whole
    number) is refused with a ValueError or TypeError naming the control. Any error while
    computing or drawing shows as the message beside the controls, with the figure hidden
    until the next good result.

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
        # Put in the values the controls were asked to start at: widen, or refuse by name.
        for name, w in self.controls.items():
            if hasattr(w, _REQUESTED):
                _put(w, checked_value(name, w, getattr(w, _REQUESTED)))
                delattr(w, _REQUESTED)
        self.compute = compute
        self._draw, self._redraw = draw, redraw
        self.message = widgets.HTML(layout=widgets.Layout(min_height="2.2em"))
        # An <img> in HTML rather than widgets.Image, which has no alt text.
        self.image = widgets.HTML(layout=widgets.Layout(max_width="700px"))
        self.image.add_class("ftroi-figure")
        self.fig = self.ax = self._artists = None
        #: The control values the figure shows (None before the first figure).
        self._drawn_values: dict[str, Any] | None = None
        self._title_kw: dict[str, float] = {}
        self._figsize = figsize
        self.outcome: Outcome | None = None
        self.error: str | None = None
        heading = widgets.HTML(f"<h4 style='margin:0.2em 0'>{html.escape(title)}</h4>")
        self.typed: dict[str, widgets.ValueWidget] = {}
        rows = []
        for name, w in self.controls.items():
            if isinstance(w, (widgets.FloatSlider, widgets.IntSlider)):
                self.typed[name] = typed = _typed_box(w, name, self._fail)
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
        """Set controls by name (as a user would) and update once. For tests and lessons.

        Every value is checked before any is set: a value a control cannot hold raises a
        ValueError or TypeError naming the control and changes nothing. A number outside a
        slider's range widens the range.
        """
        unknown = set(values) - set(self.controls)
        if unknown:
            listed = ", ".join(sorted(map(str, unknown)))
            raise TypeError(f"unknown control(s): {listed}; the controls are "
                            f"{', '.join(self.controls)}")
        checked = {name: checked_value(name, self.controls[name], value)
                   for name, value in values.items()}
        with self.hold_trait_notifications():
            for name, value in checked.items():
                w = self.controls[name]
                w.unobserve(self._on_change, names="value")
                try:
                    _put(w, value)
                finally:
                    w.observe(self._on_change, names="value")
        self.update()

    def _on_change(self, _change: Any) -> None:
        self.update()

    def update(self) -> None:
        """Recompute from the controls; show the sentence or the error in the same spot.

        Never raises: a bad setting shows its message; any other failure while computing or
        drawing shows as an internal error. Either way the figure is hidden (it no longer
        matches the controls) until a good result redraws it.
        """
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", RuntimeWarning)
                outcome = self.compute(**self.values())
        except (ValueError, TypeError) as exc:
            self._fail(str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - shown beside the controls, never raised
            self._fail(_internal(exc))
            return
        if _NONSENSE.search(outcome.sentence):  # a number too large to show became "inf"
            self._fail("The result could not be computed: a number in it is too large to show")
            return
        self.outcome, self.error = outcome, None
        self.message.value = (
            f"<div class='ftroi-result' style='font-size:1.15em'>{html.escape(outcome.sentence)}</div>"
        )
        self.message.add_class("ftroi-ok")
        if self._draw is not None:
            values = self.values()
            try:
                # Back to the values the figure already shows (after an error, say): show it
                # again as it is, instead of drawing the same picture twice.
                if self.fig is None or values != self._drawn_values:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        self._render(outcome)
                    self._drawn_values = values
            except Exception as exc:  # noqa: BLE001 - shown beside the controls, never raised
                self.fig = self.ax = self._artists = None  # start the figure afresh next time
                self._drawn_values = None
                if "NaN or Inf" in str(exc) or isinstance(exc, (OverflowError,
                                                                FloatingPointError)):
                    self._fail("The figure could not be drawn: these numbers are too large to "
                               "chart (beyond 1e308 once scaled); try smaller values")
                else:
                    self._fail(f"The figure could not be drawn: {_internal(exc)}")
                return
            self.image.layout.display = None
            self.image.remove_class("ftroi-stale")

    def _fail(self, message: str) -> None:
        """Show ``message`` in place of the result; hide the figure, which is now stale."""
        self.outcome, self.error = None, message
        self.message.value = (
            "<div class='ftroi-error' role='alert' style='color:#a00000;font-weight:bold'>"
            f"&#9888; {html.escape(self._explained(message))}</div>"
        )
        self.message.remove_class("ftroi-ok")
        self.image.layout.display = "none"
        self.image.add_class("ftroi-stale")

    def _explained(self, message: str) -> str:
        """The message, with the label of the control it names (the learner sees labels)."""
        for name, w in self.controls.items():
            if re.search(rf"(?<![A-Za-z_]){re.escape(name)}(?![A-Za-z_])", message):
                label = getattr(w, "description", "") or name
                return f"{label}: {message}"
        return message

    def _render(self, outcome: Outcome) -> None:
        # 15-30 ms on a 2-core machine (benchmarks/, row 3): the figure is drawn on a canvas
        # that rasterizes each distinct label once, and saved as PNG at zlib level 1 (see
        # plots.new_figure and plots.figure_to_png).
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
        if self.error is not None:
            return self.error
        return self.outcome.sentence if self.outcome else ""


def _internal(exc: BaseException) -> str:
    """One line for an unexpected failure (not a bad setting)."""
    if isinstance(exc, MemoryError):
        return "these settings need more memory than this machine has; try smaller values"
    if isinstance(exc, (OverflowError, FloatingPointError, RuntimeWarning)):
        return f"the numbers are too large to compute with ({' '.join(str(exc).split())[:200]})"
    text = " ".join(str(exc).split())[:200]
    return f"internal error ({type(exc).__name__}{': ' + text if text else ''}); please report it"


def _img_html(png: bytes, alt: str) -> str:
    """An ``<img>`` showing PNG bytes, with its text alternative."""
    import base64

    data = base64.b64encode(png).decode("ascii")
    return (f'<img alt="{html.escape(alt, quote=True)}" src="data:image/png;base64,{data}" '
            f'style="max-width:100%;height:auto">')


def _typed_box(slider: widgets.ValueWidget, name: str,
               on_error: Callable[[str], None]) -> widgets.ValueWidget:
    """A number box that holds ``slider``'s value, both ways, so the value can be typed.

    A typed value outside the slider's range widens the range (nothing is clamped). A value the
    slider cannot hold (NaN, infinity, a fraction for a whole number, beyond what a browser holds
    exactly) puts the box back and shows why through ``on_error``, naming control ``name``. The
    box is a FloatText for every slider, so such a value, set by typing or from code, always
    reaches this check instead of failing in the widget's own trait validation.
    """
    box = widgets.FloatText(value=slider.value, description=f"{slider.description}, typed value",
                            style={"description_width": "0px"},
                            layout=widgets.Layout(width="120px"), continuous_update=False)
    box.add_class("ftroi-typed")
    slider.readout = False
    slider.layout = widgets.Layout(width="700px")
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
        problem = None
        try:
            # never clamped: a typed value outside the range widens it (the calculator then
            # says if the value itself is impossible, e.g. a negative cost)
            value = box.value
            if isinstance(slider, widgets.IntSlider) and float(value).is_integer():
                value = int(value)
            _put(slider, checked_value(name, slider, value))
        except (TypeError, ValueError) as exc:
            problem = str(exc)
        finally:
            busy[0] = False
        if box.value != slider.value:
            box.value = slider.value  # the box goes back to what the slider holds
        if problem is not None:
            on_error(problem)

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
