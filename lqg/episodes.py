r"""The environment of Algorithm 2: the perturbed episodes of lines 3-11, simulated.

At iteration m, for each player i, trajectory :math:`l = 1, \dots, L` and time t, player i perturbs
its gain, :math:`\widehat K_t^{i,l} = K_t^{i,(m-1)} + U_t^{i,l}` with :math:`U_t^{i,l}` uniform on the
sphere :math:`\|U\|_F = r_i` (line 6), plays one episode of the game from :math:`x_0^l` while the
others keep :math:`K^{-i,(m-1)}`, and observes its "single trajectory cost" :math:`\widehat c_t^{i,l}`
(line 7) and the state :math:`x_t^{i,l}` (line 8). The players never see the game's matrices: only
``play`` reads them.

The text leaves several choices open; each is a field of ``EpisodeDesign`` (a keyword of
:func:`perturbed_episodes` and of Algorithm 2), its default the most literal reading:

* ``perturbation``: "Sample the (sub)-policy at time t" inside the loop over t, and line 7's policy
  :math:`\widehat{\mathbf K}_{l,t}^i = (K_0, \dots, \widehat K_t^{i,l}, \dots, K_{T-1})`: one perturbed
  time step per episode, T L episodes per player ("one-step"), or all time steps perturbed in one
  episode, L episodes per player ("all-steps").
* ``trajectory_cost``: which stage costs "the single trajectory cost" sums: every stage
  :math:`\sum_{s<T} c_s + x_T^\top Q_Tx_T` ("total", the cost (2.2)); the stages a simulation charges
  after each step, :math:`x_1, \dots, x_T` with the controls :math:`u_0, \dots, u_{T-1}`, so never
  :math:`x_0` ("after-step"; the parameters are given "for t = 1, ..., T-1"); or the cost-to-go
  from the perturbed time t ("cost-to-go"). ``terminal_cost=False`` drops :math:`x_T^\top Q_T x_T`.
* ``initial_states`` and ``noise``: whether :math:`x_0^l` (line 7, "starting from :math:`x_0^l`") and
  the noise sequence are shared by player i's and the other players' episodes and across t
  ("shared"), drawn per player ("per-player"), per time ("per-time") or for every episode ("fresh").
  The notation :math:`x_0^l` carries only l, so initial states are shared by default; the noise is
  not named, so each episode draws its own.
* ``covariance``: which states give :math:`\widehat\Sigma_t^i` (line 8, eq. (4.1)): those at t of the
  episodes perturbed at t ("perturbed-at-t", :math:`x_t^{i,l}`), of all of player i's episodes
  ("all-episodes"), of L separate unperturbed episodes per player ("unperturbed"), or those at t of
  every player's episodes perturbed at t ("pooled").

Beyond the paper: the two-point estimator (each perturbation is also played as :math:`K - U` with
the same initial state and noise) and Gaussian exploration (:func:`game_with_exploration`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from . import _checks as check
from . import _kernel as kernel
from . import _streams as streams
from ._checks import LQGameError

__all__ = ["Episodes", "perturbed_episodes", "game_with_exploration"]

SHARING = ("shared", "per-player", "per-time", "fresh")
PERTURBATIONS = ("one-step", "all-steps")
TRAJECTORY_COSTS = ("total", "after-step", "cost-to-go")
COVARIANCES = ("perturbed-at-t", "all-episodes", "unperturbed", "pooled")


@dataclass(frozen=True)
class EpisodeDesign:
    """How one iteration's episodes are played and what is observed (module docstring)."""

    L: int
    radius: np.ndarray
    perturbation: str = "one-step"
    trajectory_cost: str = "total"
    terminal_cost: bool = True
    initial_states: str = "shared"
    noise: str = "fresh"
    covariance: str = "perturbed-at-t"
    two_point: bool = False
    exploration: np.ndarray | None = None

    def E(self, game) -> int:
        """Episodes per player and trajectory: T with one perturbed step each, 1 with all steps."""
        return game.T if self.perturbation == "one-step" else 1

    def layout(self, game) -> streams.Layout:
        N, T, d, L, E = game.N, game.T, game.d, self.L, self.E(game)

        def shape(sharing):                                  # the (player, time) axes drawn
            return ((N if sharing in ("per-player", "fresh") else 1),
                    (E if sharing in ("per-time", "fresh") else 1))

        pn, pe = shape(self.noise)
        explore = self.exploration is not None and np.any(self.exploration)
        return streams.Layout(
            x0=shape(self.initial_states) + (L,),
            U=tuple((T, L, k * d) for k in game.k), k=game.k, d=d, radius=self.radius,
            z=(T, pn, d, pe, L) if np.any(game.W) else None,
            e=(T, N, sum(game.k), E, L) if explore else None,
            exploration_rows=np.repeat(self.exploration, game.k) if explore else None,
            unperturbed=(N, L) if self.covariance == "unperturbed" else None,
            noise_scale=game.noise_scales if (pn, pe) == (N, E) and np.any(game.W) else None,
        )


