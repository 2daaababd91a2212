r"""Natural policy gradient with unknown parameters: Algorithm 2 of Section 4, eqs. (4.1)-(4.2).

The players never see :math:`A_t, B_t^i, Q_t^i, R_t^i` or :math:`W`: each iteration, they play
perturbed episodes (:mod:`lqg.episodes`, lines 3-11), estimate their gradients and state
covariances from what they observe (:mod:`lqg.estimators`, line 12, eq. (4.1)) and update (line 13,
eq. (4.2)). Every choice the text leaves open is a keyword, its default the most literal reading;
the docstrings of :mod:`lqg.episodes` and :mod:`lqg.estimators` quote the sentences they interpret.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import _checks as check
from . import _streams as streams
from ._checks import LQGameError
from .episodes import EpisodeDesign, design, play
from .equilibrium import NashSolution
from .estimators import SMOOTHINGS, CovarianceSpectrum, natural_gradient_estimate
from .runs import DIVERGENCE_FACTOR, PGResult, Recorder

__all__ = ["model_free_natural_policy_gradient"]


def model_free_natural_policy_gradient(
        game, K0: Sequence, eta, iterations: int, *, trajectories: int, radius, seed,
        trajectory_cost: str = "total", terminal_cost: bool = True, smoothing: str = "D/r^2",
        perturbation: str = "one-step", covariance: str = "perturbed-at-t",
        initial_states: str = "shared", noise: str = "fresh", updates: str = "simultaneous",
        estimator: str = "one-point", exploration=0.0, record_every: int = 1,
        record_policies: str = "t0", divergence_factor: float = DIVERGENCE_FACTOR,
        nash: NashSolution | None = None, require_equilibrium: bool = True,
        progress: bool | None = None, prefetch: bool = True) -> PGResult:
    r"""Algorithm 2: the natural policy gradient method with unknown parameters.

    At each iteration :math:`m = 1, \dots, M`, every player i, for each of L trajectories and each
    time t, perturbs only :math:`K_t^i` by :math:`U_t^{i,l}` (uniform on :math:`\|U\|_F = r_i`), plays
    one episode from :math:`x_0^l` and observes its cost :math:`\widehat c_t^{i,l}` and state
    :math:`x_t^{i,l}` (lines 3-11); then (lines 12-13)

    .. math::

        K_t^{i,(m)} = K_t^{i,(m-1)} - \eta_i\, \widehat{\nabla_{K_t^i} C^i}\,(\widehat\Sigma_t^i)^{-1},
        \quad
        \widehat{\nabla_{K_t^i} C^i} = \frac1L\sum_l \frac{D_i}{r_i^2}\widehat c_t^{i,l}U_t^{i,l},
        \quad
        \widehat\Sigma_t^i = \frac1L\sum_l x_t^{i,l}(x_t^{i,l})^\top,

    eqs. (4.1)-(4.2), with :math:`D_i = k_i d`. The algorithm touches the game only through
    simulated episodes; the exact costs in the result are computed (from the model) for the
    recorded iterates only.

    Parameters
    ----------
    game : LQGame
    K0 : tuple of N array_like, shapes (*batch, T, k_i, d)
        Initial policies; each batch entry is an independent run with its own random stream.
    eta : float, sequence of N floats, or array_like of shape (*batch, N)
        Step sizes :math:`\eta_i` (per run and player with the batch shape).
    iterations : int
        M >= 1.
    trajectories : int
        L, the number of episodes per player and time (the paper uses 200).
    radius : float or sequence of N floats
        Smoothing radii :math:`r_i` (the paper uses 0.5).
    seed : int, SeedSequence, Generator, or a sequence of these with one per batch entry
        Run j (in C order over the batch) draws from its own ``Generator``: from an int or
        ``SeedSequence``, child j of ``SeedSequence(seed).spawn(n_runs)`` (the seed object is not
        mutated); from a ``Generator``, child j of its ``spawn``; from a sequence, its j-th element.
        A run's numbers therefore do not depend on the batch around it.
    trajectory_cost : {"total", "after-step", "cost-to-go"}, default "total"
        Which stage costs "the single trajectory cost" :math:`\widehat c_t^{i,l}` (line 7) sums:
        :mod:`lqg.episodes`.
    terminal_cost : bool, default True
        Whether :math:`\widehat c_t^{i,l}` includes :math:`x_T^\top Q_T^i x_T`.
    smoothing : {"D/r^2", "D/r"}, default "D/r^2"
        The factor of eq. (4.1): :mod:`lqg.estimators`.
    perturbation : {"one-step", "all-steps"}, default "one-step"
        One perturbed time step per episode (T L episodes per player and iteration), or all of them
        in each of L episodes: :mod:`lqg.episodes`.
    covariance : {"perturbed-at-t", "all-episodes", "unperturbed", "pooled"}, default "perturbed-at-t"
        Which states give :math:`\widehat\Sigma_t^i` (line 8): :mod:`lqg.episodes`.
    initial_states, noise : {"shared", "per-player", "per-time", "fresh"}
        Whether :math:`x_0^l` and the noise are shared across players and times; defaults
        "shared" and "fresh": :mod:`lqg.episodes`.
    updates : {"simultaneous", "sequential"}, default "simultaneous"
        All players update from the episodes of :math:`K^{(m-1)}` (lines 12-13 follow the loops
        over i, l and t, as in Algorithm 1, "each player updates their policies simultaneously"), or
        player 1 first, then player 2 plays its episodes at the updated joint policy, and so on.
    estimator : {"one-point", "two-point"}, default "one-point"
        Beyond the paper: "two-point" plays every perturbation as the pair :math:`K_t^i \pm U_t^{i,l}`
        with common random numbers (:func:`~lqg.estimators.two_point_gradient`); it draws the same
        random numbers as "one-point" with the same seed.
    exploration : float or sequence of N floats, default 0.0
        Beyond the paper: each agent j adds :math:`\sigma_j\varepsilon` to its action in every
        episode; at 0 the run is the paper's algorithm, bit for bit
        (:func:`~lqg.episodes.game_with_exploration`).
    record_every, record_policies, divergence_factor, nash, require_equilibrium, progress
        As in :func:`~lqg.known_parameters.natural_policy_gradient`.
    prefetch : bool, default True
        Draw the next iteration's random numbers on a second thread while this iteration's
        episodes are simulated; the results are identical with ``prefetch=False``.

    Returns
    -------
    PGResult

    Raises
    ------
    LQGameError
        (a ``ValueError``) naming the argument: as for Algorithm 1, and ``trajectories`` not a
        positive integer, ``radius`` not positive or of the wrong length, a bad ``seed``, an unknown
        option, a negative ``exploration``, ``prefetch`` not a bool.
    NotAnEquilibriumError
        As for Algorithm 1: with ``require_equilibrium``, a game (or ``nash``) whose solution of
        (2.4) fails a player's second-order condition, named with t.

    Notes
    -----
    *Divergence.* Run b is diverged at m when :math:`K^{(m)}` is not finite, when the mean of some
    player's observed gross costs at :math:`K^{(m)}` (over its episodes of the next iteration) is
    not finite or exceeds ``divergence_factor`` times its scale, the same mean at :math:`K^{(0)}`
    when that is positive (:class:`~lqg.runs.PGResult` states the rule in full; the gross cost is
    the observed cost itself on games with positive semi-definite weights, such as the paper's,
    and is computed from the same episodes with every weight replaced by its matrix absolute
    value otherwise), or when some :math:`\widehat\Sigma_t^i` at :math:`K^{(m)}` is numerically
    singular (smallest eigenvalue at most d machine epsilons of the largest; e.g. W = 0 with a
    degenerate initial state). The run is then frozen at :math:`K^{(m-1)}` as in Algorithm 1 and
    stops drawing random numbers; the others carry on. The final iterate :math:`K^{(M)}` is only
    checked for finiteness. When a diverged run's estimates :math:`\widehat\Sigma_t^i` had a
    condition number above :data:`~lqg.runs.NEARLY_SINGULAR` (:math:`10^8`: inverting one in
    (4.2) amplifies its error by more), the message names the cause: the smallest eigenvalue, the
    player, t and the iteration of the worst of them.
    """
    run = Recorder(game, K0, eta, iterations, record_every=record_every,
                   record_policies=record_policies, divergence_factor=divergence_factor,
                   nash=nash, require_equilibrium=require_equilibrium, progress=progress,
                   algorithm="Algorithm 2")
    game = run.game
    rule = settings(game, trajectories, radius, trajectory_cost=trajectory_cost,
                    terminal_cost=terminal_cost, smoothing=smoothing, perturbation=perturbation,
                    covariance=covariance, initial_states=initial_states, noise=noise,
                    updates=updates, estimator=estimator, exploration=exploration)
    draws = streams.DrawSource(game.x0, check.run_generators(seed, run.K0.shape[0]),
                               rule.design.layout(game), check.flag(prefetch, "prefetch"))
    works = (streams.Workspace(), streams.Workspace())
    K = run.update(0, run.K0, run.K0)                                   # C^i(K^(0)) recorded
    try:
        with np.errstate(all="ignore"):
            for m in range(1, run.M + 1):                               # Algorithm 2, lines 2-14
                live = np.flatnonzero(run.live)                         # diverged runs stop
                if not live.size:
                    break
                step = natural_gradient_step(game, K[live], draws.take(live, more=m < run.M),
                                             rule, run.eta_of(live), works)      # lines 3-13
                K = run.update(m, K, step.K, runs=live, observed=step.observed,
                               covariances=step.spectrum)
    finally:
        draws.close()
    return run.result(K)


@dataclass(frozen=True)
class Settings:
    """The validated choices of Algorithm 2 that the text leaves open (see its keywords)."""

    design: EpisodeDesign        # how the episodes of lines 3-11 are played and observed
    smoothing: str               # the factor of eq. (4.1)
    sequential: bool             # players update one after the other (beyond the paper)


def settings(game, trajectories, radius, *, smoothing: str = "D/r^2",
             updates: str = "simultaneous", **episode_options) -> Settings:
    """Validate the options of Algorithm 2, each named in its message."""
    plan = design(game, trajectories, radius, **episode_options)
    smoothing = check.choice(smoothing, SMOOTHINGS, "smoothing")
    sequential = check.choice(updates, ("simultaneous", "sequential"), "updates") == "sequential"
    if sequential and plan.covariance == "pooled":
        raise LQGameError("covariance='pooled' needs every player's episodes at once; it cannot "
                          "be combined with updates='sequential'")
    return Settings(plan, smoothing, sequential)


@dataclass(frozen=True)
class Step:
    """One iteration of Algorithm 2 for a batch of runs (:func:`natural_gradient_step`)."""

    K: np.ndarray                     # (runs, T, sum k, d): the iterates K^(m)
    observed: np.ndarray              # (runs, N): each player's mean gross cost at K^(m-1)
    spectrum: CovarianceSpectrum      # of the estimates Sigma_hat_t^i at K^(m-1)


def natural_gradient_step(game, K: np.ndarray, draws: streams.Draws, rule: Settings,
                          eta: np.ndarray, works=(None, None)) -> Step:
    r"""Lines 3-13 of Algorithm 2 at the iterates :math:`K^{(m-1)}` of a batch of runs, stacked
    ``(runs, T, sum(k), d)``, from the iteration's random numbers ``draws``; ``eta`` laid out like
    ``K``. Every player plays and steps at once (the paper), or, with ``updates="sequential"``,
    one after the other at the policy its predecessors updated."""
    K = K.copy()
    observed, spectra = [], []
    for players in ([[i] for i in range(game.N)] if rule.sequential else [None]):
        rows = slice(None) if players is None else game.slices[players[0]]
        radius = rule.design.radius if players is None else rule.design.radius[players]
        episodes = play(game, K, draws, rule.design, players, works)           # lines 3-11
        direction, spectrum = natural_gradient_estimate(                      # line 12, eq. (4.1)
            episodes, radius, smoothing=rule.smoothing, full_output=True)
        K[:, :, rows] -= eta[:, :, rows] * np.concatenate(direction, axis=-2)   # line 13, (4.2)
        observed.append(episodes.gross)
        spectra.append(spectrum)
    return Step(K, np.concatenate(observed, axis=1), CovarianceSpectrum(
        *(np.concatenate([getattr(found, name) for found in spectra], axis=1)
          for name in ("eigenvalues", "singular"))))
