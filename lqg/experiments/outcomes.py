r"""What the claims of Section 5 are measured on: outcomes of ensembles of runs, per figure.

Each function takes the runs of one figure (batches of :class:`~lqg.runs.PGResult`) and returns a
flat dict of named numbers, the measured values the claims of :mod:`lqg.reproduction.catalog`
are evaluated on. Two choices of the paper's text about the *measure* are options:

* ``signed``: "the normalized error is less than 0.5%" read as :math:`|e_i| <` 0.5% (default: a
  player's cost can fall below its equilibrium cost, and "error" is a size) or as :math:`e_i <` 0.5%;
* ``within``: "within 1000 iterations" read as "below at iteration 1000" (``"at"``, default) or
  "below at some recorded iteration up to 1000" (``"by"``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .. import _checks as check
from .. import _kernel as kernel
from .._checks import LQGameError
from ..runs import PGResult
from .convergence import converged, final_error

__all__ = ["errors_under_noise", "figures_1_2", "figure_3", "figures_4_6", "figures_7_8",
           "worst_error"]


def worst_error(errors: np.ndarray, *, signed: bool = False) -> np.ndarray:
    """The worse player's error per record and run, (records, runs): NaN (after a divergence) is inf."""
    shown = errors if signed else np.abs(errors)
    return np.nan_to_num(shown, nan=np.inf).max(axis=-1)


def _below(worst: np.ndarray, iterations, accuracy: float, within: int, rule: str) -> np.ndarray:
    """Per run: below the accuracy at iteration ``within`` ("at") or at some record up to it ("by")."""
    j = _index(iterations, within, "within")
    below = worst < accuracy
    return below[j] if rule == "at" else below[: j + 1].any(axis=0)


def _index(iterations, m: int, name: str) -> int:
    found = np.flatnonzero(np.asarray(iterations) == m)
    if not found.size:
        raise LQGameError(f"{name} = {m} is not a recorded iteration (records every "
                          f"{int(iterations[1] - iterations[0])}, up to {int(iterations[-1])})")
    return int(found[0])


def errors_under_noise(result: PGResult, games: Mapping) -> dict:
    r"""Normalized errors of the recorded iterates of one run of Algorithm 1 in several games.

    Algorithm 1 never reads W (its update is :math:`2E_{t,i}^K`), so one run serves every noise
    level: its recorded policies (``record_policies="all"``) are evaluated in each game of
    ``games`` (label -> LQGame with the same matrices but W). Records after a run diverged are NaN.
    Returns label -> array (records, runs, N).
    """
    if result.policies is None or len(result.policy_times) != result.game.T:
        raise LQGameError("result must record every policy: run with record_policies='all'")
    from ..equilibrium import solve_nash

    stacked = np.concatenate(result.policies, axis=-2)                   # (records, *batch, T, K, d)
    finite = np.isfinite(stacked).all(axis=(-3, -2, -1))
    flat = kernel.batch_last(np.where(finite[..., None, None, None], stacked, 0.0))
    out = {}
    for label, game in games.items():
        c = kernel.coefficients(check.game(game))
        with np.errstate(all="ignore"):
            costs = kernel.costs(c, kernel.value_matrices(c, flat, kernel.closed_loop(c, flat)))
        costs = kernel.batch_first(costs, stacked.shape[:-3])
        nash = solve_nash(game)
        out[label] = np.where(finite[..., None], (costs - nash.costs) / nash.costs, np.nan)
    return out


def _diminishes(values) -> bool:
    """Never increasing along the noise levels, and lower at the last than at the first (a peak
    that has vanished at the two largest levels, 0 and 0, has diminished)."""
    values = np.asarray(values, dtype=float)
    return bool(np.all(np.diff(values) <= 0) and values[-1] < values[0])


