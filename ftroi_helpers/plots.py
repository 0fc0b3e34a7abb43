"""One plotting style for every figure in the workbook.

* Okabe-Ito colours (safe for the common forms of colour blindness), with distinct line styles
  too, so no line is told apart by colour alone.
* Money on the y axis in USD, time on the x axis in months (or requests), every axis labelled.
* A title that states the answer ("Fine-tuning pays back in month 4"), and the break-even point
  marked and labelled.

Figures are :class:`matplotlib.figure.Figure` objects made without pyplot, so nothing is shown
twice and widgets can redraw one figure in place. matplotlib is imported only when a plot is made.
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING, Any

from .formatting import usd

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .cost_model import TCOResult

__all__ = [
    "OKABE_ITO",
    "PROMPTING_STYLE",
    "FINETUNE_STYLE",
    "alt_text",
    "breakeven_alt",
    "breakeven_figure",
    "cost_curve_alt",
    "cumulative_steps",
    "cost_curve_figure",
    "figure_to_png",
    "new_figure",
    "retraining_lumps",
    "style_axes",
    "usd",
    "with_alt",
]

#: Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
}
PROMPTING_STYLE = {"color": OKABE_ITO["vermillion"], "linestyle": "-", "linewidth": 2.2,
                   "label": "keep prompting (hosted)"}
FINETUNE_STYLE = {"color": OKABE_ITO["blue"], "linestyle": "--", "linewidth": 2.2,
                  "label": "fine-tune"}
MARK_STYLE = {"color": OKABE_ITO["black"], "marker": "o", "markersize": 7, "zorder": 5}


def new_figure(width_in: float = 7.0, height_in: float = 4.0) -> tuple[Figure, Axes]:
    """A figure and its axes, drawn with the Agg renderer (no pyplot, no GUI).

    The canvas is Agg with a text cache (:func:`_text_caching_canvas`): a widget that redraws
    the figure rasterizes each distinct label once, not on every update.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_in, height_in), dpi=100)
    fig.subplots_adjust(left=0.13, right=0.94, top=0.9, bottom=0.14)
    _text_caching_canvas()(fig)
    # Without pyplot there is no inline backend to show a figure: give it a PNG repr so a
    # notebook cell that returns it displays the picture, not "<Figure size ...>", and a mime
    # bundle whose HTML is an <img> with a text alternative (alt_text) for screen readers.
    fig._repr_png_ = functools.partial(figure_to_png, fig)  # type: ignore[attr-defined]
    fig._repr_mimebundle_ = functools.partial(_figure_bundle, fig)  # type: ignore[attr-defined]
    fig.draw = _without_mathtext(fig)  # type: ignore[method-assign]
    ax = fig.add_subplot()
    return fig, ax


def _without_mathtext(fig: Figure) -> Any:
    """``fig.draw`` that first sets every text to plain text (no mathtext) and wraps titles.

    Money is written "$20.00": two dollar signs in one title ("$20.00 vs $15.00") would
    otherwise be typeset as maths (italic, the dollars gone, clipped). Texts added or changed
    after the figure was made (a calculator's new title, a legend) are covered too, because
    the check runs on every draw. A title longer than the figure is wide wraps onto a second
    line instead of running off the edge, and the axes make room for it.
    """
    from matplotlib.text import Text

    draw = fig.draw

    @functools.wraps(draw)
    def plain_text_draw(renderer: Any) -> Any:
        for text in fig.findobj(Text):
            text.set_parse_math(False)
        _fit_titles(fig, renderer)
        return draw(renderer)

    return plain_text_draw


def _fit_titles(fig: Figure, renderer: Any) -> None:
    """Wrap each axes title that would run past the figure's right edge, and make room above."""
    import textwrap

    width_px, height_px = fig.bbox.width, fig.bbox.height
    for ax in fig.axes:
        for title in (ax.title, ax._left_title, ax._right_title):
            text = title.get_text()
            if not text:
                continue
            box = title.get_window_extent(renderer)
            room_px = width_px - max(box.x0, 0.0) - 6
            if box.width > room_px:
                chars = max(20, int(len(text) * room_px / box.width) - 2)
                title.set_text("\n".join(textwrap.fill(line, chars)
                                         for line in text.split("\n")))
                box = title.get_window_extent(renderer)
            if box.y1 > height_px - 4:
                top = fig.subplotpars.top - (box.y1 - height_px + 8) / height_px
                fig.subplots_adjust(top=max(top, 0.5))


