r"""Saddles of gradient play: the spectra of the simultaneous gradient at a stationary equilibrium,
and how often games of Mazumdar et al.'s shape have an equilibrium that gradient play avoids.

Near a Nash equilibrium :math:`K^*` gradient play is the linear map :math:`I - \eta J` with
:math:`J = D\omega(K^*)` the Jacobian of the simultaneous gradient
:math:`\omega(K) = (\nabla_{K^1}C^1, \dots, \nabla_{K^N}C^N)`; an eigenvalue of J with a negative
real part makes :math:`K^*` a saddle of the dynamics, which gradient play avoids from almost every
start (:mod:`lqg.experiments.counterexample`).

* ``stationary_spectrum``, :func:`spectrum_values`: the eigenvalues of J (vanilla) or of
  :math:`D(2E)` (natural) at the stationary equilibrium;
* ``random_two_player_games``, ``saddle_census`` and :func:`family_census`: how often a
  game of [11]'s shape, drawn from one of two families (``FAMILIES``), has an equilibrium that
  gradient play avoids, and what each of the paper's remedies does to it.

Over a finite horizon the answer is the same for every remedy: the Jacobian of vanilla policy
gradient and of Algorithm 1 at the equilibrium is block triangular in t with blocks
:math:`X \mapsto 2\Phi_tX\Sigma_t` and :math:`X \mapsto 2\Phi_tX` (:mod:`lqg.linearization`), so
the equilibrium is a saddle of either, with or without noise, exactly when some :math:`\Phi_t` of
Remark 2.4 has an eigenvalue with a negative real part.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .. import _checks as check
from .. import stationary
from .._checks import LQGameError
from ..equilibrium import NotAnEquilibriumError, NoUniqueNashError, solve_nash
from ..evaluation import state_covariances
from ..linearization import linearize, step_size_bound
from ..model import LQGame
from .measures import NOT_MEASURED, Proportion, proportion

__all__ = ["GRADIENTS", "FAMILIES", "spectrum_values", "family_census", "census_report",
           "census_values"]

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
    ``<method>_eta_max`` (:func:`~lqg.linearization.step_size_bound`)."""
    nash = stationary.solve_stationary_nash(game) if nash is None else nash
    out = {}
    for gradient in GRADIENTS:
        lam = stationary_spectrum(nash.game, nash, gradient=gradient)
        out[gradient] = lam
        out[f"{gradient}_min"], out[f"{gradient}_max"] = float(lam.real.min()), float(lam.real.max())
        out[f"{gradient}_condition"] = out[f"{gradient}_max"] / out[f"{gradient}_min"]
        out[f"{gradient}_eta_max"] = step_size_bound(lam)
    return out


# ---------------------------------------------------------------------------
# how common are games whose equilibrium gradient play avoids?

#: the families of random games of ``random_two_player_games``
FAMILIES = {
    "ours": "random A, B^i and Q^i (this project's family)",
    "section-5.1": "random A with Section 5.1's B^i, Q^i and R^i, as a secondary source describes [11]",
}


def _spectral_radius_law(rng, n: int) -> np.ndarray:
    r"""n matrices A (2 x 2) with i.i.d. entries uniform on (0, 1), rescaled to a spectral radius
    uniform on (0.5, 1): open-loop stable or nearly, as the Section 5.1 example's 0.63."""
    A = rng.uniform(0.0, 1.0, (n, 2, 2))
    return A * (rng.uniform(0.5, 1.0, n) / np.abs(np.linalg.eigvals(A)).max(axis=-1))[:, None, None]


def random_two_player_games(n: int, *, seed, T: int = 10, horizon_noise: float = 0.0,
                            family: str = "ours") -> list:
    r"""``n`` two-player games of [11]'s shape and the Section 5.1 example's: d = 2, k = (1, 1),
    time-invariant, :math:`x_0` the example's two-point law, :math:`R^i = 0.01` (the example's).

    In both families A has i.i.d. entries uniform on (0, 1), rescaled to a spectral radius uniform
    on (0.5, 1) (open-loop stable or nearly, as the example's 0.63). The rest:

    * ``"ours"``: :math:`B^i` with entries uniform on (0, 1), :math:`Q^i` diagonal with entries
      uniform on (0, 1) (drawn game by game: A, its radius, :math:`B^1, B^2, Q^1, Q^2`);
    * ``"section-5.1"``: Section 5.1's :math:`B^1 = [1, 1]^\top`, :math:`B^2 = [0, 1]^\top`,
      :math:`Q^1 = \operatorname{diag}(0.01, 1)`, :math:`Q^2 = \operatorname{diag}(1, 0.147)`, the
      family in which a secondary source describes [11]'s experiment (only A is random; all n
      drawn at once).

    ``T`` is the horizon the finite-horizon remedies use; ``horizon_noise`` is W = that times I.
    """
    n = check.positive_int(n, "n")
    rng = check.generator(seed, "seed")
    family = check.choice(family, tuple(FAMILIES), "family")
    from ..examples import paper

    example = paper.section_5_1(0.0)
    if family == "section-5.1":
        B, Q = [B[0] for B in example.B], [Q[0] for Q in example.Q]
        return [LQGame.time_invariant(A, B, Q, [0.01, 0.01], T=T, W=horizon_noise, x0=example.x0)
                for A in _spectral_radius_law(rng, n)]
    games = []
    for _ in range(n):
        A = rng.uniform(0.0, 1.0, (2, 2))
        A *= rng.uniform(0.5, 1.0) / np.abs(np.linalg.eigvals(A)).max()
        B = [rng.uniform(0.0, 1.0, (2, 1)) for _ in range(2)]
        Q = [np.diag(rng.uniform(0.0, 1.0, 2)) for _ in range(2)]
        games.append(LQGame.time_invariant(A, B, Q, [0.01, 0.01], T=T, W=horizon_noise,
                                           x0=example.x0))
    return games


