"""Users' own games through the learning algorithms: costs of any sign (QuantEcon's duopoly, whose
costs are negative profits), costs that vanish, games that have no equilibrium, and a covariance
estimate that is nearly singular; and the paper's runs, which must not change.

The paper's runs are compared, bit for bit, with ``tests/data/paper_runs.npz``: the same calls
(:func:`paper_runs`) computed by the code before the divergence rule and the normalized error
were made sign-free (commit 6f1e5ca). To compute it again from that commit::

    git archive 6f1e5ca | tar -x -C /tmp/base
    PYTHONPATH=/tmp/base .venv/bin/python tests/test_users_games.py tests/data/paper_runs.npz
"""

import re
import sys
import warnings

import numpy as np
import pytest
import scipy.linalg

import lqg
from lqg import paper

DATA = __file__.rsplit("/", 1)[0] + "/data/paper_runs.npz"


def paper_runs() -> dict:
    """Runs of Algorithms 1 and 2 (and vanilla policy gradient) on the paper's games, among them
    diverging ones and the readings of Algorithm 2; flattened to ``{"case/field": array}``."""
    found = {}

    def keep(name, result):
        found[f"{name}/costs"] = result.costs
        found[f"{name}/normalized_error"] = result.normalized_error
        found[f"{name}/diverged_at"] = result.diverged_at
        found[f"{name}/K"] = np.concatenate(result.K, axis=-2)
        if result.policies is not None:
            found[f"{name}/policies"] = np.concatenate(result.policies, axis=-2)
        found[f"{name}/message"] = np.array(result.message)

    game = paper.section_5_1(0.1)
    nash = lqg.solve_nash(game)
    K0 = lqg.sample_policies_near(nash.K, 0.3, 6, np.random.default_rng(0))
    eta = np.array([[0.1, 0.1], [0.2, 0.05], [0.4, 0.4], [1.5, 0.1], [3.0, 3.0], [0.1, 0.1]])
    keep("algorithm_1", lqg.natural_policy_gradient(game, K0, eta, 120, record_every=7,
                                                     record_policies="all"))
    keep("algorithm_1_noiseless", lqg.natural_policy_gradient(paper.section_5_1(0.0), K0, 0.1, 60))
    keep("vanilla", lqg.policy_gradient_descent(paper.section_5_1(1.0), K0, eta, 60, record_every=3))
    keep("overflow", lqg.natural_policy_gradient(game, tuple(np.full((2, 10, 1, 2), 1e200)
                                                             for _ in range(2)), 0.1, 3))
    K52 = tuple(np.broadcast_to(K, (3,) + K.shape) for K in paper.section_5_2_policies())
    options = dict(trajectories=20, radius=0.5, record_every=4)
    for sigma2 in (0.0, 0.001, 0.1):
        keep(f"algorithm_2_{sigma2:g}", lqg.model_free_natural_policy_gradient(
            paper.section_5_2(sigma2), K52, 0.0005, 24, seed=3, **options))
    variants = [{}, {"trajectory_cost": "after-step"},
                {"trajectory_cost": "cost-to-go", "terminal_cost": False}, {"smoothing": "D/r"},
                {"estimator": "two-point"}, {"updates": "sequential"},
                {"covariance": "all-episodes"}, {"covariance": "pooled"}]
    for v, result in enumerate(lqg.model_free_variants(paper.section_5_2(0.1), K52, 0.0005, 24,
                                                       variants, seed=4, **options)):
        keep(f"variant_{v}", result)
    for name, reading in (("unperturbed", {"covariance": "unperturbed"}),
                          ("all_steps", {"perturbation": "all-steps"}),
                          ("fresh_x0", {"initial_states": "fresh", "noise": "shared"}),
                          ("exploration", {"exploration": 0.5})):
        keep(name, lqg.model_free_natural_policy_gradient(paper.section_5_2(0.1), K52, 0.0005, 16,
                                                         seed=5, **options, **reading))
    return found


#: the readings whose covariance estimate took another formula before Sigma_hat was written once
#: (an einsum over all episodes, now the mean of eq. (4.1)): equal to rounding, not bit for bit
SIGMA_HAT_ONCE = ("variant_6/", "unperturbed/")


def test_paper_runs_are_the_numbers_of_before():
    before = np.load(DATA)
    now = paper_runs()
    assert sorted(before.files) == sorted(now)
    for key in before.files:
        if key.startswith(SIGMA_HAT_ONCE) and before[key].dtype.kind == "f":
            np.testing.assert_allclose(now[key], before[key], rtol=1e-10, err_msg=key)
        else:
            np.testing.assert_array_equal(now[key], before[key], err_msg=key)


# ---------------------------------------------------------------------------
# QuantEcon's duopoly: profits are negative costs, the weights indefinite


