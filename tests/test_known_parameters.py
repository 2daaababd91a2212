"""Algorithm 1 (natural policy gradient with known parameters) against hand calculations,
finite differences, the Nash equilibrium, and its batching, recording and divergence rules; and the
vanilla policy gradient (beyond the paper) against eq. (3.16)."""

import warnings

import numpy as np
import pytest

import lqg
from lqg import paper
from lqg.known_parameters import natural_policy_gradient, policy_gradient_descent

from conftest import random_game, random_policy


def algorithm_1_step_by_hand(game, K, eta):
    """Eqs. (3.6)-(3.8) for one joint policy, written out with one small product per symbol."""
    T, N = game.T, game.N
    P = [game.Q[i][T] for i in range(N)]
    new = [Ki.copy() for Ki in K]
    for t in reversed(range(T)):
        closed = game.A[t] - sum(game.B[j][t] @ K[j][t] for j in range(N))
        for i in range(N):
            E = game.R[i][t] @ K[i][t] - game.B[i][t].T @ P[i] @ closed
            new[i][t] = K[i][t] - 2 * eta[i] * E
        P = [game.Q[i][t] + K[i][t].T @ game.R[i][t] @ K[i][t] + closed.T @ P[i] @ closed
             for i in range(N)]
    return new


def test_one_step_is_eq_3_8_by_hand():
    rng = np.random.default_rng(5)
    game = random_game(rng, N=3, d=3, k=(1, 2, 1), T=3)
    K = random_policy(rng, game, batch=(2,))
    eta = (0.05, 0.2, 0.1)
    result = natural_policy_gradient(game, K, eta, 1)
    for b in range(2):
        expected = algorithm_1_step_by_hand(game, [Ki[b] for Ki in K], eta)
        for i in range(game.N):
            np.testing.assert_allclose(result.K[i][b], expected[i], rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(result.costs[0], lqg.cost(game, K), rtol=1e-12)
    np.testing.assert_allclose(result.costs[1], lqg.cost(game, result.K), rtol=1e-12)


def test_one_step_is_the_natural_gradient_step_eq_3_5():
    """K^(1) = K^(0) - eta grad C (Sigma)^{-1} with the gradient by central differences."""
    rng = np.random.default_rng(8)
    game = random_game(rng, N=2, d=2, k=(1, 2), T=3)
    K = random_policy(rng, game)
    eta = (0.3, 0.1)
    sigma = lqg.state_covariances(game, K)
    result = natural_policy_gradient(game, K, eta, 1)
    h = 1e-2  # C^i is quadratic in K_t^i, so central differences are exact up to rounding
    for i in range(game.N):
        grad = np.zeros_like(K[i])
        for index in np.ndindex(K[i].shape):
            plus, minus = [k.copy() for k in K], [k.copy() for k in K]
            plus[i][index] += h
            minus[i][index] -= h
            grad[index] = (lqg.cost(game, plus)[i] - lqg.cost(game, minus)[i]) / (2 * h)
        expected = K[i] - eta[i] * grad @ np.linalg.inv(sigma[:-1])
        np.testing.assert_allclose(result.K[i], expected, rtol=1e-9, atol=1e-10)


def test_converges_linearly_to_nash_on_remark_3_4():
    """Remark 3.4 satisfies Assumption 3.3: Theorem 3.5's gap shrinks by a constant factor."""
    game = paper.remark_3_4()
    nash = lqg.solve_nash(game)
    result = natural_policy_gradient(game, paper.remark_3_4_policies(), 0.1, 400,
                                     record_policies="all")
    for i in range(game.N):
        np.testing.assert_allclose(result.K[i], nash.K[i], atol=1e-10)
    assert np.all(np.abs(result.normalized_error[-1]) < 1e-12)
    # sum_i C^i(K^{i,(m)}, K^{-i*}) - C^i(K*), Theorem 3.5
    n = len(result.iterations)
    gap = 0.0
    for i in range(game.N):
        mixed = [np.broadcast_to(Kj, (n,) + Kj.shape) for Kj in nash.K]
        mixed[i] = result.policies[i]
        gap = gap + lqg.cost(game, tuple(mixed))[:, i] - nash.costs[i]
    ratios = gap[1:50] / gap[:49]
    assert np.all(ratios < 1)
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-6)