def figures_1_2(errors: Mapping, iterations, *, accuracy: float, within: int,
                signed: bool = False, rule: str = "at") -> dict:
    """Figures 1-2: ``errors`` maps (r, sigma^2) to normalized errors (records, runs, N)."""
    keys = list(errors)
    radii = sorted({r for r, _ in keys})
    noise = sorted({s for _, s in keys})
    out = {"radii": radii, "sigma2": noise}
    table = {}
    for r, s in keys:
        err = errors[r, s]
        worst = worst_error(err, signed=signed)
        below = worst < accuracy
        first = np.where(below.any(axis=0), np.asarray(iterations)[np.argmax(below, axis=0)], np.inf)
        rise2 = np.nanmax(err[..., 1], axis=0) - err[0, :, 1]            # player 2's peak
        table[r, s] = dict(within=float(np.mean(_below(worst, iterations, accuracy, within, rule))),
                           diverged=int(np.isnan(err[-1]).any(axis=-1).sum()),
                           first=float(np.median(first)), rising=float(np.mean(rise2 > 0)),
                           rise=float(np.median(rise2[rise2 > 0])) if np.any(rise2 > 0) else 0.0)
    out["table"] = table
    out["fractions"] = [table[k]["within"] for k in keys]
    out["diverged"] = [table[k]["diverged"] for k in keys]
    out["first_by_radius"] = {r: [table[r, s]["first"] for s in noise] for r in radii}
    slower = [b > a for a, b in zip(out["first_by_radius"][radii[0]], out["first_by_radius"][radii[-1]])]
    out["slower"] = float(np.mean(slower)) if len(radii) > 1 else float("nan")
    out["rising"] = [table[radii[-1], s]["rising"] for s in noise]
    out["rises"] = [table[radii[-1], s]["rise"] for s in noise]
    out["shrinks"] = _diminishes(out["rising"]) or _diminishes(out["rises"])
    out["first_0"] = out["first_by_radius"][radii[0]]
    out["first_1"] = out["first_by_radius"][radii[-1]]
    out.update(radius_0=radii[0], radius_1=radii[-1], fraction_min=min(out["fractions"]),
               fraction_max=max(out["fractions"]), diverged_min=min(out["diverged"]),
               diverged_max=max(out["diverged"]))
    return out


def figure_3(result: PGResult, *, accuracy: float, peak_start: int, peak_end: int) -> dict:
    """Figure 3: overshoot (an error above its start before ``peak_start``), player 2's peak inside
    the grey window, convergence; and the run the figure shows (one like the paper's if any)."""
    err = result.normalized_error
    iterations = result.iterations
    window = (iterations >= peak_start) & (iterations <= peak_end)
    start = err[0].max(axis=-1)
    early = np.nan_to_num(err[: max(1, int(np.argmax(iterations >= peak_start)))], nan=np.inf)
    overshoot = early.max(axis=(0, -1)) > start
    ok = converged(result, accuracy)
    peak = window[np.nanargmax(np.nan_to_num(err[..., 1], nan=-1.0), axis=0)]
    like_paper = np.flatnonzero(peak & overshoot & ok)
    fallback = np.flatnonzero(overshoot & ok) if (overshoot & ok).any() else np.arange(ok.size)
    return dict(overshoot=float(overshoot.mean()), peak_in_window=float(peak.mean()),
                fig3_converged=float(ok.mean()), overshoot_converged=float((overshoot & ok).mean()),
                fig3_diverged=int(result.diverged.sum()),
                shown=int(like_paper[0] if like_paper.size else fallback[0]))


def figures_4_6(results: Mapping[str, PGResult], *, accuracy: float) -> dict:
    """Figures 4-6: per figure, the fractions converged, diverged and improved, the median error."""
    out = {}
    for j, res in enumerate(results.values()):
        final = final_error(res)
        start = np.abs(res.normalized_error[0]).max(axis=-1)
        tag = f"f{4 + j}"
        out[f"{tag}_converged"] = float(converged(res, accuracy).mean())
        out[f"{tag}_diverged"] = float(res.diverged.mean())
        out[f"{tag}_improved"] = float(np.mean(~res.diverged & (final < start)))
        out[f"{tag}_median_final"] = float(np.median(final))
        out[f"{tag}_drift"] = 1.0 - out[f"{tag}_improved"]
    return out


