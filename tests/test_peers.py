r"""lqg against peers' solvers, on the cases their own tests and lectures use.

* QuantEcon's ``nnash`` (two-player infinite-horizon feedback Nash, discounted, with cross-player
  control costs): the Section 5.1 game, the Markov-perfect duopoly of the QuantEcon lecture
  (indefinite weights), random games with cross costs;
* QuantEcon's ``LQ`` (one player, finite horizon, discount, terminal weight possibly zero), and the
  cases of its ``quantecon/tests/test_lqcontrol.py`` with singular weights (``lq_mat``: singular state
  and control weights; QuantEcon.py 13b436b);
* python-control's ``dlqr`` and ``dare`` (one player, infinite horizon), and every ``dare`` case of its
  ``control/tests/mateqn_test.py`` (python-control e60e5eb): ``test_dare`` (indefinite Q),
  ``test_dare_compare``, ``test_dare_g`` and ``test_dare_g2``;
* the zero-sum point masses (two players, :math:`Q^2 = -Q^1`) of ilqgames' ``python/test_solve_lq_game.py``
  (HJReachability/ilqgames ca5e2e4) and iLQGames.jl's ``test/test_solve_lq_game.jl`` (a5117f3);
* and the finite horizon approaching the stationary equilibrium as T grows, the stationary costs
  and gradients against finite differences.

What lqg cannot express, and how the cases are ported anyway:

* python-control's ``test_dare_g`` and ``test_dare_g2`` have a state-control cross term
  :math:`2x^\top S u` and a descriptor matrix E (:math:`Ex_{t+1} = Ax_t + Bu_t`); lqg has neither.
  Both are removed exactly: multiplying by :math:`E^{-1}` and writing :math:`u = v - R^{-1}S^\top x`
  gives an lqg game with :math:`\tilde A = E^{-1}(A - BR^{-1}S^\top)`, :math:`\tilde B = E^{-1}B`,
  :math:`\tilde Q = Q - SR^{-1}S^\top` (indefinite in both cases), whose value matrix is
  :math:`E^\top XE` and whose gain is :math:`G - R^{-1}S^\top`. The peer's assertions are then made on
  the peer's own matrices. ``test_dare_g2`` starts at :math:`P = Q` (``start="terminal"``): from
  :math:`P = 0` its second iterate has :math:`R + \tilde B^\top P\tilde B = 0` exactly.
* QuantEcon's ``lq_mat`` has a singular control weight, so the stationary iteration starts at its
  terminal weight ``Rf`` (from :math:`P = 0` the first :math:`\Phi` is the singular R).
* ilqgames and iLQGames.jl solve affine games (linear cost terms, feedforward :math:`\alpha`); the
  zero-sum cases have no linear terms, so :math:`\alpha = 0` (which ilqgames asserts) and lqg's
  linear policies are the whole strategy. ilqgames perturbs :math:`\alpha` as well as the gains in
  its Nash check; only the gains are perturbed here. Their costs carry a factor 1/2 and start at
  :math:`x_1` (ilqgames): the same gains; the costs differ by that factor and by
  :math:`x_0^\top Q^i x_0`, which no policy changes.
* ilqgames' C++ ``test/test_lq_solver.cpp`` point mass is not zero-sum (both state weights positive)
  and is not ported.
"""

import importlib

import numpy as np
import pytest
import scipy.linalg

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


# ---------------------------------------------------------------------------
# zero-sum point masses: ilqgames and iLQGames.jl


