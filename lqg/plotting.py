"""Figures in the style of the paper's Section 5: normalized errors and learned-policy paths; and
annotated heat maps for the sensitivity maps beyond the paper.

Functions take plain arrays (as recorded in :class:`~lqg.algorithms.PGResult`) and draw on
Matplotlib axes; the ``*_figure`` functions build the whole figure with titles and labels.
"""

from __future__ import annotations

import warnings
from typing import Mapping, Sequence

import matplotlib
import matplotlib.pyplot as plt
import numpy as np

__all__ = [
    "annotated_map",
    "error_curves",
    "normalized_error_figure",
    "policy_path",
    "policy_paths_figure",
    "shade_period",
]


def error_curves(ax, iterations: np.ndarray, errors: np.ndarray, *, label: str | None = None,
                 color=None, band: tuple[float, float] = (0.1, 0.9), log: bool = True,
                 floor: float = 1e-12):
    """Draw one normalized-error curve; with several runs, their median and a quantile band.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    iterations : array_like, shape=(n_records,)
    errors : array_like, shape=(n_records,) or (n_records, n_runs)
        Normalized errors; diverged entries (NaN or inf) are left out of the median and band.
    band : (float, float)
        Lower and upper quantiles of the band drawn when there are several runs.
    log : bool
        Logarithmic y axis showing the magnitude :math:`|e|` of the (possibly negative) errors,
        clipped below at ``floor`` so that exact zeros show.
    """
    errors = np.asarray(errors, dtype=float)
    if errors.ndim == 1:
        errors = errors[:, None]
    shown = np.where(np.isfinite(errors), errors, np.nan)
    if log:
        # a player's cost can fall below its Nash cost while the others are off equilibrium, so
        # the normalized error can be negative: on log axes its magnitude is drawn
        shown = np.clip(np.abs(shown), floor, None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN records after divergence
        median = np.nanmedian(shown, axis=1)
        lo, hi = np.nanquantile(shown, band, axis=1)
    (line,) = ax.plot(iterations, median, label=label, color=color, lw=1.4)
    if errors.shape[1] > 1:
        ax.fill_between(iterations, lo, hi, color=line.get_color(), alpha=0.2, lw=0)
    if log:
        ax.set_yscale("log")
    return line


def shade_period(ax, start: float, stop: float, label: str | None = None):
    """Grey band over iterations ``start`` to ``stop`` (the paper's "peak period" in Figure 3)."""
    ax.axvspan(start, stop, color="0.85", zorder=0, label=label)


def normalized_error_figure(iterations: np.ndarray, curves: Mapping[str, np.ndarray], *,
                            title: str, players: Sequence[int] | None = None,
                            shade: tuple[float, float] | None = None, band=(0.1, 0.9),
                            threshold: float | None = None):
    """One panel per player: normalized error against iteration for each labelled set of runs.

    Parameters
    ----------
    iterations : array_like, shape=(n_records,)
    curves : mapping from label to array_like, shape=(n_records, n_runs, N) or (n_records, N)
        E.g. ``{"σ² = 0": result.normalized_error, ...}``.
    title : str
        Figure title.
    players : sequence of int, optional
        Which players get a panel (default: all).
    shade : (float, float), optional
        Iterations to shade grey (see :func:`shade_period`).
    threshold : float, optional
        A horizontal dashed line, e.g. the paper's 0.5 % accuracy level.

    Returns
    -------
    matplotlib.figure.Figure
    """
    first = np.asarray(next(iter(curves.values())))
    N = first.shape[-1]
    players = list(range(N)) if players is None else list(players)
    fig, axes = plt.subplots(1, len(players), figsize=(5.2 * len(players), 3.8), squeeze=False,
                             sharey=True)
    for ax, i in zip(axes[0], players):
        if shade is not None:
            shade_period(ax, *shade)
        for label, err in curves.items():
            err = np.asarray(err)
            err = err[..., i] if err.ndim == 3 else err[:, i]
            error_curves(ax, iterations, err, label=label, band=band)
        if threshold is not None:
            ax.axhline(threshold, color="k", ls="--", lw=0.8)
        ax.set_title(f"player {i + 1}")
        ax.set_xlabel("iteration $m$")
        ax.grid(alpha=0.3, which="both")
    axes[0][0].set_ylabel("|normalized error|")
    axes[0][-1].legend(fontsize="small")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def policy_path(ax, path: np.ndarray, nash: np.ndarray, *, iterations: np.ndarray | None = None,
                highlight: tuple[float, float] | None = None, player: int = 0,
                color: str = "tab:red", label: str | None = None):
    """Path of a learned gain :math:`K_0^i = (K_{00}^i, K_{01}^i)` in the plane, with the Nash gain.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    path : array_like, shape=(n_records, 2)
        The recorded :math:`K_0^i` (entries of the 1 x 2 gain).
    nash : array_like, shape=(2,)
        :math:`K_0^{i*}`, drawn as a blue star as in the paper's figures.
    iterations : array_like, shape=(n_records,), optional
        Needed with ``highlight``.
    highlight : (float, float), optional
        Iterations drawn in black over the path (the paper's grey "peak period").
    player : int
        0-based player index, for the axis labels.
    """
    path = np.asarray(path, dtype=float)
    ax.plot(path[:, 0], path[:, 1], color=color, lw=1.0, label=label)
    ax.plot(*path[0], "o", color="k", ms=4, label="start" if label is None else None)
    if highlight is not None and iterations is not None:
        sel = (iterations >= highlight[0]) & (iterations <= highlight[1])
        ax.plot(path[sel, 0], path[sel, 1], color="0.3", lw=2.2,
                label=f"iterations {highlight[0]:g}-{highlight[1]:g}")
    ax.plot(*np.asarray(nash, dtype=float), "*", color="tab:blue", ms=14, label="Nash equilibrium")
    p = player + 1
    ax.set_xlabel(f"$K^{{{p}}}_{{00}}$")
    ax.set_ylabel(f"$K^{{{p}}}_{{01}}$")
    ax.grid(alpha=0.3)


def policy_paths_figure(iterations: np.ndarray, errors: np.ndarray, paths: np.ndarray,
                        nash: np.ndarray, *, title: str, players: Sequence[int] | None = None,
                        highlight: tuple[float, float] | None = None):
    """The layout of the paper's Figures 3-6: normalized error, then each player's :math:`K_0^i` path.

    Parameters
    ----------
    iterations : array_like, shape=(n_records,)
    errors : array_like, shape=(n_records, N)
        Normalized errors of one run.
    paths : array_like, shape=(n_records, N, 2)
        Recorded :math:`K_0^i` of each player (1 x 2 gains flattened).
    nash : array_like, shape=(N, 2)
        :math:`K_0^{i*}`.
    players : sequence of int, optional
        Which players' paths to draw (default: all).
    highlight : (float, float), optional
        Period shaded in the error panel and drawn in black on the paths.

    Returns
    -------
    matplotlib.figure.Figure
    """
    errors = np.asarray(errors, dtype=float)
    N = errors.shape[-1]
    players = list(range(N)) if players is None else list(players)
    fig, axes = plt.subplots(1, 1 + len(players), figsize=(4.6 * (1 + len(players)), 3.8))
    ax = axes[0]
    if highlight is not None:
        shade_period(ax, *highlight)
    for i in range(N):
        error_curves(ax, iterations, errors[:, i], label=f"player {i + 1}")
    ax.set_xlabel("iteration $m$")
    ax.set_ylabel("|normalized error|")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize="small")
    for ax, i in zip(axes[1:], players):
        policy_path(ax, np.asarray(paths)[:, i], np.asarray(nash)[i], iterations=iterations,
                    highlight=highlight, player=i, label="learned $K_0$")
        ax.set_title(f"player {i + 1}: $K_0^{{{i + 1}}}$")
        ax.legend(fontsize="x-small")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def annotated_map(ax, values, x: Sequence, y: Sequence, *, fmt: str = "{:.0%}", cmap="viridis",
                  vmin: float | None = 0.0, vmax: float | None = 1.0, missing: str = ""):
    """A heat map on equally spaced cells, each cell labelled with its value.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    values : array_like, shape=(len(y), len(x))
        ``values[j, i]`` is drawn at column ``x[i]`` and row ``y[j]`` (row 0 at the bottom).
        NaN cells are left blank and labelled ``missing``.
    x, y : sequence
        The parameter values of the columns and rows, used as tick labels (the cells are evenly
        spaced whatever the values, so a log-spaced grid reads naturally).
    fmt : str
        Format of the labels, e.g. ``"{:.0%}"`` for fractions or ``"{:.2g}"``.
    cmap, vmin, vmax
        As in :meth:`matplotlib.axes.Axes.imshow`; ``None`` limits follow the data.

    Returns
    -------
    matplotlib.image.AxesImage
        For a colour bar.
    """
    values = np.asarray(values, dtype=float)
    if values.shape != (len(y), len(x)):
        raise ValueError(f"values must have shape (len(y), len(x)) = ({len(y)}, {len(x)}); "
                         f"got {values.shape}")
    cmap = matplotlib.colormaps.get_cmap(cmap).with_extremes(bad="0.9")
    image = ax.imshow(np.ma.masked_invalid(values), origin="lower", aspect="auto", cmap=cmap,
                      vmin=vmin, vmax=vmax, interpolation="nearest")
    for j in range(len(y)):
        for i in range(len(x)):
            v = values[j, i]
            if np.isfinite(v):
                red, green, blue, _ = image.cmap(image.norm(v))
                # dark text on light cells: relative luminance of the cell's colour (ITU-R BT.709)
                color = "black" if 0.2126 * red + 0.7152 * green + 0.0722 * blue > 0.45 else "white"
                ax.text(i, j, fmt.format(v), ha="center", va="center", fontsize="small", color=color)
            elif missing:
                ax.text(i, j, missing, ha="center", va="center", fontsize="small", color="0.4")
    ax.set_xticks(range(len(x)), [f"{v:g}" for v in x])
    ax.set_yticks(range(len(y)), [f"{v:g}" for v in y])
    return image