def with_alt(fig: Figure, alt: str) -> Figure:
    """Give ``fig`` a text alternative that says what it shows; return ``fig``.

    A notebook then shows the figure as ``<img alt="...">`` (JupyterLab's own PNG renderer
    has no alt text), and the plain-text view of the output is the same sentence.

    >>> fig, ax = new_figure()
    >>> with_alt(fig, "Cumulative cost: prompting crosses fine-tuning at 30,769 requests") is fig
    True
    >>> alt_text(fig)
    'Cumulative cost: prompting crosses fine-tuning at 30,769 requests'
    """
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError(f"alt must be a sentence saying what the figure shows, got {alt!r}")
    fig._ftroi_alt = alt.strip()  # type: ignore[attr-defined]
    fig._repr_mimebundle_ = functools.partial(_figure_bundle, fig)  # type: ignore[attr-defined]
    return fig


def alt_text(fig: Figure) -> str:
    """The figure's text alternative: the one given to :func:`with_alt`, else its titles.

    >>> fig, ax = new_figure()
    >>> _ = ax.set_title("Fine-tuning pays back in month 2", loc="left")
    >>> alt_text(fig)
    'Chart: Fine-tuning pays back in month 2'
    """
    given = getattr(fig, "_ftroi_alt", None)
    if given:
        return given
    titles = []
    if getattr(fig, "_suptitle", None) is not None and fig._suptitle.get_text():
        titles.append(fig._suptitle.get_text())
    for ax in fig.axes:
        for loc in ("left", "center", "right"):
            text = ax.get_title(loc=loc)
            if text:
                titles.append(text)
    return "Chart: " + ("; ".join(titles) if titles else "a figure with no title")


def _figure_bundle(fig: Figure, include: Any = None, exclude: Any = None
                   ) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """What a notebook stores for ``fig``: an ``<img>`` with alt text, the PNG, the alt text."""
    import base64
    import html

    alt = alt_text(fig)
    png = base64.b64encode(figure_to_png(fig)).decode("ascii")
    img = (f'<img class="ftroi-figure" alt="{html.escape(alt, quote=True)}" '
           f'src="data:image/png;base64,{png}" style="max-width:100%;height:auto">')
    return ({"text/html": img, "image/png": png, "text/plain": alt},
            {"image/png": {"alt": alt}})


def cumulative_steps(months: Any, prompting_usd: Any, finetune_usd: Any,
                     lumps_usd: Any) -> tuple[Any, Any, Any]:
    """Cumulative-cost lines with lump payments drawn as vertical steps.

    A one-time or retraining cost is paid at the start of its month; running costs accrue
    through the month. So the fine-tuning line jumps straight up at the start of a month with
    a lump, then rises with the running costs: drawn as points at each month boundary, the
    jump would look like a slope across the whole month.

    Parameters
    ----------
    months : array of month boundaries ``0, 1, ..., H``
    prompting_usd, finetune_usd : cumulative costs at those boundaries (month 0 included:
        fine-tuning's value at 0 is *after* the first lump)
    lumps_usd : lump paid at the start of months ``2 .. H`` (length ``H - 1``; the first
        month's lump is already in ``finetune_usd[0]``)

    Returns
    -------
    (x, prompting, finetune) : arrays where every boundary with a lump appears twice
        (before and after the payment).

    Examples
    --------
    >>> x, p, f = cumulative_steps([0, 1, 2], [0, 10, 20], [5, 6, 12], [5])
    >>> x.tolist(), f.tolist()
    ([0.0, 1.0, 1.0, 2.0], [5.0, 6.0, 11.0, 12.0])
    >>> p.tolist()
    [0.0, 10.0, 10.0, 20.0]
    """
    import numpy as np

    months = np.asarray(months, dtype=float)
    prompting = np.asarray(prompting_usd, dtype=float)
    finetune = np.asarray(finetune_usd, dtype=float)
    lumps = np.asarray(lumps_usd, dtype=float)
    if not (months.shape == prompting.shape == finetune.shape
            and lumps.shape == (max(months.size - 2, 0),)):
        raise ValueError(f"months, prompting_usd and finetune_usd must have one length and "
                         f"lumps_usd two fewer, got {months.size}, {prompting.size}, "
                         f"{finetune.size} and {lumps.size}")
    xs, ps, fs = [months[0]], [prompting[0]], [finetune[0]]
    for k in range(1, months.size):
        xs.append(months[k])
        ps.append(prompting[k])
        fs.append(finetune[k])
        if k < months.size - 1 and lumps[k - 1] != 0:  # paid at the start of month k + 1
            xs.append(months[k])
            ps.append(prompting[k])
            fs.append(finetune[k] + lumps[k - 1])
    return np.asarray(xs), np.asarray(ps), np.asarray(fs)


