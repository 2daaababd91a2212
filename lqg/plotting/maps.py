"""Annotated heat maps, for the sensitivity maps and the estimator maps beyond the paper."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib
import numpy as np

__all__ = ["map_panels"]


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


def map_panels(panels: Sequence, x: Sequence, y: Sequence, *, xlabel: str, ylabel: str,
               title: str, vline: float | None = None, figsize=(16, 4.6)):
    """A row of ``annotated_map`` panels over the same grid, each with its colour bar.

    ``panels`` holds ``(values, title, fmt, style)`` per panel: ``values`` of shape
    (len(y), len(x)), ``style`` the keywords of ``annotated_map`` (``cmap``, ``vmin``,
    ``vmax``, ``missing``). ``vline``, a value of the x parameter between two columns (on a log
    scale), is marked on every panel by a dashed line. Returns the figure.
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(panels), figsize=figsize, sharey=True)
    axes = np.atleast_1d(axes)
    column = None
    if vline is not None and x[0] < vline < x[-1]:
        column = np.interp(np.log(vline), np.log(np.asarray(x, dtype=float)), np.arange(len(x)))
    for ax, (values, name, fmt, style) in zip(axes, panels):
        image = annotated_map(ax, values, x, y, fmt=fmt, **style)
        fig.colorbar(image, ax=ax, shrink=0.85)
        if column is not None:
            ax.axvline(column, color="tab:red", ls="--", lw=1.2)
        ax.set_xlabel(xlabel)
        ax.set_title(name)
    axes[0].set_ylabel(ylabel)
    fig.suptitle(title)
    fig.tight_layout()
    return fig
