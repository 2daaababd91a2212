"""The readings of Sections 4-5 as options: each changes only what it should.

* every reading of Algorithm 2's "single trajectory cost" is, in the mean, the exact cost of the
  game that reading charges (the same game with the uncharged stages' weights set to zero);
* the zeroth-order estimate stays unbiased for the gradient exactly where the mathematics says:
  dropping terms a perturbation cannot change (x_0's cost, the stages before t) leaves it
  unbiased for the game's gradient; dropping the terminal cost makes it the gradient of the game
  without one; the D/r smoothing scales it by r;
* the states behind Sigma_hat have the exact covariance under the readings where they should;
* options of the draws share exactly what they say; runs do not depend on their batch; variants in
  lockstep are the separate runs, bit for bit;
* the readings of Section 5.1's set-up (presets, initial policies) do what they say.
"""

import numpy as np
import pytest

import lqg
from lqg import paper
from lqg.episodes import perturbed_episodes
from lqg.estimators import natural_gradient_estimate, zeroth_order_gradient
from lqg.unknown_parameters import model_free_natural_policy_gradient
from lqg.variants import model_free_variants

from conftest import random_game, random_policy


def charged_game(game, *, after_step=False, from_t=None, terminal=True):
    """The game whose exact cost a reading's sampled cost estimates: weights zero where it does
    not charge. ``after_step``: no x_0'Q_0 x_0; ``from_t``: no stage before t; no terminal."""
    Q = [np.array(q, copy=True) for q in game.Q]
    R = [np.array(r, copy=True) for r in game.R]
    for i in range(game.N):
        if after_step:
            Q[i][0] = 0.0
        if from_t is not None:
            Q[i][:from_t] = 0.0
            R[i][:from_t] = 0.0
        if not terminal:
            Q[i][game.T] = 0.0
    return lqg.LQGame(game.A, game.B, Q, R, game.W, game.x0)


def perturbed_policies(K, i, t, U):
    """The joint policies of episodes perturbing K_t^i by each U (a batch over the episodes)."""
    n = U.shape[0]
    out = [np.broadcast_to(Kj, (n,) + Kj.shape).copy() for Kj in K]
    out[i][:, t] += U
    return tuple(out)


@pytest.fixture(scope="module")
def setting():
    rng = np.random.default_rng(70)
    game = random_game(rng, N=2, d=2, k=(1, 2), T=3, noise=0.3)
    return game, random_policy(rng, game, scale=0.3)


@pytest.mark.parametrize("trajectory_cost", ["total", "after-step", "cost-to-go"])
@pytest.mark.parametrize("terminal_cost", [True, False])
def test_sampled_cost_means_the_exact_cost_of_the_game_the_reading_charges(
        setting, trajectory_cost, terminal_cost):
    game, K = setting
    L = 3000
    out = perturbed_episodes(game, K, trajectories=L, radius=(0.4, 0.3), seed=5,
                             trajectory_cost=trajectory_cost, terminal_cost=terminal_cost)
    z = []
    for i in range(game.N):
        for t in range(game.T):
            charged = charged_game(game, after_step=trajectory_cost == "after-step",
                                   from_t=t if trajectory_cost == "cost-to-go" else None,
                                   terminal=terminal_cost)
            exact = lqg.cost(charged, perturbed_policies(K, i, t, out.U[i][t]))[:, i]
            diff = out.costs[i, t] - exact
            z.append(diff.mean() / (diff.std(ddof=1) / np.sqrt(L)))
    assert np.max(np.abs(z)) < 4.0, z            # 6 (i, t) cells per reading


def test_all_steps_perturbed_means_the_cost_of_every_gain_perturbed(setting):
    game, K = setting
    L = 3000
    out = perturbed_episodes(game, K, trajectories=L, radius=0.3, seed=6, perturbation="all-steps")
    for i in range(game.N):
        perturbed = list(np.broadcast_to(Kj, (L,) + Kj.shape).copy() for Kj in K)
        perturbed[i] = perturbed[i] + np.moveaxis(out.U[i], 0, 1)      # U (T, L, k, d) -> (L, T, k, d)
        exact = lqg.cost(game, tuple(perturbed))[:, i]
        for t in range(game.T):                   # one episode charged for every t
            diff = out.costs[i, t] - exact
            assert abs(diff.mean()) < 4.0 * diff.std(ddof=1) / np.sqrt(L)
        np.testing.assert_array_equal(out.costs[i, 0], out.costs[i, 1])


def gradient_estimates(game, K, replications, **options):
    batch = tuple(np.broadcast_to(Kj, (replications,) + Kj.shape) for Kj in K)
    out = perturbed_episodes(game, batch, trajectories=50, radius=0.3, seed=9, **options)
    return [zeroth_order_gradient(out.costs[:, i], out.U[i], 0.3,
                                  smoothing=options.get("smoothing", "D/r^2"))
            for i in range(game.N)]


