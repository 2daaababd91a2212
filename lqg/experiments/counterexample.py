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
|\lambda|^2` (:func:`~lqg.experiments.convergence.largest_stable_step`), at a speed set by the
smallest :math:`\operatorname{Re}\lambda`. The paper's remedies are a finite horizon, system noise
and the natural gradient :math:`2E^i` (Algorithm 1), whose Jacobian is :math:`D(2E)(K^*)`.

* :func:`stationary_spectrum`: the eigenvalues of J (vanilla) or of :math:`D(2E)` (natural) at the
  stationary equilibrium;
* :func:`stationary_gradient_play`: batched gradient play on stationary policies, vanilla or
  natural, with the outcome of each run;
* :func:`outcomes`: the fractions of runs converged, diverged and wandering (neither), for these
  runs and for finite-horizon runs of Algorithm 1 or vanilla policy gradient alike;
* :func:`random_two_player_games` and :func:`saddle_census`: how often a game of [11]'s shape has
  an equilibrium that gradient play avoids, and what each remedy does to it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .. import _checks as check
from .. import stationary
from .._checks import LQGameError
from ..equilibrium import NoUniqueNashError, solve_nash
from ..known_parameters import natural_policy_gradient, policy_gradient_descent
from ..model import LQGame
from ..runs import PGResult
from .convergence import largest_stable_step, linearized_spectrum
from .outcomes import errors_under_noise

__all__ = ["GRADIENTS", "METHODS", "METHOD_LABELS", "stationary_spectrum", "spectrum_values",
           "StationaryPlay", "stationary_gradient_play", "outcomes", "distances", "Setting",
           "SETTINGS", "run_settings", "settings_summary", "random_two_player_games",
           "saddle_census", "census_summary"]

GRADIENTS = ("vanilla", "natural")


def _gradient(game, K: np.ndarray, gradient: str, objective: str) -> np.ndarray:
    """The stacked simultaneous gradient of stationary gains K (*batch, sum k, d); NaN where the
    closed loop is unstable."""
    return stationary._stacked_gradient(game, K, 1.0, objective, natural=gradient == "natural")


def _objective(game, objective: str) -> None:
    objective = check.choice(objective, stationary.OBJECTIVES, "objective")
    if objective == "total" and np.any(game.W[0]):
        raise LQGameError("with noise the undiscounted total cost is infinite: use "
                          "objective='average'")


def stationary_spectrum(game, nash=None, *, gradient: str = "vanilla", objective: str = "total",
                        step: float = 1e-6) -> np.ndarray:
    r"""The eigenvalues of the Jacobian of the simultaneous gradient at the stationary equilibrium.

    Parameters
    ----------
    game : LQGame
        Time-invariant (:mod:`lqg.stationary`).
    nash : StationaryNash, optional
        :func:`~lqg.stationary.solve_stationary_nash` of the game by default.
    gradient : {"vanilla", "natural"}
        :math:`J = D\omega(K^*)` of gradient play, or :math:`D(2E)(K^*)` of the natural gradient.
    objective : {"total", "average"}
        The cost whose gradient the vanilla players follow (:mod:`lqg.stationary`).
    step : float
        Relative step of the central differences.

    Returns
    -------
    numpy.ndarray of complex, shape=(sum(k) d,)
    """
    gradient = check.choice(gradient, GRADIENTS, "gradient")
    nash = stationary.solve_stationary_nash(game) if nash is None else nash
    _objective(nash.game, objective)
    star = np.concatenate(nash.K, axis=-2)
    n = star.size
    h = check.number(step, "step", 0.0, 1.0, open_low=True, open_high=True) * max(
        1.0, float(np.abs(star).max()))
    offsets = h * np.eye(n).reshape((n,) + star.shape)
    with np.errstate(all="ignore"):
        values = _gradient(nash.game, np.concatenate([star + offsets, star - offsets]),
                           gradient, objective)
    J = ((values[:n] - values[n:]) / (2 * h)).reshape(n, n).T          # column j: along j
    return np.linalg.eigvals(J)


def spectrum_values(game, nash=None) -> dict:
    """The spectra of gradient play and natural gradient play at the stationary equilibrium, as
    flat values: ``vanilla`` and ``natural`` (the eigenvalues), ``<method>_min`` and
    ``<method>_max`` (smallest and largest real part), ``<method>_condition`` (their ratio) and
    ``<method>_eta_max`` (:func:`~lqg.experiments.convergence.largest_stable_step`)."""
    nash = stationary.solve_stationary_nash(game) if nash is None else nash
    out = {}
    for gradient in GRADIENTS:
        lam = stationary_spectrum(nash.game, nash, gradient=gradient)
        out[gradient] = lam
        out[f"{gradient}_min"], out[f"{gradient}_max"] = float(lam.real.min()), float(lam.real.max())
        out[f"{gradient}_condition"] = out[f"{gradient}_max"] / out[f"{gradient}_min"]
        out[f"{gradient}_eta_max"] = largest_stable_step(lam)
    return out


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
        As in :func:`stationary_spectrum`.
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
    _objective(game, objective)
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
            G = _gradient(game, K, gradient, objective)
            unstable = ~np.isfinite(G).all(axis=(-2, -1))
            step = K - eta[:, None, None] * np.nan_to_num(G)
            # a step into instability is caught at the next gradient; the run keeps its last gains
            diverged |= unstable
            K = np.where(diverged[:, None, None], K, step)
    return StationaryPlay(K=K, iterations=records, normalized_error=errors, distance=distance,
                          diverged=diverged)


def outcomes(result, *, tol: float) -> dict:
    """Fractions of runs ``converged`` (not diverged, every player's \\|normalized error\\| below
    ``tol`` at the last record), ``diverged`` and ``wandering`` (neither: still moving, or stuck
    far from the equilibrium, at the end). ``result`` is a :class:`StationaryPlay` or a
    :class:`~lqg.runs.PGResult` with one batch axis."""
    tol = check.number(tol, "tol", 0.0, open_low=True)
    if not isinstance(result, (StationaryPlay, PGResult)):
        raise LQGameError(f"result must be a StationaryPlay or a PGResult; got {type(result).__name__}")
    diverged = np.asarray(result.diverged).ravel()
    final = np.abs(result.normalized_error[-1]).reshape(diverged.size, -1)
    converged = ~diverged & np.all(final < tol, axis=-1)
    return dict(converged=float(converged.mean()), diverged=float(diverged.mean()),
                wandering=float(np.mean(~converged & ~diverged)))


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
    (per-run step sizes); ``outcomes`` maps each step size to :func:`outcomes`. The natural
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
        found[setting.key] = (runs, {e: outcomes(_rows(runs, j, n), tol=tol)
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
    ``<key>_best`` converged fraction."""
    out = {}
    for key, (_, by_step) in found.items():
        name = key.replace("-", "_")
        for what in ("converged", "diverged", "wandering"):
            out[f"{name}_{what}"] = [o[what] for o in by_step.values()]
        out[f"{name}_best"] = max(out[f"{name}_converged"])
    return out


def _rows(result, j: int, n: int):
    """The runs of the j-th step size."""
    rows = slice(j * n, (j + 1) * n)
    if isinstance(result, PGResult):
        return result.select(rows)
    return StationaryPlay(K=result.K[rows], iterations=result.iterations,
                          normalized_error=result.normalized_error[:, rows],
                          distance=result.distance[:, rows], diverged=result.diverged[rows])


# ---------------------------------------------------------------------------
# how common are games whose equilibrium gradient play avoids?


def random_two_player_games(n: int, *, seed, T: int = 10, horizon_noise: float = 0.0) -> list:
    r"""``n`` two-player games of [11]'s shape and the Section 5.1 example's: d = 2, k = (1, 1),
    time-invariant, :math:`x_0` the example's two-point law. A has i.i.d. entries uniform on
    (0, 1) rescaled to spectral radius uniform on (0.5, 1) (open-loop stable or nearly, as the
    example's 0.63), :math:`B^i` entries uniform on (0, 1), :math:`Q^i` diagonal with entries
    uniform on (0, 1), :math:`R^i = 0.01` (the example's). ``T`` is the horizon the finite-horizon
    remedies use; ``horizon_noise`` is W = that times I."""
    n = check.positive_int(n, "n")
    rng = check.generator(seed, "seed")
    from ..examples import paper

    x0 = paper.section_5_1(0.0).x0
    games = []
    for _ in range(n):
        A = rng.uniform(0.0, 1.0, (2, 2))
        A *= rng.uniform(0.5, 1.0) / np.abs(np.linalg.eigvals(A)).max()
        B = [rng.uniform(0.0, 1.0, (2, 1)) for _ in range(2)]
        Q = [np.diag(rng.uniform(0.0, 1.0, 2)) for _ in range(2)]
        games.append(LQGame.time_invariant(A, B, Q, [0.01, 0.01], T=T, W=horizon_noise, x0=x0))
    return games


METHODS = ("vanilla", "natural", "finite_vanilla", "finite_vanilla_noise", "finite_natural")
#: what each of ``METHODS`` is
METHOD_LABELS = {"vanilla": "gradient play, infinite horizon",
                 "natural": "natural gradient play, infinite horizon",
                 "finite_vanilla": "vanilla policy gradient, finite horizon",
                 "finite_vanilla_noise": "vanilla policy gradient, finite horizon + noise",
                 "finite_natural": "Algorithm 1, finite horizon (any noise)"}


def saddle_census(games: list, *, noise: float = 0.1, max_iter: int = 1000,
                  rtol: float = 1e-9) -> dict:
    r"""For each game, whether each method's dynamics has its equilibrium as a saddle.

    The methods (``METHODS``): gradient play ("vanilla") and natural gradient play ("natural") on
    stationary policies at the stationary equilibrium ([11]'s setting), and at the finite-horizon
    equilibrium (horizon ``game.T``) vanilla policy gradient without noise, with W = ``noise`` I,
    and Algorithm 1 ("finite_natural", which never reads W). A method's equilibrium is a **saddle**
    when some eigenvalue of its Jacobian has real part below ``-rtol`` times the largest
    eigenvalue's modulus (a zero eigenvalue, as of a gain that no state reaches, is not one):
    the method then avoids the equilibrium from almost every start.

    Returns
    -------
    dict
        ``solved`` (games,) bool: a stabilising stationary equilibrium found within ``max_iter``
        Riccati steps and a unique finite-horizon one; per method, ``min_real`` and ``saddle``
        arrays (games,), NaN / False where not solved.
    """
    found = {"solved": np.zeros(len(games), dtype=bool)}
    for key in METHODS:
        found[f"{key}_min_real"] = np.full(len(games), np.nan)
        found[f"{key}_saddle"] = np.zeros(len(games), dtype=bool)
    for g, game in enumerate(games):
        try:
            nash = stationary.solve_stationary_nash(game, max_iter=max_iter)
            finite = solve_nash(game)
        except (stationary.NoStationaryNashError, NoUniqueNashError):
            continue
        if nash.spectral_radius >= 1:
            continue
        found["solved"][g] = True
        noisy = game.with_noise(noise)
        spectra = {
            "vanilla": stationary_spectrum(game, nash, gradient="vanilla"),
            "natural": stationary_spectrum(game, nash, gradient="natural"),
            "finite_vanilla": linearized_spectrum(game, finite, gradient="vanilla"),
            "finite_vanilla_noise": linearized_spectrum(noisy, solve_nash(noisy), gradient="vanilla"),
            "finite_natural": linearized_spectrum(game, finite),
        }
        for key, lam in spectra.items():
            found[f"{key}_min_real"][g] = lam.real.min()
            found[f"{key}_saddle"][g] = lam.real.min() < -rtol * np.abs(lam).max()
    return found


def census_summary(census: dict) -> dict:
    """Fractions from :func:`saddle_census`: ``solved``; per method the fraction of solved games
    that are saddles; and, among the games where gradient play ("vanilla") has a saddle, the
    fraction where each other method has none (the remedy works)."""
    solved = census["solved"]
    saddles = census["vanilla_saddle"] & solved
    out = dict(games=int(solved.size), solved=int(solved.sum()), vanilla_saddles=int(saddles.sum()))
    for key in METHODS:
        out[f"{key}_saddle"] = float(census[f"{key}_saddle"][solved].mean()) if solved.any() else 0.0
        out[f"{key}_removes"] = (float(np.mean(~census[f"{key}_saddle"][saddles]))
                                 if saddles.any() else float("nan"))
    return out
