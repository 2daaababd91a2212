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


def plain_loop_nash(game):
    """(2.4)-(2.5) transcribed: Phi_t block by block, one solve, then P_t^i* player by player; also
    the condition numbers of the Phi_t."""
    offsets = np.concatenate([[0], np.cumsum(game.k)])
    P = [[None] * game.T + [game.Q[i][game.T]] for i in range(game.N)]
    K = [np.zeros((game.T, ki, game.d)) for ki in game.k]
    condition = np.zeros(game.T)
    for t in reversed(range(game.T)):
        B = [game.B[i][t] for i in range(game.N)]
        phi = np.block([[B[i].T @ P[i][t + 1] @ B[j] + (game.R[i][t] if i == j else 0)
                         for j in range(game.N)] for i in range(game.N)])
        rhs = np.vstack([B[i].T @ P[i][t + 1] @ game.A[t] for i in range(game.N)])
        K_t = np.linalg.solve(phi, rhs)
        condition[t] = np.linalg.cond(phi)
        closed = game.A[t] - sum(B[i] @ K_t[offsets[i]:offsets[i + 1]] for i in range(game.N))
        for i in range(game.N):
            K[i][t] = K_t[offsets[i]:offsets[i + 1]]
            P[i][t] = game.Q[i][t] + K[i][t].T @ game.R[i][t] @ K[i][t] + closed.T @ P[i][t + 1] @ closed
    return K, [np.array(P_i) for P_i in P], condition


@pytest.mark.parametrize("k", [(1, 2, 1), (3, 3, 3)])        # unequal and equal control sizes
def test_large_game_agrees_with_best_responses_and_a_plain_loop(k):
    """From d = 8 on the solver's products go to BLAS, all players at once: each player's gains must
    still be its textbook LQR best response, and (2.4)-(2.5) transcribed must give the same K, P."""
    game = random_game(np.random.default_rng(12), N=3, d=12, k=k, T=6)
    nash = lqg.solve_nash(game)
    K_loop, P_loop, condition = plain_loop_nash(game)
    for i in range(game.N):
        K_br, P_br = best_response(game, nash.K, i)
        np.testing.assert_allclose(nash.K[i], K_br, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(nash.P[i], P_br, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(nash.K[i], K_loop[i], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(nash.P[i], P_loop[i], rtol=1e-12, atol=1e-14)
    expected = [np.trace(nash.P[i][0] @ game.x0.second_moment)
                + sum(np.trace(game.W[t] @ nash.P[i][t + 1]) for t in range(game.T))
                for i in range(game.N)]                                      # eqs. (2.7)-(2.8)
    np.testing.assert_allclose(nash.costs, expected, rtol=1e-12)
    np.testing.assert_allclose(nash.condition, condition, rtol=1e-10)        # the evidence
    for i in range(game.N):
        own = [game.R[i][t] + game.B[i][t].T @ nash.P[i][t + 1] @ game.B[i][t] for t in range(game.T)]
        np.testing.assert_allclose(nash.second_order[i], [np.linalg.eigvalsh(M)[0] for M in own],
                                   rtol=1e-12)


def test_an_overflowing_weight_is_named_overflow_not_a_singular_phi():
    # Q^0 = 1e308 I: Phi_2 = diag(1 + 1e308, 2) is finite and invertible, and its condition number
    # 5e307 only measures the overflowing scale of P_3^0* = Q_T^0.
    game = lqg.LQGame.time_invariant(0.5 * np.eye(2), [np.array([1.0, 0.0]), np.array([0.0, 1.0])],
                                     [1e308, 1.0], [1.0, 1.0], 0.1, np.ones(2), T=3)
    for solve in (lqg.solve_nash, lqg.check_assumptions):
        with pytest.raises(lqg.LQGameError, match=r"overflow at t=2: Phi_2 .* P_3\^0\* of player 0") as error:
            solve(game)
        assert not isinstance(error.value, lqg.NoUniqueNashError)