def duopoly(T=4, beta=0.96):
    """The Markov-perfect duopoly of the QuantEcon lecture (as in tests/test_peers.py; QuantEcon's
    state weights R are lqg's Q, its control weights Q are lqg's R), over T periods with the
    discount folded into the weights; the outputs start random and are shocked (W on them), so
    that Algorithm 2's covariance estimates are invertible."""
    a0, a1, gamma = 10.0, 2.0, 12.0
    B1, B2 = np.array([0.0, 1.0, 0.0]), np.array([0.0, 0.0, 1.0])
    R1 = np.array([[0.0, -a0 / 2, 0.0], [-a0 / 2, a1, a1 / 2], [0.0, a1 / 2, 0.0]])
    R2 = np.array([[0.0, 0.0, -a0 / 2], [0.0, 0.0, a1 / 2], [-a0 / 2, a1 / 2, a1]])
    shocks = np.diag([0.0, 0.1, 0.1])
    x0 = lqg.GaussianState([1.0, 1.0, 1.0], shocks)
    return lqg.LQGame.time_invariant(np.eye(3), [B1, B2], [R1, R2], [gamma, gamma], W=shocks,
                                     x0=x0, T=T).discounted(beta)


@pytest.fixture(scope="module")
def market():
    game = duopoly()
    nash = lqg.solve_nash(game)
    start = lqg.sample_policies_near(nash.K, 0.3, 4, np.random.default_rng(0))
    return game, nash, start


def test_the_duopoly_has_negative_costs_and_indefinite_weights(market):
    game, nash, _ = market
    assert not game.weights_psd and nash.is_equilibrium
    assert np.all(nash.costs < 0)


def test_a_worse_own_policy_has_a_positive_normalized_error(market):
    """At a Nash equilibrium no player gains by deviating alone, so player i's error at
    (K^i, K^{-i*}) is positive for any other K^i: with the sign of C^i(K*) it would be negative."""
    game, nash, start = market
    for i in range(game.N):
        K = list(nash.K)
        K[i] = start[i]
        errors, how = lqg.normalized_error(game, tuple(K), nash, full_output=True)
        assert how == ("|C*|", "|C*|")
        assert np.all(errors[:, i] > 0)
        own = lqg.cost(game, tuple(K))[:, i]
        np.testing.assert_array_equal(errors[:, i], (own - nash.costs[i]) / abs(nash.costs[i]))


def test_algorithm_1_learns_the_duopoly_from_a_perturbed_start(market):
    game, nash, start = market
    result = lqg.natural_policy_gradient(game, start, 0.03, 200, record_every=50)
    worst = np.abs(result.normalized_error).max(axis=-1)
    assert not result.diverged.any()
    assert np.all(worst[-1] < 1e-10) and np.all(worst[0] > 0.05)
    assert result.normalization == ("|C*|", "|C*|")
    assert "without diverging" in result.message and "|C^i(K*)|" in result.message


def test_algorithm_2_learns_the_duopoly_from_a_perturbed_start(market):
    game, nash, start = market
    result = lqg.model_free_natural_policy_gradient(game, start, 0.0005, 300, trajectories=200,
                                                    radius=0.5, seed=0, record_every=50)
    worst = np.abs(result.normalized_error).max(axis=-1)
    assert not result.diverged.any() and "without diverging" in result.message
    assert worst[-1].mean() < 0.3 * worst[0].mean()
    assert np.all(worst[-1] < 0.1)


