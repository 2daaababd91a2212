"""Algorithms 1 and 2 against their transcriptions as printed (benchmarks/baseline_algorithms.py),
the plain loops the book's page "The algorithms as printed" shows beside the paper's pseudocode.

Algorithm 1 is deterministic: lqg's iterates and exact costs equal the loop's to rounding.
Algorithm 2 is random. ``lqg.perturbed_episodes`` shows the draws of its first iteration
(U_t^{i,l} and x_0^l), and the transcription can be fed them. Without noise (W = 0)
an episode is a function of them, so the observed costs and states and the first step agree to
rounding. With noise, whose draws are private to lqg, they agree in distribution: paired on U and
x_0, the differences have mean zero within standard errors over independent seeds.
"""

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from scipy.special import stdtrit

import lqg
from lqg import paper

from conftest import random_game, random_policy

_spec = importlib.util.spec_from_file_location(
    "baseline_algorithms",
    Path(__file__).resolve().parents[1] / "benchmarks" / "baseline_algorithms.py")
printed = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(printed)

EPS = np.finfo(float).eps


def paper_and_random_games():
    """The paper's games (Section 5.1 near its equilibrium, Section 5.2 from its initial
    policies, Remark 3.4) and a random time-varying game with N = 3, d = 3, k = (1, 2, 3)."""
    rng = np.random.default_rng(20211)
    game = random_game(rng, N=3, d=3, k=(1, 2, 3), T=4)
    section_5_1 = paper.section_5_1(0.1)
    near = tuple(K + 0.1 for K in lqg.solve_nash(section_5_1).K)
    return {
        "section_5_1": (section_5_1, near, (0.1, 0.05)),
        "section_5_2": (paper.section_5_2(0.1), paper.section_5_2_policies(), 0.01),
        "remark_3_4": (paper.remark_3_4(), paper.remark_3_4_policies(), 0.05),
        "random N=3": (game, random_policy(rng, game), 0.05),
    }


GAMES = paper_and_random_games()


def relative_difference(a, b) -> float:
    return float(np.max(np.abs(np.asarray(a) - b)) / np.max(np.abs(b)))


@pytest.mark.parametrize("name", GAMES)
def test_algorithm_1_iterates_and_costs_equal_the_loop(name):
    """30 iterations: every iterate K^(m) and every exact cost C^i(K^(m)) (eq. (3.14)) of
    ``natural_policy_gradient`` equals the transcription's, iteration by iteration."""
    game, K0, eta = GAMES[name]
    M = 30
    result = lqg.natural_policy_gradient(game, K0, eta, M, record_policies="all", progress=False)
    assert result.success and list(result.iterations) == list(range(M + 1))
    K = [np.array(Ki, dtype=float) for Ki in K0]
    for m in range(M + 1):
        if m:
            K = printed.natural_policy_gradient_loop(game, K, eta, 1)       # K^(m) from K^(m-1)
        for i in range(game.N):
            assert relative_difference(result.policies[i][m], K[i]) < 1e-12, (m, i)
            cost = printed.cost_loop(game, K, i)
            assert abs(result.costs[m, i] - cost) < 1e-12 * abs(cost), (m, i)
    at_once = printed.natural_policy_gradient_loop(game, K0, eta, M)
    for i in range(game.N):
        assert relative_difference(result.K[i], at_once[i]) < 1e-12


def test_the_loops_cost_is_the_cost_of_its_episodes():
    """``cost_loop`` (eq. (3.14)) against the definition (2.2), played by ``single_trajectory``:
    without noise and with a discrete x_0, the probability-weighted cost of the episodes from
    each point, to rounding; the noise adds sum_t Tr(W P_t+1), which the mean cost of episodes
    from x_0 = 0 meets within 5 standard errors (5: the costs are skewed, skewness about 2.5)."""
    rng = np.random.default_rng(3)
    game = random_game(rng, N=3, d=3, k=(1, 2, 3), T=4, gaussian_x0=False)
    K = random_policy(rng, game)
    silent = game.with_noise(0.0)
    at_zero = lqg.LQGame(game.A, game.B, game.Q, game.R, game.W,
                         lqg.DiscreteState(np.zeros((1, game.d)), [1.0]))
    n = 1500
    for i in range(game.N):
        played = [printed.single_trajectory(silent, K, i, x0, rng)[0] for x0 in game.x0.points]
        exact = printed.cost_loop(silent, K, i)
        assert abs(np.dot(game.x0.probs, played) - exact) < 1e-13 * exact
        costs = np.array([printed.single_trajectory(at_zero, K, i, np.zeros(game.d), rng)[0]
                          for _ in range(n)])
        se = costs.std(ddof=1) / np.sqrt(n)
        assert abs(costs.mean() - printed.cost_loop(at_zero, K, i)) < 5 * se


