"""The game model: construction, immutability, initial-state laws and validation messages."""

import numpy as np
import pytest

import lqg


def base(T=3, d=2, k=(1, 2)):
    """Valid arguments of a small game, as a dict of mutable copies."""
    return dict(
        A=np.tile(0.5 * np.eye(d), (T, 1, 1)),
        B=[np.ones((T, d, ki)) for ki in k],
        Q=[np.tile(np.eye(d), (T + 1, 1, 1)) for _ in k],
        R=[np.tile(np.eye(ki), (T, 1, 1)) for ki in k],
        W=0.1 * np.eye(d),
        x0=lqg.GaussianState(np.zeros(d), np.eye(d)),
    )


def test_attributes_and_immutability():
    game = lqg.LQGame(**base())
    assert (game.T, game.d, game.N, game.k) == (3, 2, 2, (1, 2))
    with pytest.raises(ValueError):
        game.A[0, 0, 0] = 1.0
    with pytest.raises(ValueError):
        game.Q[1][0, 0, 0] = 1.0
    with pytest.raises(AttributeError):
        game.W = np.eye(2)
    with pytest.raises(AttributeError):
        game.T = 4
    # the caller's arrays are copied, not aliased
    args = base()
    game = lqg.LQGame(**args)
    args["A"][0, 0, 0] = 99.0
    assert game.A[0, 0, 0] == 0.5


def test_time_invariant_repeats_matrices_and_takes_terminal_cost():
    A = np.array([[0.5, 0.1], [0.0, 0.3]])
    game = lqg.LQGame.time_invariant(
        A, [np.ones((2, 1))], [np.eye(2)], [np.eye(1)], np.zeros((2, 2)),
        lqg.DiscreteState([[1.0, 0.0]], [1.0]), T=4, Q_T=[5 * np.eye(2)],
    )
    assert game.A.shape == (4, 2, 2) and np.all(game.A == A)
    assert np.all(game.Q[0][:4] == np.eye(2)) and np.all(game.Q[0][4] == 5 * np.eye(2))
    with pytest.raises(lqg.LQGameError, match=r"T must be a positive integer; got 0"):
        lqg.LQGame.time_invariant(A, [np.ones((2, 1))], [np.eye(2)], [np.eye(1)], np.eye(2),
                                  lqg.GaussianState(np.zeros(2), np.eye(2)), T=0)


def test_initial_state_laws():
    g = lqg.GaussianState([1.0, 2.0], [[2.0, 0.5], [0.5, 1.0]])
    np.testing.assert_allclose(g.second_moment, [[3.0, 2.5], [2.5, 5.0]])
    rng = np.random.default_rng(0)
    x = g.sample(400_000, rng)
    assert x.shape == (400_000, 2)
    np.testing.assert_allclose(x.T @ x / len(x), g.second_moment, rtol=0.01)
    # the same seed gives the same draws
    np.testing.assert_array_equal(g.sample(5, np.random.default_rng(1)),
                                  g.sample(5, np.random.default_rng(1)))

    dsc = lqg.DiscreteState([[1.0, 1.0], [1.0, 1.1]], [0.5, 0.5])
    np.testing.assert_allclose(dsc.second_moment, [[1.0, 1.05], [1.05, 1.105]])
    draws = dsc.sample(10_000, rng)
    assert set(map(tuple, draws)) == {(1.0, 1.0), (1.0, 1.1)}
    assert abs((draws[:, 1] == 1.1).mean() - 0.5) < 0.02


def test_deterministic_dynamics_allowed_and_assumptions_reported():
    args = base()
    args["W"] = np.zeros((2, 2))
    game = lqg.LQGame(**args)
    report = lqg.check_assumptions(game)
    assert report.assumption_2_1 and report.remark_2_4
    assert not report.W_pd and not report.assumption_2_2
    assert "Assumption 2.2" in str(report) and "fails" in str(report)

    args = base()
    args["x0"] = lqg.DiscreteState([[1.0, 1.0], [1.0, 1.1]], [0.5, 0.5])
    report = lqg.check_assumptions(lqg.LQGame(**args))
    assert not report.x0_gaussian and report.x0_second_moment_pd and report.W_pd


def bad(key, value):
    args = base()
    if callable(value):
        value(args)
    else:
        args[key] = value
    return args


def set_entry(key, player, index, value):
    def change(args):
        target = args[key] if player is None else args[key][player]
        target[index] = value
    return change


def asym(args):
    args["R"][1][2] = np.array([[1.0, 0.3], [0.0, 1.0]])


