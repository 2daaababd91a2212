"""The figures of the Section 4 notebook and of the gradient estimator notebook: the accuracy of
Algorithm 2's estimates against t, L and r (measured by :mod:`lqg.experiments.estimates`)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["estimates_figure", "conditioning_figure", "errors_against_L_figure",
           "variance_maps_figure", "threshold_figure"]

PANELS = [("grad_std", r"rel. std of $\widehat{\nabla_{K_t^i}C^i}$"),
          ("cov_std", r"rel. std of $\widehat\Sigma_t^i$"),
          ("dir_error", r"median $\|\widehat d_t - 2E_{t,i}\| / \|2E_{t,i}\|$")]


def _labels(sigma2_grid):
    return [f"$\\sigma^2 = {s:g}$" for s in sigma2_grid]


def estimates_figure(measured: dict, sigma2_grid, *, title: str):
    """Per player (rows) and quantity (columns), the spread of the estimates against t, one curve
    per noise level; ``measured[key]`` has shape (policies, noise levels, N, T), policy 0 drawn."""
    colors = plt.cm.viridis(np.linspace(0, 0.9, len(sigma2_grid)))
    N, T = measured["grad_std"].shape[-2:]
    t_axis = np.arange(T)
    fig, axes = plt.subplots(N, 3, figsize=(13, 3.5 * N), sharex=True, squeeze=False)
    for row in range(N):
        for col, (key, label) in enumerate(PANELS):
            ax = axes[row, col]
            for b, name in enumerate(_labels(sigma2_grid)):
                ax.semilogy(t_axis, measured[key][0, b, row], "o-", color=colors[b], label=name)
            ax.set_title(f"player {row + 1}: {label}", fontsize="medium")
            ax.grid(alpha=0.3, which="both")
            ax.set_xticks(t_axis)
            if row == N - 1:
                ax.set_xlabel("time $t$")
        axes[row, 2].axhline(1.0, color="k", ls="--", lw=0.8)
    axes[0, 0].legend(fontsize="small")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def conditioning_figure(measured: dict, predicted_step: np.ndarray, sigma2_grid, *, eta: float):
    r""":math:`\lambda_{\min}(\Sigma_t)` at the first policy, and the random part of one step at
    each of the two policies (player 1) with its prediction (dotted)."""
    colors = plt.cm.viridis(np.linspace(0, 0.9, len(sigma2_grid)))
    T = measured["step"].shape[-1]
    t_axis = np.arange(T)
    fig, axes = plt.subplots(1, 3, figsize=(14, 4))
    for b, name in enumerate(_labels(sigma2_grid)):
        axes[0].semilogy(t_axis, measured["lambda_min"][0, b, 0], "o-", color=colors[b], label=name)
        for a, style in enumerate(["o-", "s--"]):
            axes[1 + a].semilogy(t_axis, measured["step"][a, b, 0], style, color=colors[b], label=name)
            axes[1 + a].semilogy(t_axis, predicted_step[a, b, 0], ":", color=colors[b], lw=0.8)
    axes[0].set_title(r"$\lambda_{\min}(\Sigma_t)$ at $K^{(0)}$")
    axes[0].set_ylabel(r"$\lambda_{\min}(\Sigma_t)$")
    for a, name in enumerate(["$K^{(0)}$", "$K^*$"]):
        axes[1 + a].axhline(1.0, color="k", ls="--", lw=0.8)
        axes[1 + a].set_title(f"random part of one step at {name}, player 1")
        axes[1 + a].set_ylabel(r"rms $\eta\|\widehat d_t - 2E_{t,1}\| \,/\, \|K_t^1\|$")
    for ax in axes:
        ax.set_xlabel("time $t$")
        ax.set_xticks(t_axis)
        ax.grid(alpha=0.3, which="both")
    axes[0].legend(fontsize="small")
    fig.suptitle(f"Small noise: ill-conditioned $\\Sigma_t$ and large random steps "
                 f"($\\eta = {eta:g}$; dotted: the formula above)")
    fig.tight_layout()
    return fig


def errors_against_L_figure(by_L: dict, L_grid, *, title: str):
    """Player 1's errors of :func:`~lqg.experiments.estimates.sample_size_study` against L, one
    curve per t, with the :math:`L^{-1/2}` law."""
    T = by_L["grad_std"].shape[-1]
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    t_colors = plt.cm.plasma(np.linspace(0, 0.85, T))
    for ax, (key, label) in zip(axes, PANELS):
        for t in range(T):
            ax.loglog(L_grid, by_L[key][:, 0, t], "o-", color=t_colors[t], label=f"$t = {t}$")
        reference = by_L[key][0, 0, 0] * np.sqrt(L_grid[0] / np.asarray(L_grid, dtype=float))
        ax.loglog(L_grid, reference, "k:", lw=0.8, label=r"$\propto L^{-1/2}$")
        ax.set_title(f"player 1: {label}", fontsize="medium")
        ax.set_xlabel("trajectories $L$")
        ax.set_xticks(L_grid, [str(L) for L in L_grid], minor=False)
        ax.set_xticks([], minor=True)
        ax.grid(alpha=0.3, which="both")
    axes[0].legend(fontsize="small")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def variance_maps_figure(maps: dict, L_grid, radius_grid, trajectories: int, *, title: str):
    """The relative spread of the one-point and two-point gradient estimates over (r, L) at the
    first and last t, and against r at L = ``trajectories`` (player 1)."""
    T = maps["one_std"].shape[-1]
    fig, axes = plt.subplots(2, 3, figsize=(14, 7.5))
    for row, (key, name) in enumerate([("one_std", "one-point (4.1)"),
                                       ("two_std", "two-point (beyond the paper)")]):
        for col, t in enumerate([0, T - 1]):
            ax = axes[row, col]
            values = maps[key][:, :, 0, t]
            both = np.log10(np.stack([maps["one_std"][:, :, 0, t], maps["two_std"][:, :, 0, t]]))
            image = ax.imshow(np.log10(values), origin="lower", cmap="magma_r", aspect="auto",
                              vmin=both.min(), vmax=both.max())
            for (a, b), v in np.ndenumerate(values):
                ax.text(b, a, f"{v:.2g}", ha="center", va="center", fontsize="small",
                        color="w" if np.log10(v) > both.mean() else "k")
            ax.set_xticks(range(len(L_grid)), [str(L) for L in L_grid])
            ax.set_yticks(range(len(radius_grid)), [f"{r:g}" for r in radius_grid])
            ax.set_xlabel("trajectories $L$")
            ax.set_ylabel("radius $r$")
            ax.set_title(f"{name}, $t = {t}$", fontsize="medium")
            fig.colorbar(image, ax=ax, label="log$_{10}$ relative std")
        ax = axes[row, 2]
        j = list(L_grid).index(trajectories) if trajectories in L_grid else len(L_grid) - 1
        for t in range(T):
            ax.loglog(radius_grid, maps[key][:, j, 0, t], "o-",
                      color=plt.cm.plasma(0.85 * t / max(T - 1, 1)), label=f"$t = {t}$")
        ax.set_xlabel("radius $r$")
        ax.set_ylabel("relative std")
        ax.set_title(f"{name}, $L = {L_grid[j]}$", fontsize="medium")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize="x-small", loc="center right")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def threshold_figure(threshold: dict, sigma2_values, *, seeds: int, iterations: int, title: str):
    """Bars per noise level and variant: the share of runs not diverged and within 5 % at the end,
    with its 95 % interval (``threshold`` from :func:`~lqg.experiments.estimates.threshold_runs`,
    whose shares are :class:`~lqg.experiments.measures.Proportion`)."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 4), sharey=True)
    positions = np.arange(len(sigma2_values))
    width = 0.8 / len(threshold)
    for ax, (key, label) in zip(axes, [("diverged", "not diverged"),
                                       ("converged", "normalized error < 5% (both players)")]):
        for v, (name, rows) in enumerate(threshold.items()):
            shares = [row[key] for row in rows]
            if key == "diverged":                              # the share not diverged
                shares = [type(p)(p.n - p.k, p.n) for p in shares]
            values = np.array([p.value for p in shares])
            errors = np.array([[p.value - p.low for p in shares], [p.high - p.value for p in shares]])
            ax.bar(positions + (v - (len(threshold) - 1) / 2) * width, values, width, yerr=errors,
                   capsize=2, label=name.replace("sigma_u", "$\\sigma_u$"))
        ax.set_xticks(positions, [f"{s:g}" for s in sigma2_values])
        ax.set_xlabel(r"system noise $\sigma^2$")
        ax.set_title(f"{label} after {iterations} iterations", fontsize="medium")
        ax.set_ylim(0, 1.05)
        ax.grid(alpha=0.3, axis="y")
    axes[0].set_ylabel(f"share of {seeds} runs (95 % interval)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize="small")
    fig.suptitle(title)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return fig