#: Rendered texts kept by the text cache (least recently used dropped first). A calculator's
#: figure draws 15-30 texts; a few hundred entries cover every figure of a lesson.
TEXT_CACHE_SIZE = 512


@functools.cache
def _text_caching_canvas() -> type:
    """``FigureCanvasAgg`` whose renderer rasterizes each distinct text once.

    matplotlib >= 3.11 shapes and rasterizes every glyph of every label on every draw, which is
    about half the cost of redrawing a calculator's figure. This renderer draws a text once
    into a small transparent image, keyed by everything that changes its pixels (string, font,
    size, angle, colour, alpha, dpi, hinting), and later pastes that image with
    ``draw_image``. Texts are placed on whole pixels (as matplotlib <= 3.10 did), so a label
    that moves (a tick label after the axis rescales) reuses its image. Math text, TeX and
    text that would not fit its scratch image are drawn the ordinary way. Built on first use
    so that importing this module does not import matplotlib.
    """
    from collections import OrderedDict

    import matplotlib as mpl
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg

    cache: OrderedDict[tuple, Any] = OrderedDict()
    direct = object()  # cached verdict: draw this text the ordinary way

    class TextCachingRenderer(RendererAgg):
        def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
            if ismath or not s:
                return super().draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
            features = language = None
            if mtext is not None:
                features = getattr(mtext, "get_fontfeatures", lambda: None)()
                language = getattr(mtext, "get_language", lambda: None)()
            key = (s, tuple(prop.get_family()), prop.get_style(), prop.get_variant(),
                   prop.get_weight(), prop.get_stretch(), prop.get_size_in_points(),
                   prop.get_file(), float(angle), tuple(gc.get_rgb()), gc.get_alpha(),
                   gc.get_forced_alpha(), bool(gc.get_antialiased()), self.dpi,
                   mpl.rcParams["text.hinting"], mpl.rcParams["text.antialiased"],
                   tuple(features) if features else None, str(language) if language else None)
            entry = cache.get(key)
            if entry is None:
                entry = self._rasterize(gc, s, prop, angle, mtext)
                cache[key] = entry
                if len(cache) > TEXT_CACHE_SIZE:
                    cache.popitem(last=False)
            else:
                cache.move_to_end(key)
            if entry is direct:
                return super().draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
            image, dx, dy = entry
            if image is None:  # only blank glyphs
                return None
            paste = self.new_gc()
            paste.copy_properties(gc)  # the clip box and clip path of the text
            paste.set_alpha(None)      # alpha is already in the image
            # (x, y) is the text's origin from the top left; draw_image wants the image's
            # lower-left corner from the bottom left, and its rows bottom up.
            top = round(y) + dy
            self.draw_image(paste, round(x) + dx, self.height - top - image.shape[0], image)
            paste.restore()
            return None

        def _rasterize(self, gc, s, prop, angle, mtext):
            """(image rows bottom up, x offset, y offset from the top) of the text drawn
            with its origin on a whole pixel, or ``direct``."""
            size = prop.get_size_in_points() * self.dpi / 72.0
            # A generous box from the font size alone (measuring the text would lay it out a
            # second time); measured only if the ink reaches the edge of that box.
            drawn = self._rasterize_in(gc, s, prop, angle, mtext, 1.2 * size * len(s),
                                       1.4 * size, 0.5 * size, math.ceil(size) + 4)
            if drawn is None:
                width, height, descent = self.get_text_width_height_descent(s, prop, False)
                drawn = self._rasterize_in(gc, s, prop, angle, mtext, width, height, descent,
                                           2 * math.ceil(size) + 8)
            return direct if drawn is None else drawn

        def _rasterize_in(self, gc, s, prop, angle, mtext, width, height, descent, pad):
            """The text drawn into a scratch image sized for a ``width`` x ``height`` box
            (``descent`` below the baseline) plus ``pad``; None if the ink reached its edge."""
            cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
            corners = [(0.0, -descent), (width, -descent), (width, height - descent),
                       (0.0, height - descent)]
            xs = [cx * cos - cy * sin for cx, cy in corners]
            ys = [cx * sin + cy * cos for cx, cy in corners]
            ox, oy = pad + math.ceil(-min(xs)), pad + math.ceil(max(ys))
            w, h = ox + math.ceil(max(xs)) + pad, oy + math.ceil(-min(ys)) + pad
            scratch = RendererAgg(w, h, self.dpi)
            ink = scratch.new_gc()
            ink.copy_properties(gc)
            ink.set_clip_rectangle(None)
            ink.set_clip_path(None)
            RendererAgg.draw_text(scratch, ink, ox, oy, s, prop, angle, ismath=False,
                                  mtext=mtext)
            ink.restore()
            pixels = np.asarray(scratch.buffer_rgba())
            alpha = pixels[..., 3]
            rows = np.flatnonzero(alpha.any(axis=1))
            if rows.size == 0:
                return (None, 0, 0)
            cols = np.flatnonzero(alpha.any(axis=0))
            r0, r1, c0, c1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
            if r0 == 0 or c0 == 0 or r1 == h or c1 == w:  # ink reached the edge: may be cut
                return None
            image = np.ascontiguousarray(pixels[r0:r1, c0:c1][::-1])
            return (image, int(c0 - ox), int(r0 - oy))

    class TextCachingCanvas(FigureCanvasAgg):
        def get_renderer(self):
            w, h = self.get_width_height(physical=True)
            key = (w, h, self.figure.dpi)
            if getattr(self, "_text_caching_key", None) != key:
                self.renderer = TextCachingRenderer(w, h, self.figure.dpi)
                self._text_caching_key = key
            return self.renderer

    return TextCachingCanvas


