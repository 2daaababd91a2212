"""lqg against peers' solvers, on the cases their own tests and lectures use.

* QuantEcon's ``nnash`` (two-player infinite-horizon feedback Nash, discounted, with cross-player
  control costs): the Section 5.1 game, the Markov-perfect duopoly of the QuantEcon lecture
  (indefinite weights), random games with cross costs;
* QuantEcon's ``LQ`` (one player, finite horizon, discount, terminal weight possibly zero);
* python-control's ``dlqr`` and ``dare`` (one player, infinite horizon);
* and the finite horizon approaching the stationary equilibrium as T grows, the stationary costs
  and gradients against finite differences.
"""

import importlib

import numpy as np
import pytest

import lqg
from lqg import paper, stationary

from conftest import random_spd


class _Imported:
    """A module imported at its first use, not when pytest collects this file (each pytest worker
    collects every file, and quantecon and python-control take seconds to import)."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attribute):
        if attribute.startswith("__"):          # pytest's collection probes for __test__ and such
            raise AttributeError(attribute)
        return getattr(importlib.import_module(self._name), attribute)


control, qe = _Imported("control"), _Imported("quantecon")


def duopoly(T=1, beta=0.96):
    a0, a1, gamma = 10.0, 2.0, 12.0
    A = np.eye(3)
    B1, B2 = np.array([0.0, 1.0, 0.0]), np.array([0.0, 0.0, 1.0])
    R1 = np.array([[0.0, -a0 / 2, 0.0], [-a0 / 2, a1, a1 / 2], [0.0, a1 / 2, 0.0]])
    R2 = np.array([[0.0, 0.0, -a0 / 2], [0.0, 0.0, a1 / 2], [-a0 / 2, a1 / 2, a1]])
    game = lqg.LQGame.time_invariant(A, [B1, B2], [R1, R2], [gamma, gamma], W=0.0,
                                     x0=np.array([1.0, 1.0, 1.0]), T=T)
    return game, (A, B1[:, None], B2[:, None], R1, R2, gamma, gamma), beta


def nnash(A, B1, B2, R1, R2, Q1, Q2, S1=None, S2=None, beta=1.0):
    """QuantEcon's nnash without state-control cross terms (W_i = M_i = 0, shaped as it needs)."""
    n, k1, k2 = A.shape[0], B1.shape[1], B2.shape[1]
    S1 = np.zeros((k2, k2)) if S1 is None else S1
    S2 = np.zeros((k1, k1)) if S2 is None else S2
    return qe.nnash(A, B1, B2, R1, R2, Q1, Q2, S1, S2, np.zeros((n, k1)), np.zeros((n, k2)),
                    np.zeros((k2, k1)), np.zeros((k1, k2)), beta=beta, tol=1e-14, max_iter=100_000)


def test_section_5_1_stationary_equilibrium_is_nnash():
    game = paper.section_5_1(0.0)
    star = lqg.solve_stationary_nash(game)
    A, (B1, B2) = game.A[0], (b[0] for b in game.B)
    F1, F2, P1, P2 = nnash(A, B1, B2, game.Q[0][0], game.Q[1][0], game.R[0][0], game.R[1][0])
    np.testing.assert_allclose(star.K[0], F1, atol=1e-13)
    np.testing.assert_allclose(star.K[1], F2, atol=1e-13)
    np.testing.assert_allclose(star.P[0], P1, rtol=1e-10)
    np.testing.assert_allclose(star.P[1], P2, rtol=1e-10)