NOISE_FREE = {
    # a Gaussian x_0 and W = 0: an episode is a function of U and x_0. (Section 5.1 is not
    # here: without noise its closed loop lines the states up along one direction, and the
    # condition number of the estimate of Sigma_t grows about 20-fold a step, to 1e15 at t = 9.)
    "section_5_2": (paper.section_5_2(0.0), paper.section_5_2_policies(), 0.0005, 0.5),
    "random N=3": (GAMES["random N=3"][0].with_noise(0.0), GAMES["random N=3"][1], 0.05, 0.3),
}


def fed(episodes, s=None):
    """The transcription's ``draws`` replaying lqg's: U_t^{i,l} and x_0 of the episode that
    player i plays with K_t^i perturbed (run s of a batch)."""
    at = () if s is None else (s,)
    return lambda m, i, l, t: (episodes.U[i][at + (t, l)], episodes.x0[at + (i, t, l)])


def replayed(game, K0, episodes, rng, s=None):
    """Every episode of ``episodes`` (run s of a batch) played again by the transcription,
    fed its U and x_0 (lines 6-8): yields the transcription's observed cost and state x_t,
    then lqg's."""
    at, draws = (() if s is None else (s,)), fed(episodes, s)
    for i in range(game.N):
        for t in range(game.T):
            for l in range(episodes.costs.shape[-1]):
                U, x0 = draws(0, i, l, t)
                K_hat = [np.array(Kj, dtype=float) for Kj in K0]
                K_hat[i][t] = K_hat[i][t] + U
                cost, states = printed.single_trajectory(game, K_hat, i, x0, rng)
                yield (cost, states[t], episodes.costs[at + (i, t, l)],
                       episodes.states[at + (i, t, l)])


def step_of(K0, K1, eta):
    """The direction of eq. (4.2), (K^(m-1) - K^(m)) / eta, per player."""
    return [(np.asarray(a) - b) / eta for a, b in zip(K0, K1)]


@pytest.mark.parametrize("name", NOISE_FREE)
def test_algorithm_2_without_noise_equals_the_loop_on_the_same_draws(name):
    """W = 0: fed lqg's U and x_0, the transcription's episodes observe lqg's costs and states
    (lines 7-8), and its first step (4.1)-(4.2) is lqg's K^(1) with the same seed. The step
    multiplies by the inverse of the estimate of Sigma_t, which can be ill-conditioned without
    noise; its rounding is bounded by the condition number."""
    game, K0, eta, r = NOISE_FREE[name]
    L, seed = 6, 7
    episodes = lqg.perturbed_episodes(game, K0, trajectories=L, radius=r, seed=seed)
    rng = np.random.default_rng(0)
    for cost, x, their_cost, their_x in replayed(game, K0, episodes, rng):
        assert abs(cost - their_cost) < 1e-13 * abs(cost)
        assert relative_difference(x, their_x) < 1e-13

    loop = printed.model_free_natural_policy_gradient_loop(game, K0, eta, 1, L, r, rng,
                                                           fed(episodes))
    result = lqg.model_free_natural_policy_gradient(game, K0, eta, 1, trajectories=L, radius=r,
                                                    seed=seed, progress=False)
    x = episodes.states                                                     # (N, T, L, d)
    condition = np.linalg.cond(np.einsum("itld,itle->itde", x, x) / L)      # of Sigma-hat_t^i
    assert condition.max() < 1e8                             # so that the bound says something
    for i, (mine, theirs) in enumerate(zip(step_of(K0, loop, eta), step_of(K0, result.K, eta))):
        for t in range(game.T):
            error = np.linalg.norm(mine[t] - theirs[t])
            assert error < 100 * EPS * condition[i, t] * np.linalg.norm(theirs[t]), (i, t)


# With noise, lqg's noise draws are private, so the comparisons are in distribution: paired on
# U and x_0 (the same draws), each side with its own noise, over independent seeds.

NOISY = {
    "section_5_2": (paper.section_5_2(0.1), paper.section_5_2_policies(), 0.0005, 0.5),
    "random N=3": (GAMES["random N=3"][0], GAMES["random N=3"][1], 0.05, 0.3),
}