def test_section_5_1_converges_from_a_ball_around_nash():
    game = paper.section_5_1(sigma2=0.1)
    nash = lqg.solve_nash(game)
    rng = np.random.default_rng(0)
    K0 = tuple(Ki + 0.1 * rng.uniform(-1, 1, (4,) + Ki.shape) for Ki in nash.K)
    result = natural_policy_gradient(game, K0, 0.1, 1000, record_every=100)
    assert not result.diverged.any()
    assert np.all(np.abs(result.normalized_error[-1]) < 5e-3)


# d = 12 and k = 3 take the kernel's other paths: BLAS products, a dense noise trace, rows summed
@pytest.mark.parametrize("d, k", [(3, (2, 1)), (12, (3, 1))])
def test_batch_runs_equal_single_runs(d, k):
    rng = np.random.default_rng(2)
    game = random_game(rng, N=2, d=d, k=k, T=4)
    K = random_policy(rng, game, batch=(2, 3), scale=0.2 / np.sqrt(d))
    result = natural_policy_gradient(game, K, (0.05, 0.1), 20, record_every=7)
    assert result.costs.shape == result.normalized_error.shape == (4, 2, 3, 2)
    assert result.K[0].shape == (2, 3, 4, k[0], d) and result.diverged.shape == (2, 3)
    assert result.policies[1].shape == (4, 2, 3, 1, k[1], d)
    assert not result.diverged.any()
    for index in np.ndindex(2, 3):
        single = natural_policy_gradient(game, [Ki[index] for Ki in K], (0.05, 0.1), 20,
                                         record_every=7)
        for i in range(2):
            assert np.array_equal(single.K[i], result.K[i][index])
        assert np.array_equal(single.costs, result.costs[(slice(None),) + index])


def test_players_batch_shapes_broadcast():
    game = paper.section_5_1(0.1)
    nash = lqg.solve_nash(game)
    K0 = (nash.K[0] + np.linspace(-0.1, 0.1, 3)[:, None, None, None], nash.K[1])
    result = natural_policy_gradient(game, K0, 0.1, 5)
    assert result.K[1].shape == (3,) + nash.K[1].shape
    # the unbatched player's policy is the same in every run at the start only
    assert np.array_equal(result.policies[1][0], np.broadcast_to(nash.K[1][:1], (3, 1, 1, 2)))


def test_diverging_run_is_reported_and_frozen_while_the_others_converge():
    game = paper.section_5_1(sigma2=0.0)
    nash = lqg.solve_nash(game)
    offsets = np.array([0.05, 0.3, -0.05])[:, None, None, None]
    K0 = tuple(Ki + offsets for Ki in nash.K)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = natural_policy_gradient(game, K0, 0.1, 600, record_every=9)
    assert result.diverged.tolist() == [False, True, False]
    assert result.diverged_at[[0, 2]].tolist() == [-1, -1]
    assert not result.success and "1 of 3" in result.message
    m = result.diverged_at[1]
    assert m > 1
    # frozen at the last iterate that passed the test: K^(m-1)
    before = natural_policy_gradient(game, [Ki[1] for Ki in K0], 0.1, m - 1)
    for i in range(game.N):
        assert np.array_equal(result.K[i][1], before.K[i])
    # the offending cost is over the bound, later records are NaN
    later = result.iterations > m
    assert np.all(np.isnan(result.costs[later, 1]))
    assert np.all(np.isnan(result.policies[0][later, 1]))
    if m in result.iterations:
        j = np.searchsorted(result.iterations, m)
        assert np.any(~(result.costs[j, 1] <= 1e6 * result.costs[0, 1]))
    # the others are untouched by their batch-mate and converge
    assert np.all(np.abs(result.normalized_error[-1, [0, 2]]) < 5e-3)  # the paper's 0.5%
    alone = natural_policy_gradient(game, [Ki[0] for Ki in K0], 0.1, 600, record_every=9)
    assert np.array_equal(alone.costs, result.costs[:, 0])