METHODS = ("vanilla", "natural", "finite_vanilla", "finite_vanilla_noise", "finite_natural")
#: what each of ``METHODS`` is
METHOD_LABELS = {"vanilla": "gradient play, infinite horizon",
                 "natural": "natural gradient play, infinite horizon",
                 "finite_vanilla": "vanilla policy gradient, finite horizon",
                 "finite_vanilla_noise": "vanilla policy gradient, finite horizon + noise",
                 "finite_natural": "Algorithm 1, finite horizon (any noise)"}


def _still_moving(games: list, max_iter: int) -> np.ndarray:
    r"""Which games' coupled Riccati iteration still changes by more than :math:`10^{-10}` (relative)
    after ``max_iter`` steps: the step of :func:`~lqg.stationary.solve_stationary_nash` from
    :math:`P^i = 0`, run for all games at once. On those games the solver would spend ``max_iter``
    steps of its own and raise :class:`~lqg.stationary.NoStationaryNashError` (tol
    :math:`10^{-12}`), so the census marks them unsolved without calling it. A filter only: every
    equilibrium the census uses is the solver's."""
    A = np.stack([g.A[0] for g in games])                               # (G, d, d)
    B = np.stack([g.B_stacked[0] for g in games])                       # (G, d, sum k)
    R = np.stack([g.R_block[0] for g in games])                         # own weights
    Q = np.stack([g.Q_stacked[:, 0] for g in games])                    # (G, N, d, d)
    weight = np.zeros(Q.shape[:2] + R.shape[-2:])                       # player i's on every u^j
    for g, game in enumerate(games):
        for i, s in enumerate(game.slices):
            weight[g, i, s, s] = R[g, s, s]
        for (i, j), R_ij in game.R_cross:
            weight[g, i, game.slices[j], game.slices[j]] = R_ij[0]
    owner = np.repeat(np.arange(games[0].N), games[0].k)
    rows = np.arange(owner.size)
    P = np.zeros(Q.shape)
    K = np.zeros(B.shape[:1] + B.shape[-1:] + A.shape[-1:])
    change = np.full(len(games), np.inf)
    with np.errstate(all="ignore"):
        for _ in range(max_iter):
            BtP = np.einsum("gdr,gnde->gnre", B, P)[:, owner, rows]    # row r: (B^i)' P^i, i its owner
            try:
                K_new = np.linalg.solve(R + BtP @ B, BtP @ A)           # eq. (2.4)
            except np.linalg.LinAlgError:                               # a singular Phi: let the
                return np.zeros(len(games), dtype=bool)                 # solver name it
            F = A - B @ K_new
            P_new = (Q + np.swapaxes(K_new, -1, -2)[:, None] @ weight @ K_new[:, None]
                     + np.swapaxes(F, -1, -2)[:, None] @ P @ F[:, None])   # eq. (2.5)
            change = np.maximum(_relative_change(K_new, K, (-2, -1)),
                                _relative_change(P_new, P, (-3, -2, -1)))
            K, P = K_new, P_new
    return ~(change <= 1e-10)


def _relative_change(new: np.ndarray, old: np.ndarray, axes: tuple) -> np.ndarray:
    """The solver's convergence measure: max |new - old| / max(1, max |new|) over ``axes``."""
    return np.abs(new - old).max(axis=axes) / np.maximum(1.0, np.abs(new).max(axis=axes))