def family_bound(statistics: int, seeds: int, alpha: float = 1e-3) -> float:
    """The bound that ``statistics`` Student t statistics of means over ``seeds`` independent
    seeds all stay below with probability at least 1 - ``alpha`` when their means are zero
    (Bonferroni)."""
    return float(stdtrit(seeds - 1, 1 - alpha / (2 * statistics)))      # Student's t quantile


def t_statistics(differences: np.ndarray) -> np.ndarray:
    """Means over the first axis (independent seeds) in units of their standard errors."""
    n = differences.shape[0]
    return differences.mean(axis=0) / (differences.std(axis=0, ddof=1) / np.sqrt(n))


def observed_differences(game, K0, r, played, seeds=60, L=4, seed=13):
    """Per seed, the mean over players, times and trajectories of the transcription's observed
    cost and entries x_t x_t^T (upper triangle) minus lqg's, the transcription playing the game
    ``played`` from lqg's U and x_0 in ``game``: shape (seeds, 1 + d (d + 1) / 2)."""
    runs = tuple(np.broadcast_to(Ki, (seeds,) + np.shape(Ki)) for Ki in K0)
    episodes = lqg.perturbed_episodes(game, runs, trajectories=L, radius=r, seed=seed)
    rng, upper = np.random.default_rng(1), np.triu_indices(game.d)
    out = np.zeros((seeds, 1 + len(upper[0])))
    for s in range(seeds):
        for cost, x, their_cost, their_x in replayed(played, K0, episodes, rng, s):
            out[s, 0] += cost - their_cost
            out[s, 1:] += (np.outer(x, x) - np.outer(their_x, their_x))[upper]
    return out / (game.N * game.T * L)


@pytest.mark.parametrize("name", NOISY)
def test_algorithm_2_with_noise_observes_like_the_loop(name):
    """With noise, the observed costs and second moments x_t x_t^T (lines 7-8) of the
    transcription's episodes and of lqg's, on the same U and x_0, have the same means over 60
    seeds: each pooled difference is within ``family_bound`` standard errors (a false alarm
    at most 1e-3 for the file's fixed seeds)."""
    game, K0, _, r = NOISY[name]
    differences = observed_differences(game, K0, r, played=game)
    assert np.all(np.abs(t_statistics(differences))
                  < family_bound(differences.shape[1], len(differences)))


def test_the_noisy_comparison_finds_twice_the_noise():
    """The comparison above has teeth: the transcription played with noise 2 W against lqg's
    episodes with W is refused (its cost statistic is about 19 standard errors here)."""
    game, K0, _, r = NOISY["random N=3"]
    differences = observed_differences(game, K0, r, played=game.with_noise(2 * game.W))
    assert np.any(np.abs(t_statistics(differences))
                  > family_bound(differences.shape[1], len(differences)))


@pytest.mark.parametrize("name", NOISY)
def test_algorithm_2_with_noise_steps_like_the_loop(name):
    """With noise, lqg's first step and the transcription's, fed the same U and x_0, have the
    same mean over 40 seeds: each entry's paired difference is within ``family_bound``
    standard errors. L = 8 > d + 3, so that the inverse of the estimate of Sigma_t has a
    finite variance.

    This test is weak, and honest about it: the step's spread is D_i / r_i^2 times the noise
    in the observed costs, so at 40 seeds the standard error of a mean entry is 70 to 500
    times the exact natural gradient 2 E_t (eq. (3.7)) here; only gross differences would
    show. The two tests above carry the weight: the same observations in distribution, and
    without noise the same step from the same observations, to rounding."""
    game, K0, eta, r = NOISY[name]
    L, S, seed = 8, 40, 11
    runs = tuple(np.broadcast_to(Ki, (S,) + np.shape(Ki)) for Ki in K0)
    episodes = lqg.perturbed_episodes(game, runs, trajectories=L, radius=r, seed=seed)
    result = lqg.model_free_natural_policy_gradient(game, runs, eta, 1, trajectories=L,
                                                    radius=r, seed=seed, progress=False)
    rng = np.random.default_rng(0)
    loops = [printed.model_free_natural_policy_gradient_loop(game, K0, eta, 1, L, r, rng,
                                                             fed(episodes, s))
             for s in range(S)]
    bound = family_bound(sum(game.k) * game.T * game.d, S)
    for i in range(game.N):
        mine = np.stack([step_of(K0, loop, eta)[i] for loop in loops])
        z = t_statistics(mine - step_of(runs, result.K, eta)[i])
        assert np.all(np.abs(z) < bound), (i, z)
