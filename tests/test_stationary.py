"""The stationary solver on games without an equilibrium: refusals that name the player and R, an
overflow named as such, and the start of the iteration (issue 20, items 2 and 3)."""

import re

import numpy as np
import pytest

import lqg
from lqg import paper, stationary

from test_peers import duopoly


def negative_own_weight(game):
    """The game with player 0's control weight R^0 = -1 (rewarded for using its control)."""
    return lqg.LQGame(game.A, game.B, game.Q, [-np.ones_like(game.R[0]), *game.R[1:]], game.W,
                      game.x0, R_cross=game.R_cross or None)


def test_a_limit_whose_second_order_condition_fails_is_refused_naming_the_player_and_R():
    game = negative_own_weight(paper.section_5_1(0.0))
    with pytest.raises(lqg.NotAnEquilibriumError, match=r"player 0's second-order condition fails in "
                       r"the stationary game: the smallest eigenvalue of R_t\^i \+ B_t\^i' P_t\+1\^i "
                       r"B_t\^i is -0\.025") as error:
        lqg.solve_stationary_nash(game, beta=0.96)
    assert (error.value.player, error.value.t) == (0, None)
    # declined: the stationary point, flagged, with the margin the refusal reported
    point = lqg.solve_stationary_nash(game, beta=0.96, require_equilibrium=False)
    assert not point.is_equilibrium and "not an equilibrium" in repr(point)
    assert point.second_order[0] == pytest.approx(error.value.margin, rel=1e-12)
    assert point.second_order[1] > 0
    # independently: every player's own gradient vanishes there, yet player 0's cost falls in every
    # direction of its own gain (a maximum, so no best response exists)
    for g in stationary.stationary_policy_gradient(game, point.K, beta=0.96):
        assert np.abs(g).max() < 1e-9
    at = stationary.stationary_cost(game, point.K, beta=0.96)[0]
    rng = np.random.default_rng(0)
    for v in rng.standard_normal((5,) + point.K[0].shape):
        for h in (1e-2, -1e-2):
            moved = stationary.stationary_cost(game, (point.K[0] + h * v, point.K[1]), beta=0.96)[0]
            assert moved < at
    # the same game undiscounted has an equilibrium: the check is on the limit, not on R^0 < 0
    assert lqg.solve_stationary_nash(game).is_equilibrium


def test_a_game_that_never_settles_fails_fast_naming_the_player():
    """The Markov-perfect duopoly with R^0 = -1 ran 100 000 Riccati steps (about 20 s) and failed
    with a message that did not name R; its margin changes sign at about every other step."""
    game = negative_own_weight(duopoly()[0])
    with pytest.raises(lqg.NotAnEquilibriumError, match=r"player 0's second-order condition fails "
                       r"in the stationary game: the smallest eigenvalue of R_t\^i") as error:
        lqg.solve_stationary_nash(game, beta=0.96)
    assert (error.value.player, error.value.t) == (0, None) and error.value.margin <= 0
    failed, steps = map(int, re.search(r"failed at (\d+) of the first (\d+) iterates",
                                       str(error.value)).groups())
    assert failed == stationary.SECOND_ORDER_PATIENCE and steps < 3 * failed
    with pytest.raises(stationary.NoStationaryNashError, match="did not converge in 2000 steps"):
        lqg.solve_stationary_nash(game, beta=0.96, max_iter=2000, require_equilibrium=False)


def test_a_singular_phi_where_a_player_is_flat_is_refused_naming_the_player():
    """x' = x + u, cost sum x^2 - u^2: after one step Phi = R + P = 0. P = 1 + P - P^2/(P - 1) has
    no real solution, so there is no equilibrium at all."""
    game = lqg.LQGame.time_invariant(np.eye(1), [np.eye(1)], [1.0], [-1.0], W=0.0, x0=np.ones(1), T=1)
    with pytest.raises(lqg.NotAnEquilibriumError, match=r"player 0's second-order condition fails "
                       r"in the stationary game.* is 0 <= 0.*Phi is singular at iterate 2 from zero"):
        lqg.solve_stationary_nash(game)
    with pytest.raises(lqg.NoUniqueNashError):
        lqg.solve_stationary_nash(game, require_equilibrium=False)


