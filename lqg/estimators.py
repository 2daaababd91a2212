r"""The estimates of Algorithm 2, line 12, eq. (4.1), and the step direction of (4.2).

.. math::

    \widehat{\nabla_{K_t^i} C^i}(K^{(m-1)}) = \frac1L\sum_{l=1}^L \frac{D_i}{r_i^2}\,
    \widehat c_t^{i,l}\, U_t^{i,l}, \qquad
    \widehat\Sigma_t^i = \frac1L \sum_{l=1}^L x_t^{i,l}(x_t^{i,l})^\top, \qquad D_i = k_i d,

and the direction :math:`\widehat{\nabla_{K_t^i} C^i}\,(\widehat\Sigma_t^i)^{-1}` of the update (4.2).

Two facts make these estimates sharp. :math:`C^i` is a quadratic function of :math:`K_t^i` alone
(eq. (3.13): :math:`x_t` does not depend on :math:`K_t^i`), so the sphere-smoothed cost has exactly
the gradient of :math:`C^i` and the gradient estimate is unbiased: it has no smoothing bias. And the
perturbation at time t acts only after :math:`x_t`, so :math:`x_t^{i,l}` is a draw of the state
under :math:`K^{(m-1)}` and :math:`\widehat\Sigma_t^i` is unbiased for :math:`\Sigma_t^{K^{(m-1)}}`.
Both facts hold for one perturbed time step per episode (the default reading); with every step
perturbed, the cost is no longer quadratic in :math:`U_t^{i,l}` and the states at t carry the
earlier perturbations.

``smoothing``: eq. (4.1) scales by :math:`D_i/r_i^2`, the factor that makes the estimate unbiased
for :math:`U` uniform on the sphere of radius :math:`r_i`; ``smoothing="D/r"`` reads it as
:math:`D_i/r_i` (the factor of the unit-sphere convention :math:`U = r u`), which multiplies the
estimate, and so the step, by :math:`r_i`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _checks as check
from . import _kernel as kernel
from ._checks import LQGameError
from .episodes import COVARIANCES, Episodes

__all__ = ["zeroth_order_gradient", "two_point_gradient", "empirical_covariance",
           "natural_gradient_estimate"]

SMOOTHINGS = ("D/r^2", "D/r")


def zeroth_order_gradient(costs, U, radius, *, smoothing: str = "D/r^2") -> np.ndarray:
    r"""The zeroth-order gradient estimate of eq. (4.1):
    :math:`\frac1L\sum_{l=1}^L \frac{D}{r^2}\, \widehat c_l\, U_l` with :math:`D = k d`.

    For :math:`U_l` uniform on the sphere :math:`\|U\|_F = r` and :math:`\widehat c_l` an unbiased
    observation of :math:`f(K + U_l)`, its mean is the gradient of the smoothed function
    :math:`\mathbb E_{V}[f(K + V)]`, :math:`V` uniform in the ball of radius r; for f quadratic in K,
    as :math:`C^i` is in :math:`K_t^i`, that is exactly :math:`\nabla f(K)`.

    Parameters
    ----------
    costs : array_like, shape=(..., L)
        Observed costs :math:`\widehat c_l`.
    U : array_like, shape=(..., L, k, d)
        The perturbations, each of Frobenius norm ``radius``.
    radius : float
        r > 0.
    smoothing : {"D/r^2", "D/r"}
        The factor of eq. (4.1) (module docstring).

    Returns
    -------
    numpy.ndarray, shape=(..., k, d)
    """
    costs = check.real_array(costs, "costs")
    U = check.real_array(U, "U")
    if U.ndim < 3 or costs.shape != U.shape[:-2]:
        raise LQGameError(f"costs must have shape U.shape[:-2]: U (..., L, k, d) has shape {U.shape}, "
                          f"costs has shape {costs.shape}")
    return _zeroth_order(costs, U, check.number(radius, "radius", 0.0, open_low=True),
                         check.choice(smoothing, SMOOTHINGS, "smoothing"))


def _zeroth_order(costs: np.ndarray, U: np.ndarray, radius: float, smoothing: str) -> np.ndarray:
    k, d, L = U.shape[-2], U.shape[-1], U.shape[-3]
    gradient = np.empty(costs.shape[:-1] + (k, d))
    for a in range(k):
        for f in range(d):
            gradient[..., a, f] = (costs * U[..., a, f]).sum(axis=-1)
    gradient *= k * d / ((radius ** 2 if smoothing == "D/r^2" else radius) * L)
    return gradient


def two_point_gradient(costs_plus, costs_minus, U, radius, *, smoothing: str = "D/r^2") -> np.ndarray:
    r"""The two-point zeroth-order gradient estimate (beyond the paper):
    :math:`\frac1L\sum_{l=1}^L \frac{D}{2r^2}\,(\widehat c_{+,l} - \widehat c_{-,l})\, U_l`,
    :math:`D = k d`.

    :math:`\widehat c_{\pm,l}` are observations of :math:`f(K \pm U_l)` made with common random
    numbers. If an observation is :math:`f_\omega(K + U)` with :math:`f_\omega` quadratic in
    :math:`U` (an episode's cost for a fixed initial state and noise :math:`\omega`), the difference
    is :math:`2\langle\nabla f_\omega(K), U_l\rangle`, so each term is
    :math:`D\langle\nabla f_\omega(K), u_l\rangle u_l` with :math:`u_l = U_l/r`: unbiased for
    :math:`\mathbb E\nabla f_\omega(K)` because :math:`\mathbb E[u u^\top] = I/D`, and
    independent of r.

    Parameters
    ----------
    costs_plus, costs_minus : array_like, shape=(..., L)
        Observed costs at :math:`K + U_l` and :math:`K - U_l`.
    U : array_like, shape=(..., L, k, d)
    radius : float
    smoothing : {"D/r^2", "D/r"}

    Returns
    -------
    numpy.ndarray, shape=(..., k, d)
    """
    plus = check.real_array(costs_plus, "costs_plus")
    minus = check.real_array(costs_minus, "costs_minus")
    if plus.shape != minus.shape:
        raise LQGameError(f"costs_plus and costs_minus must have the same shape; got {plus.shape} "
                          f"and {minus.shape}")
    return zeroth_order_gradient(0.5 * (plus - minus), U, radius, smoothing=smoothing)


def empirical_covariance(states) -> np.ndarray:
    r"""The empirical second moment of eq. (4.1): :math:`\frac1L \sum_{l=1}^L x_l x_l^\top`.

    Parameters
    ----------
    states : array_like, shape=(..., L, d)

    Returns
    -------
    numpy.ndarray, shape=(..., d, d)
    """
    x = check.real_array(states, "states")
    if x.ndim < 2:
        raise LQGameError(f"states must have shape (..., L, d); got {x.shape}")
    return kernel.second_moments(x)


@dataclass(frozen=True)
class CovarianceSpectrum:
    r"""The eigenvalues of the covariance estimates :math:`\widehat\Sigma_t^i` of one iteration.

    Attributes
    ----------
    eigenvalues : numpy.ndarray, shape=(*batch, N, T, d)
        Ascending; NaN where :math:`\widehat\Sigma_t^i` is not finite.
    singular : numpy.ndarray of bool, shape=(*batch, N, T)
        Not finite or numerically singular (smallest eigenvalue at most d machine epsilons of the
        largest): the direction of (4.2) is NaN there.
    """

    eigenvalues: np.ndarray
    singular: np.ndarray


def inverse_covariance(sigma: np.ndarray) -> tuple:
    r""":math:`\widehat\Sigma^{-1}` for a stack of empirical second moments (..., d, d), and their
    :class:`CovarianceSpectrum`; the inverses of the singular ones are NaN."""
    d = sigma.shape[-1]
    eye = np.eye(d)
    finite = np.isfinite(sigma).all(axis=(-1, -2))
    safe = np.where(finite[..., None, None], sigma, eye)
    eig = np.linalg.eigvalsh(safe)
    singular = ~finite | (eig[..., 0] <= d * np.finfo(float).eps * np.abs(eig[..., -1]))
    inverse = np.linalg.inv(np.where(singular[..., None, None], eye, safe))
    inverse[singular] = np.nan
    return inverse, CovarianceSpectrum(np.where(finite[..., None], eig, np.nan), singular)


def natural_gradient_estimate(episodes: Episodes, radius, *, covariance: str | None = None,
                              smoothing: str = "D/r^2", full_output: bool = False):
    r"""The step direction of Algorithm 2, eq. (4.2), from one iteration's episodes:
    :math:`\widehat{\nabla_{K_t^i} C^i}\,(\widehat\Sigma_t^i)^{-1}`, an estimate of the natural
    gradient :math:`2E_{t,i}^K` (:func:`~lqg.evaluation.natural_gradient`).

    The gradient is :func:`zeroth_order_gradient`, or :func:`two_point_gradient` when ``episodes``
    holds mirrored costs; :math:`\widehat\Sigma_t^i` is :func:`empirical_covariance` of the states
    the ``covariance`` reading names. These are the numbers Algorithm 2 uses (line 12).

    Parameters
    ----------
    episodes : Episodes
        From :func:`~lqg.episodes.perturbed_episodes`.
    radius : float or sequence of N floats
        The radii :math:`r_i` the episodes were played with.
    covariance : str, optional
        One of "perturbed-at-t", "pooled" and the reading the episodes were played for (which
        "all-episodes" and "unperturbed" need); default: the episodes' own.
    smoothing : {"D/r^2", "D/r"}
        The factor of eq. (4.1).
    full_output : bool, default False
        Also return the eigenvalues of the estimates :math:`\widehat\Sigma_t^i`.

    Returns
    -------
    directions : tuple of N numpy.ndarray, shapes (*batch, T, k_i, d)
        NaN at (run, t) where :math:`\widehat\Sigma_t^i` is numerically singular.
    spectrum : CovarianceSpectrum
        Only with ``full_output``.
    """
    if not isinstance(episodes, Episodes):
        raise LQGameError(f"episodes must be an Episodes (from perturbed_episodes); got "
                          f"{type(episodes).__name__}")
    N = len(episodes.U)
    radius = check.per_player(radius, N, "radius")
    covariance = episodes.covariance if covariance is None else check.choice(
        covariance, COVARIANCES, "covariance")
    if covariance in ("all-episodes", "unperturbed") and covariance != episodes.covariance:
        raise LQGameError(f"covariance={covariance!r} needs episodes played with that reading; these "
                          f"were played with covariance={episodes.covariance!r}")
    smoothing = check.choice(smoothing, SMOOTHINGS, "smoothing")
    check.flag(full_output, "full_output")
    with np.errstate(all="ignore"):
        if covariance in ("all-episodes", "unperturbed"):
            sigma = episodes.second_moments
        else:
            sigma = kernel.second_moments(episodes.states)                 # (..., N, T, d, d)
            if covariance == "pooled":
                sigma = np.broadcast_to(sigma.mean(axis=-4, keepdims=True), sigma.shape)
        inverse, spectrum = inverse_covariance(sigma)
        costs = episodes.costs
        if episodes.costs_minus is not None:
            costs = 0.5 * (costs - episodes.costs_minus)                   # the two-point estimator
        directions = tuple(
            _zeroth_order(costs[..., i, :, :], episodes.U[i], radius[i], smoothing)
            @ inverse[..., i, :, :, :] for i in range(N))
    return (directions, spectrum) if full_output else directions
