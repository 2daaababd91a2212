r"""The counterexample of Mazumdar et al. (2019), the paper's reference [11], beside the paper's
own setting.

[11] study *gradient play* on stationary policies :math:`u_t^i = -K^ix_t` over an infinite
horizon with deterministic dynamics: every player follows the gradient of its own cost,

.. math::

    K^i \leftarrow K^i - \eta\,\nabla_{K^i}C^i(K), \qquad
    \nabla_{K^i}C^i = 2E^i\Sigma_K \quad\text{(Lemma 3.7 for stationary policies,
    :mod:`lqg.stationary`)}.

Near a Nash equilibrium :math:`K^*` the iteration is the linear map :math:`I - \eta J` with
:math:`J = D\omega(K^*)` the Jacobian of the simultaneous gradient
:math:`\omega(K) = (\nabla_{K^1}C^1, \dots, \nabla_{K^N}C^N)`. If some eigenvalue of J has a
negative real part, :math:`K^*` is a saddle point of the dynamics and gradient play avoids it from
almost every start ([11], their sufficient condition); if every eigenvalue has a positive real
part, it converges locally for :math:`0 < \eta < \eta_{\max} = \min 2\operatorname{Re}\lambda/
|\lambda|^2` (:func:`~lqg.linearization.step_size_bound`), at a speed set by the
smallest :math:`\operatorname{Re}\lambda`. The paper's remedies are a finite horizon, system noise
and the natural gradient :math:`2E^i` (Algorithm 1), whose Jacobian is :math:`D(2E)(K^*)`.

* :mod:`lqg.experiments.saddles`: the eigenvalues of J (vanilla) or of :math:`D(2E)` (natural) at
  the stationary equilibrium, and how often games of [11]'s shape have a saddle;
* ``stationary_gradient_play``: batched gradient play on stationary policies, vanilla or
  natural, with the outcome of each run;
* :mod:`~lqg.experiments.outcomes`: the fractions of runs converged, diverged and wandering
  (neither), for these runs and for finite-horizon runs of Algorithm 1 or vanilla policy gradient alike;
* :func:`run_settings`: every setting of the ingredients from the same starts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .. import _checks as check
from .. import stationary
from .._checks import LQGameError
from ..equilibrium import solve_nash
from ..known_parameters import natural_policy_gradient, policy_gradient_descent
from ..runs import PGResult
from .convergence import converged
from .measures import proportion
from .outcomes import errors_under_noise
from .saddles import GRADIENTS, check_objective, simultaneous_gradient

__all__ = ["SETTINGS", "run_settings", "settings_summary", "distances", "shares", "StationaryPlay"]


@dataclass(frozen=True, eq=False)
class StationaryPlay:
    """Gradient play on stationary policies, a batch of runs.

    Attributes
    ----------
    K : numpy.ndarray, shape=(runs, sum k, d)
        The final gains (a diverged run's last gains with a stable closed loop).
    iterations : numpy.ndarray of int, shape=(records,)
    normalized_error : numpy.ndarray, shape=(records, runs, N)
        :math:`(C^i(K) - C^i(K^*))/C^i(K^*)` with the stationary costs; NaN after a divergence.
    distance : numpy.ndarray, shape=(records, runs)
        :math:`\\|K - K^*\\|_F` over all players.
    diverged : numpy.ndarray of bool, shape=(runs,)
        The closed loop became unstable (the cost infinite).
    """

    K: np.ndarray
    iterations: np.ndarray
    normalized_error: np.ndarray
    distance: np.ndarray
    diverged: np.ndarray


def stationary_gradient_play(game, K0: np.ndarray, eta, iterations: int, *, nash=None,
                             gradient: str = "vanilla", objective: str = "total",
                             record_every: int = 10) -> StationaryPlay:
    r"""Gradient play :math:`K \leftarrow K - \eta\,\omega(K)` on stationary gains (vanilla: [11]'s
    dynamics), or its natural-gradient counterpart :math:`K \leftarrow K - \eta\,2E^K`.

    Parameters
    ----------
    game : LQGame
        Time-invariant.
    K0 : array_like, shape=(runs, sum k, d)
        Initial stacked gains, one run per row.
    eta : float or array_like of shape (runs,)
        Step size, per run if an array.
    iterations : int
    nash : StationaryNash, optional
    gradient, objective
        As in :func:`lqg.experiments.saddles.stationary_spectrum`.
    record_every : int

    Returns
    -------
    StationaryPlay
        A run diverges when its closed loop :math:`A - \sum_jB^jK^j` becomes unstable; it is then
        frozen at its last stable gains.
    """
    gradient = check.choice(gradient, GRADIENTS, "gradient")
    nash = stationary.solve_stationary_nash(game) if nash is None else nash
    game = nash.game
    check_objective(game, objective)
    K = check.real_array(K0, "K0").copy()
    if K.ndim != 3 or K.shape[1:] != (sum(game.k), game.d):
        raise LQGameError(f"K0 must have shape (runs, sum k, d) = (runs, {sum(game.k)}, {game.d}); "
                          f"got {K.shape}")
    check.check_finite(K, "K0")
    runs = K.shape[0]
    eta = check.real_array(eta, "eta", scalar_or_vector=True)
    eta = np.broadcast_to(eta, (runs,)) if eta.ndim else np.full(runs, float(eta))
    if not np.all((eta > 0) & np.isfinite(eta)):
        raise LQGameError("eta must be positive and finite")
    M = check.positive_int(iterations, "iterations")
    every = check.positive_int(record_every, "record_every")
    star = np.concatenate(nash.K, axis=-2)
    star_costs = stationary.stationary_cost(game, nash.K, objective=objective)
    records = np.unique(np.append(np.arange(0, M + 1, every), M))
    errors = np.full((records.size, runs, game.N), np.nan)
    distance = np.full((records.size, runs), np.nan)
    diverged = np.zeros(runs, dtype=bool)
    j = 0
    with np.errstate(all="ignore"):
        for m in range(M + 1):
            if m == records[j]:
                live = ~diverged
                gains = tuple(K[live][:, s, :] for s in game.slices)
                costs = stationary.stationary_cost(game, gains, objective=objective)
                errors[j, live] = (costs - star_costs) / star_costs
                distance[j, live] = np.sqrt(((K[live] - star) ** 2).sum(axis=(-2, -1)))
                j += 1
            if m == M:
                break
            G = simultaneous_gradient(game, K, gradient, objective)
            unstable = ~np.isfinite(G).all(axis=(-2, -1))
            step = K - eta[:, None, None] * np.nan_to_num(G)
            # a step into instability is caught at the next gradient; the run keeps its last gains
            diverged |= unstable
            K = np.where(diverged[:, None, None], K, step)
    return StationaryPlay(K=K, iterations=records, normalized_error=errors, distance=distance,
                          diverged=diverged)


def shares(result, *, tol: float) -> dict:
    """Shares of runs (:class:`~lqg.experiments.measures.Proportion`) ``converged``
    (:func:`~lqg.experiments.convergence.converged`: not diverged, every player's
    \\|normalized error\\| below ``tol`` at the last record), ``diverged`` and ``wandering``
    (neither: still moving, or stuck far from the equilibrium, at the end). ``result`` is a
    :class:`StationaryPlay` or a :class:`~lqg.runs.PGResult` with one batch axis."""
    ok = converged(result, tol).ravel()
    diverged = np.asarray(result.diverged).ravel()
    return dict(converged=proportion(ok), diverged=proportion(diverged),
                wandering=proportion(~ok & ~diverged))


@dataclass(frozen=True)
class Setting:
    """One combination of the ingredients: the horizon, the noise, the gradient."""

    key: str
    label: str
    finite: bool
    noisy: bool
    gradient: str


#: [11]'s setting, each ingredient of the paper alone, and the paper's setting
SETTINGS = (
    Setting("mazumdar", "[11]: infinite horizon, no noise, vanilla", False, False, "vanilla"),
    Setting("natural", "natural gradient", False, False, "natural"),
    Setting("noise", "noise (average cost)", False, True, "vanilla"),
    Setting("finite", "finite horizon", True, False, "vanilla"),
    Setting("finite-noise", "finite horizon + noise", True, True, "vanilla"),
    Setting("finite-natural", "finite horizon + natural", True, False, "natural"),
    Setting("paper", "the paper: finite horizon + noise + natural", True, True, "natural"),
)


def run_settings(game, starts: np.ndarray, step_sizes, iterations: int, *, sigma2: float,
                 tol: float, record_every: int, settings=SETTINGS) -> dict:
    r"""Every setting from the same stationary starts, at every step size: key -> (runs, outcomes).

    ``game`` is the deterministic finite-horizon game (its T the paper's horizon); the stationary
    settings use its matrices over an infinite horizon. ``starts`` (runs, sum k, d) are stationary
    gains, copied over t for the finite horizon. All step sizes run in one batched call per setting
    (per-run step sizes); ``outcomes`` maps each step size to :mod:`~lqg.experiments.outcomes`. The natural
    gradient never reads W, so the paper's setting shares the finite-horizon natural runs and only
    measures them in the noisy game.
    """
    game = check.game(game)
    step_sizes = [check.number(e, "step_sizes", 0.0, open_low=True) for e in step_sizes]
    starts = check.real_array(starts, "starts")
    n = starts.shape[0]
    tiled = np.tile(starts, (len(step_sizes), 1, 1))
    eta = np.repeat(step_sizes, n)
    noisy = game.with_noise(sigma2)
    found, shared = {}, {}
    for setting in settings:
        if not setting.finite:
            played = game.with_noise(sigma2) if setting.noisy else game
            runs = stationary_gradient_play(
                played, tiled, eta, iterations, gradient=setting.gradient,
                objective="average" if setting.noisy else "total", record_every=record_every)
        else:
            played = noisy if setting.noisy else game
            K0 = tuple(np.repeat(tiled[:, None, s, :], game.T, axis=1) for s in game.slices)
            if setting.gradient == "natural":
                if "natural" not in shared:
                    shared["natural"] = natural_policy_gradient(
                        game, K0, np.repeat(eta[:, None], game.N, axis=1), iterations,
                        record_every=record_every, record_policies="all")
                runs = shared["natural"]
                if setting.noisy:                     # the same iterates, measured at sigma^2
                    errors = errors_under_noise(runs, {"noisy": noisy})["noisy"]
                    runs = replace(runs, normalized_error=errors, game=noisy,
                                   nash=solve_nash(noisy))
            else:
                runs = policy_gradient_descent(
                    played, K0, np.repeat(eta[:, None], game.N, axis=1), iterations,
                    record_every=record_every)
        found[setting.key] = (runs, {e: shares(_rows(runs, j, n), tol=tol)
                                     for j, e in enumerate(step_sizes)})
    return found


def distances(result) -> np.ndarray:
    r""":math:`\|K - K^*\|_F` over the records, (records, runs): of the stationary gains for a
    :class:`StationaryPlay`, of :math:`K_0` against :math:`K_0^*` for a
    :class:`~lqg.runs.PGResult` (which must record policies); NaN after a divergence."""
    if isinstance(result, StationaryPlay):
        return result.distance
    if not isinstance(result, PGResult) or result.policies is None:
        raise LQGameError("result must be a StationaryPlay or a PGResult that records policies")
    K0 = np.concatenate([P[..., 0, :, :] for P in result.policies], axis=-2)
    star = np.concatenate([K[0] for K in result.nash.K], axis=-2)
    flat = K0.reshape((K0.shape[0], -1) + star.shape)
    return np.sqrt(((flat - star) ** 2).sum(axis=(-2, -1)))


def settings_summary(found: dict) -> dict:
    """Flat values from :func:`run_settings`: per setting (``-`` in keys read as ``_``) the lists
    ``<key>_converged``, ``<key>_diverged``, ``<key>_wandering`` over the step sizes and the best
    ``<key>_best`` converged share."""
    out = {}
    for key, (_, by_step) in found.items():
        name = key.replace("-", "_")
        for what in ("converged", "diverged", "wandering"):
            out[f"{name}_{what}"] = [o[what] for o in by_step.values()]
        out[f"{name}_best"] = max(out[f"{name}_converged"], key=lambda p: p.value)
    return out


def _rows(result, j: int, n: int):
    """The runs of the j-th step size."""
    rows = slice(j * n, (j + 1) * n)
    if isinstance(result, PGResult):
        return result.select(rows)
    return StationaryPlay(K=result.K[rows], iterations=result.iterations,
                          normalized_error=result.normalized_error[:, rows],
                          distance=result.distance[:, rows], diverged=result.diverged[rows])


