"""Algorithm 2 (natural policy gradient with unknown parameters): its simulated episodes against a
literal episode and the exact costs, its estimators (4.1) against the exact gradient and covariance
within Monte Carlo standard errors, its first step by hand, and its random streams and divergence.
Beyond the paper: the two-point estimator and Gaussian exploration, against the same facts."""

import warnings

import numpy as np
import pytest

import lqg
from lqg import paper
from lqg.episodes import game_with_exploration, perturbed_episodes
from lqg.estimators import (
    empirical_covariance,
    natural_gradient_estimate,
    two_point_gradient,
    zeroth_order_gradient,
)
from lqg.unknown_parameters import model_free_natural_policy_gradient

from conftest import random_game, random_policy


def literal_episode(game, K, i, t, U, x0):
    """Algorithm 2, line 7, with W = 0: player i plays K_t^i + U at time t. Its cost and states."""
    x, cost, states = x0, 0.0, []
    for s in range(game.T):
        states.append(x)
        gains = [K[j][s] + (U if (j, s) == (i, t) else 0.0) for j in range(game.N)]
        u = [-gain @ x for gain in gains]
        cost += x @ game.Q[i][s] @ x + u[i] @ game.R[i][s] @ u[i]
        x = game.A[s] @ x + sum(game.B[j][s] @ u[j] for j in range(game.N))
    return cost + x @ game.Q[i][game.T] @ x, states


