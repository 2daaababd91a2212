r"""What the claims of Section 5 are measured on: per-run events of ensembles of runs, per figure.

Each function takes the runs of one figure (batches of :class:`~lqg.runs.PGResult`) and returns a
flat dict of named measurements, the values the claims of :mod:`lqg.reproduction.catalog` read.
A share of runs is a :class:`~lqg.experiments.measures.Proportion` (k of n, with its 95 %
interval), a typical value a :class:`~lqg.experiments.measures.Median` with its interval, and a
comparison a :class:`~lqg.experiments.measures.Difference` or
:class:`~lqg.experiments.measures.Exceedance`.

The definitions, each once:

* a run's **error** at a record is the worse player's :math:`\max_i |e_i|` (``signed=True``:
  :math:`\max_i e_i`), ``inf`` once the run has diverged;
* "below the accuracy **within m iterations**" reads a window: below at every record from m to the
  end of the run (``rule="stays"``, the default); the readings ``"at"`` (at the record m only) and
  ``"by"`` (at some record up to m) are options;
* a run **diverged** when the algorithm stopped it (a blow-up: :class:`~lqg.runs.PGResult`); a
  diverged run never counts as a path that "does not find the direction" or "approaches" anything;
* a run's **jitter** is the median absolute change of its error between consecutive records over
  the second half of the run (reported in percentage points); it **fluctuates** when its jitter is at least
  :data:`FLUCTUATION_FACTOR` times the jitter of exact Algorithm 1 (known parameters, no sampling
  noise) from the same initial policy with the same step size and records: the scale of a smooth
  descent at that point of the run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .. import _checks as check
from .._checks import LQGameError
from ..evaluation import Evaluation
from ..known_parameters import natural_policy_gradient
from ..runs import PGResult
from .convergence import converged, final_error
from .measures import NOT_MEASURED, Difference, Exceedance, Median, proportion

__all__ = ["errors_under_noise", "figures_1_2", "figure_3", "figures_4_6", "figures_7_8",
           "runs_line", "settings_table", "levels_table", "learning_table", "FLUCTUATION_FACTOR"]

#: A run fluctuates when its jitter is at least this many times exact Algorithm 1's.
FLUCTUATION_FACTOR = 3.0
#: Player 2's error "rises" (has a peak) when it exceeds its initial value by more than this
#: fraction of it: far above rounding, far below any visible peak.
RISE = 1e-6

_RULES = ("stays", "at", "by")


def worst_error(errors: np.ndarray, *, signed: bool = False) -> np.ndarray:
    """The worse player's error per record and run, (records, runs): NaN (after a divergence) is inf."""
    shown = errors if signed else np.abs(errors)
    return np.nan_to_num(shown, nan=np.inf).max(axis=-1)


def _index(iterations, m: int, name: str) -> int:
    found = np.flatnonzero(np.asarray(iterations) == m)
    if not found.size:
        raise LQGameError(f"{name} = {m} is not a recorded iteration (records every "
                          f"{int(iterations[1] - iterations[0])}, up to {int(iterations[-1])})")
    return int(found[0])


def _below(worst: np.ndarray, iterations, accuracy: float, within: int, rule: str) -> np.ndarray:
    """Per run: below the accuracy within ``within`` iterations, under ``rule`` (module docstring)."""
    j = _index(iterations, within, "within")
    below = worst < accuracy
    if rule == "stays":
        return below[j:].all(axis=0)
    return below[j] if rule == "at" else below[: j + 1].any(axis=0)


def _settled_at(worst: np.ndarray, iterations, accuracy: float) -> np.ndarray:
    """Per run, the first record from which the error stays below the accuracy to the end; inf for
    a run that never settles."""
    below = worst < accuracy
    stays = np.flip(np.logical_and.accumulate(np.flip(below, axis=0), axis=0), axis=0)
    first = np.asarray(iterations)[np.argmax(stays, axis=0)].astype(float)
    return np.where(stays.any(axis=0), first, np.inf)