def figures_7_8(results: Mapping[float, PGResult], *, accuracy: float, within: int,
                figure_8: Sequence[float], target: np.ndarray, signed: bool = False,
                rule: str = "at", errors: Mapping | None = None) -> dict:
    r"""Figures 7-8: per noise level, divergence, accuracy at ``within``, fluctuations; the approach
    of :math:`K_0^1` to ``target`` (:math:`K_0^{1*}`) at the two noise levels of Figure 8.

    ``errors`` (sigma^2 -> (records, runs, N)) replaces the exact normalized errors, e.g. by Monte
    Carlo estimates.
    """
    levels = list(results)
    out = {"sigma2": levels}
    for s in levels:
        res = results[s]
        err = res.normalized_error if errors is None else errors[s]
        iters = res.iterations
        worst = np.where(res.diverged, np.inf, 0.0) + worst_error(err, signed=signed)
        half = int(np.flatnonzero(iters >= within // 2)[0])
        tail = worst[half:]
        with np.errstate(invalid="ignore", divide="ignore"):
            jumps = np.nanmax(np.where(np.isfinite(tail[1:]), (tail[1:] - tail[:-1]) / tail[:-1],
                                       np.nan), axis=0, initial=0.0)
        j = _index(iters, within, "within")
        out[s] = dict(
            diverged=float(res.diverged.mean()),
            first_diverged=int(res.diverged_at[res.diverged].min()) if res.diverged.any() else -1,
            below_at_within=float(np.mean(_below(worst, iters, accuracy, within, rule))),
            median_at_within=[float(np.median(np.where(res.diverged, np.inf, np.abs(err[j, :, i]))))
                              for i in range(err.shape[-1])],
            below_at_end=float(np.mean((worst[-1] < accuracy) & ~res.diverged)),
            median_fluctuation=float(np.median(jumps[~res.diverged])) if (~res.diverged).any()
            else float("nan"))
    for s in figure_8:
        res = results[s]
        K01 = res.policies[0][:, :, 0, 0, :]                             # (records, seeds, 2)
        every = int(res.iterations[1] - res.iterations[0])
        last_index = np.minimum(np.where(res.diverged, res.diverged_at // every, len(res.iterations) - 1),
                                len(res.iterations) - 1)
        last = np.where(res.diverged, np.nan, np.linalg.norm(
            K01[last_index, np.arange(K01.shape[1])] - target, axis=-1))
        start = np.linalg.norm(K01[0] - target, axis=-1)
        out[s]["closer"] = float(np.mean(last < start))
        out[s]["halved"] = float(np.mean(last < 0.5 * start))
    return _flat_7_8(out, levels, list(figure_8))


def _flat_7_8(out: dict, levels: list, figure_8: list) -> dict:
    """The names the claims of Figures 7-8 read, next to the per-level outcomes."""
    low = [s for s in levels if s <= 1e-4]
    at = {s: out[s] for s in levels}
    none = dict(diverged=float("nan"), first_diverged=-1, below_at_within=float("nan"),
                median_at_within=[float("nan")] * 2, below_at_end=float("nan"),
                median_fluctuation=float("nan"))
    o01, o1 = at.get(0.01, none), at.get(0.1, none)
    lo, hi = (at[figure_8[0]], at[figure_8[-1]]) if figure_8 else (none, none)
    out.update(
        low_sigma2=low, low_diverged=[at[s]["diverged"] for s in low],
        d01=o01["diverged"], first01=o01["first_diverged"], end01=o01["below_at_end"],
        within1=o1["below_at_within"], median1=o1["median_at_within"], end1=o1["below_at_end"],
        div1=o1["diverged"], fluct1=o1["median_fluctuation"],
        alive=[1 - at[s]["diverged"] for s in levels],
        fig8_lo=figure_8[0] if figure_8 else float("nan"), fig8_hi=figure_8[-1] if figure_8 else float("nan"),
        closer_lo=lo.get("closer", float("nan")), halved_lo=lo.get("halved", float("nan")),
        div_lo=lo["diverged"], closer_hi=hi.get("closer", float("nan")),
        halved_hi=hi.get("halved", float("nan")), div_hi=hi["diverged"])
    return out
