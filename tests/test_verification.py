"""Best responses and Monte Carlo costs from lqg.verification."""

import numpy as np
import pytest

import lqg
from lqg import paper
from lqg.verification import simulate

from conftest import random_game, random_policy


def test_nash_policies_are_best_responses(rng):
    game = random_game(rng, N=3, d=3, T=5)
    nash = lqg.solve_nash(game)
    for i in range(game.N):
        gains, c = lqg.best_response(game, nash.K, i)
        np.testing.assert_allclose(gains, nash.K[i], rtol=1e-9, atol=1e-12)
        assert c == pytest.approx(nash.costs[i], rel=1e-10)


def test_best_response_improves_on_any_policy(rng):
    game = random_game(rng, N=2, d=2, T=4)
    K = random_policy(rng, game)
    gains, c = lqg.best_response(game, K, 1)
    moved = (K[0], gains)
    assert c == pytest.approx(lqg.cost(game, moved)[1], rel=1e-10)
    assert c <= lqg.cost(game, K)[1]
    with pytest.raises(ValueError, match=r"player must be an integer in 0..1 \(players are indexed"):
        lqg.best_response(game, K, 2)
    with pytest.raises(ValueError, match="without batch dimensions"):
        lqg.best_response(game, random_policy(rng, game, batch=(3,)), 0)


def test_monte_carlo_cost_within_standard_errors(rng):
    game = random_game(rng, N=2, d=2, T=3, noise=0.5, gaussian_x0=False)
    K = random_policy(rng, game)
    mean, stderr = lqg.monte_carlo_cost(game, K, 100_000, np.random.default_rng(5))
    assert np.all(np.abs(mean - lqg.cost(game, K)) < 4 * stderr)
    again = lqg.monte_carlo_cost(game, K, 1000, np.random.default_rng(5))[0]
    np.testing.assert_array_equal(again, lqg.monte_carlo_cost(game, K, 1000, np.random.default_rng(5))[0])


def test_simulate_without_noise_is_deterministic_given_x0():
    game = paper.section_5_1(sigma2=0.0)
    nash = lqg.solve_nash(game)
    states, costs = simulate(game, nash.K, 2000, np.random.default_rng(0))
    assert states.shape == (2000, game.T + 1, 2)
    # two initial points, so exactly two distinct cost pairs whose average is the exact cost
    distinct = np.unique(np.round(costs, 12), axis=0)
    assert len(distinct) == 2
    np.testing.assert_allclose(distinct.mean(axis=0), nash.costs, rtol=1e-10)