def style_axes(ax: Axes, *, title: str, xlabel: str = "month", ylabel: str = "USD",
               money_axis: str | None = "y") -> Axes:
    """Apply the workbook's style: labels with units, a grid, $ tick labels, a legend.

    A log-scaled axis (set before calling this) gets minor ticks at 2 and 5 times each power
    of ten rather than at every integer multiple: easier to read, and a quarter of the ticks
    to draw when a calculator redraws the figure.
    """
    from matplotlib.ticker import FuncFormatter, LogLocator

    ax.set_title(title, loc="left", fontsize=12, fontweight="bold")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    for axis in (ax.xaxis, ax.yaxis):
        if axis.get_scale() == "log":
            axis.set_minor_locator(LogLocator(base=10, subs=(2.0, 5.0)))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fmt = FuncFormatter(lambda v, _pos: usd(v))
    if money_axis == "y":
        ax.yaxis.set_major_formatter(fmt)
    elif money_axis == "x":
        ax.xaxis.set_major_formatter(fmt)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(frameon=False, loc="best")
    return ax


def figure_to_png(fig: Figure) -> bytes:
    """Render ``fig`` to PNG bytes (what a calculator's image widget shows).

    ``savefig`` with zlib level 1: plots are mostly flat colour, so the file is about as small
    as at the default level 6, and encoding takes about 7 ms instead of 11 ms for a 7 x 4 in
    figure (benchmarks/, row 3).

    >>> fig, ax = new_figure()
    >>> figure_to_png(fig)[:8]
    b'\\x89PNG\\r\\n\\x1a\\n'
    """
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", pil_kwargs={"compress_level": 1})
    return buf.getvalue()


