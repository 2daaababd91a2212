"""Section 3's constants, Assumption 3.3 and Lemma 3.9 against hand calculations on scalar games."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lqg
from lqg import diagnostics
from lqg.diagnostics import _common, constants, dominance

from conftest import random_game, random_policy

# ---------------------------------------------------------------------------
# an independent scalar (d = 1, N = 2) calculator in plain Python floats


class Scalar:
    """x_{t+1} = a x_t + b1 u1 + b2 u2 + w_t, costs q_i x^2 + r_i u_i^2, terminal qT_i x^2."""

    def __init__(self, a, b, q, qT, r, w, mean, var, T):
        self.a, self.b, self.q, self.qT, self.r, self.w, self.T = a, b, q, qT, r, w, T
        self.s0 = var + mean**2
        self.game = lqg.LQGame.time_invariant(
            A=[[a]], B=[[[b[0]]], [[b[1]]]], Q=[[[q[0]]], [[q[1]]]], R=[[[r[0]]], [[r[1]]]],
            W=[[w]], x0=lqg.GaussianState([mean], [[var]]), T=T,
            Q_T=[[[qT[0]]], [[qT[1]]]],
        )

    def loop(self, k, t):
        return self.a - self.b[0] * k[0][t] - self.b[1] * k[1][t]

    def values(self, k, i):
        """P_t^i for t = 0..T under gains k[j][t] (eq. (3.13) with d = 1)."""
        P = [self.qT[i]]
        for t in reversed(range(self.T)):
            P.insert(0, self.q[i] + self.r[i] * k[i][t] ** 2 + self.loop(k, t) ** 2 * P[0])
        return P

    def cost(self, k, i):
        P = self.values(k, i)
        return P[0] * self.s0 + self.w * sum(P[1:])

    def covariances(self, k):
        S = [self.s0]
        for t in range(self.T):
            S.append(self.loop(k, t) ** 2 * S[-1] + self.w)
        return S

    def nash(self):
        """Eq. (2.4) at each t as a 2x2 linear system, solved by Cramer's rule."""
        T, a, (b1, b2), (r1, r2) = self.T, self.a, self.b, self.r
        k = [[0.0] * T, [0.0] * T]
        P1, P2 = self.qT
        for t in reversed(range(T)):
            m11, m12 = r1 + b1 * b1 * P1, b1 * P1 * b2
            m21, m22 = b2 * P2 * b1, r2 + b2 * b2 * P2
            y1, y2 = b1 * P1 * a, b2 * P2 * a
            det = m11 * m22 - m12 * m21
            k[0][t], k[1][t] = (y1 * m22 - m12 * y2) / det, (m11 * y2 - m21 * y1) / det
            c = self.loop(k, t)
            P1 = self.q[0] + r1 * k[0][t] ** 2 + c * c * P1
            P2 = self.q[1] + r2 * k[1][t] ** 2 + c * c * P2
        return k

    @staticmethod
    def policy(k):
        return tuple(np.array(ki, dtype=float).reshape(-1, 1, 1) for ki in k)


HOLDS = dict(a=0.5, b=(0.02, -0.015), q=(1.0, 0.8), qT=(1.2, 0.9), r=(1.0, 0.7), w=1.0,
             mean=0.5, var=0.9)
FAILS = dict(HOLDS, a=1.5, qT=(1.2, 0.5))  # rho* = closed-loop norm > 1; sigma_Q from Q_T


