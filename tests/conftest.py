"""Shared test fixtures: random games with time-varying matrices and unequal control sizes."""

import numpy as np
import pytest

import lqg


def random_spd(rng, n, lead=(), floor=0.2):
    """Random symmetric positive definite matrices of shape (*lead, n, n)."""
    M = rng.standard_normal(lead + (n, n))
    return M @ np.swapaxes(M, -1, -2) / n + floor * np.eye(n)


def random_game(rng, N=2, d=3, k=None, T=4, noise=0.1, gaussian_x0=True):
    """A random time-varying game; ``k`` defaults to unequal sizes 1, 2, 1, 2, ..."""
    k = tuple(k) if k is not None else tuple(1 + i % 2 for i in range(N))
    A = 0.6 * rng.standard_normal((T, d, d)) / np.sqrt(d)
    B = [rng.standard_normal((T, d, ki)) / np.sqrt(d) for ki in k]
    Q = [random_spd(rng, d, (T + 1,)) for _ in k]
    R = [random_spd(rng, ki, (T,)) for ki in k]
    W = noise * random_spd(rng, d)
    if gaussian_x0:
        x0 = lqg.GaussianState(rng.standard_normal(d), random_spd(rng, d, floor=0.1))
    else:
        x0 = lqg.DiscreteState(rng.standard_normal((3, d)), [0.2, 0.3, 0.5])
    return lqg.LQGame(A, B, Q, R, W, x0)


def random_policy(rng, game, batch=(), scale=0.3):
    return tuple(scale * rng.standard_normal(batch + (game.T, ki, game.d)) for ki in game.k)


def lqr_finite_horizon(A, B, Q, R):
    """Single-agent finite-horizon LQR by the textbook Riccati recursion (independent of lqg).

    A: (T, d, d), B: (T, d, k), Q: (T+1, d, d), R: (T, k, k). Returns gains (T, k, d) and P (T+1, d, d).
    """
    T = A.shape[0]
    P = Q[T]
    K = np.zeros((T, B.shape[2], A.shape[1]))
    Ps = [P]
    for t in reversed(range(T)):
        K[t] = np.linalg.solve(R[t] + B[t].T @ P @ B[t], B[t].T @ P @ A[t])
        P = Q[t] + A[t].T @ P @ A[t] - A[t].T @ P @ B[t] @ K[t]
        Ps.append(P)
    return K, np.array(Ps[::-1])


@pytest.fixture
def rng():
    return np.random.default_rng(20211)