def indefinite_q(args):
    args["Q"][0][3] = np.diag([1.0, -0.5])


def singular_r(args):
    args["R"][1][1] = np.diag([1.0, 0.0])


@pytest.mark.parametrize("args, message", [
    (bad("A", np.zeros((3, 2, 3))), r"A must have shape \(T, d, d\)"),
    (bad("B", lambda a: a["B"].__setitem__(1, np.ones((3, 3, 2)))),
     r"B\[1\] \(player 1\) must have shape \(T, d, k_1\) = \(3, 2, k\)"),
    (bad("Q", lambda a: a["Q"].__setitem__(0, np.ones((3, 2, 2)))),
     r"Q\[0\] \(player 0\) must have shape \(4, 2, 2\) \(T\+1, d, d\): index T is the terminal"),
    (bad("R", lambda a: a["R"].__setitem__(1, np.ones((3, 1, 1)))),
     r"R\[1\] \(player 1\) must have shape \(3, 2, 2\)"),
    (bad("Q", lambda a: a["Q"].pop()), r"Q has 1 players but B has 2"),
    (bad("B", []), r"B must hold at least one player"),
    (bad("W", np.eye(3)), r"W must be a scalar w \(for w I\), a \(d, d\) = \(2, 2\) matrix or "
                          r"\(T, d, d\) = \(3, 2, 2\) matrices"),
    (bad("A", set_entry("A", None, (1, 0, 0), np.nan)), r"A\[1\] \(t=1\) has non-finite"),
    (bad("B", set_entry("B", 0, (2, 1, 0), np.inf)), r"B\[0\]\[2\] \(player 0, t=2\) has non-finite"),
    (bad("R", asym), r"R\[1\]\[2\] \(player 1, t=2\) is not symmetric"),
    (bad("W", np.diag([0.1, -0.1])), r"W\[0\] \(t=0\) is not positive semi-definite \(smallest "
                                     r"eigenvalue -0.1\)"),
    (bad("W", np.array([[0.1, 0.05], [0.0, 0.1]])), r"W\[0\] \(t=0\) is not symmetric"),
    (bad("x0", "origin"), r"x0 must be a GaussianState, a DiscreteState or a vector of shape \(d,\)"),
    (bad("x0", lqg.GaussianState(np.zeros(3), np.eye(3))), r"x0 has dimension 3 but the state has d = 2"),
    (bad("A", "abc"), r"A must be numeric"),
    (bad("A", np.zeros((3, 2, 2), dtype=complex)), r"A is complex; the game.s data must be real"),
])
def test_validation_messages(args, message):
    with pytest.raises(lqg.LQGameError, match=message):
        lqg.LQGame(**args)


@pytest.mark.parametrize("make, message", [
    (lambda: lqg.GaussianState([0.0, 0.0], np.diag([1.0, -1.0])),
     r"x0.cov is not positive semi-definite"),
    (lambda: lqg.GaussianState([0.0, 0.0], [[1.0, 0.2], [0.1, 1.0]]), r"x0.cov is not symmetric"),
    (lambda: lqg.GaussianState([0.0, np.nan], np.eye(2)), r"x0.mean has non-finite"),
    (lambda: lqg.GaussianState([0.0, 0.0], np.eye(3)), r"x0.cov must have shape \(2, 2\)"),
    (lambda: lqg.DiscreteState([[1.0], [2.0]], [1.2, -0.2]), r"x0.probs\[1\] is negative"),
    (lambda: lqg.DiscreteState([[1.0], [2.0]], [0.5, 0.4]), r"x0.probs must sum to one; they sum to 0.9"),
    (lambda: lqg.DiscreteState([[1.0], [2.0]], [1.0]), r"x0.probs must have shape \(2,\)"),
])
def test_initial_state_validation(make, message):
    with pytest.raises(lqg.LQGameError, match=message):
        make()


@pytest.mark.parametrize("change", [indefinite_q, singular_r])
def test_indefinite_or_singular_weights_are_games_that_fail_assumption_2_1(change):
    """The model takes the weights users have (a duopoly's profits are indefinite state weights);
    Assumption 2.1 is reported, not required."""
    args = bad(None, change)
    game = lqg.LQGame(**args)
    assert not lqg.check_assumptions(game).assumption_2_1
    assert not game.weights_psd or change is singular_r


def test_errors_are_value_errors():
    assert issubclass(lqg.LQGameError, ValueError)
    assert issubclass(lqg.NoUniqueNashError, ValueError)