def retraining_lumps(scenario: Any, finetune_usd: Any = None) -> Any:
    """USD paid as a lump at the start of months ``2 .. H`` (retraining), zeros if none.

    Worked out by the cost model itself: the same scenario simulated with and without
    retraining differs only by those lumps. ``finetune_usd`` (the scenario's monthly
    fine-tuning costs, if already simulated) saves one simulation.

    >>> from ftroi_helpers import Scenario, replace
    >>> retraining_lumps(replace(Scenario(), retrain_every_months=3))[:4].tolist()
    [0.0, 0.0, 150.0, 0.0]
    """
    import dataclasses

    import numpy as np

    from . import simulate

    horizon = int(scenario.horizon_months)
    if not getattr(scenario, "retrain_every_months", 0) or horizon < 2:
        return np.zeros(max(horizon - 1, 0))
    if finetune_usd is None:
        finetune_usd = simulate(scenario).finetune_usd[0]
    without = simulate(dataclasses.replace(scenario, retrain_every_months=0)).finetune_usd[0]
    lumps = np.asarray(finetune_usd[1:] - without[1:], dtype=float)
    return np.where(np.abs(lumps) < 1e-9, 0.0, lumps)


def cost_curve_alt(months: Any, prompting_usd: Any, finetune_usd: Any, lumps_usd: Any,
                   payback_months: float | None) -> str:
    """A text alternative for a cumulative-cost chart by month.

    >>> cost_curve_alt([0, 1, 2], [0, 3000, 6000], [400, 800, 1200], [0], 0.2)
    'Line chart of cumulative cost (USD) by month, months 0 to 2. Keep prompting (solid line) rises from $0 to $6,000; fine-tuning (dashed line) starts at $400 (one-time costs) and reaches $1,200. Fine-tuning pays back after 0.2 months, where the lines cross.'
    """
    import numpy as np

    months = np.asarray(months, dtype=float)
    lumps = np.asarray(lumps_usd, dtype=float)
    text = (f"Line chart of cumulative cost (USD) by month, months {months[0]:.0f} to "
            f"{months[-1]:.0f}. Keep prompting (solid line) rises from {usd(prompting_usd[0])} "
            f"to {usd(prompting_usd[-1])}; fine-tuning (dashed line) starts at "
            f"{usd(finetune_usd[0])} (one-time costs) and reaches {usd(finetune_usd[-1])}.")
    steps = [int(months[0]) + int(k) + 2 for k in np.flatnonzero(lumps)]
    if steps:
        shown = ", ".join(str(m) for m in steps[:6]) + (" ..." if len(steps) > 6 else "")
        text += (f" It steps up by {usd(float(lumps[lumps != 0][0]))} at the start of each "
                 f"month with a retraining (months {shown}).")
    if payback_months is None or not math.isfinite(payback_months):
        text += " The lines do not cross: fine-tuning does not pay back in this period."
    else:
        text += f" Fine-tuning pays back after {payback_months:.1f} months, where the lines cross."
    return text


