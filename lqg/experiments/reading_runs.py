r"""Readings of the paper: every choice the text of Sections 4-5 leaves open, and the experiments of
Figures 1-8 run under each.

A :class:`Reading` names the options it sets (on the paper's game presets, on the initial
policies of Section 5.1, on Algorithm 2, or on the outcome measures) and quotes the sentence of the
paper it interprets. :func:`run_figures_1_6` and :func:`run_figures_7_8` run the figures' experiments under
a list of readings, batched (runs do not depend on their batch), and return the measured values the
claims of :mod:`lqg.reproduction.catalog` read; ``estimator_under`` measures, at a fixed policy,
what each reading does to the estimates of Algorithm 2 (the mechanism behind a changed outcome).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import joblib
import numpy as np

from .. import _checks as check
from ..episodes import perturbed_episodes
from ..equilibrium import solve_nash
from ..estimators import natural_gradient_estimate
from ..evaluation import natural_gradient, state_covariances
from ..examples import paper
from ..known_parameters import natural_policy_gradient
from ..sampling import sample_policies_near
from ..variants import model_free_variants
from ..verification import monte_carlo_cost
from . import outcomes

__all__ = ["Reading", "run_figures_1_6", "run_figures_7_8", "mechanism", "mechanism_table"]


#: What a row of the readings study is: the text as printed, a reading of an open choice, or a
#: sensitivity check (a variant the text does not support, run to see what the verdicts rest on).
KINDS = ("as printed", "reading", "sensitivity check")


@dataclass(frozen=True)
class Reading:
    """One reading of the text: the options it sets and the sentence it interprets.

    Attributes
    ----------
    key, label : str
        Identifier and short label (for tables).
    where : str
        Where the quoted text is (e.g. ``"§4, Algorithm 2, line 7"``).
    quote : str
        The paper's words it interprets, exactly: one contiguous sentence, part of one, or a
        formula ("" for the text as printed).
    reading : str
        How it reads them; for a sensitivity check, what it changes and why it is not a reading.
    kind : str
        ``"as printed"``, ``"reading"`` or ``"sensitivity check"``. A *reading* resolves a choice
        the text leaves open; a *sensitivity check* contradicts the text, and is kept apart from
        the readings when the study counts what reproduces.
    game : dict
        Options of the paper's preset (:func:`~lqg.examples.paper.section_5_1`, ``section_5_2``),
        and ``noise_factor``: the noise variance used is ``noise_factor`` times the stated one.
    algorithm : dict
        Options of :func:`~lqg.unknown_parameters.model_free_natural_policy_gradient`.
    policies : dict
        Options of :func:`~lqg.sampling.sample_policies_near` (Section 5.1's initial policies).
    measure : dict
        Options of the outcome measures: ``signed`` and ``rule`` (:mod:`lqg.experiments.outcomes`),
        ``monte_carlo`` (normalized errors from Monte Carlo costs, Section 5.2).
    """

    key: str
    label: str
    where: str
    quote: str
    reading: str
    kind: str = "reading"
    game: dict = field(default_factory=dict)
    algorithm: dict = field(default_factory=dict)
    policies: dict = field(default_factory=dict)
    measure: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"reading {self.key!r}: kind must be one of {KINDS}; got {self.kind!r}")

    def combined(self, other: Reading) -> Reading:
        """Both readings at once (a sensitivity check if either is)."""
        kind = "sensitivity check" if "sensitivity check" in (self.kind, other.kind) else "reading"
        return Reading(f"{self.key}+{other.key}", f"{self.label} + {other.label}",
                       f"{self.where}; {other.where}", f"{self.quote} [and] {other.quote}",
                       f"{self.reading} Together with: {other.reading}", kind,
                       {**self.game, **other.game}, {**self.algorithm, **other.algorithm},
                       {**self.policies, **other.policies}, {**self.measure, **other.measure})


def _measure(reading: Reading) -> dict:
    return dict(signed=reading.measure.get("signed", False),
                rule=reading.measure.get("rule", "stays"))


# ---------------------------------------------------------------------------
# Section 5.1: Algorithm 1, Figures 1-6


def run_figures_1_6(readings: list, *, runs: int, seed: int, sigma2_values, radii, eta: float,
                iterations: int, accuracy: float, within: int, record_every: int,
                fig3_radius: float, fig3_iterations: int, peak_start: int, peak_end: int,
                radius_wide: float, radius_narrow: float, eta_slow: float, eta2_fig5: float,
                iterations_4_6: int, n_jobs: int = -1) -> dict:
    r"""The measured values of Figures 1-6 under each reading (key -> dict).

    Per reading, ``runs`` initial policies for each radius of Figures 1-2 (:math:`\eta` = ``eta``;
    the recorded policies are evaluated at every :math:`\sigma^2`, since Algorithm 1 never reads W)
    and for each of the three settings of Figures 4-6 (:math:`\sigma^2 = 0`), with per-run step
    sizes. Readings with the same dynamics run in one batched call (one task; the tasks are spread
    over ``n_jobs`` processes by :class:`joblib.Parallel`, and the results do not depend on it), and
    readings that differ only in the law of :math:`x_0` or the measure share their runs. The seeds
    are those of notebooks 04 and 05, whose first ``runs`` initial policies these are.
    """
    runs = check.positive_int(runs, "runs")
    tasks = {}
    for reading in readings:
        dynamics = tuple(sorted((k, v) for k, v in reading.game.items() if k != "x0"))
        starts = tasks.setdefault(dynamics, {})
        starts.setdefault(tuple(sorted(reading.policies.items())), []).append(reading)
    options = dict(runs=runs, seed=seed, sigma2_values=sigma2_values, radii=radii, eta=eta,
                   iterations=iterations, accuracy=accuracy, within=within,
                   record_every=record_every, fig3_radius=fig3_radius,
                   fig3_iterations=fig3_iterations, peak_start=peak_start, peak_end=peak_end,
                   radius_wide=radius_wide, radius_narrow=radius_narrow, eta_slow=eta_slow,
                   eta2_fig5=eta2_fig5, iterations_4_6=iterations_4_6)
    call = joblib.delayed(_same_dynamics)
    outputs = joblib.Parallel(n_jobs=n_jobs, batch_size=1)(
        call(dict(dynamics), starts, **options) for dynamics, starts in tasks.items())
    found = {}
    for values in outputs:
        found.update(values)
    return found


def _same_dynamics(dynamics: dict, starts: dict, *, runs, seed, sigma2_values, radii, eta,
                   iterations, accuracy, within, record_every, fig3_radius, fig3_iterations,
                   peak_start, peak_end, radius_wide, radius_narrow, eta_slow, eta2_fig5,
                   iterations_4_6) -> dict:
    """Figures 1-6 for the readings of one game's dynamics: every set of initial policies in one
    batched run, measured per reading."""
    game = paper.section_5_1(0.0, **dynamics)
    nash = solve_nash(game)
    settings = [*((r, j, (eta, eta)) for j, r in enumerate(radii)),     # Figures 1-2, then 4-6
                (radius_wide, 0, (eta_slow, eta_slow)), (radius_wide, 0, (eta_slow, eta2_fig5)),
                (radius_narrow, 1, (eta_slow, eta_slow))]
    policies = [sample_policies_near(nash.K, r, runs, np.random.SeedSequence([seed, stream]),
                                     **dict(options))
                for options in starts for r, stream, _ in settings]
    together = natural_policy_gradient(
        game, tuple(np.concatenate([K[i] for K in policies]) for i in range(game.N)),
        np.tile(np.repeat([steps for _, _, steps in settings], runs, axis=0), (len(starts), 1)),
        max(iterations, fig3_iterations, iterations_4_6), record_every=record_every,
        record_policies="all", nash=nash)
    size, found = len(settings), {}
    for m, members in enumerate(starts.values()):
        group = [together.select(slice((m * size + j) * runs, (m * size + j + 1) * runs))
                 for j in range(size)]
        for reading in members:
            found[reading.key] = _figures_1_6(
                reading, group, radii=radii, sigma2_values=sigma2_values, iterations=iterations,
                record_every=record_every, accuracy=accuracy, within=within,
                fig3_radius=fig3_radius, peak_start=peak_start, peak_end=peak_end)
            found[reading.key].update(runs=runs, eta=eta_slow, iterations=iterations_4_6)
    return found


def _figures_1_6(reading, group, *, radii, sigma2_values, iterations, record_every, accuracy,
                 within, fig3_radius, peak_start, peak_end) -> dict:
    games = {s: paper.section_5_1(s, **reading.game) for s in sigma2_values}
    records = iterations // record_every + 1
    errors = {(r, s): err for r, res in zip(radii, group)
              for s, err in outcomes.errors_under_noise(res, games, records).items()}
    values = outcomes.figures_1_2(errors, np.arange(0, iterations + 1, record_every),
                                  accuracy=accuracy, within=within, **_measure(reading))
    values.update(outcomes.figure_3(group[list(radii).index(fig3_radius)], accuracy=accuracy,
                                    peak_start=peak_start, peak_end=peak_end))
    values.update(outcomes.figures_4_6(dict(zip(("Figure 4", "Figure 5", "Figure 6"),
                                                group[len(radii):])), accuracy=accuracy))
    values.update(accuracy=accuracy, within=within, peak_start=peak_start, peak_end=peak_end)
    return values


# ---------------------------------------------------------------------------
# Section 5.2: Algorithm 2, Figures 7-8


def monte_carlo_errors(result, game, nash, *, episodes: int, seed) -> np.ndarray:
    """Normalized errors of the recorded iterates from Monte Carlo costs (``episodes`` unperturbed
    episodes each), against a Monte Carlo estimate of :math:`C^i(K^*)`; (records, runs, N)."""
    stacked = np.concatenate(result.policies, axis=-2)
    finite = np.isfinite(stacked).all(axis=(-3, -2, -1))
    policies = tuple(np.where(finite[..., None, None, None], P, 0.0) for P in result.policies)
    star, _ = monte_carlo_cost(game, nash.K, episodes, np.random.SeedSequence([*seed, 1]))
    costs, _ = monte_carlo_cost(game, policies, episodes, np.random.SeedSequence([*seed, 2]))
    return np.where(finite[..., None], (costs - star) / star, np.nan)


#: options of Algorithm 2 that change what is drawn: readings that differ in them cannot share draws
_DRAWS = ("perturbation", "initial_states", "noise", "exploration")


def _runs_key(reading: Reading) -> tuple:
    """What decides a reading's runs of Section 5.2: its game and its algorithm options (readings
    that differ only in the measure share their runs)."""
    return tuple(sorted(reading.game.items())), tuple(sorted(reading.algorithm.items()))


def _draw_key(reading: Reading) -> tuple:
    options = reading.algorithm
    return (tuple(sorted(reading.game.items())),
            tuple(sorted((k, v) for k, v in options.items() if k in _DRAWS)),
            options.get("covariance") == "unperturbed")


def _run_group(sigma2: float, k: int, game_options: dict, variants: list, *, seeds: int,
               seed: int, eta: float, trajectories: int, radius: float, iterations: int,
               record_every: int) -> list:
    """One noise level of Figure 7 under several readings that draw alike, in lockstep."""
    options = dict(game_options)
    game = paper.section_5_2(sigma2 * options.pop("noise_factor", 1.0), **options)
    K0 = tuple(np.broadcast_to(K, (seeds,) + K.shape) for K in paper.section_5_2_policies(game.T))
    return model_free_variants(
        game, K0, eta, iterations, variants, trajectories=trajectories, radius=radius,
        seed=[np.random.SeedSequence([seed, k, j]) for j in range(seeds)],
        record_every=record_every, record_policies="all", progress=False, prefetch=False)


def run_figures_7_8(readings: list, *, sigma2_values, seeds: int, seed: int, eta: float,
                trajectories: int, radius: float, iterations: int, record_every: int,
                accuracy: float, within: int, fig8_sigma2, n_jobs: int = -1) -> dict:
    """The runs of Figure 7 under each reading and their measured values: key -> (runs, values),
    runs mapping sigma^2 to a PGResult.

    Run j of noise level k draws from ``SeedSequence([seed, k, j])`` under every reading (the
    streams of notebook 06). Readings that differ only in the measure share their runs; readings
    that draw the same random numbers run in lockstep on common random numbers
    (:func:`~lqg.variants.model_free_variants`), which gives each exactly the result of a
    run of its own. The (noise level, group) tasks are spread over ``n_jobs`` processes
    (:class:`joblib.Parallel`); the results do not depend on ``n_jobs``.
    """
    seeds = check.positive_int(seeds, "seeds")
    distinct = {}                                   # the readings whose runs differ
    for reading in readings:
        distinct.setdefault(_runs_key(reading), reading)
    groups = {}
    for key, reading in distinct.items():
        groups.setdefault(_draw_key(reading), []).append(key)
    tasks = []
    for k, s in enumerate(sigma2_values):
        tasks += [(k, s, members) for members in groups.values()]
    tasks.sort(key=lambda task: (-task[1], -len(task[2])))     # the longest first: more noise lasts
    options = dict(seeds=seeds, seed=seed, eta=eta, trajectories=trajectories, radius=radius,
                   iterations=iterations, record_every=record_every)
    call = joblib.delayed(_run_group)
    outputs = joblib.Parallel(n_jobs=n_jobs, batch_size=1)(
        call(s, k, dict(chunk[0][0]), [dict(key[1]) for key in chunk], **options)
        for k, s, chunk in tasks)
    done = {}
    for (_, s, chunk), results in zip(tasks, outputs):
        for key, result in zip(chunk, results):
            done.setdefault(key, {})[s] = result
    found = {}
    for reading in readings:
        results = {s: done[_runs_key(reading)][s] for s in sigma2_values}
        episodes = reading.measure.get("monte_carlo", 0)
        errors = {s: monte_carlo_errors(res, res.game, res.nash, episodes=episodes, seed=[seed, k])
                  for k, (s, res) in enumerate(results.items())} if episodes else None
        options = {k: v for k, v in reading.game.items() if k != "noise_factor"}
        game = paper.section_5_2(0.1, **options)
        target = solve_nash(game).K[0][0, 0]
        values = outcomes.figures_7_8(results, accuracy=accuracy, within=within,
                                      figure_8=fig8_sigma2, target=target, errors=errors,
                                      initial=paper.section_5_2_policies(game.T), eta=eta,
                                      **_measure(reading))
        values.update(seeds=seeds, accuracy=accuracy, within=within, iterations=iterations)
        found[reading.key] = (results, values)
    return found


# ---------------------------------------------------------------------------
# the mechanism: what a reading does to the estimates at a fixed policy


def estimator_under(reading: Reading, sigma2: float, *, replications: int, trajectories: int,
                    radius: float, seed) -> dict:
    r"""At the paper's initial policy of Section 5.2, with ``replications`` independent iterations'
    episodes: the mean observed cost, the relative error of the step direction of (4.2) against the
    natural gradient :math:`2E_{t,i}` (root mean square over replications, players and t), and the
    median over replications of the smallest eigenvalue of :math:`\widehat\Sigma_t^i` at the last t.
    """
    options = dict(reading.game)
    game = paper.section_5_2(sigma2 * options.pop("noise_factor", 1.0), **options)
    K = paper.section_5_2_policies(game.T)
    options = {k: v for k, v in reading.algorithm.items() if k not in ("smoothing", "updates")}
    batch = tuple(np.broadcast_to(Ki, (replications,) + Ki.shape) for Ki in K)
    found = perturbed_episodes(game, batch, trajectories=trajectories, radius=radius, seed=seed,
                               **options)
    directions = natural_gradient_estimate(found, radius,
                                           smoothing=reading.algorithm.get("smoothing", "D/r^2"))
    exact = natural_gradient(game, K)
    error = np.sqrt(np.mean([np.sum((d - e) ** 2, axis=(-2, -1)) / np.sum(e ** 2, axis=(-2, -1))
                             for d, e in zip(directions, exact)]))
    if found.second_moments is not None:
        sigma = found.second_moments
    else:
        x = found.states
        sigma = np.einsum("...ld,...le->...de", x, x) / x.shape[-2]
    return dict(mean_cost=float(found.costs.mean()), direction_error=float(error),
                lambda_min=float(np.median(np.linalg.eigvalsh(sigma[..., -1, :, :])[..., 0])),
                exact_lambda_min=float(np.linalg.eigvalsh(state_covariances(game, K)[game.T - 1])[0]))


def mechanism(readings: list, sigma2_values, *, replications: int, trajectories: int,
              radius: float, seed) -> dict:
    """``estimator_under`` for every reading that changes the runs (not a reading of the
    measure only) at each noise level: (key, sigma^2) -> dict. The replications of every reading
    and level draw from the same ``seed`` (an int or a sequence of ints, the entropy of a
    ``SeedSequence``)."""
    found = {}
    for reading in readings:
        if not (reading.algorithm or reading.game or reading.kind == "as printed"):
            continue
        for s in sigma2_values:
            found[reading.key, s] = estimator_under(
                reading, s, replications=replications, trajectories=trajectories,
                radius=radius, seed=np.random.SeedSequence(seed))
    return found


def mechanism_table(found: dict, labels: dict) -> str:
    """:func:`mechanism`'s numbers as text, one line per reading and noise level."""
    width = max(len(labels[key]) for key, _ in found)
    lines = [f"{'':{width}}  sigma^2  mean cost  direction error  lambda_min (exact)"]
    for (key, s), m in found.items():
        lines.append(f"{labels[key]:<{width}}  {s:<7g}  {m['mean_cost']:9.1f}  "
                     f"{m['direction_error']:15.3g}  {m['lambda_min']:.3g} "
                     f"({m['exact_lambda_min']:.3g})")
    return "\n".join(lines)
