"""Plain loop-by-loop transcriptions of the paper's equations, one policy at a time.

These are the baselines the benchmarks compare ``lqg`` against: Python loops over t, i and j,
one small NumPy operation per matrix in the paper's formulas, no stacking and no batching.
"""

import numpy as np


def solve_nash_loop(game):
    """Eqs. (2.4)-(2.5): assemble Phi_t block by block, solve, then P_t^{i*} player by player."""
    T, N, k = game.T, game.N, game.k
    P = [[None] * (T + 1) for _ in range(N)]
    K = [[None] * T for _ in range(N)]
    for i in range(N):
        P[i][T] = game.Q[i][T]
    offsets = np.concatenate([[0], np.cumsum(k)])
    for t in range(T - 1, -1, -1):
        phi = np.zeros((offsets[-1], offsets[-1]))
        rhs = np.zeros((offsets[-1], game.d))
        for i in range(N):
            Bi = game.B[i][t]
            for j in range(N):
                block = Bi.T @ P[i][t + 1] @ game.B[j][t]
                if i == j:
                    block = block + game.R[i][t]
                phi[offsets[i]:offsets[i + 1], offsets[j]:offsets[j + 1]] = block
            rhs[offsets[i]:offsets[i + 1]] = Bi.T @ P[i][t + 1] @ game.A[t]
        Kt = np.linalg.solve(phi, rhs)
        closed = game.A[t].copy()
        for i in range(N):
            K[i][t] = Kt[offsets[i]:offsets[i + 1]]
            closed = closed - game.B[i][t] @ K[i][t]
        for i in range(N):
            P[i][t] = (game.Q[i][t] + K[i][t].T @ game.R[i][t] @ K[i][t]
                       + closed.T @ P[i][t + 1] @ closed)
    return K, P


def value_matrices_loop(game, K):
    """Eq. (3.13) for one joint policy ``K`` (tuple of N arrays (T, k_i, d))."""
    T, N = game.T, game.N
    P = [[None] * (T + 1) for _ in range(N)]
    for i in range(N):
        P[i][T] = game.Q[i][T]
        for t in range(T - 1, -1, -1):
            closed = game.A[t].copy()
            for j in range(N):
                closed = closed - game.B[j][t] @ K[j][t]
            P[i][t] = (game.Q[i][t] + K[i][t].T @ game.R[i][t] @ K[i][t]
                       + closed.T @ P[i][t + 1] @ closed)
    return P


def cost_loop(game, K):
    """Eq. (3.14): C^i(K) = Tr(P_0 E[x0 x0^T]) + sum_t Tr(W P_{t+1}), one policy."""
    P = value_matrices_loop(game, K)
    costs = np.zeros(game.N)
    for i in range(game.N):
        costs[i] = np.trace(P[i][0] @ game.x0.second_moment)
        for t in range(game.T):
            costs[i] += np.trace(game.W[t] @ P[i][t + 1])
    return costs


def natural_gradient_loop(game, K):
    """Eq. (3.15) times two, 2E_{t,i}, one policy: list over players of lists over t."""
    P = value_matrices_loop(game, K)
    grads = []
    for i in range(game.N):
        Ei = []
        for t in range(game.T):
            closed = game.A[t].copy()
            for j in range(game.N):
                closed = closed - game.B[j][t] @ K[j][t]
            Ei.append(2 * (game.R[i][t] @ K[i][t] - game.B[i][t].T @ P[i][t + 1] @ closed))
        grads.append(Ei)
    return grads
