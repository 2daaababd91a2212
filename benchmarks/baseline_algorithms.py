"""Plain loop-by-loop transcriptions of Algorithms 1 and 2 as printed in the paper.

These are the baselines ``bench_algorithms.py`` compares :mod:`lqg.known_parameters`
and :mod:`lqg.unknown_parameters` against, and the oracle ``tests/test_as_printed.py``
checks them with: one run at a time, Python loops over m, i, l and t in the paper's
order, one small NumPy operation per matrix in the formulas, no stacking and no
batching. A comment names the line of the paper's pseudocode each loop and formula
transcribes; the book's page "The algorithms as printed" (book/as_printed.md) shows
them beside it, so lines fit its 88-character code column.
"""

import numpy as np


def natural_policy_gradient_loop(game, K0, eta, iterations):
    """Algorithm 1, lines 2-11, eqs. (3.6)-(3.8): the iterates K^(M).

    ``K0`` is a tuple of N arrays (T, k_i, d); ``eta`` one step size or one per player.
    """
    T, N = game.T, game.N
    eta = np.broadcast_to(np.asarray(eta, dtype=float), (N,))
    K = [np.array(Ki, dtype=float) for Ki in K0]
    for m in range(iterations):                                        # line 2
        K_prev = [Ki.copy() for Ki in K]                               # K^(m-1)
        P_next = [game.Q[i][T] for i in range(N)]                      # P_T = Q_T
        for t in range(T - 1, -1, -1):                                 # line 3
            closed = game.A[t] - sum(game.B[j][t] @ K_prev[j][t] for j in range(N))
            P_t = []
            for i in range(N):                                         # line 4
                P_t.append(game.Q[i][t] + K_prev[i][t].T @ game.R[i][t] @ K_prev[i][t]
                           + closed.T @ P_next[i] @ closed)            # line 5, (3.6)
                E = (game.R[i][t] @ K_prev[i][t]
                     - game.B[i][t].T @ P_next[i] @ closed)            # line 6, (3.7)
                K[i][t] = K_prev[i][t] - 2 * eta[i] * E                # line 7, (3.8)
            P_next = P_t
    return K                                                           # line 11


def cost_loop(game, K, i):
    """Player i's cost C^i(K) = E[x_0^T P_0 x_0] + N_0, eq. (3.14), P from (3.6)."""
    T, N = game.T, game.N
    P, noise_part = game.Q[i][T], 0.0                       # P_T = Q_T, N_T = 0
    for t in range(T - 1, -1, -1):
        noise_part += np.trace(game.W[t] @ P)               # N_t = N_t+1 + Tr(W P_t+1)
        closed = game.A[t] - sum(game.B[j][t] @ K[j][t] for j in range(N))
        P = (game.Q[i][t] + K[i][t].T @ game.R[i][t] @ K[i][t]
             + closed.T @ P @ closed)                       # (3.6)
    return np.trace(P @ game.x0.second_moment) + noise_part  # E[x_0^T P_0 x_0] + N_0


def single_trajectory(game, K, i, x0, rng):
    """One episode of the game under the joint policy ``K`` from ``x0``: player i's
    cost and the states x_0, ..., x_{T-1}. This plays the environment, so it reads the
    model."""
    F = game.W_factor                                                  # F_s F_s^T = W_s
    x, cost, states = x0, 0.0, []
    for s in range(game.T):
        states.append(x)
        u = [-K[j][s] @ x for j in range(game.N)]
        cost += x @ game.Q[i][s] @ x + u[i] @ game.R[i][s] @ u[i]
        x = (game.A[s] @ x + sum(game.B[j][s] @ u[j] for j in range(game.N))
             + F[s] @ rng.standard_normal(game.d))
    return cost + x @ game.Q[i][game.T] @ x, states


def drawn_from(game, radius, rng):
    """The draws of Algorithm 2 from ``rng``: ``draws(m, i, l, t)`` returns U_t^{i,l},
    uniform on the sphere ||U||_F = r (line 6), and x_0^l (line 7), drawn once per
    player i and trajectory l, at t = 0, so the T episodes of (i, l) share it."""
    x0 = [None]

    def draws(m, i, l, t):
        if t == 0:
            x0[0] = game.x0.sample(1, rng)[0]
        U = rng.standard_normal((game.k[i], game.d))
        U *= radius / np.linalg.norm(U)
        return U, x0[0]

    return draws


def model_free_natural_policy_gradient_loop(game, K0, eta, iterations, trajectories,
                                            radius, rng, draws=None):
    """Algorithm 2, lines 2-15, eqs. (4.1)-(4.2): the iterates K^(M).

    The noise of each episode comes from ``rng``, and so do U_t^{i,l} and x_0^l unless
    ``draws(m, i, l, t)`` gives them (iteration m = 0, ..., M - 1): see ``drawn_from``.
    """
    T, N, d, L, r = game.T, game.N, game.d, trajectories, radius
    draws = drawn_from(game, r, rng) if draws is None else draws
    K = [np.array(Ki, dtype=float) for Ki in K0]
    for m in range(iterations):                                        # line 2
        grad = [np.zeros_like(Ki) for Ki in K]
        sigma = [np.zeros((T, d, d)) for _ in range(N)]
        for i in range(N):                                             # line 3
            D = K[i].shape[1] * d
            for l in range(L):                                         # line 4
                for t in range(T):                                     # line 5
                    U, x0 = draws(m, i, l, t)                          # line 6
                    K_hat = [Kj.copy() for Kj in K]
                    K_hat[i][t] = K[i][t] + U                          # line 6
                    c, states = single_trajectory(game, K_hat, i, x0, rng)  # line 7
                    sigma[i][t] += np.outer(states[t], states[t]) / L  # line 8, (4.1)
                    grad[i][t] += D / r**2 * c * U / L                 # line 12, (4.1)
        for i in range(N):
            for t in range(T):                                         # line 13, (4.2)
                K[i][t] = K[i][t] - eta * grad[i][t] @ np.linalg.inv(sigma[i][t])
    return K                                                           # line 15