def test_markov_perfect_duopoly_with_indefinite_weights_is_nnash():
    game, args, beta = duopoly()
    assert not lqg.check_assumptions(game).assumption_2_1    # profits: indefinite weights
    star = lqg.solve_stationary_nash(game, beta=beta)
    F1, F2, P1, P2 = nnash(*args, beta=beta)
    np.testing.assert_allclose(star.K[0], F1, atol=1e-12)
    np.testing.assert_allclose(star.K[1], F2, atol=1e-12)
    # nnash stops when F stops changing; the constant state's entry of P, which no gain depends
    # on, converges only like beta^n there. The Lyapunov equation of nnash's own F gives ours.
    exact = stationary.stationary_value_matrices(game, (F1, F2), beta=beta)
    np.testing.assert_allclose(star.P[0], exact[0], rtol=1e-8)
    np.testing.assert_allclose(star.P[0][1:, 1:], P1[1:, 1:], rtol=1e-8)
    np.testing.assert_allclose(star.P[1][1:, 1:], P2[1:, 1:], rtol=1e-8)


def test_cross_player_control_costs_are_nnash():
    """(u^j)' S^i u^j in player i's cost: lqg's R_cross[(i, j)] is nnash's S_i."""
    rng = np.random.default_rng(3)
    d = 3
    A = 0.5 * rng.standard_normal((d, d)) / np.sqrt(d)
    B1, B2 = rng.standard_normal((d, 1)), rng.standard_normal((d, 2))
    R1, R2 = random_spd(rng, d), random_spd(rng, d)
    Q1, Q2 = random_spd(rng, 1), random_spd(rng, 2)
    S1, S2 = random_spd(rng, 2), random_spd(rng, 1)        # player 1 pays for u^2, player 2 for u^1
    game = lqg.LQGame.time_invariant(A, [B1, B2], [R1, R2], [Q1, Q2], W=0.0, x0=np.ones(d), T=1,
                                     R_cross={(0, 1): S1, (1, 0): S2})
    star = lqg.solve_stationary_nash(game, beta=0.9)
    F1, F2, P1, P2 = nnash(A, B1, B2, R1, R2, Q1, Q2, S1, S2, beta=0.9)
    np.testing.assert_allclose(star.K[0], F1, atol=1e-11)
    np.testing.assert_allclose(star.K[1], F2, atol=1e-11)
    np.testing.assert_allclose(star.P[0], P1, rtol=1e-8)
    # the finite-horizon recursion with cross costs: each player's best response (independent
    # LQR) against the others
    finite = lqg.solve_nash(game.with_horizon(6))
    assert np.all(np.abs(finite.best_response_gaps()) < 1e-10)