def lyapunov_iterations(A, B1, B2, Q1, Q2, R11, R12, R21, R22, n_iter):
    """The peers' reference for the stationary game (Mazumdar's "Lyapunov iterations", as in
    ilqgames' ``python/lyap_iters_eric.py`` and iLQGames.jl's ``solve_lyapunov_iterations``): each
    player's best-response gain against the other's previous one, then both cost-to-go matrices."""
    Z1, Z2 = Q1, Q2
    P1 = np.linalg.solve(R11 + B1.T @ Z1 @ B1, B1.T @ Z1 @ A)
    P2 = np.linalg.solve(R22 + B2.T @ Z2 @ B2, B2.T @ Z2 @ A)
    for _ in range(n_iter):
        P1, P2 = (np.linalg.solve(R11 + B1.T @ Z1 @ B1, B1.T @ Z1 @ (A - B2 @ P2)),
                  np.linalg.solve(R22 + B2.T @ Z2 @ B2, B2.T @ Z2 @ (A - B1 @ P1)))
        F = A - B1 @ P1 - B2 @ P2
        Z1 = F.T @ Z1 @ F + P1.T @ R11 @ P1 + P2.T @ R12 @ P2 + Q1
        Z2 = F.T @ Z2 @ F + P1.T @ R21 @ P1 + P2.T @ R22 @ P2 + Q2
    return P1, P2, Z1, Z2


def point_mass(dimensions: int):
    """The peers' zero-sum point masses, dt = 0.1 over 10 s (T = 100), Q^2 = -Q^1, each player paying
    only for its own control (R^11 = R^22 = I, R^12 = R^21 = 0), with Q_T^i = Q^i as their
    recursions start. 1D: position and velocity, both players push (ilqgames, iLQGames.jl). 2D
    (iLQGames.jl): player 1 accelerates, player 2 moves the position; Q^1 = diag(1, 2, 0, 0)."""
    dt = 0.1
    if dimensions == 1:
        A = np.array([[1.0, dt], [0.0, 1.0]])
        B = [np.array([[0.5 * dt * dt], [dt]]), np.array([[0.32 * dt * dt], [0.11 * dt]])]
        Q = np.eye(2)
    else:
        A = np.eye(4) + dt * np.array([[0.0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0], [0, 0, 0, 0]])
        B_all = dt * np.array([[0.0, 0, 1, 0], [0, 0, 0, 1], [1, 0, 0, 0], [0, 1, 0, 0]])
        B = [B_all[:, :2], B_all[:, 2:]]
        Q = np.diag([1.0, 2.0, 0.0, 0.0])
    game = lqg.LQGame.time_invariant(A, B, [Q, -Q], [1.0, 1.0], W=0.0, x0=np.ones(A.shape[0]), T=100)
    k = B[0].shape[1]
    I, O = np.eye(k), np.zeros((k, k))
    return game, (A, B[0], B[1], Q, -Q, I, O, O, I)