def cost_curve_figure(result: TCOResult) -> Figure:
    """Cumulative cost of prompting and of fine-tuning by month, with payback marked.

    One-time and retraining costs are paid at the start of their month, so they are drawn as
    vertical steps (:func:`cumulative_steps`).

    >>> from ftroi_helpers.cost_model import tco, Scenario
    >>> fig = cost_curve_figure(tco(Scenario(hosted_cost_per_1k_req=3.0)))
    >>> fig.axes[0].get_title(loc="left")
    'Fine-tuning pays back in month 2'
    >>> alt_text(fig).endswith("Fine-tuning pays back after 2.0 months, where the lines cross.")
    True
    """
    import numpy as np

    fig, ax = new_figure()
    t = result.table
    # Start both lines at month 0: nothing spent on prompting yet, the one-time cost on
    # fine-tuning. Payback often falls inside month 1, and its marker must sit on the lines.
    months = np.concatenate([[0.0], t["month"].to_numpy(float)])
    prompting = np.concatenate([[0.0], t["prompting_cumulative_usd"]])
    finetune = np.concatenate([[result.scenario.one_time_usd], t["finetune_cumulative_usd"]])
    lumps = retraining_lumps(result.scenario)
    x, p, f = cumulative_steps(months, prompting, finetune, lumps)
    ax.plot(x, p, **PROMPTING_STYLE)
    ax.plot(x, f, **FINETUNE_STYLE)
    if result.payback_months is not None:
        _mark_payback(ax, result)
    style_axes(ax, title=result.summary(), xlabel="month", ylabel="cumulative cost (USD)")
    return with_alt(fig, cost_curve_alt(months, prompting, finetune, lumps,
                                        result.payback_months))


def _mark_payback(ax: Any, result: TCOResult) -> None:
    import numpy as np

    t = result.table
    x = result.payback_months
    months = np.concatenate([[0.0], t["month"].to_numpy(float)])
    y = float(np.interp(x, months, np.concatenate([[0.0], t["prompting_cumulative_usd"]])))
    ax.plot([x], [y], **MARK_STYLE)
    ax.annotate(f"payback: month {x:.1f}", (x, y), xytext=(8, -16),
                textcoords="offset points", fontsize=10)


def breakeven_figure(hosted_cost_per_1k_req: float, self_hosted_cost_per_1k_req: float,
                     one_time_finetune_cost: float, max_requests: float | None = None) -> Figure:
    """Cumulative cost against requests served: two lines that cross at break-even.

    >>> fig = breakeven_figure(15, 2, 400)
    >>> fig.axes[0].get_title(loc="left")
    'Break even after ~30,769 requests'
    """
    from .breakeven import explain_breakeven

    fig, ax = new_figure()
    draw_breakeven(ax, hosted_cost_per_1k_req, self_hosted_cost_per_1k_req,
                   one_time_finetune_cost, max_requests)
    ax.set_title(explain_breakeven(hosted_cost_per_1k_req, self_hosted_cost_per_1k_req,
                                   one_time_finetune_cost), loc="left", fontsize=12,
                 fontweight="bold")
    return with_alt(fig, breakeven_alt(hosted_cost_per_1k_req, self_hosted_cost_per_1k_req,
                                       one_time_finetune_cost))


def breakeven_alt(hosted_cost_per_1k_req: float, self_hosted_cost_per_1k_req: float,
                  one_time_finetune_cost: float) -> str:
    """A text alternative for the break-even chart: what each line does and where they cross.

    >>> breakeven_alt(15, 2, 400)
    'Line chart of cumulative cost (USD) against requests served. Keep prompting (solid line) starts at $0 and rises by $15.00 per 1,000 requests; fine-tuning (dashed line) starts at $400 and rises by $2.00 per 1,000. Prompting crosses fine-tuning at 30,769 requests: the break-even.'
    """
    from .breakeven import breakeven_requests
    from .validation import require_scalar

    for name, value in (("hosted_cost_per_1k_req", hosted_cost_per_1k_req),
                        ("self_hosted_cost_per_1k_req", self_hosted_cost_per_1k_req),
                        ("one_time_finetune_cost", one_time_finetune_cost)):
        require_scalar(name, value)
    be = breakeven_requests(hosted_cost_per_1k_req, self_hosted_cost_per_1k_req,
                            one_time_finetune_cost)
    text = (f"Line chart of cumulative cost (USD) against requests served. Keep prompting "
            f"(solid line) starts at $0 and rises by {usd(hosted_cost_per_1k_req, 2)} per 1,000 "
            f"requests; fine-tuning (dashed line) starts at {usd(one_time_finetune_cost)} and "
            f"rises by {usd(self_hosted_cost_per_1k_req, 2)} per 1,000.")
    if be is not None:
        return text + f" Prompting crosses fine-tuning at {be:,.0f} requests: the break-even."
    return text + " The lines never cross: fine-tuning is not cheaper per request."