@pytest.mark.parametrize("algorithm", ["natural", "vanilla", "model-free", "variants"])
def test_runs_started_at_a_negative_cost_equilibrium_do_not_diverge(market, algorithm):
    game, nash, _ = market
    K0 = tuple(np.broadcast_to(K, (2,) + K.shape) for K in nash.K)
    options = dict(trajectories=50, radius=0.5, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = {
            "natural": lambda: lqg.natural_policy_gradient(game, K0, 0.03, 30),
            "vanilla": lambda: lqg.policy_gradient_descent(game, K0, 0.01, 30),
            "model-free": lambda: lqg.model_free_natural_policy_gradient(game, K0, 0.0005, 30,
                                                                         **options),
            "variants": lambda: lqg.model_free_variants(game, K0, 0.0005, 30, [{}, {
                "trajectory_cost": "cost-to-go"}], **options)[1],
        }[algorithm]()
    assert not result.diverged.any() and "without diverging" in result.message
    assert np.all(np.abs(result.normalized_error[0]) < 1e-12)


def test_the_gross_cost_is_the_cost_with_absolute_weights(market):
    """Against the game rebuilt with |M| = (M^T M)^(1/2), the positive factor of the polar
    decomposition M = U |M| (scipy, by an SVD), and |C| <= G."""
    game, nash, start = market
    absolute = [np.stack([scipy.linalg.polar(M)[1] for M in Q]) for Q in game.Q]
    gross_game = lqg.LQGame(game.A, game.B, absolute, game.R, game.W, game.x0)
    stacked = np.concatenate(start, axis=-2)
    found = lqg.evaluation.Evaluation(game, stacked)
    np.testing.assert_allclose(found.gross_costs, lqg.cost(gross_game, start), rtol=1e-10)
    assert np.all(found.gross_costs >= np.abs(found.costs))
    psd = paper.section_5_1(0.1)
    at = lqg.evaluation.Evaluation(psd, np.zeros((3, psd.T, 2, 2)))
    assert at.gross_costs is at.costs                  # the weights themselves: the same numbers


def test_the_episodes_gross_costs_are_the_episodes_charged_with_absolute_weights(market):
    game, _, start = market
    absolute = [np.stack([scipy.linalg.polar(M)[1] for M in Q]) for Q in game.Q]
    gross_game = lqg.LQGame(game.A, game.B, absolute, game.R, game.W, game.x0)
    for estimator in ("one-point", "two-point"):
        options = dict(trajectories=30, radius=0.5, seed=7, estimator=estimator)
        seen = lqg.perturbed_episodes(game, start, **options)
        charged = lqg.perturbed_episodes(gross_game, start, **options)
        np.testing.assert_allclose(seen.gross, charged.mean_costs, rtol=1e-10)
        np.testing.assert_array_equal(charged.gross, charged.mean_costs)
        assert np.all(seen.gross >= np.abs(seen.mean_costs))


def test_the_divergence_rule_does_not_depend_on_the_scale_of_the_weights(market):
    """Weights times 2^k and step size times 2^-k give the same iterates (a power of two scales
    exactly), so the same verdicts; a step size far too large diverges on the gross cost."""
    game, _, start = market
    verdicts = []
    for k in (-20, 0, 20):
        c = 2.0 ** k
        scaled = lqg.LQGame(game.A, game.B, [c * Q for Q in game.Q], [c * R for R in game.R],
                            game.W, game.x0)
        result = lqg.natural_policy_gradient(scaled, start, 0.5 / c, 40)
        verdicts.append((result.diverged_at.tolist(), result.message))
    assert verdicts[0] == verdicts[1] == verdicts[2]
    assert any(m >= 1 for m in verdicts[0][0]) and "gross cost above 1e+06 x initial" in verdicts[0][1]


# ---------------------------------------------------------------------------
# costs that vanish


def test_a_game_without_any_cost_never_diverges_and_reports_plain_differences():
    """x_0 = 0 and W = 0: the state stays 0, every cost and gross cost is 0; no NaN, no warning."""
    base = paper.section_5_1(0.0)
    game = lqg.LQGame(base.A, base.B, base.Q, base.R, 0.0, np.zeros(2))
    K0 = lqg.sample_policies_near(lqg.solve_nash(game).K, 0.3, 3, np.random.default_rng(1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = lqg.natural_policy_gradient(game, K0, 0.1, 50)
        errors, how = lqg.normalized_error(game, K0, full_output=True)
    assert not result.diverged.any()
    assert np.all(result.costs == 0) and np.all(result.normalized_error == 0)
    assert result.normalization == how == ("none", "none")
    assert "plain difference" in result.message
    np.testing.assert_array_equal(errors, 0.0)


def test_an_equilibrium_cost_that_vanishes_is_measured_against_the_gross_cost():
    """C^i(K*) = x_0' diag(1, -1) x_0 = 0 at x_0 = (1, 1), with gross cost x_0' I x_0 = 2; the
    controls do not move the state (B = 0), so a gain K costs (K x_0)^2 = 0.25 more."""
    Q = [np.diag([1.0, -1.0])] * 2
    game = lqg.LQGame.time_invariant(np.zeros((2, 2)), [np.zeros(2), np.zeros(2)], Q, [1.0, 1.0],
                                     W=0.0, x0=np.array([1.0, 1.0]), T=1, Q_T=[0.0, 0.0])
    K = (np.array([[[0.5, 0.0]]]), np.zeros((1, 1, 2)))
    errors, how = lqg.normalized_error(game, K, full_output=True)
    assert how == ("G*", "G*")
    np.testing.assert_allclose(errors, [0.25 / 2, 0.0])
    result = lqg.natural_policy_gradient(game, K, 0.1, 5)
    assert result.normalization == ("G*", "G*") and "gross cost G^i(K*)" in result.message


def test_a_player_whose_cost_starts_at_zero_is_judged_on_the_others_scale():
    """Player 1 pays only for player 0's control (R^{10}); at K^(0) = 0 nobody controls, so its
    gross cost starts at 0 and becomes positive at once: "above 10^6 times 0" would call that a
    divergence (as the rule did before); the scale is then the largest player's."""
    base = paper.section_5_1(0.1)
    game = lqg.LQGame(base.A, base.B, [base.Q[0], np.zeros_like(base.Q[1])], base.R, base.W,
                      base.x0, R_cross={(1, 0): np.full((base.T, 1, 1), 0.5)})
    K0 = tuple(np.zeros((base.T, 1, 2)) for _ in range(2))
    result = lqg.natural_policy_gradient(game, K0, 0.05, 300)
    assert result.costs[0, 1] == 0 and result.costs[1, 1] > 0
    assert not result.diverged.any() and np.all(np.isfinite(result.normalized_error))


# ---------------------------------------------------------------------------
# no equilibrium to measure against


@pytest.fixture(scope="module")
def unbounded():
    """The Section 5.2 game with R^0 = -1: Phi_t is invertible, but player 0's second-order
    condition fails at t = 3, so the solution of (2.4) is not an equilibrium."""
    base = paper.section_5_2(0.1)
    game = lqg.LQGame(base.A, base.B, base.Q, [np.full(base.R[0].shape, -1.0), base.R[1]],
                      base.W, base.x0)
    return game, paper.section_5_2_policies()


REFUSED = re.escape("player 0's second-order condition fails at t=3")


@pytest.mark.parametrize("call", [
    lambda game, K: lqg.natural_policy_gradient(game, K, 0.1, 3),
    lambda game, K: lqg.policy_gradient_descent(game, K, 0.1, 3),
    lambda game, K: lqg.model_free_natural_policy_gradient(game, K, 0.0005, 3, trajectories=5,
                                                           radius=0.5, seed=0),
    lambda game, K: lqg.model_free_variants(game, K, 0.0005, 3, [{}], trajectories=5, radius=0.5,
                                            seed=0),
    lambda game, K: lqg.normalized_error(game, K),
    lambda game, K: lqg.natural_policy_gradient(game, K, 0.1, 3, nash=lqg.solve_nash(game)),
], ids=["algorithm 1", "vanilla", "algorithm 2", "variants", "normalized_error", "given nash"])
def test_a_game_without_equilibrium_is_refused_naming_the_player_and_t(unbounded, call):
    game, K = unbounded
    with pytest.raises(lqg.NotAnEquilibriumError, match=REFUSED):
        call(game, K)


def test_a_game_without_equilibrium_is_measured_when_asked_and_says_so(unbounded):
    game, K = unbounded
    result = lqg.natural_policy_gradient(game, K, 0.01, 3, require_equilibrium=False)
    assert "not a Nash equilibrium (player 0's second-order condition fails at t=3)" in result.message
    assert np.all(np.isfinite(result.normalized_error))
    model_free = lqg.model_free_natural_policy_gradient(game, K, 0.0005, 2, trajectories=5,
                                                        radius=0.5, seed=0, require_equilibrium=False)
    assert "not a Nash equilibrium" in model_free.message
    errors = lqg.normalized_error(game, K, require_equilibrium=False)
    np.testing.assert_array_equal(errors, result.normalized_error[0])


# ---------------------------------------------------------------------------
# Algorithm 2's message names a nearly singular covariance estimate


def test_a_divergence_after_a_nearly_singular_covariance_estimate_names_it():
    """W = 0 and a random x_0, but the second coordinate shrinks by 100 per step: at K = 0,
    Sigma_3 = diag(0.9^6, 10^-12) (times the sampled second moment of x_0). The inverse in (4.2)
    amplifies the gradient estimate's noise by 10^12, at every step size; the message says so."""
    game = lqg.LQGame.time_invariant(np.diag([0.9, 0.01]), [np.array([1.0, 0.0]),
                                                            np.array([0.0, 1.0])],
                                     [1.0, 1.0], [1.0, 1.0], W=0.0,
                                     x0=lqg.GaussianState([0.0, 0.0], np.eye(2)), T=4)
    K0 = tuple(np.zeros((3, 4, 1, 2)) for _ in range(2))
    for eta in (1e-2, 2e-5):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            result = lqg.model_free_natural_policy_gradient(game, K0, eta, 20, trajectories=50,
                                                            radius=0.1, seed=0)
        assert result.diverged.all()
        found = re.search(r"3 of them inverted a nearly singular covariance estimate Sigma_hat_t\^i "
                          r"\(condition number above 1e\+08\) in \(4.2\) before diverging, the worst "
                          r"in run \d: smallest eigenvalue (\S+) \(condition number \S+\) at t=3",
                          result.message)
        assert found, result.message
        assert 1e-13 < float(found.group(1)) < 1e-11


if __name__ == "__main__":
    np.savez_compressed(sys.argv[1], **paper_runs())