@pytest.mark.parametrize("options, target, scale", [
    ({}, "game", 1.0),
    ({"trajectory_cost": "after-step"}, "game", 1.0),
    ({"trajectory_cost": "cost-to-go"}, "game", 1.0),
    ({"terminal_cost": False}, "no terminal", 1.0),
    ({"trajectory_cost": "cost-to-go", "terminal_cost": False}, "no terminal", 1.0),
])
def test_zeroth_order_estimate_is_unbiased_for_the_gradient_the_reading_targets(
        setting, options, target, scale):
    """Dropping costs that no perturbation of K_t^i can change (x_0's, the stages before t) leaves
    (4.1) unbiased for the gradient of the game; dropping the terminal cost, for the gradient of
    the game without it."""
    game, K = setting
    estimates = gradient_estimates(game, K, 600, **options)
    reference = game if target == "game" else charged_game(game, terminal=False)
    exact = lqg.policy_gradient(reference, K)
    for i in range(game.N):
        mean = estimates[i].mean(axis=0)
        stderr = estimates[i].std(axis=0, ddof=1) / np.sqrt(estimates[i].shape[0])
        assert np.all(np.abs(mean - scale * exact[i]) < 4.5 * stderr)


def test_readings_that_drop_policy_free_costs_have_smaller_variance(setting):
    """The mechanism of the readings study: the same expectation with less noise."""
    game, K = setting
    spread = {name: [e.std(axis=0).mean() for e in gradient_estimates(game, K, 300, **options)]
              for name, options in [("total", {}), ("after-step", {"trajectory_cost": "after-step"}),
                                    ("cost-to-go", {"trajectory_cost": "cost-to-go"})]}
    for i in range(game.N):
        assert spread["cost-to-go"][i] < spread["after-step"][i] < spread["total"][i]


def test_smoothing_d_over_r_scales_every_direction_by_r(setting):
    game, K = setting
    out = perturbed_episodes(game, K, trajectories=20, radius=(0.4, 0.25), seed=3)
    square = natural_gradient_estimate(out, (0.4, 0.25))
    linear = natural_gradient_estimate(out, (0.4, 0.25), smoothing="D/r")
    for i, r in enumerate((0.4, 0.25)):
        np.testing.assert_allclose(linear[i], r * square[i], rtol=1e-13)


@pytest.mark.parametrize("covariance", ["perturbed-at-t", "unperturbed"])
def test_covariance_states_have_the_exact_covariance(setting, covariance):
    """x_t of the episodes perturbed at t, and of unperturbed episodes, are distributed as under K:
    their second moments estimate Sigma_t^K without bias."""
    game, K = setting
    replications = 400
    batch = tuple(np.broadcast_to(Kj, (replications,) + Kj.shape) for Kj in K)
    out = perturbed_episodes(game, batch, trajectories=30, radius=0.4, seed=4, covariance=covariance)
    if covariance == "unperturbed":
        moments = out.second_moments                                   # (reps, N, T, d, d)
    else:
        moments = np.einsum("bitld,bitle->bitde", out.states, out.states) / out.states.shape[-2]
    exact = lqg.state_covariances(game, K)[:game.T]
    mean = moments.mean(axis=0)
    stderr = moments.std(axis=0, ddof=1) / np.sqrt(replications)
    assert np.all(np.abs(mean - exact) < 4.5 * stderr + 1e-12)


@pytest.mark.parametrize("sharing", ["shared", "per-player", "per-time", "fresh"])
def test_initial_states_are_shared_exactly_as_the_option_says(setting, sharing):
    game, K = setting
    x0 = perturbed_episodes(game, K, trajectories=5, radius=0.3, seed=2,
                            initial_states=sharing).x0              # (N, T, L, d)
    across_players = np.all(x0 == x0[:1])
    across_times = np.all(x0 == x0[:, :1])
    assert across_players == (sharing in ("shared", "per-time"))
    assert across_times == (sharing in ("shared", "per-player"))
    assert not np.all(x0 == x0[:, :, :1])                            # trajectories l differ


def test_noise_options_act_on_the_noise_only(setting):
    """Without noise, sharing it changes nothing; the cost readings change the costs only (same
    perturbations, same states)."""
    game, K = setting
    quiet = lqg.LQGame(game.A, game.B, game.Q, game.R, 0.0, game.x0)
    a = perturbed_episodes(quiet, K, trajectories=6, radius=0.3, seed=8, noise="fresh")
    b = perturbed_episodes(quiet, K, trajectories=6, radius=0.3, seed=8, noise="shared")
    np.testing.assert_array_equal(a.costs, b.costs)
    c = perturbed_episodes(game, K, trajectories=6, radius=0.3, seed=8)
    d = perturbed_episodes(game, K, trajectories=6, radius=0.3, seed=8, trajectory_cost="cost-to-go",
                           terminal_cost=False)
    np.testing.assert_array_equal(c.states, d.states)
    for Uc, Ud in zip(c.U, d.U):
        np.testing.assert_array_equal(Uc, Ud)
    assert not np.allclose(c.costs, d.costs)


