r"""Natural policy gradient with unknown parameters: Algorithm 2 of Section 4, eqs. (4.1)-(4.2).

The players never see :math:`A_t, B_t^i, Q_t^i, R_t^i` or :math:`W`: each iteration, they play
perturbed episodes (:mod:`lqg.episodes`, lines 3-11), estimate their gradients and state
covariances from what they observe (:mod:`lqg.estimators`, line 12, eq. (4.1)) and update (line 13,
eq. (4.2)). Every choice the text leaves open is a keyword, its default the most literal reading;
the docstrings of :mod:`lqg.episodes` and :mod:`lqg.estimators` quote the sentences they interpret.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import _checks as check
from . import _kernel as kernel
from . import _streams as streams
from ._checks import LQGameError
from .episodes import design, observe
from .equilibrium import NashSolution
from .estimators import SMOOTHINGS, directions
from .runs import DIVERGENCE_FACTOR, PGResult, Recorder

__all__ = ["model_free_natural_policy_gradient", "model_free_variants", "VARIANT_OPTIONS"]


def model_free_natural_policy_gradient(
        game, K0: Sequence, eta, iterations: int, *, trajectories: int, radius, seed,
        trajectory_cost: str = "total", terminal_cost: bool = True, smoothing: str = "D/r^2",
        perturbation: str = "one-step", covariance: str = "perturbed-at-t",
        initial_states: str = "shared", noise: str = "fresh", updates: str = "simultaneous",
        estimator: str = "one-point", exploration=0.0, record_every: int = 1,
        record_policies: str = "t0", divergence_factor: float = DIVERGENCE_FACTOR,
        nash: NashSolution | None = None, progress: bool | None = None,
        prefetch: bool = True) -> PGResult:
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
    record_every, record_policies, divergence_factor, nash, progress
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

    Notes
    -----
    *Divergence.* Run b is diverged at m when :math:`K^{(m)}` is not finite, when the mean of some
    player's observed costs at :math:`K^{(m)}` (over its episodes of the next iteration) is not
    finite or exceeds ``divergence_factor`` times the same mean at :math:`K^{(0)}`, or when some
    :math:`\widehat\Sigma_t^i` at :math:`K^{(m)}` is numerically singular (smallest eigenvalue at
    most d machine epsilons of the largest; e.g. W = 0 with a degenerate initial state). The run is
    then frozen at :math:`K^{(m-1)}` as in Algorithm 1 and stops drawing random numbers; the others
    carry on. The final iterate :math:`K^{(M)}` is only checked for finiteness.
    """
    options = dict(trajectory_cost=trajectory_cost, terminal_cost=terminal_cost,
                   smoothing=smoothing, perturbation=perturbation, covariance=covariance,
                   initial_states=initial_states, noise=noise, updates=updates,
                   estimator=estimator, exploration=exploration)
    return model_free_variants(game, K0, eta, iterations, [options], trajectories=trajectories,
                               radius=radius, seed=seed, record_every=record_every,
                               record_policies=record_policies, divergence_factor=divergence_factor,
                               nash=nash, progress=progress, prefetch=prefetch)[0]


#: the keywords of :func:`model_free_natural_policy_gradient` a variant may set
VARIANT_OPTIONS = ("trajectory_cost", "terminal_cost", "smoothing", "perturbation", "covariance",
                   "initial_states", "noise", "updates", "estimator", "exploration")


def model_free_variants(game, K0, eta, iterations: int, variants: Sequence[dict], *,
                        trajectories: int, radius, seed, record_every: int = 1,
                        record_policies: str = "t0", divergence_factor: float = DIVERGENCE_FACTOR,
                        nash: NashSolution | None = None, progress: bool | None = None,
                        prefetch: bool = True) -> list:
    r"""Several variants of Algorithm 2 from the same initial policies, on common random numbers.

    Each variant is a dict of keywords of :func:`model_free_natural_policy_gradient` (those in
    ``VARIANT_OPTIONS``, e.g. ``{"trajectory_cost": "after-step"}``; ``{}`` is the paper's
    algorithm). The variants advance together, iteration by iteration, and every iteration's random
    numbers are drawn once and played by each: so variant v's result is exactly, bit for bit, what
    ``model_free_natural_policy_gradient(game, K0, ..., **variants[v])`` returns with the same
    ``seed``, and two variants are compared on the same perturbations, initial states and noise
    (common random numbers). The variants must draw the same random numbers: the options
    ``perturbation``, ``initial_states``, ``noise`` and ``covariance="unperturbed"`` change what is
    drawn, so variants that differ in them are refused (run them separately).

    Returns
    -------
    list of PGResult, one per variant, in order.

    Raises
    ------
    LQGameError
        As :func:`model_free_natural_policy_gradient`, naming the variant; an unknown key; two
        variants that draw different random numbers.
    """
    if isinstance(variants, dict) or not isinstance(variants, Sequence) or not variants:
        raise LQGameError("variants must be a non-empty list of dicts of options of Algorithm 2; "
                          f"got {type(variants).__name__}")
    runs = []
    for v, options in enumerate(variants):
        try:
            runs.append(_Variant(game, K0, eta, iterations, v, options, trajectories=trajectories,
                                 radius=radius, record_every=record_every,
                                 record_policies=record_policies,
                                 divergence_factor=divergence_factor, nash=nash, progress=progress))
        except LQGameError as error:
            if len(variants) == 1:
                raise
            raise LQGameError(f"variants[{v}]: {error}") from None
    layout = runs[0].plan.layout(runs[0].game)
    for v, other in enumerate(runs[1:], start=1):
        if not streams.same_layout(layout, other.plan.layout(other.game)):
            raise LQGameError(f"variants[{v}] draws other random numbers than variants[0] (its "
                              "perturbation, initial_states, noise or covariance='unperturbed' "
                              "differ); run it separately")
    game, M = runs[0].game, runs[0].run.M
    prefetch = check.flag(prefetch, "prefetch")
    c = kernel.coefficients(game)
    exact = lambda K: kernel.costs(c, kernel.value_matrices(c, K, kernel.closed_loop(c, K)))  # noqa: E731
    draws = streams.DrawSource(game.x0, check.run_generators(seed, runs[0].run.K0.shape[-1]),
                               layout, prefetch)
    try:
        with np.errstate(all="ignore"):
            for variant in runs:
                variant.start(exact)
            for m in range(1, M + 1):
                lives = [np.flatnonzero(variant.run.live) for variant in runs]
                union = np.unique(np.concatenate(lives))
                current = draws.take(union, more=m < M) if union.size else None
                for variant, live in zip(runs, lives):
                    mine = current if live.size == union.size else current.rows(
                        np.searchsorted(union, live))
                    variant.step(m, live, mine, exact)
    finally:
        draws.close()
    return [variant.run.result(variant.K) for variant in runs]