def design(game, trajectories, radius, *, perturbation="one-step", trajectory_cost="total",
           terminal_cost=True, initial_states="shared", noise="fresh",
           covariance="perturbed-at-t", estimator="one-point", exploration=0.0) -> EpisodeDesign:
    """Validate the options of the episodes (each named in its message) into an ``EpisodeDesign``."""
    exploration = check.per_player(exploration, game.N, "exploration", allow_zero=True)
    covariance = check.choice(covariance, COVARIANCES, "covariance")
    if covariance == "unperturbed" and np.any(exploration):
        raise LQGameError("covariance='unperturbed' with exploration is not supported: the "
                          "unperturbed episodes do not explore")
    return EpisodeDesign(
        L=check.positive_int(trajectories, "trajectories"),
        radius=check.per_player(radius, game.N, "radius"),
        perturbation=check.choice(perturbation, PERTURBATIONS, "perturbation"),
        trajectory_cost=check.choice(trajectory_cost, TRAJECTORY_COSTS, "trajectory_cost"),
        terminal_cost=check.flag(terminal_cost, "terminal_cost"),
        initial_states=check.choice(initial_states, SHARING, "initial_states"),
        noise=check.choice(noise, SHARING, "noise"),
        covariance=covariance,
        two_point=check.choice(estimator, ("one-point", "two-point"), "estimator") == "two-point",
        exploration=exploration,
    )


@dataclass(frozen=True, eq=False)
class Episodes:
    r"""The episodes of one iteration of Algorithm 2 (lines 3-11), as the players observe them.

    Attributes
    ----------
    U : tuple of N numpy.ndarray, shapes (*batch, T, L, k_i, d)
        Perturbations :math:`U_t^{i,l}`, each of Frobenius norm :math:`r_i`.
    costs : numpy.ndarray, shape=(*batch, N, T, L)
        Observed costs :math:`\widehat c_t^{i,l}` of player i in the episode where it perturbed
        :math:`K_t^i` by :math:`U_t^{i,l}` (with all steps perturbed, the cost of episode l as the
        ``trajectory_cost`` reading charges it for t).
    states : numpy.ndarray, shape=(*batch, N, T, L, d)
        The state :math:`x_t^{i,l}` at time t of that episode (Algorithm 2, line 8).
    x0 : numpy.ndarray, shape=(*batch, N, E, L, d)
        The initial states of player i's episodes (E = T with one perturbed step per episode).
    costs_minus : numpy.ndarray, shape=(*batch, N, T, L), or None
        Two-point estimator only (beyond the paper): the observed costs of the mirrored episodes.
    second_moments : numpy.ndarray, shape=(*batch, N, T, d, d), or None
        With ``covariance="all-episodes"``: the mean of :math:`x_tx_t^\top` over all of player i's
        episodes; with ``"unperturbed"``: over its separate unperturbed episodes.
    covariance : str
        The reading of line 8 these episodes were played for.
    gross : numpy.ndarray, shape=(*batch, N)
        Each player's mean gross cost over its episodes, charged with every weight replaced by its
        matrix absolute value (the divergence rule's, :class:`~lqg.runs.PGResult`): ``mean_costs``
        where every weight is positive semi-definite.
    """

    U: tuple
    costs: np.ndarray
    states: np.ndarray
    x0: np.ndarray
    costs_minus: np.ndarray | None = None
    second_moments: np.ndarray | None = None
    covariance: str = "perturbed-at-t"
    gross: np.ndarray | None = None

    @property
    def mean_costs(self) -> np.ndarray:
        """Each player's mean observed cost over its episodes (and their mirrors), (*batch, N)."""
        return _mean_costs(self.costs, self.costs_minus)


def _mean_costs(costs: np.ndarray, minus: np.ndarray | None = None) -> np.ndarray:
    mean = costs.mean(axis=(-2, -1))
    return mean if minus is None else 0.5 * (mean + minus.mean(axis=(-2, -1)))


