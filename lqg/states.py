"""The law of the initial state :math:`x_0` (Section 2.1, Assumption 2.2): Gaussian or discrete."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from . import _checks as check
from ._checks import LQGameError

__all__ = ["GaussianState", "DiscreteState"]


def psd_factor(matrix: np.ndarray) -> np.ndarray:
    """Factors ``F`` with ``F @ F.T == matrix`` for symmetric PSD matrices (via ``eigh``)."""
    eigval, eigvec = np.linalg.eigh(matrix)
    return eigvec * np.sqrt(np.clip(eigval, 0.0, None))[..., None, :]


@dataclass(frozen=True, eq=False)
class GaussianState:
    r"""Gaussian initial state :math:`x_0 \sim \mathcal N(\text{mean}, \text{cov})`.

    Parameters
    ----------
    mean : array_like, shape=(d,)
    cov : array_like, shape=(d, d)
        Symmetric positive semi-definite covariance (0 gives a deterministic initial state).
    """

    mean: np.ndarray
    cov: np.ndarray

    def __post_init__(self):
        mean = check.real_array(self.mean, "x0.mean", copy=True)
        if mean.ndim != 1 or mean.size == 0:
            raise LQGameError(f"x0.mean must be a non-empty vector of shape (d,); got {mean.shape}")
        d = mean.shape[0]
        cov = check.real_array(self.cov, "x0.cov", copy=True)
        if cov.ndim == 0:
            cov = cov * np.eye(d)
        check.check_shape(cov, (d, d), "x0.cov", meaning="(d, d) with d = len(mean)")
        for name, array in (("x0.mean", mean), ("x0.cov", cov)):
            check.check_finite(array, name)
        check.check_symmetric(cov, "x0.cov")
        check.check_psd(cov, "x0.cov", why="a covariance")
        object.__setattr__(self, "mean", check.frozen(mean))
        object.__setattr__(self, "cov", check.frozen(cov))

    @property
    def d(self) -> int:
        return self.mean.shape[0]

    @cached_property
    def second_moment(self) -> np.ndarray:
        r""":math:`\mathbb E[x_0 x_0^\top] = \text{cov} + \text{mean}\,\text{mean}^\top`, shape (d, d)."""
        return check.frozen(self.cov + np.outer(self.mean, self.mean))

    @cached_property
    def _factor(self) -> np.ndarray:
        return psd_factor(self.cov)

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` independent draws, shape (n, d)."""
        z = rng.standard_normal((n, self.d))
        return self.mean + z @ self._factor.T

    def __repr__(self) -> str:
        return f"GaussianState(mean={self.mean.tolist()}, cov={self.cov.tolist()})"


@dataclass(frozen=True, eq=False)
class DiscreteState:
    """Initial state taking value ``points[j]`` with probability ``probs[j]``.

    Parameters
    ----------
    points : array_like, shape=(m, d)
    probs : array_like, shape=(m,)
        Non-negative, summing to one.
    """

    points: np.ndarray
    probs: np.ndarray

    def __post_init__(self):
        points = check.real_array(self.points, "x0.points", copy=True)
        if points.ndim != 2 or 0 in points.shape:
            raise LQGameError(f"x0.points must have shape (m, d); got {points.shape}")
        probs = check.real_array(self.probs, "x0.probs", copy=True)
        check.check_shape(probs, (points.shape[0],), "x0.probs", meaning="(m,), one per point")
        check.check_finite(points, "x0.points")
        check.check_finite(probs, "x0.probs")
        if np.any(probs < 0):
            j = int(np.argmax(probs < 0))
            raise LQGameError(f"x0.probs[{j}] is negative ({probs[j]:.3g})")
        if abs(probs.sum() - 1.0) > 1e-12 * len(probs):
            raise LQGameError(f"x0.probs must sum to one; they sum to {probs.sum():.15g}")
        object.__setattr__(self, "points", check.frozen(points))
        object.__setattr__(self, "probs", check.frozen(probs))

    @property
    def d(self) -> int:
        return self.points.shape[1]

    @cached_property
    def mean(self) -> np.ndarray:
        return check.frozen(self.probs @ self.points)

    @cached_property
    def second_moment(self) -> np.ndarray:
        r""":math:`\mathbb E[x_0 x_0^\top] = \sum_j p_j\, x^{(j)} x^{(j)\top}`, shape (d, d)."""
        return check.frozen((self.points.T * self.probs) @ self.points)

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` independent draws, shape (n, d)."""
        return self.points[rng.choice(len(self.probs), size=n, p=self.probs)]

    def __repr__(self) -> str:
        return f"DiscreteState(points={self.points.tolist()}, probs={self.probs.tolist()})"