def test_overflowing_policies_diverge_at_once_without_warnings():
    game = paper.section_5_1(sigma2=0.0)
    K0 = tuple(np.full((2, game.T, 1, 2), 1e200) for _ in range(2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = natural_policy_gradient(game, K0, 0.1, 3)
    assert result.diverged_at.tolist() == [0, 0]
    assert np.all(np.isnan(result.costs[1:]))
    assert np.array_equal(result.K[0], K0[0])


def test_recording():
    rng = np.random.default_rng(4)
    game = random_game(rng, N=2, d=2, T=3)
    K = random_policy(rng, game, batch=(2,), scale=0.2)
    full = natural_policy_gradient(game, K, 0.05, 7, record_every=3, record_policies="all")
    assert full.iterations.tolist() == [0, 3, 6, 7]
    assert full.policy_times.tolist() == [0, 1, 2]
    for i in range(game.N):
        np.testing.assert_array_equal(full.policies[i][0], K[i])
        np.testing.assert_array_equal(full.policies[i][-1], full.K[i])
    np.testing.assert_allclose(full.costs, lqg.cost(game, full.policies), rtol=1e-12)
    nash = lqg.solve_nash(game)
    np.testing.assert_allclose(full.normalized_error, lqg.normalized_error(game, full.policies, nash),
                               rtol=1e-10, atol=1e-12)
    first = natural_policy_gradient(game, K, 0.05, 7, record_every=3)
    assert first.policy_times.tolist() == [0]
    np.testing.assert_array_equal(first.policies[1], full.policies[1][:, :, :1])
    none = natural_policy_gradient(game, K, 0.05, 7, record_every=100, record_policies="none")
    assert none.policies is None and none.iterations.tolist() == [0, 7]
    np.testing.assert_array_equal(none.costs, full.costs[[0, -1]])


def test_progress_bar_only_when_asked(capsys):
    game = paper.remark_3_4()
    K0 = paper.remark_3_4_policies()
    natural_policy_gradient(game, K0, 0.1, 5)  # stderr is not a terminal under pytest
    assert capsys.readouterr().err == ""
    natural_policy_gradient(game, K0, 0.1, 5, progress=True)
    assert "Algorithm 1" in capsys.readouterr().err


@pytest.mark.parametrize("change, match", [
    (dict(K0=(np.zeros((1, 1, 2)),)), "K0 has 1 players"),
    (dict(K0=(np.zeros((1, 1, 2)), np.zeros((1, 2, 1)))), r"K0\[1\] \(player 1\) must have shape"),
    (dict(K0=(np.zeros((1, 1, 2)), np.full((1, 1, 2), np.nan))),
     r"K0\[1\]\[0\] \(player 1, t=0\) has non-finite"),
    (dict(eta=0.0), "eta must be positive"),
    (dict(eta=-1.0), "eta must be positive"),
    (dict(eta=np.inf), "eta must be positive"),
    (dict(eta=(0.1, -0.1)), r"eta\[1\] \(player 1\) must be positive"),
    (dict(eta=(0.1, 0.1, 0.1)), "one value per player"),
    (dict(eta="fast"), "eta must be numeric"),
    (dict(iterations=0), "iterations must be a positive integer"),
    (dict(iterations=2.5), "iterations must be a positive integer"),
    (dict(iterations=True), "iterations must be a positive integer"),
    (dict(record_every=0), "record_every must be a positive integer"),
    (dict(record_policies="some"), "record_policies must be one of"),
    (dict(divergence_factor=1.0), "divergence_factor must be a number greater than 1"),
    (dict(progress="yes"), "progress must be True, False or None"),
    (dict(nash="K*"), "nash must be a NashSolution"),
])
def test_bad_input_names_the_argument(change, match):
    arguments = dict(game=paper.remark_3_4(), K0=paper.remark_3_4_policies(), eta=0.1, iterations=3)
    arguments.update(change)
    with pytest.raises(ValueError, match=match):
        natural_policy_gradient(**arguments)


# ---------------------------------------------------------------------------
# beyond the paper: the vanilla policy gradient, and iterations to an accuracy


def test_vanilla_step_is_the_policy_gradient_step():
    """K^(1) = K^(0) - eta grad_{K_t^i} C^i(K^(0)), with the gradient of eq. (3.16), which the
    evaluation tests check against finite differences."""
    rng = np.random.default_rng(15)
    game = random_game(rng, N=3, d=3, k=(1, 2, 1), T=3, noise=0.2)
    K = random_policy(rng, game, batch=(2,))
    eta = (0.05, 0.2, 0.1)
    result = policy_gradient_descent(game, K, eta, 1)
    gradient = lqg.policy_gradient(game, K)
    for i in range(game.N):
        np.testing.assert_allclose(result.K[i], K[i] - eta[i] * gradient[i], rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(result.costs[1], lqg.cost(game, result.K), rtol=1e-12)
    assert "vanilla policy gradient" in result.message


def test_vanilla_converges_to_nash_on_remark_3_4():
    game = paper.remark_3_4()
    nash = lqg.solve_nash(game)
    result = policy_gradient_descent(game, paper.remark_3_4_policies(), 1.0, 300)
    for i in range(game.N):
        np.testing.assert_allclose(result.K[i], nash.K[i], atol=1e-10)
    assert np.all(np.abs(result.normalized_error[-1]) < 1e-12)
    # a different method from Algorithm 1: Sigma_0 = E[x0 x0^T] is not the identity here
    natural = natural_policy_gradient(game, paper.remark_3_4_policies(), 1.0, 1)
    first = policy_gradient_descent(game, paper.remark_3_4_policies(), 1.0, 1)
    assert not np.allclose(first.K[0], natural.K[0])


def test_vanilla_divergence_is_reported_without_warnings():
    game = paper.section_5_1(sigma2=0.1)
    nash = lqg.solve_nash(game)
    K0 = tuple(np.stack([Ki, Ki + 0.05]) for Ki in nash.K)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        diverging = policy_gradient_descent(game, K0, 5.0, 200)
        stable = policy_gradient_descent(game, K0, 0.1, 200)
    assert diverging.diverged.all() and not stable.diverged.any()
    assert "2 of 2" in diverging.message


def test_iterations_to_is_the_first_record_from_which_the_error_stays_below():
    game = paper.section_5_1(sigma2=0.1)
    nash = lqg.solve_nash(game)
    offsets = np.array([0.05, -0.1, 0.1, 2.0])[:, None, None, None]
    K0 = tuple(Ki + offsets for Ki in nash.K)
    result = natural_policy_gradient(game, K0, 0.1, 400, record_every=10)
    assert result.diverged.tolist() == [False, False, False, True]
    found = result.iterations_to(0.005)
    assert found[3] == -1
    errors = np.abs(result.normalized_error).max(axis=-1)           # (records, runs)
    for b in range(3):
        if found[b] == -1:                                          # still above at the end
            assert errors[-1, b] >= 0.005
            continue
        j = np.searchsorted(result.iterations, found[b])
        assert result.iterations[j] == found[b]
        assert np.all(errors[j:, b] < 0.005) and (j == 0 or errors[j - 1, b] >= 0.005)
    assert (found[:3] == -1).any() and (found[:3] > 0).any()        # both cases are exercised
    np.testing.assert_array_equal(result.iterations_to(1e-30), [-1, -1, -1, -1])
    for bad in (0.0, -1.0, np.nan, "0.5%", True):
        with pytest.raises(ValueError, match="threshold must be a (positive )?number"):
            result.iterations_to(bad)
