r"""Saddles of gradient play: the spectra of the simultaneous gradient at a stationary equilibrium,
and how often games of Mazumdar et al.'s shape have an equilibrium that gradient play avoids.

Near a Nash equilibrium :math:`K^*` gradient play is the linear map :math:`I - \eta J` with
:math:`J = D\omega(K^*)` the Jacobian of the simultaneous gradient
:math:`\omega(K) = (\nabla_{K^1}C^1, \dots, \nabla_{K^N}C^N)`; an eigenvalue of J with a negative
real part makes :math:`K^*` a saddle of the dynamics, which gradient play avoids from almost every
start (:mod:`lqg.experiments.counterexample`).

* :func:`stationary_spectrum`, :func:`spectrum_values`: the eigenvalues of J (vanilla) or of
  :math:`D(2E)` (natural) at the stationary equilibrium;
* :func:`random_two_player_games` and :func:`saddle_census`: how often a game of [11]'s shape has
  an equilibrium that gradient play avoids, and what each of the paper's remedies does to it.
"""

from __future__ import annotations

import numpy as np

from .. import _checks as check
from .. import stationary
from .._checks import LQGameError
from ..equilibrium import NoUniqueNashError, solve_nash
from ..model import LQGame
from .convergence import largest_stable_step, linearized_spectrum

__all__ = ["GRADIENTS", "METHODS", "METHOD_LABELS", "simultaneous_gradient", "check_objective",
           "stationary_spectrum", "spectrum_values", "random_two_player_games", "saddle_census",
           "census_summary"]

GRADIENTS = ("vanilla", "natural")


def simultaneous_gradient(game, K: np.ndarray, gradient: str, objective: str) -> np.ndarray:
    """The stacked simultaneous gradient of stationary gains K (*batch, sum k, d); NaN where the
    closed loop is unstable."""
    return stationary._stacked_gradient(game, K, 1.0, objective, natural=gradient == "natural")


def check_objective(game, objective: str) -> None:
    """Refuse an objective the game cannot have (the total cost with noise and no discount)."""
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
    check_objective(nash.game, objective)
    star = np.concatenate(nash.K, axis=-2)
    n = star.size
    h = check.number(step, "step", 0.0, 1.0, open_low=True, open_high=True) * max(
        1.0, float(np.abs(star).max()))
    offsets = h * np.eye(n).reshape((n,) + star.shape)
    with np.errstate(all="ignore"):
        values = simultaneous_gradient(nash.game, np.concatenate([star + offsets, star - offsets]),
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