def expected_report(s, k0, delta):
    """Every quantity of the report by the formulas of Section 3, from the scalar calculator."""
    T, N, d = s.T, 2, 1
    ks = s.nash()
    costs = [s.cost(ks, i) for i in range(N)]
    gaps = []
    for i in range(N):
        dev = [list(ks[0]), list(ks[1])]
        dev[i] = list(k0[i])
        gaps.append(s.cost(dev, i) - costs[i])
    sx = min(s.s0, s.w)
    sr, sq = min(s.r), min(s.q + s.qT)
    gb = max(abs(b) for b in s.b)
    sigma_star = sum(s.covariances(ks))
    loop = max(abs(s.loop(ks, t)) for t in range(T))
    rho_star = max(loop, 1 + delta)
    psi = max(gaps)
    rho_bar = rho_star + N * gb * math.sqrt(T * psi / (sx * sr)) + 1 / (20 * T**2)
    factor = ((rho_bar ** (2 * T) - 1) / (rho_bar**2 - 1)) ** 2
    big = 20 * (N - 1) ** 2 * T**2 * d * gb**4 * (max(costs) + psi) ** 4
    return dict(
        sigma_x_lemma_3_1=sx, sigma_x_initial_policy=min(s.covariances(k0)), sigma_x=sx,
        sigma_r=sr, sigma_q=sq, gamma_a=abs(s.a), gamma_b=gb, gamma_r=max(s.r),
        sigma_k_star_norm=sigma_star, closed_loop_norm_star=loop, rho_star=rho_star,
        nash_cost_max=max(costs), psi=psi, initial_gap=sum(gaps), rho_bar=rho_bar,
        rho_bar_factor=factor, lhs_3_11=sx**5 / sigma_star,
        rhs_3_11=big / (sq**2 * sr**2) * factor,
        alpha_hat=sx * sr / sigma_star - big / (sx**4 * sq**2 * sr) * factor,
    )


@pytest.mark.parametrize("params, T, holds", [(HOLDS, 1, True), (HOLDS, 2, True),
                                              (FAILS, 2, False), (FAILS, 3, False)])
def test_report_matches_scalar_hand_calculation(params, T, holds):
    s = Scalar(T=T, **params)
    k0 = [[0.3] * T, [-0.2] * T]
    r = diagnostics.report(s.game, Scalar.policy(k0), delta=1e-3, epsilon=1e-4, eta=0.1)
    want = expected_report(s, k0, 1e-3)
    for key, value in want.items():
        assert getattr(r, key) == pytest.approx(value, rel=1e-10), key
    assert (r.N, r.T, r.d) == (2, T, 1)
    assert r.assumption_3_3 is holds
    assert (r.alpha_hat > 0) is holds
    if holds:
        M = math.log(want["initial_gap"] / 1e-4) / (want["alpha_hat"] * 0.1)
        assert r.iterations == pytest.approx(M, rel=1e-10)
    else:
        assert math.isnan(r.iterations)


def test_scalar_one_step_gaps_and_remark_2_4_by_closed_form():
    # T = 1: C^i(K^i, K^{-i*}) - C^i(K*) = E[x0^2] (r_i + b_i^2 qT_i) (K^i - K^{i*})^2, and
    # Phi_0 = [[r1 + b1^2 qT1, b1 qT1 b2], [b2 qT2 b1, r2 + b2^2 qT2]]
    s = Scalar(T=1, **FAILS)
    ks = s.nash()
    k0 = [[0.3], [-0.2]]
    gaps = dominance.unilateral_gaps(s.game, Scalar.policy(k0))
    for i in range(2):
        G = s.r[i] + s.b[i] ** 2 * s.qT[i]
        assert gaps[i] == pytest.approx(s.s0 * G * (k0[i][0] - ks[i][0]) ** 2, rel=1e-10)
    b1, b2 = s.b
    phi = np.array([[s.r[0] + b1 * b1 * s.qT[0], b1 * s.qT[0] * b2],
                    [b2 * s.qT[1] * b1, s.r[1] + b2 * b2 * s.qT[1]]])
    sv = np.sqrt(np.linalg.eigvalsh(phi.T @ phi))
    r = diagnostics.report(s.game, Scalar.policy(k0))
    assert r.remark_2_4
    assert r.phi_condition_max == pytest.approx(sv[-1] / sv[0], rel=1e-10)


def test_rho_star_takes_one_plus_delta_when_the_closed_loop_contracts():
    s = Scalar(T=2, **HOLDS)
    k0 = Scalar.policy([[0.3] * 2, [-0.2] * 2])
    small, large = (diagnostics.report(s.game, k0, delta=dl) for dl in (1e-6, 0.2))
    assert small.closed_loop_norm_star < 1
    assert small.rho_star == pytest.approx(1 + 1e-6) and large.rho_star == pytest.approx(1.2)
    # (3.11)'s right side grows with rho_bar, hence with delta
    assert large.rhs_3_11 > small.rhs_3_11