def jitter(worst: np.ndarray) -> np.ndarray:
    """Per run, the median absolute change of the error between consecutive records over the
    second half of the records, (runs,); inf for a run that diverged there."""
    half = worst[worst.shape[0] // 2:]
    with np.errstate(invalid="ignore"):
        steps = np.abs(np.diff(half, axis=0))
    return np.where(np.isfinite(half).all(axis=0), np.median(np.nan_to_num(steps, nan=np.inf),
                                                               axis=0), np.inf)


def runs_line(result: PGResult) -> str:
    """How many runs of a batch diverged and how many completed: the part of ``result.message``
    that does not depend on the last bits of the arithmetic (the iteration at which a chaotic run
    blows up does)."""
    n, k = result.diverged.size, int(np.count_nonzero(result.diverged))
    return f"{k} of {n} runs diverged, {n - k} completed {result.nit} iterations"


def errors_under_noise(result: PGResult, games: Mapping, records: int | None = None) -> dict:
    r"""Normalized errors of the recorded iterates of one run of Algorithm 1 in several games.

    Algorithm 1 never reads W (its update is :math:`2E_{t,i}^K`), so one run serves every noise
    level: its recorded policies (``record_policies="all"``), the first ``records`` of them (all by
    default), are evaluated in each game of ``games`` (label -> LQGame with the same matrices but
    W). Records after a run diverged are NaN. Returns label -> array (records, runs, N).
    """
    if result.policies is None or len(result.policy_times) != result.game.T:
        raise LQGameError("result must record every policy: run with record_policies='all'")
    from ..equilibrium import solve_nash

    stacked = np.concatenate(result.policies, axis=-2)[:records]         # (records, *batch, T, K, d)
    finite = np.isfinite(stacked).all(axis=(-3, -2, -1))
    policies = np.where(finite[..., None, None, None], stacked, 0.0)
    out = {}
    for label, game in games.items():
        costs = Evaluation(check.game(game), policies).costs
        nash = solve_nash(game)
        out[label] = np.where(finite[..., None], (costs - nash.costs) / nash.costs, np.nan)
    return out


# ---------------------------------------------------------------------------
# Section 5.1, Algorithm 1: Figures 1-3


def figures_1_2(errors: Mapping, iterations, *, accuracy: float, within: int,
                signed: bool = False, rule: str = "stays") -> dict:
    """Figures 1-2: ``errors`` maps (r, sigma^2) to normalized errors (records, runs, N).

    Per setting: the runs below the accuracy within ``within`` iterations, the runs diverged, the
    median first iteration from which a run stays below the accuracy (its iterations to converge),
    and, at the largest radius, the runs whose player-2 error rises above its initial value.
    """
    rule = check.choice(rule, _RULES, "rule")
    keys = list(errors)
    radii = sorted({r for r, _ in keys})
    noise = sorted({s for _, s in keys})
    table, settle = {}, {}
    for r, s in keys:
        err = errors[r, s]
        worst = worst_error(err, signed=signed)
        settle[r, s] = _settled_at(worst, iterations, accuracy)
        rise2 = np.nanmax(err[..., 1], axis=0) - err[0, :, 1]           # player 2's peak
        table[r, s] = dict(
            reached=proportion(_below(worst, iterations, accuracy, within, rule)),
            diverged=proportion(np.isnan(err[-1]).any(axis=-1)),
            settle=Median.of(settle[r, s]),
            peaked=proportion(rise2 > RISE * np.abs(err[0, :, 1])))
    small, large = radii[0], radii[-1]
    out = {"radii": radii, "sigma2": noise, "table": table, "radius_0": small, "radius_1": large,
           "m_end": int(np.asarray(iterations)[-1]),
           "reached": [table[k]["reached"] for k in keys],
           "diverged": [table[k]["diverged"] for k in keys],
           "settle_0": [table[small, s]["settle"] for s in noise],
           "settle_1": [table[large, s]["settle"] for s in noise],
           "peaked": [table[large, s]["peaked"] for s in noise]}
    out["reached_worst"] = min(out["reached"], key=lambda p: p.value)
    out["slower"] = ([Exceedance.of(settle[large, s], settle[small, s]) for s in noise]
                     if len(radii) > 1 else [NOT_MEASURED])
    out["peaked_first"] = out["peaked"][0]
    out["peak_diminishes"] = (Difference(out["peaked"][0], out["peaked"][-1]) if len(noise) > 1
                              else NOT_MEASURED)
    return out


def settings_table(measured: Mapping) -> str:
    """The per-setting outcomes of :func:`figures_1_2` as text, two lines per (r, sigma^2)."""
    lines = []
    for (r, s), o in measured["table"].items():
        lines.append(f"r = {r:<4g} sigma^2 = {s:<4g}: below the accuracy {o['reached']:k}, diverged "
                     f"{o['diverged']:k},\n    iterations to settle (median) {o['settle']}, "
                     f"player 2 peaks {o['peaked']:k}")
    return "\n".join(lines)


def figure_3(result: PGResult, *, accuracy: float, peak_start: int, peak_end: int) -> dict:
    """Figure 3: the runs that overshoot (an error above its start, by more than ``RISE`` of it,
    before ``peak_start``), whose player-2 error peaks inside the grey window (a diverged run has
    no peak), and that converge; the runs that do all three, the paper's sentence; and the run the
    figure shows (the first such run, if any)."""
    err = result.normalized_error
    iterations = result.iterations
    window = (iterations >= peak_start) & (iterations <= peak_end)
    start = err[0].max(axis=-1)
    early = np.nan_to_num(err[: max(1, int(np.argmax(iterations >= peak_start)))], nan=np.inf)
    overshoot = early.max(axis=(0, -1)) > start + RISE * np.abs(start)     # rises, by more than rounding
    ok = converged(result, accuracy)
    # a diverged run has no peak: its error ends in NaN, at an iteration last bits can move
    peak = window[np.nanargmax(np.nan_to_num(err[..., 1], nan=-1.0), axis=0)] & ~result.diverged
    like_paper = overshoot & peak & ok
    fallback = np.flatnonzero(overshoot & ok) if (overshoot & ok).any() else np.arange(ok.size)
    shown = np.flatnonzero(like_paper)
    return dict(overshoot=proportion(overshoot), peak_in_window=proportion(peak),
                fig3_converged=proportion(ok), fig3_diverged=proportion(result.diverged),
                like_paper=proportion(like_paper),
                shown=int(shown[0] if shown.size else fallback[0]))


def figures_4_6(results: Mapping[str, PGResult], *, accuracy: float) -> dict:
    """Figures 4-6, in that order: per figure the runs converged, diverged (blow-up), drifting
    away (not diverged, a larger error at the end than at the start), and the median final error
    (``inf`` for a diverged run)."""
    out = {}
    for j, res in enumerate(results.values()):
        final = final_error(res)
        start = np.abs(res.normalized_error[0]).max(axis=-1)
        tag = f"f{4 + j}"
        drift = ~res.diverged & (final > start)
        out[f"{tag}_converged"] = proportion(converged(res, accuracy))
        out[f"{tag}_diverged"] = proportion(res.diverged)
        out[f"{tag}_drift"] = proportion(drift)
        out[f"{tag}_away"] = proportion(res.diverged | drift)
        out[f"{tag}_median_final"] = Median.of(final)
    return out


# ---------------------------------------------------------------------------
# Section 5.2, Algorithm 2: Figures 7-8


def _smooth_jitter(result: PGResult, initial, eta) -> float:
    """Exact Algorithm 1's jitter from ``initial`` in the game of ``result``, same step and records."""
    every = int(result.iterations[1] - result.iterations[0])
    exact = natural_policy_gradient(result.game, initial, eta, int(result.iterations[-1]),
                                    record_every=every, record_policies="none",
                                    nash=result.nash)
    return float(jitter(worst_error(exact.normalized_error[:, None]))[0])


def figures_7_8(results: Mapping[float, PGResult], *, accuracy: float, within: int,
                figure_8: Sequence[float], target: np.ndarray, initial, eta,
                signed: bool = False, rule: str = "stays", errors: Mapping | None = None) -> dict:
    r"""Figures 7-8: per noise level the runs that diverge, fall (end below their initial error),
    fluctuate, and are below the accuracy within ``within`` iterations; at the two noise levels of
    Figure 8 the runs whose :math:`K_0^1` ends closer to ``target`` (:math:`K_0^{1*}`) than it
    started. ``initial`` and ``eta`` are the runs' initial policy and step size, from which exact
    Algorithm 1 gives each level's smooth jitter. ``errors`` (sigma^2 -> (records, runs, N))
    replaces the exact normalized errors, e.g. by Monte Carlo estimates.
    """
    rule = check.choice(rule, _RULES, "rule")
    levels = list(results)
    out = {"sigma2": levels}
    for s in levels:
        res = results[s]
        err = res.normalized_error if errors is None else errors[s]
        worst = np.where(res.diverged, np.inf, 0.0) + worst_error(err, signed=signed)
        alive = ~res.diverged
        smooth = _smooth_jitter(res, initial, eta)
        shaky = jitter(worst) >= FLUCTUATION_FACTOR * max(smooth, 1e-12)
        reached = alive & _below(worst, res.iterations, accuracy, within, rule)
        falls = alive & (worst[-1] < worst[0])
        out[s] = dict(diverged=proportion(res.diverged), alive=proportion(alive),
                      reached=proportion(reached), falls=proportion(falls),
                      falls_shaky=proportion(falls & shaky), reached_calm=proportion(reached & ~shaky),
                      jitter=Median.of(100 * jitter(worst)), smooth_jitter=100 * smooth)
        if s in figure_8:
            K01 = res.policies[0][:, :, 0, 0, :]                         # (records, seeds, 2)
            distance = np.linalg.norm(K01 - target, axis=-1)
            closer = alive & (distance[-1] < distance[0])
            out[s].update(closer=proportion(closer), not_closer=proportion(alive & ~closer))
    return _flat_7_8(out, levels, list(figure_8))


def levels_table(measured: Mapping) -> str:
    """The per-level outcomes of :func:`figures_7_8` as text, one line per noise level."""
    lines = []
    for s in measured["sigma2"]:
        o = measured[s]
        shaky = (f"jitter (median) {o['jitter']} points" if o["alive"].k else "no run survives")
        lines.append(f"sigma^2 = {s:<6g}: diverged {o['diverged']:k}, fall {o['falls']:k}, below "
                     f"the accuracy {o['reached']:k}; {shaky}")
    return "\n".join(lines)


def _flat_7_8(out: dict, levels: list, figure_8: list) -> dict:
    """The names the claims of Figures 7-8 read; NOT_MEASURED where a level was not run."""
    at = {s: out[s] for s in levels}

    def get(s, name):
        return at[s][name] if s in at and name in at[s] else NOT_MEASURED

    def more(s, name):                                   # the share at s minus the share at zero
        a, b = get(s, name), get(zero, name)
        return NOT_MEASURED if NOT_MEASURED in (a, b) else Difference(a, b)

    low = [s for s in levels if s <= 1e-4]
    zero = min(levels) if levels else None
    noisy = [s for s in levels if s != zero]
    lo, hi = (figure_8[0], figure_8[-1]) if figure_8 else (None, None)
    out.update(
        low_sigma2=low, low_diverged=[get(s, "diverged") for s in low] or [NOT_MEASURED],
        d01=get(0.01, "diverged"), falls01=get(0.01, "falls"), shaky01=get(0.01, "falls_shaky"),
        jitter01=get(0.01, "jitter"), smooth01=get(0.01, "smooth_jitter"),
        reached1=get(0.1, "reached"), calm1=get(0.1, "reached_calm"), div1=get(0.1, "diverged"),
        jitter1=get(0.1, "jitter"), smooth1=get(0.1, "smooth_jitter"),
        alive=[get(s, "alive") for s in levels], reached=[get(s, "reached") for s in levels],
        zero_sigma2=zero, noisy_sigma2=noisy,
        helps_find=[more(s, "reached") for s in noisy] or [NOT_MEASURED],
        helps_find_most=max((more(s, "reached") for s in noisy), default=NOT_MEASURED,
                            key=lambda d: -1 if d is NOT_MEASURED else d.value),
        helps_survive=[more(s, "alive") for s in noisy] or [NOT_MEASURED],
        fig8_lo=lo, fig8_hi=hi, lost_lo=get(lo, "not_closer"), div_lo=get(lo, "diverged"),
        closer_hi=get(hi, "closer"), div_hi=get(hi, "diverged"))
    return out


def learning_table(results: Mapping[str, PGResult]) -> str:
    """For each labelled batch of runs, its label and two indented lines: the median worst absolute
    normalized error at the start and the end (a diverged run's is infinite); the runs whose error
    fell, and how many diverged."""
    lines = []
    for name, res in results.items():
        worst = worst_error(res.normalized_error)           # NaN (diverged) is inf
        end = Median.of(worst[-1])
        shown = "below 1e-12" if end.high < 1e-12 else format(end)
        lines.append(f"{name}\n    median error {Median.of(worst[0])} -> {shown} after "
                     f"{res.nit} iterations\n    fell in {proportion(worst[-1] < worst[0]):k} "
                     f"runs; {runs_line(res)}")
    return "\n".join(lines)
