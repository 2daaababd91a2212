"""Random and consensus N-player games: shapes and scales as documented, the standing assumptions,
a unique equilibrium that is a Nash equilibrium (each player's gain is its textbook-LQR best
response), reproducibility from a seed, and clear errors."""

import re

import numpy as np
import pytest

import lqg
from lqg import LQGameError, games

from conftest import lqr_finite_horizon


def assert_nash_by_best_responses(game):
    """Each equilibrium gain equals the single-agent LQR solution against the others' gains."""
    nash = lqg.solve_nash(game)
    stacked = np.concatenate(nash.K, axis=1)
    for i in range(game.N):
        others = game.B_stacked @ stacked - game.B[i] @ nash.K[i]
        K, _ = lqr_finite_horizon(game.A - others, game.B[i], game.Q[i], game.R[i])
        np.testing.assert_allclose(K, nash.K[i], rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("N, d, T", [(3, 4, 5), (5, 3, 2), (10, 4, 5)])
def test_random_game_shapes_scales_and_assumptions(N, d, T):
    game = games.random_game(N, d, T=T, seed=7, a=0.8, b=1.5, q=(0.5, 2.0), r=(0.3, 1.0))
    assert (game.N, game.d, game.T) == (N, d, T)
    assert game.k == tuple(1 + i % 2 for i in range(N))
    np.testing.assert_allclose(np.linalg.norm(game.A, ord=2, axis=(1, 2)), 0.8, rtol=1e-12)
    for i in range(N):
        assert game.B[i].shape == (T, d, game.k[i])
        np.testing.assert_allclose(np.linalg.norm(game.B[i], ord=2, axis=(1, 2)), 1.5, rtol=1e-12)
        q = np.linalg.eigvalsh(game.Q[i])
        r = np.linalg.eigvalsh(game.R[i])
        assert game.Q[i].shape == (T + 1, d, d) and q.min() >= 0.5 - 1e-12 and q.max() <= 2 + 1e-12
        assert game.R[i].shape == (T, game.k[i], game.k[i])
        assert r.min() >= 0.3 - 1e-12 and r.max() <= 1 + 1e-12
    np.testing.assert_array_equal(game.W, np.broadcast_to(0.1 * np.eye(d), game.W.shape))
    report = lqg.check_assumptions(game)
    assert report.assumption_2_1 and report.assumption_2_2 and report.remark_2_4
    assert np.max(report.phi_condition) <= 100
    assert_nash_by_best_responses(game)


def test_random_game_time_variation():
    varying = games.random_game(3, 3, T=4, seed=1)
    fixed = games.random_game(3, 3, T=4, seed=1, time_varying=False)
    assert not np.allclose(varying.A[0], varying.A[1])
    assert not np.allclose(varying.Q[1][0], varying.Q[1][1])
    for M in (fixed.A, *fixed.B, *fixed.Q, *fixed.R):
        np.testing.assert_array_equal(M, np.broadcast_to(M[0], M.shape))
    # with no variation the time-varying draw has one A up to its scale
    still = games.random_game(3, 3, T=4, seed=1, variation=0.0)
    np.testing.assert_allclose(still.A, np.broadcast_to(still.A[0], still.A.shape))


def test_random_game_reproducible_from_its_seed():
    a = games.random_game(5, 4, T=3, seed=11)
    b = games.random_game(5, 4, T=3, seed=np.random.default_rng(11))
    c = games.random_game(5, 4, T=3, seed=12)
    for x, y in [(a.A, b.A), *zip(a.B, b.B), *zip(a.Q, b.Q), *zip(a.R, b.R)]:
        np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(a.x0.mean, b.x0.mean)
    assert not np.allclose(a.A, c.A)


def test_random_game_control_sizes_and_noise():
    game = games.random_game(3, 2, k=[3, 1, 2], T=2, seed=0, noise=0.0)
    assert game.k == (3, 1, 2)
    assert not lqg.check_assumptions(game).W_pd  # deterministic dynamics break Assumption 2.2
    assert games.random_game(2, 2, k=2, T=2, seed=0).k == (2, 2)


@pytest.mark.parametrize("kwargs, word", [
    (dict(N=0), "N"), (dict(d=0), "d"), (dict(T=0), "T"), (dict(k=[1, 2]), "k"),
    (dict(k=[1, 0, 1]), "player 1"), (dict(a=1.5), "a"), (dict(b=0.0), "b"),
    (dict(q=(2.0, 1.0)), "q[1]"), (dict(r=0.5), "r"), (dict(noise=-1.0), "noise"),
    (dict(seed=None), "seed"), (dict(time_varying="yes"), "time_varying"),
    (dict(max_condition=1.0), "max_condition"),
])
def test_random_game_bad_arguments(kwargs, word):
    args = dict(N=3, d=2, T=2, seed=0) | kwargs
    with pytest.raises(LQGameError, match=re.escape(word)):
        games.random_game(**args)


def test_random_game_unreachable_condition_is_reported():
    with pytest.raises(LQGameError, match="max_condition"):
        games.random_game(4, 2, T=2, seed=0, max_condition=1.0001)


def test_ring():
    G = games.ring(5)
    np.testing.assert_array_equal(G, G.T)
    np.testing.assert_array_equal(G.sum(axis=1), 2)
    assert G[0, 4] == G[0, 1] == 1 and G[0, 2] == 0
    with pytest.raises(LQGameError, match="N"):
        games.ring(2)


@pytest.mark.parametrize("N", [3, 5, 10])
def test_consensus_game_structure(N):
    game = games.consensus_game(games.ring(N), T=6, coupling=0.2, seasonality=0.5, damping=0.9,
                                own=2.0, disagreement=0.5, regularization=0.1, effort=0.7)
    assert (game.N, game.d, game.T) == (N, N, 6)
    ones = np.ones(N)
    # the diffusion leaves an agreed state alone (L 1 = 0): A_t 1 = a 1
    np.testing.assert_allclose(game.A @ ones, 0.9 * np.broadcast_to(ones, (6, N)), atol=1e-14)
    h = 0.2 * (1 + 0.5 * np.sin(2 * np.pi * np.arange(6) / 6))
    np.testing.assert_allclose(game.A[:, 0, 1], 0.9 * h, rtol=1e-12)   # neighbours on the ring
    assert not np.allclose(game.A[0], game.A[1])
    for i in range(N):
        # an agreed state pays only the own and regularization terms: own x_i^2 + eps |x|^2
        np.testing.assert_allclose(ones @ game.Q[i] @ ones, 2.0 + 0.1 * N, rtol=1e-12)
        e = np.zeros(N)
        e[i] = 1.0
        # a lone deviation at i disagrees with both neighbours
        np.testing.assert_allclose(e @ game.Q[i][0] @ e, 2.0 + 0.5 * 2 + 0.1, rtol=1e-12)
        np.testing.assert_array_equal(game.B[i][:, :, 0], np.broadcast_to(e, (6, N)))
        np.testing.assert_array_equal(game.R[i], np.broadcast_to(0.7 * np.eye(game.k[i]),
                                                                 game.R[i].shape))
        if game.k[i] == 2:
            neighbours = games.ring(N)[i] / np.sqrt(2)
            np.testing.assert_allclose(game.B[i][0, :, 1], neighbours, rtol=1e-12)
    report = lqg.check_assumptions(game)
    assert report.assumption_2_1 and report.assumption_2_2 and report.remark_2_4
    assert_nash_by_best_responses(game)


def test_consensus_game_bad_arguments():
    with pytest.raises(LQGameError, match="coupling"):
        games.consensus_game(games.ring(4), coupling=0.5)        # 0.5 * 1.5 * 4 >= 2
    with pytest.raises(LQGameError, match="symmetric"):
        games.consensus_game(np.triu(np.ones((3, 3)), 1))
    with pytest.raises(LQGameError, match="node 2"):
        games.consensus_game(np.array([[0, 1, 0], [1, 0, 0], [0, 0, 0]]))
    with pytest.raises(LQGameError, match="k"):
        games.consensus_game(games.ring(4), k=[1, 2])
    with pytest.raises(LQGameError, match="seasonality"):
        games.consensus_game(games.ring(4), seasonality=1.0)