def test_a_singular_control_weight_needs_the_terminal_start():
    """R^0 = 0: from P = 0 the first Phi is diag(R^i), singular. From Q_T the iterates are
    solve_nash(game.with_horizon(n)) at t = 0, so the limit is the finite horizon's as T grows."""
    base = paper.section_5_1(0.0)
    game = lqg.LQGame(base.A, base.B, base.Q, [np.zeros_like(base.R[0]), base.R[1]], base.W, base.x0)
    with pytest.raises(lqg.NotAnEquilibriumError, match=r"player 0's .* is 0 <= 0.*start='terminal'"):
        lqg.solve_stationary_nash(game)
    star = lqg.solve_stationary_nash(game, start="terminal")
    assert star.is_equilibrium and star.spectral_radius < 1
    finite = lqg.solve_nash(game.with_horizon(400))
    for K_star, K in zip(star.K, finite.K):
        np.testing.assert_allclose(K_star, K[0], rtol=1e-10, atol=1e-12)
    with pytest.raises(lqg.LQGameError, match=r"start must be one of 'zero', 'terminal'; got 'Q'"):
        lqg.solve_stationary_nash(game, start="Q")
    with pytest.raises(lqg.LQGameError, match="require_equilibrium must be True or False"):
        lqg.solve_stationary_nash(game, require_equilibrium=None)


def test_the_paper_games_start_from_zero_or_terminal_alike():
    game = paper.section_5_2(0.0)
    zero, terminal = (lqg.solve_stationary_nash(game, start=s) for s in ("zero", "terminal"))
    assert zero.is_equilibrium and terminal.is_equilibrium
    for a, b in zip(zero.K + zero.P, terminal.K + terminal.P):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def overflow_step(growth: float) -> int:
    """The step at which p <- 1 + growth p, from p = 0, leaves the floating point range."""
    p, step = 0.0, 0
    with np.errstate(over="ignore"):
        while np.isfinite(p):
            p, step = 1.0 + growth * np.float64(p), step + 1
    return step


def test_an_unreachable_unstable_mode_is_named_as_overflow():
    """A = diag(1.5, 0.5), B = e_2: the first mode grows and no control reaches it. P_11 follows
    p <- 1 + 2.25 p; it returned P = inf "after 875 iterations", the change being NaN."""
    game = lqg.LQGame.time_invariant(np.diag([1.5, 0.5]), [np.array([0.0, 1.0])], [1.0], [1.0],
                                     W=0.0, x0=np.ones(2), T=1)
    with pytest.raises(stationary.NoStationaryNashError,
                       match=r"overflowed at step \d+ \(P\^0 is no longer finite\): the mode 1\.5 "
                             r"of sqrt\(beta\) A .* no player's control reaches it \(PBH test\): the "
                             r"game is not stabilisable") as error:
        lqg.solve_stationary_nash(game)
    # at once: the step where p leaves the range (or the one before: P is symmetrised as
    # 0.5 (P + P'), which overflows within a factor 2 of the largest float)
    step = int(re.search(r"step (\d+)", str(error.value)).group(1))
    assert step in (overflow_step(2.25) - 1, overflow_step(2.25))
    # discounted below the mode's growth, the same game has a solution: P_11 = 1 / (1 - beta 2.25)
    star = lqg.solve_stationary_nash(game, beta=0.4)
    assert star.P[0][0, 0] == pytest.approx(1 / (1 - 0.4 * 2.25), rel=1e-10)
    assert star.spectral_radius == pytest.approx(np.sqrt(0.4) * 1.5)
    # a mode that costs nothing is no reason to fail: P stays finite, the loop stays unstable
    free = lqg.LQGame.time_invariant(np.diag([1.5, 0.5]), [np.array([0.0, 1.0])],
                                     [np.diag([0.0, 1.0])], [1.0], W=0.0, x0=np.ones(2), T=1)
    star = lqg.solve_stationary_nash(free)
    assert np.all(np.isfinite(star.P[0])) and star.spectral_radius == pytest.approx(1.5)
