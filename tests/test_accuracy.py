"""estimate_accuracy against samples with a known bias and spread, and exact directions."""

import numpy as np
import pytest

from lqg.accuracy import estimate_accuracy


def test_known_bias_and_spread_are_recovered_within_standard_errors():
    rng = np.random.default_rng(0)
    R, s = 40_000, 0.3
    G = np.array([[[1.0, -2.0]], [[0.5, 0.5]]])                     # batch of 2, each 1 x 2
    bias = np.array([[[0.0, 0.0]], [[0.02, -0.01]]])
    estimates = G + bias + s * rng.standard_normal((R,) + G.shape)
    a = estimate_accuracy(estimates, G)
    norm = np.linalg.norm(G, axis=(-2, -1))
    # an estimator's spread and the standard error of its mean, by the textbook formulas
    np.testing.assert_allclose(a.relative_std, np.sqrt(2) * s / norm, rtol=0.02)
    np.testing.assert_allclose(a.bias_stderr, np.sqrt(2 * s**2 / R) / norm, rtol=0.02)
    # the unbiased entry: the z-score is that of two standard normals
    assert a.bias_z[0] < 4.5 and a.relative_bias[0] < 4.5 * a.bias_stderr[0]
    # the biased one: the bias is found, to within its standard error
    true_bias = np.linalg.norm(bias[1]) / norm[1]
    assert abs(a.relative_bias[1] - true_bias) < 4.5 * a.bias_stderr[1]
    assert a.bias_z[1] > 6
    np.testing.assert_allclose(a.relative_rmse ** 2, a.relative_std ** 2 + a.relative_bias ** 2,
                               rtol=0.01)
    assert a.finite.tolist() == [R, R]


def test_scaled_copies_give_exact_errors_and_cosines():
    G = np.array([[3.0, 4.0]])                                      # norm 5
    estimates = np.stack([2 * G, -G, 0.5 * G])
    a = estimate_accuracy(estimates, G)
    assert a.median_relative_error == pytest.approx(1.0)            # errors 1, 2, 0.5
    assert a.median_cosine == pytest.approx(1.0)                    # cosines 1, -1, 1
    assert a.relative_bias == pytest.approx(abs((2 - 1 + 0.5) / 3 - 1))
    scaled = estimate_accuracy(estimates, G, scale=10.0)
    assert scaled.median_relative_error == pytest.approx(0.5)


def test_non_finite_replications_are_left_out_and_zero_exact_needs_a_scale():
    estimates = np.array([[[1.0]], [[np.nan]], [[3.0]], [[np.inf]]])
    a = estimate_accuracy(estimates, np.array([[2.0]]))
    assert a.finite == 2 and a.relative_bias == pytest.approx(0.0)
    zero = estimate_accuracy(estimates, np.zeros((1, 1)), scale=2.0)
    assert zero.relative_bias == pytest.approx(1.0) and np.isnan(zero.median_cosine)
    with pytest.raises(ValueError, match="exact is zero at some batch entry"):
        estimate_accuracy(estimates, np.zeros((1, 1)))


@pytest.mark.parametrize("estimates, exact, scale, match", [
    (np.ones((1, 2, 2)), np.ones((2, 2)), None, "R >= 2 replications"),
    (np.ones((3, 2)), np.ones(2), None, r"shape \(R, \*batch, m, n\)"),
    (np.ones((3, 2, 2)), np.ones((3, 3)), None, "does not broadcast"),
    (np.ones((3, 2, 2)), np.full((2, 2), np.nan), None, "exact must be finite"),
    (np.ones((3, 2, 2)), np.ones((2, 2)), -1.0, "scale must be positive"),
])
def test_bad_input(estimates, exact, scale, match):
    with pytest.raises(ValueError, match=match):
        estimate_accuracy(estimates, exact, scale=scale)
