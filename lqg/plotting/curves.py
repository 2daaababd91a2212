"""Figures in the style of the paper's Section 5: normalized errors and learned-policy paths.

Functions take plain arrays (as recorded in :class:`~lqg.runs.PGResult`) and draw on Matplotlib
axes; the ``*_figure`` functions build the whole figure with titles and labels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["normalized_error_figure", "error_curves", "error_bands_figure", "policy_path_panels",
           "run_in_paper_layout", "readings_figure"]


def error_curves(ax, iterations: np.ndarray, errors: np.ndarray, *, label: str | None = None,
                 color=None, band: tuple[float, float] = (0.1, 0.9), log: bool = True,
                 floor: float = 1e-12):
    """Draw one normalized-error curve; with several runs, their median and a quantile band.

    The median and the band are over all runs, a diverged run counting as an infinite error (the
    definition of :class:`~lqg.experiments.measures.Median`, which the notebooks print): once
    half the runs have diverged, the median is infinite and its line stops. With several runs of
    which some diverged, the label says how many.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    iterations : array_like, shape=(n_records,)
    errors : array_like, shape=(n_records,) or (n_records, n_runs)
        Normalized errors; NaN (a diverged run's records) counts as an infinite error.
    band : (float, float)
        Lower and upper quantiles of the band drawn when there are several runs.
    log : bool
        Logarithmic y axis showing the magnitude :math:`|e|` of the (possibly negative) errors,
        clipped below at ``floor`` so that exact zeros show.
    """
    errors = np.asarray(errors, dtype=float)
    if errors.ndim == 1:
        errors = errors[:, None]
    shown = np.where(np.isnan(errors), np.inf, errors)
    if log:
        # a player's cost can fall below its Nash cost while the others are off equilibrium, so
        # the normalized error can be negative: on log axes its magnitude is drawn
        shown = np.clip(np.abs(shown), floor, None)
    diverged = int(np.count_nonzero(~np.isfinite(errors[-1])))
    if label is not None and errors.shape[1] > 1 and diverged:
        label = f"{label} ({diverged}/{errors.shape[1]} diverged)"
    median, lo, hi = (np.where(np.isfinite(q), q, np.nan) for q in _quantiles(shown, (0.5, *band)))
    (line,) = ax.plot(iterations, median, label=label, color=color, lw=1.4)
    if errors.shape[1] > 1:
        ax.fill_between(iterations, lo, hi, color=line.get_color(), alpha=0.2, lw=0)
    if log:
        ax.set_yscale("log")
    return line


def _quantiles(x: np.ndarray, quantiles) -> list:
    """Quantiles of each row of ``x`` (NumPy's default linear method, infinite entries allowed:
    a quantile between two infinite order statistics is infinite), vectorised over the rows."""
    ordered = np.sort(x, axis=1)
    last = x.shape[1] - 1
    out = []
    for q in quantiles:
        position = q * last
        low = int(np.floor(position))
        high = min(low + 1, last)
        frac = position - low
        with np.errstate(invalid="ignore"):
            value = np.where(frac == 0, ordered[:, low],
                             ordered[:, low] + (ordered[:, high] - ordered[:, low]) * frac)
        out.append(np.where(np.isnan(value), np.inf, value))
    return out


def shade_period(ax, start: float, stop: float, label: str | None = None):
    """Grey band over iterations ``start`` to ``stop`` (the paper's "peak period" in Figure 3)."""
    ax.axvspan(start, stop, color="0.85", zorder=0, label=label)


def normalized_error_figure(iterations: np.ndarray, curves: Mapping[str, np.ndarray], *,
                            title: str, players: Sequence[int] | None = None,
                            shade: tuple[float, float] | None = None, band=(0.1, 0.9),
                            threshold: float | None = None, ylim: tuple | None = None,
                            mark: float | None = None):
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
        Iterations to shade grey (see ``shade_period``).
    threshold : float, optional
        A horizontal dashed line, e.g. the paper's 0.5 % accuracy level.
    ylim : (float, float), optional
        Limits of the (logarithmic) error axis.
    mark : float, optional
        An iteration marked by a dotted vertical line (e.g. the paper's m = 300).

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
        if mark is not None:
            ax.axvline(mark, color="0.5", ls=":", lw=0.8)
        ax.set_title(f"player {i + 1}")
        ax.set_xlabel("iteration $m$")
        ax.grid(alpha=0.3, which="both")
        if ylim is not None:
            ax.set_ylim(*ylim)
    axes[0][0].set_ylabel("|normalized error|")
    axes[0][-1].legend(fontsize="small")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def error_bands_figure(curves: Mapping[str, object], *, title: str, threshold: float | None = None):
    """Both players' error bands for several sets of runs on shared axes: ``curves`` maps a label
    to a :class:`~lqg.runs.PGResult` (the layout of the Figures 4-6 summary)."""
    results = list(curves.values())
    N = results[0].normalized_error.shape[-1]
    fig, axes = plt.subplots(1, N, figsize=(5.5 * N, 3.8), sharey=True, squeeze=False)
    for label, res in curves.items():
        for i in range(N):
            error_curves(axes[0][i], res.iterations, res.normalized_error[..., i], label=label)
    for i, ax in enumerate(axes[0]):
        if threshold is not None:
            ax.axhline(threshold, color="k", ls="--", lw=0.8)
        ax.set_title(f"player {i + 1}")
        ax.set_xlabel("iteration $m$")
        ax.grid(alpha=0.3, which="both")
    axes[0][0].set_ylabel("|normalized error|")
    axes[0][-1].legend(fontsize="x-small")
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


def run_in_paper_layout(result, run: int, nash, *, title: str,
                        highlight: tuple[float, float] | None = None):
    """One run of a batch in the layout of Figures 3-6 (``policy_paths_figure``): its error and
    the path of every player's :math:`K_0^i`, from a :class:`~lqg.runs.PGResult` that recorded
    policies and the game's :class:`~lqg.equilibrium.NashSolution`."""
    paths = np.stack([P[:, run, 0, 0, :] for P in result.policies], axis=1)     # (records, N, 2)
    return policy_paths_figure(result.iterations, result.normalized_error[:, run], paths,
                               np.array([K[0, 0] for K in nash.K]), title=title, highlight=highlight)


def policy_path_panels(results: Mapping[str, object], target: np.ndarray, *, title: str,
                       run: int = 0, player: int = 0):
    """The path of one player's :math:`K_0^i` in one run, one panel per labelled result (Figure 8);
    a diverged run's path stops where it diverged."""
    fig, axes = plt.subplots(1, len(results), figsize=(5.5 * len(results), 4.2), squeeze=False)
    for ax, (label, res) in zip(axes[0], results.items()):
        K0 = res.policies[player][:, run, 0, 0, :]
        finite = np.isfinite(K0).all(axis=-1)
        policy_path(ax, K0[finite], target, player=player, label=f"learned $K_0^{player + 1}$ (seed {run})")
        ax.set_title(label + (f" (diverged at m = {res.diverged_at.flat[run]})"
                              if res.diverged.flat[run] else ""))
        ax.legend(fontsize="x-small")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def readings_figure(results: Mapping[str, Mapping], *, title: str, threshold: float | None = None,
                    ylim: tuple | None = None):
    """Figure 7 under several readings: one row per reading (label -> {sigma^2: PGResult}), one
    column per player, every noise level's median and band."""
    rows = list(results.items())
    N = next(iter(rows[0][1].values())).normalized_error.shape[-1]
    fig, axes = plt.subplots(len(rows), N, figsize=(5.2 * N, 3.4 * len(rows)), squeeze=False,
                             sharey=True, sharex=True)
    for r, (label, runs) in enumerate(rows):
        for i in range(N):
            ax = axes[r][i]
            for s, res in runs.items():
                error_curves(ax, res.iterations, res.normalized_error[..., i],
                             label=f"$\\sigma^2 = {s:g}$")
            if threshold is not None:
                ax.axhline(threshold, color="k", ls="--", lw=0.8)
            if ylim is not None:
                ax.set_ylim(*ylim)
            ax.set_title(f"{label}: player {i + 1}", fontsize="medium")
            ax.grid(alpha=0.3, which="both")
        axes[r][0].set_ylabel("|normalized error|")
    for ax in axes[-1]:
        ax.set_xlabel("iteration $m$")
    axes[0][-1].legend(fontsize="x-small")
    fig.suptitle(title)
    fig.tight_layout()
    return fig