def breakeven_series(hosted_cost_per_1k_req: float, self_hosted_cost_per_1k_req: float,
                     one_time_finetune_cost: float, max_requests: float | None = None):
    """x (requests) and the two cumulative-cost lines for :func:`breakeven_figure`.

    Returns ``(requests, prompting_usd, finetune_usd, breakeven)``; the x range is twice the
    break-even (or 100,000 requests when there is none: ``breakeven`` is then None, "never").
    """
    import numpy as np

    from .breakeven import breakeven_requests
    from .validation import finite_result, require_positive, require_scalar

    for name, value in (("hosted_cost_per_1k_req", hosted_cost_per_1k_req),
                        ("self_hosted_cost_per_1k_req", self_hosted_cost_per_1k_req),
                        ("one_time_finetune_cost", one_time_finetune_cost)):
        require_scalar(name, value)
    be = breakeven_requests(hosted_cost_per_1k_req, self_hosted_cost_per_1k_req,
                            one_time_finetune_cost)
    if max_requests is not None:
        max_requests = require_scalar("max_requests", max_requests, require_positive)
    top = max_requests if max_requests else (2 * be if be is not None and be > 0 else 100_000.0)
    inputs = {"hosted_cost_per_1k_req": hosted_cost_per_1k_req,
              "self_hosted_cost_per_1k_req": self_hosted_cost_per_1k_req,
              "one_time_finetune_cost": one_time_finetune_cost, "max_requests": top}
    with np.errstate(over="ignore", invalid="ignore"):
        x = finite_result(np.linspace(0.0, top, 200), "the chart's request axis", inputs)
        prompting = x / 1000.0 * hosted_cost_per_1k_req
        finetune = one_time_finetune_cost + x / 1000.0 * self_hosted_cost_per_1k_req
        # the axes reach a little above the highest line
        finite_result(np.concatenate([prompting, finetune]) * 4, "the chart's cumulative cost",
                      inputs)
    return x, prompting, finetune, be


def draw_breakeven(ax: Axes, hosted_cost_per_1k_req: float, self_hosted_cost_per_1k_req: float,
                   one_time_finetune_cost: float, max_requests: float | None = None) -> dict:
    """Draw the break-even lines on ``ax``; return the artists so a widget can update them."""
    from matplotlib.ticker import FuncFormatter

    x, prompting, finetune, be = breakeven_series(
        hosted_cost_per_1k_req, self_hosted_cost_per_1k_req, one_time_finetune_cost, max_requests)
    (p_line,) = ax.plot(x, prompting, **PROMPTING_STYLE)
    (f_line,) = ax.plot(x, finetune, **FINETUNE_STYLE)
    (mark,) = ax.plot([], [], linestyle="none", **MARK_STYLE)
    label = ax.annotate("", (0, 0), xytext=(8, -16), textcoords="offset points", fontsize=10)
    style_axes(ax, title="", xlabel="requests served", ylabel="cumulative cost (USD)")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
    artists = {"prompting": p_line, "finetune": f_line, "mark": mark, "label": label}
    update_breakeven(ax, artists, x, prompting, finetune, be, one_time_finetune_cost,
                     self_hosted_cost_per_1k_req)
    return artists


def update_breakeven(ax: Axes, artists: dict, x, prompting, finetune, be: float | None,
                     one_time_finetune_cost: float, self_hosted_cost_per_1k_req: float) -> None:
    """Move the existing lines and marker to new data (no new artists); ``be`` None: never."""
    artists["prompting"].set_data(x, prompting)
    artists["finetune"].set_data(x, finetune)
    if be is not None:
        y = one_time_finetune_cost + be / 1000.0 * self_hosted_cost_per_1k_req
        artists["mark"].set_data([be], [y])
        artists["label"].xy = (be, y)
        artists["label"].set_text(f"break-even: {be:,.0f} requests")
    else:
        artists["mark"].set_data([], [])
        artists["label"].set_text("")
    ax.relim()
    ax.autoscale_view()
