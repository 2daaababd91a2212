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


def negative_own_weight(game):
    return lqg.LQGame(game.A, game.B, game.Q, [-np.ones_like(game.R[0]), *game.R[1:]], game.W, game.x0)


def test_best_response_refuses_a_player_without_one_naming_the_player_and_t():
    """Section 5.2's game with R^0 = -1: player 0's second-order condition fails at t = 3 and 1."""
    game = negative_own_weight(paper.section_5_2(0.0))
    nash = lqg.solve_nash(game)
    assert np.flatnonzero(nash.second_order[0] <= 0).tolist() == [1, 3]
    with pytest.raises(lqg.NotAnEquilibriumError, match=r"player 0's second-order condition fails at "
                       r"t=3: the smallest eigenvalue of R_t\^i \+ B_t\^i' P_t\+1\^i B_t\^i is -12\.6 "
                       r"<= 0.*player 0 has no best response") as error:
        lqg.best_response(game, nash.K, 0)
    assert (error.value.player, error.value.t) == (0, 3)
    # the same (player, t) and margin as the solver's own refusal, from an independent recursion
    with pytest.raises(lqg.NotAnEquilibriumError) as solver:
        nash.require_equilibrium()
    assert (solver.value.player, solver.value.t) == (0, 3)
    assert error.value.margin == pytest.approx(solver.value.margin, rel=1e-10)
    # player 1's problem is convex: its best response is its part of the stationary point
    gains, c = lqg.best_response(game, nash.K, 1)
    np.testing.assert_allclose(gains, nash.K[1], rtol=1e-9, atol=1e-12)
    assert c == pytest.approx(nash.costs[1], rel=1e-10)


def test_best_response_declined_is_the_stationary_point_and_not_a_minimum():
    game = negative_own_weight(paper.section_5_2(0.0))
    nash = lqg.solve_nash(game)
    gains, c = lqg.best_response(game, nash.K, 0, require_equilibrium=False)
    np.testing.assert_allclose(gains, nash.K[0], rtol=1e-9, atol=1e-12)
    assert c == pytest.approx(nash.costs[0], rel=1e-10)
    assert c == pytest.approx(lqg.cost(game, (gains, nash.K[1]))[0], rel=1e-10)
    # player 0 does better by moving its gain at t = 3, where its cost is concave
    for h in (0.5, -0.5):
        moved = gains.copy()
        moved[3] += h
        assert lqg.cost(game, (moved, nash.K[1]))[0] < c


def test_best_response_with_a_flat_direction_names_the_player_and_t():
    """x' = x + u^0, cost sum x^2 - (u^0)^2 with Q_T = 1: R + S_T = 0 at t = T-1 = 2."""
    game = lqg.LQGame.time_invariant(np.eye(1), [np.eye(1)], [1.0], [-1.0], W=0.0, x0=np.ones(1), T=3)
    K = (np.zeros((3, 1, 1)),)
    with pytest.raises(lqg.NotAnEquilibriumError, match=r"player 0's second-order condition fails at "
                       r"t=2: .* is 0 <= 0"):
        lqg.best_response(game, K, 0)
    with pytest.raises(lqg.LQGameError, match=r"B_t\^i of player 0 is singular at t=2"):
        lqg.best_response(game, K, 0, require_equilibrium=False)
    with pytest.raises(lqg.LQGameError, match="require_equilibrium must be True or False"):
        lqg.best_response(game, K, 0, require_equilibrium="no")