def _matvec(M: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``y[a] = sum_f M[a, f] x[f]`` for vectors held by component, ``x`` of shape (f, ...), with
    the entries ``M[a, f]`` broadcasting against ``x[f]``; summed in a fixed order."""
    y = M[:, 0] * x[0]
    for f in range(1, x.shape[0]):
        y += M[:, f] * x[f]
    return y


def play(game, Ks: np.ndarray, draws: streams.Draws, design: EpisodeDesign,
         players: Sequence[int] | None = None, works=(None, None)) -> Episodes:
    r"""Lines 3-11 of one iteration of Algorithm 2 for a batch of runs: the episodes as observed.

    ``Ks`` holds the joint policies :math:`K^{(m-1)}` stacked, (runs, T, sum(k), d); the players
    ``players`` (all by default) play their episodes. ``works``: two workspaces reused from one
    iteration to the next (the second for two-point mirrors), into which the results are views.
    The game's matrices are read here only: this function is the environment.
    """
    if players is not None:
        draws = draws.players(players)
    works = tuple(streams.Workspace() if w is None else w for w in works)
    weights, halves = kernel.coefficients(game), ((draws, draws.mirrored()) if design.two_point
                                                  else (draws,))
    costs, states, moments = _simulate(game, weights, Ks, draws, design, players, works[0])
    minus = _simulate(game, weights, Ks, halves[1], design, players, works[1])[0] if halves[1:] else None
    gross = _mean_costs(costs, minus)
    if not game.weights_psd:                       # the same episodes, charged |Q|, |R|, |R^ij|
        gross = _mean_costs(*(_simulate(game, kernel.coefficients(game, gross=True), Ks, half,
                                        design, players, streams.Workspace())[0] for half in halves))
    x0 = np.broadcast_to(draws.x0, costs.shape[:2] + (design.E(game), design.L, game.d))
    return Episodes(U=tuple(draws.U), costs=costs, states=states, x0=x0, costs_minus=minus,
                    second_moments=moments, covariance=design.covariance, gross=gross)


def _simulate(game, weights: kernel.Coefficients, Ks: np.ndarray, draws: streams.Draws,
              design: EpisodeDesign, players: Sequence[int] | None, work: streams.Workspace):
    r"""The episodes of :func:`play` charged with ``weights`` (the game's or their absolute
    values): costs (runs, N', T, L), states (runs, N', T, L, d), second moments or None.

    A run's episodes advance together, one time step at a time: the states of player i's episodes
    form a (d, E L) matrix, so a step is one matrix product per run and player for the dynamics,
    one for the stage costs (the kernel's closed loops and stage weights), and at step s a
    correction for the episodes perturbed at s, whose player adds the control :math:`-U_s^{i,l}x_s`.
    """
    players = list(range(game.N)) if players is None else list(players)
    n, T, d = len(players), game.T, game.d
    runs, L, E = Ks.shape[0], design.L, design.E(game)
    one_step = design.perturbation == "one-step"
    to_go = design.trajectory_cost == "cost-to-go"
    K = kernel.batch_last(Ks)
    # the kernel's batch-last results, run axis first again for one matrix product per run
    closed = np.ascontiguousarray(np.moveaxis(kernel.closed_loop(weights, K), -1, 0))[:, :, None]
    stage = kernel.stage_weights(weights, K, charge_x0=design.trajectory_cost != "after-step")
    stage = np.ascontiguousarray(np.moveaxis(stage[:, players], -1, 0))   # (runs, T, N', d, d)
    U_c = [np.moveaxis(draws.U[p], (3, 4), (0, 1)) for p in range(n)]  # (k, d, runs, T, L)
    K_c = [K[:, game.slices[i]][..., None] for i in players]            # (T, k, d, runs, 1)
    R_c = [weights.R[:, game.slices[i], game.slices[i]][..., None] for i in players]  # (T, k, k, 1, 1)
    B_c = [game.B[i][..., None, None] for i in players]                 # (T, d, k, 1, 1)
    F = game.W_factor
    fresh_noise = draws.z is not None and draws.z.shape[2] == n and draws.z.shape[4] == E

    X = work.get("X", (runs, n, d, E, L))
    X_next = work.get("X_next", X.shape)
    Y = work.get("Y", X.shape)
    costs = work.get("costs", (runs, n, T, L))
    states = work.get("states", (runs, n, T, d, L))
    moments = np.empty((runs, n, T, d, d)) if design.covariance == "all-episodes" else None
    X[...] = np.moveaxis(draws.x0, -1, 2)
    costs.fill(0.0)
    flat = (runs, n, d, E * L)
    for s in range(T):
        Xf, Yf = X.reshape(flat), Y.reshape(flat)
        charged = slice(0, s + 1) if to_go else slice(None)            # the t whose cost has stage s
        e_s = s if one_step else 0                                     # the episodes perturbed at s
        np.matmul(stage[:, s], Xf, out=Yf)                             # x^T (Q + K^T R K) x
        Yf *= Xf
        for e in range(d):
            costs[:, :, charged] += Y[:, :, e, charged] if one_step else Y[:, :, e]
        corrections = []
        for p, i in enumerate(players):
            x = X[:, p, :, e_s, :]                                     # (runs, d, L)
            states[:, p, s] = x
            if moments is not None:                                    # Sigma_hat over all episodes
                moments[:, p, s] = kernel.second_moments(np.swapaxes(X[:, p].reshape(runs, d, E * L),
                                                                     -1, -2))
            x = np.swapaxes(x, 0, 1)                                   # by component
            Ux, Kx = _matvec(U_c[p][:, :, :, s], x), _matvec(K_c[p][s], x)
            # (K + U)^T R (K + U) - K^T R K at x equals (Ux)^T R (2 Kx + Ux)
            Kx *= 2.0
            Kx += Ux
            RKx = _matvec(R_c[p][s], Kx)
            for a in range(Ux.shape[0]):
                if one_step:
                    costs[:, p, s, :] += Ux[a] * RKx[a]
                else:
                    costs[:, p, charged, :] += (Ux[a] * RKx[a])[:, None, :]
            corrections.append(_matvec(B_c[p][s], Ux))                 # B_s^i U x
            if draws.e is not None:
                R_s = np.ascontiguousarray(R_c[p][s, ..., 0, 0])
                extra = _exploration_stage_cost(R_s, Ks[:, s, game.slices[i], :], Xf[:, p],
                                                np.moveaxis(Ux, 0, 1),
                                                draws.e[:, s, i, game.slices[i]], e_s, E)
                costs[:, p, charged] += extra[:, charged] if one_step else extra
        X_nextf = X_next.reshape(flat)
        np.matmul(closed[:, s], Xf, out=X_nextf)                        # (A - B K) x
        if draws.z is not None:
            if draws.z_scaled:                                         # + w, drawn as F_s z
                X_nextf += draws.z[:, s].reshape(flat)
            elif fresh_noise:
                np.matmul(F[s], draws.z[:, s].reshape(flat), out=Yf)
                X_nextf += Yf                                          # + w
            else:                                                      # shared noise broadcasts
                z = draws.z[:, s]
                X_next += np.moveaxis(np.tensordot(F[s], z, axes=([1], [2])), 0, 2)
        if draws.e is not None:
            X_nextf += game.B_stacked[s] @ draws.e[:, s].reshape(runs, game.N, -1, E * L)[:, players]
        for p, correction in enumerate(corrections):
            X_next[:, p, :, e_s, :] -= np.swapaxes(correction, 0, 1)    # - B^i U x
        X, X_next = X_next, X
    if design.terminal_cost:
        Xf, Yf = X.reshape(flat), Y.reshape(flat)
        np.matmul(weights.Q[T, players, ..., 0], Xf, out=Yf)           # x_T^T Q_T^i x_T
        Yf *= Xf
        for e in range(d):
            costs += Y[:, :, e]
    if design.covariance == "unperturbed":
        moments = _unperturbed_moments(game, closed, draws, players)
    return costs, np.swapaxes(states, -1, -2), moments


def _unperturbed_moments(game, closed: np.ndarray, draws: streams.Draws, players) -> np.ndarray:
    """Second moments at every t of L unperturbed episodes per player, (runs, N', T, d, d)."""
    X = np.moveaxis(draws.x0_unperturbed, -1, 2)                        # (runs, N', d, L)
    runs, n, d, L = X.shape
    moments = np.empty((runs, n, game.T, d, d))
    for s in range(game.T):
        for p in range(n):
            moments[:, p, s] = kernel.second_moments(np.swapaxes(X[:, p], -1, -2))
        X = closed[:, s] @ X
        if draws.z_unperturbed is not None:
            X = X + game.W_factor[s] @ draws.z_unperturbed[:, s]
    return moments


def _exploration_stage_cost(R, K, x, Ux, eps, e_s: int, E: int) -> np.ndarray:
    r"""What exploration adds to player i's stage cost at step s in its E L episodes.

    With :math:`u = u_0 + \sigma\varepsilon`, :math:`u_0 = -K_s^i x_s` (minus :math:`U x_s` in the
    episodes perturbed at s), :math:`u^\top R u - u_0^\top R u_0 = (\sigma\varepsilon)^\top R\,
    (2u_0 + \sigma\varepsilon)`. ``R`` (k, k); ``K`` (runs, k, d); ``x`` (runs, d, E L), the states;
    ``Ux`` (runs, k, L); ``eps`` (runs, k, E, L), already scaled. Returns (runs, E, L).
    """
    runs, L = Ux.shape[0], Ux.shape[-1]
    u0 = -(K @ x)
    u0.reshape(u0.shape[:2] + (E, L))[:, :, e_s, :] -= Ux
    u0 *= 2.0
    eps = eps.reshape(u0.shape)
    u0 += eps
    return ((R @ u0) * eps).sum(axis=1).reshape((runs, E, L))


def perturbed_episodes(game, K: Sequence, *, trajectories: int, radius, seed, **options) -> Episodes:
    r"""Play the episodes of one iteration of Algorithm 2 (lines 3-11) at the joint policy ``K``.

    These are the episodes of the first iteration of Algorithm 2
    (:func:`~lqg.unknown_parameters.model_free_natural_policy_gradient`) from ``K``, same ``seed``.

    Parameters
    ----------
    game : LQGame
        The environment (it is read here, to simulate, and nowhere by the estimators).
    K : tuple of N array_like, shapes (*batch, T, k_i, d)
        The joint policy :math:`K^{(m-1)}` (each batch entry with its own random stream).
    trajectories, radius : int; float or sequence of N floats
        L and the smoothing radii :math:`r_i`.
    seed : int, SeedSequence, Generator, or a sequence of these with one per batch entry
        See :func:`~lqg.unknown_parameters.model_free_natural_policy_gradient`.
    **options
        ``perturbation``, ``trajectory_cost``, ``terminal_cost``, ``initial_states``, ``noise``,
        ``covariance`` (the readings of the module docstring), ``estimator`` and ``exploration``
        (beyond the paper), as in Algorithm 2.

    Returns
    -------
    Episodes
    """
    game = check.game(game)
    plan = design(game, trajectories, radius, **options)
    stacked = check.policy(game, K)
    batch = stacked.shape[:-3]
    Ks = np.ascontiguousarray(stacked.reshape((-1,) + stacked.shape[-3:]))
    draws = streams.draw(game.x0, check.run_generators(seed, Ks.shape[0]), plan.layout(game))
    with np.errstate(all="ignore"):
        episodes = play(game, Ks, draws, plan)

    shaped = {name: getattr(episodes, name) for name in (
        "costs", "states", "x0", "costs_minus", "second_moments", "gross")}
    return replace(episodes, U=tuple(Ui.reshape(batch + Ui.shape[1:]) for Ui in episodes.U), **{
        name: None if a is None else a.reshape(batch + a.shape[1:]) for name, a in shaped.items()})


def game_with_exploration(game, exploration):
    r"""The game whose costs Algorithm 2 estimates when the agents explore (beyond the paper).

    With :math:`u_t^j = -K_t^jx_t + \sigma_j\varepsilon_t^j`, :math:`\varepsilon_t^j\sim
    \mathcal N(0, I_{k_j})` independent of everything else, the state evolves as in the game with
    noise :math:`w_t + \sum_j \sigma_j B_t^j\varepsilon_t^j`, of covariance

    .. math::

        W_{\sigma,t} = W_t + \sum_j \sigma_j^2 B_t^j (B_t^j)^\top,

    and player i's expected cost is :math:`C^i_{W_\sigma}(K) + \sigma_i^2\sum_{t<T}
    \operatorname{Tr}R^i_t` (the cross terms :math:`\varepsilon^\top R^i K^i x` have mean zero).
    The constant does not move any gradient; the noise does, through :math:`\Sigma_t^K` in
    :math:`\nabla_{K_t^i}C^i = 2E_{t,i}^K\Sigma_t^K`, while :math:`E_{t,i}^K` and the Nash
    equilibrium do not depend on the noise.

    Parameters
    ----------
    game : LQGame
    exploration : float or sequence of N floats
        The standard deviations :math:`\sigma_j \ge 0`.

    Returns
    -------
    LQGame
        ``game.with_noise(W_sigma)``.
    """
    game = check.game(game)
    sigma = check.per_player(exploration, game.N, "exploration", allow_zero=True)
    scaled = game.B_stacked * np.repeat(sigma, game.k)
    return game.with_noise(game.W + scaled @ np.swapaxes(scaled, -1, -2))