@pytest.mark.parametrize("initial_states", ["shared", "fresh"])
def test_deterministic_episodes_equal_a_literal_episode(initial_states):
    rng = np.random.default_rng(1)
    game = random_game(rng, N=2, d=3, k=(1, 2), T=3, noise=0.0)
    K = random_policy(rng, game)
    r = (0.3, 0.2)
    out = perturbed_episodes(game, K, trajectories=4, radius=r, seed=5, initial_states=initial_states)
    assert out.costs.shape == (2, 3, 4) and out.states.shape == (2, 3, 4, 3)
    for i in range(game.N):
        assert out.U[i].shape == (3, 4, game.k[i], 3)
        np.testing.assert_allclose(np.linalg.norm(out.U[i], axis=(-2, -1)), r[i], rtol=1e-14)
        for t in range(game.T):
            for l in range(4):
                cost, states = literal_episode(game, K, i, t, out.U[i][t, l], out.x0[i, t, l])
                np.testing.assert_allclose(out.costs[i, t, l], cost, rtol=1e-12)
                np.testing.assert_allclose(out.states[i, t, l], states[t], rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(out.states[:, 0], out.x0[:, 0])
    shared = np.all(out.x0 == out.x0[0, 0])
    assert shared == (initial_states == "shared")


def noisy_game_and_policy():
    rng = np.random.default_rng(7)
    game = random_game(rng, N=2, d=2, k=(1, 2), T=2, noise=0.5)
    return game, random_policy(rng, game)


def test_observed_costs_are_unbiased_for_the_perturbed_policies():
    game, K = noisy_game_and_policy()
    L = 20_000
    out = perturbed_episodes(game, K, trajectories=L, radius=0.5, seed=2)
    for i in range(game.N):
        for t in range(game.T):
            perturbed = [np.broadcast_to(Kj, (L,) + Kj.shape).copy() for Kj in K]
            perturbed[i][:, t] += out.U[i][t]
            residual = out.costs[i, t] - lqg.cost(game, perturbed)[:, i]
            stderr = residual.std(ddof=1) / np.sqrt(L)
            assert abs(residual.mean()) < 4 * stderr


@pytest.mark.parametrize("initial_states", ["shared", "fresh"])
def test_covariance_estimator_is_unbiased(initial_states):
    game, K = noisy_game_and_policy()
    L = 50_000
    out = perturbed_episodes(game, K, trajectories=L, radius=0.5, seed=3,
                             initial_states=initial_states)
    sigma = lqg.state_covariances(game, K)
    for i in range(game.N):
        for t in range(game.T):
            x = out.states[i, t]
            products = x[:, :, None] * x[:, None, :]
            stderr = products.std(axis=0, ddof=1) / np.sqrt(L)
            estimate = empirical_covariance(x)
            np.testing.assert_allclose(estimate, products.mean(axis=0), rtol=1e-12)
            assert np.all(np.abs(estimate - sigma[t]) < 4.5 * stderr)


def test_zeroth_order_gradient_is_unbiased():
    """C^i is quadratic in K_t^i, so the sphere-smoothing bias is zero: the estimator's mean is the
    exact gradient (Lemma 3.7), to within Monte Carlo error."""
    game, K = noisy_game_and_policy()
    L, r = 200_000, 1.0
    out = perturbed_episodes(game, K, trajectories=L, radius=r, seed=4)
    exact = lqg.policy_gradient(game, K)
    for i in range(game.N):
        D = game.k[i] * game.d
        for t in range(game.T):
            c, U = out.costs[i, t], out.U[i][t]
            estimate = zeroth_order_gradient(c, U, r)
            terms = D / r**2 * c[:, None, None] * U
            np.testing.assert_allclose(estimate, terms.mean(axis=0), rtol=1e-10, atol=1e-12)
            stderr = terms.std(axis=0, ddof=1) / np.sqrt(L)
            # the test has power: an error by a factor of two would be over 6 standard errors away
            assert np.linalg.norm(stderr) < 0.15 * np.linalg.norm(exact[i][t])
            assert np.all(np.abs(estimate - exact[i][t]) < 4.5 * stderr)


def test_zeroth_order_gradient_of_an_exact_quadratic():
    """Noise-free observations of f(K) = tr(K^T H K) + tr(G^T K): the smoothing bias of a quadratic
    is zero, so the mean over sphere draws is grad f = 2 H K + G within standard errors."""
    rng = np.random.default_rng(12)
    k, d, L, r = 2, 3, 100_000, 0.3
    M = rng.standard_normal((k, k))
    H, G, K = M @ M.T + np.eye(k), rng.standard_normal((k, d)), rng.standard_normal((k, d))
    U = rng.standard_normal((L, k, d))
    U *= r / np.linalg.norm(U, axis=(1, 2), keepdims=True)
    V = K + U
    f = np.einsum("lai,ab,lbi->l", V, H, V) + np.einsum("ai,lai->l", G, V)
    terms = k * d / r**2 * f[:, None, None] * U
    stderr = terms.std(axis=0, ddof=1) / np.sqrt(L)
    estimate = zeroth_order_gradient(f, U, r)
    exact = 2 * H @ K + G
    assert np.linalg.norm(stderr) < 0.15 * np.linalg.norm(exact)
    assert np.all(np.abs(estimate - exact) < 4.5 * stderr)


@pytest.mark.parametrize("covariance", ["perturbed-at-t", "pooled"])
def test_one_iteration_is_eqs_4_1_and_4_2_by_hand(covariance):
    rng = np.random.default_rng(9)
    game = random_game(rng, N=2, d=2, k=(1, 2), T=3, noise=0.2)
    K = random_policy(rng, game, batch=(2,))
    eta, r, L = (0.01, 0.02), (0.4, 0.3), 50
    result = model_free_natural_policy_gradient(game, K, eta, 1, trajectories=L, radius=r,
                                                seed=11, covariance=covariance)
    out = perturbed_episodes(game, K, trajectories=L, radius=r, seed=11)
    S = np.einsum("bitld,bitle->bitde", out.states, out.states) / L
    if covariance == "pooled":
        S = np.broadcast_to(S.mean(axis=1, keepdims=True), S.shape)
    for i in range(game.N):
        D = game.k[i] * game.d
        grad = np.einsum("btl,btlkd->btkd", out.costs[:, i], out.U[i]) * D / (r[i] ** 2 * L)
        expected = K[i] - eta[i] * grad @ np.linalg.inv(S[:, i])
        np.testing.assert_allclose(result.K[i], expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(result.costs[1], lqg.cost(game, result.K), rtol=1e-12)


def run(game, K, seed, iterations=4, **options):
    return model_free_natural_policy_gradient(game, K, 0.0005, iterations, trajectories=20,
                                              radius=0.5, seed=seed, **options)


def same_runs(a, b):
    return (all(np.array_equal(x, y) for x, y in zip(a.K, b.K))
            and np.array_equal(a.costs, b.costs, equal_nan=True))


def test_same_seed_same_numbers():
    game = paper.section_5_2(0.1)
    K0 = paper.section_5_2_policies()
    assert same_runs(run(game, K0, 1), run(game, K0, 1))
    assert not same_runs(run(game, K0, 1), run(game, K0, 2))
    sequence = np.random.SeedSequence(1)
    assert same_runs(run(game, K0, sequence), run(game, K0, sequence))
    assert same_runs(run(game, K0, sequence), run(game, K0, 1))
    generator = np.random.default_rng(1)
    assert not same_runs(run(game, K0, generator), run(game, K0, generator))


def test_a_run_is_the_same_alone_or_in_any_batch():
    game = paper.section_5_2(0.1)
    rng = np.random.default_rng(0)
    K0 = tuple(Ki + 0.05 * rng.standard_normal((3,) + Ki.shape)
               for Ki in paper.section_5_2_policies())
    batch = run(game, K0, 7)
    children = np.random.SeedSequence(7).spawn(3)
    for j in range(3):
        alone = run(game, [Ki[j] for Ki in K0], [children[j]])
        assert all(np.array_equal(x, y[j]) for x, y in zip(alone.K, batch.K))
        assert np.array_equal(alone.costs, batch.costs[:, j])
    first_two = run(game, [Ki[:2] for Ki in K0], 7)
    assert np.array_equal(first_two.costs, batch.costs[:, :2])
    assert same_runs(batch, run(game, K0, 7, prefetch=False))
    grid = run(game, [Ki.reshape((1, 3) + Ki.shape[1:]) for Ki in K0], 7)
    assert np.array_equal(grid.costs[:, 0], batch.costs)


def test_a_run_is_the_same_alone_or_in_a_batch_on_a_larger_game():
    """d = 12, k = (3, 1): the kernel's BLAS products, dense noise trace and summed rows."""
    rng = np.random.default_rng(3)
    game = random_game(rng, N=2, d=12, k=(3, 1), T=4)
    K0 = random_policy(rng, game, batch=(3,), scale=0.05)

    def larger_run(K, seed):
        return model_free_natural_policy_gradient(game, K, 1e-6, 4, trajectories=100, radius=0.05,
                                                  seed=seed)

    batch = larger_run(K0, 11)
    assert not batch.diverged.any()
    children = np.random.SeedSequence(11).spawn(3)
    for j in range(3):
        alone = larger_run([Ki[j] for Ki in K0], [children[j]])
        assert all(np.array_equal(x, y[j]) for x, y in zip(alone.K, batch.K))
        assert np.array_equal(alone.costs, batch.costs[:, j])


def test_diverging_run_is_reported_while_its_batch_mate_converges():
    game = paper.section_5_2(0.1)
    K0 = tuple(np.stack([Ki, Ki + 2.0]) for Ki in paper.section_5_2_policies())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = model_free_natural_policy_gradient(game, K0, 0.0005, 150, trajectories=200,
                                                    radius=0.5, seed=3, record_every=10)
    assert result.diverged.tolist() == [False, True]
    assert "1 of 2" in result.message
    assert np.all(np.isfinite(result.K[0][1])) and np.all(np.isnan(result.costs[-1, 1]))
    assert np.all(np.abs(result.normalized_error[-1, 0]) < 0.5 * result.normalized_error[0, 0])
    alone = model_free_natural_policy_gradient(game, [Ki[0] for Ki in K0], 0.0005, 150,
                                               trajectories=200, radius=0.5,
                                               seed=[np.random.SeedSequence(3).spawn(1)[0]],
                                               record_every=10)
    assert np.array_equal(alone.costs, result.costs[:, 0])


def test_singular_covariance_estimate_is_a_divergence_not_an_error():
    """W = 0 and a deterministic x_0: every x_0^l is the same point, so Sigma_0 is rank one."""
    base = paper.section_5_2(0.0)
    game = lqg.LQGame(base.A, base.B, base.Q, base.R, base.W,
                      lqg.DiscreteState(points=[[10.0, 12.0]], probs=[1.0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = model_free_natural_policy_gradient(game, paper.section_5_2_policies(), 0.0005, 3,
                                                    trajectories=10, radius=0.5, seed=0)
    assert result.diverged_at == 0
    assert "singular covariance estimate" in result.message
    np.testing.assert_array_equal(result.K[0], paper.section_5_2_policies()[0])


@pytest.mark.parametrize("change, match", [
    (dict(trajectories=0), "trajectories must be a positive integer"),
    (dict(trajectories=2.0), "trajectories must be a positive integer"),
    (dict(radius=0.0), "radius must be positive"),
    (dict(radius=(0.5, -0.5)), r"radius\[1\] \(player 1\) must be positive"),
    (dict(radius=(0.5, 0.5, 0.5)), "radius must be a scalar or a sequence with one value per player"),
    (dict(eta=-0.1), "eta must be positive"),
    (dict(seed=-1), "seed must be a non-negative int"),
    (dict(seed="x"), "seed must be a non-negative int"),
    (dict(seed=[1, 2]), "seed is a sequence of 2 seeds but there are 1 runs"),
    (dict(initial_states="sometimes"), "initial_states must be one of"),
    (dict(covariance="all"), "covariance must be one of"),
    (dict(prefetch="yes"), "prefetch must be True or False"),
    (dict(K0=(np.zeros((5, 1, 2)), np.zeros((4, 1, 2)))), r"K0\[1\] \(player 1\) must have shape"),
])
def test_bad_input_names_the_argument(change, match):
    arguments = dict(game=paper.section_5_2(0.1), K0=paper.section_5_2_policies(), eta=0.0005,
                     iterations=2, trajectories=5, radius=0.5, seed=0)
    arguments.update(change)
    with pytest.raises(ValueError, match=match):
        model_free_natural_policy_gradient(**arguments)


def test_estimators_reject_mismatched_shapes():
    with pytest.raises(ValueError, match="costs must have shape"):
        zeroth_order_gradient(np.ones(5), np.ones((4, 1, 2)), 0.5)
    with pytest.raises(ValueError, match="radius must be a positive number"):
        zeroth_order_gradient(np.ones(4), np.ones((4, 1, 2)), 0.0)
    with pytest.raises(ValueError, match="states must have shape"):
        empirical_covariance(np.ones(3))


# ---------------------------------------------------------------------------
# beyond the paper: the two-point estimator and Gaussian exploration


def test_two_point_plays_each_perturbation_and_its_mirror_from_the_same_start():
    """W = 0: the mirrored episodes are literal episodes with -U from the same x_0, and the
    K + U half is the one-point episodes of the same seed."""
    rng = np.random.default_rng(21)
    game = random_game(rng, N=2, d=3, k=(2, 1), T=3, noise=0.0)
    K = random_policy(rng, game)
    one = perturbed_episodes(game, K, trajectories=4, radius=0.3, seed=8)
    two = perturbed_episodes(game, K, trajectories=4, radius=0.3, seed=8, estimator="two-point")
    assert one.costs_minus is None
    np.testing.assert_array_equal(two.costs, one.costs)
    np.testing.assert_array_equal(two.states, one.states)
    for i in range(game.N):
        np.testing.assert_array_equal(two.U[i], one.U[i])
        for t in range(game.T):
            for l in range(4):
                cost, _ = literal_episode(game, K, i, t, -two.U[i][t, l], two.x0[i, t, l])
                np.testing.assert_allclose(two.costs_minus[i, t, l], cost, rtol=1e-12)


def test_two_point_estimate_does_not_depend_on_the_radius():
    """With common random numbers an episode's cost is quadratic in U, so c(K+U) - c(K-U) is
    linear in U and (D / 2r^2)(c+ - c-) U depends only on the direction U / r, which the same seed
    keeps. Without common noise for the pair, the noise would enter divided by r."""
    game, K = noisy_game_and_policy()
    estimates = []
    for r in (0.05, 0.5, 3.0):
        out = perturbed_episodes(game, K, trajectories=50, radius=r, seed=6, estimator="two-point")
        estimates.append([two_point_gradient(out.costs[i], out.costs_minus[i], out.U[i], r)
                          for i in range(game.N)])
    for other in estimates[1:]:
        for a, b in zip(estimates[0], other):
            np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-10)


def test_two_point_gradient_is_unbiased_with_less_variance_than_one_point():
    game, K = noisy_game_and_policy()
    L, r = 100_000, 0.5
    out = perturbed_episodes(game, K, trajectories=L, radius=r, seed=14, estimator="two-point")
    exact = lqg.policy_gradient(game, K)
    for i in range(game.N):
        D = game.k[i] * game.d
        for t in range(game.T):
            U = out.U[i][t]
            plus, minus = out.costs[i, t], out.costs_minus[i, t]
            two = D / (2 * r**2) * (plus - minus)[:, None, None] * U
            one = D / r**2 * plus[:, None, None] * U
            estimate = two_point_gradient(plus, minus, U, r)
            np.testing.assert_allclose(estimate, two.mean(axis=0), rtol=1e-10, atol=1e-12)
            stderr = two.std(axis=0, ddof=1) / np.sqrt(L)
            assert np.linalg.norm(stderr) < 0.05 * np.linalg.norm(exact[i][t])
            assert np.all(np.abs(estimate - exact[i][t]) < 4.5 * stderr)
            # with L = 1e5 draws the sample variances are within a few percent of the truth
            assert two.var(axis=0).sum() < 0.5 * one.var(axis=0).sum()


def test_exploration_zero_is_the_paper_algorithm_bit_for_bit():
    game, K = noisy_game_and_policy()
    default = perturbed_episodes(game, K, trajectories=30, radius=0.5, seed=3)
    for exploration in (0.0, (0.0, 0.0)):
        zero = perturbed_episodes(game, K, trajectories=30, radius=0.5, seed=3,
                                  exploration=exploration, estimator="one-point")
        np.testing.assert_array_equal(zero.costs, default.costs)
        np.testing.assert_array_equal(zero.states, default.states)
    game, K0 = paper.section_5_2(0.1), paper.section_5_2_policies()
    assert same_runs(run(game, K0, 4), run(game, K0, 4, exploration=0.0, estimator="one-point"))


def time_invariant_noisy_game(rng):
    game = random_game(rng, N=2, d=2, k=(1, 2), T=2, noise=0.3)
    return lqg.LQGame.time_invariant(game.A[0], [Bi[0] for Bi in game.B],
                                     [Qi[0] for Qi in game.Q], [Ri[0] for Ri in game.R], game.W[0],
                                     game.x0, T=game.T)


def test_game_with_exploration_adds_sigma_squared_B_B_transpose():
    rng = np.random.default_rng(30)
    game = time_invariant_noisy_game(rng)
    explored = game_with_exploration(game, (0.3, 0.5))
    B0, B1 = game.B[0][0], game.B[1][0]
    np.testing.assert_allclose(explored.W, game.W + 0.09 * B0 @ B0.T + 0.25 * B1 @ B1.T,
                               rtol=1e-14)
    np.testing.assert_array_equal(explored.A, game.A)
    varying = random_game(rng, T=3)                  # time-varying B_t: W_sigma,t varies with t
    explored = game_with_exploration(varying, 0.1)
    for t in range(varying.T):
        expected = varying.W[t] + 0.01 * sum(B[t] @ B[t].T for B in varying.B)
        np.testing.assert_allclose(explored.W[t], expected, rtol=1e-14)
    with pytest.raises(ValueError, match=r"exploration\[1\] \(player 1\) must be non-negative and finite"):
        game_with_exploration(game, (0.1, -0.1))


def test_exploring_agents_observe_the_costs_and_states_of_the_explored_game():
    """Monte Carlo: observed costs are unbiased for C^i of the game with W + sum_j s_j^2 B^j B^j^T
    at the perturbed policy plus s_i^2 sum_t Tr R_t^i; the states x_t for its covariance; and the
    zeroth-order gradient for its gradient."""
    rng = np.random.default_rng(31)
    game = time_invariant_noisy_game(rng)
    K = random_policy(rng, game)
    sigma = (0.6, 0.4)
    explored = game_with_exploration(game, sigma)
    L, r = 100_000, 0.5
    out = perturbed_episodes(game, K, trajectories=L, radius=r, seed=2, exploration=sigma)
    covariances = lqg.state_covariances(explored, K)
    gradient = lqg.policy_gradient(explored, K)
    for i in range(game.N):
        constant = sigma[i] ** 2 * np.trace(game.R[i], axis1=-2, axis2=-1).sum()
        for t in range(game.T):
            perturbed = [np.broadcast_to(Kj, (L,) + Kj.shape).copy() for Kj in K]
            perturbed[i][:, t] += out.U[i][t]
            residual = out.costs[i, t] - lqg.cost(explored, perturbed)[:, i] - constant
            assert abs(residual.mean()) < 4.5 * residual.std(ddof=1) / np.sqrt(L)
            x = out.states[i, t]
            products = x[:, :, None] * x[:, None, :]
            stderr = products.std(axis=0, ddof=1) / np.sqrt(L)
            assert np.all(np.abs(products.mean(axis=0) - covariances[t]) < 4.5 * stderr)
            D = game.k[i] * game.d
            terms = D / r**2 * out.costs[i, t][:, None, None] * out.U[i][t]
            stderr = terms.std(axis=0, ddof=1) / np.sqrt(L)
            assert np.linalg.norm(stderr) < 0.2 * np.linalg.norm(gradient[i][t])
            assert np.all(np.abs(terms.mean(axis=0) - gradient[i][t]) < 4.5 * stderr)
    # the noise it adds moves the costs, not the equilibrium (eqs. (2.4)-(2.5) do not involve W)
    for a, b in zip(lqg.solve_nash(game).K, lqg.solve_nash(explored).K):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("estimator", ["one-point", "two-point"])
@pytest.mark.parametrize("covariance", ["perturbed-at-t", "pooled"])
def test_natural_gradient_estimate_is_the_direction_of_eq_4_2(estimator, covariance):
    rng = np.random.default_rng(10)
    game = random_game(rng, N=2, d=2, k=(1, 2), T=3, noise=0.2)
    K = random_policy(rng, game, batch=(2,))
    r, L, eta = (0.4, 0.3), 40, (0.01, 0.02)
    out = perturbed_episodes(game, K, trajectories=L, radius=r, seed=12, estimator=estimator)
    S = np.einsum("bitld,bitle->bitde", out.states, out.states) / L
    if covariance == "pooled":
        S = np.broadcast_to(S.mean(axis=1, keepdims=True), S.shape)
    c = out.costs if estimator == "one-point" else (out.costs - out.costs_minus) / 2
    directions = natural_gradient_estimate(out, r, covariance=covariance)
    result = model_free_natural_policy_gradient(game, K, eta, 1, trajectories=L, radius=r,
                                                seed=12, covariance=covariance,
                                                estimator=estimator)
    for i in range(game.N):
        D = game.k[i] * game.d
        grad = np.einsum("btl,btlkd->btkd", c[:, i], out.U[i]) * D / (r[i] ** 2 * L)
        expected = grad @ np.linalg.inv(S[:, i])
        np.testing.assert_allclose(directions[i], expected, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(result.K[i], K[i] - eta[i] * expected, rtol=1e-10, atol=1e-12)
    again, spectrum = natural_gradient_estimate(out, r, covariance=covariance, full_output=True)
    assert all(np.array_equal(a, b) for a, b in zip(again, directions))
    np.testing.assert_allclose(spectrum.eigenvalues, np.linalg.eigvalsh(S), rtol=1e-10)
    assert not spectrum.singular.any()


@pytest.mark.parametrize("options", [dict(estimator="two-point"), dict(exploration=0.3),
                                     dict(estimator="two-point", exploration=(0.1, 0.2))])
def test_options_keep_a_run_the_same_alone_or_in_a_batch(options):
    game = paper.section_5_2(0.1)
    rng = np.random.default_rng(1)
    K0 = tuple(Ki + 0.05 * rng.standard_normal((3,) + Ki.shape)
               for Ki in paper.section_5_2_policies())
    batch = run(game, K0, 5, **options)
    children = np.random.SeedSequence(5).spawn(3)
    for j in range(3):
        alone = run(game, [Ki[j] for Ki in K0], [children[j]], **options)
        assert np.array_equal(alone.costs, batch.costs[:, j])
    assert same_runs(batch, run(game, K0, 5, prefetch=False, **options))
    assert not same_runs(batch, run(game, K0, 5))


@pytest.mark.parametrize("change, match", [
    (dict(estimator="three-point"), "estimator must be one of"),
    (dict(exploration=-0.1), r"exploration must be non-negative and finite; got -0.1"),
    (dict(exploration=np.nan), r"exploration must be non-negative and finite; got nan"),
    (dict(exploration=(0.1, 0.1, 0.1)), "exploration must be a scalar or a sequence with one value"),
    (dict(exploration="some"), "exploration must be numeric"),
])
def test_bad_options_name_the_argument(change, match):
    arguments = dict(game=paper.section_5_2(0.1), K0=paper.section_5_2_policies(), eta=0.0005,
                     iterations=2, trajectories=5, radius=0.5, seed=0)
    arguments.update(change)
    with pytest.raises(ValueError, match=match):
        model_free_natural_policy_gradient(**arguments)
    rollout_arguments = {k: v for k, v in arguments.items() if k not in ("eta", "iterations")}
    rollout_arguments["K"] = rollout_arguments.pop("K0")
    with pytest.raises(ValueError, match=match):
        perturbed_episodes(**rollout_arguments)


def test_two_point_and_direction_estimators_reject_bad_input():
    with pytest.raises(ValueError, match="costs_plus and costs_minus must have the same shape"):
        two_point_gradient(np.ones(4), np.ones(5), np.ones((4, 1, 2)), 0.5)
    with pytest.raises(ValueError, match="episodes must be an Episodes"):
        natural_gradient_estimate(np.ones(3), 0.5)
    out = perturbed_episodes(paper.section_5_2(0.1), paper.section_5_2_policies(), trajectories=5,
                             radius=0.5, seed=0)
    with pytest.raises(ValueError, match="covariance must be one of"):
        natural_gradient_estimate(out, 0.5, covariance="all")


def test_explored_episodes_equal_literal_episodes():
    """W = 0 with exploration: each episode, replayed literally with the drawn exploration noises
    (agent j adds e_s^j to its control at step s), has the observed cost and state."""
    from lqg import _checks, _streams
    from lqg.episodes import design

    rng = np.random.default_rng(40)
    game = random_game(rng, N=2, d=3, k=(1, 2), T=3, noise=0.0)
    K = random_policy(rng, game)
    L, r, sigma = 3, (0.3, 0.2), np.array([0.5, 0.7])
    out = perturbed_episodes(game, K, trajectories=L, radius=r, seed=9, exploration=sigma)
    def draw(L):
        layout = design(game, L, r, exploration=sigma).layout(game)
        return _streams.draw(game.x0, _checks.run_generators(9, 1), layout)
    e = draw(L).e[0]                                 # (T, N, sum k, E, L), scaled by sigma_j
    rows = game.slices
    for i in range(game.N):
        for t in range(game.T):
            for l in range(L):
                x, cost = out.x0[i, t, l], 0.0
                for s in range(game.T):
                    if s == t:
                        np.testing.assert_allclose(out.states[i, t, l], x, rtol=1e-12)
                    noise = e[s, i, :, t, l]
                    u = [-(K[j][s] + (out.U[i][t, l] if (j, s) == (i, t) else 0.0)) @ x
                         + noise[rows[j]] for j in range(game.N)]
                    cost += x @ game.Q[i][s] @ x + u[i] @ game.R[i][s] @ u[i]
                    x = game.A[s] @ x + sum(game.B[j][s] @ u[j] for j in range(game.N))
                cost += x @ game.Q[i][game.T] @ x
                np.testing.assert_allclose(out.costs[i, t, l], cost, rtol=1e-12)
    # the noises are sigma_j times standard normals (stderr of a std from n normals: 1/sqrt(2n))
    many = draw(2000).e[0]
    for row, s in enumerate(np.repeat(sigma, game.k)):
        assert abs(many[:, :, row].std() / s - 1) < 4.5 / np.sqrt(2 * many[:, :, row].size)
