r"""Independent checks of an equilibrium: best responses and Monte Carlo costs.

A joint policy :math:`K^*` is a Nash equilibrium when no player gains by deviating alone: with the
others' policies fixed, player i faces a single-agent LQR problem with transition matrix
:math:`A_t - \sum_{j\ne i} B_t^j K_t^{j*}` and state weight
:math:`Q_t^i + \sum_{j\ne i} (K_t^{j*})^\top R_t^{ij} K_t^{j*}`, and :math:`K^{i*}` must be its
solution. These functions solve that LQR problem with the textbook Riccati recursion, and estimate
costs by simulating eqs. (2.1)-(2.3), so they share no code path with
:func:`~lqg.equilibrium.solve_nash` or :func:`~lqg.evaluation.cost`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import _checks as check
from ._checks import NotAnEquilibriumError

__all__ = ["best_response", "monte_carlo_cost"]


def _players(game, K, name="K", batch=True) -> tuple:
    stacked = check.policy(game, K, name, batch=batch)
    return tuple(stacked[..., s, :] for s in game.slices)


def best_response(game, K: Sequence, player: int, *,
                  require_equilibrium: bool = True) -> tuple[np.ndarray, float]:
    r"""Player ``player``'s optimal policy against the others' policies in ``K``.

    Solves the finite-horizon LQR problem with :math:`\tilde A_t = A_t - \sum_{j\ne i} B_t^jK_t^j`
    and :math:`\tilde Q_t = Q_t^i + \sum_{j \ne i} (K_t^j)^\top R_t^{ij} K_t^j` by

    .. math::

        K_t = (R_t^i + B_t^{i\top} S_{t+1} B_t^i)^{-1} B_t^{i\top} S_{t+1} \tilde A_t, \qquad
        S_t = \tilde Q_t + \tilde A_t^\top S_{t+1} \tilde A_t - \tilde A_t^\top S_{t+1} B_t^i K_t,

    with :math:`S_T = Q_T^i`. It is the minimum only while player i's problem is strictly convex in
    its control, :math:`R_t^i + B_t^{i\top} S_{t+1} B_t^i \succ 0` at every t (the second-order
    condition); where that fails the player's cost is unbounded below (or flat) and there is no best
    response.

    Parameters
    ----------
    game : LQGame
    K : tuple of N array_like, shapes (T, k_i, d)
        A joint policy without batch dimensions; player ``player``'s entry is ignored.
    player : int
        0-based player index.
    require_equilibrium : bool, default True
        Refuse, with :class:`~lqg.equilibrium.NotAnEquilibriumError` naming the player and t, when
        the second-order condition fails. With False the recursion above is run anyway: it returns
        the stationary point of the player's quadratic cost (not a minimum) and its cost.

    Returns
    -------
    gains : numpy.ndarray, shape=(T, k_i, d)
    cost : float
        The best response's cost
        :math:`\mathbb E[x_0^\top S_0 x_0] + \sum_{t=1}^T \operatorname{Tr}(W_{t-1} S_t)`.

    Raises
    ------
    NotAnEquilibriumError
        With ``require_equilibrium``, at the last t where the second-order condition fails.
    LQGameError
        When :math:`R_t^i + B_t^{i\top} S_{t+1} B_t^i` is singular, or :math:`S_t` overflows
        (the message names the player and t).
    """

    game = check.game(game)
    i = check.player_index(player, game.N)
    require_equilibrium = check.flag(require_equilibrium, "require_equilibrium")
    K = _players(game, K, batch=False)
    others = [j for j in range(game.N) if j != i]
    A = game.A - sum(game.B[j] @ K[j] for j in others)
    Q = game.Q[i][:game.T] + sum(np.swapaxes(K[j], -1, -2) @ R_ij @ K[j]
                                 for (owner, j), R_ij in game.R_cross.items() if owner == i)
    B, R = game.B[i], game.R[i]
    S = game.Q[i][game.T]
    noise_cost = 0.0
    gains = np.empty((game.T, game.k[i], game.d))
    for t in range(game.T - 1, -1, -1):
        if not np.all(np.isfinite(S)):
            raise check.LQGameError(f"best_response: player {i}'s value matrix S_t overflows at "
                                    f"t={t + 1}")
        noise_cost += np.trace(game.W[t] @ S)
        curvature = R[t] + B[t].T @ S @ B[t]            # player i's cost is quadratic in u_t^i
        margin = np.linalg.eigvalsh(0.5 * (curvature + curvature.T))[0]
        if require_equilibrium and not margin > 0:
            raise NotAnEquilibriumError(i, t, float(margin), f"; player {i} has no best response "
                                        "to the others' policies")
        try:
            gains[t] = np.linalg.solve(curvature, B[t].T @ S @ A[t])
        except np.linalg.LinAlgError:
            raise check.LQGameError(
                f"best_response: R_t^i + B_t^i' S_t+1 B_t^i of player {i} is singular at t={t}: "
                f"player {i}'s cost has no unique stationary point in its control") from None
        S = Q[t] + A[t].T @ S @ A[t] - A[t].T @ S @ B[t] @ gains[t]
        S = 0.5 * (S + S.T)
    return gains, float(np.trace(S @ game.x0.second_moment) + noise_cost)


def simulate(game, K: Sequence, n: int, seed):
    """Simulate ``n`` independent trajectories of eq. (2.1) under each joint policy of ``K``.

    Parameters
    ----------
    game : LQGame
    K : tuple of N array_like, shapes (*batch, T, k_i, d)
    n : int
        Number of trajectories per policy.
    seed : int, SeedSequence or Generator

    Returns
    -------
    states : numpy.ndarray, shape=(*batch, n, T+1, d)
    costs : numpy.ndarray, shape=(*batch, n, N)
        Each trajectory's realised cost :math:`\\sum_t c_t^i(x_t, u_t^i)` of eqs. (2.2)-(2.3).
    """
    game = check.game(game)
    K = _players(game, K)
    n = check.positive_int(n, "n")
    rng = check.generator(seed)
    batch = K[0].shape[:-3]
    x = game.x0.sample(int(np.prod(batch, dtype=int)) * n, rng).reshape(batch + (n, game.d))
    states = np.empty(batch + (n, game.T + 1, game.d))
    costs = np.zeros(batch + (n, game.N))
    for t in range(game.T):
        states[..., t, :] = x
        u = [-(x @ np.swapaxes(Ki[..., t, :, :], -1, -2)) for Ki in K]
        for i in range(game.N):
            costs[..., i] += np.einsum("...nd,de,...ne->...n", x, game.Q[i][t], x)
            costs[..., i] += np.einsum("...nk,kl,...nl->...n", u[i], game.R[i][t], u[i])
        for (i, j), R_ij in game.R_cross.items():
            costs[..., i] += np.einsum("...nk,kl,...nl->...n", u[j], R_ij[t], u[j])
        x = (x @ game.A[t].T + sum(ui @ Bi[t].T for ui, Bi in zip(u, game.B))
             + rng.standard_normal(x.shape) @ game.W_factor[t].T)
    states[..., game.T, :] = x
    for i in range(game.N):
        costs[..., i] += np.einsum("...nd,de,...ne->...n", x, game.Q[i][game.T], x)
    return states, costs


def monte_carlo_cost(game, K: Sequence, n: int, seed):
    """Monte Carlo estimate of each player's cost and its standard error, per joint policy.

    Returns
    -------
    mean : numpy.ndarray, shape=(*batch, N)
    stderr : numpy.ndarray, shape=(*batch, N)
    """
    _, costs = simulate(game, K, n, seed)
    if costs.shape[-2] < 2:
        raise check.LQGameError(f"n must be at least 2 for a standard error; got {costs.shape[-2]}")
    return costs.mean(axis=-2), costs.std(axis=-2, ddof=1) / np.sqrt(costs.shape[-2])