def saddle_census(games: list, *, noise: float = 0.1, max_iter: int = 1000,
                  rtol: float = 1e-9) -> dict:
    r"""For each game, whether each method's dynamics has its equilibrium as a saddle.

    The methods (``METHODS``): gradient play ("vanilla") and natural gradient play ("natural") on
    stationary policies at the stationary equilibrium ([11]'s setting), and at the finite-horizon
    equilibrium (horizon ``game.T``) vanilla policy gradient without noise, with W = ``noise`` I,
    and Algorithm 1 ("finite_natural", which never reads W). A method's equilibrium is a **saddle**
    when some eigenvalue of its Jacobian has a negative real part: the method then avoids the
    equilibrium from almost every start. For the stationary methods (Jacobians by central
    differences) that is a real part below ``-rtol`` times the largest eigenvalue's modulus (a zero
    eigenvalue, as of a gain that no state reaches, is not one). For the finite-horizon methods it
    is some :math:`\Phi_t` with an eigenvalue below ``-rtol`` times its largest modulus
    (:meth:`lqg.linearization.Linearization.saddle`, exact), the same for all three.

    Parameters
    ----------
    games : list of LQGame
        Time-invariant games with the same N, k and d (e.g. ``random_two_player_games``).
    noise : float
        :math:`\sigma^2` of the noisy method, W = noise I.
    max_iter : int
        Coupled Riccati steps of :func:`~lqg.stationary.solve_stationary_nash` before a game counts
        as unsolved.
    rtol : float

    Returns
    -------
    dict
        ``solved`` (games,) bool: a stabilising stationary equilibrium found within ``max_iter``
        Riccati steps and a unique finite-horizon one; per method, ``<method>_min_real`` (the
        smallest real part of its spectrum) and ``<method>_saddle`` arrays (games,), NaN / False
        where not solved. Over every game with a unique finite-horizon equilibrium
        (``finite_solved``), solved or not: ``phi_min_real``, the smallest real part of an
        eigenvalue of any :math:`\Phi_t`, and ``phi_saddle``, the finite-horizon methods' verdict;
        ``noise_saddle``, whether the spectrum of vanilla policy gradient with the noise (its
        eigenvalues :math:`2\lambda(\Phi_t)\mu(\Sigma_t)`, computed) has a negative real part.
    """
    if len({(g.N, g.k, g.d) for g in games}) > 1:
        raise LQGameError("games must share N, k and d (one family of random games)")
    found = {"solved": np.zeros(len(games), dtype=bool),
             "finite_solved": np.zeros(len(games), dtype=bool),
             "phi_min_real": np.full(len(games), np.nan),
             "phi_saddle": np.zeros(len(games), dtype=bool),
             "noise_saddle": np.zeros(len(games), dtype=bool)}
    for key in METHODS:
        found[f"{key}_min_real"] = np.full(len(games), np.nan)
        found[f"{key}_saddle"] = np.zeros(len(games), dtype=bool)
    moving = _still_moving(games, max_iter) if games else []
    for g, game in enumerate(games):
        try:
            finite = solve_nash(game)
            vanilla = linearize(game, finite, gradient="vanilla")
        except (NoUniqueNashError, NotAnEquilibriumError):
            continue
        found["finite_solved"][g] = True
        found["phi_min_real"][g] = vanilla.phi_eigenvalues.real.min()
        found["phi_saddle"][g] = vanilla.saddle(rtol)
        noisy = replace(vanilla, covariances=state_covariances(game.with_noise(noise), finite.K)[:-1])
        lam = noisy.spectrum                                  # noise changes Sigma_t only
        found["noise_saddle"][g] = lam.real.min() < -rtol * np.abs(lam).max()
        if moving[g]:
            continue
        try:
            nash = stationary.solve_stationary_nash(game, max_iter=max_iter)
        except (stationary.NoStationaryNashError, NoUniqueNashError):
            continue
        if nash.spectral_radius >= 1:
            continue
        found["solved"][g] = True
        spectra = {
            "vanilla": stationary_spectrum(game, nash, gradient="vanilla"),
            "natural": stationary_spectrum(game, nash, gradient="natural"),
            "finite_vanilla": vanilla.spectrum,
            "finite_vanilla_noise": lam,
            "finite_natural": linearize(game, finite).spectrum,
        }
        for key, lam in spectra.items():
            found[f"{key}_min_real"][g] = lam.real.min()
            found[f"{key}_saddle"][g] = (found["phi_saddle"][g] if key.startswith("finite") else
                                         lam.real.min() < -rtol * np.abs(lam).max())
    return found