def test_one_player_is_python_controls_dlqr_and_dare():
    rng = np.random.default_rng(4)
    d, k = 4, 2
    A = rng.standard_normal((d, d)) / np.sqrt(d)
    B = rng.standard_normal((d, k))
    Q, R = random_spd(rng, d), random_spd(rng, k)
    K, S, _ = control.dlqr(A, B, Q, R)
    X, _, G = control.dare(A, B, Q, R)
    game = lqg.LQGame.time_invariant(A, [B], [Q], [R], W=0.0, x0=np.ones(d), T=1)
    star = lqg.solve_stationary_nash(game)
    np.testing.assert_allclose(star.K[0], K, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(star.K[0], G, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(star.P[0], S, rtol=1e-9)
    np.testing.assert_allclose(star.P[0], X, rtol=1e-9)


@pytest.mark.parametrize("terminal", ["zero", "spd"])
def test_one_player_finite_horizon_with_discount_is_quantecons_lq(terminal):
    """QuantEcon's LQ (current-value recursion with beta) and lqg's discounted game (beta^t folded
    into the weights) give the same gains at every t and the same value at t = 0."""
    rng = np.random.default_rng(5)
    d, k, T, beta = 3, 1, 8, 0.9
    A = rng.standard_normal((d, d)) / np.sqrt(d)
    B = rng.standard_normal((d, k))
    Q, R = random_spd(rng, d), random_spd(rng, k)
    C = 0.3 * rng.standard_normal((d, d))
    Rf = np.zeros((d, d)) if terminal == "zero" else random_spd(rng, d)
    lq = qe.LQ(R, Q, A, B, C=C, beta=beta, T=T, Rf=Rf)
    gains = []
    for _ in range(T):
        lq.update_values()
        gains.append(lq.F.copy())
    gains = gains[::-1]                                     # F_0, ..., F_{T-1}
    x0 = rng.standard_normal(d)
    game = lqg.LQGame(np.broadcast_to(A, (T, d, d)), [np.broadcast_to(B, (T, d, k))],
                      [np.concatenate([np.broadcast_to(Q, (T, d, d)), Rf[None]])],
                      [np.broadcast_to(R, (T, k, k))], C @ C.T, x0)
    nash = lqg.solve_nash(game.discounted(beta))
    np.testing.assert_allclose(nash.K[0], np.array(gains), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(nash.P[0][0], lq.P, rtol=1e-9)
    np.testing.assert_allclose(nash.costs[0], x0 @ lq.P @ x0 + lq.d, rtol=1e-9)


def test_finite_horizon_approaches_the_stationary_equilibrium_as_T_grows():
    game = paper.section_5_1(0.0)
    star = lqg.solve_stationary_nash(game)
    gaps = []
    for T in (2, 4, 8, 16, 32):
        finite = lqg.solve_nash(game.with_horizon(T))
        gaps.append(max(np.abs(K[0] - S).max() for K, S in zip(finite.K, star.K)))
    assert gaps[-1] < 1e-12
    assert all(b <= a for a, b in zip(gaps, gaps[1:]))
    # the costs too: the total cost over T grows to the stationary one (no noise, stable loop)
    costs = [lqg.cost(game.with_horizon(T), tuple(np.broadcast_to(S, (T,) + S.shape)
                                                   for S in star.K)) for T in (50, 200)]
    np.testing.assert_allclose(costs[-1], stationary.stationary_cost(game, star.K), rtol=1e-10)


@pytest.mark.parametrize("beta, objective, noise", [(1.0, "total", 0.0), (0.9, "total", 0.2),
                                                    (1.0, "average", 0.2)])
def test_stationary_gradients_are_finite_differences_of_the_stationary_cost(beta, objective, noise):
    rng = np.random.default_rng(6)
    game = paper.section_5_1(noise)
    star = lqg.solve_stationary_nash(game, beta=beta)
    K = tuple(S + 0.05 * rng.standard_normal(S.shape) for S in star.K)
    gradient = stationary.stationary_policy_gradient(game, K, beta=beta, objective=objective)
    h = 1e-6
    for i in range(game.N):
        numeric = np.zeros_like(K[i])
        for index in np.ndindex(K[i].shape):
            plus, minus = [k.copy() for k in K], [k.copy() for k in K]
            plus[i][index] += h
            minus[i][index] -= h
            numeric[index] = (stationary.stationary_cost(game, tuple(plus), beta=beta,
                                                         objective=objective)[i]
                              - stationary.stationary_cost(game, tuple(minus), beta=beta,
                                                           objective=objective)[i]) / (2 * h)
        np.testing.assert_allclose(gradient[i], numeric, rtol=1e-6, atol=1e-9)
    # at the equilibrium every player's own gradient vanishes
    for g in stationary.stationary_policy_gradient(game, star.K, beta=beta, objective=objective):
        assert np.abs(g).max() < 1e-10


def test_stationary_solver_says_when_it_does_not_converge():
    game = lqg.LQGame.time_invariant(np.array([[1.5]]), [np.array([[1.0]])], [1.0], [1.0], W=0.0,
                                     x0=np.array([1.0]), T=1)
    with pytest.raises(stationary.NoStationaryNashError, match="did not converge in 3 steps"):
        lqg.solve_stationary_nash(game, max_iter=3)
    g = paper.section_5_2(0.1)
    varying = lqg.LQGame(g.A * np.linspace(1, 0.9, g.T)[:, None, None], g.B, g.Q, g.R, g.W, g.x0)
    with pytest.raises(lqg.LQGameError, match="depend"):
        lqg.solve_stationary_nash(varying)