READING_OPTIONS = [
    {}, {"trajectory_cost": "after-step"}, {"trajectory_cost": "cost-to-go", "terminal_cost": False},
    {"smoothing": "D/r"}, {"perturbation": "all-steps"}, {"covariance": "all-episodes"},
    {"covariance": "unperturbed"}, {"initial_states": "fresh"}, {"noise": "shared"},
    {"updates": "sequential"},
]


@pytest.mark.parametrize("options", READING_OPTIONS)
def test_every_reading_is_batch_invariant(options):
    game = paper.section_5_2(0.1)
    K0 = paper.section_5_2_policies(game.T)
    batch = tuple(np.broadcast_to(K, (3,) + K.shape) for K in K0)
    seeds = [np.random.SeedSequence([4, j]) for j in range(3)]
    together = model_free_natural_policy_gradient(game, batch, 0.0005, 6, trajectories=20,
                                                  radius=0.5, seed=seeds, **options)
    for j in range(3):
        alone = model_free_natural_policy_gradient(game, K0, 0.0005, 6, trajectories=20,
                                                   radius=0.5, seed=[seeds[j]], **options)
        for i in range(game.N):
            np.testing.assert_array_equal(together.K[i][j], alone.K[i])
        np.testing.assert_array_equal(together.costs[:, j], alone.costs)


def test_variants_in_lockstep_are_the_separate_runs_bit_for_bit():
    game = paper.section_5_2(0.01)
    K0 = tuple(np.broadcast_to(K, (4,) + K.shape) for K in paper.section_5_2_policies(game.T))
    variants = [{}, {"trajectory_cost": "after-step"}, {"smoothing": "D/r"},
                {"covariance": "all-episodes"}, {"updates": "sequential"}]
    options = dict(trajectories=30, radius=0.5, seed=11, record_every=2, record_policies="all")
    together = model_free_variants(game, K0, 0.0005, 40, variants, **options)
    assert any(r.diverged.any() for r in together)    # runs drop out at different times
    for variant, result in zip(variants, together):
        alone = model_free_natural_policy_gradient(game, K0, 0.0005, 40, **variant, **options)
        np.testing.assert_array_equal(result.diverged_at, alone.diverged_at)
        np.testing.assert_array_equal(result.costs, alone.costs)
        for P, Q in zip(result.policies, alone.policies):
            np.testing.assert_array_equal(P, Q)


@pytest.mark.parametrize("variants, match", [
    ([{}, {"perturbation": "all-steps"}], r"variants\[1\] draws other random numbers"),
    ([{}, {"smothing": "D/r"}], r"variants\[1\] has unknown option"),
    ([{}, {"smoothing": "D/r^3"}], r"variants\[1\]: smoothing must be one of"),
    ({}, "variants must be a non-empty list"),
    ([], "variants must be a non-empty list"),
])
def test_variants_that_cannot_share_draws_are_refused(variants, match):
    game = paper.section_5_2(0.1)
    with pytest.raises(lqg.LQGameError, match=match):
        model_free_variants(game, paper.section_5_2_policies(game.T), 0.0005, 2, variants,
                            trajectories=5, radius=0.5, seed=0)


def test_section_5_1_presets_and_initial_policies():
    literal = paper.section_5_1(0.1)
    gaussian = paper.section_5_1(0.1, x0="gaussian")
    np.testing.assert_allclose(gaussian.x0.second_moment, literal.x0.second_moment, rtol=1e-14)
    nash = lqg.solve_nash(literal)
    np.testing.assert_allclose(lqg.solve_nash(gaussian).costs, nash.costs, rtol=1e-12)
    assert paper.section_5_1(0.1, matrices_from=1).T == literal.T - 1
    sphere = lqg.sample_policies_near(nash.K, 0.3, 50, seed=1, distribution="sphere")
    for Ki, star in zip(sphere, nash.K):
        np.testing.assert_allclose(np.linalg.norm(Ki - star, axis=(-2, -1)), 0.3, rtol=1e-12)
    shared = lqg.sample_policies_near(nash.K, 0.3, 50, seed=1, shared_over_time=True)
    for Ki, star in zip(shared, nash.K):
        offset = Ki - star
        np.testing.assert_allclose(offset, np.broadcast_to(offset[:, :1], offset.shape), atol=1e-15)
    std = paper.section_5_2(0.1, x0_scale="std")
    variance = paper.section_5_2(0.1)
    np.testing.assert_allclose(np.diag(std.x0.cov), np.diag(variance.x0.cov) ** 2)