@pytest.mark.parametrize("dimensions", [1, 2])
def test_zero_sum_point_masses_are_the_peers_lyapunov_iterations(dimensions):
    """iLQGames.jl's test_lyapunov (1D and 2D): the finite-horizon feedback gains at t = 0 equal 100
    Lyapunov iterations within 1e-4 (max norm); ilqgames' testLyapunov (1D): 1000 iterations, to 3
    decimals. The stationary solver must reach the iterations' limit itself."""
    game, data = point_mass(dimensions)
    finite = lqg.solve_nash(game)
    assert finite.is_equilibrium                      # player 2 too: R^22 + B'P^2B > 0 though Q^2 < 0
    K0 = np.concatenate([K[0] for K in finite.K])
    P1, P2, _, _ = lyapunov_iterations(*data, n_iter=100)
    assert np.abs(K0 - np.concatenate([P1, P2])).max() < 1e-4
    P1, P2, Z1, Z2 = lyapunov_iterations(*data, n_iter=1000)
    np.testing.assert_array_almost_equal(finite.K[0][0], P1, decimal=3)
    np.testing.assert_array_almost_equal(finite.K[1][0], P2, decimal=3)
    star = lqg.solve_stationary_nash(game)
    assert star.is_equilibrium and star.spectral_radius < 1
    np.testing.assert_allclose(star.K[0], P1, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(star.K[1], P2, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(star.P[0], Z1, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(star.P[1], Z2, rtol=1e-9, atol=1e-10)


def test_zero_sum_point_mass_deviations_do_not_pay():
    """ilqgames' testNashEquilibrium: 100 perturbations (standard deviation 0.1, at every t) of one
    player's feedback gains, the other's fixed, never lower that player's cost from x0 = (1, 1)."""
    game, _ = point_mass(1)
    nash = lqg.solve_nash(game)
    rng = np.random.default_rng(7)
    for i in range(2):
        K = list(nash.K)
        K[i] = nash.K[i] + 0.1 * rng.standard_normal((100,) + nash.K[i].shape)
        assert np.all(lqg.cost(game, tuple(K))[:, i] >= nash.costs[i])
    # and each equilibrium gain is the player's best response (an independent LQR recursion)
    assert np.all(np.abs(nash.best_response_gaps()) < 1e-9 * np.abs(nash.costs))


# ---------------------------------------------------------------------------
# python-control's dare tests: indefinite weights, cross terms and descriptor matrices


DARE_A = np.array([[-0.6, 0.0], [-0.1, -0.4]])
DARE_CASES = {   # name: (A, B, Q, R, S, E), as in control/tests/mateqn_test.py
    "test_dare": (DARE_A, np.array([[2.0, 1], [0, 1]]), np.array([[2.0, 1], [1, 0]]), np.eye(2),
                  None, None),
    "test_dare, second": (np.array([[1.0, 0], [-1, 1]]), np.array([[1.0], [0]]),
                          np.array([[0.0, 1], [1, 1]]), np.array([[2.0]]), None, None),
    "test_dare_compare": (DARE_A, np.array([[2.0, 1], [0, 1]]), np.array([[2.0, 1], [1, 0]]),
                          np.eye(2), np.zeros((2, 2)), np.eye(2)),
    "test_dare_g": (DARE_A, np.array([[1.0, 5], [2, 4]]), np.array([[2.0, 1], [1, 3]]), np.eye(2),
                    np.array([[1.0, 0], [2, 0]]), np.array([[2.0, 1], [1, 2]])),
    "test_dare_g2": (DARE_A, np.array([[1.0], [2]]), np.array([[2.0, 1], [1, 3]]), np.array([[1.0]]),
                     np.array([[1.0], [2]]), np.array([[2.0, 1], [1, 2]])),
}


def dare_by_lqg(A, B, Q, R, S, E, start="zero"):
    """X and G of python-control's dare from lqg's one-player stationary game, with the cross term
    and E removed by the change of variables of the module docstring."""
    d, k = B.shape
    S = np.zeros((d, k)) if S is None else S
    E_inv = np.linalg.inv(np.eye(d) if E is None else E)
    L = np.linalg.solve(R, S.T)                                   # u = v - L x
    game = lqg.LQGame.time_invariant(E_inv @ (A - B @ L), [E_inv @ B], [Q - S @ L], [R], W=0.0,
                                     x0=np.ones(d), T=1, Q_T=[Q])
    star = lqg.solve_stationary_nash(game, start=start)
    return E_inv.T @ star.P[0] @ E_inv, star.K[0] + L, game


@pytest.mark.parametrize("name", list(DARE_CASES))
def test_python_controls_dare_cases(name):
    A, B, Q, R, S, E = DARE_CASES[name]
    start = "terminal" if name == "test_dare_g2" else "zero"
    X, G, game = dare_by_lqg(A, B, Q, R, S, E, start)
    S0 = np.zeros(B.shape) if S is None else S
    E0 = np.eye(A.shape[0]) if E is None else E
    assert np.linalg.eigvalsh(Q - S0 @ np.linalg.solve(R, S0.T))[0] < 0     # indefinite weights
    # the peer's assertions, on the peer's matrices
    Gref = np.linalg.solve(B.T @ X @ B + R, B.T @ X @ A + S0.T)
    np.testing.assert_array_almost_equal(Gref, G)
    np.testing.assert_array_almost_equal(E0.T @ X @ E0, A.T @ X @ A - (A.T @ X @ B + S0) @ Gref + Q)
    assert np.all(np.abs(scipy.linalg.eigvals(A - B @ G, E0)) < 1.0)
    # against the solvers the peer wraps: scipy's (the residual's) and python-control's own
    np.testing.assert_allclose(X, scipy.linalg.solve_discrete_are(A, B, Q, R, e=E, s=S), rtol=1e-10)
    forms = [(A, B, Q, R)] if S is None else [(A, B, Q, R, S, E)]
    if name == "test_dare_compare":                 # with and without S = 0, E = I
        forms.append((A, B, Q, R))
    for form in forms:
        X_pc, _, G_pc = control.dare(*form)
        np.testing.assert_allclose(X, X_pc, rtol=1e-10)
        np.testing.assert_allclose(G, G_pc, rtol=1e-9, atol=1e-12)
    if name == "test_dare_g2":      # from P = 0 the second iterate is flat: R + B'PB = 0 exactly
        with pytest.raises(lqg.NotAnEquilibriumError, match=r"player 0's .* is 0 <= 0.*iterate 2"):
            lqg.solve_stationary_nash(game)


# ---------------------------------------------------------------------------
# QuantEcon's LQ with singular weights (test_lqcontrol.py, lq_mat)


def quantecons_lq_mat():
    """QuantEcon's names are the other way round: its Q weighs the control, its R the state. Here
    both are singular: the state weight diag(1, 0), the control weight diag(0, 1)."""
    state, control_weight, terminal = np.diag([1.0, 0.0]), np.diag([0.0, 1.0]), 100 * np.eye(2)
    A, B, beta = 0.95 * np.ones((2, 2)), -np.ones((2, 2)), 0.95
    game = lqg.LQGame.time_invariant(A, [B], [state], [control_weight], W=0.0, x0=np.ones(2), T=1,
                                     Q_T=[terminal])
    lq = qe.LQ(control_weight, state, A, B, beta=beta, T=1, Rf=terminal)
    return game, lq, beta


def test_quantecons_lq_with_singular_weights_finite_horizon():
    """test_mat_sequences: with T = 1 and Rf = 100 I, u_0 nearly cancels A x_0, so that the entries
    of u_0 sum to 0.95 (x_0^1 + x_0^2) and x_1 is nearly 0 (within 1e-3)."""
    game, lq, beta = quantecons_lq_mat()
    nash = lqg.solve_nash(game.discounted(beta))
    x0 = np.random.default_rng(8).standard_normal(2) * 25
    u0 = -nash.K[0][0] @ x0
    np.testing.assert_allclose(np.sum(u0), 0.95 * np.sum(x0), atol=1e-3)
    np.testing.assert_allclose(game.A[0] @ x0 + game.B[0][0] @ u0, np.zeros(2), atol=1e-3)
    lq.update_values()
    np.testing.assert_allclose(nash.K[0][0], lq.F, rtol=1e-10, atol=1e-12)


def test_quantecons_lq_with_singular_weights_infinite_horizon():
    """test_stationary_mat: F = [[-0.95, -0.95], [0, 0]] and x_0'Px_0 = (x_0^1)^2, by both of
    QuantEcon's methods (doubling, qz). From P = 0 lqg's first Phi is the singular control weight;
    from the terminal weight Rf the iteration converges."""
    game, lq, beta = quantecons_lq_mat()
    with pytest.raises(lqg.NotAnEquilibriumError, match=r"player 0's .* is 0 <= 0.*iterate 1"):
        lqg.solve_stationary_nash(game, beta=beta)
    star = lqg.solve_stationary_nash(game, beta=beta, start="terminal")
    assert star.is_equilibrium
    x0 = np.random.default_rng(9).standard_normal(2) * 25
    np.testing.assert_allclose(star.K[0], [[-0.95, -0.95], [0.0, 0.0]], atol=1e-3)
    np.testing.assert_allclose(x0 @ star.P[0] @ x0, x0[0] ** 2, atol=1e-3)
    for method in ("doubling", "qz"):
        P, F, _ = lq.stationary_values(method=method)
        np.testing.assert_allclose(star.K[0], F, atol=1e-10)
        np.testing.assert_allclose(star.P[0], P, atol=1e-10)
