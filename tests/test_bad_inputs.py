"""Every public function refuses bad input with an LQGameError (a ValueError) whose message names
the argument at fault (and the player and t where there are any), never a NumPy traceback from
deep inside, and never a silently wrong answer."""

import numpy as np
import pytest

import lqg
from lqg import diagnostics, experiments, paper, stationary
from lqg.estimators import zeroth_order_gradient
from lqg.examples import games

GAME = paper.section_5_1(0.1)
NASH = lqg.solve_nash(GAME)
OTHER = paper.section_5_1(1.0)               # same shapes, another game
OTHER_NASH = lqg.solve_nash(OTHER)
G52 = paper.section_5_2(0.1)
K52 = paper.section_5_2_policies(G52.T)
K = NASH.K


def call(function, *args, **kwargs):
    return lambda: function(*args, **kwargs)


BAD = [
    # --- a game where a game is expected -------------------------------------------------------
    ("cost of a non-game", call(lqg.cost, "game", K), r"game must be an LQGame; got str"),
    ("solve_nash of a dict", call(lqg.solve_nash, {"A": 1}), r"game must be an LQGame; got dict"),
    ("Algorithm 1 on None", call(lqg.natural_policy_gradient, None, K, 0.1, 1),
     r"game must be an LQGame; got NoneType"),
    ("report of a NashSolution", call(diagnostics.report, NASH, K), r"game must be an LQGame"),
    # --- policies and equilibria of another game ------------------------------------------------
    ("nash of another game", call(lqg.normalized_error, GAME, K, OTHER_NASH),
     r"nash was solved for another game"),
    ("Algorithm 1 with another game's nash", call(lqg.natural_policy_gradient, GAME, K, 0.1, 1,
                                                  nash=OTHER_NASH), r"nash was solved for another game"),
    ("Algorithm 2 with another game's nash",
     call(lqg.model_free_natural_policy_gradient, G52, K52, 0.1, 1, trajectories=2, radius=0.5,
          seed=0, nash=NASH), r"nash was solved for another game"),
    ("nash_gap with another game's nash", call(diagnostics.nash_gap, GAME, K, OTHER_NASH),
     r"nash was solved for another game"),
    ("a policy of another game's shapes", call(lqg.cost, GAME, K52),
     r"K\[0\] \(player 0\) must have shape \(\*batch, T, k_0, d\) = \(\*batch, 10, 1, 2\)"),
    ("a policy with too few players", call(lqg.cost, GAME, K[:1]), r"K has 1 players' policies but"),
    ("a policy as a bare array", call(lqg.cost, GAME, np.zeros((10, 2, 2))), r"K must be a tuple"),
    ("a non-finite policy", call(lqg.cost, GAME, (K[0], np.full_like(K[1], np.nan))),
     r"K\[1\]\[0\] \(player 1, t=0\) has non-finite entries"),
    ("a complex policy", call(lqg.cost, GAME, (K[0].astype(complex), K[1])),
     r"K\[0\] \(player 0\) is complex"),
    ("an object policy", call(lqg.cost, GAME, (np.array([[[None, 1]]] * 10, dtype=object), K[1])),
     r"K\[0\] \(player 0\) must be a real numeric array; got dtype object"),
    ("a stationary policy of another shape", call(stationary.stationary_cost, paper.section_5_1(0.0),
                                                  (K[0][0], np.zeros((2, 3)))),
     r"K\[1\] \(player 1\) must have shape \(\*batch, k_1, d\)"),
    # --- seeds in every accepted form, and what is not one --------------------------------------
    ("a negative seed", call(lqg.sample_policies_near, K, 0.1, 2, seed=-1),
     r"seed must be a non-negative int"),
    ("a float seed", call(lqg.sample_policies_near, K, 0.1, 2, seed=1.5),
     r"seed must be a non-negative int"),
    ("a string seed", call(lqg.monte_carlo_cost, GAME, K, 10, "0"), r"seed must be a non-negative int"),
    ("a RandomState", call(lqg.monte_carlo_cost, GAME, K, 10, np.random.RandomState(0)),
     r"seed must be .* numpy.random.Generator; got RandomState"),
    ("too few seeds for the batch",
     call(lqg.model_free_natural_policy_gradient, G52,
          tuple(np.broadcast_to(k, (3,) + k.shape) for k in K52), 0.1, 1, trajectories=2,
          radius=0.5, seed=[1, 2]), r"seed is a sequence of 2 seeds but there are 3 runs"),
    ("a bad seed in the list",
     call(lqg.model_free_natural_policy_gradient, G52,
          tuple(np.broadcast_to(k, (2,) + k.shape) for k in K52), 0.1, 1, trajectories=2,
          radius=0.5, seed=[1, "x"]), r"seed\[1\] must be a non-negative int"),
    ("random_game without a seed", call(games.random_game, 3, 2, seed=None), r"seed must be"),
    # --- counts and sizes --------------------------------------------------------------------
    ("zero iterations", call(lqg.natural_policy_gradient, GAME, K, 0.1, 0),
     r"iterations must be a positive integer; got 0"),
    ("negative trajectories", call(lqg.perturbed_episodes, G52, K52, trajectories=-2, radius=0.5,
                                   seed=0), r"trajectories must be a positive integer; got -2"),
    ("zero policies", call(lqg.sample_policies_near, K, 0.1, 0, seed=0), r"n must be a positive integer"),
    ("zero Monte Carlo episodes", call(lqg.monte_carlo_cost, GAME, K, 0, 0), r"n must be a positive"),
    ("a boolean count", call(lqg.natural_policy_gradient, GAME, K, 0.1, True),
     r"iterations must be a positive integer; got True"),
    ("zero players in a random game", call(games.random_game, 0, 2, seed=0), r"N must be a positive"),
    ("a horizon of zero", call(GAME.with_horizon, 0), r"T must be a positive integer"),
    ("an absurd horizon", call(lqg.LQGame.time_invariant, np.eye(2), [np.ones(2)], [1.0], [1.0], 0.1,
                               np.ones(2), 10**15),
     r"T = 1000000000000000 is too long for d = 2 and N = 1: .* would need 9.6e\+07 GB of memory"),
    ("an absurd new horizon", call(GAME.with_horizon, 10**15),
     r"T = 1000000000000000 is too long for d = 2 and N = 2: .* would need 1.28e\+08 GB of memory"),
    # --- numbers -----------------------------------------------------------------------------
    ("a negative radius", call(lqg.sample_policies_near, K, -0.1, 2, seed=0),
     r"radius must be a non-negative number; got -0.1"),
    ("a step size per player of the wrong length", call(lqg.natural_policy_gradient, GAME, K,
                                                        (0.1, 0.1, 0.1), 1), r"one value per player"),
    ("a complex step size", call(lqg.natural_policy_gradient, GAME, K, 0.1j, 1), r"eta is complex"),
    ("a discount above one", call(GAME.discounted, 1.5), r"beta must be a number in \(0, 1\]"),
    ("a stationary discount of zero", call(lqg.solve_stationary_nash, GAME, beta=0.0),
     r"beta must be a number in \(0, 1\]"),
    ("a tolerance of zero", call(experiments.converged,
                                 lqg.natural_policy_gradient(GAME, K, 0.1, 1), 0.0),
     r"tol must be"),
    ("an unknown option", call(lqg.model_free_natural_policy_gradient, G52, K52, 0.1, 1,
                               trajectories=2, radius=0.5, seed=0, trajectory_cost="most"),
     r"trajectory_cost must be one of 'total', 'after-step', 'cost-to-go'; got 'most'"),
    ("an unknown objective", call(stationary.stationary_cost, GAME, NASH.K[0][0:1], objective="mean"),
     r"K must be a tuple|objective must be one of"),
    ("total cost with noise and no discount", call(stationary.stationary_cost, GAME,
                                                   tuple(k[0] for k in K)),
     r"with noise and beta = 1 the total cost is infinite"),
    # --- the game's data -----------------------------------------------------------------------
    ("a complex A", call(lqg.LQGame.time_invariant, np.eye(2) * 1j, [np.ones(2)], [1.0], [1.0],
                          0.1, np.ones(2), 3), r"A is complex"),
    ("an object B", call(lqg.LQGame.time_invariant, np.eye(2), [np.array([None, 1.0])], [1.0],
                          [1.0], 0.1, np.ones(2), 3), r"B\[0\] \(player 0\) must be a real numeric array"),
    ("an asymmetric weight", call(lqg.LQGame.time_invariant, np.eye(2), [np.ones(2)],
                                  [np.array([[1.0, 0.2], [0.0, 1.0]])], [1.0], 0.1, np.ones(2), 3),
     r"Q\[0\]\[0\] \(player 0, t=0\) is not symmetric"),
    ("a negative noise", call(lqg.LQGame.time_invariant, np.eye(2), [np.ones(2)], [1.0], [1.0],
                              -0.1, np.ones(2), 3), r"W\[0\] \(t=0\) is not positive semi-definite"),
    ("a cross cost for a missing player", call(lqg.LQGame.time_invariant, np.eye(2), [np.ones(2)],
                                               [1.0], [1.0], 0.1, np.ones(2), 3,
                                               R_cross={(0, 1): 1.0}), r"R_cross"),
    ("a time-varying game's new horizon", call(games.random_game(2, 2, seed=0).with_horizon, 3),
     r"with_horizon needs a time-invariant game; A, B\[0\]"),
    # --- where the mathematics needs the paper's assumptions ------------------------------------
    ("Section 3 constants of a game with PSD weights",
     call(diagnostics.report, lqg.LQGame.time_invariant(GAME.A[0], [b[0] for b in GAME.B],
                                                        [q[0] for q in GAME.Q], [r[0] for r in GAME.R],
                                                        GAME.W[0], GAME.x0, 10, Q_T=[0, 0]),
          tuple(k for k in K)), r"Assumption 2.1"),
    # --- estimators ------------------------------------------------------------------------------
    ("mismatched costs and perturbations", call(zeroth_order_gradient, np.zeros((3, 4)),
                                                np.zeros((3, 5, 1, 2)), 0.5), r"costs must have shape"),
    ("episodes that are not Episodes", call(lqg.natural_gradient_estimate, np.zeros(3), 0.5),
     r"episodes must be an Episodes"),
    # --- numerical overflow: a clear message, never a LinAlgError from deep inside -------------
    ("value matrices that overflow", call(lqg.solve_nash, lqg.LQGame.time_invariant(
        np.array([[1e30]]), [np.array([[1e-30]])], [1.0], [1.0], 0.0, np.ones(1), 40)),
     r"overflow at t="),
    ("a long horizon whose value matrices overflow", call(lqg.solve_nash, lqg.LQGame.time_invariant(
        3.0 * np.eye(2), [np.ones(2)], [1.0], [1.0], 0.1, np.ones(2), 400)), r"overflow at t="),
    ("check_assumptions of that game", call(lqg.check_assumptions, lqg.LQGame.time_invariant(
        3.0 * np.eye(2), [np.ones(2)], [1.0], [1.0], 0.1, np.ones(2), 400)), r"overflow at t="),
    ("a weight of 1e308 I: overflow, not a singular Phi_t", call(lqg.solve_nash, lqg.LQGame.time_invariant(
        0.5 * np.eye(2), [np.array([1.0, 0.0]), np.array([0.0, 1.0])], [1e308, 1.0], [1.0, 1.0], 0.1,
        np.ones(2), 3)), r"overflow at t=2: Phi_2 \(Remark 2.4\) reaches 1e\+308 and P_3\^0\* of player 0"),
    ("an equilibrium cost that overflows", call(lqg.solve_nash, lqg.LQGame.time_invariant(
        0.5 * np.eye(1), [np.ones(1)], [1e300], [1.0], 0.1, 1e5 * np.ones(1), 3)),
     r"overflow at t=0: the equilibrium cost of player 0 \(eqs. \(2.7\)-\(2.8\)\) is not finite"),
    ("a stationary iteration that overflows", call(lqg.solve_stationary_nash, lqg.LQGame.time_invariant(
        np.array([[1e200]]), [np.array([[1e-200]])], [1e200], [1.0], 0.0, np.ones(1), 1)),
     r"overflow|did not converge"),
]


@pytest.mark.parametrize("name, action, message", BAD, ids=[b[0] for b in BAD])
def test_bad_input_gets_a_clear_error(name, action, message):
    with pytest.raises(lqg.LQGameError, match=message):
        action()


def test_overflowing_policies_diverge_in_the_result_without_warnings():
    """A run whose costs overflow says so in its result; it does not spray warnings."""
    import warnings

    huge = tuple(np.full((2,) + k.shape, 1e150) for k in K)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = lqg.natural_policy_gradient(GAME, huge, 0.1, 3)
        costs = lqg.cost(GAME, huge)
    assert result.diverged.all() and "diverged" in result.message
    assert np.all(np.isinf(costs) | (costs > 1e250))


@pytest.mark.parametrize("seed", [0, 7, np.random.SeedSequence(7), np.random.default_rng(7)])
def test_every_accepted_seed_form_works_and_repeats(seed):
    first = lqg.sample_policies_near(K, 0.2, 3, seed=seed if not isinstance(seed, np.random.Generator)
                                     else np.random.default_rng(7))
    again = lqg.sample_policies_near(K, 0.2, 3, seed=seed if not isinstance(seed, np.random.Generator)
                                     else np.random.default_rng(7))
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