def test_alpha_hat_is_positive_exactly_when_3_11_holds(rng):
    # (3.12) = (sigma_R / sigma_X^4) * (LHS - RHS of (3.11))
    for _ in range(20):
        s = Scalar(T=int(rng.integers(1, 4)), a=float(rng.uniform(0.1, 1.5)),
                   b=tuple(rng.uniform(-0.1, 0.1, 2)), q=tuple(rng.uniform(0.5, 2, 2)),
                   qT=tuple(rng.uniform(0.5, 2, 2)), r=tuple(rng.uniform(0.5, 2, 2)),
                   w=float(rng.uniform(0.2, 2)), mean=0.3, var=1.0)
        k0 = [list(rng.normal(0, 0.3, s.T)), list(rng.normal(0, 0.3, s.T))]
        r = diagnostics.report(s.game, Scalar.policy(k0))
        assert r.alpha_hat == pytest.approx(
            r.sigma_r / r.sigma_x**4 * (r.lhs_3_11 - r.rhs_3_11), rel=1e-9, abs=1e-12)
        assert (r.alpha_hat > 0) == r.assumption_3_3


def test_remark_3_4_fails_3_11_by_hand_calculation():
    # Decoupled: player 1 steers coordinate 1, player 2 coordinate 2; T = 1, so P_1 = Q_T = 0.1 I.
    G = 0.3 + 0.1**2 * 0.1  # R + B^T P_1 B
    kstar = 0.1 * 0.1 * 0.2 / G  # |K^{i*}| on the player's own coordinate
    c = 0.2 - 0.1 * kstar  # closed loop (A - B K*) = c I
    s0 = np.array([[0.2 + 0.09, 0.12], [0.12, 0.3 + 0.16]])  # cov + mean mean^T
    lam_min, lam_max = np.linalg.eigvalsh(s0)
    noise = np.trace(0.2 * 0.1 * np.eye(2))  # Tr(W P_1)
    own = 0.1 + 0.3 * kstar**2 + 0.1 * c**2  # P_0 on the player's own coordinate
    other = 0.1 + 0.1 * c**2
    costs = [0.29 * own + 0.46 * other + noise, 0.29 * other + 0.46 * own + noise]
    d1 = np.array([0.2 - kstar, 0.01])  # K^{1,(0)} - K^{1*}
    d2 = np.array([0.2, 0.01 + kstar])  # K^{2,(0)} - K^{2*}, K^{2*} = (0, -kstar)
    psi = max(G * d1 @ s0 @ d1, G * d2 @ s0 @ d2)
    sigma_star = (1 + c**2) * lam_max + 0.2
    sx = min(lam_min, 0.2)
    lhs = sx**5 / sigma_star
    rhs = 20 * 1 * 1 * 2 * 0.1**4 * (max(costs) + psi) ** 4 / (0.1**2 * 0.3**2)

    r = diagnostics.report(lqg.paper.remark_3_4(), lqg.paper.remark_3_4_policies(), delta=1e-3)
    assert sx == 0.2 and r.sigma_x == pytest.approx(0.2)
    assert r.nash_cost_max == pytest.approx(max(costs), rel=1e-12)
    assert r.psi == pytest.approx(psi, rel=1e-12)
    assert r.sigma_k_star_norm == pytest.approx(sigma_star, rel=1e-12)
    assert r.lhs_3_11 == pytest.approx(lhs, rel=1e-12)
    assert r.rhs_3_11 == pytest.approx(rhs, rel=1e-12)
    assert r.rho_bar_factor == 1.0  # T = 1
    # the paper says Assumption 3.3 holds here; by this calculation it does not
    assert lhs < rhs and not r.assumption_3_3 and r.alpha_hat < 0
    # nor with sigma_X taken from the initial policy
    assert not diagnostics.report(lqg.paper.remark_3_4(), lqg.paper.remark_3_4_policies(),
                                  sigma_x="initial_policy").assumption_3_3


def test_section_5_2_violates_assumption_3_3_as_the_paper_says():
    r = diagnostics.report(lqg.paper.section_5_2(0.1), lqg.paper.section_5_2_policies())
    assert r.sigma_x == pytest.approx(0.1)  # sigma_min(W) < sigma_min(E[x0 x0^T])
    assert not r.assumption_3_3 and r.rhs_3_11 > 1e40 * r.lhs_3_11


