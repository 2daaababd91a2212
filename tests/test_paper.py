"""The presets hold the matrices, distributions and policies printed in the paper."""

import numpy as np
import pytest

import lqg
from lqg import paper


def assert_time_invariant(game, A, B, Q, R, W):
    for t in range(game.T):
        np.testing.assert_array_equal(game.A[t], A)
        for i in range(game.N):
            np.testing.assert_array_equal(game.B[i][t], B[i])
            np.testing.assert_array_equal(game.R[i][t], R[i])
    for t in range(game.T + 1):  # Q_T^i = Q_t^i in every example
        for i in range(game.N):
            np.testing.assert_array_equal(game.Q[i][t], Q[i])
    np.testing.assert_array_equal(game.W, np.broadcast_to(W, game.W.shape))


def test_remark_3_4():
    game = paper.remark_3_4()
    assert (game.N, game.T, game.d, game.k) == (2, 1, 2, (1, 1))
    assert_time_invariant(
        game, A=np.diag([0.2, 0.2]), B=[[[0.1], [0.0]], [[0.0], [-0.1]]],
        Q=[np.diag([0.1, 0.1])] * 2, R=[[[0.3]]] * 2, W=np.diag([0.2, 0.2]),
    )
    assert isinstance(game.x0, lqg.GaussianState)
    np.testing.assert_array_equal(game.x0.mean, [0.3, 0.4])
    np.testing.assert_array_equal(game.x0.cov, np.diag([0.2, 0.3]))
    np.testing.assert_allclose(paper.remark_3_4(x0_scale="std").x0.cov, np.diag([0.04, 0.09]))


def test_remark_3_4_policies():
    K = paper.remark_3_4_policies()
    assert len(K) == 2
    for Ki in K:
        assert Ki.shape == (1, 1, 2)
        np.testing.assert_array_equal(Ki[0, 0], [0.2, 0.01])
    K[0][0, 0, 0] = 9.0  # the two players' arrays are independent
    assert K[1][0, 0, 0] == 0.2
    assert lqg.cost(paper.remark_3_4(), K).shape == (2,)


@pytest.mark.parametrize("sigma2", [0.0, 0.5, 10.0])
def test_section_5_1(sigma2):
    game = paper.section_5_1(sigma2)
    assert (game.N, game.T, game.d, game.k) == (2, 10, 2, (1, 1))
    assert_time_invariant(
        game, A=[[0.588, 0.028], [0.570, 0.056]], B=[[[1.0], [1.0]], [[0.0], [1.0]]],
        Q=[np.diag([0.01, 1.0]), np.diag([1.0, 0.147])], R=[[[0.01]]] * 2,
        W=sigma2 * np.eye(2),
    )
    assert isinstance(game.x0, lqg.DiscreteState)
    np.testing.assert_array_equal(game.x0.points, [[1.0, 1.0], [1.0, 1.1]])
    np.testing.assert_array_equal(game.x0.probs, [0.5, 0.5])
    # the paper: "there exists a unique Nash equilibrium since ... Remark 2.4 is satisfied"
    assert lqg.check_assumptions(game).remark_2_4


def test_section_5_2():
    game = paper.section_5_2(0.1)
    assert (game.N, game.T, game.d, game.k) == (2, 5, 2, (1, 1))
    assert_time_invariant(
        game, A=[[0.588, 0.28], [0.57, 0.56]], B=[[[1.0], [1.0]], [[0.5], [1.0]]],
        Q=[np.diag([0.5, 1.0]), np.diag([1.0, 0.3])], R=[[[1.0]]] * 2, W=0.1 * np.eye(2),
    )
    assert isinstance(game.x0, lqg.GaussianState)
    np.testing.assert_array_equal(game.x0.mean, [10.0, 12.0])
    np.testing.assert_array_equal(game.x0.cov, np.diag([2.0, 3.0]))
    np.testing.assert_array_equal(paper.section_5_2(0.1, x0_scale="std").x0.cov, np.diag([4.0, 9.0]))
    assert paper.section_5_2(0.1, T=8).T == 8
    assert lqg.check_assumptions(game).remark_2_4


def test_section_5_2_policies():
    K1, K2 = paper.section_5_2_policies()
    # "K^1 in R^{1 x 10} = (K_0, ..., K_{T-1})" with T = 5 and d = 2
    assert K1.shape == K2.shape == (5, 1, 2) and K1.size == 10
    np.testing.assert_array_equal(K1, np.broadcast_to([0.5, 0.5], (5, 1, 2)))
    np.testing.assert_array_equal(K2, np.broadcast_to([0.3, 0.15], (5, 1, 2)))
    assert paper.section_5_2_policies(T=3)[0].shape == (3, 1, 2)


def test_literal_reading_of_t_from_1_drops_one_transition():
    for make in (paper.section_5_1, paper.section_5_2):
        literal = make(0.1, T=6, matrices_from=1)
        assert literal.T == 5
        np.testing.assert_array_equal(literal.A, make(0.1, T=5).A)


def test_presets_reject_bad_arguments():
    with pytest.raises(lqg.LQGameError, match="sigma2"):
        paper.section_5_1(-0.1)
    with pytest.raises(lqg.LQGameError, match="sigma2"):
        paper.section_5_2("much")
    with pytest.raises(lqg.LQGameError, match="x0_scale"):
        paper.section_5_2(0.1, x0_scale="sd")
    with pytest.raises(lqg.LQGameError, match="x0_scale"):
        paper.remark_3_4(x0_scale="var")
    with pytest.raises(lqg.LQGameError, match="matrices_from"):
        paper.section_5_1(0.1, matrices_from=2)
    with pytest.raises(lqg.LQGameError, match="no transition"):
        paper.section_5_1(0.1, T=1, matrices_from=1)
    with pytest.raises(lqg.LQGameError, match="T must be a positive integer"):
        paper.section_5_2_policies(T=2.5)
