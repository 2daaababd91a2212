r"""Independent checks of an equilibrium: best responses and Monte Carlo costs.

A joint policy :math:`K^*` is a Nash equilibrium when no player gains by deviating alone: with the
others' policies fixed, player i faces a single-agent LQR problem with transition matrix
:math:`A_t - \sum_{j\ne i} B_t^j K_t^{j*}`, and :math:`K^{i*}` must be its solution. These functions
solve that LQR problem with the textbook Riccati recursion, and estimate costs by simulating
eqs. (2.1)-(2.3), so they share no code path with :func:`~lqg.equilibrium.solve_nash` or
:func:`~lqg.evaluation.cost`.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .evaluation import stack_policy, split_policy
from .model import LQGame

__all__ = ["best_response", "simulate", "monte_carlo_cost"]


def best_response(game: LQGame, K: Sequence, player: int) -> tuple[np.ndarray, float]:
    r"""Player ``player``'s optimal policy against the others' policies in ``K``.

    Solves the finite-horizon LQR problem with :math:`\tilde A_t = A_t - \sum_{j\ne i} B_t^jK_t^j` by

    .. math::

        K_t = (R_t^i + B_t^{i\top} S_{t+1} B_t^i)^{-1} B_t^{i\top} S_{t+1} \tilde A_t, \qquad
        S_t = Q_t^i + \tilde A_t^\top S_{t+1} \tilde A_t - \tilde A_t^\top S_{t+1} B_t^i K_t,

    with :math:`S_T = Q_T^i`.

    Parameters
    ----------
    game : LQGame
    K : tuple of N array_like, shapes (T, k_i, d)
        A joint policy without batch dimensions; player ``player``'s entry is ignored.
    player : int
        0-based player index.

    Returns
    -------
    gains : numpy.ndarray, shape=(T, k_i, d)
    cost : float
        The best response's cost :math:`\mathbb E[x_0^\top S_0 x_0] + \sum_{t=1}^T \operatorname{Tr}(W S_t)`.
    """
    if not 0 <= player < game.N:
        raise ValueError(f"player must be in 0..{game.N - 1}; got {player}")
    K = split_policy(game, stack_policy(game, K))
    if K[player].ndim != 3:
        raise ValueError("best_response takes a single joint policy, without batch dimensions")
    A = game.A - sum(game.B[j] @ K[j] for j in range(game.N) if j != player)
    B, Q, R = game.B[player], game.Q[player], game.R[player]
    S = Q[game.T]
    noise_cost = 0.0
    gains = np.empty((game.T, game.k[player], game.d))
    for t in range(game.T - 1, -1, -1):
        noise_cost += np.trace(game.W @ S)
        gains[t] = np.linalg.solve(R[t] + B[t].T @ S @ B[t], B[t].T @ S @ A[t])
        S = Q[t] + A[t].T @ S @ A[t] - A[t].T @ S @ B[t] @ gains[t]
        S = 0.5 * (S + S.T)
    return gains, float(np.trace(S @ game.x0.second_moment) + noise_cost)


def simulate(game: LQGame, K: Sequence, n: int, rng: np.random.Generator):
    """Simulate ``n`` independent trajectories of eq. (2.1) under the joint policy ``K``.

    Parameters
    ----------
    game : LQGame
    K : tuple of N array_like, shapes (T, k_i, d)
    n : int
        Number of trajectories.
    rng : numpy.random.Generator

    Returns
    -------
    states : numpy.ndarray, shape=(n, T+1, d)
    costs : numpy.ndarray, shape=(n, N)
        Each trajectory's realised cost :math:`\\sum_t c_t^i(x_t, u_t^i)` of eqs. (2.2)-(2.3).
    """
    K = split_policy(game, stack_policy(game, K))
    x = game.x0.sample(n, rng)
    states = np.empty((n, game.T + 1, game.d))
    costs = np.zeros((n, game.N))
    for t in range(game.T):
        states[:, t] = x
        u = [-(x @ Ki[t].T) for Ki in K]
        for i in range(game.N):
            costs[:, i] += np.einsum("nd,de,ne->n", x, game.Q[i][t], x)
            costs[:, i] += np.einsum("nk,kl,nl->n", u[i], game.R[i][t], u[i])
        x = (x @ game.A[t].T + sum(ui @ Bi[t].T for ui, Bi in zip(u, game.B))
             + rng.standard_normal((n, game.d)) @ game.W_factor.T)
    states[:, game.T] = x
    for i in range(game.N):
        costs[:, i] += np.einsum("nd,de,ne->n", x, game.Q[i][game.T], x)
    return states, costs


def monte_carlo_cost(game: LQGame, K: Sequence, n: int, rng: np.random.Generator):
    """Monte Carlo estimate of each player's cost and its standard error.

    Returns
    -------
    mean : numpy.ndarray, shape=(N,)
    stderr : numpy.ndarray, shape=(N,)
    """
    _, costs = simulate(game, K, n, rng)
    return costs.mean(axis=0), costs.std(axis=0, ddof=1) / np.sqrt(n)