class _Variant:
    """One variant of Algorithm 2 in a lockstep batch: its recorder, design and iterates."""

    def __init__(self, game, K0, eta, iterations, v: int, options: dict, *, trajectories,
                 radius, record_every, record_policies, divergence_factor, nash, progress):
        if not isinstance(options, dict):
            raise LQGameError(f"variants[{v}] must be a dict of options; got {type(options).__name__}")
        unknown = sorted(set(options) - set(VARIANT_OPTIONS))
        if unknown:
            raise LQGameError(f"variants[{v}] has unknown option(s) {unknown}; the options are "
                              f"{list(VARIANT_OPTIONS)}")
        options = dict(options)
        smoothing = options.pop("smoothing", "D/r^2")
        updates = options.pop("updates", "simultaneous")
        self.run = Recorder(game, K0, eta, iterations, record_every=record_every,
                            record_policies=record_policies, divergence_factor=divergence_factor,
                            nash=nash, progress=progress if v == 0 else False,
                            algorithm="Algorithm 2")
        self.game = self.run.game
        self.plan = design(self.game, trajectories, radius, **options)
        self.smoothing = check.choice(smoothing, SMOOTHINGS, "smoothing")
        self.sequential = check.choice(updates, ("simultaneous", "sequential"), "updates") == "sequential"
        if self.sequential and self.plan.covariance == "pooled":
            raise LQGameError("covariance='pooled' needs every player's episodes at once; it cannot "
                              "be combined with updates='sequential'")
        self.works = (streams.Workspace(), streams.Workspace())
        self.K = self.run.K0

    def start(self, exact) -> None:
        self.run.record(0, self.K, exact(self.K).T, self.run.live)

    def step(self, m: int, live: np.ndarray, draws, exact) -> None:
        """Iteration m (lines 3-13) for the live runs ``live``, from their ``draws``."""
        K_live, observed, singular = None, None, None
        if live.size:
            run = self.run
            eta_live = run.eta if run.eta.shape[-1] == 1 else run.eta[..., live]
            step = _sequential if self.sequential else _simultaneous
            K_live, observed, singular = step(self.game, self.K[..., live], draws, self.plan,
                                              eta_live, self.smoothing, self.works)
        self.K = self.run.estimated_step(m, self.K, live, K_live, observed, singular, exact)


def _simultaneous(game, K, draws, plan, eta, smoothing, works):
    """Lines 3-13 for every player at once, from the iterates :math:`K^{(m-1)}` (batch-last)."""
    Ks = np.ascontiguousarray(np.moveaxis(K, -1, 0))
    costs, minus, states, moments = observe(game, Ks, draws, plan, works=works)      # lines 3-11
    found, singular = directions(costs, minus, draws.U, states, moments, plan.radius,  # line 12
                                 plan.covariance, smoothing)
    step = np.moveaxis(np.concatenate(found, axis=-2), 0, -1)
    return K - eta * step, _observed(costs, minus), singular.any(axis=(1, 2))          # line 13


def _sequential(game, K, draws, plan, eta, smoothing, works):
    """Lines 3-13 player after player: player i plays at the policy its predecessors updated."""
    K = K.copy()
    observed, singular = [], []
    for i, rows in enumerate(game.slices):
        Ks = np.ascontiguousarray(np.moveaxis(K, -1, 0))
        mine = draws.players([i])
        costs, minus, states, moments = observe(game, Ks, mine, plan, players=[i], works=works)
        found, bad = directions(costs, minus, mine.U, states, moments, plan.radius[[i]],
                                plan.covariance, smoothing)
        K[:, rows] -= eta[:, rows] * np.moveaxis(found[0], 0, -1)
        observed.append(_observed(costs, minus))
        singular.append(bad.any(axis=(1, 2)))
    return K, np.concatenate(observed, axis=1), np.any(singular, axis=0)


def _observed(costs: np.ndarray, minus: np.ndarray | None) -> np.ndarray:
    """Each player's mean observed cost over its episodes, (runs, N)."""
    mean = costs.mean(axis=(2, 3))
    return mean if minus is None else 0.5 * (mean + minus.mean(axis=(2, 3)))
