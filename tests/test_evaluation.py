"""Exact costs, covariances and gradients against finite differences and Monte Carlo."""

import numpy as np
import pytest

import lqg

from conftest import random_game, random_policy


def simulate_costs(game, K, n, rng):
    """Monte Carlo of eqs. (2.1)-(2.3): per-trajectory costs, shape (n, N), and states (n, T+1, d)."""
    x = game.x0.sample(n, rng)
    costs = np.zeros((n, game.N))
    states = [x]
    for t in range(game.T):
        u = [-(x @ K[i][t].T) for i in range(game.N)]
        for i in range(game.N):
            costs[:, i] += np.einsum("nd,de,ne->n", x, game.Q[i][t], x)
            costs[:, i] += np.einsum("nk,kl,nl->n", u[i], game.R[i][t], u[i])
        x = x @ game.A[t].T + sum(u[i] @ game.B[i][t].T for i in range(game.N))
        x = x + rng.standard_normal((n, game.d)) @ np.linalg.cholesky(game.W[t]).T
        states.append(x)
    for i in range(game.N):
        costs[:, i] += np.einsum("nd,de,ne->n", x, game.Q[i][game.T], x)
    return costs, np.stack(states, axis=1)


@pytest.mark.parametrize("gaussian_x0", [True, False])
def test_cost_and_covariances_match_monte_carlo(gaussian_x0):
    rng = np.random.default_rng(3)
    game = random_game(rng, N=3, d=2, T=4, noise=0.3, gaussian_x0=gaussian_x0)
    K = random_policy(rng, game)
    n = 200_000
    samples, states = simulate_costs(game, K, n, rng)
    exact = lqg.cost(game, K)
    stderr = samples.std(axis=0, ddof=1) / np.sqrt(n)
    assert np.all(np.abs(samples.mean(axis=0) - exact) < 4 * stderr)

    sigma = lqg.state_covariances(game, K)
    second = np.einsum("ntd,nte->tde", states, states) / n
    prods = np.einsum("ntd,nte->ntde", states, states)
    se = prods.std(axis=0, ddof=1) / np.sqrt(n)
    assert np.all(np.abs(second - sigma) < 5 * se + 1e-12)


def test_policy_gradient_matches_central_differences():
    rng = np.random.default_rng(11)
    game = random_game(rng, N=3, d=3, T=4)
    K = random_policy(rng, game)
    grads = lqg.policy_gradient(game, K)
    h = 1e-6
    for i in range(game.N):
        size = K[i].size
        # every coordinate of K^i perturbed by +-h, evaluated as one batch of 2*size policies
        E = np.eye(size).reshape((size,) + K[i].shape)
        Kb = [np.broadcast_to(Kj, (2, size) + Kj.shape) for Kj in K]
        Kb[i] = K[i] + h * np.stack([E, -E])
        c = lqg.cost(game, tuple(Kb))[..., i]
        fd = ((c[0] - c[1]) / (2 * h)).reshape(K[i].shape)
        np.testing.assert_allclose(grads[i], fd, rtol=1e-6, atol=1e-7)


def test_natural_gradient_is_gradient_times_inverse_covariance(rng):
    game = random_game(rng, N=2, d=3, T=5)
    K = random_policy(rng, game, batch=(4,))
    sigma = lqg.state_covariances(game, K)
    for nat, grad in zip(lqg.natural_gradient(game, K), lqg.policy_gradient(game, K)):
        np.testing.assert_allclose(nat, grad @ np.linalg.inv(sigma[..., :-1, :, :]), rtol=1e-9,
                                   atol=1e-12)


def test_value_matrices_are_positive_definite_lemma_3_6(rng):
    game = random_game(rng, N=3, T=5)
    for P in lqg.value_matrices(game, random_policy(rng, game, batch=(6,))):
        assert P.shape == (6, game.T + 1, game.d, game.d)
        assert np.all(np.linalg.eigvalsh(P)[..., 0] > 0)


def test_batch_equals_loop_and_broadcasts(rng):
    game = random_game(rng, N=3, T=3)
    K = random_policy(rng, game, batch=(2, 5))
    batched = lqg.cost(game, K)
    assert batched.shape == (2, 5, 3)
    for a in range(2):
        for b in range(5):
            single = lqg.cost(game, tuple(Ki[a, b] for Ki in K))
            np.testing.assert_allclose(batched[a, b], single, rtol=1e-13)
    # a player without batch dimensions broadcasts against the others
    mixed = (K[0][0, 0], K[1], K[2][:, :1])
    expected = lqg.cost(game, tuple(np.broadcast_to(Ki, (2, 5) + Ki.shape[-3:]) for Ki in mixed))
    np.testing.assert_allclose(lqg.cost(game, mixed), expected, rtol=1e-13)
    grads = lqg.natural_gradient(game, mixed)
    assert [g.shape for g in grads] == [(2, 5, 3, ki, game.d) for ki in game.k]


def test_normalized_error_zero_at_nash_and_positive_nearby(rng):
    game = random_game(rng, N=2, T=3)
    nash = lqg.solve_nash(game)
    np.testing.assert_allclose(lqg.normalized_error(game, nash.K), 0, atol=1e-12)
    moved = (nash.K[0] + 0.1, nash.K[1])
    err = lqg.normalized_error(game, moved, nash)
    assert err[0] > 0
    assert err[0] == pytest.approx((lqg.cost(game, moved)[0] - nash.costs[0]) / nash.costs[0])


def test_exploding_policy_gives_inf_cost_without_warnings(rng):
    import warnings

    game = random_game(rng, N=2, T=8)
    K = tuple(1e200 * np.ones((game.T, ki, game.d)) for ki in game.k)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        c = lqg.cost(game, K)
    assert np.all(c == np.inf)


@pytest.mark.parametrize("make, message", [
    (lambda g: np.zeros((g.T, 1, g.d)), r"K must be a tuple of 2 arrays"),
    (lambda g: (np.zeros((g.T, 1, g.d)),), r"K has 1 players' policies but the game has N = 2"),
    (lambda g: (np.zeros((g.T, 1, g.d)), np.zeros((g.T + 1, 2, g.d))),
     r"K\[1\] \(player 1\) must have shape \(\*batch, T, k_1, d\) = \(\*batch, 3, 2, 3\)"),
    (lambda g: (np.zeros((2, g.T, 1, g.d)), np.zeros((3, g.T, 2, g.d))),
     r"batch shapes \(2,\), \(3,\) do not broadcast"),
    (lambda g: (np.zeros((g.T, 1, g.d)), np.where(np.arange(g.T)[:, None, None] == 2, np.nan,
                                                   np.zeros((g.T, 2, g.d)))),
     r"K\[1\]\[2\] \(player 1, t=2\) has non-finite entries"),
])
def test_bad_policies_are_named(rng, make, message):
    game = random_game(rng, N=2, d=3, k=(1, 2), T=3)
    with pytest.raises(lqg.LQGameError, match=message):
        lqg.cost(game, make(game))
