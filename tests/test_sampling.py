"""sample_policies_near: within the radius, uniform where it says so, reproducible from a seed."""

import numpy as np
import pytest
from scipy import stats

import lqg
from lqg import sample_policies_near


@pytest.fixture
def centre(rng):
    """A joint policy with T = 4, d = 3 and unequal control sizes k = (1, 2)."""
    return (rng.standard_normal((4, 1, 3)), rng.standard_normal((4, 2, 3)))


def offsets(sample, centre):
    """Frobenius norms of K_t^i - centre_t^i, shape (n, T) per player."""
    return [np.linalg.norm(S - C, axis=(-2, -1)) for S, C in zip(sample, centre)]


@pytest.mark.parametrize("shared", [False, True])
def test_ball_samples_lie_within_the_radius(centre, shared):
    sample = sample_policies_near(centre, 0.3, 500, 7, shared_over_time=shared)
    assert [S.shape for S in sample] == [(500, 4, 1, 3), (500, 4, 2, 3)]
    for dist in offsets(sample, centre):
        assert np.all(dist <= 0.3 * (1 + 1e-12))
        assert dist.max() > 0.25  # not shrunk towards the centre


def test_sphere_samples_lie_on_the_sphere(centre):
    sample = sample_policies_near(centre, 0.42, 200, 7, distribution="sphere")
    for dist in offsets(sample, centre):
        np.testing.assert_allclose(dist, 0.42, rtol=1e-12)


def test_shared_offset_is_the_same_at_every_t(centre):
    shared = sample_policies_near(centre, 0.25, 50, 1, shared_over_time=True)
    separate = sample_policies_near(centre, 0.25, 50, 1)
    for S, I, C in zip(shared, separate, centre):
        delta = S - C
        np.testing.assert_allclose(delta, np.broadcast_to(delta[:, :1], delta.shape), atol=1e-15)
        assert not np.allclose(I[:, 0] - C[0], I[:, 1] - C[1])


def test_reproducible_from_a_seed_alone_or_inside_a_batch(centre):
    a = sample_policies_near(centre, 0.3, 40, 123)
    b = sample_policies_near(centre, 0.3, 40, np.random.default_rng(123))
    small = sample_policies_near(centre, 0.3, 5, 123)
    other = sample_policies_near(centre, 0.3, 40, 124)
    for A, B, S, O in zip(a, b, small, other):
        np.testing.assert_array_equal(A, B)
        np.testing.assert_array_equal(A[:5], S)
        assert not np.array_equal(A, O)


@pytest.mark.parametrize("shape", [(1, 2), (2, 3)])
def test_ball_is_uniform(shape):
    # uniform in the m-ball: (|x| / r)^m ~ U(0, 1), and the direction is isotropic
    m = shape[0] * shape[1]
    sample = sample_policies_near((np.zeros((1,) + shape),), 2.0, 20_000, 5)[0].reshape(-1, m)
    radius = np.linalg.norm(sample, axis=1) / 2.0
    assert stats.kstest(radius**m, "uniform").pvalue > 1e-3
    direction = sample / np.linalg.norm(sample, axis=1, keepdims=True)
    assert np.all(np.abs(direction.mean(axis=0)) < 5 / np.sqrt(m * 20_000))
    np.testing.assert_allclose(direction.T @ direction / 20_000, np.eye(m) / m, atol=0.02)


def test_players_and_times_are_independent(centre):
    sample = sample_policies_near(centre, 1.0, 20_000, 9)
    x = (sample[0] - centre[0])[:, 0, 0, 0]
    y = (sample[1] - centre[1])[:, 0, 0, 0]
    z = (sample[0] - centre[0])[:, 1, 0, 0]
    for u in (y, z):
        assert abs(np.corrcoef(x, u)[0, 1]) < 5 / np.sqrt(20_000)


def test_zero_radius_returns_the_centre(centre):
    for S, C in zip(sample_policies_near(centre, 0.0, 3, 0), centre):
        np.testing.assert_array_equal(S, np.broadcast_to(C, S.shape))


def test_near_the_nash_equilibrium_of_section_5_1():
    game = lqg.paper.section_5_1(0.1)
    nash = lqg.solve_nash(game)
    K0 = sample_policies_near(nash.K, 0.25, 16, 2021)
    assert lqg.cost(game, K0).shape == (16, 2)
    for dist in offsets(K0, nash.K):
        assert np.all(dist <= 0.25 * (1 + 1e-12))


def test_rejects_bad_arguments(centre):
    with pytest.raises(lqg.LQGameError, match="radius"):
        sample_policies_near(centre, -0.1, 3, 0)
    with pytest.raises(lqg.LQGameError, match="n must"):
        sample_policies_near(centre, 0.1, 0, 0)
    with pytest.raises(lqg.LQGameError, match="distribution"):
        sample_policies_near(centre, 0.1, 3, 0, distribution="cube")
    with pytest.raises(lqg.LQGameError, match="seed"):
        sample_policies_near(centre, 0.1, 3, None)
    with pytest.raises(lqg.LQGameError, match="seed"):
        sample_policies_near(centre, 0.1, 3, "seed")
    with pytest.raises(lqg.LQGameError, match=r"K\[1\] \(player 1\)"):
        sample_policies_near((centre[0], np.zeros((3, 1, 3))), 0.1, 3, 0)
    with pytest.raises(lqg.LQGameError, match=r"K\[0\]\[2\] \(player 0, t=2\) has non-finite"):
        bad = centre[0].copy()
        bad[2, 0, 0] = np.nan
        sample_policies_near((bad, centre[1]), 0.1, 3, 0)
    with pytest.raises(lqg.LQGameError, match="tuple of arrays"):
        sample_policies_near(centre[0], 0.1, 3, 0)