def test_deterministic_dynamics_report_cleanly():
    game = lqg.paper.section_5_1(0.0)
    nash = lqg.solve_nash(game)
    K0 = tuple(K + 0.1 for K in nash.K)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = diagnostics.report(game, K0, epsilon=1e-3, eta=0.1)
        at_nash = diagnostics.report(game, nash.K)
        str(r)
    assert r.sigma_x == 0 and r.lhs_3_11 == 0
    assert r.rho_bar == math.inf and r.rhs_3_11 == math.inf
    assert not r.assumption_3_3 and r.alpha_hat == -math.inf and math.isnan(r.iterations)
    # psi = 0 at the equilibrium: rho_bar stays finite, (3.11) still fails
    assert at_nash.psi == pytest.approx(0, abs=1e-12) and math.isfinite(at_nash.rho_bar)
    assert 0 < at_nash.rhs_3_11 < math.inf and not at_nash.assumption_3_3


def test_report_dict_and_table():
    s = Scalar(T=2, **HOLDS)
    r = diagnostics.report(s.game, Scalar.policy([[0.3] * 2, [-0.2] * 2]), epsilon=1e-3, eta=0.5)
    out = r.to_dict()
    documented = {
        "N", "T", "d", "delta", "remark_2_4", "phi_condition_max", "sigma_x_lemma_3_1",
        "sigma_x_initial_policy", "sigma_x", "sigma_x_policy_free", "sigma_r", "sigma_q",
        "gamma_a", "gamma_b", "gamma_r", "sigma_k_star_norm", "closed_loop_norm_star",
        "rho_star", "nash_cost_max", "psi", "initial_gap", "rho_bar", "rho_bar_factor",
        "lhs_3_11", "rhs_3_11", "assumption_3_3", "alpha_hat", "epsilon", "eta", "iterations",
    }
    assert set(out) == documented
    assert all(type(v) in (int, float, bool) for v in out.values())
    assert out["assumption_3_3"] is True and out["sigma_x_policy_free"] is True
    assert out["iterations"] == r.iterations_for(1e-3, 0.5)
    table = str(r)
    for label in ("(3.10)", "(3.11)", "(3.12)", "alpha_hat", "Lemma 3.1", "M(eps=0.001"):
        assert label in table


def test_theorem_3_5_iterations():
    assert constants.theorem_3_5_iterations(0.5, 0.1, 10.0, 1e-2) == pytest.approx(
        math.log(1e3) / 0.05)
    assert constants.theorem_3_5_iterations(0.5, 0.1, 1e-3, 1e-2) == 0.0
    assert math.isnan(constants.theorem_3_5_iterations(-1.0, 0.1, 10.0, 1e-2))
    with pytest.raises(ValueError, match="eta"):
        constants.theorem_3_5_iterations(0.5, 0.0, 10.0, 1e-2)
    with pytest.raises(ValueError, match="epsilon"):
        constants.theorem_3_5_iterations(0.5, 0.1, 10.0, -1.0)


def test_report_rejects_bad_input():
    game = lqg.paper.remark_3_4()
    K0 = lqg.paper.remark_3_4_policies()
    with pytest.raises(lqg.LQGameError, match="delta"):
        diagnostics.report(game, K0, delta=0.0)
    with pytest.raises(lqg.LQGameError, match="sigma_x"):
        diagnostics.report(game, K0, sigma_x="policy")
    with pytest.raises(lqg.LQGameError, match="epsilon"):
        diagnostics.report(game, K0, epsilon=1e-3)
    with pytest.raises(lqg.LQGameError, match="must be a single policy"):
        diagnostics.report(game, tuple(np.stack([K, K]) for K in K0))
    with pytest.raises(lqg.LQGameError, match=r"K0\[1\] \(player 1\)"):
        diagnostics.report(game, (K0[0], np.zeros((1, 2, 2))))


# ---------------------------------------------------------------------------
# sigma_X