def census_summary(census: dict) -> dict:
    r"""Counts and fractions from ``saddle_census``.

    ``games`` drawn; ``solved``; ``vanilla_saddles``, the solved games whose equilibrium is a
    saddle of gradient play; per method ``<method>_saddles`` (count) and ``<method>_saddle``
    (fraction of the solved games); and among the games where gradient play has a saddle,
    ``<method>_left`` (the games where the method has one too) and ``<method>_removes`` (the
    share where it has none, a :class:`~lqg.experiments.measures.Proportion`: the remedy works;
    NOT_MEASURED without saddles of gradient play); ``vanilla_share``, the share of the solved
    games that are saddles of gradient play; ``noise_removes``, among every game whose
    finite-horizon equilibrium is a saddle of vanilla policy gradient without noise (solved or
    not), the share where noise removes it. Over every
    game with a unique finite-horizon equilibrium (``finite_solved``), ``phi_saddles`` have one
    that is a saddle of the finite-horizon methods (some :math:`\Phi_t` with a negative
    eigenvalue), ``unsolved_phi_saddles`` of them among the ``unsolved_finite`` games without a
    stationary equilibrium found, where [11]'s setting has nothing to compare.
    """
    solved = census["solved"]
    saddles = census["vanilla_saddle"] & solved
    n = int(solved.sum())
    finite = census["phi_saddle"] & census["finite_solved"]
    out = dict(games=int(solved.size), solved=n, vanilla_saddles=int(saddles.sum()),
               vanilla_share=proportion(saddles[solved]) if n else NOT_MEASURED,
               noise_removes=(proportion(~census["noise_saddle"][finite])
                              if finite.any() else NOT_MEASURED),
               finite_solved=int(census["finite_solved"].sum()),
               phi_saddles=int(census["phi_saddle"].sum()),
               unsolved_finite=int((census["finite_solved"] & ~solved).sum()),
               unsolved_phi_saddles=int((census["phi_saddle"] & ~solved).sum()))
    for key in METHODS:
        flags = census[f"{key}_saddle"] & solved
        out[f"{key}_saddles"] = int(flags.sum())
        out[f"{key}_saddle"] = out[f"{key}_saddles"] / n if n else 0.0
        out[f"{key}_left"] = int((flags & saddles).sum())
        out[f"{key}_removes"] = (proportion(~flags[saddles]) if saddles.any() else NOT_MEASURED)
    return out


def family_census(family: str, n: int, *, seed, T: int = 10, noise: float = 0.1,
                  max_iter: int = 1000, rtol: float = 1e-9) -> tuple:
    """The census of ``n`` games of ``family`` (``FAMILIES``): the games
    (``random_two_player_games``), their ``saddle_census`` and its
    ``census_summary``, which also names the ``family``."""
    games = random_two_player_games(n, seed=seed, T=T, family=family)
    found = saddle_census(games, noise=noise, max_iter=max_iter, rtol=rtol)
    return games, found, dict(census_summary(found), family=family)


def census_report(summary: dict) -> str:
    """Lines for a ``census_summary``: games drawn and solved, saddles of gradient play, and per
    remedy the saddles left, with their counts."""
    n, saddles = summary["solved"], summary["vanilla_saddles"]
    lines = [f"{FAMILIES.get(summary.get('family'), 'random games')}: {summary['games']} games "
             f"drawn, {n} with a stabilising stationary equilibrium; {saddles} of {n} "
             f"({summary['vanilla_share']:%}) are saddles of gradient play"]
    for key in METHODS[1:]:
        lines.append(f"  {METHOD_LABELS[key]:48s} saddle in {summary[key + '_saddles']:3d} of {n}; "
                     f"{summary[key + '_left']} of those {saddles} left")
    lines.append(f"  finite horizon, every game with a finite-horizon equilibrium: saddle (some Phi_t "
                 f"with Re lambda < 0) in {summary['phi_saddles']} of {summary['finite_solved']}, "
                 f"{summary['unsolved_phi_saddles']} of them among the "
                 f"{summary['unsolved_finite']} games without a stationary equilibrium found")
    return "\n".join(lines)


def census_values(summaries: dict) -> dict:
    """The measured values the counterexample's claims read, from the ``census_summary`` of
    each family (family -> summary): per family, in the order given, the share of the solved
    games that are saddles of gradient play, the share of those saddles each remedy removes, and
    the share of the finite-horizon saddles of vanilla policy gradient that noise removes, and the
    share of the games without a stationary equilibrium (but with a finite-horizon one) whose
    finite-horizon equilibrium is a saddle."""
    def each(key):
        return [s[key] for s in summaries.values()]

    return dict(families=[FAMILIES[f] for f in summaries], census_games=each("games"),
                census_solved=each("solved"), saddle_shares=each("vanilla_share"),
                natural_removes=each("natural_removes"),
                finite_removes=each("finite_vanilla_removes"),
                finite_noise_removes=each("finite_vanilla_noise_removes"),
                algorithm_1_removes=each("finite_natural_removes"),
                noise_removes=each("noise_removes"), phi_saddles=each("phi_saddles"),
                unsolved_phi_saddles=[Proportion(s["unsolved_phi_saddles"], s["unsolved_finite"])
                                      for s in summaries.values()])
