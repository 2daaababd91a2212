"""The Nash solver against independent facts: best responses, LQR, QuantEcon's nnash."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lqg

from conftest import lqr_finite_horizon, random_game


def best_response(game, K, i):
    """Player i's LQR solution with the others' policies folded into A (textbook Riccati)."""
    A = game.A - sum(game.B[j] @ K[j] for j in range(game.N) if j != i)
    return lqr_finite_horizon(A, game.B[i], game.Q[i], game.R[i])


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), N=st.integers(1, 5), T=st.integers(1, 6),
       d=st.integers(1, 4))
def test_each_nash_policy_is_a_best_response(seed, N, T, d):
    rng = np.random.default_rng(seed)
    game = random_game(rng, N=N, d=d, T=T)
    nash = lqg.solve_nash(game)
    for i in range(N):
        K_br, P_br = best_response(game, nash.K, i)
        np.testing.assert_allclose(nash.K[i], K_br, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(nash.P[i], P_br, rtol=1e-8, atol=1e-10)


def test_unilateral_deviations_do_not_pay(rng):
    game = random_game(rng, N=3, d=3, T=5)
    nash = lqg.solve_nash(game)
    for i in range(game.N):
        deviation = 0.05 * rng.standard_normal((200, game.T, game.k[i], game.d))
        K = list(nash.K)
        K[i] = nash.K[i] + deviation
        assert np.all(lqg.cost(game, tuple(K))[:, i] > nash.costs[i])


def test_nash_costs_match_eq_2_7(rng):
    game = random_game(rng, N=3, T=4)
    nash = lqg.solve_nash(game)
    np.testing.assert_allclose(lqg.cost(game, nash.K), nash.costs, rtol=1e-12)
    for i in range(game.N):
        expected = (np.trace(nash.P[i][0] @ game.x0.second_moment)
                    + sum(np.trace(game.W[t - 1] @ nash.P[i][t]) for t in range(1, game.T + 1)))
        assert nash.costs[i] == pytest.approx(expected, rel=1e-12)


def test_gradients_vanish_at_nash(rng):
    game = random_game(rng, N=4, d=3, T=5)
    nash = lqg.solve_nash(game)
    for g, K in zip(lqg.policy_gradient(game, nash.K), nash.K):
        assert np.abs(g).max() < 1e-10 * max(1.0, np.abs(K).max())


def test_one_player_is_lqr(rng):
    game = random_game(rng, N=1, d=4, k=(3,), T=7)
    nash = lqg.solve_nash(game)
    K, P = lqr_finite_horizon(game.A, game.B[0], game.Q[0], game.R[0])
    np.testing.assert_allclose(nash.K[0], K, rtol=1e-10)
    np.testing.assert_allclose(nash.P[0], P, rtol=1e-10)


def test_long_horizon_matches_quantecon_nnash():
    quantecon = pytest.importorskip("quantecon")
    rng = np.random.default_rng(7)
    d, k = 3, (1, 2)
    A = np.array([[0.5, 0.2, 0.0], [0.1, 0.6, 0.1], [0.0, 0.2, 0.4]])
    B = [rng.standard_normal((d, ki)) for ki in k]
    Q = [np.diag([1.0, 0.5, 0.2]), np.diag([0.3, 1.0, 0.7])]
    R = [np.array([[0.5]]), np.diag([0.4, 0.8])]
    game = lqg.LQGame.time_invariant(A, B, Q, R, 0.1 * np.eye(d),
                                     lqg.GaussianState(np.ones(d), np.eye(d)), T=200)
    nash = lqg.solve_nash(game)
    # QuantEcon names the state cost R and the control cost Q.
    F1, F2, P1, P2 = quantecon.nnash(
        A, B[0], B[1], Q[0], Q[1], R[0], R[1],
        np.zeros((k[1], k[1])), np.zeros((k[0], k[0])),
        np.zeros((d, k[0])), np.zeros((d, k[1])),
        np.zeros((k[1], k[0])), np.zeros((k[0], k[1])), tol=1e-13, max_iter=10000,
    )
    np.testing.assert_allclose(nash.K[0][0], F1, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(nash.K[1][0], F2, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(nash.P[0][0], P1, rtol=1e-7)
    np.testing.assert_allclose(nash.P[1][0], P2, rtol=1e-7)


def test_singular_phi_raises_naming_t():
    # Two players acting on the same channel: Phi_t = [[R+P, P], [P, R+P]] is singular only
    # for R = 0, which Assumption 2.1 forbids, so make it numerically singular instead.
    tiny = 1e-20
    game = lqg.LQGame.time_invariant(
        A=[[1.0]], B=[[[1.0]], [[1.0]]], Q=[[[1.0]], [[1.0]]], R=[[[tiny]], [[tiny]]],
        W=[[0.0]], x0=lqg.GaussianState([1.0], [[1.0]]), T=3,
    )
    with pytest.raises(lqg.NoUniqueNashError, match=r"t=2"):
        lqg.solve_nash(game)
    report = lqg.check_assumptions(game)
    assert not report.remark_2_4
    assert np.isinf(report.phi_condition[2])


def test_condition_numbers_reported(rng):
    game = random_game(rng, N=2, T=3)
    nash = lqg.solve_nash(game)
    assert nash.condition.shape == (3,)
    assert np.all(nash.condition >= 1) and np.all(np.isfinite(nash.condition))
    report = lqg.check_assumptions(game)
    assert report.remark_2_4 and report.assumption_2_1 and report.assumption_2_2
    np.testing.assert_allclose(report.phi_condition, nash.condition)