def test_sigma_x_of_policy_and_lemma_3_1_bound(rng):
    s = Scalar(T=3, **FAILS)
    k = [[0.4, -0.1, 0.2], [0.0, 0.3, -0.5]]
    assert _common.sigma_x_of_policy(s.game, Scalar.policy(k)) == pytest.approx(
        min(s.covariances(k)), rel=1e-12)
    assert _common.sigma_x_lemma_3_1(s.game) == min(s.s0, s.w)

    game = random_game(rng, N=3, d=3, T=4)
    K = random_policy(rng, game, batch=(50,), scale=1.0)
    free = _common.sigma_x_lemma_3_1(game)
    values = _common.sigma_x_of_policy(game, K)
    assert values.shape == (50,) and np.all(values >= free * (1 - 1e-12))


# ---------------------------------------------------------------------------
# Lemma 3.9


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), N=st.integers(1, 3), T=st.integers(1, 5),
       d=st.integers(1, 3), scale=st.sampled_from([0.1, 0.5, 2.0]),
       noise=st.sampled_from([0.01, 0.1, 1.0]))
def test_lemma_3_9_bounds_hold_on_random_games(seed, N, T, d, scale, noise):
    rng = np.random.default_rng(seed)
    game = random_game(rng, N=N, d=d, T=T, noise=noise)
    nash = lqg.solve_nash(game)
    K = random_policy(rng, game, batch=(8,), scale=scale)
    for mode in ("lemma_3_1", "sharp"):
        b = lqg.diagnostics.gradient_dominance(game, K, nash, sigma_x=mode)
        tol = 1e-9 * np.maximum(1.0, np.abs(b.gap))
        assert np.all(b.lower_gradient <= b.lower + tol)
        assert np.all(b.lower <= b.gap + tol)
        assert np.all(b.gap <= b.upper + tol)
        assert np.all(b.upper <= b.upper_gradient + tol)


def test_sharp_lower_bound_is_below_the_exact_one_step_decrease(rng):
    # C^i(K^i, K^{-i*}) - C^i(K^{i'}, K^{-i*}) with K^{i'} = K^i - G^{-1} E, computed by lqg.cost
    game = random_game(rng, N=2, d=2, T=4, noise=0.1)
    nash = lqg.solve_nash(game)
    K = random_policy(rng, game, scale=0.8)
    b = diagnostics.gradient_dominance(game, K, nash, sigma_x="sharp")
    for i in range(game.N):
        dev = list(nash.K)
        dev[i] = K[i]
        P = lqg.value_matrices(game, tuple(dev))[i]
        E = 0.5 * lqg.natural_gradient(game, tuple(dev))[i]
        Bi = game.B[i]
        G = game.R[i] + np.swapaxes(Bi, -1, -2) @ P[1:] @ Bi
        improved = list(dev)
        improved[i] = K[i] - np.linalg.solve(G, E)
        decrease = lqg.cost(game, tuple(dev))[i] - lqg.cost(game, tuple(improved))[i]
        assert b.lower[i] <= decrease * (1 + 1e-10) <= b.gap[i] * (1 + 1e-10)


def test_lemma_3_9_lower_bound_is_exact_for_scalar_one_step_games():
    # T = 1, d = 1: K' = K*, and sigma_min(Sigma_0) = E[x0^2], so the sharp bound is the gap
    s = Scalar(T=1, **FAILS)
    b = diagnostics.gradient_dominance(s.game, Scalar.policy([[0.3], [-0.2]]), sigma_x="sharp")
    np.testing.assert_allclose(b.lower, b.gap, rtol=1e-10)
    np.testing.assert_allclose(b.sigma_x_lower, s.s0, rtol=1e-12)


