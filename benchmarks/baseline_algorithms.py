"""Plain loop-by-loop transcriptions of Algorithms 1 and 2 as printed in the paper, one run at a time.

These are the baselines ``bench_algorithms.py`` compares :mod:`lqg.known_parameters` and
:mod:`lqg.unknown_parameters` against: Python loops over m, i, l and t in the paper's order, one small NumPy
operation per matrix in the formulas, no stacking and no batching.
"""

import numpy as np


def natural_policy_gradient_loop(game, K0, eta, iterations):
    """Algorithm 1: lines 2-10, eqs. (3.6)-(3.8). ``K0`` is a tuple of N arrays (T, k_i, d)."""
    T, N = game.T, game.N
    eta = np.broadcast_to(np.asarray(eta, dtype=float), (N,))
    K = [np.array(Ki, dtype=float) for Ki in K0]
    for m in range(iterations):
        K_prev = [Ki.copy() for Ki in K]                       # the policies of iteration m-1
        P_next = [game.Q[i][T] for i in range(N)]
        for t in range(T - 1, -1, -1):
            closed = game.A[t] - sum(game.B[j][t] @ K_prev[j][t] for j in range(N))
            P_t = []
            for i in range(N):
                P_t.append(game.Q[i][t] + K_prev[i][t].T @ game.R[i][t] @ K_prev[i][t]
                           + closed.T @ P_next[i] @ closed)                       # (3.6)
                E = game.R[i][t] @ K_prev[i][t] - game.B[i][t].T @ P_next[i] @ closed  # (3.7)
                K[i][t] = K_prev[i][t] - 2 * eta[i] * E                           # (3.8)
            P_next = P_t
    return K


def single_trajectory(game, K, i, x0, rng):
    """One episode of the game under the joint policy ``K`` from ``x0``: player i's cost and the
    states x_0, ..., x_{T-1}. This plays the environment, so it reads the model."""
    F = game.W_factor                                                  # F_s F_s^T = W_s
    x, cost, states = x0, 0.0, []
    for s in range(game.T):
        states.append(x)
        u = [-K[j][s] @ x for j in range(game.N)]
        cost += x @ game.Q[i][s] @ x + u[i] @ game.R[i][s] @ u[i]
        x = (game.A[s] @ x + sum(game.B[j][s] @ u[j] for j in range(game.N))
             + F[s] @ rng.standard_normal(game.d))
    return cost + x @ game.Q[i][game.T] @ x, states


def model_free_natural_policy_gradient_loop(game, K0, eta, iterations, trajectories, radius, rng):
    """Algorithm 2: lines 2-14, eqs. (4.1)-(4.2), with ``x_0^l`` drawn once per l."""
    T, N, d, L, r = game.T, game.N, game.d, trajectories, radius
    K = [np.array(Ki, dtype=float) for Ki in K0]
    for m in range(iterations):
        grad = [np.zeros_like(Ki) for Ki in K]
        sigma = [np.zeros((T, d, d)) for _ in range(N)]
        for i in range(N):
            D = K[i].shape[1] * d
            for l in range(L):
                x0 = game.x0.sample(1, rng)[0]
                for t in range(T):
                    U = rng.standard_normal(K[i][t].shape)
                    U *= r / np.linalg.norm(U)                                    # line 6
                    K_hat = [Kj.copy() for Kj in K]
                    K_hat[i][t] = K[i][t] + U
                    c, states = single_trajectory(game, K_hat, i, x0, rng)        # line 7
                    grad[i][t] += D / r**2 * c * U / L                            # (4.1)
                    sigma[i][t] += np.outer(states[t], states[t]) / L             # line 8, (4.1)
        for i in range(N):
            for t in range(T):
                K[i][t] = K[i][t] - eta * grad[i][t] @ np.linalg.inv(sigma[i][t])  # (4.2)
    return K