def test_lemma_3_9_lower_bound_fails_with_the_deviating_policys_own_sigma_x():
    # One player, T = 2, x_{t+1} = 2 x_t + u_t + w_t, q = r = 1, W = 0.1, x0 = 1, K = (1, 0).
    # By hand: P = (7, 5, 1), C(K) = 7 + 0.1 (5 + 1) = 7.6; LQR: K* = (1.5, 1), P* = (4, 3, 1),
    # C(K*) = 4 + 0.1 (3 + 1) = 4.4, so the gap is 3.2. E_0 = 1 - 5 * 1 = -4, G_0 = 1 + 5 = 6,
    # E_1 = 0 - 1 * 2 = -2, G_1 = 1 + 1 = 2: sum_t E_t^2 / G_t = 16/6 + 4/2 = 14/3.
    # The covariances of K are (1, 1.1, 4.5), so their sigma_X is 1, and 1 * 14/3 > 3.2.
    game = lqg.LQGame.time_invariant(A=[[2.0]], B=[[[1.0]]], Q=[[[1.0]]], R=[[[1.0]]],
                                     W=[[0.1]], x0=lqg.DiscreteState([[1.0]], [1.0]), T=2)
    K = (np.array([1.0, 0.0]).reshape(2, 1, 1),)
    nash = lqg.solve_nash(game)
    np.testing.assert_allclose(nash.K[0].ravel(), [1.5, 1.0])
    assert nash.costs[0] == pytest.approx(4.4)
    own_sigma_x = float(_common.sigma_x_of_policy(game, K))
    assert own_sigma_x == pytest.approx(1.0)

    free = diagnostics.gradient_dominance(game, K, nash)
    assert free.gap[0] == pytest.approx(3.2)
    assert free.lower[0] == pytest.approx(0.1 * 14 / 3)  # Lemma 3.1: sigma_X = min(1, 0.1)
    assert own_sigma_x * 14 / 3 > free.gap[0]  # the printed bound with this sigma_X fails
    # the covariance the proof needs is that of K' = K - G^{-1} E = (5/3, 1): 1/9 + 0.1 at t = 1
    sharp = diagnostics.gradient_dominance(game, K, nash, sigma_x="sharp")
    assert sharp.sigma_x_lower[0] == pytest.approx(1 / 9 + 0.1)
    assert sharp.lower[0] == pytest.approx((1 / 9 + 0.1) * 14 / 3) and sharp.lower[0] < 3.2


def test_lemma_3_9_with_zero_noise_has_no_warnings():
    game = lqg.paper.section_5_1(0.0)
    nash = lqg.solve_nash(game)
    K = tuple(Kn + 0.05 for Kn in nash.K)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        b = diagnostics.gradient_dominance(game, K, nash)
        at_nash = diagnostics.gradient_dominance(game, nash.K, nash)
    assert np.all(b.lower == 0) and np.all(b.upper_gradient == np.inf)
    assert np.all(b.gap <= b.upper)
    assert np.all(np.abs(at_nash.gap) < 1e-12) and np.all(at_nash.upper < 1e-12)


# ---------------------------------------------------------------------------
# the Nash gap


def test_nash_gap_against_costs_of_unilateral_deviations(rng):
    game = random_game(rng, N=3, d=2, T=3)  # k = (1, 2, 1)
    nash = lqg.solve_nash(game)
    K = random_policy(rng, game, batch=(5, 2))
    gaps = dominance.unilateral_gaps(game, K, nash)
    assert gaps.shape == (5, 2, 3)
    for i in range(game.N):
        dev = [np.broadcast_to(Kn, (5, 2) + Kn.shape) for Kn in nash.K]
        dev[i] = K[i]
        np.testing.assert_allclose(gaps[..., i], lqg.cost(game, tuple(dev))[..., i] - nash.costs[i],
                                   rtol=1e-12, atol=1e-12)
    assert np.all(gaps > 0)
    np.testing.assert_allclose(diagnostics.nash_gap(game, K), gaps.sum(axis=-1), rtol=1e-14)
    assert abs(diagnostics.nash_gap(game, nash.K)) < 1e-12
    # only the unilateral deviations count: the gap of (K^1, K^{2*}, K^{3*}) is player 1's alone
    mixed = (K[0][0, 0],) + nash.K[1:]
    assert diagnostics.nash_gap(game, mixed, nash) == pytest.approx(gaps[0, 0, 0], rel=1e-12)


def test_overflowing_initial_policy_is_reported_not_raised():
    game = lqg.paper.section_5_2(0.1)
    K0 = tuple(np.full_like(K, 1e60) for K in lqg.paper.section_5_2_policies())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = diagnostics.report(game, K0, epsilon=1e-3, eta=0.1)
        gap = diagnostics.nash_gap(game, K0)
    assert r.psi == math.inf and gap == math.inf
    assert r.rhs_3_11 == math.inf and not r.assumption_3_3 and r.alpha_hat == -math.inf
    assert math.isnan(r.iterations)
